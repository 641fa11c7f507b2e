import type { AppContext } from '../context.js';
import { AppError } from '../http/errors.js';
import { requireOrg } from '../orgs/org.service.js';
import { findEntityByCode } from '../entities/entity.repository.js';
import { LOGIN_ENTITY_TYPES } from '../db/schema.js';
import { hashSecret, randomToken, sha256Hex, verifySecret } from './secrets.js';
import {
  deleteExpiredTokens,
  findOauthClientByKey,
  insertOauthClient,
  insertToken,
} from './oauth.repository.js';

/**
 * Creates an OAuth client acting as an org's log-in entity. The secret is shown once and stored
 * only as Argon2id.
 *
 * @example const { key, secret } = await createOauthClient(ctx, { org: 'Acme', entity: 'crm-sync' });
 */
export async function createOauthClient(
  ctx: AppContext,
  input: { org: string; entity: string },
): Promise<{ key: string; secret: string }> {
  const org = await requireOrg(ctx, input.org);
  const entity = await findEntityByCode(ctx.store.db, org.id, input.entity);
  if (!entity)
    throw AppError.of('ENTITY_NOT_FOUND', `--entity: no entity ${input.entity} in ${org.name}`);
  if (!(LOGIN_ENTITY_TYPES as readonly string[]).includes(entity.type)) {
    throw AppError.of('INVALID_ARGUMENT', `--entity: a ${entity.type} cannot log in`);
  }
  const key = `ll_${randomToken(12)}`;
  const secret = randomToken(32);
  await insertOauthClient(ctx.store.db, {
    orgId: org.id,
    entityId: entity.id,
    key,
    secretHash: await hashSecret(secret),
    now: ctx.clock.now(),
  });
  return { key, secret };
}

/**
 * Exchanges a client key and secret for a short-lived access token. The token is random and
 * stored only as its SHA-256, so a request carrying it costs one indexed read.
 */
export async function generateToken(
  ctx: AppContext,
  key: string,
  secret: string,
): Promise<{ accessToken: string; ttlSeconds: number }> {
  const client = await findOauthClientByKey(ctx.store.db, key);
  const valid =
    client !== undefined &&
    client.revoked === 0 &&
    client.disabled === 0 &&
    (await verifySecret(client.secret_hash, secret));
  if (!valid || !client) throw AppError.of('UNAUTHORIZED', 'invalid client key or secret');
  const now = ctx.clock.now();
  const ttlSeconds = ctx.config.tokenTtlSeconds;
  const accessToken = randomToken(32);
  await ctx.store.transaction(async (trx) => {
    await deleteExpiredTokens(trx, now);
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
