import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import { FieldErrors } from '../core/errors.js';
import { parseDateTime } from '../core/date-time.js';
import type { Db } from '../db/database.js';
import type { LeadType } from '../db/schema.js';
import { DAY_MS, HOUR_MS } from '../core/date-time.js';
import {
  demandCounts,
  funnelCounts,
  lostReasonCounts,
  orgChannels,
  orgEntities,
  orgReasons,
  orgTimeZone,
  byCreatorIndex,
  byDimension,
  byLocalDay,
  byLocalDayIndex,
  creationRange,
  followUpLeadCounts,
  LEAD_STATUS_ORDER,
  followUpDiscipline,
  scheduledFollowUps,
  timeInStatusAggregates,
  winRateCounts,
  type DurationAggregate,
  type FollowUpDiscipline,
  type GroupKey,
  type TimeInStatusAggregates,
  type RawDimension,
  type RawKey,
  type ReportFilters,
} from './analytics.repository.js';
import {
  GROUP_BYS,
  type AnalyticsQuery,
  type DemandReport,
  type DemandRow,
  type FunnelReport,
  type FunnelRow,
  type GroupBy,
  type LostReasonsReport,
  type LostReasonsRow,
  type DurationStats,
  type TimeInStatusReport,
  type TimeInStatusRow,
  type FollowUpsReport,
  type FollowUpsRow,
  type SummaryReport,
  type WinRateReport,
  type WinRateRow,
} from './analytics.schemas.js';
import {
  LocalCalendar,
  localDay,
  monthOfLocalDay,
  weekOfLocalDay,
  type DayEndSegment,
  type OffsetFrom,
} from './local-time.js';

export type ReportName =
  'funnel' | 'win-rate' | 'time-in-status' | 'lost-reasons' | 'demand' | 'follow-ups' | 'summary';

/** The groupings each report accepts; `reason` means something only where leads are lost. */
const WITHOUT_REASON = GROUP_BYS.filter((groupBy) => groupBy !== 'reason');
export const GROUP_BYS_OF: Record<ReportName, readonly GroupBy[]> = {
  funnel: WITHOUT_REASON,
  'win-rate': WITHOUT_REASON,
  'time-in-status': WITHOUT_REASON,
  'lost-reasons': GROUP_BYS,
  demand: GROUP_BYS,
  'follow-ups': WITHOUT_REASON,
  summary: [],
};

/** How many items the demand report lists per group, and stores per item. */
export const DEMAND_ITEMS_MAX = 100;
export const DEMAND_TOP_STORES = 3;

/**
 * What a report takes of the org's read budget (ORG_READ_BUDGET, 10 by default): as much as a
 * list of 500 leads, so that the org's reports queue behind each other while its tills' lists
 * still go through beside one.
 */
const REPORT_READ_WEIGHT = 5;

/** What the store groups by for each grouping but weeks and months ({@link creationDays}). */
const RAW_DIMENSION_OF: Record<Exclude<GroupBy, 'week' | 'month'>, RawDimension> = {
  store: 'creator',
  zone: 'creator',
  owner: 'owner',
  channel: 'channel',
  type: 'type',
  leadFor: 'leadFor',
  reason: 'reason',
};

type Prepared = {
  calendar: LocalCalendar;
  filters: ReportFilters;
  groupBy: GroupBy | null;
  timeZone: string;
  /** The client's group of a raw key (an entity id, a local day for weeks and months…). */
  groupOf: (key: RawKey) => string | null;
  /** The store a lead's creator belongs to (its own code when it is one), or null. */
  storeOf: (creator: number) => string | null;
  /** The ids of the org's entities, when the report names stores, zones or owners. */
  creators: readonly number[];
};

