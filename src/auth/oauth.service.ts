import type { AppContext } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { formatDateTime } from '../core/date-time.js';
import { requireOrg } from '../orgs/index.js';
import { findEntityByCode } from '../entities/index.js';
import { LOGIN_ENTITY_TYPES } from '../db/schema.js';
import { hashSecret, randomToken, sha256Hex, verifySecret } from '../core/secrets.js';
import { unauthorized } from './authenticate.js';
import { guardedVerify, UNGUARDED, type VerificationGuard } from '../core/verification-guard.js';
import {
  deleteExpiredTokens,
  findOauthClientByKey,
  findOrgOauthClient,
  findOrgOauthClients,
  insertOauthClient,
  insertToken,
  setOauthClientRevoked,
} from './oauth.repository.js';
import { cliActor, type Actor } from '../core/actor.js';
import { recordAudit } from '../audit/index.js';

/**
 * Creates an OAuth client acting as one of the actor's org's log-in entities. The secret is
 * shown once and stored only as Argon2id. Recorded in the audit log.
 *
 * @example const { key, secret } = await addOauthClient(ctx, actor, 'crm-sync');
 */
export async function addOauthClient(
  ctx: AppContext,
  actor: Actor,
  entityCode: string,
): Promise<{ key: string; secret: string; entity: string }> {
  const entity = await findEntityByCode(ctx.store.db, actor.orgId, entityCode);
  if (!entity) {
    throw AppError.of('FIELD_UNKNOWN_REFERENCE', `entity: no entity ${entityCode} in this org`);
  }
  if (!(LOGIN_ENTITY_TYPES as readonly string[]).includes(entity.type)) {
    throw AppError.of('FIELD_INVALID_VALUE', `entity: a ${entity.type} cannot log in`);
  }
  const key = `ll_${randomToken(12)}`;
  const secret = randomToken(32);
  const secretHash = await hashSecret(secret);
  await ctx.store.transaction(async (trx) => {
    const now = ctx.clock.now();
    await insertOauthClient(trx, {
      orgId: actor.orgId,
      entityId: entity.id,
      key,
      secretHash,
      now,
    });
    await recordAudit(trx, actor, 'oauth_client.create', key, { entity: entity.code }, now);
  });
  return { key, secret, entity: entity.code };
}

/** The CLI's `oauth-client create`: {@link addOauthClient} in the org named `org`. */
export async function createOauthClient(
  ctx: AppContext,
  input: { org: string; entity: string },
): Promise<{ key: string; secret: string }> {
  const org = await requireOrg(ctx, input.org);
  const { key, secret } = await addOauthClient(ctx, cliActor(org.id), input.entity);
  return { key, secret };
}

/** An OAuth client as the web app's admin page lists it: never its secret. */
export type OauthClientView = { key: string; entity: string; createdOn: string; revoked: boolean };

/** The org's OAuth clients, oldest first. */
export async function listOauthClients(ctx: AppContext, orgId: number): Promise<OauthClientView[]> {
  return (await findOrgOauthClients(ctx.store.db, orgId)).map((row) => ({
    key: row.client_key,
    entity: row.entity_code,
    createdOn: formatDateTime(Number(row.created_on)),
    revoked: row.revoked === 1,
  }));
}

/**
 * Revokes a client of the actor's org: its key stops working and so do the tokens already
 * issued to it (token look-ups check the client). Another org's key answers like an unknown one.
 */
export async function revokeOauthClient(
  ctx: AppContext,
  actor: Actor,
  key: string,
): Promise<{ key: string; entity: string; revoked: boolean }> {
  return ctx.store.transaction(async (trx) => {
    const client = await findOrgOauthClient(trx, actor.orgId, key);
    if (!client) throw AppError.of('OAUTH_CLIENT_NOT_FOUND', `no OAuth client ${key} in this org`);
    await setOauthClientRevoked(trx, actor.orgId, client.id);
    await recordAudit(
      trx,
      actor,
      'oauth_client.revoke',
      key,
      { entity: client.entity_code },
      ctx.clock.now(),
    );
    return { key, entity: client.entity_code, revoked: true };
  });
}

/**
 * Exchanges a client key and secret for a short-lived access token. The token is random and
 * stored only as its SHA-256, so a request carrying it costs one indexed read.
 */
export async function generateToken(
  ctx: AppContext,
  key: string,
  secret: string,
  guard: VerificationGuard = UNGUARDED,
): Promise<{ accessToken: string; ttlSeconds: number }> {
  const client = await findOauthClientByKey(ctx.store.db, key);
  const valid =
    client !== undefined &&
    client.revoked === 0 &&
    client.disabled === 0 &&
    (await guardedVerify(guard, key, () => verifySecret(client.secret_hash, secret)));
  // The same 401 as every other authentication failure: nothing tells a wrong secret from an
  // unknown, revoked or disabled client.
  if (!valid || !client) throw unauthorized();
  const now = ctx.clock.now();
  const ttlSeconds = ctx.config.tokenTtlSeconds;
  const accessToken = randomToken(32);
  await ctx.store.transaction(async (trx) => {
    await deleteExpiredTokens(trx, client.org_id, now);
    await insertToken(trx, {
      tokenHash: sha256Hex(accessToken),
      orgId: client.org_id,
      clientId: client.id,
      entityId: client.entity_id,
      expiresOn: now + ttlSeconds * 1000,
    });
  });
  return { accessToken, ttlSeconds };
}
