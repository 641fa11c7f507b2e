import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { baseErrors } from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import { MeResponse } from './entity.schemas.js';
import { describeCaller } from './entity.service.js';

export const entityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v2/me',
    {
      schema: {
        tags: ['entities'],
        operationId: 'getMe',
        summary: 'Who the caller is: its entity id (for `createdBy`), org, parent and permissions',
        response: { 200: MeResponse, ...baseErrors },
      },
    },
    async (request) => ({
      data: await describeCaller(app.ctx, callerOf(request)),
      warnings: [],
      errors: [],
    }),
  );
};
