import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { splitBasic, TOKEN_HEADER } from '../auth/index.js';
import { AppError } from '../core/errors.js';
import type { VerificationGuard } from '../core/verification-guard.js';
import { secondsUntil, tooManyRequests, windowAt } from './rate-limiter.js';

/** The failed-log-in window. */
export const LOGIN_WINDOW_MS = 5 * 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    /** The log-in attempt the request makes, once the failed-log-in limit has seen it. */
    loginAttempt: (LoginAttempt & { guarded: boolean }) | undefined;
  }
}

/** Who a log-in attempt names: a username (Basic) or an OAuth client key, and the client IP. */
export type LoginAttempt = { name: string | undefined; ip: string; source: LoginSource };

/**
 * Where a log-in attempt's name is: a Basic header (API routes), the body's `key` (the OAuth
 * token route), or the body's `username` (the web app's sign-in form).
 */
export type LoginSource = 'basic' | 'body-key' | 'form';

/** How many secrets one username (or client key), and one address, may be verifying at once. */
export const VERIFICATIONS_AT_ONCE_PER_NAME = 2;
export const VERIFICATIONS_AT_ONCE_PER_ADDRESS = 16;
/** How long an address that logged in as a username stays exempt from that username's limit. */
const KNOWN_ADDRESS_MS = 30 * 24 * 3600_000;

/**
 * The attempt a request makes: Basic credentials on API routes; the body's `key` on the open
 * routes (`POST /v3/oauth/token/generate`); the body's `username` on the web app's sign-in form
 * (`POST /app/login`, the only route of its context). OAuth access tokens are 256 random bits, which no
 * one guesses, so a request presenting one is not a log-in attempt (and is never blocked by a
 * neighbour's failures behind the same IP).
 */
function attemptOf(request: FastifyRequest, source: LoginSource): LoginAttempt | undefined {
  if (source === 'basic') {
    const token = request.headers[TOKEN_HEADER];
    if (typeof token === 'string' && token !== '') return undefined;
    const header = request.headers.authorization;
    if (typeof header !== 'string' || header === '') return undefined;
    return { name: splitBasic(header)?.username, ip: request.ip, source };
  }
  const body = request.body as { key?: unknown; username?: unknown } | undefined;
  const field = source === 'form' ? body?.username : body?.key;
  const name = typeof field === 'string' && field !== '' ? field : undefined;
  return { name, ip: request.ip, source };
}

type LimitKind = 'pair' | 'ip' | 'name';

/**
 * The failure counters an attempt counts against in window `index`: its (name, address) pair,
 * its address, and its name from every address.
 */
function failureKeys(attempt: LoginAttempt, index: number): Array<[key: string, kind: LimitKind]> {
  const keys: Array<[string, LimitKind]> = [[`fail:ip:${attempt.ip}:${index}`, 'ip']];
  if (attempt.name !== undefined) {
    keys.push([`fail:pair:${attempt.name}:${attempt.ip}:${index}`, 'pair']);
    keys.push([`fail:name:${attempt.name}:${index}`, 'name']);
  }
  return keys;
}

const knownKey = (attempt: LoginAttempt) => `known:${attempt.name ?? ''}:${attempt.ip}`;

function whoOf(kind: LimitKind, source: LoginAttempt['source']): string {
  const name = source === 'body-key' ? 'client key' : 'username';
  if (kind === 'ip') return 'from this address';
  if (kind === 'pair') return `for this ${name} from this address`;
  return `for this ${name} from new addresses`;
}

/**
 * The failed-log-in limits, per 5-minute window: `LOGIN_FAILURES_PER_5_MINUTES` per presented
 * username (or OAuth client key) from one client address; `LOGIN_FAILURES_PER_IP_PER_5_MINUTES`
 * per address; `LOGIN_FAILURES_PER_USERNAME_PER_5_MINUTES` per username from all addresses
 * together, which blocks only addresses that have not logged in as it within 30 days. So a
 * stranger who knows a till's username can lock out only themselves, never the till.
 *
 * Each verification of a secret first reserves its attempt as a failure (the guard handed to
 * `authenticate` and `generateToken`): a reservation over a limit answers 429 without verifying,
 * so concurrent guesses cannot outrun the count; a success gives the reservation back. Each
 * username may have {@link VERIFICATIONS_AT_ONCE_PER_NAME} and each address
 * {@link VERIFICATIONS_AT_ONCE_PER_ADDRESS} verifications running at once; more answer 429 at
 * once, so a burst of guesses costs the server a bounded amount of CPU and a legitimate log-in
 * is not queued behind it.
 *
 * `basic` (API routes) checks in `onRequest`, before authentication; `body-key` (the token
 * route, whose key is in the body) and `form` (the web sign-in) in `preValidation`. A 401 that verified nothing (a malformed
 * header) counts against the address when it ends.
 *
 * @example await api.register(loginRateLimitPlugin, { source: 'basic' }); // before authentication
 */
