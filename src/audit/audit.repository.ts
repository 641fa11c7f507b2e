import type { Db } from '../db/database.js';
import type { Row } from '../db/schema.js';
import type { Actor } from '../core/actor.js';

export type AuditRow = Omit<Row<'audit_log'>, 'org_id'>;

/**
 * Records an administrative change. Call it inside the change's own transaction, so the log has
 * a row exactly when the change happened.
 *
 * @example await recordAudit(trx, actor, 'entity.disable', 'till-7', { disabled: true }, now);
 */
export async function recordAudit(
  db: Db,
  actor: Actor,
  action: string,
  target: string,
  details: Record<string, unknown>,
  now: number,
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      org_id: actor.orgId,
      actor_id: actor.actorId,
      action,
      target,
      details: JSON.stringify(details),
      created_on: now,
    })
    .execute();
}

/** The org's audit entries, newest first. */
export function listAudit(
  db: Db,
  orgId: number,
  limit: number,
  offset: number,
  action?: string,
): Promise<AuditRow[]> {
  return db
    .selectFrom('audit_log')
    .select(['id', 'actor_id', 'action', 'target', 'details', 'created_on'])
    .where('org_id', '=', orgId)
    .$if(action !== undefined, (query) => query.where('action', '=', action ?? ''))
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}
