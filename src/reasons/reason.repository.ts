import type { Db } from '../db/database.js';
import type { Row } from '../db/schema.js';

export type ReasonRow = Pick<Row<'reasons'>, 'id' | 'reason'>;

/** Reasons every org has from its creation on. */
export const SYSTEM_REASONS = { APICALL: 'APICALL', AUTO_CLOSE: 'AUTO_CLOSE' } as const;

/** The key reasons are unique by: compared without case. */
export function reasonKey(reason: string): string {
  return reason.trim().toLowerCase();
}

export function listReasons(db: Db, orgId: number): Promise<ReasonRow[]> {
  return db
    .selectFrom('reasons')
    .select(['id', 'reason'])
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
}

export function findReasonById(db: Db, orgId: number, id: number): Promise<ReasonRow | undefined> {
  return db
    .selectFrom('reasons')
    .select(['id', 'reason'])
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findReasonByText(
  db: Db,
  orgId: number,
  reason: string,
): Promise<ReasonRow | undefined> {
  return db
    .selectFrom('reasons')
    .select(['id', 'reason'])
    .where('org_id', '=', orgId)
    .where('reason_key', '=', reasonKey(reason))
    .executeTakeFirst();
}

export async function insertReason(
  db: Db,
  orgId: number,
  reason: string,
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('reasons')
    .values({ org_id: orgId, reason, reason_key: reasonKey(reason), created_on: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The org's reasons among `ids`, keyed by id. */
export async function findReasonsByIds(
  db: Db,
  orgId: number,
  ids: readonly number[],
): Promise<Map<number, ReasonRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('reasons')
    .select(['id', 'reason'])
    .where('org_id', '=', orgId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}
