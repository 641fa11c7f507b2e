import { appendEvents, type LeadEventType, type NewLeadEvent } from '../events/index.js';
import type { Db } from '../db/database.js';
import type { LeadStatus } from '../db/schema.js';
import { leadRowToLead, type VersionedLead } from './lead.mapper.js';
import { findLeadsById, type LeadRow } from './lead.repository.js';
import { loadLeads } from './lead.loader.js';

/**
 * The lead's side of the outbox (docs/events.md): what a lead change tells the event feed and
 * the webhooks. Called inside the change's own transaction, so an event exists exactly when its
 * change committed.
 */

/** Fields every change moves, or that are the history a change adds: not "changed fields". */
const NOT_COMPARED = new Set([
  'version',
  'lastUpdatedOn',
  'lastUpdatedBy',
  'followUpDetails',
  'statusLogDetails',
  'followUpsOmitted',
  'statusLogsOmitted',
]);

/** What each kind of change adds to the lead's history, reported as a changed field. */
const HISTORY_ADDED: Partial<Record<LeadEventType, string>> = {
  'lead.status_changed': 'statusLogDetails',
  'lead.follow_up_added': 'followUpDetails',
};

/** The lead's API fields whose value differs between `before` (a lead row) and `after`. */
export function changedFields(
  type: LeadEventType,
  before: LeadRow,
  after: VersionedLead,
): string[] {
  const old = leadRowToLead(before, [], []) as Record<string, unknown>;
  const now = after as Record<string, unknown>;
  const keys = new Set([...Object.keys(old), ...Object.keys(now)]);
  const changed = [...keys].filter(
    (key) => !NOT_COMPARED.has(key) && JSON.stringify(old[key]) !== JSON.stringify(now[key]),
  );
  const added = HISTORY_ADDED[type];
  return added ? [...changed, added] : changed;
}

/** The lead as the API returns it: its version travels as `leadVersion`, not in the lead. */
function apiLead(lead: VersionedLead): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...lead };
  delete rest.version;
  return rest;
}

export type LeadChangeEvent = {
  type: LeadEventType;
  /** The lead before the change; absent for a creation. */
  before?: LeadRow;
  after: VersionedLead;
  at: number;
};

/** The outbox event of one change of a lead of org `orgId`. */
export function leadEventOf(orgId: number, change: LeadChangeEvent): NewLeadEvent {
  const { type, before, after } = change;
  const statusChange =
    type === 'lead.status_changed' && before
      ? { previousStatus: before.status, previousSubStatus: before.sub_status }
      : {};
  return {
    orgId,
    leadId: after.id,
    type,
    at: change.at,
    data: {
      orgId,
      leadId: after.id,
      leadVersion: after.version,
      lead: apiLead(after),
      changedFields: before ? changedFields(type, before, after) : [],
      changedBy: after.lastUpdatedBy,
      ...statusChange,
    },
  };
}

/** Appends the event of one change of a lead, in the change's transaction. */
export async function recordLeadChange(
  trx: Db,
  orgId: number,
  change: LeadChangeEvent,
): Promise<void> {
  await appendEvents(trx, [leadEventOf(orgId, change)]);
}

/**
 * Appends one status-change event per lead that a bulk change (auto-close) moved, reading the
 * leads as the transaction left them. `before` holds each lead's status before the change.
 */
export async function recordStatusChanges(
  trx: Db,
  orgId: number,
  before: ReadonlyMap<number, { status: LeadStatus; sub_status: string | null }>,
  at: number,
): Promise<void> {
  const rows = await findLeadsById(trx, orgId, [...before.keys()]);
  const leads = await loadLeads(trx, orgId, rows);
  const rowOf = new Map(rows.map((row) => [row.id, row]));
  await appendEvents(
    trx,
    leads.map((after) => {
      const row = rowOf.get(after.id);
      const previous = before.get(after.id);
      return leadEventOf(orgId, {
        type: 'lead.status_changed',
        ...(row && previous ? { before: { ...row, ...previous } } : {}),
        after,
        at,
      });
    }),
  );
}