/** Checks the query, then reads what folding raw keys into the client's groups needs. */
async function prepare(
  db: Db,
  orgId: number,
  report: ReportName,
  query: AnalyticsQuery,
): Promise<Prepared> {
  const errors = new FieldErrors();
  if ((query.entityType === undefined) !== (query.entityCode === undefined)) {
    errors.add('FIELD_CONFLICT', 'entityType and entityCode must be given together');
  }
  const from = query.from === undefined ? undefined : parseDateTime(query.from);
  const to = query.to === undefined ? undefined : parseDateTime(query.to);
  if (from !== undefined && to !== undefined && to <= from) {
    errors.add('FIELD_INVALID_VALUE', 'to: must be after from');
  }
  const groupBy = query.groupBy ?? null;
  if (groupBy !== null && !GROUP_BYS_OF[report].includes(groupBy)) {
    errors.add(
      'FIELD_INVALID_VALUE',
      GROUP_BYS_OF[report].length === 0
        ? `groupBy: ${report} is not grouped; leave groupBy out`
        : `groupBy: ${report} groups by ${GROUP_BYS_OF[report].join(', ')}, not ${groupBy}`,
    );
  }
  errors.throwIfAny();

  // The entity tree only when a store, zone or owner has to be named.
  const needsEntities =
    report === 'demand' || groupBy === 'store' || groupBy === 'zone' || groupBy === 'owner';
  const [timeZone, entities] = await Promise.all([
    orgTimeZone(db, orgId),
    needsEntities ? orgEntities(db, orgId) : Promise.resolve([]),
  ]);
  const calendar = new LocalCalendar(timeZone ?? 'UTC');
  const byId = new Map(entities.map((e) => [Number(e.id), e]));
  const ancestorOfType = (id: number, type: string): string | null => {
    // Bounded by the org's size, so a (never expected) cycle in the tree cannot spin forever.
    let at = byId.get(id);
    for (let hops = 0; at !== undefined && hops <= byId.size; hops += 1) {
      if (at.type === type) return at.code;
      at = at.parent_id === null ? undefined : byId.get(Number(at.parent_id));
    }
    return null;
  };
  const storeOf = (creator: number) => ancestorOfType(creator, 'STORE');
  const codeOf = (key: RawKey) => (key === null ? null : (byId.get(Number(key))?.code ?? null));

  let groupOf: Prepared['groupOf'] = () => null;
  if (groupBy === 'store') groupOf = (key) => (key === null ? null : storeOf(Number(key)));
  else if (groupBy === 'zone')
    groupOf = (key) => (key === null ? null : ancestorOfType(Number(key), 'ZONE'));
  else if (groupBy === 'owner') groupOf = codeOf;
  else if (groupBy === 'type' || groupBy === 'leadFor') {
    groupOf = (key) => (key === null ? null : String(key));
  } else if (groupBy === 'week') {
    groupOf = (key) => (key === null ? null : weekOfLocalDay(Number(key)));
  } else if (groupBy === 'month') {
    groupOf = (key) => (key === null ? null : monthOfLocalDay(Number(key)));
  } else if (groupBy === 'channel') {
    const names = new Map((await orgChannels(db, orgId)).map((c) => [c.source_id, c.name]));
    groupOf = (key) => (key === null ? null : (names.get(Number(key)) ?? String(key)));
  } else if (groupBy === 'reason') {
    const names = new Map((await orgReasons(db, orgId)).map((r) => [Number(r.id), r.reason]));
    groupOf = (key) => (key === null ? null : (names.get(Number(key)) ?? null));
  }
  return {
    calendar,
    filters: {
      from,
      to,
      ownerId: query.owner,
      orgSourceId: query.orgSourceId,
      type: query.type,
      createdUnder:
        query.entityType !== undefined && query.entityCode !== undefined
          ? { type: query.entityType, code: query.entityCode }
          : undefined,
    },
    groupBy,
    timeZone: timeZone ?? 'UTC',
    groupOf,
    storeOf,
    creators: [...byId.keys()],
  };
}

/** Runs one report within the org's read budget (reports are the heaviest reads there are). */
export async function runReport<T>(
  ctx: AppContext,
  caller: Caller,
  report: ReportName,
  query: AnalyticsQuery,
  build: (db: Db, orgId: number, prepared: Prepared) => Promise<T>,
): Promise<T> {
  const prepared = await prepare(ctx.store.db, caller.orgId, report, query);
  const release = await ctx.orgReadBudget.acquire(caller.orgId, REPORT_READ_WEIGHT);
  try {
    // On SQLite the report's statements run on the reader threads (docs/analytics.md, Speed).
    return await build(ctx.store.reportDb, caller.orgId, prepared);
  } finally {
    release();
  }
}

