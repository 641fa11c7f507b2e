import fp from 'fastify-plugin';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { AppContext } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { canonicalJson } from '../core/canonical-json.js';
import { callerOf } from '../http/request-context.js';
import { tryTransactionLock } from '../db/capabilities.js';
import {
  deleteResponsesBefore,
  findStoredResponse,
  storeResponse,
} from './idempotency.repository.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** Stored responses are kept this long (the contract promises at least 24 hours). */
export const IDEMPOTENCY_RETENTION_MS = 48 * 3600_000;

/** What one installation keeps between requests: its app's own, never the module's. */
type IdempotencyState = {
  /** Keys of this app's requests still running, as `entityId:key`. */
  inFlight: Set<string>;
  /** When each org's expired responses were last deleted (at most once a minute per org). */
  lastPurge: Map<number, number>;
};

/**
 * What makes two requests "the same" for a key: method, concrete path and the body as sent
 * (before unknown fields were stripped). Taken in `preValidation`, before anything changes it.
 */
export function requestFingerprint(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url.split('?')[0] ?? ''}\n${canonicalJson(request.body)}`)
    .digest('hex');
}

function keyOf(request: FastifyRequest): string | undefined {
  const value = request.headers[IDEMPOTENCY_HEADER];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw AppError.of(
      'FIELD_INVALID_VALUE',
      'Idempotency-Key must be 1 to 255 visible ASCII characters',
    );
  }
  return value;
}

/**
 * Deletes the calling org's expired responses. Only its own: a request never does another
 * tenant's housekeeping, and a process whose clock runs ahead (or a test's settable clock) can
 * never take a response from another org that is still within its retention.
 */
async function purgeExpired(
  ctx: AppContext,
  state: IdempotencyState,
  orgId: number,
  now: number,
): Promise<void> {
  if (now - (state.lastPurge.get(orgId) ?? -Infinity) < 60_000) return;
  state.lastPurge.set(orgId, now);
  await ctx.store.transaction((trx) =>
    deleteResponsesBefore(trx, orgId, now - IDEMPOTENCY_RETENTION_MS),
  );
}

type Outcome =
  | { kind: 'fresh'; status: number; body: string; etag: string | undefined }
  | { kind: 'replay'; status: number; body: string; etag: string | null };

/**
 * Wraps a write route so an `Idempotency-Key` makes retries safe: the whole request runs in one
 * transaction that also stores its response; a retry with the same key and the same request gets
 * that response again (same status, same body, `Idempotent-Replayed: true`), with another request
 * it is 422, and while the first is still running it is 409. Keys belong to the calling entity.
 * Failed requests store nothing, so they can be retried.
 */
function idempotent(
  ctx: AppContext,
  state: IdempotencyState,
  handler: RouteHandlerMethod,
): RouteHandlerMethod {
  return async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    const key = keyOf(request);
    if (key === undefined) return handler.call(this, request, reply);
    const caller = callerOf(request);
    const scope = `${caller.entityId}:${key}`;
    const { inFlight } = state;
    if (inFlight.has(scope)) {
      throw AppError.of('CONFLICT_IN_PROGRESS', 'a request with this Idempotency-Key is running');
    }
    inFlight.add(scope);
    try {
      const now = ctx.clock.now();
      await purgeExpired(ctx, state, caller.orgId, now);
      const outcome = await ctx.store.withinTransaction(async (trx): Promise<Outcome> => {
        // Another server process running the same key holds its lock until it commits.
        if (!(await tryTransactionLock(trx, scope))) {
          throw AppError.of(
            'CONFLICT_IN_PROGRESS',
            'a request with this Idempotency-Key is running',
          );
        }
        const stored = await findStoredResponse(trx, caller, key);
        if (stored) {
          if (stored.request_hash !== request.fingerprint) {
            throw AppError.of(
              'IDEMPOTENCY_KEY_REUSED',
              'this Idempotency-Key was used for a different request',
            );
          }
          return {
            kind: 'replay',
            status: stored.status_code,
            body: stored.response_body,
            etag: stored.etag,
          };
        }
        const result: unknown = await handler.call(this, request, reply);
        const serialized = reply.serialize(result);
        const body =
          typeof serialized === 'string'
            ? serialized
            : Buffer.from(serialized as ArrayBuffer).toString('utf8');
        const etag = reply.getHeader('etag');
        await storeResponse(trx, {
          entity_id: caller.entityId,
          idem_key: key,
          org_id: caller.orgId,
          request_hash: request.fingerprint,
          status_code: reply.statusCode,
          response_body: body,
          etag: typeof etag === 'string' ? etag : null,
          created_on: now,
        });
        return { kind: 'fresh', status: reply.statusCode, body, etag: undefined };
      });
      if (outcome.kind === 'replay') {
        void reply.code(outcome.status).header('idempotent-replayed', 'true');
        if (outcome.etag !== null) void reply.header('etag', outcome.etag);
      }
      return reply.type('application/json; charset=utf-8').send(outcome.body);
    } finally {
      inFlight.delete(scope);
    }
  };
}

/**
 * Makes every POST and PUT route registered after it in its context idempotent by key, except
 * routes with `config: { idempotent: false }` (those whose responses hold a secret that must
 * never be stored). Keys are the caller's own, hence the dependency on authentication.
 */
export const idempotencyPlugin = fp(
  async (app) => {
    const state: IdempotencyState = { inFlight: new Set(), lastPurge: new Map() };
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!methods.some((m) => m === 'POST' || m === 'PUT')) return;
      if (route.config?.idempotent === false) return;
      route.handler = idempotent(app.ctx, state, route.handler);
    });
  },
  { name: 'leadline-idempotency', fastify: '5.x', dependencies: ['leadline-authentication'] },
);
