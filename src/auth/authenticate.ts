import type { IncomingHttpHeaders } from 'node:http';
import type { EntityType } from '../db/schema.js';
import type { AppContext } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { findLoginForAuthentication } from '../entities/index.js';
import type { Caller } from '../core/caller.js';
import { md5Hex, sha256Hex, verifySecret } from '../core/secrets.js';
import { findTokenCaller } from './oauth.repository.js';
import { guardedVerify, UNGUARDED, type VerificationGuard } from '../core/verification-guard.js';

export const TOKEN_HEADER = 'x-cap-api-oauth-token';

/** The one 401 of every authentication failure, Basic, token or OAuth client alike. */
export function unauthorized(): AppError {
  // One answer for every failure, so a caller cannot tell a wrong password from a missing user.
  return AppError.of('UNAUTHORIZED', 'missing or invalid credentials', {
    'www-authenticate': 'Basic realm="leadline"',
  });
}

/**
 * The username and password of a Basic `Authorization` header, or undefined when it is not one
 * a client could have meant (no colon, an empty or over-long username, control characters). The
 * log-in limits use it to count failures per username; authentication adds the MD5 rule.
 *
 * @example splitBasic('Basic dGlsbDE6YWJj') // { username: 'till1', password: 'abc' }
 */
export function splitBasic(header: string): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const username = decoded.slice(0, colon);
  // Control characters are never part of a username (and PostgreSQL refuses NUL in text).
  if (username.length > 200 || /\p{Cc}/u.test(username)) return undefined;
  return { username, password: decoded.slice(colon + 1) };
}

function parseBasic(header: string): { username: string; secret: string } | undefined {
  const split = splitBasic(header);
  // Clients send the MD5 hex of the password; hex is case-insensitive.
  const secret = split?.password.toLowerCase();
  if (!split || secret === undefined || !/^[0-9a-f]{32}$/.test(secret)) return undefined;
  return { username: split.username, secret };
}

/**
 * Finds the calling entity from `X-CAP-API-OAUTH-TOKEN` or Basic credentials.
 * Throws UNAUTHORIZED (401) for every kind of failure. `decoyHash` is a hash to verify against
 * when the username is unknown, so that both cases take as long.
 */
export async function authenticate(
  ctx: AppContext,
  headers: IncomingHttpHeaders,
  decoyHash: () => Promise<string>,
  guard: VerificationGuard = UNGUARDED,
): Promise<Caller> {
  const now = ctx.clock.now();
  const token = headers[TOKEN_HEADER];
  if (typeof token === 'string' && token !== '') {
    if (token.length > 200) throw unauthorized();
    const row = await findTokenCaller(ctx.store.db, sha256Hex(token), now);
    if (!row) throw unauthorized();
    return callerOf(row);
  }
  const header = headers.authorization;
  const basic = typeof header === 'string' ? parseBasic(header) : undefined;
  if (!basic) throw unauthorized();
  return (await verifyLogin(ctx, basic.username, basic.secret, decoyHash, guard)).caller;
}

/**
 * The caller a username and its plain password sign in as (the web app's form; the API's
 * clients send the password's MD5 hex instead, which is what the store's hash is of), with its
 * entity's stored hash. Throws UNAUTHORIZED (401) for every kind of failure, as
 * {@link authenticate} does, within the same failed-log-in guard.
 */
export async function authenticatePassword(
  ctx: AppContext,
  username: string,
  password: string,
  decoyHash: () => Promise<string>,
  guard: VerificationGuard = UNGUARDED,
): Promise<{ caller: Caller; passwordHash: string }> {
  return verifyLogin(ctx, username, md5Hex(password), decoyHash, guard);
}

/** The caller `username` is when `secret` (a password's MD5 hex) is its secret, and its hash. */
async function verifyLogin(
  ctx: AppContext,
  username: string,
  secret: string,
  decoyHash: () => Promise<string>,
  guard: VerificationGuard,
): Promise<{ caller: Caller; passwordHash: string }> {
  const now = ctx.clock.now();
  const row = await findLoginForAuthentication(ctx.store.db, username);
  if (!row || row.password_hash === null || row.disabled !== 0) {
    const decoy = await decoyHash();
    // Guarded like a real check: an unknown username is limited exactly like a known one.
    await guardedVerify(guard, username, async () => {
      await verifySecret(decoy, secret);
      return false;
    });
    throw unauthorized();
  }
  const cache = ctx.verificationCache;
  const hash = row.password_hash;
  if (!cache.has(username, secret, hash, now)) {
    const ok = await cache.shared(username, secret, hash, () =>
      guardedVerify(guard, username, () => verifySecret(hash, secret)),
    );
    if (!ok) throw unauthorized();
    cache.remember(username, secret, hash, now);
  }
  return { caller: callerOf(row), passwordHash: hash };
}

function callerOf(row: {
  id: number;
  org_id: number;
  type: EntityType;
  code: string;
  rate_limit_per_minute: number | null;
  require_if_match: number;
}): Caller {
  return {
    orgId: row.org_id,
    entityId: row.id,
    entityType: row.type,
    code: row.code,
    org: {
      rateLimitPerMinute: row.rate_limit_per_minute,
      requireIfMatch: row.require_if_match === 1,
    },
  };
}