/** The zone's offsets over the matching leads' creation instants, and their first and last local day. */
type CreationDays = { offsets: OffsetFrom[]; firstDay: number; lastDay: number };

/** One read of the creation range per report, however many of its statements group by day. */
const creationDaysOf = new WeakMap<Prepared, Promise<CreationDays | undefined>>();

/** The local days weeks and months group by; undefined when no lead matches. */
function creationDays(db: Db, orgId: number, p: Prepared): Promise<CreationDays | undefined> {
  let days = creationDaysOf.get(p);
  if (days === undefined) {
    days = creationRange(db, orgId, p.filters).then((range) => {
      if (range === undefined) return undefined;
      const offsets = p.calendar.offsetsOver(range.first, range.last);
      return {
        offsets,
        firstDay: localDay(range.first, offsets[0]?.offset ?? 0),
        lastDay: localDay(range.last, offsets.at(-1)?.offset ?? 0),
      };
    });
    creationDaysOf.set(p, days);
  }
  return days;
}

/**
 * How a report whose rows can be summed (funnel, win rate, lost reasons, demand, the follow-ups'
 * lead counts) groups its leads in the store, for {@link Prepared.groupOf} to fold: weeks and
 * months by the local day of creation (a row per day, folded into its week or month), the rest
 * by their raw dimension.
 */
async function summedGroup(db: Db, orgId: number, p: Prepared): Promise<GroupKey> {
  if (p.groupBy === 'week' || p.groupBy === 'month') {
    const days = await creationDays(db, orgId, p);
    // No lead matches: the statement answers no row, whatever its key.
    return days === undefined ? byDimension('none') : byLocalDay(days.offsets);
  }
  return byDimension(p.groupBy === null ? 'none' : RAW_DIMENSION_OF[p.groupBy]);
}

/** `part / whole` to four decimals; null when there is no whole. */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** Sums rows into their client groups (in no particular order: {@link ordered} sorts them). */
function fold<R extends { k: RawKey }, A>(
  rows: R[],
  groupOf: (key: RawKey) => string | null,
  empty: () => A,
  add: (into: A, row: R) => void,
): Map<string | null, A> {
  const groups = new Map<string | null, A>();
  for (const row of rows) {
    const group = groupOf(row.k);
    let into = groups.get(group);
    if (into === undefined) {
      into = empty();
      groups.set(group, into);
    }
    add(into, row);
  }
  return groups;
}

/**
 * Groups in their report order: weeks and months in time order; anything else by `size`, largest
 * first, ties by group, leads without a group (null) last.
 */
function ordered<A>(
  groups: Map<string | null, A>,
  groupBy: GroupBy | null,
  size: (a: A) => number,
): Array<[string | null, A]> {
  const entries = [...groups];
  if (groupBy === 'week' || groupBy === 'month') {
    return entries.sort(([a], [b]) => compareGroups(a, b));
  }
  return entries.sort(([a, x], [b, y]) => size(y) - size(x) || compareGroups(a, b));
}

type FunnelSums = Omit<FunnelRow, 'group' | 'conversion'> & { onHoldThenWon: number };

function funnelRow(group: string | null, sums: FunnelSums): FunnelRow {
  const { onHoldThenWon, ...counts } = sums;
  return {
    group,
    ...counts,
    conversion: {
      createdToOnHold: ratio(sums.reached.onHold, sums.created),
      onHoldToWon: ratio(onHoldThenWon, sums.reached.onHold),
      createdToWon: ratio(sums.reached.won, sums.created),
      createdToLost: ratio(sums.reached.lost, sums.created),
    },
  };
}

