import { STATUS_BITS, type LeadStatus } from '../schema.js';
import { stayFactsAfter, type StayFacts } from '../status-stays.js';

/*
 * Batches are columns of typed arrays, so a batch made in the worker thread is handed to the
 * writer without a copy (its buffers are transferred). Text columns hold indexes into the
 * batch's `texts` (-1: null); nullable number columns hold NaN for null.
 */

export type StatusLogColumns = {
  count: number;
  /** Position of the row's lead in its batch; the writer turns it into the lead id. */
  lead: Int32Array;
  userId: Float64Array;
  status: Int32Array;
  subStatus: Int32Array;
  createdBy: Float64Array;
  createdOn: Float64Array;
  reasonId: Float64Array;
};

export type FollowUpColumns = {
  count: number;
  lead: Int32Array;
  userId: Float64Array;
  notes: Int32Array;
  createdBy: Float64Array;
  createdOn: Float64Array;
  followedUpBy: Float64Array;
  followedUpOn: Float64Array;
  scheduledFollowUp: Float64Array;
};

/** One batch: lead columns by position, and the history rows of those leads in id order. */
export type LeadBatch = {
  size: number;
  /** The texts the text columns index. */
  texts: string[];
  userId: Float64Array;
  type: Int32Array;
  leadFor: Int32Array;
  status: Int32Array;
  subStatus: Int32Array;
  ownerId: Float64Array;
  nextFollowUp: Float64Array;
  lastFollowUp: Float64Array;
  createdOn: Float64Array;
  createdBy: Float64Array;
  lastUpdatedOn: Float64Array;
  lastUpdatedBy: Float64Array;
  orgSourceId: Float64Array;
  extendedFields: Int32Array;
  version: Float64Array;
  statusLogs: StatusLogColumns;
  followUps: FollowUpColumns;
};

/** The text a text column holds at `index`, or null. */
export function textAt(batch: LeadBatch, column: Int32Array, index: number): string | null {
  const at = column[index] as number;
  return at < 0 ? null : (batch.texts[at] as string);
}

/** The number a nullable number column holds at `index`, or null. */
export function numberAt(column: Float64Array, index: number): number | null {
  const value = column[index] as number;
  return Number.isNaN(value) ? null : value;
}

/** The buffers of a batch's columns, to transfer it to another thread without a copy. */
export function transferListOf(batch: LeadBatch): ArrayBuffer[] {
  const columns = [batch, batch.statusLogs, batch.followUps].flatMap((table) =>
    Object.values(table).filter((v): v is Int32Array | Float64Array => ArrayBuffer.isView(v)),
  );
  return columns.map((c) => c.buffer as ArrayBuffer);
}

/**
 * Each lead's status facts (migration 0010) from the batch's status-log rows: the bits of every
 * status its rows hold, and the reason and author of its newest row (NaN when it has none); its
 * stay facts (migration 0013, undefined when it has no row) and its earliest follow-up (NaN when
 * it has none).
 */
export function statusFactsOf(batch: LeadBatch): {
  reached: Int32Array;
  reasonId: Float64Array;
  changedBy: Float64Array;
  stays: Array<StayFacts | undefined>;
  firstFollowedUpOn: Float64Array;
} {
  const reached = new Int32Array(batch.size);
  const reasonId = new Float64Array(batch.size).fill(NaN);
  const changedBy = new Float64Array(batch.size).fill(NaN);
  const stays = new Array<(StayFacts & { status: LeadStatus }) | undefined>(batch.size);
  const logs = batch.statusLogs;
  // Rows are in id order, so a lead's last row is its newest.
  for (let i = 0; i < logs.count; i += 1) {
    const lead = logs.lead[i] as number;
    const status = textAt(batch, logs.status, i) as LeadStatus;
    reached[lead] = (reached[lead] as number) | STATUS_BITS[status];
    reasonId[lead] = logs.reasonId[i] as number;
    changedBy[lead] = logs.createdBy[i] as number;
    const created_on = logs.createdOn[i] as number;
    stays[lead] = { ...stayFactsAfter(stays[lead], [{ status, created_on }]), status };
  }
  const firstFollowedUpOn = new Float64Array(batch.size).fill(NaN);
  const followUps = batch.followUps;
  for (let i = 0; i < followUps.count; i += 1) {
    const lead = followUps.lead[i] as number;
    const on = followUps.followedUpOn[i] as number;
    const first = firstFollowedUpOn[lead] as number;
    if (Number.isNaN(first) || on < first) firstFollowedUpOn[lead] = on;
  }
  return { reached, reasonId, changedBy, stays, firstFollowedUpOn };
}
