import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import { STATUS_BITS, type EntityType, type LeadStatus, type LeadType } from '../db/schema.js';
import { SYSTEM_ACTOR_ID } from '../core/actor.js';
import { entitySubtree } from '../leads/index.js';
import { BUCKET_MS } from './local-time.js';
import { DAY_MS } from '../core/date-time.js';

/**
 * The reads of lead analytics. Every report is computed from the status log, through what the
 * transaction appending to the log keeps on the lead itself (its status facts, migration 0010
 * and src/leads/status-facts.ts), never from counters kept beside it: a lead's current status
 * and sub-status are its newest status-log row's (the lead's own columns), `reached_statuses`
 * holds a bit for every status the log holds at any time, `status_reason_id` and
 * `status_changed_by` are the newest row's reason and author. Reading the leads alone is what
 * keeps an org-wide report over a million leads from grouping millions of log rows. The store
 * groups by a raw dimension (an entity id, a channel's source id, a quarter-hour of creation…);
 * the service folds those into stores, zones, weeks and months.
 */

export type ReportFilters = {
  from?: number | undefined;
  to?: number | undefined;
  createdUnder?: { type: EntityType; code: string } | undefined;
  ownerId?: number | undefined;
  orgSourceId?: number | undefined;
  type?: LeadType | undefined;
};

/** What the store groups by; the service maps each onto the groups a client asked for. */
export type RawDimension =
  'creator' | 'owner' | 'channel' | 'type' | 'leadFor' | 'reason' | 'bucket' | 'none';

/**
 * Owner, channel, type and `leadFor` are grouped by as expressions (`+ 0`, `|| ''`), not as bare
 * columns: given a bare column, the stores walk that column's own list index for its order, over
 * the whole org and through the leads themselves, in place of one range of the analytics index per
 * creator of a store (measured on SQLite over 1,000,000 leads: 2.5–3 s against 42 ms by owner, 0.56
 * s against 31 ms by type, for the largest store).
 */
const DIMENSION_SQL: Record<RawDimension, RawBuilder<unknown>> = {
  creator: sql`m.created_by`,
  owner: sql`m.owner_id + 0`,
  channel: sql`m.org_source_id + 0`,
  type: sql`m.type || ''`,
  leadFor: sql`m.lead_for || ''`,
  // Only a lost lead has a reason it was lost for; the rest group as null.
  reason: sql`case when m.status = 'LOST' then m.status_reason_id end`,
  // Floored, also before 1970 (SQL's division truncates toward zero).
  bucket: sql`(m.created_on - ((m.created_on % ${sql.lit(BUCKET_MS)}) + ${sql.lit(BUCKET_MS)}) % ${sql.lit(BUCKET_MS)}) / ${sql.lit(BUCKET_MS)}`,
  none: sql`0`,
};

/** A raw group's key: an id or bucket (a number), a type or `leadFor` (text), or null. */
export type RawKey = string | number | null;

/** The org's leads matching the filters: the `m` of every report's statement. */
function matchingLeads(db: Db, orgId: number, filters: ReportFilters) {
  let matching = db
    .selectFrom('leads')
    .select([
      'id',
      'created_by',
      'owner_id',
      'org_source_id',
      'type',
      'lead_for',
      'created_on',
      'next_follow_up',
      'status',
      'sub_status',
      'reached_statuses',
      'status_reason_id',
      'status_changed_by',
    ])
    .where('org_id', '=', orgId);
  if (filters.from !== undefined) matching = matching.where('created_on', '>=', filters.from);
  if (filters.to !== undefined) matching = matching.where('created_on', '<', filters.to);
  if (filters.ownerId !== undefined) matching = matching.where('owner_id', '=', filters.ownerId);
  if (filters.orgSourceId !== undefined) {
    matching = matching.where('org_source_id', '=', filters.orgSourceId);
  }
  if (filters.type !== undefined) matching = matching.where('type', '=', filters.type);
  if (filters.createdUnder !== undefined) {
    matching = matching.where('created_by', 'in', entitySubtree(db, orgId, filters.createdUnder));
  }
  return matching;
}

/** The matching leads as `m`, for a report's statement to read from. */
function withMatching(db: Db, orgId: number, filters: ReportFilters) {
  return sql`with m as ${matchingLeads(db, orgId, filters)}`;
}

/** 1 when the lead's log ever held every one of `statuses`, else 0. */
const reachedAll = (...statuses: LeadStatus[]) => {
  const bits = statuses.reduce((all, status) => all | STATUS_BITS[status], 0);
  return sql`case when (m.reached_statuses & ${sql.lit(bits)}) = ${sql.lit(bits)} then 1 else 0 end`;
};

const isStatus = (status: LeadStatus) =>
  sql`sum(case when m.status = ${sql.lit(status)} then 1 else 0 end)`;