export const loginRateLimitPlugin = fp<{ source: LoginSource }>(
  async (app, { source }) => {
    app.decorateRequest('loginAttempt', undefined);
    const limiter = app.rateLimiter;
    const config = limiter.ctx.config.rateLimit;
    const limits: Record<LimitKind, number> = {
      pair: config.loginFailuresPerUsername,
      ip: config.loginFailuresPerIp,
      name: config.loginFailuresPerUsernameAllAddresses,
    };

    /** The first limit the counts exceed (`over`: > rather than >=), for an attempt. */
    const exceeded = async (
      request: FastifyRequest,
      attempt: LoginAttempt,
      count: (key: string) => Promise<number>,
      over: boolean,
    ): Promise<LimitKind | undefined> => {
      const now = limiter.ctx.clock.now();
      const window = windowAt(now, LOGIN_WINDOW_MS);
      let known: boolean | undefined;
      for (const [key, kind] of failureKeys(attempt, window.index)) {
        if (limits[kind] === 0) continue;
        if (kind === 'name') {
          known ??=
            ((await limiter.failOpen(request, () => limiter.store.read(knownKey(attempt), now))) ??
              0) > 0;
          if (known) continue;
        }
        const failures = await limiter.failOpen(request, () => count(key));
        if (failures !== undefined && (over ? failures > limits[kind] : failures >= limits[kind])) {
          return kind;
        }
      }
      return undefined;
    };

    const refuse = (kind: LimitKind, attempt: LoginAttempt): AppError => {
      const now = limiter.ctx.clock.now();
      const retry = secondsUntil(windowAt(now, LOGIN_WINDOW_MS).endsAt, now);
      return tooManyRequests(
        `too many failed log-ins ${whoOf(kind, attempt.source)}; retry in ${retry} s`,
        retry,
      );
    };

    const check = async (request: FastifyRequest) => {
      const attempt = attemptOf(request, source);
      if (!attempt) return;
      request.loginAttempt = { ...attempt, guarded: false };
      const now = limiter.ctx.clock.now();
      // Refused before anything is read or verified, even with the right password.
      const kind = await exceeded(request, attempt, (key) => limiter.store.read(key, now), false);
      if (kind) throw refuse(kind, attempt);
      request.verificationGuard = guardFor(request, attempt);
    };

    const guardFor = (request: FastifyRequest, attempt: LoginAttempt): VerificationGuard => ({
      async begin() {
        const tracked = request.loginAttempt;
        if (tracked) tracked.guarded = true;
        const gateKeys = [
          [`name:${attempt.name ?? ''}`, VERIFICATIONS_AT_ONCE_PER_NAME],
          [`ip:${attempt.ip}`, VERIFICATIONS_AT_ONCE_PER_ADDRESS],
        ] as const;
        for (const [key, cap] of gateKeys) {
          if ((limiter.inFlight.get(key) ?? 0) >= cap) {
            throw tooManyRequests(
              key.startsWith('ip:')
                ? 'too many log-ins from this address at once; retry in 1 s'
                : 'too many log-ins for this name at once; retry in 1 s',
              1,
            );
          }
        }
        for (const [key] of gateKeys)
          limiter.inFlight.set(key, (limiter.inFlight.get(key) ?? 0) + 1);
        const leaveGate = () => {
          for (const [key] of gateKeys) {
            const left = (limiter.inFlight.get(key) ?? 1) - 1;
            if (left <= 0) limiter.inFlight.delete(key);
            else limiter.inFlight.set(key, left);
          }
        };
        const now = limiter.ctx.clock.now();
        const window = windowAt(now, LOGIN_WINDOW_MS);
        const keys = failureKeys(attempt, window.index).filter(([, kind]) => limits[kind] !== 0);
        const undo = () =>
          limiter.failOpen(request, () =>
            Promise.all(keys.map(([key]) => limiter.store.decrement(key, limiter.ctx.clock.now()))),
          );
        // Reserve: count the attempt as a failure first, then see whether that was one too many.
        const counts = new Map<string, number>();
        await limiter.failOpen(request, async () => {
          for (const [key] of keys)
            counts.set(key, await limiter.store.increment(key, window.endsAt, now));
        });
        const kind = await exceeded(request, attempt, async (key) => counts.get(key) ?? 0, true);
        if (kind) {
          leaveGate();
          await undo();
          throw refuse(kind, attempt);
        }
        return async (succeeded) => {
          leaveGate();
          if (!succeeded) return;
          await undo();
          const later = limiter.ctx.clock.now();
          await limiter.failOpen(request, () =>
            limiter.store.increment(knownKey(attempt), later + KNOWN_ADDRESS_MS, later),
          );
        };
      },
    });

    app.addHook(source === 'basic' ? 'onRequest' : 'preValidation', check);

    app.addHook('onError', async (request, _reply, error) => {
      const attempt = request.loginAttempt;
      if (!attempt || attempt.guarded) return;
      if (!(error instanceof AppError) || error.statusCode !== 401) return;
      const now = limiter.ctx.clock.now();
      const window = windowAt(now, LOGIN_WINDOW_MS);
      await limiter.failOpen(request, () =>
        Promise.all(
          failureKeys(attempt, window.index)
            .filter(([, kind]) => limits[kind] !== 0)
            .map(([key]) => limiter.store.increment(key, window.endsAt, now)),
        ),
      );
    });
  },
  {
    name: 'leadline-login-rate-limit',
    fastify: '5.x',
    dependencies: ['leadline-rate-limiter'],
  },
);
