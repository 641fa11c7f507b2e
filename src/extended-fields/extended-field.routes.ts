import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const extendedFieldRoutes: FastifyPluginAsyncTypebox = async (_app) => {};
