import type { LeadStatus } from './schema.js';

/**
 * A lead's stay facts (migration 0013): what time in status reads of its status log, kept on the
 * lead by every write that appends to the log, so that the report reads leads alone.
 *
 * A stay in a status starts at the log row that enters it and ends at the next row of another
 * status; rows of the status it is already in continue the stay. `status_since` is when the
 * current stay started; each `stayed_*_ms` is the total length of the lead's finished stays in
 * that status, or null when it has none of any length. The log is appended in time order (a
 * status change is recorded no earlier than the lead's newest row), so each new row either
 * continues the current stay or ends it.
 */
export const STAYED_MS_COLUMN = {
  OPEN: 'stayed_open_ms',
  ON_HOLD: 'stayed_on_hold_ms',
  WON: 'stayed_won_ms',
  LOST: 'stayed_lost_ms',
  DELETED: 'stayed_deleted_ms',
} as const satisfies Record<LeadStatus, string>;

export type StayedColumn = (typeof STAYED_MS_COLUMN)[LeadStatus];

export type StayFacts = { status_since: number } & Record<StayedColumn, number | null>;

/**
 * The stay facts of a lead whose status and facts were `before` (none for a new lead) once
 * `rows` (oldest first, at least one) are appended to its log.
 */
export function stayFactsAfter(
  before: (StayFacts & { status: LeadStatus }) | undefined,
  rows: ReadonlyArray<{ status: LeadStatus; created_on: number }>,
): StayFacts {
  const first = rows[0];
  if (first === undefined) throw new Error('stay facts need at least one status-log row');
  const facts: StayFacts = {
    status_since: before?.status_since ?? first.created_on,
    stayed_open_ms: before?.stayed_open_ms ?? null,
    stayed_on_hold_ms: before?.stayed_on_hold_ms ?? null,
    stayed_won_ms: before?.stayed_won_ms ?? null,
    stayed_lost_ms: before?.stayed_lost_ms ?? null,
    stayed_deleted_ms: before?.stayed_deleted_ms ?? null,
  };
  let status = before?.status ?? first.status;
  for (const row of rows) {
    if (row.status === status) continue;
    const length = row.created_on - facts.status_since;
    if (length > 0) {
      const column = STAYED_MS_COLUMN[status];
      facts[column] = (facts[column] ?? 0) + length;
    }
    status = row.status;
    facts.status_since = row.created_on;
  }
  return facts;
}
