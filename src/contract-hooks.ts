import type { ErrorObject } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { stripUnknownFields } from './http/unknown-fields.js';
import { findNulCharacters } from './core/text-safety.js';
import { AppError } from './core/errors.js';
import { IDEMPOTENCY_HEADER, requestFingerprint } from './idempotency/index.js';
import { validationError } from './http/validation.js';
import { callerOf } from './http/request-context.js';

/**
 * Hooks every contract route runs after credentials (the plugins registered before it, see
 * app.ts), in the order the contract checks things: content type, size and JSON syntax
 * (Fastify's parser), then the path's id, then the body and query, listing every bad field.
 */
export function installContractHooks(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    // Validation failures are reported by the preHandler below, after the id check.
    route.attachValidation = true;
  });

  app.addHook('preValidation', async (request) => {
    // Before unknown fields are stripped: a retry must send the very same body. Only requests
    // with a key are ever compared, so only they pay for hashing their body.
    if (request.headers[IDEMPOTENCY_HEADER] !== undefined) {
      request.fingerprint = requestFingerprint(request);
    }
    // Kept before validation coerces them: a 404 names the id exactly as the client sent it.
    request.rawParams = { ...(request.params as Record<string, string>) };
    const schema = request.routeOptions.schema?.body;
    if (schema !== undefined && request.body !== undefined) {
      request.warnings.push(...stripUnknownFields(request.body, schema));
    }
    request.inputErrors.push(
      // A NUL in a path parameter (`/v2/admin/oauthClients/%00`) reaches no store query either.
      ...findNulCharacters(request.rawParams, 'path'),
      ...findNulCharacters(request.body, 'body'),
      ...findNulCharacters(request.query, 'query'),
    );
  });

  app.addHook('preHandler', async (request) => {
    const failure = request.validationError;
    if (!failure && request.inputErrors.length === 0) return;
    const check = request.routeOptions.config.requireResource;
    // A path with a NUL names nothing; its 400 is in inputErrors (no query may carry a NUL).
    const nulInPath = Object.values(request.rawParams).some((v) => v.includes('\u0000'));
    if (check && !nulInPath) {
      await check(app.ctx, callerOf(request), request.rawParams);
    }
    if (request.inputErrors.length > 0) throw new AppError(request.inputErrors);
    throw validationError(
      (failure?.validation ?? []) as ErrorObject[],
      failure?.validationContext ?? 'body',
    );
  });
}
