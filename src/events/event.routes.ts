import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readErrors } from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import { EventList, EventQuery, FEED_WAIT_MAX_SECONDS } from './event.schemas.js';
import { listEvents } from './event.service.js';

export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v2/events',
    {
      config: {
        waitsUpToMs: FEED_WAIT_MAX_SECONDS * 1000,
        openapi: { ok: 'The next page of the org’s lead events, in commit order' },
      },
      schema: {
        tags: ['events'],
        operationId: 'listEvents',
        summary: 'The org’s lead events after a cursor, optionally waiting for one',
        querystring: EventQuery,
        response: { 200: EventList, ...readErrors },
      },
    },
    async (request) => {
      // A long poll ends early when its client goes away.
      const gone = new AbortController();
      request.raw.once('close', () => gone.abort());
      return listEvents(app.ctx, callerOf(request), request.query, gone.signal);
    },
  );
};
