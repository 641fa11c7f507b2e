import type { AppContext } from '../core/context.js';
import type { Actor } from '../core/actor.js';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import {
  FIELD_DATA_TYPES,
  FIELD_ENTITY_TYPES,
  type FieldDataType,
  type FieldEntityType,
} from '../db/schema.js';
import { AppError, FieldErrors } from '../core/errors.js';
import { recordAudit } from '../audit/index.js';
import { requestedLanguage } from './language.js';
import {
  findField,
  insertField,
  listFields,
  listLocalisedFields,
  listTranslationsOf,
  type FieldRow,
} from './extended-field.repository.js';
import {
  fieldRowToDefinition,
  fieldRowToDetails,
  localisedRowToDefinition,
  type FieldDetails,
} from './extended-field.mapper.js';
import {
  FIELD_NAME,
  MAX_ENUM_VALUE,
  MAX_ENUM_VALUES,
  MAX_LABEL,
  type FieldDefinition,
} from './extended-field.schemas.js';

/**
 * Extended-field definitions and their translations: what the API's admin routes and the CLI's
 * `field` commands both call, so the two apply the same rules. Problems name the API's fields
 * (`name`, `values[1]`, `values.RED`); the CLI renames them after its options.
 */

/** A new definition, as the admin API's body or the CLI's options give it. */
export type NewField = {
  entityType: string;
  name: string;
  label?: string | undefined;
  dataType: string;
  required?: boolean | undefined;
  values?: string[] | undefined;
};

/** True for an entity type that can carry extended fields. */
export function isFieldEntityType(value: string): value is FieldEntityType {
  return (FIELD_ENTITY_TYPES as readonly string[]).includes(value);
}

function isDataType(value: string): value is FieldDataType {
  return (FIELD_DATA_TYPES as readonly string[]).includes(value);
}

/** A label or a shown value: 1 to MAX_LABEL characters, not only blanks. */
export function isText(value: string, max: number): boolean {
  return value.length <= max && value.trim() !== '';
}

export function fieldNotFound(entityType: string, name: string): AppError {
  return AppError.of(
    'FIELD_NOT_FOUND',
    `no ${entityType} extended field ${name.slice(0, 100)} in this org`,
  );
}

/**
 * The org's definition `name` of `entityType`, or FIELD_NOT_FOUND. A name no field could have
 * is not looked up at all.
 */
export async function requireField(
  db: Db,
  orgId: number,
  entityType: string,
  name: string,
  lock = false,
): Promise<FieldRow> {
  const row =
    isFieldEntityType(entityType) && FIELD_NAME.test(name)
      ? await findField(db, orgId, entityType, name, lock)
      : undefined;
  if (!row) throw fieldNotFound(entityType, name);
  return row;
}

/**
 * The org's definitions of `entityType` in definition order, labels in `language` (a `language`
 * header) where translated, else as stored. One query either way.
 *
 * @example await getDefinitions(ctx, orgId, 'LEAD', 'fr-CA') // French labels where there are some
 */
export async function getDefinitions(
  ctx: AppContext,
  orgId: number,
  entityType: FieldEntityType,
  language: string | undefined,
): Promise<FieldDefinition[]> {
  const wanted = requestedLanguage(language);
  if (wanted === undefined) {
    return (await listFields(ctx.store.db, orgId, entityType)).map((row) =>
      fieldRowToDefinition(row),
    );
  }
  const rows = await listLocalisedFields(ctx.store.db, orgId, entityType, wanted);
  return rows.map(localisedRowToDefinition);
}

/**
 * The org's definitions of `entityType` as stored, in definition order, each with every
 * translation (the web app's administration lists them so). Two queries.
 */
