import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { pino } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from './core/config.js';
import { createContext } from './core/context.js';
import { listenForScrapes } from './core/metrics.js';
import { migrateToLatest } from './db/migrate.js';
import { clusterCounterHost, MemoryCounterStore } from './rate-limit/index.js';
import { closeOnSignals, startServer } from './server.js';

/**
 * `leadline serve --workers N` (docs/deploy.md, "Every core"): N processes sharing the port
 * through `node:cluster`. The primary migrates the store once, forks the workers, replaces one
 * that dies, keeps the rate-limit counters for all of them, serves METRICS_PORT with every
 * worker's metrics summed, and on SIGTERM stops them gracefully. Worker 0 alone runs the
 * background work (auto-close, event pruning, webhook delivery), so on SQLite one process
 * dispatches, as docs/webhooks.md has it.
 */

/** The environment variable that tells a worker its place (0 … N-1). */
const WORKER_INDEX = 'LEADLINE_WORKER_INDEX';
/** A worker that dies this soon after it began listening is crashing in a loop. */
const CRASH_LOOP_MS = 10_000;
/** Crashes in a row, each within CRASH_LOOP_MS, after which the primary gives up. */
const CRASH_LOOP_LIMIT = 3;

/** Runs this process as the cluster's primary, or as one of its workers when forked by it. */
export async function serveWithWorkers(config: Config, workers: number): Promise<void> {
  if (cluster.isWorker) return runWorker(config);
  return runPrimary(config, workers);
}

async function runWorker(config: Config): Promise<void> {
  const index = Number(process.env[WORKER_INDEX] ?? '0');
  const server = await startServer(
    config,
    {},
    { background: index === 0, metricsPort: false, migrateBeforeListening: true },
  );
  // The primary's METRICS_PORT asks each worker for this registry and sums them; constructing
  // an AggregatorRegistry is what makes prom-client answer the primary's requests here.
  AggregatorRegistry.setRegistries([server.ctx.metrics.registry]);
  void new AggregatorRegistry();
  closeOnSignals(server);
}

async function runPrimary(config: Config, workers: number): Promise<void> {
  const log = pino({ level: config.logLevel }).child({ role: 'primary' });
  // Once, before any worker listens: N processes migrating one SQLite file at once would race
  // (Kysely's SQLite migrator takes no lock across processes; PostgreSQL's does).
  const migrating = createContext(config);
  try {
    const applied = await migrateToLatest(migrating.store);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
  } finally {
    await migrating.store.close();
  }

  const counters = clusterCounterHost(new MemoryCounterStore());
  const crashes = new Map<number, number>();
  let stopping = false;
  let metricsServer: Server | undefined;

  const fork = (index: number): Worker => {
    const worker = cluster.fork({ [WORKER_INDEX]: String(index) });
    counters.serve(worker);
    let listeningAt: number | undefined;
    worker.once('listening', () => {
      listeningAt = Date.now();
    });
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      const quick = listeningAt === undefined || Date.now() - listeningAt < CRASH_LOOP_MS;
      const inARow = quick ? (crashes.get(index) ?? 0) + 1 : 1;
      crashes.set(index, inARow);
      if (inARow >= CRASH_LOOP_LIMIT) {
        log.fatal({ worker: index, code, signal }, 'a worker keeps dying at start; stopping');
        void stop(1);
        return;
      }
      log.error({ worker: index, code, signal }, 'a worker died; starting another');
      setTimeout(() => {
        if (!stopping) fork(index);
      }, 1000).unref();
    });
    return worker;
  };

  const stop = async (exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter(
      (worker): worker is Worker => worker !== undefined && !worker.isDead(),
    );
    log.info({ workers: alive.length }, 'stopping the workers');
    // Each worker finishes its requests in flight within SHUTDOWN_TIMEOUT_MS; one that does not
    // exit a little after that is killed.
    const deadline = setTimeout(() => {
      for (const worker of alive) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, config.shutdownTimeoutMs + 5000);
    await Promise.all(
      alive.map(async (worker) => {
        const exited = once(worker, 'exit');
        worker.process.kill('SIGTERM');
        await exited;
      }),
    );
    clearTimeout(deadline);
    metricsServer?.close();
    process.exit(exitCode);
  };
  // `on`, not `once`: a second signal (the process group's, after the primary's own) must not
  // end the primary before its workers have finished.
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));

  for (let index = 0; index < workers; index += 1) fork(index);
  log.info({ workers }, 'workers started');

  if (config.metricsPort > 0) {
    const aggregate = new AggregatorRegistry();
    metricsServer = await listenForScrapes(
      config.metricsPort,
      config.metricsHost,
      { text: () => aggregate.clusterMetrics(), contentType: aggregate.contentType },
      (error) => {
        log.warn({ err: error }, 'metrics: a worker did not answer');
        return { status: 503, text: 'a worker did not answer' };
      },
    );
  }
}
