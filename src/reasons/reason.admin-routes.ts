import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminOnly, lookupErrors, readErrors, ref, writeErrors } from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import { actorOf } from '../core/actor.js';
import {
  AdminReasonList,
  AdminReasonResponse,
  ReasonChangeBody,
  ReasonIdParams,
} from './reason.schemas.js';
import { changeReason, getAdminReasons } from './reason.service.js';

/** The org's reasons with their flags, for administrators (registered behind the admin guard). */
export const reasonAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin'];
  app.get(
    '/v2/admin/reasons',
    {
      schema: {
        tags,
        operationId: 'listAdminReasons',
        summary: 'The org’s reasons with their flags, oldest first',
        response: { 200: AdminReasonList, ...readErrors, ...adminOnly },
      },
    },
    async (request) => ({
      data: await getAdminReasons(app.ctx, callerOf(request).orgId),
      warnings: [],
      errors: [],
    }),
  );

  app.put(
    '/v2/admin/reasons/:id',
    {
      config: { openapi: { ok: 'The reason after the change' } },
      schema: {
        tags,
        operationId: 'changeReason',
        summary:
          'Mark a reason as "not available" (lost leads for it are unfulfilled demand), or not',
        params: ReasonIdParams,
        body: ReasonChangeBody,
        response: { 200: ref(AdminReasonResponse), ...writeErrors, ...lookupErrors, ...adminOnly },
      },
    },
    async (request) => ({
      ...(await changeReason(app.ctx, actorOf(callerOf(request)), request.params.id, request.body)),
      warnings: request.warnings,
    }),
  );
};
