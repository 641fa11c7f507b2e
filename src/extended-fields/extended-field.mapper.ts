import type { FieldRow, LocalisedFieldRow, TranslationRow } from './extended-field.repository.js';
import type { FieldDefinition } from './extended-field.schemas.js';

/** The one place definition rows become API objects. */

/** A translation as read from its row: the label (when translated) and value -> shown value. */
export type Translation = { label: string | null; values: Record<string, string> };

/** The allowed values of an ENUM field (empty for other types). */
export function enumValuesOf(row: FieldRow): string[] {
  return row.enum_values === null ? [] : (JSON.parse(row.enum_values) as string[]);
}

export function parseValueLabels(text: string | null): Record<string, string> {
  return text === null ? {} : (JSON.parse(text) as Record<string, string>);
}

/**
 * How `value` is shown under `labels`: its translation, else itself. Own keys only, so a value
 * such as `constructor` never meets `Object.prototype`.
 */
export function labelOf(labels: Record<string, string> | undefined, value: string): string {
  return labels !== undefined && Object.hasOwn(labels, value) ? (labels[value] ?? value) : value;
}

/**
 * A definition as clients see it: label and value labels from `translation` where it has them,
 * else as stored.
 *
 * @example fieldRowToDefinition(row, { label: 'Couleur', values: { RED: 'Rouge' } })
 */
export function fieldRowToDefinition(row: FieldRow, translation?: Translation): FieldDefinition {
  return {
    name: row.name,
    label: translation?.label ?? row.label,
    dataType: row.data_type,
    required: row.required === 1,
    ...(row.data_type === 'ENUM'
      ? {
          values: enumValuesOf(row).map((value) => ({
            value,
            label: labelOf(translation?.values, value),
          })),
        }
      : {}),
  };
}

/** {@link fieldRowToDefinition} for a row read with its translation (a left join). */
export function localisedRowToDefinition(row: LocalisedFieldRow): FieldDefinition {
  return fieldRowToDefinition(row, {
    label: row.translated_label,
    values: parseValueLabels(row.value_labels),
  });
}

/** A definition as stored, with every translation by language (what the CLI prints). */
export type FieldDetails = FieldDefinition & {
  translations: Record<string, { label?: string; values: Record<string, string> }>;
};

export function fieldRowToDetails(row: FieldRow, translations: TranslationRow[]): FieldDetails {
  return {
    ...fieldRowToDefinition(row),
    translations: Object.fromEntries(
      translations.map((t) => [
        t.language,
        {
          ...(t.label === null ? {} : { label: t.label }),
          values: parseValueLabels(t.value_labels),
        },
      ]),
    ),
  };
}

/**
 * A definition with its translations, as clients of `language` see it.
 *
 * @example definitionIn(details, 'fr') // { name: 'colour', label: 'Couleur', ... }
 */
export function definitionIn(details: FieldDetails, language: string): FieldDefinition {
  const translation = Object.hasOwn(details.translations, language)
    ? details.translations[language]
    : undefined;
  return {
    name: details.name,
    label: translation?.label ?? details.label,
    dataType: details.dataType,
    required: details.required,
    ...(details.values === undefined
      ? {}
      : {
          values: details.values.map((v) => ({
            value: v.value,
            label: labelOf(translation?.values, v.value),
          })),
        }),
  };
}
