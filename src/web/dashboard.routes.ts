import type { FastifyInstance } from 'fastify';
import {
  demandReport,
  followUpsReport,
  funnelReport,
  lostReasonsReport,
  reportCsv,
  winRateReport,
  type AnalyticsQuery,
  type ReportName,
} from '../analytics/index.js';
import { formatDateTime } from '../core/date-time.js';
import { AppError } from '../core/errors.js';
import { findEntityByCode, findLine } from '../entities/index.js';
import {
  DASHBOARD_PERIODS,
  dashboardPage,
  type Crumb,
  type DashboardPeriod,
} from './dashboard.pages.js';
import type { WebSession } from './session.service.js';
import { translator } from './i18n.js';
import { field, sendPage, sessionOr } from './web.http.js';

/**
 * The dashboard under `/app/dashboard` (docs/web.md): the analytics use cases over one scope and
 * period, for anyone signed in (the analytics API is open to every entity of the org, and so is
 * this). A scope is the org, a zone, a store, or one associate within a store; its parts are
 * what it drills down to.
 */

type EntityRow = NonNullable<Awaited<ReturnType<typeof findEntityByCode>>>;

/** What a scope is made of, one level down: the org of zones, a zone of stores, a store of people. */
const PART_OF = {
  ORG: { groupBy: 'zone', name: 'Zone' },
  ZONE: { groupBy: 'store', name: 'Store' },
  STORE: { groupBy: 'owner', name: 'Associate' },
} as const;

type Scope = {
  /** The zone or store shown; absent for the whole org. */
  unit: EntityRow | undefined;
  /** One person's leads within the unit (the bottom of the drill-down). */
  owner: EntityRow | undefined;
  /** The unit and the entities above it, nearest first, when finding the unit read them. */
  line?: EntityRow[];
};

const DEFAULT_PERIOD: DashboardPeriod = 90;
const DAY_MS = 86_400_000;

function periodOf(raw: string): DashboardPeriod {
  const days = Number(raw);
  return (DASHBOARD_PERIODS as readonly number[]).includes(days)
    ? (days as DashboardPeriod)
    : DEFAULT_PERIOD;
}

const dashboardHref = (params: Record<string, string>) =>
  `/app/dashboard?${new URLSearchParams(params).toString()}`;

const isUnit = (row: EntityRow) => row.type === 'ZONE' || row.type === 'STORE';

