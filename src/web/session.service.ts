import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import type { Language } from './i18n.js';
import { authenticatePassword } from '../auth/index.js';
import { hashSecret, randomToken, sha256Hex } from '../core/secrets.js';
import type { VerificationGuard } from '../core/verification-guard.js';
import {
  deleteExpiredSessions,
  deleteSession,
  findSessionWithEntity,
  insertSession,
  touchSession,
} from './session.repository.js';

/**
 * Web sessions (docs/web.md): a random token in an `HttpOnly` cookie, its SHA-256 in the store.
 * Every request reads the session with its entity, so signing out, disabling the entity or
 * changing its password ends the session at once in every server process.
 */

/** Who a page is for, and the token its forms send back. */
export type WebSession = {
  /** The entity the pages act as: the same caller the API would see for its credentials. */
  caller: Caller;
  orgName: string;
  /** The org's time zone (IANA), in which pages show and read instants. */
  timeZone: string;
  csrfToken: string;
  /** The language pages are in: the browser's choice, set for each request (web.routes.ts). */
  language: Language;
};

/** `last_seen_on` is written at most this often per session, not on every page. */
const TOUCH_EVERY_MS = 60_000;
/** The entity's own expired sessions deleted per sign-in. */
const PURGE_BATCH = 100;

/** A stamp of a password hash: a session lasts only while its entity's hash is the same. */
const stampOf = (passwordHash: string) => sha256Hex(passwordHash);

// Hashed once per process, when the first unknown username arrives (as the API does).
let decoy: Promise<string> | undefined;
const decoyHash = () => (decoy ??= hashSecret('decoy'));

/**
 * Signs `username` in with its plain password: a new session and its cookie token. Throws the
 * API's one UNAUTHORIZED (401) for any wrong, unknown or disabled login, and 429 through `guard`
 * (the failed-log-in limits).
 */
export async function signIn(
  ctx: AppContext,
  username: string,
  password: string,
  guard: VerificationGuard | undefined,
): Promise<{ token: string; session: WebSession }> {
  // Never verified unguarded: the failed-log-in limits must see every try.
  if (!guard) throw new Error('a sign-in without the failed-log-in guard');
  const { caller, passwordHash } = await authenticatePassword(
    ctx,
    username,
    password,
    decoyHash,
    guard,
  );
  const now = ctx.clock.now();
  const token = randomToken();
  const csrfToken = randomToken();
  await ctx.store.transaction(async (trx) => {
    await deleteExpiredSessions(trx, caller.entityId, now, PURGE_BATCH);
    await insertSession(trx, {
      token_hash: sha256Hex(token),
      org_id: caller.orgId,
      entity_id: caller.entityId,
      credential_stamp: stampOf(passwordHash),
      csrf_token: csrfToken,
      created_on: now,
      last_seen_on: now,
      expires_on: now + ctx.config.webSessionMaxMs,
    });
  });
  const session = await sessionOf(ctx, token);
  if (!session) throw new Error('a session just made was not found');
  return { token, session };
}

/**
 * The session of a cookie's token, or undefined when there is none or it is over: unused for
 * longer than the idle limit, past its end, its entity disabled or its password changed since
 * it began. A session found over is deleted.
 */
export async function sessionOf(
  ctx: AppContext,
  token: string | undefined,
): Promise<WebSession | undefined> {
  if (token === undefined || token === '' || token.length > 100) return undefined;
  const tokenHash = sha256Hex(token);
  const row = await findSessionWithEntity(ctx.store.db, tokenHash);
  if (!row) return undefined;
  const now = ctx.clock.now();
  const over =
    Number(row.expires_on) <= now ||
    Number(row.last_seen_on) + ctx.config.webSessionIdleMs <= now ||
    row.disabled !== 0 ||
    row.password_hash === null ||
    stampOf(row.password_hash) !== row.credential_stamp ||
    Number(row.entity_org_id) !== Number(row.org_id);
  if (over) {
    await ctx.store.transaction((trx) => deleteSession(trx, tokenHash));
    return undefined;
  }
  if (now - Number(row.last_seen_on) >= TOUCH_EVERY_MS) {
    await ctx.store.transaction((trx) => touchSession(trx, tokenHash, now));
  }
  return {
    caller: {
      orgId: Number(row.org_id),
      entityId: Number(row.entity_id),
      entityType: row.type,
      code: row.code,
      org: {
        rateLimitPerMinute: row.rate_limit_per_minute,
        requireIfMatch: row.require_if_match === 1,
      },
    },
    orgName: row.org_name,
    timeZone: row.time_zone ?? 'UTC',
    csrfToken: row.csrf_token,
    language: 'en',
  };
}

/** Ends the session of `token` (nothing when there is none). */
export async function signOut(ctx: AppContext, token: string | undefined): Promise<void> {
  if (token === undefined || token === '' || token.length > 100) return;
  const tokenHash = sha256Hex(token);
  await ctx.store.transaction((trx) => deleteSession(trx, tokenHash));
}
