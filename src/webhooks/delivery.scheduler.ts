import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../core/context.js';
import { repeatEvery } from '../core/repeat-every.js';
import { dispatchWebhooks, pruneDeliveries } from './delivery.service.js';

/** How often each server process deletes the delivery log past its org's event retention. */
const PRUNE_INTERVAL_MS = 10 * 60_000;

/**
 * Runs the webhook dispatcher every `WEBHOOK_DISPATCH_INTERVAL_SECONDS` (off at 0); answers the
 * function that stops it, waiting for the round in progress. A round that finds a full batch
 * due goes on at once, so a backlog drains at the pace the endpoints answer.
 */
export function startWebhookDispatcher(
  ctx: AppContext,
  log: FastifyBaseLogger,
): () => Promise<void> {
  const intervalMs = ctx.config.webhookDispatchIntervalMs;
  if (intervalMs <= 0) return async () => {};
  const stopPruning = repeatEvery(PRUNE_INTERVAL_MS, async () => {
    try {
      const deleted = await pruneDeliveries(ctx);
      if (deleted > 0) log.info({ deleted }, 'webhooks: delivery log pruned past retention');
    } catch (error) {
      log.error({ err: error }, 'webhooks: pruning the delivery log failed');
    }
  });
  const stopDispatching = repeatEvery(intervalMs, async (signal) => {
    try {
      for (;;) {
        const { created, sent } = await dispatchWebhooks(ctx);
        if (created > 0 || sent > 0) log.debug({ created, sent }, 'webhooks: dispatched');
        if (sent === 0 || signal.aborted) return;
      }
    } catch (error) {
      log.error({ err: error }, 'webhooks: dispatch failed');
    }
  });
  return async () => {
    await stopDispatching();
    await stopPruning();
  };
}
