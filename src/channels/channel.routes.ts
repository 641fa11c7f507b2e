import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const channelRoutes: FastifyPluginAsyncTypebox = async (_app) => {};
