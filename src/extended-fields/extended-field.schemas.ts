import { Type, type Static } from '@sinclair/typebox';
import { FIELD_DATA_TYPES, FIELD_ENTITY_TYPES } from '../db/schema.js';
import { ListEnvelope, named, Nullable, ref, StringEnum, Warnings } from '../http/schemas.js';

/** TypeBox schemas of the extended-field routes (definitions, admin definitions, translations). */

/** A field name: the key it has in a lead's `extendedFields`. */
export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const MAX_LABEL = 200;
export const MAX_ENUM_VALUE = 200;
export const MAX_ENUM_VALUES = 200;

export const FieldEntityType = StringEnum(FIELD_ENTITY_TYPES);
export const FieldDataType = StringEnum(FIELD_DATA_TYPES);
const Label = Type.String({ minLength: 1, maxLength: MAX_LABEL });

export const FieldListQuery = Type.Object({ entityType: FieldEntityType });
export type FieldListQuery = Static<typeof FieldListQuery>;

export const FieldCreateBody = Type.Object({
  entityType: FieldEntityType,
  name: Type.String({
    pattern: FIELD_NAME.source,
    description: '1 to 64 letters, digits or underscores, starting with a letter.',
  }),
  label: Type.Optional(Label),
  dataType: FieldDataType,
  required: Type.Optional(Type.Boolean({ default: false })),
  values: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: MAX_ENUM_VALUE }), {
      minItems: 1,
      maxItems: MAX_ENUM_VALUES,
      uniqueItems: true,
      description: 'ENUM only: the allowed stored values.',
    }),
  ),
});
export type FieldCreateBody = Static<typeof FieldCreateBody>;

export const TranslationParams = Type.Object({
  entityType: FieldEntityType,
  name: Type.String({ maxLength: 200 }),
  language: Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 639-1 code.' }),
});
export type TranslationParams = Static<typeof TranslationParams>;

export const TranslationBody = Type.Object({
  label: Type.Optional(Nullable(Label)),
  values: Type.Optional(
    Type.Record(Type.String(), Nullable(Type.String({ minLength: 1, maxLength: MAX_LABEL })), {
      maxProperties: MAX_ENUM_VALUES,
      description: 'Stored value -> value shown in this language; null removes a translation.',
    }),
  ),
});
export type TranslationBody = Static<typeof TranslationBody>;

const FieldValue = Type.Object({ value: Type.String(), label: Type.String() });

const definitionFields = {
  name: Type.String(),
  label: Type.String(),
  dataType: FieldDataType,
  required: Type.Boolean(),
  values: Type.Optional(Type.Array(FieldValue, { description: 'ENUM only.' })),
};

/** A definition as clients see it, its labels in the request's language where translated. */
export const FieldDefinition = named('ExtendedField', Type.Object(definitionFields));
export type FieldDefinition = Static<typeof FieldDefinition>;

export const FieldList = ListEnvelope(ref(FieldDefinition));
/** One definition with the request's warnings beside its fields, as admin responses are. */
export const FieldResponse = named(
  'ExtendedFieldResponse',
  Type.Object({ ...definitionFields, warnings: Warnings }),
);
