import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import type { Db } from '../db/database.js';
import { AppError } from '../core/errors.js';
import { countHistory } from './history.repository.js';
import { findLead, updateLeadVersioned, type LeadRow } from './lead.repository.js';
import { etagOf, type VersionedLead } from './lead.mapper.js';
import { leadNotFound } from './lead.references.js';
import { loadLeads } from './lead.loader.js';
import { recordLeadChange } from './lead.events.js';
import type { LeadEventType } from '../events/index.js';

/**
 * The one way an existing lead changes: {@link changeLead} runs a change of one lead in one
 * transaction, in the contract's order of checks, moves its version (its ETag) by one and
 * answers the lead as that transaction left it. Every lead write but creation goes through it,
 * so what every change must also do (an event, an audit row) is added here once.
 */

/** `lastUpdatedOn` of a change: now, but never before the lead's previous value. */
export function nextUpdatedOn(row: LeadRow, now: number): number {
  return Math.max(row.last_updated_on, now);
}

/** The lead columns a change sets; the version moves by one with every change. */
type LeadChanges = Partial<
  Omit<LeadRow, 'id' | 'org_id' | 'owner_code' | 'version' | 'created_on' | 'created_by'>
>;

export type LeadChange<V> = {
  /** The event the change appends to the outbox (docs/events.md). */
  event: Exclude<LeadEventType, 'lead.created'>;
  /** Reads that check the request's references, collecting every bad field into one 400. */
  validate(trx: Db): Promise<V>;
  /** Writes the change's rows and answers the lead columns to set. */
  apply(trx: Db, row: LeadRow, now: number, checked: V): Promise<LeadChanges>;
  /** The code of the new owner when the change sets `owner_id`. */
  ownerCode?: string | null;
  /**
   * Lead updates and status changes take `If-Match` (and need it when the org requires it);
   * appending a follow-up does not.
   */
  concurrency: { ifMatch: string | undefined } | 'append-only';
};

/**
 * Runs one change of lead `id` in one transaction and answers the lead as that transaction left
 * it, having appended the change's event to the outbox in the same transaction. In the contract's order: the lead must exist (404, locked on PostgreSQL so concurrent
 * changes to one lead apply one after the other), `If-Match` must be there when the org requires
 * it (428), the body's references must exist (400), `If-Match` must match the locked row (412).
 * Checking inside the transaction costs no extra query for the existence check and reads the
 * lead once.
 */
export async function changeLead<V>(
  ctx: AppContext,
  caller: Caller,
  id: number,
  change: LeadChange<V>,
): Promise<VersionedLead> {
  const { orgId } = caller;
  return ctx.store.transaction(async (trx) => {
    const row = await findLead(trx, orgId, id, true);
    if (!row) throw leadNotFound(id);
    const ifMatch = change.concurrency === 'append-only' ? undefined : change.concurrency.ifMatch;
    if (change.concurrency !== 'append-only') requireIfMatchWhenSet(caller, ifMatch);
    const checked = await change.validate(trx);
    // Compared on the locked row: no other change can slip in between check and write.
    if (ifMatch !== undefined && !etagMatches(ifMatch, etagOf(row))) {
      throw AppError.of(
        'PRECONDITION_FAILED',
        `If-Match does not match the lead's ETag ${etagOf(row)}`,
      );
    }
    const now = ctx.clock.now();
    const changes = await change.apply(trx, row, now, checked);
    await updateLeadVersioned(trx, orgId, id, changes);
    const updated: LeadRow = {
      ...row,
      ...changes,
      ...(change.ownerCode === undefined ? {} : { owner_code: change.ownerCode }),
      version: row.version + 1,
    };
    const [lead] = await loadLeads(trx, orgId, [updated]);
    if (!lead) throw leadNotFound(id);
    await recordLeadChange(trx, orgId, { type: change.event, before: row, after: lead, at: now });
    return lead;
  });
}

/** `If-Match` holds `*` or a list of strong entity tags (weak ones never match). */
export function etagMatches(header: string, etag: string): boolean {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === etag);
}

/** 428 when the org makes `If-Match` mandatory for lead writes and the request has none. */
export function requireIfMatchWhenSet(caller: Caller, ifMatch: string | undefined): void {
  if (ifMatch === undefined && caller.org.requireIfMatch) {
    throw AppError.of('PRECONDITION_REQUIRED', 'this org requires If-Match with the lead ETag');
  }
}

/** 409 when lead `leadId` already holds the most rows of `kind` a lead may have. */
export async function requireHistoryRoom(
  ctx: AppContext,
  trx: Db,
  orgId: number,
  leadId: number,
  kind: 'followUps' | 'statusLogs',
): Promise<void> {
  const counts = await countHistory(trx, orgId, leadId);
  const max = ctx.config.leadHistoryMax;
  if (counts[kind] >= max) {
    const what = kind === 'followUps' ? 'follow-ups' : 'status changes';
    throw AppError.of(
      'LEAD_HISTORY_FULL',
      `lead ${leadId} already holds ${max} ${what}, the most one lead may have; nothing was added`,
    );
  }
}
