import { STATUS_BITS, type LeadStatus } from '../db/schema.js';
import { stayFactsAfter, type StayFacts } from '../db/status-stays.js';

/**
 * A lead's status facts: what analytics read of its status log, kept on the lead by the
 * transaction that appends to the log (migration 0010), so that a report reads leads alone.
 * `reached_statuses` holds one bit per status the log has ever held ({@link STATUS_BITS});
 * `status_reason_id` and `status_changed_by` are the reason and the author of the newest row
 * (the row that carries the lead's current status and sub-status, which the lead's own columns
 * already hold). The stay facts (migration 0013) are {@link stayFactsAfter}'s.
 */
export type StatusFacts = StayFacts & {
  reached_statuses: number;
  status_reason_id: number;
  status_changed_by: number;
};

/**
 * The facts of a lead whose facts were `before` (none for a new lead) once `rows` (oldest first,
 * at least one) are appended to its log.
 */
export function statusFactsAfter(
  before: (StayFacts & { status: LeadStatus; reached_statuses: number }) | undefined,
  rows: ReadonlyArray<{
    status: LeadStatus;
    reason_id: number;
    created_by: number;
    created_on: number;
  }>,
): StatusFacts {
  const newest = rows.at(-1);
  if (newest === undefined) throw new Error('status facts need at least one status-log row');
  return {
    ...stayFactsAfter(before, rows),
    reached_statuses: rows.reduce(
      (bits, row) => bits | STATUS_BITS[row.status],
      before?.reached_statuses ?? 0,
    ),
    status_reason_id: newest.reason_id,
    status_changed_by: newest.created_by,
  };
}
