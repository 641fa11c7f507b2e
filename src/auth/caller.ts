import type { EntityType } from '../db/schema.js';

/** The authenticated entity a request acts as; every query of the request is scoped to orgId. */
export type Caller = {
  orgId: number;
  entityId: number;
  entityType: EntityType;
  code: string;
};
