import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { SYSTEM_ACTOR_ID } from '../core/actor.js';
import { STATUS_BITS, type LeadStatus } from '../db/schema.js';
import { STAYED_MS_COLUMN } from '../db/status-stays.js';

/** The statuses auto-close moves to LOST. */
export const CLOSABLE_STATUSES = ['OPEN', 'ON_HOLD'] as const satisfies readonly LeadStatus[];
export type ClosableStatus = (typeof CLOSABLE_STATUSES)[number];

export type AutoCloseOrg = { id: number; name: string; autoCloseDays: number };

/** Orgs with auto-close on (a positive number of days), by id. */
export async function listAutoCloseOrgs(db: Db): Promise<AutoCloseOrg[]> {
  const rows = await db
    .selectFrom('orgs')
    .select(['id', 'name', 'auto_close_days'])
    .where('auto_close_days', 'is not', null)
    .where('auto_close_days', '>', 0)
    .orderBy('id')
    .execute();
  return rows.flatMap((r) =>
    r.auto_close_days === null
      ? []
      : [{ id: r.id, name: r.name, autoCloseDays: r.auto_close_days }],
  );
}

/** The org's auto-close period in days; null when the org has none or does not exist. */
export async function findAutoCloseDays(db: Db, orgId: number): Promise<number | null> {
  const row = await db
    .selectFrom('orgs')
    .select('auto_close_days')
    .where('id', '=', orgId)
    .executeTakeFirst();
  return row?.auto_close_days ?? null;
}

/**
 * The org's leads in `status` last updated before `cutoff` (at most `limit` of them when given,
 * in no particular order). Every condition is a column of `leads (org_id, status,
 * last_updated_on)`, so the scan reads only due rows, however many closed leads the org has.
 *
 * There is no cursor: a batch that is closed leaves this set, and a found lead that is not closed
 * was changed meanwhile, which also takes it out (see {@link closeDueLeads}). Each query
 * therefore returns new leads or none.
 */
export function findDueLeadsQuery(
  db: Db,
  orgId: number,
  status: ClosableStatus,
  cutoff: number,
  limit?: number,
) {
  const query = db
    .selectFrom('leads')
    .select('id')
    .where('org_id', '=', orgId)
    .where('status', '=', status)
    .where('last_updated_on', '<', cutoff);
  return limit === undefined ? query : query.limit(limit);
}

/**
 * Inside the closing transaction: locks those of `ids` that are still due, in id order, and
 * answers them with the status they are closed from. On
 * PostgreSQL two passes locking overlapping batches therefore take their locks in the same order
 * and queue instead of deadlocking; a row locked by another transaction is waited for and then
 * re-checked (READ COMMITTED), so a lead that was closed or changed meanwhile is left out. On
 * SQLite the transaction already holds the one write lock and this only filters.
 */
export async function lockDueLeads(
  trx: Db,
  orgId: number,
  ids: readonly number[],
  cutoff: number,
): Promise<Array<{ id: number; status: LeadStatus; sub_status: string | null }>> {
  if (ids.length === 0) return [];
  const rows = await trx
    .selectFrom('leads')
    .select(['id', 'status', 'sub_status'])
    .where('org_id', '=', orgId)
    .where('id', 'in', [...ids])
    .where('status', 'in', [...CLOSABLE_STATUSES])
    .where('last_updated_on', '<', cutoff)
    .orderBy('id')
    .forUpdate()
    .execute();
  return rows;
}

/** A closed lead's total time in `status` once its current stay, if in `status`, ends at `now`. */
function endedStay(status: 'OPEN' | 'ON_HOLD', now: number) {
  const column = sql.ref(STAYED_MS_COLUMN[status]);
  return sql<number | null>`case when status = ${sql.lit(status)} and status_since < ${now}
    then coalesce(${column}, 0) + (${now} - status_since) else ${column} end`;
}

/**
 * Moves those of `ids` that are still OPEN or ON_HOLD and last updated before `cutoff` to LOST,
 * as the system, and answers the ones it moved with their customer. The condition is evaluated
 * by the UPDATE itself against the current row (PostgreSQL re-evaluates it after waiting for a
 * row lock; SQLite runs it under the write lock), so a lead another pass already closed, or a
 * person changed since it was found, is never written: this is what makes a close happen once.
 */
export function closeDueLeads(
  trx: Db,
  orgId: number,
  ids: readonly number[],
  cutoff: number,
  now: number,
  reasonId: number,
): Promise<Array<{ id: number; user_id: number }>> {
  if (ids.length === 0) return Promise.resolve([]);
  return trx
    .updateTable('leads')
    .set({
      status: 'LOST',
      sub_status: null,
      // The status facts of the AUTO_CLOSE row the caller appends (src/leads/status-facts.ts).
      reached_statuses: sql<number>`reached_statuses | ${sql.lit(STATUS_BITS.LOST)}`,
      status_reason_id: reasonId,
      status_changed_by: SYSTEM_ACTOR_ID,
      // Its stay facts (src/db/status-stays.ts): the OPEN or ON_HOLD stay ends now.
      stayed_open_ms: endedStay('OPEN', now),
      stayed_on_hold_ms: endedStay('ON_HOLD', now),
      status_since: sql<number>`cast(${now} as bigint)`,
      // lastUpdatedOn never moves backwards.
      last_updated_on: sql<number>`case when last_updated_on > ${now} then last_updated_on else cast(${now} as bigint) end`,
      last_updated_by: SYSTEM_ACTOR_ID,
      version: sql<number>`version + 1`,
    })
    .where('org_id', '=', orgId)
    .where('id', 'in', [...ids])
    .where('status', 'in', [...CLOSABLE_STATUSES])
    .where('last_updated_on', '<', cutoff)
    .returning(['id', 'user_id'])
    .execute();
}
