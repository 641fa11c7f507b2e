import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.js';

/** Starts the in-server auto-close schedule; resolves the returned function to stop it. */
export function startAutoCloseScheduler(
  _ctx: AppContext,
  _log: FastifyBaseLogger,
): () => Promise<void> {
  return async () => {};
}