export async function getFieldDetails(
  ctx: AppContext,
  orgId: number,
  entityType: FieldEntityType,
): Promise<FieldDetails[]> {
  const rows = await listFields(ctx.store.db, orgId, entityType);
  const translations = await listTranslationsOf(
    ctx.store.db,
    orgId,
    rows.map((row) => row.id),
  );
  return rows.map((row) =>
    fieldRowToDetails(
      row,
      translations.filter((translation) => Number(translation.field_id) === Number(row.id)),
    ),
  );
}

function checkNewField(input: NewField, errors: FieldErrors): void {
  if (!isFieldEntityType(input.entityType)) {
    errors.add('FIELD_INVALID_VALUE', `entityType must be one of ${FIELD_ENTITY_TYPES.join(', ')}`);
  }
  if (!FIELD_NAME.test(input.name)) {
    errors.add(
      'FIELD_INVALID_VALUE',
      'name must be 1 to 64 letters, digits or underscores, starting with a letter',
    );
  }
  if (input.label !== undefined && !isText(input.label, MAX_LABEL)) {
    errors.add('FIELD_INVALID_VALUE', `label must be 1 to ${MAX_LABEL} characters, not blank`);
  }
  if (!isDataType(input.dataType)) {
    errors.add('FIELD_INVALID_VALUE', `dataType must be one of ${FIELD_DATA_TYPES.join(', ')}`);
    return;
  }
  const { values } = input;
  if (input.dataType !== 'ENUM') {
    if (values !== undefined) {
      errors.add('FIELD_INVALID_VALUE', 'values are only for ENUM fields');
    }
    return;
  }
  if (values === undefined || values.length === 0) {
    errors.add('FIELD_REQUIRED', 'values is required for an ENUM field (at least one value)');
    return;
  }
  if (values.length > MAX_ENUM_VALUES) {
    errors.add('FIELD_INVALID_VALUE', `values must have at most ${MAX_ENUM_VALUES} items`);
  }
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (!isText(value, MAX_ENUM_VALUE)) {
      errors.add(
        'FIELD_INVALID_VALUE',
        `values[${index}] must be 1 to ${MAX_ENUM_VALUE} characters, not blank`,
      );
    } else if (seen.has(value)) {
      errors.add('FIELD_INVALID_VALUE', `values[${index}] repeats ${value}`);
    }
    seen.add(value);
  });
}

/**
 * Defines a field of the actor's org, recorded in the audit log in the same transaction. The
 * label defaults to the name; a name the org already defines for the entity type is
 * FIELD_EXISTS.
 *
 * @example await createField(ctx, actor, { entityType: 'LEAD', name: 'colour', dataType: 'ENUM', values: ['RED', 'BLUE'] });
 */
export async function createField(
  ctx: AppContext,
  actor: Actor,
  input: NewField,
): Promise<FieldDefinition> {
  const errors = new FieldErrors();
  checkNewField(input, errors);
  errors.throwIfAny();
  const { entityType, dataType } = input;
  if (!isFieldEntityType(entityType) || !isDataType(dataType))
    throw new Error('unreachable: checked');
  const exists = () =>
    AppError.of('FIELD_EXISTS', `${entityType} extended field ${input.name} exists already`);
  const definition = {
    label: input.label ?? input.name,
    dataType,
    required: input.required ?? false,
    ...(dataType === 'ENUM' ? { values: input.values } : {}),
  };
  try {
    const row = await ctx.store.transaction(async (trx) => {
      if (await findField(trx, actor.orgId, entityType, input.name)) throw exists();
      const now = ctx.clock.now();
      const inserted = await insertField(trx, {
        orgId: actor.orgId,
        entityType,
        name: input.name,
        label: definition.label,
        dataType,
        required: definition.required,
        enumValues: definition.values,
        now,
      });
      await recordAudit(trx, actor, 'field.create', input.name, { entityType, ...definition }, now);
      return inserted;
    });
    return fieldRowToDefinition(row);
  } catch (error) {
    // Two concurrent definitions of one name: the unique index lets exactly one in.
    if (isUniqueViolation(error)) throw exists();
    throw error;
  }
}
