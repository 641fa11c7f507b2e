import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { TOKEN_HEADER } from '../auth/authenticate.js';
import { AppError } from '../http/errors.js';
import { openCounterStore, type CounterStore } from './counter-store.js';
import { effectivePerMinute } from './rate-limit.config.js';

/** The per-credential window: `RATE_LIMIT_PER_MINUTE` or the org's `rateLimitPerMinute`. */
export const CREDENTIAL_WINDOW_MS = 60_000;
/** The failed-log-in window. */
export const LOGIN_WINDOW_MS = 5 * 60_000;
/** At most one "failing open" warning per this many milliseconds. */
const WARN_EVERY_MS = 10_000;

/**
 * A fixed window of the app's clock: counters are keyed by the window's index, so a new window
 * starts from zero without anything being reset, and tests move through windows with a
 * TestClock on either store.
 */
function windowAt(now: number, length: number): { index: number; endsAt: number } {
  const index = Math.floor(now / length);
  return { index, endsAt: (index + 1) * length };
}

function secondsUntil(instant: number, now: number): number {
  return Math.max(1, Math.ceil((instant - now) / 1000));
}

type Limiter = {
  ctx: AppContext;
  store: CounterStore;
  lastWarning: number;
};

/** One limiter per Fastify instance, shared by its encapsulated contexts. */
const limiters = new WeakMap<object, Limiter>();

/** The app's limiter, opened on first use and closed when the app closes. */
function limiterOf(app: FastifyInstance): Limiter {
  let limiter = limiters.get(app.server);
  if (limiter) return limiter;
  const store = openCounterStore(app.ctx.config.rateLimit, app.log);
  const opened: Limiter = { ctx: app.ctx, store, lastWarning: 0 };
  limiters.set(app.server, opened);
  app.addHook('onReady', async () => store.ready());
  app.addHook('onClose', async () => {
    limiters.delete(app.server);
    await store.close();
  });
  limiter = opened;
  return limiter;
}

/**
 * Runs a store operation; when the store fails (Redis down or slow) the request is let through
 * and a warning logged, at most once per {@link WARN_EVERY_MS}. Availability of the API matters
 * more than a limit that only protects it.
 */
async function failOpen<T>(
  limiter: Limiter,
  request: FastifyRequest,
  operation: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await operation();
  } catch (error) {
    const now = Date.now();
    if (now - limiter.lastWarning >= WARN_EVERY_MS) {
      limiter.lastWarning = now;
      request.log.warn({ err: error }, 'rate limits: counter store failed; request let through');
    }
    return undefined;
  }
}

function tooManyRequests(message: string, retryAfterSeconds: number): AppError {
  return AppError.of('TOO_MANY_REQUESTS', message, { 'retry-after': String(retryAfterSeconds) });
}

/**
 * The per-credential limit, run in `onRequest` right after authentication: every authenticated
 * response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds), and
 * a request over the limit answers 429 TOO_MANY_REQUESTS with `Retry-After`. The credential is
 * the authenticated entity, whether it came with Basic or with an OAuth token.
 *
 * @example installCredentialRateLimit(api); // after the authentication hook
 */
export function installCredentialRateLimit(app: FastifyInstance): void {
  const limiter = limiterOf(app);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = request.caller;
    if (!caller) return;
    const limit = effectivePerMinute(caller.org.rateLimitPerMinute, limiter.ctx.config.rateLimit);
    if (limit === 0) return;
    const now = limiter.ctx.clock.now();
    const window = windowAt(now, CREDENTIAL_WINDOW_MS);
    const count = await failOpen(limiter, request, () =>
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
  });
}

/** Who a log-in attempt names: a username (Basic) or an OAuth client key, and the client IP. */
type Attempt = { name: string | undefined; ip: string };

const attempts = new WeakMap<FastifyRequest, Attempt>();

/** The username of a Basic header, or undefined; the rest is `authenticate`'s business. */
function basicUsername(header: string): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon > 200) return undefined;
  return decoded.slice(0, colon);
}

