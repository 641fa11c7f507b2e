import type { AppContext } from '../core/context.js';
import { localiseLeads } from '../extended-fields/index.js';
import type { VersionedLead } from './lead.mapper.js';

/** How the caller wants leads shown: extended-field values in `language` where it is translated. */
export type LeadView = { language?: string | undefined };

/** Leads as the caller sees them; their versions stay, for the `ETag`. */
export function showLeads(
  ctx: AppContext,
  orgId: number,
  leads: VersionedLead[],
  view: LeadView | undefined,
): Promise<VersionedLead[]> {
  return localiseLeads(ctx, orgId, leads, view?.language);
}

/** One lead as the caller sees it. */
export async function showLead(
  ctx: AppContext,
  orgId: number,
  lead: VersionedLead,
  view: LeadView | undefined,
): Promise<VersionedLead> {
  const [shown] = await showLeads(ctx, orgId, [lead], view);
  return shown ?? lead;
}
