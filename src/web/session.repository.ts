import type { Db } from '../db/database.js';
import type { Row } from '../db/schema.js';

export type WebSessionRow = Row<'web_sessions'>;

export async function insertSession(db: Db, row: WebSessionRow): Promise<void> {
  await db.insertInto('web_sessions').values(row).execute();
}

/**
 * The session of `tokenHash` with what deciding whether it still holds needs: its entity's
 * state and stored hash now, and who the entity is.
 */
export function findSessionWithEntity(db: Db, tokenHash: string) {
  return db
    .selectFrom('web_sessions as s')
    .innerJoin('entities as e', (join) =>
      join.onRef('e.org_id', '=', 's.org_id').onRef('e.id', '=', 's.entity_id'),
    )
    .innerJoin('orgs as o', 'o.id', 's.org_id')
    .select([
      's.token_hash',
      's.org_id',
      's.entity_id',
      's.credential_stamp',
      's.csrf_token',
      's.created_on',
      's.last_seen_on',
      's.expires_on',
      'e.code',
      'e.type',
      'e.disabled',
      'e.password_hash',
      'e.org_id as entity_org_id',
      'o.name as org_name',
      'o.rate_limit_per_minute',
      'o.require_if_match',
      'o.time_zone',
    ])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function touchSession(db: Db, tokenHash: string, now: number): Promise<void> {
  await db
    .updateTable('web_sessions')
    .set({ last_seen_on: now })
    .where('token_hash', '=', tokenHash)
    .execute();
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('web_sessions').where('token_hash', '=', tokenHash).execute();
}

/** Deletes up to `batch` of one entity's sessions past their absolute end; answers how many. */
export async function deleteExpiredSessions(
  db: Db,
  entityId: number,
  now: number,
  batch: number,
): Promise<number> {
  const expired = await db
    .selectFrom('web_sessions')
    .select('token_hash')
    .where('entity_id', '=', entityId)
    .where('expires_on', '<=', now)
    .limit(batch)
    .execute();
  if (expired.length === 0) return 0;
  await db
    .deleteFrom('web_sessions')
    .where(
      'token_hash',
      'in',
      expired.map((row) => row.token_hash),
    )
    .execute();
  return expired.length;
}