export type FunnelCounts = {
  k: RawKey;
  created: number;
  reached_on_hold: number;
  reached_won: number;
  reached_lost: number;
  reached_deleted: number;
  on_hold_then_won: number;
  open: number;
  on_hold: number;
  won: number;
  lost: number;
  deleted: number;
};

export function funnelStatement(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  dimension: RawDimension,
) {
  return sql<FunnelCounts>`${withMatching(db, orgId, filters)}
    select ${DIMENSION_SQL[dimension]} as k, count(*) as created,
      sum(${reachedAll('ON_HOLD')}) as reached_on_hold, sum(${reachedAll('WON')}) as reached_won,
      sum(${reachedAll('LOST')}) as reached_lost,
      sum(${reachedAll('DELETED')}) as reached_deleted,
      sum(${reachedAll('ON_HOLD', 'WON')}) as on_hold_then_won,
      ${isStatus('OPEN')} as open, ${isStatus('ON_HOLD')} as on_hold, ${isStatus('WON')} as won,
      ${isStatus('LOST')} as lost, ${isStatus('DELETED')} as deleted
    from m
    group by 1`;
}

export async function funnelCounts(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  dimension: RawDimension,
): Promise<FunnelCounts[]> {
  return (await funnelStatement(db, orgId, filters, dimension).execute(db)).rows;
}

export type WinRateCounts = { k: RawKey; won: number; lost: number };

export function winRateStatement(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  dimension: RawDimension,
) {
  return sql<WinRateCounts>`${withMatching(db, orgId, filters)}
    select ${DIMENSION_SQL[dimension]} as k, ${isStatus('WON')} as won, ${isStatus('LOST')} as lost
    from m
    where m.status in ('WON', 'LOST')
    group by 1`;
}

export async function winRateCounts(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  dimension: RawDimension,
): Promise<WinRateCounts[]> {
  return (await winRateStatement(db, orgId, filters, dimension).execute(db)).rows;
}

export type LostReasonCounts = {
  k: RawKey;
  reason: string;
  sub_status: string | null;
  count: number;
};

export function lostReasonStatement(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  dimension: RawDimension,
) {
  return sql<LostReasonCounts>`${withMatching(db, orgId, filters)}
    select ${DIMENSION_SQL[dimension]} as k, r.reason as reason, m.sub_status as sub_status,
      count(*) as count
    from m
    inner join reasons r on r.id = m.status_reason_id and r.org_id = ${orgId}
    where m.status = 'LOST'
    group by 1, r.reason, m.sub_status`;
}

export async function lostReasonCounts(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  dimension: RawDimension,
): Promise<LostReasonCounts[]> {
  return (await lostReasonStatement(db, orgId, filters, dimension).execute(db)).rows;
}

/** One status-log row of a matching lead, in the lead's log order. */
export type TimelineRow = {
  lead_id: number;
  k: RawKey;
  lead_created_on: number;
  status: LeadStatus;
  created_on: number;
};

/** Every status-log row of the matching leads, lead by lead, each lead's oldest first. */
export async function statusTimelines(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  dimension: Exclude<RawDimension, 'reason'>,
): Promise<TimelineRow[]> {
  const { rows } = await sql<TimelineRow>`${withMatching(db, orgId, filters)}
    select m.id as lead_id, ${DIMENSION_SQL[dimension]} as k, m.created_on as lead_created_on,
      s.status as status, s.created_on as created_on
    from m inner join status_logs s on s.lead_id = m.id
    where s.org_id = ${orgId}
    order by m.id, s.created_on, s.id`.execute(db);
  return rows;
}

/** When each matching lead was first followed up (leads without a follow-up are absent). */
export async function firstFollowUps(
  db: Db,
  orgId: number,
  filters: ReportFilters,
): Promise<Map<number, number>> {
  const { rows } = await sql<{
    lead_id: number;
    first: number;
  }>`${withMatching(db, orgId, filters)}
    select f.lead_id as lead_id, min(f.followed_up_on) as first
    from m inner join follow_ups f on f.lead_id = m.id
    where f.org_id = ${orgId}
    group by f.lead_id`.execute(db);
  return new Map(rows.map((row) => [Number(row.lead_id), Number(row.first)]));
}

export type FollowUpLeadCounts = {
  k: RawKey;
  due_today: number;
  overdue_1d: number;
  overdue_3d: number;
  overdue_7d: number;
  overdue_more: number;
  closed: number;
  auto_closed: number;
};

/**
 * Per raw group, the open leads (OPEN or ON_HOLD now) whose next follow-up falls from `now` to
 * `endOfToday`, or before `now` (by how long), and the closed leads (WON or LOST now) with those
 * the system closed (auto-close writes its rows as -1).
 */
