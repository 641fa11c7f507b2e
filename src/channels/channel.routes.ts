import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { baseErrors } from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import { ChannelList } from './channel.schemas.js';
import { getChannels } from './channel.service.js';

export const channelRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v2/channels',
    {
      schema: {
        tags: ['channels'],
        operationId: 'listChannels',
        summary: 'The org’s channels: the values of a lead’s `orgSourceId`',
        response: { 200: ChannelList, ...baseErrors },
      },
    },
    async (request) => ({
      data: await getChannels(app.ctx, callerOf(request)),
      warnings: [],
      errors: [],
    }),
  );
};
