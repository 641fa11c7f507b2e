import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.js';
import { callerOf } from '../http/request-context.js';

/**
 * Makes every route of `app` an administrators' route: an authenticated caller that is not an
 * ADMIN_USER gets 403 before its body is read. Runs after the authentication hook of the
 * enclosing context.
 */
export function installAdminGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const caller = callerOf(request);
    if (caller.entityType !== 'ADMIN_USER') {
      throw AppError.of(
        'FORBIDDEN',
        `a ${caller.entityType} may not use ${request.routeOptions.url ?? 'this route'}`,
      );
    }
  });
}
