import type { AppContext } from '../../core/context.js';
import type { Caller } from '../../core/caller.js';
import type { VersionedLead } from '../lead.mapper.js';
import { EMBEDDED_HISTORY, loadLeads } from '../lead.loader.js';
import { findCreatedSince, findOwnedDueLeads } from '../lead.repository.js';
import { showLeads } from '../lead.view.js';

/** How many leads each list of a person's day shows. */
const TODAY_LIMIT = 50;

/**
 * A person's day (the web app's Today): the open leads they own whose next follow-up falls before
 * the end of their day (overdue ones first), and the leads they created since its start, newest
 * first. Both read one entity's leads through its own index, never the whole org.
 */
export async function todayOf(
  ctx: AppContext,
  caller: Caller,
  day: { start: number; end: number },
): Promise<{ due: VersionedLead[]; created: VersionedLead[] }> {
  const { db } = ctx.store;
  const [dueRows, createdRows] = await Promise.all([
    findOwnedDueLeads(db, caller.orgId, caller.entityId, day.end, TODAY_LIMIT),
    findCreatedSince(db, caller.orgId, caller.entityId, day.start, TODAY_LIMIT),
  ]);
  const [due, created] = await Promise.all([
    loadLeads(db, caller.orgId, dueRows, EMBEDDED_HISTORY.list),
    loadLeads(db, caller.orgId, createdRows, EMBEDDED_HISTORY.list),
  ]);
  return {
    due: await showLeads(ctx, caller.orgId, due, undefined),
    created: await showLeads(ctx, caller.orgId, created, undefined),
  };
}