export function funnelReport(ctx: AppContext, caller: Caller, query: AnalyticsQuery) {
  return runReport(ctx, caller, 'funnel', query, async (db, orgId, p): Promise<FunnelReport> => {
    const rows = await funnelCounts(db, orgId, p.filters, await summedGroup(db, orgId, p));
    const empty = (): FunnelSums => ({
      created: 0,
      reached: { onHold: 0, won: 0, lost: 0, deleted: 0 },
      current: { open: 0, onHold: 0, won: 0, lost: 0, deleted: 0 },
      onHoldThenWon: 0,
    });
    const add = (into: FunnelSums, row: (typeof rows)[number]) => {
      into.created += row.created;
      into.reached.onHold += row.reached_on_hold;
      into.reached.won += row.reached_won;
      into.reached.lost += row.reached_lost;
      into.reached.deleted += row.reached_deleted;
      into.onHoldThenWon += row.on_hold_then_won;
      into.current.open += row.open;
      into.current.onHold += row.on_hold;
      into.current.won += row.won;
      into.current.lost += row.lost;
      into.current.deleted += row.deleted;
    };
    const total = fold(rows, () => null, empty, add).get(null) ?? empty();
    const groups =
      p.groupBy === null
        ? []
        : ordered(fold(rows, p.groupOf, empty, add), p.groupBy, (s) => s.created).map(
            ([group, sums]) => funnelRow(group, sums),
          );
    return { groupBy: p.groupBy, timeZone: p.timeZone, total: funnelRow(null, total), groups };
  });
}

function winRateRow(group: string | null, won: number, lost: number): WinRateRow {
  return { group, won, lost, closed: won + lost, winRate: ratio(won, won + lost) };
}

export function winRateReport(ctx: AppContext, caller: Caller, query: AnalyticsQuery) {
  return runReport(ctx, caller, 'win-rate', query, async (db, orgId, p): Promise<WinRateReport> => {
    const rows = await winRateCounts(db, orgId, p.filters, await summedGroup(db, orgId, p));
    const empty = () => ({ won: 0, lost: 0 });
    const add = (into: { won: number; lost: number }, row: (typeof rows)[number]) => {
      into.won += row.won;
      into.lost += row.lost;
    };
    const total = fold(rows, () => null, empty, add).get(null) ?? empty();
    const groups =
      p.groupBy === null
        ? []
        : ordered(fold(rows, p.groupOf, empty, add), p.groupBy, (s) => s.won + s.lost).map(
            ([group, s]) => winRateRow(group, s.won, s.lost),
          );
    return {
      groupBy: p.groupBy,
      timeZone: p.timeZone,
      total: winRateRow(null, total.won, total.lost),
      groups,
    };
  });
}

function lostReasonsRow(group: string | null, counts: Map<string, LostCount>): LostReasonsRow {
  const lost = [...counts.values()].reduce((sum, c) => sum + c.count, 0);
  const reasons = [...counts.values()]
    .sort(
      (a, b) =>
        b.count - a.count ||
        compareText(a.reason, b.reason) ||
        compareText(a.subStatus ?? '', b.subStatus ?? ''),
    )
    .map((c) => ({ ...c, share: ratio(c.count, lost) }));
  return { group, lost, reasons };
}

type LostCount = { reason: string; subStatus: string | null; count: number };

/** Code-point order, the same on every machine (unlike a locale's collation). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Groups (and stores) by their text, the null one last. */
function compareGroups(a: string | null, b: string | null): number {
  return a === b ? 0 : a === null ? 1 : b === null ? -1 : compareText(a, b);
}

export function lostReasonsReport(ctx: AppContext, caller: Caller, query: AnalyticsQuery) {
  return runReport(
    ctx,
    caller,
    'lost-reasons',
    query,
    async (db, orgId, p): Promise<LostReasonsReport> => {
      const rows = await lostReasonCounts(db, orgId, p.filters, await summedGroup(db, orgId, p));
      const empty = () => new Map<string, LostCount>();
      const add = (into: Map<string, LostCount>, row: (typeof rows)[number]) => {
        const key = JSON.stringify([row.reason, row.sub_status]);
        const at = into.get(key) ?? { reason: row.reason, subStatus: row.sub_status, count: 0 };
        at.count += row.count;
        into.set(key, at);
      };
      const total = fold(rows, () => null, empty, add).get(null) ?? empty();
      const size = (m: Map<string, LostCount>) =>
        [...m.values()].reduce((sum, c) => sum + c.count, 0);
      const groups =
        p.groupBy === null
          ? []
          : ordered(fold(rows, p.groupOf, empty, add), p.groupBy, size).map(([group, m]) =>
              lostReasonsRow(group, m),
            );
      return {
        groupBy: p.groupBy,
        timeZone: p.timeZone,
        total: lostReasonsRow(null, total),
        groups,
      };
    },
  );
}

