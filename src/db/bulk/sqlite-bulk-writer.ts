import type SqliteDatabase from 'better-sqlite3';
import { numberAt, statusFactsOf, textAt, type LeadBatch } from './lead-batch.js';
import { STAYED_MS_COLUMN } from '../status-stays.js';
import type { BulkWriter } from './bulk-writer.js';

/**
 * Writes seed batches on SQLite through the store's own better-sqlite3 connection: prepared
 * multi-row INSERTs (one call binds many rows, so the per-row cost is SQLite's, not the
 * JavaScript-to-C crossing), one `BEGIN IMMEDIATE` transaction per batch.
 *
 * Lead ids are explicit: the next ones after both the table's largest id and its AUTOINCREMENT
 * counter, read inside the batch's transaction, where the write lock keeps any other writer
 * (a running server) out; the insert moves the counter on, so ids are never reused. History
 * rows take their ids from AUTOINCREMENT in the order they are inserted, oldest first.
 */

/** The stay-fact columns of the leads, in their order in the INSERT. */
const STAYED_COLUMNS = Object.values(STAYED_MS_COLUMN);

/** Rows per INSERT statement: 64 leads (27 columns) bind 1,728 parameters, far below SQLite's 32766. */
const ROWS_PER_STATEMENT = 64;

type Value = string | number | null;

/**
 * An INSERT of ROWS_PER_STATEMENT rows at once, with a one-row statement for the tail. Rows are
 * written straight into the bound parameters: `slot()` gives where the next row's values go.
 */
class MultiRowInsert {
  private readonly many: SqliteDatabase.Statement;
  private readonly one: SqliteDatabase.Statement;
  private readonly width: number;
  readonly params: Value[];
  private filled = 0;

  constructor(file: SqliteDatabase.Database, table: string, columns: readonly string[]) {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const head = `insert into ${table} (${columns.join(', ')}) values `;
    this.many = file.prepare(head + Array(ROWS_PER_STATEMENT).fill(tuple).join(', '));
    this.one = file.prepare(head + tuple);
    this.width = columns.length;
    this.params = new Array<Value>(ROWS_PER_STATEMENT * columns.length).fill(null);
  }

  /** The offset in `params` of the next row, after inserting the rows before it when full. */
  slot(): number {
    if (this.filled === ROWS_PER_STATEMENT) {
      this.many.run(this.params);
      this.filled = 0;
    }
    const offset = this.filled * this.width;
    this.filled += 1;
    return offset;
  }

  /** Inserts the rows still buffered. */
  flush(): void {
    if (this.filled === ROWS_PER_STATEMENT) {
      this.many.run(this.params);
    } else {
      for (let r = 0; r < this.filled; r += 1) {
        this.one.run(this.params.slice(r * this.width, (r + 1) * this.width));
      }
    }
    this.filled = 0;
  }

  /** Forgets buffered rows (of a batch that failed and was rolled back). */
  reset(): void {
    this.filled = 0;
  }
}

