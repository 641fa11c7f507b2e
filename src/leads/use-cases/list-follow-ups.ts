import type { AppContext } from '../../core/context.js';
import type { Caller } from '../../core/caller.js';
import { pageFollowUps } from '../history.repository.js';
import { followUpRowToFollowUp } from '../lead.mapper.js';
import type { FollowUp, HistoryQuery } from '../lead.schemas.js';
import { requireLead } from '../lead.references.js';
import { historyPage, type HistoryPage } from '../lead.loader.js';

/** A page of lead `id`'s follow-ups, oldest first, after a row id; LEAD_NOT_FOUND when none. */
export async function getFollowUps(
  ctx: AppContext,
  caller: Caller,
  id: number,
  page: HistoryQuery,
): Promise<HistoryPage<FollowUp>> {
  await requireLead(ctx, caller, id);
  const rows = await pageFollowUps(ctx.store.listDb, {
    orgId: caller.orgId,
    leadId: id,
    after: page.after,
    limit: page.limit + 1,
  });
  return historyPage(rows.map(followUpRowToFollowUp), page.limit);
}
