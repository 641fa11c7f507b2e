import type { AppContext } from '../../core/context.js';
import type { Caller } from '../../core/caller.js';
import type { VersionedLead } from '../lead.mapper.js';
import { EMBEDDED_HISTORY, loadLeads } from '../lead.loader.js';
import { findCreatedSince, findOwnedDueLeads, findStoreDueLeads } from '../lead.repository.js';
import { showLeads } from '../lead.view.js';

/** How many leads each list of a person's day shows. */
const TODAY_LIMIT = 50;

/**
 * A person's day (the web app's Today), theirs first: the open leads they own whose next
 * follow-up falls before the end of their day (overdue ones first); then, when they sit in a
 * store (`storeCode`), the store's other leads due by then (unowned, or owned by someone else);
 * and the leads they created since the day's start, newest first. Each list reads through an
 * index of one entity's or one store's worked leads, never the whole org.
 */
export async function todayOf(
  ctx: AppContext,
  caller: Caller,
  day: { start: number; end: number },
  storeCode?: string,
): Promise<{ due: VersionedLead[]; storeDue: VersionedLead[]; created: VersionedLead[] }> {
  const { db } = ctx.store;
  const store = storeCode === undefined ? undefined : { type: 'STORE' as const, code: storeCode };
  const rows = await Promise.all([
    findOwnedDueLeads(db, caller.orgId, caller.entityId, day.end, TODAY_LIMIT),
    store === undefined
      ? Promise.resolve([])
      : findStoreDueLeads(db, caller.orgId, store, caller.entityId, day.end, TODAY_LIMIT),
    findCreatedSince(db, caller.orgId, caller.entityId, day.start, TODAY_LIMIT),
  ]);
  const [due, storeDue, created] = await Promise.all(
    rows.map(async (list) =>
      showLeads(
        ctx,
        caller.orgId,
        await loadLeads(db, caller.orgId, list, EMBEDDED_HISTORY.list),
        undefined,
      ),
    ),
  );
  return { due: due!, storeDue: storeDue!, created: created! };
}
