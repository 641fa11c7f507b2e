import { pathId } from '../core/path-id.js';
import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import type { Db } from '../db/database.js';
import type { LeadStatus } from '../db/schema.js';
import { AppError, type FieldErrors } from '../core/errors.js';
import { customerExists, normaliseIdentifier } from '../customers/index.js';
import { findEntitiesByIds, findEntityByCode } from '../entities/index.js';
import { findReasonsByIds } from '../reasons/index.js';
import { subStatusExists } from '../sub-statuses/index.js';
import { leadExists } from './lead.repository.js';
import type { LeadCreateBody } from './lead.schemas.js';

/**
 * What a lead's request refers to, checked against the caller's org: the lead itself, and the
 * entities, reasons, sub-status, owner and customer a body names. Each check adds its failure to
 * a {@link FieldErrors} so one 400 lists every bad field.
 */

export function leadNotFound(id: number): AppError {
  return AppError.of('LEAD_NOT_FOUND', `lead ${id} does not exist`);
}

/** Fails with LEAD_NOT_FOUND unless the caller's org has lead `id`. */
export async function requireLead(ctx: AppContext, caller: Caller, id: number): Promise<void> {
  if (!(await leadExists(ctx.store.db, caller.orgId, id))) throw leadNotFound(id);
}

/**
 * Like {@link requireLead} for a raw path segment: anything that is not a positive id is a lead
 * that does not exist.
 */
export async function requireLeadPath(
  ctx: AppContext,
  caller: Caller,
  rawId: string,
): Promise<void> {
  const id = pathId(rawId);
  if (id === undefined) {
    throw AppError.of('LEAD_NOT_FOUND', `lead ${rawId.slice(0, 40)} does not exist`);
  }
  await requireLead(ctx, caller, id);
}

/** Checks that every (field, entity id) pair names an entity of the org. */
export async function checkEntities(
  db: Db,
  orgId: number,
  refs: Array<[field: string, id: number | undefined]>,
  errors: FieldErrors,
): Promise<void> {
  const ids = refs.map(([, id]) => id).filter((id): id is number => id !== undefined);
  const found = await findEntitiesByIds(db, orgId, ids);
  for (const [field, id] of refs) {
    if (id !== undefined && !found.has(id)) {
      errors.add('FIELD_UNKNOWN_REFERENCE', `${field}: no entity ${id} in this org`);
    }
  }
}

export async function checkReasons(
  db: Db,
  orgId: number,
  refs: Array<[field: string, id: number]>,
  errors: FieldErrors,
): Promise<void> {
  const found = await findReasonsByIds(
    db,
    orgId,
    refs.map(([, id]) => id),
  );
  for (const [field, id] of refs) {
    if (!found.has(id))
      errors.add('FIELD_UNKNOWN_REFERENCE', `${field}: no reason ${id} in this org`);
  }
}

export async function checkSubStatus(
  db: Db,
  orgId: number,
  status: LeadStatus,
  subStatus: string | undefined,
  errors: FieldErrors,
): Promise<void> {
  if (subStatus !== undefined && !(await subStatusExists(db, orgId, status, subStatus))) {
    errors.add(
      'SUB_STATUS_NOT_CONFIGURED',
      `subStatus: ${subStatus} is not a sub-status of ${status} in this org`,
    );
  }
}

export async function resolveOwner(
  db: Db,
  orgId: number,
  owner: string,
  errors: FieldErrors,
): Promise<number | undefined> {
  const entity = await findEntityByCode(db, orgId, owner);
  if (!entity) errors.add('FIELD_UNKNOWN_REFERENCE', `owner: no entity ${owner} in this org`);
  return entity?.id;
}

export type CustomerRef = { userId: number } | { column: 'email' | 'mobile'; value: string };

export async function resolveCustomerRef(
  db: Db,
  orgId: number,
  body: LeadCreateBody,
  errors: FieldErrors,
): Promise<CustomerRef | undefined> {
  const { userId, idType, identifier } = body;
  if (userId !== undefined) {
    if (idType !== undefined || identifier !== undefined) {
      errors.add(
        'FIELD_CONFLICT',
        'userId: give either userId or idType with identifier, not both',
      );
      return undefined;
    }
    if (!(await customerExists(db, orgId, userId))) {
      errors.add('FIELD_UNKNOWN_REFERENCE', `userId: no customer ${userId} in this org`);
      return undefined;
    }
    return { userId };
  }
  if (idType === undefined && identifier === undefined) {
    errors.add('FIELD_REQUIRED', 'userId (or idType with identifier) is required');
    return undefined;
  }
  if (idType === undefined) {
    errors.add('FIELD_REQUIRED', 'idType is required with identifier');
    return undefined;
  }
  if (identifier === undefined) {
    errors.add('FIELD_REQUIRED', 'identifier is required with idType');
    return undefined;
  }
  return normaliseIdentifier(db, orgId, idType, identifier, errors);
}
