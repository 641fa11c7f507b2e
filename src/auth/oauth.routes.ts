import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tokenErrors } from '../http/schemas.js';
import { generateToken } from './oauth.service.js';

const TokenRequest = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 200 }),
  secret: Type.String({ minLength: 1, maxLength: 200 }),
});

const TokenResponse = Type.Object({
  data: Type.Object({ accessToken: Type.String(), ttlSeconds: Type.Integer() }),
  errors: Type.Null(),
});

export const oauthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v3/oauth/token/generate',
    {
      config: { openapi: { ok: 'An access token and how long it lives' } },
      schema: {
        tags: ['auth'],
        operationId: 'generateToken',
        summary: 'Exchange a client key and secret for a short-lived access token',
        description: 'Send the token as header `X-CAP-API-OAUTH-TOKEN` on API requests.',
        security: [],
        body: TokenRequest,
        response: { 200: TokenResponse, ...tokenErrors },
      },
    },
    async (request) => ({
      data: await generateToken(
        app.ctx,
        request.body.key,
        request.body.secret,
        request.verificationGuard,
      ),
      errors: null,
    }),
  );
};
