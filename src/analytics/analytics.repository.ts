import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import { STATUS_BITS, type EntityType, type LeadStatus, type LeadType } from '../db/schema.js';
import { SYSTEM_ACTOR_ID } from '../core/actor.js';
import { entitySubtree } from '../leads/index.js';
import type { DayEndSegment, OffsetFrom } from './local-time.js';
import { DAY_MS } from '../core/date-time.js';
import { isPostgres } from '../db/capabilities.js';
import { STAYED_MS_COLUMN } from '../db/status-stays.js';

/**
 * The reads of lead analytics. Every report is computed from the status log, through what the
 * transaction appending to the log keeps on the lead itself (its status facts, migration 0010
 * and src/leads/status-facts.ts), never from counters kept beside it: a lead's current status
 * and sub-status are its newest status-log row's (the lead's own columns), `reached_statuses`
 * holds a bit for every status the log holds at any time, `status_reason_id` and
 * `status_changed_by` are the newest row's reason and author. Reading the leads alone is what
 * keeps an org-wide report over a million leads from grouping millions of log rows. The store
 * groups by a raw dimension (an entity id, a channel's source id, a local day of creation…);
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

/**
 * What the store groups by; the service maps each onto the groups a client asked for. Weeks and
 * months are not among them: their local days depend on the org's zone over the leads' creation
 * instants ({@link byLocalDay}).
 */
export type RawDimension = 'creator' | 'owner' | 'channel' | 'type' | 'leadFor' | 'reason' | 'none';

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
  none: sql`0`,
};

/**
 * The grouping of a statement by its one key: none at all for {@link RawDimension} `none`, whose
 * key is a constant (SQLite still sorts every matching row into that one group: 2 of the 9 ms
 * the follow-ups' lead counts took over a store's quarter, 1,000,000 leads), and then `having`
 * answers a match of no lead with no row, as a grouped statement does.
 */
function groupByKey(key: RawBuilder<unknown>, name: RawBuilder<unknown> = sql`1`) {
  return isUngrouped(key) ? sql`having count(*) > 0` : sql`group by ${name}`;
}

const isUngrouped = (key: RawBuilder<unknown>) => key === DIMENSION_SQL.none;

/** A raw group's key: an id or a local day (a number), a type or `leadFor` (text), or null. */
export type RawKey = string | number | null;

/** The stay facts time in status reads besides what every report does. */
const STAY_COLUMNS = [
  'status_since',
  'first_followed_up_on',
  ...Object.values(STAYED_MS_COLUMN),
] as const;