export async function dashboardRoutes(web: FastifyInstance): Promise<void> {
  const { ctx } = web;
  const db = ctx.store.db;

  /** A zone or store of the caller's org by code; anything else answers as not there. */
  const unitByCode = async (session: WebSession, code: string) => {
    const row = await findEntityByCode(db, session.caller.orgId, code.slice(0, 100));
    if (row === undefined || !isUnit(row)) {
      const t = translator(session.language);
      const message = t('There is no zone or store {code}.', { code: code.slice(0, 100) });
      throw AppError.of('ENTITY_NOT_FOUND', message);
    }
    return row;
  };

  /**
   * The scope a request names: `org=1` the org; `scope=CODE` a zone or store, with `owner=CODE`
   * one person's leads in it; nothing, the nearest zone or store above the signed-in entity
   * (the org when it has none).
   */
  const scopeOf = async (session: WebSession, query: unknown): Promise<Scope> => {
    if (field(query, 'org') === '1') return { unit: undefined, owner: undefined };
    const code = field(query, 'scope');
    if (code === '') {
      const line = await findLine(db, session.caller.orgId, session.caller.entityId);
      const unit = line.find(isUnit);
      // The unit's own line is the rest of the person's: the crumbs need no second walk.
      return { unit, owner: undefined, line: unit ? line.slice(line.indexOf(unit)) : [] };
    }
    const unit = await unitByCode(session, code);
    const ownerCode = field(query, 'owner');
    if (ownerCode === '') return { unit, owner: undefined };
    const owner = await findEntityByCode(db, session.caller.orgId, ownerCode.slice(0, 100));
    if (owner === undefined) {
      const t = translator(session.language);
      const message = t('There is no one with the code {code}.', { code: ownerCode.slice(0, 100) });
      throw AppError.of('ENTITY_NOT_FOUND', message);
    }
    return { unit, owner };
  };

  /** The query string of a scope, as links carry it. */
  const scopeQuery = (scope: Scope) => {
    const params = new URLSearchParams();
    if (scope.unit === undefined) params.set('org', '1');
    else params.set('scope', scope.unit.code);
    if (scope.owner !== undefined) params.set('owner', scope.owner.code);
    return params.toString();
  };

  /** The analytics filters of a scope and period. */
  const filtersOf = (scope: Scope, days: DashboardPeriod): AnalyticsQuery => ({
    from: formatDateTime(ctx.clock.now() - days * DAY_MS),
    ...(scope.unit === undefined
      ? {}
      : { entityType: scope.unit.type, entityCode: scope.unit.code }),
    ...(scope.owner === undefined ? {} : { owner: scope.owner.id }),
  });

  /** The grouping one level down, or none at the bottom (one person). */
  const partOf = (scope: Scope) =>
    scope.owner !== undefined
      ? undefined
      : PART_OF[scope.unit === undefined ? 'ORG' : (scope.unit.type as 'ZONE' | 'STORE')];

  const cohortOf = (days: DashboardPeriod) => (days > 90 ? 'month' : 'week');

  web.get('/dashboard', { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOr(request, reply);
    if (!session) return reply;
    const days = periodOf(field(request.query, 'days'));
    const scope = await scopeOf(session, request.query);
    const filters = filtersOf(scope, days);
    const part = partOf(scope);
    const caller = session.caller;
    const [funnel, winRate, lostReasons, demand, followUps, line] = await Promise.all([
      funnelReport(ctx, caller, { ...filters, ...(part ? { groupBy: part.groupBy } : {}) }),
      winRateReport(ctx, caller, { ...filters, groupBy: cohortOf(days) }),
      lostReasonsReport(ctx, caller, filters),
      demandReport(ctx, caller, filters),
      followUpsReport(ctx, caller, filters),
      scope.line ??
        (scope.unit === undefined ? [] : findLine(db, caller.orgId, Number(scope.unit.id))),
    ]);
    const query = scopeQuery(scope);
    const crumbs: Crumb[] = [
      { label: session.orgName, href: `/app/dashboard?org=1&days=${days}` },
      ...line
        .filter(isUnit)
        .reverse()
        .map((unit) => ({
          label: unit.code,
          href: dashboardHref({ scope: unit.code, days: String(days) }),
        })),
      ...(scope.owner === undefined
        ? []
        : [{ label: scope.owner.code, href: `/app/dashboard?${query}&days=${days}` }]),
    ];
    const drillHref = (group: string | null) => {
      if (group === null || part === undefined) return undefined;
      const params: Record<string, string> =
        part.groupBy === 'owner' ? { scope: scope.unit!.code, owner: group } : { scope: group };
      return dashboardHref({ ...params, days: String(days) });
    };
    return sendPage(
      reply,
      dashboardPage(session, {
        title: crumbs[crumbs.length - 1]!.label,
        crumbs,
        days,
        scopeQuery: query,
        partName: part?.name,
        drill: funnel.groups.map((row) => ({ ...row, href: drillHref(row.group) })),
        funnel,
        winRate,
        lostReasons,
        demand,
        followUps,
      }),
    );
  });

  /** A report the page shows, by its API name; undefined for any other name. */
  const runReport = (name: string, session: WebSession, query: AnalyticsQuery) => {
    const caller = session.caller;
    switch (name) {
      case 'funnel':
        return funnelReport(ctx, caller, query);
      case 'win-rate':
        return winRateReport(ctx, caller, query);
      case 'lost-reasons':
        return lostReasonsReport(ctx, caller, query);
      case 'demand':
        return demandReport(ctx, caller, query);
      case 'follow-ups':
        return followUpsReport(ctx, caller, query);
      default:
        return undefined;
    }
  };

  // Each report of the page as CSV, over the same scope and period.
  web.get('/dashboard/csv/:report', { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOr(request, reply);
    if (!session) return reply;
    const name = (request.params as { report: string }).report;
    const days = periodOf(field(request.query, 'days'));
    const scope = await scopeOf(session, request.query);
    const part = partOf(scope);
    const groupBy =
      name === 'win-rate'
        ? cohortOf(days)
        : name === 'funnel' && field(request.query, 'parts') === '1'
          ? part?.groupBy
          : undefined;
    const report = runReport(name, session, {
      ...filtersOf(scope, days),
      ...(groupBy ? { groupBy } : {}),
    });
    if (report === undefined) {
      const t = translator(session.language);
      throw AppError.of('ROUTE_NOT_FOUND', t('There is no page at this address.'));
    }
    return reply
      .header('cache-control', 'no-store')
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}.csv"`)
      .send(reportCsv(name as ReportName, await report));
  });
}
