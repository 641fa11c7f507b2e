import type { LeadBatch } from './lead-batch.js';

/** The lead ids one written batch got (in batch order). */
export type WrittenBatch = { firstLeadId: number; lastLeadId: number };

/** Writes generated batches straight into a store's tables, one transaction per batch. */
export type BulkWriter = {
  /** How many batches may be in flight at once (1: one after the other). */
  readonly parallel: number;
  /** Writes the batch's leads, status logs and follow-ups; all of them or, on failure, none. */
  write(orgId: number, batch: LeadBatch): Promise<WrittenBatch>;
  /**
   * Leaves the store ready to serve what was written (WAL checkpoint, fresh statistics) and the
   * connection as it was. Called once, after the last batch or after a failed one.
   */
  finish(): Promise<void>;
};
