import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { commonErrors } from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import { ReasonList, ReasonsBody } from './reason.schemas.js';
import { addReasons, getReasons } from './reason.service.js';

export const reasonRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v2/leads/reasons',
    {
      schema: {
        tags: ['reasons'],
        summary: 'Add reasons; answers the org’s full list',
        body: ReasonsBody,
        response: { 200: ReasonList, ...commonErrors },
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
        summary: 'The org’s reasons',
        response: { 200: ReasonList, ...commonErrors },
      },
    },
    async (request) => ({
      data: await getReasons(app.ctx, callerOf(request)),
      warnings: [],
      errors: [],
    }),
  );
};
