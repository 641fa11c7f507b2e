import type { AppContext } from '../../core/context.js';
import type { Caller } from '../../core/caller.js';
import { pageStatusLogs } from '../history.repository.js';
import { statusLogRowToStatusLog } from '../lead.mapper.js';
import type { HistoryQuery, StatusLog } from '../lead.schemas.js';
import { requireLead } from '../lead.references.js';
import { historyPage, type HistoryPage } from '../lead.loader.js';

/** A page of lead `id`'s status log, oldest first, after a row id; LEAD_NOT_FOUND when none. */
export async function getStatusLog(
  ctx: AppContext,
  caller: Caller,
  id: number,
  page: HistoryQuery,
): Promise<HistoryPage<StatusLog>> {
  await requireLead(ctx, caller, id);
  const rows = await pageStatusLogs(ctx.store.listDb, {
    orgId: caller.orgId,
    leadId: id,
    after: page.after,
    limit: page.limit + 1,
  });
  return historyPage(rows.map(statusLogRowToStatusLog), page.limit);
}