type DemandSums = Map<
  string,
  {
    type: LeadType;
    leadFor: string;
    lost: number;
    open: number;
    stores: Map<string | null, number>;
  }
>;

function demandRow(group: string | null, sums: DemandSums): DemandRow {
  const items = [...sums.values()].map((item) => ({
    type: item.type,
    leadFor: item.leadFor,
    count: item.lost + item.open,
    lost: item.lost,
    open: item.open,
    topStores: [...item.stores]
      .sort(([a, x], [b, y]) => y - x || compareGroups(a, b))
      .slice(0, DEMAND_TOP_STORES)
      .map(([store, count]) => ({ store, count })),
  }));
  items.sort(
    (a, b) => b.count - a.count || compareText(a.type, b.type) || compareText(a.leadFor, b.leadFor),
  );
  return {
    group,
    count: items.reduce((sum, item) => sum + item.count, 0),
    items: items.slice(0, DEMAND_ITEMS_MAX),
  };
}

export function demandReport(ctx: AppContext, caller: Caller, query: AnalyticsQuery) {
  return runReport(ctx, caller, 'demand', query, async (db, orgId, p): Promise<DemandReport> => {
    const rows = await demandCounts(db, orgId, p.filters, await summedGroup(db, orgId, p));
    const empty = (): DemandSums => new Map();
    const add = (into: DemandSums, row: (typeof rows)[number]) => {
      const key = JSON.stringify([row.type, row.lead_for]);
      let item = into.get(key);
      if (item === undefined) {
        item = { type: row.type, leadFor: row.lead_for, lost: 0, open: 0, stores: new Map() };
        into.set(key, item);
      }
      item.lost += row.lost;
      item.open += row.open;
      const store = p.storeOf(row.creator);
      item.stores.set(store, (item.stores.get(store) ?? 0) + row.lost + row.open);
    };
    const total = fold(rows, () => null, empty, add).get(null) ?? empty();
    const size = (m: DemandSums) => [...m.values()].reduce((sum, i) => sum + i.lost + i.open, 0);
    const groups =
      p.groupBy === null
        ? []
        : ordered(fold(rows, p.groupOf, empty, add), p.groupBy, size).map(([group, sums]) =>
            demandRow(group, sums),
          );
    return { groupBy: p.groupBy, timeZone: p.timeZone, total: demandRow(null, total), groups };
  });
}

/**
 * The `p`-quantile of ascending `sorted` by linear interpolation between the nearest ranks (as
 * PostgreSQL's `percentile_cont`): the median of 1, 2, 3, 10 is 2.5.
 */
export function quantile(sorted: readonly number[], p: number): number {
  const at = (sorted.length - 1) * p;
  const below = Math.floor(at);
  const low = sorted[below] ?? 0;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] ?? low;
  return low + (high - low) * (at - below);
}

const hours = (ms: number) => Math.round((ms / HOUR_MS) * 100) / 100;

export function durationStats(durations: number[]): DurationStats {
  if (durations.length === 0) {
    return { count: 0, p50Hours: null, p90Hours: null, meanHours: null };
  }
  const sorted = [...durations].sort((a, b) => a - b);
  const sum = sorted.reduce((total, d) => total + d, 0);
  return {
    count: sorted.length,
    p50Hours: hours(quantile(sorted, 0.5)),
    p90Hours: hours(quantile(sorted, 0.9)),
    meanHours: hours(sum / sorted.length),
  };
}

/** A measure's summary in hours, from the store's in milliseconds. */
function durationSummary(of: DurationAggregate | undefined): DurationStats {
  if (of === undefined || of.count === 0) {
    return { count: 0, p50Hours: null, p90Hours: null, meanHours: null };
  }
  const inHours = (ms: number | null) => (ms === null ? null : hours(ms));
  return {
    count: of.count,
    p50Hours: inHours(of.p50),
    p90Hours: inHours(of.p90),
    meanHours: inHours(of.mean),
  };
}

