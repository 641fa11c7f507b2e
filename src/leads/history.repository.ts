import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/database.js';
import { preparedQuery } from '../db/prepared-query.js';
import type { FollowUpTable, Row, StatusLogTable } from '../db/schema.js';

/** Follow-up and status-log rows: appended, never edited, read oldest first. */

export type FollowUpRow = Omit<Row<'follow_ups'>, 'org_id' | 'lead_created_by' | 'lead_created_on'>;

/** How many rows the lead has in all, beside each of the newest rows a lead embeds. */
export type Counted<T> = T & { total: number };

/** A status-log row with its reason's text. */
export type StatusLogRow = Omit<Row<'status_logs'>, 'org_id'> & { reason: string };

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

const followUpColumns = [
  'follow_ups.id',
  'follow_ups.lead_id',
  'follow_ups.user_id',
  'follow_ups.notes',
  'follow_ups.created_by',
  'follow_ups.created_on',
  'follow_ups.followed_up_by',
  'follow_ups.followed_up_on',
  'follow_ups.scheduled_follow_up',
] as const;

const statusLogColumns = [
  'status_logs.id',
  'status_logs.lead_id',
  'status_logs.user_id',
  'status_logs.status',
  'status_logs.sub_status',
  'status_logs.created_by',
  'status_logs.created_on',
  'status_logs.reason_id',
  'reasons.reason',
] as const;

/**
 * The newest `newest` follow-ups of each of the org's leads `leadIds`, oldest first, each with
 * the lead's total. The ranking reads only the `(lead_id, id, org_id, …)` index; the rows themselves (notes
 * of up to 2,000 characters) are read only for the rows returned.
 */
export function listFollowUps(
  db: Db,
  orgId: number,
  leadIds: number[],
  newest: number,
): Promise<Array<Counted<FollowUpRow>>> {
  if (leadIds.length === 0) return Promise.resolve([]);
  return selectNewestFollowUps(db, { orgId, leadIds, newest });
}

/** The query of {@link listFollowUps}, exported for its plan's test. */
export const newestFollowUpsQuery = (
  db: Db,
  p: { orgId: number; leadIds: number[]; newest: number },
) =>
  db
    .selectFrom('follow_ups')
    .innerJoin(
      db
        .selectFrom('follow_ups')
        .select([
          'id',
          sql<number>`row_number() over (partition by lead_id order by id desc)`.as('rank'),
          sql<number>`count(*) over (partition by lead_id)`.as('total'),
        ])
        // The org as well as the leads, so a sharded store asks one shard (docs/scale-out.md);
        // the index carries org_id, so the ranking still reads the index alone.
        .where('org_id', '=', p.orgId)
        .where('lead_id', 'in', p.leadIds)
        .as('ranked'),
      'ranked.id',
      'follow_ups.id',
    )
    .select([...followUpColumns, 'ranked.total'])
    .where('follow_ups.org_id', '=', p.orgId)
    .where('ranked.rank', '<=', p.newest)
    .orderBy('follow_ups.lead_id')
    .orderBy('follow_ups.id');

const selectNewestFollowUps = preparedQuery(newestFollowUpsQuery);

/** The newest `newest` status-log rows of each lead, with their reason text, oldest first. */
export function listStatusLogs(
  db: Db,
  orgId: number,
  leadIds: number[],
  newest: number,
): Promise<Array<Counted<StatusLogRow>>> {
  if (leadIds.length === 0) return Promise.resolve([]);
  return selectNewestStatusLogs(db, { orgId, leadIds, newest });
}

/** The query of {@link listStatusLogs}, exported for its plan's test. */
export const newestStatusLogsQuery = (
  db: Db,
  p: { orgId: number; leadIds: number[]; newest: number },
) =>
  db
    .selectFrom('status_logs')
    .innerJoin(
      db
        .selectFrom('status_logs')
        .select([
          'id',
          sql<number>`row_number() over (partition by lead_id order by id desc)`.as('rank'),
          sql<number>`count(*) over (partition by lead_id)`.as('total'),
        ])
        // The org as well as the leads, so a sharded store asks one shard (docs/scale-out.md);
        // the index carries org_id, so the ranking still reads the index alone.
        .where('org_id', '=', p.orgId)
        .where('lead_id', 'in', p.leadIds)
        .as('ranked'),
      'ranked.id',
      'status_logs.id',
    )
    .innerJoin('reasons', (join) =>
      join
        .onRef('reasons.org_id', '=', 'status_logs.org_id')
        .onRef('reasons.id', '=', 'status_logs.reason_id'),
    )
    .select([...statusLogColumns, 'ranked.total'])
    .where('status_logs.org_id', '=', p.orgId)
    .where('ranked.rank', '<=', p.newest)
    .orderBy('status_logs.lead_id')
    .orderBy('status_logs.id');

const selectNewestStatusLogs = preparedQuery(newestStatusLogsQuery);

/** One page of a lead's follow-ups: ids above `after`, oldest first, at most `limit`. */
export function pageFollowUps(
  db: Db,
  p: { orgId: number; leadId: number; after: number; limit: number },
): Promise<FollowUpRow[]> {
  return selectFollowUpPage(db, p);
}

const selectFollowUpPage = preparedQuery(
  (db, p: { orgId: number; leadId: number; after: number; limit: number }) =>
    db
      .selectFrom('follow_ups')
      .select(followUpColumns)
      .where('follow_ups.org_id', '=', p.orgId)
      .where('follow_ups.lead_id', '=', p.leadId)
      .where('follow_ups.id', '>', p.after)
      .orderBy('follow_ups.id')
      .limit(p.limit),
);

/** One page of a lead's status log: ids above `after`, oldest first, at most `limit`. */
export function pageStatusLogs(
  db: Db,
  p: { orgId: number; leadId: number; after: number; limit: number },
): Promise<StatusLogRow[]> {
  return selectStatusLogPage(db, p);
}

const selectStatusLogPage = preparedQuery(
  (db, p: { orgId: number; leadId: number; after: number; limit: number }) =>
    db
      .selectFrom('status_logs')
      .innerJoin('reasons', (join) =>
        join
          .onRef('reasons.org_id', '=', 'status_logs.org_id')
          .onRef('reasons.id', '=', 'status_logs.reason_id'),
      )
      .select(statusLogColumns)
      .where('status_logs.org_id', '=', p.orgId)
      .where('status_logs.lead_id', '=', p.leadId)
      .where('status_logs.id', '>', p.after)
      .orderBy('status_logs.id')
      .limit(p.limit),
);

/** How many follow-ups and status-log rows the lead holds (for the per-lead cap). */
export async function countHistory(
  db: Db,
  orgId: number,
  leadId: number,
): Promise<{ followUps: number; statusLogs: number }> {
  const [row] = await selectHistoryCounts(db, { orgId, leadId });
  return { followUps: Number(row?.follow_ups ?? 0), statusLogs: Number(row?.status_logs ?? 0) };
}

const selectHistoryCounts = preparedQuery((db, p: { orgId: number; leadId: number }) =>
  db.selectNoFrom([
    db
      .selectFrom('follow_ups')
      .select(sql<number>`count(*)`.as('n'))
      .where('org_id', '=', p.orgId)
      .where('lead_id', '=', p.leadId)
      .as('follow_ups'),
    db
      .selectFrom('status_logs')
      .select(sql<number>`count(*)`.as('n'))
      .where('org_id', '=', p.orgId)
      .where('lead_id', '=', p.leadId)
      .as('status_logs'),
  ]),
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
