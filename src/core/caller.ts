import type { EntityType } from '../db/schema.js';

/**
 * The org settings every request may need, read with the credential in the same query on every
 * request (never cached), so a change applies at once in every server process.
 */
export type OrgPolicy = {
  /** Requests per minute per credential; null: the deployment's `RATE_LIMIT_PER_MINUTE`. */
  rateLimitPerMinute: number | null;
  /** Lead writes must carry `If-Match`. */
  requireIfMatch: boolean;
};

/** The policy of an org whose settings were never changed (for callers built outside HTTP). */
export const NEW_ORG_POLICY: OrgPolicy = { rateLimitPerMinute: null, requireIfMatch: false };

/** The authenticated entity a request acts as; every query of the request is scoped to orgId. */
export type Caller = {
  orgId: number;
  entityId: number;
  entityType: EntityType;
  code: string;
  org: OrgPolicy;
};
