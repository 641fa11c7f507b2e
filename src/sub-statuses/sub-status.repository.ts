import type { Db } from '../db/database.js';
import type { LeadStatus, Row } from '../db/schema.js';

export type SubStatusRow = Pick<Row<'sub_statuses'>, 'status' | 'sub_status'>;

export function listSubStatuses(db: Db, orgId: number): Promise<SubStatusRow[]> {
  return db
    .selectFrom('sub_statuses')
    .select(['status', 'sub_status'])
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
}

export async function subStatusExists(
  db: Db,
  orgId: number,
  status: LeadStatus,
  subStatus: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('sub_statuses')
    .select('id')
    .where('org_id', '=', orgId)
    .where('status', '=', status)
    .where('sub_status', '=', subStatus)
    .executeTakeFirst();
  return row !== undefined;
}

/** Inserts the pair; false when it existed already. */
export async function insertSubStatus(
  db: Db,
  orgId: number,
  status: LeadStatus,
  subStatus: string,
  now: number,
): Promise<boolean> {
  const row = await db
    .insertInto('sub_statuses')
    .values({ org_id: orgId, status, sub_status: subStatus, created_on: now })
    .onConflict((oc) => oc.columns(['org_id', 'status', 'sub_status']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
