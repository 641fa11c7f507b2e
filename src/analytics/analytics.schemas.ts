import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ENTITY_TYPES, LEAD_STATUSES, LEAD_TYPES } from '../db/schema.js';
import { DateTime, Id, StringEnum, named } from '../http/schemas.js';

/** Every dimension a report can be grouped by; each report accepts the ones that apply to it. */
export const GROUP_BYS = [
  'store',
  'zone',
  'owner',
  'channel',
  'type',
  'leadFor',
  'reason',
  'week',
  'month',
] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** The filters every report takes: the lead list's, plus the created-on range. */
export const AnalyticsQuery = Type.Object({
  from: Type.Optional({ ...DateTime, description: 'Leads created at or after this instant.' }),
  to: Type.Optional({ ...DateTime, description: 'Leads created before this instant.' }),
  entityType: Type.Optional(StringEnum(ENTITY_TYPES)),
  entityCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  owner: Type.Optional(Id),
  orgSourceId: Type.Optional(Type.Integer({ minimum: -1, maximum: 2147483647 })),
  type: Type.Optional(StringEnum(LEAD_TYPES)),
  groupBy: Type.Optional(StringEnum(GROUP_BYS)),
});
export type AnalyticsQuery = Static<typeof AnalyticsQuery>;

const Count = Type.Integer({ minimum: 0 });
/** A share or rate from 0 to 1 (four decimals); null when its denominator is zero. */
const Ratio = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]);
const GroupKey = Type.Union([Type.String(), Type.Null()], {
  description:
    'The group: an entity code (store, zone, owner), a channel name, a lead type, a `leadFor`, a reason, ' +
    'the Monday a week starts on (`YYYY-MM-DD`) or a month (`YYYY-MM`), in the org’s time zone. ' +
    'null: leads without one (no owner, not under a store or zone); null for the total.',
});

/** The header every report shares: how it was grouped and which time zone its dates follow. */
function report<T extends TSchema>(name: string, description: string, row: T) {
  return named(
    name,
    Type.Object(
      {
        groupBy: Type.Union([StringEnum(GROUP_BYS), Type.Null()]),
        timeZone: Type.String({ description: 'The org’s time zone (IANA); UTC unless set.' }),
        total: row,
        groups: Type.Array(row, { description: 'One row per group; empty without `groupBy`.' }),
      },
      { description },
    ),
  );
}

export const FunnelRow = Type.Object({
  group: GroupKey,
  created: Count,
  reached: Type.Object(
    { onHold: Count, won: Count, lost: Count, deleted: Count },
    { description: 'Leads whose status log holds the status at any time.' },
  ),
  current: Type.Object(
    { open: Count, onHold: Count, won: Count, lost: Count, deleted: Count },
    { description: 'Leads by their status now.' },
  ),
  conversion: Type.Object(
    {
      createdToOnHold: Ratio,
      onHoldToWon: Ratio,
      createdToWon: Ratio,
      createdToLost: Ratio,
    },
    { description: 'Step to step: the later step’s leads among the earlier step’s.' },
  ),
});
export type FunnelRow = Static<typeof FunnelRow>;
export const FunnelReport = report(
  'FunnelReport',
  'Leads created and how far they got.',
  FunnelRow,
);
export type FunnelReport = Static<typeof FunnelReport>;

export const WinRateRow = Type.Object({
  group: GroupKey,
  won: Count,
  lost: Count,
  closed: Count,
  winRate: Ratio,
});
export type WinRateRow = Static<typeof WinRateRow>;
export const WinRateReport = report(
  'WinRateReport',
  'WON / (WON + LOST) of the leads whose status now is WON or LOST; by cohort with groupBy week or month.',
  WinRateRow,
);
export type WinRateReport = Static<typeof WinRateReport>;

export const LostReason = Type.Object({
  reason: Type.String(),
  subStatus: Type.Union([Type.String(), Type.Null()]),
  count: Count,
  share: Ratio,
});
export const LostReasonsRow = Type.Object({
  group: GroupKey,
  lost: Count,
  reasons: Type.Array(LostReason, {
    description: 'By reason and sub-status, most leads first (ties by reason, then sub-status).',
  }),
});
export type LostReasonsRow = Static<typeof LostReasonsRow>;
export const LostReasonsReport = report(
  'LostReasonsReport',
  'LOST leads by the reason and sub-status of the change that lost them.',
  LostReasonsRow,
);
export type LostReasonsReport = Static<typeof LostReasonsReport>;

