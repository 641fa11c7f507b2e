import fp from 'fastify-plugin';
import type { Caller } from '../core/caller.js';
import { hashSecret } from '../core/secrets.js';
import { authenticate } from './authenticate.js';

/**
 * Authenticates every request of the context it is registered in, in `onRequest` (before the
 * body is read), setting `request.caller`; any failure is the one 401. It runs after the
 * failed-log-in limit, whose guard it verifies secrets inside (hence the dependency).
 *
 * `fixedCaller` is for benchmark builds only (`scripts/bench-server.ts`): every request runs as
 * that caller without reading credentials.
 */
export const authenticationPlugin = fp<{ fixedCaller?: Caller | undefined }>(
  async (app, { fixedCaller }) => {
    if (fixedCaller !== undefined) {
      app.addHook('onRequest', async (request) => {
        request.caller = fixedCaller;
      });
      return;
    }
    // Hashed once per app, when the first unknown username arrives.
    let decoy: Promise<string> | undefined;
    const decoyHash = () => (decoy ??= hashSecret('decoy'));
    app.addHook('onRequest', async (request) => {
      request.caller = await authenticate(
        app.ctx,
        request.headers,
        decoyHash,
        request.verificationGuard,
      );
    });
  },
  {
    name: 'leadline-authentication',
    fastify: '5.x',
    dependencies: ['leadline-login-rate-limit'],
  },
);
