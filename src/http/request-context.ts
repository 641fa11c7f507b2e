import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import type { VerificationGuard } from '../core/verification-guard.js';
import type { EnvelopeItem, ErrorName } from '../core/errors.js';
import type { OperationDocs } from './openapi.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook of the API routes. */
    caller: Caller | undefined;
    /** Set by the failed-log-in limits: what every verification of a secret runs inside. */
    verificationGuard: VerificationGuard | undefined;
    /** Warnings collected while handling the request (unknown fields, skipped parts). */
    warnings: EnvelopeItem[];
    /** Input problems found before schema validation, reported after the path id check. */
    inputErrors: Array<{ name: ErrorName; message: string }>;
    /**
     * SHA-256 of method, path and body as sent: what `Idempotency-Key` retries must repeat. Only
     * computed for requests that carry the key (empty otherwise).
     */
    fingerprint: string;
    /** The path parameters as sent, before validation coerced them. */
    rawParams: Record<string, string>;
  }
  interface FastifyInstance {
    ctx: AppContext;
  }
  interface FastifyContextConfig {
    /** false: the route ignores `Idempotency-Key` (its response holds a secret never stored). */
    idempotent?: boolean;
    /**
     * The longest the route may wait on purpose (a long poll): added to the request deadline,
     * so only the time spent beyond the wait counts against `REQUEST_TIMEOUT_MS`.
     */
    waitsUpToMs?: number;
    /** What the route adds to its operation in the OpenAPI document. */
    openapi?: OperationDocs;
    /**
     * For routes whose path names a resource: answers 404 when the raw path parameters name
     * nothing of the caller's org. It runs before body validation errors are reported, as the
     * contract orders.
     */
    requireResource?: (
      ctx: AppContext,
      caller: Caller,
      rawParams: Record<string, string>,
    ) => Promise<void>;
  }
}

/** The authenticated caller of an API route (the auth hook guarantees one). */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error('route reached without an authenticated caller');
  return request.caller;
}