/**
 * The attempt a request makes: Basic credentials on API routes; the body's `key` on the open
 * routes (`POST /v3/oauth/token/generate`). OAuth access tokens are 256 random bits, which no
 * one guesses, so a request presenting one is not a log-in attempt (and is never blocked by a
 * neighbour's failures behind the same IP).
 */
function attemptOf(request: FastifyRequest, source: 'basic' | 'body-key'): Attempt | undefined {
  if (source === 'basic') {
    const token = request.headers[TOKEN_HEADER];
    if (typeof token === 'string' && token !== '') return undefined;
    const header = request.headers.authorization;
    if (typeof header !== 'string' || header === '') return undefined;
    return { name: basicUsername(header), ip: request.ip };
  }
  const body = request.body as { key?: unknown } | undefined;
  const key = typeof body?.key === 'string' && body.key !== '' ? body.key : undefined;
  return { name: key, ip: request.ip };
}

function failureKeys(
  attempt: Attempt,
  windowIndex: number,
): Array<[key: string, limit: 'name' | 'ip']> {
  const keys: Array<[string, 'name' | 'ip']> = [[`fail:ip:${attempt.ip}:${windowIndex}`, 'ip']];
  if (attempt.name !== undefined) keys.push([`fail:name:${attempt.name}:${windowIndex}`, 'name']);
  return keys;
}

/**
 * The failed-log-in limits: `LOGIN_FAILURES_PER_5_MINUTES` per presented username (or OAuth
 * client key) and `LOGIN_FAILURES_PER_IP_PER_5_MINUTES` per client IP. Once either is reached,
 * attempts answer 429 before any secret is verified, even with the right password, until the
 * window ends: guessing costs the attacker the window and the server nothing. A success resets
 * nothing, so it cannot wipe someone else's failures.
 *
 * `basic` (API routes) checks in `onRequest`, before authentication; `body-key` (the token
 * route, whose key is in the body) checks in `preValidation`. Failures are counted when the
 * request ends in 401.
 *
 * @example installLoginRateLimit(api, 'basic'); // before the authentication hook
 */
export function installLoginRateLimit(app: FastifyInstance, source: 'basic' | 'body-key'): void {
  const limiter = limiterOf(app);
  const { loginFailuresPerUsername, loginFailuresPerIp } = limiter.ctx.config.rateLimit;
  const limits = { name: loginFailuresPerUsername, ip: loginFailuresPerIp };

  const check = async (request: FastifyRequest) => {
    const attempt = attemptOf(request, source);
    if (!attempt) return;
    attempts.set(request, attempt);
    const now = limiter.ctx.clock.now();
    const window = windowAt(now, LOGIN_WINDOW_MS);
    for (const [key, kind] of failureKeys(attempt, window.index)) {
      if (limits[kind] === 0) continue;
      const failures = await failOpen(limiter, request, () => limiter.store.read(key, now));
      if (failures !== undefined && failures >= limits[kind]) {
        const who =
          kind === 'ip'
            ? 'from this address'
            : source === 'basic'
              ? 'for this username'
              : 'for this client key';
        const retry = secondsUntil(window.endsAt, now);
        throw tooManyRequests(`too many failed log-ins ${who}; retry in ${retry} s`, retry);
      }
    }
  };
  app.addHook(source === 'basic' ? 'onRequest' : 'preValidation', check);

  app.addHook('onError', async (request, _reply, error) => {
    const attempt = attempts.get(request);
    if (!attempt || !(error instanceof AppError) || error.statusCode !== 401) return;
    const now = limiter.ctx.clock.now();
    const window = windowAt(now, LOGIN_WINDOW_MS);
    await failOpen(limiter, request, () =>
      Promise.all(
        failureKeys(attempt, window.index)
          .filter(([, kind]) => limits[kind] !== 0)
          .map(([key]) => limiter.store.increment(key, window.endsAt, now)),
      ),
    );
  });
}