/** The org's leads matching the filters: the `m` of every report's statement. */
function matchingLeads(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  extra: ReadonlyArray<(typeof STAY_COLUMNS)[number]> = [],
) {
  let matching = db
    .selectFrom('leads')
    .select([
      ...extra,
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
function withMatching(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  extra: ReadonlyArray<(typeof STAY_COLUMNS)[number]> = [],
) {
  return sql`with m as ${matchingLeads(db, orgId, filters, extra)}`;
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

export function funnelStatement(db: Db, orgId: number, filters: ReportFilters, group: GroupKey) {
  const { join, k } = grouped(group);
  return sql<FunnelCounts>`${withMatching(db, orgId, filters)}
    select ${k} as k, count(*) as created,
      sum(${reachedAll('ON_HOLD')}) as reached_on_hold, sum(${reachedAll('WON')}) as reached_won,
      sum(${reachedAll('LOST')}) as reached_lost,
      sum(${reachedAll('DELETED')}) as reached_deleted,
      sum(${reachedAll('ON_HOLD', 'WON')}) as on_hold_then_won,
      ${isStatus('OPEN')} as open, ${isStatus('ON_HOLD')} as on_hold, ${isStatus('WON')} as won,
      ${isStatus('LOST')} as lost, ${isStatus('DELETED')} as deleted
    from m ${join}
    ${groupByKey(k)}`;
}

export async function funnelCounts(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  group: GroupKey,
): Promise<FunnelCounts[]> {
  return (await funnelStatement(db, orgId, filters, group).execute(db)).rows;
}

export type WinRateCounts = { k: RawKey; won: number; lost: number };

export function winRateStatement(db: Db, orgId: number, filters: ReportFilters, group: GroupKey) {
  const { join, k } = grouped(group);
  return sql<WinRateCounts>`${withMatching(db, orgId, filters)}
    select ${k} as k, ${isStatus('WON')} as won, ${isStatus('LOST')} as lost
    from m ${join}
    where m.status in ('WON', 'LOST')
    ${groupByKey(k)}`;
}

export async function winRateCounts(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  group: GroupKey,
): Promise<WinRateCounts[]> {
  return (await winRateStatement(db, orgId, filters, group).execute(db)).rows;
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
  group: GroupKey,
) {
  const { join, k } = grouped(group);
  return sql<LostReasonCounts>`${withMatching(db, orgId, filters)}
    select ${k} as k, r.reason as reason, m.sub_status as sub_status,
      count(*) as count
    from m ${join}
    inner join reasons r on r.id = m.status_reason_id and r.org_id = ${orgId}
    where m.status = 'LOST'
    group by 1, r.reason, m.sub_status`;
}

export async function lostReasonCounts(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  group: GroupKey,
): Promise<LostReasonCounts[]> {
  return (await lostReasonStatement(db, orgId, filters, group).execute(db)).rows;
}

/** A report's group index: raw key (an entity id, a local day) → the index of its group. */
export type GroupIndex = ReadonlyArray<readonly [number, number]>;

/**
 * What a statement groups by: a raw dimension as it is, or a raw key mapped through a group
 * index (a table of literals joined on it; keys it lacks group as null). Statements whose
 * results cannot be summed group by the client's groups themselves: a percentile of a week is
 * not a sum of its quarter hours'.
 */
export type GroupKey = {
  key: RawBuilder<unknown>;
  index?: GroupIndex | undefined;
  /**
   * The key reads nothing of the lead but its creator and creation instant (`m.created_by`,
   * `m.created_on`), which its follow-ups carry too (migration 0023).
   */
  ofCreation?: true;
};

export const byDimension = (dimension: RawDimension): GroupKey => ({
  key: DIMENSION_SQL[dimension],
  ...(dimension === 'creator' || dimension === 'none' ? { ofCreation: true } : {}),
});

export const byCreatorIndex = (index: GroupIndex): GroupKey => ({
  key: sql`m.created_by`,
  index,
  ofCreation: true,
});

/**
 * Leads grouped by the local day of their creation (days since 1970-01-01 in the org's zone), each
 * placed by its own instant's offset. `offsets` are the zone's offsets over the leads' creation
 * instants, the first from the earliest of them, in time order. Summed reports fold the days into
 * weeks and months afterwards (at most a row per day, where quarter hours of creation were up to
 * 96 a day to send and fold).
 */
export const byLocalDay = (offsets: readonly OffsetFrom[]): GroupKey => {
  // Each change's instant, then the offset in force before it.
  const changes = offsets
    .slice(1)
    .map(
      (change, i) =>
        sql`when m.created_on < ${sql.lit(change.from)} then ${sql.lit(offsets[i]?.offset ?? 0)}`,
    );
  const latest = sql.lit(offsets.at(-1)?.offset ?? 0);
  const offset =
    changes.length === 0 ? latest : sql`case ${sql.join(changes, sql` `)} else ${latest} end`;
  const local = sql`(m.created_on + ${offset})`;
  const day = sql.lit(DAY_MS);
  // Floored, also before 1970 (SQL's division truncates toward zero).
  return {
    key: sql`(${local} - ((${local} % ${day}) + ${day}) % ${day}) / ${day}`,
    ofCreation: true,
  };
};

/** {@link byLocalDay}, mapped through `index` (local day → group). */
export const byLocalDayIndex = (offsets: readonly OffsetFrom[], index: GroupIndex): GroupKey => ({
  ...byLocalDay(offsets),
  index,
});

/** The statement's `from` and the expression of its group key (`k`). */
function grouped(group: GroupKey) {
  if (group.index === undefined) return { join: sql``, k: group.key };
  if (group.index.length === 0) return { join: sql``, k: sql`null` };
  const rows = group.index.map(([key, at]) => sql`(${sql.lit(key)}, ${sql.lit(at)})`);
  return {
    join: sql`left join (values ${sql.join(rows)}) as g on g.column1 = ${group.key}`,
    k: sql`g.column2`,
  };
}

/** Where the store says the lead's creation instant is, for the days a group index spans. */
export async function creationRange(
  db: Db,
  orgId: number,
  filters: ReportFilters,
): Promise<{ first: number; last: number } | undefined> {
  const row = await matchingLeads(db, orgId, filters)
    .clearSelect()
    .select((eb) => [eb.fn.min('created_on').as('first'), eb.fn.max('created_on').as('last')])
    .executeTakeFirst();
  return row?.first == null || row.last == null
    ? undefined
    : { first: Number(row.first), last: Number(row.last) };
}

/**
 * The continuous percentile `p` of `value` over a group's rows, nulls left out, interpolated
 * between the nearest ranks: PostgreSQL's ordered-set aggregate, SQLite's `percentile_cont`
 * (which better-sqlite3 compiles in with SQLITE_ENABLE_PERCENTILE).
 */
function percentile(db: Db, value: RawBuilder<unknown>, p: number) {
  return isPostgres(db)
    ? sql`percentile_cont(${sql.lit(p)}) within group (order by ${value})`
    : sql`percentile_cont(${value}, ${sql.lit(p)})`;
}

const atLeastZero = (ms: RawBuilder<unknown>) => sql`case when ${ms} > 0 then ${ms} else 0 end`;

/** The durations time in status summarises, each a lead's, in ms (null: not the lead's). */
function durationMeasures(now: number): Array<[string, RawBuilder<unknown>]> {
  const at = sql.lit(now);
  return [
    ...LEAD_STATUS_ORDER.flatMap((status): Array<[string, RawBuilder<unknown>]> => [
      [`${status}_closed`, sql.ref(`m.${STAYED_MS_COLUMN[status]}`)],
      [
        `${status}_open`,
        sql`case when m.status = ${sql.lit(status)} then ${atLeastZero(sql`${at} - m.status_since`)} end`,
      ],
    ]),
    [
      'first_follow_up',
      sql`case when m.first_followed_up_on is not null
        then ${atLeastZero(sql`m.first_followed_up_on - m.created_on`)} end`,
    ],
    [
      'to_won',
      sql`case when m.status = 'WON' then ${atLeastZero(sql`m.status_since - m.created_on`)} end`,
    ],
    [
      'to_lost',
      sql`case when m.status = 'LOST' then ${atLeastZero(sql`m.status_since - m.created_on`)} end`,
    ],
  ];
}

/** Statuses in the order a lead moves through them, as time in status lists them. */
export const LEAD_STATUS_ORDER = [
  'OPEN',
  'ON_HOLD',
  'WON',
  'LOST',
  'DELETED',
] as const satisfies readonly LeadStatus[];

/** One measure's summary in ms, as the store computed it. */
export type DurationAggregate = {
  count: number;
  p50: number | null;
  p90: number | null;
  mean: number | null;
};

export type TimeInStatusAggregates = {
  k: RawKey;
  leads: number;
  withoutFollowUp: number;
  measures: Map<string, DurationAggregate>;
};

/**
 * Per group, each duration's count, median, 90th percentile and mean, computed by the store
 * from the leads' stay facts (src/db/status-stays.ts): no log row is read, and no duration
 * leaves the store.
 */
export async function timeInStatusAggregates(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  group: GroupKey,
  now: number,
): Promise<TimeInStatusAggregates[]> {
  const measures = durationMeasures(now);
  const postgres = isPostgres(db);
  const { rows } = await timeInStatusStatement(db, orgId, filters, group, now).execute(db);
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return rows.map((row) => ({
    k: (row.k ?? null) as RawKey,
    leads: Number(row.leads),
    withoutFollowUp: Number(row.without_follow_up),
    measures: new Map(
      measures.map(([name]) => [
        name,
        {
          count: Number(row[`${name}_n`]),
          p50: number(postgres ? (row[`${name}_ps`] as number[] | null)?.[0] : row[`${name}_p50`]),
          p90: number(postgres ? (row[`${name}_ps`] as number[] | null)?.[1] : row[`${name}_p90`]),
          mean: number(row[`${name}_mean`]),
        },
      ]),
    ),
  }));
}

/** The statement of {@link timeInStatusAggregates}. */
export function timeInStatusStatement(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  group: GroupKey,
  now: number,
) {
  const measures = durationMeasures(now);
  const { join, k } = grouped(group);
  // PostgreSQL takes both percentiles from one sort of the values; SQLite sorts them per call.
  const postgres = isPostgres(db);
  const percentiles = (name: string, value: RawBuilder<unknown>) =>
    postgres
      ? sql`percentile_cont(array[0.5, 0.9]) within group (order by ${value})
          as ${sql.ref(`${name}_ps`)}`
      : sql`${percentile(db, value, 0.5)} as ${sql.ref(`${name}_p50`)},
          ${percentile(db, value, 0.9)} as ${sql.ref(`${name}_p90`)}`;
  const columns = measures.map(
    ([name, value]) =>
      sql`count(${value}) as ${sql.ref(`${name}_n`)}, ${percentiles(name, value)},
        avg(${value}) as ${sql.ref(`${name}_mean`)}`,
  );
  return sql<Record<string, number | string | number[] | null>>`${withMatching(
    db,
    orgId,
    filters,
    STAY_COLUMNS,
  )}
    select ${k} as k, count(*) as leads,
      sum(case when m.first_followed_up_on is null then 1 else 0 end) as without_follow_up,
      ${sql.join(columns)}
    from m ${join}
    ${groupByKey(k)}`;
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
  group: GroupKey,
  times: { now: number; endOfToday: number },
) {
  const { join, k } = grouped(group);
  const open = sql`m.status in ('OPEN', 'ON_HOLD')`;
  const overdue = (from: number, to: number | null) =>
    sql`sum(case when ${open} and m.next_follow_up < ${times.now - from}${
      to === null ? sql`` : sql` and m.next_follow_up >= ${times.now - to}`
    } then 1 else 0 end)`;
  return sql<FollowUpLeadCounts>`${withMatching(db, orgId, filters)}
    select ${k} as k,
      sum(case when ${open} and m.next_follow_up >= ${times.now}
        and m.next_follow_up < ${times.endOfToday} then 1 else 0 end) as due_today,
      ${overdue(0, DAY_MS)} as overdue_1d,
      ${overdue(DAY_MS, 3 * DAY_MS)} as overdue_3d,
      ${overdue(3 * DAY_MS, 7 * DAY_MS)} as overdue_7d,
      ${overdue(7 * DAY_MS, null)} as overdue_more,
      sum(case when m.status in ('WON', 'LOST') then 1 else 0 end) as closed,
      sum(case when m.status in ('WON', 'LOST') and m.status_changed_by = ${SYSTEM_ACTOR_ID}
        then 1 else 0 end) as auto_closed
    from m ${join}
    ${groupByKey(k)}`;
}

export async function followUpLeadCounts(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  group: GroupKey,
  times: { now: number; endOfToday: number },
): Promise<FollowUpLeadCounts[]> {
  return (await followUpLeadStatement(db, orgId, filters, group, times).execute(db)).rows;
}

/**
 * The end of the local day of the instant `at`, in a store's integer arithmetic, over the
 * segments of {@link LocalCalendar.dayEndSegments} (as a balanced tree of `case`s, a few
 * comparisons deep): null outside `[segments[0].from, end)`. The instants must be at least a
 * day after 1970 (SQL's division truncates toward zero).
 */
function localDayEnd(at: RawBuilder<unknown>, segments: readonly DayEndSegment[], end: number) {
  const day = sql.lit(DAY_MS);
  const piece = (i: number, j: number): RawBuilder<unknown> => {
    if (j - i === 1) {
      const { ahead, endAhead } = segments[i] as DayEndSegment;
      return sql`((${at} + ${sql.lit(ahead)}) / ${day} + 1) * ${day} - ${sql.lit(endAhead)}`;
    }
    const middle = (i + j) >> 1;
    return sql`case when ${at} < ${sql.lit((segments[middle] as DayEndSegment).from)}
      then ${piece(i, middle)} else ${piece(middle, j)} end`;
  };
  const first = segments[0]?.from ?? end;
  return sql`case when ${at} >= ${sql.lit(first)} and ${at} < ${sql.lit(end)}
    then ${segments.length === 0 ? sql`null` : piece(0, segments.length)} end`;
}

export type FollowUpDiscipline = {
  k: RawKey;
  onTime: number;
  late: number;
  /** The median of how late the late ones were, in ms. */
  lateP50: number | null;
  unscheduled: number;
  /** Scheduled outside the day ends the statement was given, and not plainly on time. */
  outside: number;
};

/**
 * Per group, the follow-ups of matching leads done on time (before the end of the local day they
 * were scheduled for), late (and the median of by how long), or never scheduled, computed by the
 * store: each follow-up's deadline is {@link localDayEnd} of its scheduled instant over `dayEnds`
 * (those of `[dayEnds.segments[0].from, dayEnds.end)`). Outside that range a follow-up is
 * still plainly on time if it was done at or before its scheduled instant, or scheduled at or
 * after `dayEnds.end` and done before it (its deadline is later still); any other counts as
 * `outside`, neither on time nor late.
 */
export async function followUpDiscipline(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  group: GroupKey,
  dayEnds: { segments: readonly DayEndSegment[]; end: number },
): Promise<FollowUpDiscipline[]> {
  const { rows } = await followUpDisciplineStatement(db, orgId, filters, group, dayEnds).execute(
    db,
  );
  return rows.map((row) => ({
    k: row.k ?? null,
    onTime: Number(row.on_time ?? 0),
    late: Number(row.late ?? 0),
    lateP50: row.late_p50 === null || row.late_p50 === undefined ? null : Number(row.late_p50),
    unscheduled: Number(row.unscheduled ?? 0),
    outside: Number(row.outside ?? 0),
  }));
}

/** The statement of {@link followUpDiscipline}. */
export function followUpDisciplineStatement(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  group: GroupKey,
  dayEnds: { segments: readonly DayEndSegment[]; end: number },
) {
  const { join, k } = grouped(group);
  const alone = followUpsAlone(db, orgId, filters, group);
  const f = (column: string) => sql.ref(`${alone === undefined ? 'f' : 'm'}.${column}`);
  const deadline = localDayEnd(f('scheduled_follow_up'), dayEnds.segments, dayEnds.end);
  const end = sql.lit(dayEnds.end);
  // How long after its deadline a follow-up was done (negative: on time), once per follow-up.
  return sql<Record<string, RawKey>>`${alone ?? withMatching(db, orgId, filters)},
    d as (
      select ${k} as k, ${f('scheduled_follow_up')} as scheduled,
        ${f('followed_up_on')} - (${deadline}) as late_by,
        case when ${f('followed_up_on')} <= ${f('scheduled_follow_up')}
          or (${f('scheduled_follow_up')} >= ${end} and ${f('followed_up_on')} < ${end})
          then 1 else 0 end as plainly_on_time
      from m ${join}
      ${
        alone === undefined
          ? sql`inner join follow_ups f on f.lead_id = m.id where f.org_id = ${orgId}`
          : sql``
      })
    -- Ungrouped, the key is the constant itself: PostgreSQL takes no bare column of d then.
    select ${isUngrouped(k) ? k : sql`k`} as k,
      sum(case when late_by < 0 or plainly_on_time = 1 then 1 else 0 end) as on_time,
      sum(case when late_by >= 0 then 1 else 0 end) as late,
      ${percentile(db, sql`case when late_by >= 0 then late_by end`, 0.5)} as late_p50,
      sum(case when scheduled is null then 1 else 0 end) as unscheduled,
      sum(case when scheduled is not null and late_by is null and plainly_on_time = 0
        then 1 else 0 end) as outside
    from d
    ${groupByKey(k, sql`k`)}`;
}

/**
 * The follow-ups of the matching leads as `m`, read from the follow-ups alone (their copies of
 * the lead's creator and creation instant, through follow_ups_lead_creator_idx: one range per
 * creator and period, migration 0023), when the report is over a store's subtree and neither
 * its filters nor its groups read anything else of the lead; undefined otherwise (the org's
 * whole history reads the leads' analytics index and each one's follow-ups instead, as the
 * index is not led by the org).
 */
function followUpsAlone(db: Db, orgId: number, filters: ReportFilters, group: GroupKey) {
  // Any other filter (owner, channel, type, or one added later) reads the lead itself.
  const { createdUnder, from, to, ...onTheLead } = filters;
  if (
    createdUnder === undefined ||
    Object.values(onTheLead).some((value) => value !== undefined) ||
    group.ofCreation !== true
  ) {
    return undefined;
  }
  let followUps = db
    .selectFrom('follow_ups')
    .select([
      'lead_created_by as created_by',
      'lead_created_on as created_on',
      'scheduled_follow_up',
      'followed_up_on',
    ])
    .where('lead_created_by', 'in', entitySubtree(db, orgId, createdUnder))
    .where('org_id', '=', orgId);
  if (from !== undefined) followUps = followUps.where('lead_created_on', '>=', from);
  if (to !== undefined) followUps = followUps.where('lead_created_on', '<', to);
  return sql`with m as ${followUps}`;
}

/** A follow-up of a matching lead that was scheduled: when for, and when it was done. */
export type ScheduledFollowUp = { k: RawKey; scheduled: number; done: number };

/**
 * Every scheduled follow-up of the matching leads, for the rare report whose follow-ups were
 * scheduled outside the range {@link followUpDiscipline} places in local days.
 */
export async function scheduledFollowUps(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  group: GroupKey,
): Promise<ScheduledFollowUp[]> {
  const { join, k } = grouped(group);
  const { rows } = await sql<ScheduledFollowUp>`${withMatching(db, orgId, filters)}
    select ${k} as k, f.scheduled_follow_up as scheduled,
      f.followed_up_on as done
    from m ${join} inner join follow_ups f on f.lead_id = m.id
    where f.org_id = ${orgId} and f.scheduled_follow_up is not null`.execute(db);
  return rows;
}

export type DemandCounts = {
  k: RawKey;
  creator: number;
  type: LeadType;
  lead_for: string;
  lost: number;
  open: number;
};

export function demandStatement(db: Db, orgId: number, filters: ReportFilters, group: GroupKey) {
  const { join, k } = grouped(group);
  return sql<DemandCounts>`${withMatching(db, orgId, filters)}
    select ${k} as k, m.created_by as creator, m.type as type,
      m.lead_for as lead_for, ${isStatus('LOST')} as lost,
      sum(case when m.status in ('OPEN', 'ON_HOLD') then 1 else 0 end) as open
    from m ${join}
    -- In coalesce so that SQLite does not split the OR into a search per branch over two other
    -- indexes (reading the leads themselves): one pass over leads_org_analytics_created_idx instead.
    where coalesce(m.status in ('OPEN', 'ON_HOLD') or (m.status = 'LOST' and m.status_reason_id in
      (select r.id from reasons r where r.org_id = ${orgId} and r.not_available = 1)), false)
    group by 1, m.created_by, m.type, m.lead_for`;
}

export async function demandCounts(
  db: Db,
  orgId: number,
  filters: ReportFilters,
  group: GroupKey,
): Promise<DemandCounts[]> {
  return (await demandStatement(db, orgId, filters, group).execute(db)).rows;
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
