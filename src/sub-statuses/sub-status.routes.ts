import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { baseErrors, writeErrors } from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import { SubStatusBody, SubStatusList, SubStatusResponse } from './sub-status.schemas.js';
import { addSubStatus, getSubStatuses } from './sub-status.service.js';

export const subStatusRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v2/leads/substatus',
    {
      config: { openapi: { ok: 'The sub-status added' } },
      schema: {
        tags: ['sub-statuses'],
        operationId: 'addSubStatus',
        summary: 'Add a sub-status of a status',
        body: SubStatusBody,
        response: { 200: SubStatusResponse, ...writeErrors },
      },
    },
    async (request) => {
      const result = await addSubStatus(app.ctx, callerOf(request), request.body);
      return { ...result, warnings: [...request.warnings, ...result.warnings] };
    },
  );

  app.get(
    '/v2/leads/substatuses',
    {
      schema: {
        tags: ['sub-statuses'],
        operationId: 'listSubStatuses',
        summary: 'The org’s sub-statuses',
        response: { 200: SubStatusList, ...baseErrors },
      },
    },
    async (request) => ({
      data: await getSubStatuses(app.ctx, callerOf(request)),
      warnings: [],
      errors: [],
    }),
  );
};
