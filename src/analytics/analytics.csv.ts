import type {
  DemandReport,
  DurationStats,
  FollowUpsReport,
  SummaryReport,
  FunnelReport,
  LostReasonsReport,
  TimeInStatusReport,
  WinRateReport,
} from './analytics.schemas.js';
import type { ReportName } from './analytics.service.js';
import { toCsv, type CsvValue } from './csv.js';

/**
 * Each report as CSV: one row per group (the total's one row without `groupBy`); lost reasons
 * and demand have one row per group and reason, or group and item, since those lists are the
 * report. Column names are the JSON's, nested ones joined by a dot.
 */
export function reportCsv(name: ReportName, report: unknown): string {
  switch (name) {
    case 'funnel':
      return funnelCsv(report as FunnelReport);
    case 'win-rate':
      return winRateCsv(report as WinRateReport);
    case 'time-in-status':
      return timeInStatusCsv(report as TimeInStatusReport);
    case 'lost-reasons':
      return lostReasonsCsv(report as LostReasonsReport);
    case 'demand':
      return demandCsv(report as DemandReport);
    case 'follow-ups':
      return followUpsCsv(report as FollowUpsReport);
    case 'summary':
      return summaryCsv(report as SummaryReport);
  }
}

function rowsOf<T>(report: { groupBy: string | null; total: T; groups: T[] }): T[] {
  return report.groupBy === null ? [report.total] : report.groups;
}

function funnelCsv(report: FunnelReport): string {
  const columns = [
    'group',
    'created',
    'reached.onHold',
    'reached.won',
    'reached.lost',
    'reached.deleted',
    'current.open',
    'current.onHold',
    'current.won',
    'current.lost',
    'current.deleted',
    'conversion.createdToOnHold',
    'conversion.onHoldToWon',
    'conversion.createdToWon',
    'conversion.createdToLost',
  ];
  return toCsv(
    columns,
    rowsOf(report).map((r) => [
      r.group,
      r.created,
      r.reached.onHold,
      r.reached.won,
      r.reached.lost,
      r.reached.deleted,
      r.current.open,
      r.current.onHold,
      r.current.won,
      r.current.lost,
      r.current.deleted,
      r.conversion.createdToOnHold,
      r.conversion.onHoldToWon,
      r.conversion.createdToWon,
      r.conversion.createdToLost,
    ]),
  );
}

function winRateCsv(report: WinRateReport): string {
  return toCsv(
    ['group', 'won', 'lost', 'closed', 'winRate'],
    rowsOf(report).map((r) => [r.group, r.won, r.lost, r.closed, r.winRate]),
  );
}

/**
 * One row per group and measure: `OPEN.closed`, `OPEN.open`, … for each status, then
 * `firstFollowUp`, `withoutFollowUp` (only its count), `creationToWon`, `creationToLost`.
 */
function timeInStatusCsv(report: TimeInStatusReport): string {
  const noTimes = { p50Hours: null, p90Hours: null, meanHours: null };
  return toCsv(
    ['group', 'leads', 'measure', 'count', 'p50Hours', 'p90Hours', 'meanHours'],
    rowsOf(report).flatMap((r) => {
      const measures: Array<[string, DurationStats]> = [
        ...r.statuses.flatMap((s): Array<[string, DurationStats]> => [
          [`${s.status}.closed`, s.closed],
          [`${s.status}.open`, s.open],
        ]),
        ['firstFollowUp', r.firstFollowUp],
        ['withoutFollowUp', { count: r.firstFollowUp.withoutFollowUp, ...noTimes }],
        ['creationToWon', r.creationToWon],
        ['creationToLost', r.creationToLost],
      ];
      return measures.map(([measure, stats]): CsvValue[] => [
        r.group,
        r.leads,
        measure,
        stats.count,
        stats.p50Hours,
        stats.p90Hours,
        stats.meanHours,
      ]);
    }),
  );
}

function lostReasonsCsv(report: LostReasonsReport): string {
  return toCsv(
    ['group', 'reason', 'subStatus', 'count', 'share'],
    rowsOf(report).flatMap((r) =>
      r.reasons.map((reason): CsvValue[] => [
        r.group,
        reason.reason,
        reason.subStatus,
        reason.count,
        reason.share,
      ]),
    ),
  );
}

function demandCsv(report: DemandReport): string {
  return toCsv(
    ['group', 'type', 'leadFor', 'count', 'lost', 'open', 'topStores'],
    rowsOf(report).flatMap((r) =>
      r.items.map((item): CsvValue[] => [
        r.group,
        item.type,
        item.leadFor,
        item.count,
        item.lost,
        item.open,
        item.topStores.map((s) => `${s.store ?? ''}:${s.count}`).join(';'),
      ]),
    ),
  );
}

function followUpsCsv(report: FollowUpsReport): string {
  return toCsv(
    [
      'group',
      'dueToday',
      'overdue.count',
      'overdue.upTo1Day',
      'overdue.upTo3Days',
      'overdue.upTo7Days',
      'overdue.moreThan7Days',
      'done.onTime',
      'done.late',
      'done.unscheduled',
      'done.onTimeShare',
      'done.lateP50Hours',
      'autoClose.closed',
      'autoClose.autoClosed',
      'autoClose.share',
    ],
    rowsOf(report).map((r) => [
      r.group,
      r.dueToday,
      r.overdue.count,
      r.overdue.upTo1Day,
      r.overdue.upTo3Days,
      r.overdue.upTo7Days,
      r.overdue.moreThan7Days,
      r.done.onTime,
      r.done.late,
      r.done.unscheduled,
      r.done.onTimeShare,
      r.done.lateP50Hours,
      r.autoClose.closed,
      r.autoClose.autoClosed,
      r.autoClose.share,
    ]),
  );
}

/** The summary's one row. */
function summaryCsv(report: SummaryReport): string {
  return toCsv(
    [
      'leads.created',
      'leads.open',
      'leads.won',
      'leads.lost',
      'winRate',
      'creationToWonP50Hours',
      'followUps.dueToday',
      'followUps.overdue',
      'followUps.onTimeShare',
      'autoClosedShare',
      'topLostReason.reason',
      'topLostReason.count',
      'topLostReason.share',
      'topDemand.type',
      'topDemand.leadFor',
      'topDemand.count',
    ],
    [
      [
        report.leads.created,
        report.leads.open,
        report.leads.won,
        report.leads.lost,
        report.winRate,
        report.creationToWonP50Hours,
        report.followUps.dueToday,
        report.followUps.overdue,
        report.followUps.onTimeShare,
        report.autoClosedShare,
        report.topLostReason?.reason ?? null,
        report.topLostReason?.count ?? null,
        report.topLostReason?.share ?? null,
        report.topDemand?.type ?? null,
        report.topDemand?.leadFor ?? null,
        report.topDemand?.count ?? null,
      ],
    ],
  );
}
