import type { AppContext } from '../core/context.js';
import type { Actor } from '../core/actor.js';
import { AppError, FieldErrors } from '../core/errors.js';
import { recordAudit } from '../audit/index.js';
import { languageCode } from './language.js';
import {
  findTranslation,
  listTranslationsOf,
  saveTranslation,
  type FieldRow,
} from './extended-field.repository.js';
import {
  enumValuesOf,
  fieldRowToDetails,
  parseValueLabels,
  type FieldDetails,
} from './extended-field.mapper.js';
import { MAX_LABEL } from './extended-field.schemas.js';
import { FIELD_ENTITY_TYPES } from '../db/schema.js';
import { isFieldEntityType, isText, requireField } from './extended-field.service.js';

/**
 * Translations of extended-field definitions: a label and value labels per language, merged
 * change by change. Called by the admin API and the CLI's `field translate`.
 */

/** A change to one language's translation; `null` removes a translated label or value. */
export type TranslationChange = {
  entityType: string;
  name: string;
  language: string;
  label?: string | null | undefined;
  values?: Record<string, string | null> | undefined;
};

function checkTranslation(
  field: FieldRow,
  change: TranslationChange,
  errors: FieldErrors,
): string | undefined {
  const language = languageCode(change.language);
  if (language === undefined) {
    errors.add('FIELD_INVALID_VALUE', 'language must be an ISO 639-1 code, e.g. fr');
  }
  if (change.label === undefined && change.values === undefined) {
    errors.add('FIELD_REQUIRED', 'label or values is required');
  }
  if (typeof change.label === 'string' && !isText(change.label, MAX_LABEL)) {
    errors.add('FIELD_INVALID_VALUE', `label must be 1 to ${MAX_LABEL} characters, not blank`);
  }
  if (change.values === undefined) return language;
  if (field.data_type !== 'ENUM') {
    errors.add(
      'FIELD_INVALID_VALUE',
      `values: ${field.name} is a ${field.data_type} field; only ENUM values are translated`,
    );
    return language;
  }
  const allowed = new Set(enumValuesOf(field));
  for (const [value, shown] of Object.entries(change.values)) {
    if (!allowed.has(value)) {
      errors.add(
        'FIELD_INVALID_VALUE',
        `values.${value} is not a value of ${field.name} (${[...allowed].join(', ')})`,
      );
    } else if (shown !== null && !isText(shown, MAX_LABEL)) {
      errors.add(
        'FIELD_INVALID_VALUE',
        `values.${value} must be 1 to ${MAX_LABEL} characters, not blank`,
      );
    }
  }
  return language;
}

/**
 * Changes the translation of a field into one language: a given label replaces the translated
 * label, given values are merged into the translated values, and `null` removes a translation.
 * Recorded in the audit log in the same transaction. Answers the definition as stored with
 * every translation.
 *
 * @example await translateField(ctx, actor, { entityType: 'LEAD', name: 'colour', language: 'fr', label: 'Couleur', values: { RED: 'Rouge' } });
 */
export async function translateField(
  ctx: AppContext,
  actor: Actor,
  change: TranslationChange,
): Promise<FieldDetails> {
  if (!isFieldEntityType(change.entityType)) {
    throw AppError.of(
      'FIELD_INVALID_VALUE',
      `entityType must be one of ${FIELD_ENTITY_TYPES.join(', ')}`,
    );
  }
  const field = await requireField(ctx.store.db, actor.orgId, change.entityType, change.name);
  const errors = new FieldErrors();
  const language = checkTranslation(field, change, errors);
  errors.throwIfAny();
  if (language === undefined) throw new Error('unreachable: language was checked');
  return ctx.store.transaction(async (trx) => {
    // Locked, so concurrent changes of one field's translations merge in turn.
    const row = await requireField(trx, actor.orgId, change.entityType, change.name, true);
    const previous = await findTranslation(trx, actor.orgId, row.id, language);
    const values = new Map(Object.entries(parseValueLabels(previous?.value_labels ?? null)));
    for (const [value, shown] of Object.entries(change.values ?? {})) {
      if (shown === null) values.delete(value);
      else values.set(value, shown);
    }
    await saveTranslation(trx, actor.orgId, {
      fieldId: row.id,
      language,
      label: change.label === undefined ? (previous?.label ?? null) : change.label,
      valueLabels: JSON.stringify(Object.fromEntries(values)),
    });
    const now = ctx.clock.now();
    await recordAudit(
      trx,
      actor,
      'field.translate',
      row.name,
      {
        entityType: change.entityType,
        language,
        ...(change.label === undefined ? {} : { label: change.label }),
        ...(change.values === undefined ? {} : { values: change.values }),
      },
      now,
    );
    return fieldRowToDetails(row, await listTranslationsOf(trx, actor.orgId, [row.id]));
  });
}
