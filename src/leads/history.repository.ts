import type { Insertable } from 'kysely';
import type { Db } from '../db/database.js';
import { preparedQuery } from '../db/prepared-query.js';
import type { FollowUpTable, LeadStatus, StatusLogTable } from '../db/schema.js';

/** Follow-up and status-log rows: appended, never edited, read oldest first. */

export type FollowUpRow = {
  id: number;
  lead_id: number;
  user_id: number;
  notes: string | null;
  created_by: number;
  created_on: number;
  followed_up_by: number;
  followed_up_on: number;
  scheduled_follow_up: number | null;
};

export type StatusLogRow = {
  id: number;
  lead_id: number;
  user_id: number;
  status: LeadStatus;
  sub_status: string | null;
  created_by: number;
  created_on: number;
  reason_id: number;
  reason: string;
};

export async function insertFollowUps(
  db: Db,
  rows: Array<Insertable<FollowUpTable>>,
): Promise<void> {
  if (rows.length > 0) await db.insertInto('follow_ups').values(rows).execute();
}

export async function insertStatusLogs(
  db: Db,
  rows: Array<Insertable<StatusLogTable>>,
): Promise<void> {
  if (rows.length > 0) await db.insertInto('status_logs').values(rows).execute();
}

/** Follow-ups of the org's leads `leadIds`, in the order they were recorded. */
export function listFollowUps(db: Db, orgId: number, leadIds: number[]): Promise<FollowUpRow[]> {
  if (leadIds.length === 0) return Promise.resolve([]);
  return selectFollowUps(db, { orgId, leadIds });
}

const selectFollowUps = preparedQuery((db, p: { orgId: number; leadIds: number[] }) =>
  db
    .selectFrom('follow_ups')
    .select([
      'id',
      'lead_id',
      'user_id',
      'notes',
      'created_by',
      'created_on',
      'followed_up_by',
      'followed_up_on',
      'scheduled_follow_up',
    ])
    .where('org_id', '=', p.orgId)
    .where('lead_id', 'in', p.leadIds)
    .orderBy('lead_id')
    .orderBy('id'),
);

/** Status-log rows of the org's leads `leadIds` with their reason text, oldest first. */
export function listStatusLogs(db: Db, orgId: number, leadIds: number[]): Promise<StatusLogRow[]> {
  if (leadIds.length === 0) return Promise.resolve([]);
  return selectStatusLogs(db, { orgId, leadIds });
}

const selectStatusLogs = preparedQuery((db, p: { orgId: number; leadIds: number[] }) =>
  db
    .selectFrom('status_logs')
    .innerJoin('reasons', 'reasons.id', 'status_logs.reason_id')
    .select([
      'status_logs.id',
      'status_logs.lead_id',
      'status_logs.user_id',
      'status_logs.status',
      'status_logs.sub_status',
      'status_logs.created_by',
      'status_logs.created_on',
      'status_logs.reason_id',
      'reasons.reason',
    ])
    .where('status_logs.org_id', '=', p.orgId)
    .where('status_logs.lead_id', 'in', p.leadIds)
    .orderBy('status_logs.lead_id')
    .orderBy('status_logs.id'),
);

/** When the newest status-log row of the org's lead `leadId` is dated; undefined without one. */
export async function latestStatusLogOn(
  db: Db,
  orgId: number,
  leadId: number,
): Promise<number | undefined> {
  const [row] = await selectLatestStatusLogOn(db, { orgId, leadId });
  return row?.created_on;
}

const selectLatestStatusLogOn = preparedQuery((db, p: { orgId: number; leadId: number }) =>
  db
    .selectFrom('status_logs')
    .select('created_on')
    .where('org_id', '=', p.orgId)
    .where('lead_id', '=', p.leadId)
    .orderBy('id', 'desc')
    .limit(1),
);
