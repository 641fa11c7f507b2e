import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../core/caller.js';
import { effectivePerMinute } from '../core/rate-limit-config.js';
import { secondsUntil, tooManyRequests, windowAt } from './rate-limiter.js';

/** The per-credential window: `RATE_LIMIT_PER_MINUTE` or the org's `rateLimitPerMinute`. */
export const CREDENTIAL_WINDOW_MS = 60_000;

/**
 * Counts one request of `caller` against its per-credential limit: sets `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` (seconds) on `reply`, and throws 429
 * TOO_MANY_REQUESTS with `Retry-After` when the minute's requests are over the limit. The API
 * and the web app's pages count in the same window, so a person's pages and their till's calls
 * share one budget.
 */
export async function countCredentialRequest(
  limiter: FastifyInstance['rateLimiter'],
  request: FastifyRequest,
  reply: FastifyReply,
  caller: Caller,
): Promise<void> {
  const { ctx } = limiter;
  const limit = effectivePerMinute(caller.org.rateLimitPerMinute, ctx.config.rateLimit);
  if (limit === 0) return;
  const now = ctx.clock.now();
  const window = windowAt(now, CREDENTIAL_WINDOW_MS);
  const count = await limiter.failOpen(request, () =>
    limiter.store.increment(`cred:${caller.entityId}:${window.index}`, window.endsAt, now),
  );
  if (count === undefined) return;
  const reset = secondsUntil(window.endsAt, now);
  void reply.headers({
    'ratelimit-limit': String(limit),
    'ratelimit-remaining': String(Math.max(0, limit - count)),
    'ratelimit-reset': String(reset),
  });
  if (count > limit) {
    throw tooManyRequests(
      `more than ${limit} requests per minute with this credential; retry in ${reset} s`,
      reset,
    );
  }
}

/**
 * The per-credential limit, run in `onRequest` right after authentication (hence its
 * dependency), through {@link countCredentialRequest}. The credential is the authenticated
 * entity, whether it came with Basic or with an OAuth token.
 */
export const credentialRateLimitPlugin = fp(
  async (app) => {
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const caller = request.caller;
      if (!caller) return;
      await countCredentialRequest(app.rateLimiter, request, reply, caller);
    });
  },
  {
    name: 'leadline-credential-rate-limit',
    fastify: '5.x',
    dependencies: ['leadline-rate-limiter', 'leadline-authentication'],
  },
);
