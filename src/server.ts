import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Config } from './core/config.js';
import { createContext, type AppContext } from './core/context.js';
import { listenForScrapes } from './core/metrics.js';
import { migrateToLatest } from './db/migrate.js';
import { buildApp, type BuildAppOptions } from './app.js';
import { startAutoCloseScheduler } from './auto-close/auto-close.scheduler.js';
import { startEventPruner } from './events/event.scheduler.js';
import { startWebhookDispatcher } from './webhooks/index.js';

export type RunningServer = {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  close(): Promise<void>;
};

/** What one process of several does (`leadline serve --workers N`, src/cluster.ts). */
export type ServerProcessOptions = {
  /** Runs auto-close, event pruning and webhook delivery (default true): one worker does. */
  background?: boolean;
  /** Serves METRICS_PORT itself (default true); a cluster's primary serves it for all. */
  metricsPort?: boolean;
  /**
   * Checks the migrations before listening instead of after (default false). A cluster's
   * primary has applied them before forking, so the check is quick; and a worker that listened
   * first would take its share of the shared port's connections and answer them STARTING_UP
   * while its siblings are ready.
   */
  migrateBeforeListening?: boolean;
};

/**
 * Opens the store, listens, applies pending migrations (requests but the health checks answer
 * 503 STARTING_UP until they are done, and `/health/ready` says `migrating`), then starts the
 * schedules. `close` stops accepting connections, lets in-flight requests finish, then closes
 * the store.
 *
 * @example const server = await startServer(loadConfig()); await server.close();
 */
export async function startServer(
  config: Config,
  appOptions: BuildAppOptions = {},
  processOptions: ServerProcessOptions = {},
): Promise<RunningServer> {
  const { background = true, metricsPort = true, migrateBeforeListening = false } = processOptions;
  const ctx = createContext(config);
  const startup = { migrating: true };
  const app = await buildApp(ctx, { ...appOptions, startup });
  ctx.store.useLogger(app.log);
  ctx.metrics.collectProcessMetrics();
  const migrate = async () => {
    await migrateToLatest(ctx.store);
    startup.migrating = false;
  };
  let url: string;
  let metricsServer: Server | undefined;
  try {
    if (migrateBeforeListening) await migrate();
    url = await app.listen({ host: config.host, port: config.port });
    if (!migrateBeforeListening) await migrate();
    if (metricsPort && config.metricsPort > 0) {
      const { registry } = ctx.metrics;
      metricsServer = await listenForScrapes(
        config.metricsPort,
        config.metricsHost,
        { text: () => registry.metrics(), contentType: registry.contentType },
        () => ({ status: 500, text: 'metrics failed' }),
      );
    }
  } catch (error) {
    await app.close();
    await ctx.store.close();
    throw error;
  }
  const none = async () => {};
  const stopAutoClose = background ? startAutoCloseScheduler(ctx, app.log) : none;
  const stopEventPruner = background ? startEventPruner(ctx, app.log) : none;
  const stopWebhooks = background ? startWebhookDispatcher(ctx, app.log) : none;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // In-flight requests get SHUTDOWN_TIMEOUT_MS to finish; then every connection still open
      // (a client trickling a body, a request stuck on a hung store) is cut, so a shutdown ends
      // in bounded time whatever clients do.
      const cutOff = setTimeout(() => {
        app.log.warn('shutdown: cutting the connections still open');
        app.server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      try {
        await stopAutoClose();
        await stopEventPruner();
        await stopWebhooks();
        metricsServer?.close();
        await app.close();
      } finally {
        clearTimeout(cutOff);
      }
      await ctx.store.close();
    })();
    return closing;
  };
  return { app, ctx, url, close };
}

/**
 * Closes the server gracefully on SIGTERM or SIGINT, then exits; a cluster worker also when its
 * primary process is gone (the IPC channel closed: killed, or crashed), so no worker outlives it.
 */
export function closeOnSignals(server: RunningServer): void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals | 'disconnect') => {
    // A second signal changes nothing: a cluster worker gets SIGTERM both from its primary and
    // from whoever signalled the whole process group (a terminal's Ctrl-C, `kill -- -PGID`).
    // Left unhandled it would end the process at once, in the middle of its graceful shutdown.
    if (shuttingDown) return;
    shuttingDown = true;
    server.app.log.info({ signal }, 'shutting down');
    // The last resort: a store that never answers must not keep the process alive.
    setTimeout(() => {
      server.app.log.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, server.ctx.config.shutdownTimeoutMs + 5000).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (process.send) process.once('disconnect', () => onSignal('disconnect'));
}
