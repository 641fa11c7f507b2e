import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const extendedFieldAdminRoutes: FastifyPluginAsyncTypebox = async (_app) => {};
