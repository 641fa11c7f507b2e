import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { EnvelopeItem, readErrors, ref, Warnings, type NamedSchema } from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import {
  AnalyticsQuery,
  DemandReport,
  FollowUpsReport,
  FunnelReport,
  LostReasonsReport,
  SummaryReport,
  TimeInStatusReport,
  WinRateReport,
} from './analytics.schemas.js';
import {
  demandReport,
  followUpsReport,
  funnelReport,
  GROUP_BYS_OF,
  lostReasonsReport,
  summaryReport,
  timeInStatusReport,
  winRateReport,
  type ReportName,
} from './analytics.service.js';
import { reportCsv } from './analytics.csv.js';

const CSV_TYPE = 'text/csv; charset=utf-8';

/** The quality (`q`) the `Accept` header gives `mediaType`; 0 when it does not name it. */
function quality(accept: string, mediaType: string): number {
  let best = 0;
  for (const part of accept.split(',')) {
    const [type, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (type !== mediaType) continue;
    const q = parameters.find((p) => p.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    if (Number.isFinite(value)) best = Math.max(best, value);
  }
  return best;
}

/**
 * Whether the client prefers CSV: `Accept` names `text/csv` with a quality above 0 and above
 * that of `application/json` (JSON otherwise, including for `*\/*` and no `Accept`).
 */
export function wantsCsv(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const csv = quality(accept, 'text/csv');
  return csv > 0 && csv > quality(accept, 'application/json');
}

type ReportOf<T> = (ctx: AppContext, caller: Caller, query: AnalyticsQuery) => Promise<T>;

/** Read-only lead reports for any entity of the org, in JSON or (Accept: text/csv) CSV. */
export const analyticsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const route = <T>(
    name: ReportName,
    operationId: string,
    summary: string,
    schema: NamedSchema<TSchema>,
    run: ReportOf<T>,
  ) =>
    app.get(
      `/v2/analytics/${name}`,
      {
        config: {
          openapi: {
            queryRules:
              '`entityType` and `entityCode` go together; `to` must be after `from`. ' +
              (GROUP_BYS_OF[name].length === 0
                ? 'Not grouped. '
                : `groupBy: ${GROUP_BYS_OF[name].join(', ')}. `) +
              'Send `Accept: text/csv` for CSV.',
          },
        },
        schema: {
          tags: ['analytics'],
          operationId,
          summary,
          querystring: AnalyticsQuery,
          response: {
            200: {
              content: {
                'application/json': {
                  schema: Type.Object({
                    data: ref(schema),
                    warnings: Warnings,
                    errors: Type.Array(ref(EnvelopeItem)),
                  }),
                },
                'text/csv': { schema: Type.String() },
              },
            },
            ...readErrors,
          },
        },
      },
      async (request: FastifyRequest<{ Querystring: AnalyticsQuery }>, reply: FastifyReply) => {
        const result = await run(app.ctx, callerOf(request), request.query);
        // One URL, two representations: caches must keep them apart.
        reply.header('vary', 'Accept');
        if (!wantsCsv(request.headers.accept)) {
          return reply
            .type('application/json; charset=utf-8')
            .send({ data: result, warnings: [], errors: [] });
        }
        return reply
          .type(CSV_TYPE)
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(reportCsv(name, result));
      },
    );

  route(
    'summary',
    'summaryReport',
    'The headline numbers of a dashboard, in one call',
    SummaryReport,
    summaryReport,
  );
  route('funnel', 'funnelReport', 'Leads created and how far they got', FunnelReport, funnelReport);
  route(
    'win-rate',
    'winRateReport',
    'WON / (WON + LOST), by cohort or group',
    WinRateReport,
    winRateReport,
  );
  route(
    'time-in-status',
    'timeInStatusReport',
    'Hours in each status, to the first follow-up, and to WON or LOST',
    TimeInStatusReport,
    timeInStatusReport,
  );
  route(
    'lost-reasons',
    'lostReasonsReport',
    'LOST leads by reason and sub-status',
    LostReasonsReport,
    lostReasonsReport,
  );
  route(
    'follow-ups',
    'followUpsReport',
    'Follow-ups due today, overdue, done on time or late, and the share left to auto-close',
    FollowUpsReport,
    followUpsReport,
  );
  route(
    'demand',
    'demandReport',
    'Unfulfilled demand: what shoppers asked for that stores could not sell',
    DemandReport,
    demandReport,
  );
};
