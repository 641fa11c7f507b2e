import { formatDateTime } from '../core/date-time.js';
import type { Counted, FollowUpRow, StatusLogRow } from './history.repository.js';
import type { LeadRow } from './lead.repository.js';
import type { FollowUp, Lead, StatusLog } from './lead.schemas.js';

/** The one place rows become API objects: camelCase, instants as UTC `Z`, absent values left out. */

export function followUpRowToFollowUp(row: FollowUpRow): FollowUp {
  return {
    id: row.id,
    userId: row.user_id,
    leadId: row.lead_id,
    ...(row.notes === null ? {} : { notes: row.notes }),
    createdBy: row.created_by,
    createdOn: formatDateTime(row.created_on),
    followedUpBy: row.followed_up_by,
    followedUpOn: formatDateTime(row.followed_up_on),
    ...(row.scheduled_follow_up === null
      ? {}
      : { scheduledFollowUp: formatDateTime(row.scheduled_follow_up) }),
  };
}

export function statusLogRowToStatusLog(row: StatusLogRow): StatusLog {
  return {
    id: row.id,
    userId: row.user_id,
    leadId: row.lead_id,
    status: row.status,
    ...(row.sub_status === null ? {} : { subStatus: row.sub_status }),
    createdBy: row.created_by,
    createdOn: formatDateTime(row.created_on),
    reasonId: row.reason_id,
    reason: row.reason,
  };
}

/** A lead with its version, which the API shows only as the `ETag` header. */
export type VersionedLead = Lead & { version: number };

/** The strong entity tag of a lead version. */
export function etagOf(lead: { id: number; version: number }): string {
  return `"${lead.id}.${lead.version}"`;
}

/** Older rows a lead holds beyond those it embeds (rows carry the lead's total). */
function omitted(rows: Array<Counted<unknown>>): number {
  return rows.length === 0 ? 0 : Math.max(0, (rows[0]?.total ?? 0) - rows.length);
}

export function leadRowToLead(
  row: LeadRow,
  followUps: Array<Counted<FollowUpRow>>,
  statusLogs: Array<Counted<StatusLogRow>>,
): VersionedLead {
  const followUpsOmitted = omitted(followUps);
  const statusLogsOmitted = omitted(statusLogs);
  return {
    version: row.version,
    id: row.id,
    userId: row.user_id,
    type: row.type,
    leadFor: row.lead_for,
    status: row.status,
    ...(row.sub_status === null ? {} : { subStatus: row.sub_status }),
    ...(row.owner_code === null ? {} : { owner: row.owner_code }),
    ...(row.next_follow_up === null ? {} : { nextFollowUp: formatDateTime(row.next_follow_up) }),
    ...(row.last_follow_up === null ? {} : { lastFollowUp: formatDateTime(row.last_follow_up) }),
    createdOn: formatDateTime(row.created_on),
    createdBy: row.created_by,
    lastUpdatedOn: formatDateTime(row.last_updated_on),
    lastUpdatedBy: row.last_updated_by,
    orgSourceId: row.org_source_id,
    extendedFields: JSON.parse(row.extended_fields) as Lead['extendedFields'],
    followUpDetails: followUps.map(followUpRowToFollowUp),
    statusLogDetails: statusLogs.map(statusLogRowToStatusLog),
    ...(followUpsOmitted === 0 ? {} : { followUpsOmitted }),
    ...(statusLogsOmitted === 0 ? {} : { statusLogsOmitted }),
  };
}
