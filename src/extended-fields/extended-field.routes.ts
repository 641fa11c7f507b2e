import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readErrors } from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import { FieldList, FieldListQuery } from './extended-field.schemas.js';
import { getDefinitions } from './extended-field.service.js';

/** The org's extended-field definitions, for any authenticated caller. */
export const extendedFieldRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v2/extendedFields',
    {
      config: { openapi: { language: true } },
      schema: {
        tags: ['extended-fields'],
        operationId: 'listExtendedFields',
        summary: 'The org’s extended-field definitions, in the `language` header where translated',
        querystring: FieldListQuery,
        response: { 200: FieldList, ...readErrors },
      },
    },
    async (request) => {
      const { language } = request.headers;
      return {
        data: await getDefinitions(
          app.ctx,
          callerOf(request).orgId,
          request.query.entityType,
          typeof language === 'string' ? language : undefined,
        ),
        warnings: [],
        errors: [],
      };
    },
  );
};
