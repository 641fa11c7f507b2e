import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { openCounterStore, type CounterStore } from './counter-store.js';

/** How long a failed counter store is skipped before it is tried again. */
const STORE_SKIP_MS = 1000;
/** At most one "failing open" warning per this many milliseconds. */
const WARN_EVERY_MS = 10_000;

/**
 * A fixed window of the app's clock: counters are keyed by the window's index, so a new window
 * starts from zero without anything being reset, and tests move through windows with a
 * TestClock on either store.
 */
export function windowAt(now: number, length: number): { index: number; endsAt: number } {
  const index = Math.floor(now / length);
  return { index, endsAt: (index + 1) * length };
}

export function secondsUntil(instant: number, now: number): number {
  return Math.max(1, Math.ceil((instant - now) / 1000));
}

export function tooManyRequests(message: string, retryAfterSeconds: number): AppError {
  return AppError.of('TOO_MANY_REQUESTS', message, { 'retry-after': String(retryAfterSeconds) });
}

/** The state every limit of one app shares: its counter store and how that store is doing. */
export class RateLimiter {
  private lastWarning = 0;
  /** Until when the counter store is skipped after it failed (one slow Redis call per second). */
  private skipUntil = 0;
  /** Secret verifications running now, by `name:…` and `ip:…`. */
  readonly inFlight = new Map<string, number>();

  constructor(
    readonly ctx: AppContext,
    readonly store: CounterStore,
  ) {}

  /**
   * Runs a store operation; when the store fails (Redis down or slow) the request is let through
   * and a warning logged, at most once per {@link WARN_EVERY_MS}. Availability of the API
   * matters more than a limit that only protects it.
   */
  async failOpen<T>(request: FastifyRequest, operation: () => Promise<T>): Promise<T | undefined> {
    // A counter store that just failed (a stalled Redis costs its full command timeout) is
    // skipped for a second: a request pays at most one timeout, not one per counter it touches.
    if (Date.now() < this.skipUntil) return undefined;
    try {
      return await operation();
    } catch (error) {
      const now = Date.now();
      this.skipUntil = now + STORE_SKIP_MS;
      if (now - this.lastWarning >= WARN_EVERY_MS) {
        this.lastWarning = now;
        request.log.warn({ err: error }, 'rate limits: counter store failed; request let through');
      }
      return undefined;
    }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's rate limiter (plugin `leadline-rate-limiter`). */
    rateLimiter: RateLimiter;
  }
}

/**
 * Opens the app's counter store (Redis when `REDIS_URL` is set, else memory) when the app is
 * ready and closes it with the app. Registered once at the root; the limits that use it
 * (`leadline-login-rate-limit`, `leadline-credential-rate-limit`) declare it as a dependency.
 */
export const rateLimiterPlugin = fp(
  async (app) => {
    const store = openCounterStore(app.ctx.config.rateLimit, app.log);
    app.decorate('rateLimiter', new RateLimiter(app.ctx, store));
    app.addHook('onReady', async () => store.ready());
    app.addHook('onClose', async () => store.close());
  },
  { name: 'leadline-rate-limiter', fastify: '5.x' },
);
