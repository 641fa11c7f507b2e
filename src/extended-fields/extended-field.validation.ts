import type { Db } from '../db/database.js';
import {
  envelopeItem,
  type EnvelopeItem,
  type ErrorName,
  type FieldErrors,
} from '../core/errors.js';
import { formatDateTime, isDateTime, parseDateTime } from '../core/date-time.js';
import { listFields, type FieldRow } from './extended-field.repository.js';
import { enumValuesOf } from './extended-field.mapper.js';

export type ExtendedValue = string | number | boolean;

/**
 * Lead `extendedFields` against the org's definitions. While an org defines no lead fields, any
 * scalar under any key is kept (the contract's rule); once it defines some, only those are.
 */

type Checked = { ok: true; value: ExtendedValue } | { ok: false; name: ErrorName; rule: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for `YYYY-MM-DD` naming a real day of the years 0001 to 9999. */
function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = m.slice(1, 4).map(Number) as [number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const invalidType = (rule: string): Checked => ({ ok: false, name: 'FIELD_INVALID_TYPE', rule });

/**
 * Checks one value against its field's data type; answers the value to store (date-times in
 * UTC `Z` to the second) or what is wrong with it.
 */
function checkValue(field: FieldRow, value: ExtendedValue): Checked {
  switch (field.data_type) {
    case 'STRING':
      return typeof value === 'string' ? { ok: true, value } : invalidType('must be a string');
    case 'INTEGER':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return invalidType('must be an integer');
      }
      return Number.isSafeInteger(value)
        ? { ok: true, value }
        : {
            ok: false,
            name: 'FIELD_INVALID_VALUE',
            rule: `must be an integer from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}`,
          };
    case 'DOUBLE':
      return typeof value === 'number' ? { ok: true, value } : invalidType('must be a number');
    case 'BOOLEAN':
      return typeof value === 'boolean' ? { ok: true, value } : invalidType('must be a boolean');
    case 'DATE':
      if (typeof value !== 'string') return invalidType('must be a date string (YYYY-MM-DD)');
      return isDate(value)
        ? { ok: true, value }
        : { ok: false, name: 'FIELD_INVALID_VALUE', rule: 'must be a real date, YYYY-MM-DD' };
    case 'DATETIME':
      if (typeof value !== 'string') {
        return invalidType('must be an ISO 8601 date-time string with an offset');
      }
      return isDateTime(value)
        ? { ok: true, value: formatDateTime(parseDateTime(value)) }
        : {
            ok: false,
            name: 'FIELD_INVALID_DATE_TIME',
            rule: 'must be an ISO 8601 date-time with an offset, e.g. 2026-03-02T17:45:00+05:30',
          };
    case 'ENUM': {
      const values = enumValuesOf(field);
      if (typeof value !== 'string') return invalidType(`must be one of ${values.join(', ')}`);
      return values.includes(value)
        ? { ok: true, value }
        : { ok: false, name: 'FIELD_INVALID_VALUE', rule: `must be one of ${values.join(', ')}` };
    }
  }
}

function ignored(key: string): EnvelopeItem {
  return envelopeItem(
    'EXTENDED_FIELD_IGNORED',
    `extendedFields.${key} is not a field this org defines for leads; it was dropped`,
  );
}

/** Validates `value` of defined `field` into `out`, or reports it into `errors`. */
function accept(
  field: FieldRow,
  value: ExtendedValue,
  out: Record<string, ExtendedValue | null>,
  errors: FieldErrors,
): void {
  const checked = checkValue(field, value);
  if (checked.ok) out[field.name] = checked.value;
  else errors.add(checked.name, `extendedFields.${field.name} ${checked.rule}`);
}

/**
 * Checks a new lead's `extendedFields` against the org's definitions: reports errors into
 * `errors`, pushes warnings for dropped keys, and returns the fields to store.
 *
 * @example await checkLeadFieldsOnCreate(db, orgId, { colour: 'RED' }, errors, warnings)
 */
export async function checkLeadFieldsOnCreate(
  db: Db,
  orgId: number,
  fields: Record<string, ExtendedValue> | undefined,
  errors: FieldErrors,
  warnings: EnvelopeItem[],
): Promise<Record<string, ExtendedValue>> {
  const given = fields ?? {};
  const defined = await listFields(db, orgId, 'LEAD');
  if (defined.length === 0) return { ...given };
  const byName = new Map(defined.map((f) => [f.name, f]));
  const out: Record<string, ExtendedValue> = {};
  for (const [key, value] of Object.entries(given)) {
    const field = byName.get(key);
    if (field) accept(field, value, out, errors);
    else warnings.push(ignored(key));
  }
  for (const field of defined) {
    if (field.required === 1 && !Object.hasOwn(given, field.name)) {
      errors.add('FIELD_REQUIRED', `extendedFields.${field.name} is required`);
    }
  }
  return out;
}

/**
 * Like {@link checkLeadFieldsOnCreate} for an update patch (`null` removes a key). Removing a
 * required field is refused. A `null` under a key the org does not define still removes it: it
 * is how a lead sheds a key kept from before the org defined its fields.
 */
export async function checkLeadFieldsOnUpdate(
  db: Db,
  orgId: number,
  patch: Record<string, ExtendedValue | null>,
  errors: FieldErrors,
  warnings: EnvelopeItem[],
): Promise<Record<string, ExtendedValue | null>> {
  if (Object.keys(patch).length === 0) return {};
  const defined = await listFields(db, orgId, 'LEAD');
  if (defined.length === 0) return { ...patch };
  const byName = new Map(defined.map((f) => [f.name, f]));
  const out: Record<string, ExtendedValue | null> = {};
  for (const [key, value] of Object.entries(patch)) {
    const field = byName.get(key);
    if (value === null) {
      if (field?.required === 1) {
        errors.add('FIELD_REQUIRED', `extendedFields.${key} is required and cannot be removed`);
      } else {
        out[key] = null;
      }
    } else if (field) {
      accept(field, value, out, errors);
    } else {
      warnings.push(ignored(key));
    }
  }
  return out;
}
