import type { AppContext } from '../core/context.js';
import { listLocalisedFields } from './extended-field.repository.js';
import { labelOf, parseValueLabels } from './extended-field.mapper.js';
import { requestedLanguage } from './language.js';

/**
 * Leads with their ENUM extended-field values shown in `language` (a `language` header such as
 * `fr`, `FR` or `fr-CA`) where the org has a translation, else as stored. The org's
 * translations are read once per call, whatever the number of leads.
 *
 * @example await localiseLeads(ctx, orgId, leads, 'fr') // { colour: 'RED' } shown as { colour: 'Rouge' }
 */
export async function localiseLeads<T extends { extendedFields: object }>(
  ctx: AppContext,
  orgId: number,
  leads: T[],
  language: string | undefined,
): Promise<T[]> {
  const wanted = requestedLanguage(language);
  if (wanted === undefined || leads.length === 0) return leads;
  const shownByField = new Map<string, Record<string, string>>();
  for (const row of await listLocalisedFields(ctx.store.db, orgId, 'LEAD', wanted)) {
    if (row.data_type === 'ENUM' && row.value_labels !== null) {
      shownByField.set(row.name, parseValueLabels(row.value_labels));
    }
  }
  if (shownByField.size === 0) return leads;
  return leads.map((lead) => {
    const fields = Object.fromEntries(
      Object.entries(lead.extendedFields as Record<string, unknown>).map(([key, value]) => [
        key,
        typeof value === 'string' ? labelOf(shownByField.get(key), value) : value,
      ]),
    );
    return { ...lead, extendedFields: fields };
  });
}
