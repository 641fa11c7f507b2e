import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { readErrors, ref, type NamedSchema } from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import {
  AnalyticsQuery,
  DemandReport,
  FunnelReport,
  LostReasonsReport,
  WinRateReport,
} from './analytics.schemas.js';
import {
  demandReport,
  funnelReport,
  GROUP_BYS_OF,
  lostReasonsReport,
  winRateReport,
  type ReportName,
} from './analytics.service.js';
import { reportCsv } from './analytics.csv.js';

const CSV_TYPE = 'text/csv; charset=utf-8';

/** Whether the client asked for CSV rather than JSON (`Accept: text/csv`). */
function wantsCsv(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /(^|,)\s*text\/csv\b/i.test(accept) && !/(^|,)\s*application\/json\b/i.test(accept);
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
              `groupBy: ${GROUP_BYS_OF[name].join(', ')}. Send \`Accept: text/csv\` for CSV.`,
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
                'application/json': { schema: ref(schema) },
                'text/csv': { schema: Type.String() },
              },
            },
            ...readErrors,
          },
        },
      },
      async (request: FastifyRequest<{ Querystring: AnalyticsQuery }>, reply: FastifyReply) => {
        const result = await run(app.ctx, callerOf(request), request.query);
        if (!wantsCsv(request)) return reply.type('application/json; charset=utf-8').send(result);
        return reply
          .type(CSV_TYPE)
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(reportCsv(name, result));
      },
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
    'lost-reasons',
    'lostReasonsReport',
    'LOST leads by reason and sub-status',
    LostReasonsReport,
    lostReasonsReport,
  );
  route(
    'demand',
    'demandReport',
    'Unfulfilled demand: what shoppers asked for that stores could not sell',
    DemandReport,
    demandReport,
  );
};
