import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../core/context.js';
import { repeatEvery } from '../core/repeat-every.js';
import { pruneEvents } from './event.service.js';

/** How often each server process deletes the events past their org's retention. */
export const EVENT_PRUNE_INTERVAL_MS = 10 * 60_000;

/**
 * Prunes expired events every {@link EVENT_PRUNE_INTERVAL_MS} (batches of 1,000 per transaction,
 * so lead writes never wait long behind it); answers the function that stops it. Failures are
 * logged and the next run tries again.
 */
export function startEventPruner(ctx: AppContext, log: FastifyBaseLogger): () => Promise<void> {
  return repeatEvery(EVENT_PRUNE_INTERVAL_MS, async () => {
    try {
      const deleted = await pruneEvents(ctx);
      if (deleted > 0) log.info({ deleted }, 'events: pruned past retention');
    } catch (error) {
      log.error({ err: error }, 'events: pruning failed');
    }
  });
}