export function followUpLeadStatement(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  dimension: RawDimension,
  times: { now: number; endOfToday: number },
) {
  const open = sql`m.status in ('OPEN', 'ON_HOLD')`;
  const overdue = (from: number, to: number | null) =>
    sql`sum(case when ${open} and m.next_follow_up < ${times.now - from}${
      to === null ? sql`` : sql` and m.next_follow_up >= ${times.now - to}`
    } then 1 else 0 end)`;
  return sql<FollowUpLeadCounts>`${withMatching(db, orgId, filters)}
    select ${DIMENSION_SQL[dimension]} as k,
      sum(case when ${open} and m.next_follow_up >= ${times.now}
        and m.next_follow_up < ${times.endOfToday} then 1 else 0 end) as due_today,
      ${overdue(0, DAY_MS)} as overdue_1d,
      ${overdue(DAY_MS, 3 * DAY_MS)} as overdue_3d,
      ${overdue(3 * DAY_MS, 7 * DAY_MS)} as overdue_7d,
      ${overdue(7 * DAY_MS, null)} as overdue_more,
      sum(case when m.status in ('WON', 'LOST') then 1 else 0 end) as closed,
      sum(case when m.status in ('WON', 'LOST') and m.status_changed_by = ${SYSTEM_ACTOR_ID}
        then 1 else 0 end) as auto_closed
    from m
    group by 1`;
}

export async function followUpLeadCounts(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  dimension: RawDimension,
  times: { now: number; endOfToday: number },
): Promise<FollowUpLeadCounts[]> {
  return (await followUpLeadStatement(db, orgId, filters, dimension, times).execute(db)).rows;
}

/** A follow-up of a matching lead that was scheduled: when for, and when it was done. */
export type ScheduledFollowUp = { k: RawKey; scheduled: number; done: number };

export async function scheduledFollowUps(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  dimension: Exclude<RawDimension, 'reason'>,
): Promise<{ scheduled: ScheduledFollowUp[]; unscheduled: Array<{ k: RawKey; count: number }> }> {
  const [scheduled, unscheduled] = await Promise.all([
    sql<ScheduledFollowUp>`${withMatching(db, orgId, filters)}
      select ${DIMENSION_SQL[dimension]} as k, f.scheduled_follow_up as scheduled,
        f.followed_up_on as done
      from m inner join follow_ups f on f.lead_id = m.id
      where f.org_id = ${orgId} and f.scheduled_follow_up is not null`.execute(db),
    sql<{ k: RawKey; count: number }>`${withMatching(db, orgId, filters)}
      select ${DIMENSION_SQL[dimension]} as k, count(*) as count
      from m inner join follow_ups f on f.lead_id = m.id
      where f.org_id = ${orgId} and f.scheduled_follow_up is null
      group by 1`.execute(db),
  ]);
  return { scheduled: scheduled.rows, unscheduled: unscheduled.rows };
}

export type DemandCounts = {
  k: RawKey;
  creator: number;
  type: LeadType;
  lead_for: string;
  lost: number;
  open: number;
};

export function demandStatement(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  dimension: RawDimension,
) {
  return sql<DemandCounts>`${withMatching(db, orgId, filters)}
    select ${DIMENSION_SQL[dimension]} as k, m.created_by as creator, m.type as type,
      m.lead_for as lead_for, ${isStatus('LOST')} as lost,
      sum(case when m.status in ('OPEN', 'ON_HOLD') then 1 else 0 end) as open
    from m
    -- In coalesce so that SQLite does not split the OR into a search per branch over two other
    -- indexes (reading the leads themselves): one pass over leads_org_analytics_idx instead.
    where coalesce(m.status in ('OPEN', 'ON_HOLD') or (m.status = 'LOST' and m.status_reason_id in
      (select r.id from reasons r where r.org_id = ${orgId} and r.not_available = 1)), false)
    group by 1, m.created_by, m.type, m.lead_for`;
}

export async function demandCounts(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  dimension: RawDimension,
): Promise<DemandCounts[]> {
  return (await demandStatement(db, orgId, filters, dimension).execute(db)).rows;
}

/** The org's entities as a tree, for folding creators into stores and zones. */
export function orgEntities(db: Db, orgId: number) {
  return db
    .selectFrom('entities')
    .select(['id', 'type', 'code', 'parent_id'])
    .where('org_id', '=', orgId)
    .execute();
}

export function orgChannels(db: Db, orgId: number) {
  return db
    .selectFrom('channels')
    .select(['source_id', 'name'])
    .where('org_id', '=', orgId)
    .execute();
}

export function orgReasons(db: Db, orgId: number) {
  return db.selectFrom('reasons').select(['id', 'reason']).where('org_id', '=', orgId).execute();
}

export async function orgTimeZone(db: Db, orgId: number): Promise<string | null> {
  const row = await db
    .selectFrom('orgs')
    .select('time_zone')
    .where('id', '=', orgId)
    .executeTakeFirst();
  return row?.time_zone ?? null;
}