function timeInStatusRow(group: string | null, row: TimeInStatusAggregates | undefined) {
  const measure = (name: string) => durationSummary(row?.measures.get(name));
  return {
    group,
    leads: row?.leads ?? 0,
    statuses: LEAD_STATUS_ORDER.map((status) => ({
      status,
      closed: measure(`${status}_closed`),
      open: measure(`${status}_open`),
    })),
    firstFollowUp: { ...measure('first_follow_up'), withoutFollowUp: row?.withoutFollowUp ?? 0 },
    creationToWon: measure('to_won'),
    creationToLost: measure('to_lost'),
  } satisfies TimeInStatusRow;
}

/**
 * How a report with percentiles (time in status, follow-ups) groups its leads in the store, and
 * each group's name. Percentiles cannot be folded afterwards as counts are, so stores and zones
 * (a store's creators) and weeks and months (their local days) are grouped by through a group
 * index of the org's creators or days.
 */
async function percentileGroups(
  db: Db,
  orgId: number,
  p: Prepared,
): Promise<{ group: GroupKey; nameOf: (k: RawKey) => string | null }> {
  const indexed = (names: Array<[number, string | null]>) => {
    const at = new Map<string, number>();
    const index: Array<[number, number]> = [];
    for (const [key, name] of names) {
      if (name === null) continue;
      if (!at.has(name)) at.set(name, at.size);
      index.push([key, at.get(name) as number]);
    }
    const byAt = [...at.keys()];
    return { index, nameOf: (k: RawKey) => (k === null ? null : (byAt[Number(k)] ?? null)) };
  };
  if (p.groupBy === 'store' || p.groupBy === 'zone') {
    const { index, nameOf } = indexed(p.creators.map((id) => [id, p.groupOf(id)]));
    return { group: byCreatorIndex(index), nameOf };
  }
  if (p.groupBy === 'week' || p.groupBy === 'month') {
    const days = await creationDays(db, orgId, p);
    if (days === undefined) return { group: byDimension('none'), nameOf: () => null };
    const names: Array<[number, string | null]> = [];
    for (let day = days.firstDay; day <= days.lastDay; day += 1) names.push([day, p.groupOf(day)]);
    const { index, nameOf } = indexed(names);
    return { group: byLocalDayIndex(days.offsets, index), nameOf };
  }
  return { group: await summedGroup(db, orgId, p), nameOf: p.groupOf };
}

export function timeInStatusReport(ctx: AppContext, caller: Caller, query: AnalyticsQuery) {
  return runReport(
    ctx,
    caller,
    'time-in-status',
    query,
    async (db, orgId, p): Promise<TimeInStatusReport> => {
      const now = ctx.clock.now();
      const { group, nameOf } = await percentileGroups(db, orgId, p);
      // The total is a statement of its own: its percentiles are not its groups'.
      const [totals, rows] = await Promise.all([
        timeInStatusAggregates(db, orgId, p.filters, byDimension('none'), now),
        p.groupBy === null
          ? Promise.resolve([])
          : timeInStatusAggregates(db, orgId, p.filters, group, now),
      ]);
      const groups = new Map(rows.map((row) => [nameOf(row.k), row]));
      return {
        groupBy: p.groupBy,
        timeZone: p.timeZone,
        total: timeInStatusRow(null, totals[0]),
        groups: ordered(groups, p.groupBy, (row) => row.leads).map(([name, row]) =>
          timeInStatusRow(name, row),
        ),
      };
    },
  );
}

type FollowUpSums = {
  dueToday: number;
  overdue: FollowUpsRow['overdue'];
  onTime: number;
  late: number;
  lateP50: number | null;
  unscheduled: number;
  closed: number;
  autoClosed: number;
};

function emptyFollowUpSums(): FollowUpSums {
  return {
    dueToday: 0,
    overdue: { count: 0, upTo1Day: 0, upTo3Days: 0, upTo7Days: 0, moreThan7Days: 0 },
    onTime: 0,
    late: 0,
    lateP50: null,
    unscheduled: 0,
    closed: 0,
    autoClosed: 0,
  };
}

