import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { baseErrors, writeErrors } from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import { ReasonList, ReasonsBody } from './reason.schemas.js';
import { addReasons, getReasons } from './reason.service.js';

export const reasonRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v2/leads/reasons',
    {
      config: { openapi: { ok: 'The org’s reasons, the new ones included' } },
      schema: {
        tags: ['reasons'],
        operationId: 'addReasons',
        summary: 'Add reasons; answers the org’s full list',
        body: ReasonsBody,
        response: { 200: ReasonList, ...writeErrors },
      },
    },
    async (request) => {
      const { reasons, warnings } = await addReasons(app.ctx, callerOf(request), request.body);
      return { data: reasons, warnings: [...request.warnings, ...warnings], errors: [] };
    },
  );

  app.get(
    '/v2/leads/reasons',
    {
      schema: {
        tags: ['reasons'],
        operationId: 'listReasons',
        summary: 'The org’s reasons',
        response: { 200: ReasonList, ...baseErrors },
      },
    },
    async (request) => ({
      data: await getReasons(app.ctx, callerOf(request)),
      warnings: [],
      errors: [],
    }),
  );
};
