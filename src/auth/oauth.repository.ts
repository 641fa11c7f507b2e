import type { Db } from '../db/database.js';
import { callerColumns } from '../entities/index.js';

export async function insertOauthClient(
  db: Db,
  values: { orgId: number; entityId: number; key: string; secretHash: string; now: number },
): Promise<number> {
  const row = await db
    .insertInto('oauth_clients')
    .values({
      org_id: values.orgId,
      entity_id: values.entityId,
      client_key: values.key,
      secret_hash: values.secretHash,
      revoked: 0,
      created_on: values.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function findOauthClientByKey(db: Db, key: string) {
  return db
    .selectFrom('oauth_clients')
    .innerJoin('entities', (join) =>
      join
        .onRef('entities.org_id', '=', 'oauth_clients.org_id')
        .onRef('entities.id', '=', 'oauth_clients.entity_id'),
    )
    .select([
      'oauth_clients.id',
      'oauth_clients.org_id',
      'oauth_clients.entity_id',
      'oauth_clients.secret_hash',
      'oauth_clients.revoked',
      'entities.disabled',
    ])
    .where('oauth_clients.client_key', '=', key)
    .executeTakeFirst();
}

export async function insertToken(
  db: Db,
  values: {
    tokenHash: string;
    orgId: number;
    clientId: number;
    entityId: number;
    expiresOn: number;
  },
): Promise<void> {
  await db
    .insertInto('oauth_tokens')
    .values({
      token_hash: values.tokenHash,
      org_id: values.orgId,
      client_id: values.clientId,
      entity_id: values.entityId,
      expires_on: values.expiresOn,
    })
    .execute();
}

/** The org's own expired tokens only: issuing a token never does another tenant's housekeeping. */
export async function deleteExpiredTokens(db: Db, orgId: number, now: number): Promise<void> {
  await db
    .deleteFrom('oauth_tokens')
    .where('org_id', '=', orgId)
    .where('expires_on', '<=', now)
    .execute();
}

/** The live token's entity: unexpired, its client not revoked, its entity not disabled. */
export function findTokenCaller(db: Db, tokenHash: string, now: number) {
  return db
    .selectFrom('oauth_tokens')
    .innerJoin('oauth_clients', (join) =>
      join
        .onRef('oauth_clients.org_id', '=', 'oauth_tokens.org_id')
        .onRef('oauth_clients.id', '=', 'oauth_tokens.client_id'),
    )
    .innerJoin('entities', (join) =>
      join
        .onRef('entities.org_id', '=', 'oauth_tokens.org_id')
        .onRef('entities.id', '=', 'oauth_tokens.entity_id'),
    )
    .innerJoin('orgs', 'orgs.id', 'entities.org_id')
    .select(callerColumns)
    .where('oauth_tokens.token_hash', '=', tokenHash)
    .where('oauth_tokens.expires_on', '>', now)
    .where('oauth_clients.revoked', '=', 0)
    .where('entities.disabled', '=', 0)
    .executeTakeFirst();
}

/** The org's client with this key (another org's key is not found). */
export function findOrgOauthClient(db: Db, orgId: number, key: string) {
  return db
    .selectFrom('oauth_clients')
    .innerJoin('entities', (join) =>
      join
        .onRef('entities.org_id', '=', 'oauth_clients.org_id')
        .onRef('entities.id', '=', 'oauth_clients.entity_id'),
    )
    .select(['oauth_clients.id', 'oauth_clients.revoked', 'entities.code as entity_code'])
    .where('oauth_clients.org_id', '=', orgId)
    .where('oauth_clients.client_key', '=', key)
    .executeTakeFirst();
}

/** The org's clients, oldest first, each with the code of the entity it acts as. */
export function findOrgOauthClients(db: Db, orgId: number) {
  return db
    .selectFrom('oauth_clients')
    .innerJoin('entities', (join) =>
      join
        .onRef('entities.org_id', '=', 'oauth_clients.org_id')
        .onRef('entities.id', '=', 'oauth_clients.entity_id'),
    )
    .select([
      'oauth_clients.client_key',
      'oauth_clients.revoked',
      'oauth_clients.created_on',
      'entities.code as entity_code',
    ])
    .where('oauth_clients.org_id', '=', orgId)
    .orderBy('oauth_clients.id')
    .execute();
}

export async function setOauthClientRevoked(db: Db, orgId: number, id: number): Promise<void> {
  await db
    .updateTable('oauth_clients')
    .set({ revoked: 1 })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}