function followUpsRow(group: string | null, sums: FollowUpSums): FollowUpsRow {
  return {
    group,
    dueToday: sums.dueToday,
    overdue: sums.overdue,
    done: {
      onTime: sums.onTime,
      late: sums.late,
      unscheduled: sums.unscheduled,
      onTimeShare: ratio(sums.onTime, sums.onTime + sums.late),
      lateP50Hours: sums.lateP50 === null ? null : hours(sums.lateP50),
    },
    autoClose: {
      closed: sums.closed,
      autoClosed: sums.autoClosed,
      share: ratio(sums.autoClosed, sums.closed),
    },
  };
}

/**
 * The years before and after now whose local days the store places follow-ups in; a follow-up
 * scheduled earlier sends its report to {@link doneInProcess}. Their day ends are worked out once
 * per zone and year (30 years of New York's rules take about 0.1 s).
 */
const DAY_END_YEARS_BEFORE = 30;
const DAY_END_YEARS_AFTER = 10;
const dayEndsByZoneAndYear = new Map<string, { segments: DayEndSegment[]; end: number }>();

function dayEndsAround(calendar: LocalCalendar, now: number) {
  const year = new Date(now).getUTCFullYear();
  const key = `${calendar.timeZone} ${year}`;
  let dayEnds = dayEndsByZoneAndYear.get(key);
  if (dayEnds === undefined) {
    // Not before 1970-01-03: the store's division truncates toward zero, so the local instant
    // (scheduled plus the offset, which is never more than 12 hours behind UTC) must not be
    // negative.
    const first = Math.max(Date.UTC(year - DAY_END_YEARS_BEFORE, 0, 1), 2 * DAY_MS);
    const end = Date.UTC(year + DAY_END_YEARS_AFTER + 1, 0, 1);
    dayEnds = { segments: calendar.dayEndSegments(first, end), end };
    // A process lives through few zones and years; keep the map from growing without bound.
    if (dayEndsByZoneAndYear.size >= 1000) dayEndsByZoneAndYear.clear();
    dayEndsByZoneAndYear.set(key, dayEnds);
  }
  return dayEnds;
}

/**
 * Follow-ups done on time and late, placed in their local days by the process: for a report with
 * a follow-up the store's day ends do not reach and that is not plainly on time (see
 * {@link followUpDiscipline}): scheduled more than {@link DAY_END_YEARS_BEFORE} years ago and
 * done after its scheduled instant, or scheduled and done more than {@link DAY_END_YEARS_AFTER}
 * years from now. It reads every scheduled follow-up of the matching leads.
 */
async function doneInProcess(
  db: Db,
  orgId: number,
  p: Prepared,
  group: GroupKey,
  sumsOf: (group: string | null) => FollowUpSums[],
) {
  const lateBy = new Map<FollowUpSums, number[]>();
  for (const row of await scheduledFollowUps(db, orgId, p.filters, group)) {
    const deadline = p.calendar.endOfDayOf(row.scheduled);
    for (const sums of sumsOf(p.groupOf(row.k))) {
      if (row.done < deadline) sums.onTime += 1;
      else {
        sums.late += 1;
        let late = lateBy.get(sums);
        if (late === undefined) lateBy.set(sums, (late = []));
        late.push(row.done - deadline);
      }
    }
  }
  for (const [sums, late] of lateBy) {
    sums.lateP50 = quantile(
      late.sort((a, b) => a - b),
      0.5,
    );
  }
}

