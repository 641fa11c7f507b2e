import type { AppContext } from '../core/context.js';
import { formatDateTime } from '../core/date-time.js';
import { listAudit } from './audit.repository.js';
import type { AuditEntry, AuditQuery } from './audit.schemas.js';

/** A page of the org's audit log, newest first, as the API and the CLI show it. */
export async function listAuditEntries(
  ctx: AppContext,
  orgId: number,
  page: AuditQuery,
): Promise<AuditEntry[]> {
  const rows = await listAudit(ctx.store.db, orgId, page.limit, page.offset, page.action);
  return rows.map((row) => ({
    id: row.id,
    actorId: row.actor_id,
    action: row.action,
    target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>,
    createdOn: formatDateTime(row.created_on),
  }));
}