export const DemandStore = Type.Object({
  store: Type.Union([Type.String(), Type.Null()]),
  count: Count,
});
export const DemandItem = Type.Object({
  type: StringEnum(LEAD_TYPES),
  leadFor: Type.String(),
  count: Count,
  lost: Count,
  open: Count,
  topStores: Type.Array(DemandStore, {
    description: 'The stores asking most for it (at most 3), most first.',
  }),
});
export const DemandRow = Type.Object({
  group: GroupKey,
  count: Count,
  items: Type.Array(DemandItem, {
    description: 'Most asked for first (ties by type, then leadFor); at most 100.',
  }),
});
export type DemandRow = Static<typeof DemandRow>;
export const DemandReport = report(
  'DemandReport',
  'What shoppers asked for that the store could not sell: leads LOST for a reason the org marks "not available", and leads still OPEN or ON_HOLD.',
  DemandRow,
);
export type DemandReport = Static<typeof DemandReport>;

const Hours = Type.Union([Type.Number({ minimum: 0 }), Type.Null()]);
export const DurationStats = Type.Object(
  { count: Count, p50Hours: Hours, p90Hours: Hours, meanHours: Hours },
  { description: 'Hours to two decimals; null without any duration.' },
);
export type DurationStats = Static<typeof DurationStats>;
export const TimeInStatusRow = Type.Object({
  group: GroupKey,
  leads: Count,
  statuses: Type.Array(
    Type.Object({
      status: StringEnum(LEAD_STATUSES),
      closed: { ...DurationStats, description: 'Finished stays in the status.' },
      open: { ...DurationStats, description: 'Leads in the status now: how long so far.' },
    }),
    { description: 'Every status, in the order OPEN, ON_HOLD, WON, LOST, DELETED.' },
  ),
  firstFollowUp: Type.Object({
    ...DurationStats.properties,
    withoutFollowUp: Type.Integer({ minimum: 0, description: 'Leads never followed up.' }),
  }),
  creationToWon: DurationStats,
  creationToLost: DurationStats,
});
export type TimeInStatusRow = Static<typeof TimeInStatusRow>;
export const TimeInStatusReport = report(
  'TimeInStatusReport',
  'How long leads stay in each status, wait for their first follow-up, and take to be won or lost.',
  TimeInStatusRow,
);
export type TimeInStatusReport = Static<typeof TimeInStatusReport>;

export const FollowUpsRow = Type.Object({
  group: GroupKey,
  dueToday: Type.Integer({
    minimum: 0,
    description: 'Open leads whose next follow-up is from now to the end of the org’s today.',
  }),
  overdue: Type.Object(
    {
      count: Count,
      upTo1Day: Count,
      upTo3Days: Count,
      upTo7Days: Count,
      moreThan7Days: Count,
    },
    { description: 'Open leads whose next follow-up has passed, by how long ago.' },
  ),
  done: Type.Object(
    {
      onTime: Count,
      late: Count,
      unscheduled: Count,
      onTimeShare: Ratio,
      lateP50Hours: Hours,
    },
    {
      description:
        'Follow-ups done: on time when no later than the org’s local day they were scheduled for.',
    },
  ),
  autoClose: Type.Object(
    { closed: Count, autoClosed: Count, share: Ratio },
    { description: 'Leads WON or LOST now, and those of them closed by auto-close.' },
  ),
});
export type FollowUpsRow = Static<typeof FollowUpsRow>;
export const FollowUpsReport = report(
  'FollowUpsReport',
  'Follow-up discipline: what is due today, what is overdue, what was done on time, and how many leads were left to auto-close.',
  FollowUpsRow,
);
export type FollowUpsReport = Static<typeof FollowUpsReport>;

export const SummaryReport = named(
  'SummaryReport',
  Type.Object(
    {
      timeZone: Type.String({ description: 'The org’s time zone (IANA); UTC unless set.' }),
      leads: Type.Object({
        created: Count,
        open: Type.Integer({ minimum: 0, description: 'OPEN or ON_HOLD now.' }),
        won: Count,
        lost: Count,
      }),
      winRate: Ratio,
      creationToWonP50Hours: Hours,
      followUps: Type.Object({ dueToday: Count, overdue: Count, onTimeShare: Ratio }),
      autoClosedShare: Ratio,
      topLostReason: Type.Union([
        Type.Object({ reason: Type.String(), count: Count, share: Ratio }),
        Type.Null(),
      ]),
      topDemand: Type.Union([
        Type.Object({ type: StringEnum(LEAD_TYPES), leadFor: Type.String(), count: Count }),
        Type.Null(),
      ]),
    },
    {
      description: 'The headline figures of the other reports over the same filters (not grouped).',
    },
  ),
);
export type SummaryReport = Static<typeof SummaryReport>;

/** The schemas a client can refer to by name. */
export const ANALYTICS_SCHEMAS = [
  FunnelReport,
  WinRateReport,
  TimeInStatusReport,
  LostReasonsReport,
  DemandReport,
  FollowUpsReport,
  SummaryReport,
];
