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

export type AdminReasonRow = Pick<Row<'reasons'>, 'id' | 'reason' | 'not_available'>;

/** The org's reasons with their flags, oldest first. */
export function listAdminReasons(db: Db, orgId: number): Promise<AdminReasonRow[]> {
  return db
    .selectFrom('reasons')
    .select(['id', 'reason', 'not_available'])
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
}

/** One of the org's reasons, with its flags. */
export function findReasonById(
  db: Db,
  orgId: number,
  id: number,
): Promise<AdminReasonRow | undefined> {
  return db
    .selectFrom('reasons')
    .select(['id', 'reason', 'not_available'])
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Sets the reason's "not available" flag; answers the reason after, or undefined if none. */
export function updateReasonNotAvailable(
  db: Db,
  orgId: number,
  id: number,
  notAvailable: boolean,
): Promise<AdminReasonRow | undefined> {
  return db
    .updateTable('reasons')
    .set({ not_available: notAvailable ? 1 : 0 })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returning(['id', 'reason', 'not_available'])
    .executeTakeFirst();
}
