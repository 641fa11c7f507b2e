import type { AppContext } from '../../core/context.js';
import type { Caller } from '../../core/caller.js';
import { findLead } from '../lead.repository.js';
import type { VersionedLead } from '../lead.mapper.js';
import { leadNotFound } from '../lead.references.js';
import { loadLeads } from '../lead.loader.js';
import { showLead, type LeadView } from '../lead.view.js';

/** The caller's lead `id` with its follow-ups and status log, or LEAD_NOT_FOUND. */
export async function getLead(
  ctx: AppContext,
  caller: Caller,
  input: { id: number; view?: LeadView },
): Promise<VersionedLead> {
  const row = await findLead(ctx.store.db, caller.orgId, input.id);
  if (!row) throw leadNotFound(input.id);
  const [lead] = await loadLeads(ctx.store.db, caller.orgId, [row]);
  if (!lead) throw leadNotFound(input.id);
  return showLead(ctx, caller.orgId, lead, input.view);
}
