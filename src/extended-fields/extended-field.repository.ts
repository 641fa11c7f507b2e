import type { Db } from '../db/database.js';
import type { FieldDataType, FieldEntityType, Row } from '../db/schema.js';

/** A definition as stored: `enum_values` is JSON text of the allowed values (ENUM only). */
export type FieldRow = Pick<
  Row<'extended_fields'>,
  'id' | 'name' | 'label' | 'data_type' | 'required' | 'enum_values'
>;

/** One language's translation of a field: its label (or null) and JSON text of value labels. */
export type TranslationRow = Pick<
  Row<'extended_field_translations'>,
  'field_id' | 'language' | 'label' | 'value_labels'
>;

/** A definition with its translation into one language, when it has one. */
export type LocalisedFieldRow = FieldRow & {
  translated_label: string | null;
  value_labels: string | null;
};

const fieldColumns = [
  'f.id',
  'f.name',
  'f.label',
  'f.data_type',
  'f.required',
  'f.enum_values',
] as const;

/**
 * The org's definitions for `entityType`, in definition order.
 *
 * @example const fields = await listFields(db, orgId, 'LEAD');
 */
export function listFields(
  db: Db,
  orgId: number,
  entityType: FieldEntityType,
): Promise<FieldRow[]> {
  return db
    .selectFrom('extended_fields as f')
    .select(fieldColumns)
    .where('f.org_id', '=', orgId)
    .where('f.entity_type', '=', entityType)
    .orderBy('f.id')
    .execute();
}

/**
 * The org's definitions for `entityType` with their `language` translation, in one query.
 *
 * @example const fields = await listLocalisedFields(db, orgId, 'LEAD', 'fr');
 */
export function listLocalisedFields(
  db: Db,
  orgId: number,
  entityType: FieldEntityType,
  language: string,
): Promise<LocalisedFieldRow[]> {
  return db
    .selectFrom('extended_fields as f')
    .leftJoin('extended_field_translations as t', (join) =>
      join
        .onRef('t.field_id', '=', 'f.id')
        .onRef('t.org_id', '=', 'f.org_id')
        .on('t.language', '=', language),
    )
    .select([...fieldColumns, 't.label as translated_label', 't.value_labels'])
    .where('f.org_id', '=', orgId)
    .where('f.entity_type', '=', entityType)
    .orderBy('f.id')
    .execute();
}

/**
 * The org's definition `name`, or undefined. With `lock` (inside a transaction) the row stays
 * locked until commit, so concurrent translations of one field apply one after the other.
 */
export async function findField(
  db: Db,
  orgId: number,
  entityType: FieldEntityType,
  name: string,
  lock = false,
): Promise<FieldRow | undefined> {
  let query = db
    .selectFrom('extended_fields as f')
    .select(fieldColumns)
    .where('f.org_id', '=', orgId)
    .where('f.entity_type', '=', entityType)
    .where('f.name', '=', name);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export function insertField(
  db: Db,
  values: {
    orgId: number;
    entityType: FieldEntityType;
    name: string;
    label: string;
    dataType: FieldDataType;
    required: boolean;
    enumValues: string[] | undefined;
    now: number;
  },
): Promise<FieldRow> {
  return db
    .insertInto('extended_fields')
    .values({
      org_id: values.orgId,
      entity_type: values.entityType,
      name: values.name,
      label: values.label,
      data_type: values.dataType,
      required: values.required ? 1 : 0,
      enum_values: values.enumValues === undefined ? null : JSON.stringify(values.enumValues),
      created_on: values.now,
    })
    .returning(['id', 'name', 'label', 'data_type', 'required', 'enum_values'])
    .executeTakeFirstOrThrow();
}

/** Every translation of the fields `fieldIds` of the org, by field and language. */
export async function listTranslationsOf(
  db: Db,
  orgId: number,
  fieldIds: number[],
): Promise<TranslationRow[]> {
  if (fieldIds.length === 0) return [];
  return db
    .selectFrom('extended_field_translations')
    .select(['field_id', 'language', 'label', 'value_labels'])
    .where('org_id', '=', orgId)
    .where('field_id', 'in', fieldIds)
    .orderBy('field_id')
    .orderBy('language')
    .execute();
}

/** The translation of field `fieldId` into `language`, or undefined. */
export function findTranslation(
  db: Db,
  orgId: number,
  fieldId: number,
  language: string,
): Promise<TranslationRow | undefined> {
  return db
    .selectFrom('extended_field_translations')
    .select(['field_id', 'language', 'label', 'value_labels'])
    .where('org_id', '=', orgId)
    .where('field_id', '=', fieldId)
    .where('language', '=', language)
    .executeTakeFirst();
}

/** Writes the translation of a field into one language, replacing the previous one. */
export async function saveTranslation(
  db: Db,
  orgId: number,
  row: { fieldId: number; language: string; label: string | null; valueLabels: string },
): Promise<void> {
  await db
    .insertInto('extended_field_translations')
    .values({
      field_id: row.fieldId,
      org_id: orgId,
      language: row.language,
      label: row.label,
      value_labels: row.valueLabels,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['org_id', 'field_id', 'language'])
        .doUpdateSet({ label: row.label, value_labels: row.valueLabels }),
    )
    .execute();
}