export function followUpsReport(ctx: AppContext, caller: Caller, query: AnalyticsQuery) {
  return runReport(
    ctx,
    caller,
    'follow-ups',
    query,
    async (db, orgId, p): Promise<FollowUpsReport> => {
      const now = ctx.clock.now();
      const endOfToday = p.calendar.startOfNextDay(now);
      const dayEnds = dayEndsAround(p.calendar, now);
      const [{ group, nameOf }, summed] = await Promise.all([
        percentileGroups(db, orgId, p),
        summedGroup(db, orgId, p),
      ]);
      // The total is a statement of its own: its median is not its groups'.
      const [leads, totals, rows] = await Promise.all([
        followUpLeadCounts(db, orgId, p.filters, summed, { now, endOfToday }),
        followUpDiscipline(db, orgId, p.filters, byDimension('none'), dayEnds),
        p.groupBy === null
          ? Promise.resolve([])
          : followUpDiscipline(db, orgId, p.filters, group, dayEnds),
      ]);
      const total = emptyFollowUpSums();
      const groups = new Map<string | null, FollowUpSums>();
      const sumsOf = (name: string | null): FollowUpSums[] => {
        if (p.groupBy === null) return [total];
        let sums = groups.get(name);
        if (sums === undefined) {
          sums = emptyFollowUpSums();
          groups.set(name, sums);
        }
        return [total, sums];
      };
      for (const row of leads) {
        for (const sums of sumsOf(p.groupOf(row.k))) {
          sums.dueToday += row.due_today;
          sums.overdue.upTo1Day += row.overdue_1d;
          sums.overdue.upTo3Days += row.overdue_3d;
          sums.overdue.upTo7Days += row.overdue_7d;
          sums.overdue.moreThan7Days += row.overdue_more;
          sums.overdue.count += row.overdue_1d + row.overdue_3d + row.overdue_7d + row.overdue_more;
          sums.closed += row.closed;
          sums.autoClosed += row.auto_closed;
        }
      }
      const done = (sums: FollowUpSums, row: FollowUpDiscipline) => {
        sums.onTime += row.onTime;
        sums.late += row.late;
        sums.lateP50 = row.lateP50;
        sums.unscheduled += row.unscheduled;
      };
      const [totalDone] = totals;
      if (totalDone !== undefined) {
        done(total, totalDone);
        for (const row of rows) {
          const [, sums] = sumsOf(nameOf(row.k));
          if (sums !== undefined) done(sums, row);
        }
      }
      if (totalDone !== undefined && totalDone.outside > 0) {
        for (const sums of [total, ...groups.values()]) {
          Object.assign(sums, { onTime: 0, late: 0, lateP50: null });
        }
        await doneInProcess(db, orgId, p, summed, sumsOf);
      }
      const size = (s: FollowUpSums) => s.overdue.count + s.dueToday + s.onTime + s.late;
      return {
        groupBy: p.groupBy,
        timeZone: p.timeZone,
        total: followUpsRow(null, total),
        groups: ordered(groups, p.groupBy, size).map(([group, sums]) => followUpsRow(group, sums)),
      };
    },
  );
}

/**
 * The headline numbers a dashboard shows first, from the other reports over the same filters
 * (each taking its turn of the org's read budget, one after another).
 */
export async function summaryReport(
  ctx: AppContext,
  caller: Caller,
  query: AnalyticsQuery,
): Promise<SummaryReport> {
  // Checks the query as every report does (and refuses groupBy) before any report runs.
  await prepare(ctx.store.db, caller.orgId, 'summary', query);
  const funnel = await funnelReport(ctx, caller, query);
  const winRate = await winRateReport(ctx, caller, query);
  const times = await timeInStatusReport(ctx, caller, query);
  const followUps = await followUpsReport(ctx, caller, query);
  const lost = await lostReasonsReport(ctx, caller, query);
  const demand = await demandReport(ctx, caller, query);
  const current = funnel.total.current;
  const topReason = lost.total.reasons[0];
  const topItem = demand.total.items[0];
  return {
    timeZone: funnel.timeZone,
    leads: {
      created: funnel.total.created,
      open: current.open + current.onHold,
      won: current.won,
      lost: current.lost,
    },
    winRate: winRate.total.winRate,
    creationToWonP50Hours: times.total.creationToWon.p50Hours,
    followUps: {
      dueToday: followUps.total.dueToday,
      overdue: followUps.total.overdue.count,
      onTimeShare: followUps.total.done.onTimeShare,
    },
    autoClosedShare: followUps.total.autoClose.share,
    topLostReason:
      topReason === undefined
        ? null
        : { reason: topReason.reason, count: topReason.count, share: topReason.share },
    topDemand:
      topItem === undefined
        ? null
        : { type: topItem.type, leadFor: topItem.leadFor, count: topItem.count },
  };
}
