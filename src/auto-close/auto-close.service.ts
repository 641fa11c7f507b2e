import type { AppContext } from '../core/context.js';
import { insertStatusLogs, recordStatusChanges } from '../leads/index.js';
import { findReasonByText, SYSTEM_REASONS } from '../reasons/index.js';
import {
  CLOSABLE_STATUSES,
  closeDueLeads,
  findAutoCloseDays,
  findDueLeadsQuery,
  lockDueLeads,
} from './auto-close.repository.js';
import { SYSTEM_ACTOR_ID } from '../core/actor.js';
import { DAY_MS } from '../core/date-time.js';

/**
 * Auto-close: the org's OPEN and ON_HOLD leads that nothing changed (no update, status change or
 * follow-up: each of those bumps `last_updated_on`) for the org's `auto_close_days` are moved to
 * LOST by the system, with one status-log row `{LOST, createdBy -1, reason AUTO_CLOSE}` each.
 *
 * Leads are found in batches outside any transaction; each batch is then closed in its own
 * transaction by a conditional UPDATE that re-checks every lead against its current row, so
 * several runs at once (concurrent runs in one process, or processes sharing one database) close
 * each lead exactly once and never overwrite a change made after the lead was found.
 */

export type AutoCloseOptions = {
  orgId: number;
  /** Inactivity is measured up to this instant (epoch ms): usually now. */
  asOf: number;
  /** Report what would be closed, change nothing. */
  dryRun: boolean;
  /** Leads per transaction; defaults to `AUTO_CLOSE_BATCH_SIZE`. */
  batchSize?: number;
  /** Stops between batches once aborted (server shutdown); what was closed stays closed. */
  signal?: AbortSignal;
};

export type AutoCloseResult = {
  /** Ids of the leads this run closed (or, dry, would close), ascending. */
  closed: number[];
};

/**
 * Closes the org's leads inactive since before `asOf - auto_close_days`. An org without the
 * setting closes nothing.
 *
 * @example await autoClose(ctx, { orgId: 7, asOf: ctx.clock.now(), dryRun: false }); // { closed: [12, 40] }
 */
export async function autoClose(
  ctx: AppContext,
  options: AutoCloseOptions,
): Promise<AutoCloseResult> {
  const { db } = ctx.store;
  const { orgId, dryRun, signal } = options;
  const batchSize = options.batchSize ?? ctx.config.autoCloseBatchSize;
  const days = await findAutoCloseDays(db, orgId);
  if (days === null || days < 1) return { closed: [] };
  const cutoff = options.asOf - days * DAY_MS;
  const reason = await findReasonByText(db, orgId, SYSTEM_REASONS.AUTO_CLOSE);
  if (!reason) throw new Error(`org ${orgId} has no ${SYSTEM_REASONS.AUTO_CLOSE} reason`);

  const closed: number[] = [];
  for (const status of CLOSABLE_STATUSES) {
    if (dryRun) {
      const due = await findDueLeadsQuery(db, orgId, status, cutoff).execute();
      closed.push(...due.map((r) => r.id));
      continue;
    }
    let stuck = '';
    while (!signal?.aborted) {
      const batch = await findDueLeadsQuery(db, orgId, status, cutoff, batchSize).execute();
      if (batch.length === 0) break;
      const ids = batch.map((r) => r.id);
      // Found leads that are not closed were changed, so they are not found again; should the
      // same leads come back unclosed anyway, fail instead of spinning.
      if (ids.join() === stuck) throw new Error(`auto-close of org ${orgId} makes no progress`);
      const done = await closeLeads(ctx, { orgId, ids, cutoff, reasonId: reason.id });
      closed.push(...done);
      stuck = done.length === 0 ? ids.join() : '';
      if (batch.length < batchSize) break;
    }
  }
  return { closed: closed.sort((a, b) => a - b) };
}

/**
 * One batch in one transaction: closes those of `ids` that are still due and appends their
 * AUTO_CLOSE status-log rows, answering the ids it closed. A lead closed by another run, or
 * changed by someone, after it was found is skipped.
 */
export function closeLeads(
  ctx: AppContext,
  batch: { orgId: number; ids: readonly number[]; cutoff: number; reasonId: number },
): Promise<number[]> {
  const { orgId, cutoff, reasonId } = batch;
  return ctx.store.transaction(async (trx) => {
    // Locked in id order, so two passes in two processes never deadlock.
    const due = await lockDueLeads(trx, orgId, batch.ids, cutoff);
    const now = ctx.clock.now();
    const rows = await closeDueLeads(
      trx,
      orgId,
      due.map((lead) => lead.id),
      cutoff,
      now,
      reasonId,
    );
    await insertStatusLogs(
      trx,
      rows.map((row) => ({
        org_id: orgId,
        lead_id: row.id,
        user_id: row.user_id,
        status: 'LOST' as const,
        sub_status: null,
        created_by: SYSTEM_ACTOR_ID,
        created_on: now,
        reason_id: reasonId,
      })),
    );
    const closed = new Set(rows.map((row) => row.id));
    await recordStatusChanges(
      trx,
      orgId,
      new Map(due.filter((lead) => closed.has(lead.id)).map((lead) => [lead.id, lead])),
      now,
    );
    return rows.map((row) => row.id);
  });
}