export function sqliteBulkWriter(file: SqliteDatabase.Database): BulkWriter {
  // A multi-row INSERT inside a transaction keeps a statement journal (to undo just that
  // statement on a constraint failure). In a temporary file that cost one write syscall per
  // page touched, more time than the inserts themselves; in memory it is a copy. The journal
  // of the transaction itself, the WAL, is untouched, and so is durability.
  const tempStore = file.pragma('temp_store', { simple: true }) as number;
  file.pragma('temp_store = MEMORY');
  const leads = new MultiRowInsert(file, 'leads', [
    'id',
    'org_id',
    'user_id',
    'type',
    'lead_for',
    'status',
    'sub_status',
    'owner_id',
    'next_follow_up',
    'last_follow_up',
    'created_on',
    'created_by',
    'last_updated_on',
    'last_updated_by',
    'org_source_id',
    'extended_fields',
    'version',
    'reached_statuses',
    'status_reason_id',
    'status_changed_by',
    'first_followed_up_on',
    'status_since',
    ...STAYED_COLUMNS,
  ]);
  const statusLogs = new MultiRowInsert(file, 'status_logs', [
    'org_id',
    'lead_id',
    'user_id',
    'status',
    'sub_status',
    'created_by',
    'created_on',
    'reason_id',
  ]);
  const followUps = new MultiRowInsert(file, 'follow_ups', [
    'org_id',
    'lead_id',
    'user_id',
    'notes',
    'created_by',
    'created_on',
    'followed_up_by',
    'followed_up_on',
    'scheduled_follow_up',
    'lead_created_by',
    'lead_created_on',
  ]);
  const lastLeadId = file.prepare<[], { id: number }>(
    `select max(coalesce((select seq from sqlite_sequence where name = 'leads'), 0),
                coalesce((select max(id) from leads), 0)) as id`,
  );

  const writeBatch = (orgId: number, batch: LeadBatch) => {
    for (const insert of [leads, statusLogs, followUps]) insert.reset();
    const first = (lastLeadId.get()?.id ?? 0) + 1;
    const facts = statusFactsOf(batch);
    let p = leads.params;
    for (let i = 0; i < batch.size; i += 1) {
      const o = leads.slot();
      p[o] = first + i;
      p[o + 1] = orgId;
      p[o + 2] = batch.userId[i] as number;
      p[o + 3] = textAt(batch, batch.type, i);
      p[o + 4] = textAt(batch, batch.leadFor, i);
      p[o + 5] = textAt(batch, batch.status, i);
      p[o + 6] = textAt(batch, batch.subStatus, i);
      p[o + 7] = numberAt(batch.ownerId, i);
      p[o + 8] = numberAt(batch.nextFollowUp, i);
      p[o + 9] = numberAt(batch.lastFollowUp, i);
      p[o + 10] = batch.createdOn[i] as number;
      p[o + 11] = batch.createdBy[i] as number;
      p[o + 12] = batch.lastUpdatedOn[i] as number;
      p[o + 13] = batch.lastUpdatedBy[i] as number;
      p[o + 14] = batch.orgSourceId[i] as number;
      p[o + 15] = textAt(batch, batch.extendedFields, i);
      p[o + 16] = batch.version[i] as number;
      p[o + 17] = facts.reached[i] as number;
      p[o + 18] = numberAt(facts.reasonId, i);
      p[o + 19] = numberAt(facts.changedBy, i);
      p[o + 20] = numberAt(facts.firstFollowedUpOn, i);
      const stay = facts.stays[i];
      p[o + 21] = stay?.status_since ?? null;
      STAYED_COLUMNS.forEach((column, j) => (p[o + 22 + j] = stay?.[column] ?? null));
    }
    leads.flush();
    const logs = batch.statusLogs;
    p = statusLogs.params;
    for (let i = 0; i < logs.count; i += 1) {
      const o = statusLogs.slot();
      p[o] = orgId;
      p[o + 1] = first + (logs.lead[i] as number);
      p[o + 2] = logs.userId[i] as number;
      p[o + 3] = textAt(batch, logs.status, i);
      p[o + 4] = textAt(batch, logs.subStatus, i);
      p[o + 5] = logs.createdBy[i] as number;
      p[o + 6] = logs.createdOn[i] as number;
      p[o + 7] = logs.reasonId[i] as number;
    }
    statusLogs.flush();
    const fus = batch.followUps;
    p = followUps.params;
    for (let i = 0; i < fus.count; i += 1) {
      const o = followUps.slot();
      p[o] = orgId;
      p[o + 1] = first + (fus.lead[i] as number);
      p[o + 2] = fus.userId[i] as number;
      p[o + 3] = textAt(batch, fus.notes, i);
      p[o + 4] = fus.createdBy[i] as number;
      p[o + 5] = fus.createdOn[i] as number;
      p[o + 6] = fus.followedUpBy[i] as number;
      p[o + 7] = fus.followedUpOn[i] as number;
      p[o + 8] = numberAt(fus.scheduledFollowUp, i);
      p[o + 9] = batch.createdBy[fus.lead[i] as number] as number;
      p[o + 10] = batch.createdOn[fus.lead[i] as number] as number;
    }
    followUps.flush();
    return { firstLeadId: first, lastLeadId: first + batch.size - 1 };
  };
  // BEGIN IMMEDIATE: take the write lock before reading the last id (busy_timeout waits for a
  // server's transaction to end); any failure rolls the whole batch back.
  const inTransaction = file.transaction(writeBatch);

  return {
    // better-sqlite3 is synchronous and SQLite has one writer: batches go one after the other.
    parallel: 1,
    async write(orgId, batch) {
      if (batch.size === 0) return { firstLeadId: 0, lastLeadId: -1 };
      return inTransaction.immediate(orgId, batch);
    },
    async finish() {
      file.pragma(`temp_store = ${tempStore}`);
      // Fold the WAL into the database file and truncate it: every batch was committed with
      // the store's synchronous=FULL already, this only spares the next reader a long WAL.
      file.pragma('wal_checkpoint(TRUNCATE)');
    },
  };
}
