import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../core/context.js';
import { listAutoCloseOrgs } from './auto-close.repository.js';
import { autoClose } from './auto-close.service.js';
import { repeatEvery } from '../core/repeat-every.js';

/**
 * One pass over every org with auto-close on, measuring inactivity up to `ctx.clock.now()`.
 * Failures are logged, never thrown: an org that fails does not stop the others, and the next
 * pass tries again.
 */
export async function runAutoClosePass(
  ctx: AppContext,
  log: FastifyBaseLogger,
  signal?: AbortSignal,
): Promise<void> {
  const started = Date.now();
  let closed = 0;
  let orgs = 0;
  let failed = 0;
  try {
    for (const org of await listAutoCloseOrgs(ctx.store.db)) {
      if (signal?.aborted) break;
      orgs += 1;
      try {
        const result = await autoClose(ctx, {
          orgId: org.id,
          asOf: ctx.clock.now(),
          dryRun: false,
          ...(signal ? { signal } : {}),
        });
        closed += result.closed.length;
        if (result.closed.length > 0) {
          log.info({ orgId: org.id, closed: result.closed.length }, 'auto-close: org done');
        }
      } catch (error) {
        failed += 1;
        log.error({ err: error, orgId: org.id }, 'auto-close: org failed');
      }
    }
  } catch (error) {
    failed += 1;
    log.error({ err: error }, 'auto-close: pass failed');
  }
  ctx.metrics.autoClosePasses.inc({ outcome: failed > 0 ? 'failed' : 'ok' });
  if (closed > 0) ctx.metrics.autoClosedLeads.inc(closed);
  log.info({ orgs, closed, failed, ms: Date.now() - started }, 'auto-close pass');
}

/**
 * Starts the in-server auto-close schedule (every `AUTO_CLOSE_INTERVAL_SECONDS`; 0: none);
 * resolves the returned function, once a running pass has stopped, to stop it.
 */
export function startAutoCloseScheduler(
  ctx: AppContext,
  log: FastifyBaseLogger,
): () => Promise<void> {
  const seconds = ctx.config.autoCloseIntervalSeconds;
  if (seconds <= 0) {
    log.info('auto-close schedule off (AUTO_CLOSE_INTERVAL_SECONDS=0)');
    return async () => {};
  }
  const intervalMs = Math.max(1, Math.round(seconds * 1000));
  return repeatEvery(intervalMs, (signal) => runAutoClosePass(ctx, log, signal));
}
