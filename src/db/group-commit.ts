import type SqliteDatabase from 'better-sqlite3';
import type { Db } from './schema.js';

/**
 * The most transactions one durable commit carries: bounds how long the first of a group waits
 * for the others to run. Past a few dozen the fsync saved per transaction is negligible anyway.
 */
export const MAX_GROUP_SIZE = 32;

type Member = { resolve(): void; reject(error: unknown): void };

/**
 * Group commit for SQLite's single writer: many requests' transactions, one durable commit.
 *
 * Transactions run one after the other on the writer connection (SQLite has one writer). Each
 * runs inside a SAVEPOINT of a shared `BEGIN IMMEDIATE` transaction, and the shared transaction
 * commits, with `synchronous=FULL`, once per turn of the event loop (`setImmediate`): better-
 * sqlite3 is synchronous, so every request whose bytes arrived in one poll phase runs its whole
 * transaction within that phase, and they all share the fsync that follows. A group also commits
 * when it reaches `maxGroupSize`. So:
 * - a request is answered only once its data is durable (its promise settles after the commit);
 * - readers use another connection and never see a group before it is committed;
 * - a transaction that fails rolls back to its savepoint: it changes nothing and the others in
 *   its group still commit;
 * - if SQLite itself abandons the shared transaction (an I/O error, a full disk) or the commit
 *   fails, every member of the group fails and none was acknowledged.
 * Under no load a group is one transaction, committed one event-loop turn later.
 */
export class GroupCommit {
  private held = false;
  private readonly waiting: Array<() => void> = [];
  private group: Member[] = [];
  private commitScheduled = false;
  /** Transactions committed and the durable commits that carried them, since opening. */
  readonly stats = { transactions: 0, commits: 0 };

  constructor(
    private readonly connection: SqliteDatabase.Database,
    private readonly db: Db,
    /** Told how many transactions each durable commit carried (the metrics). */
    private readonly onCommit: (transactions: number) => void = () => {},
    private readonly maxGroupSize = MAX_GROUP_SIZE,
  ) {}

  /** Runs `work` in a transaction and resolves once it is committed durably. */
  async run<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    await this.acquire();
    let result: T;
    let durable: Promise<void>;
    try {
      // BEGIN IMMEDIATE: a second process (the CLI beside the server) waits for the write lock
      // through busy_timeout instead of failing when a read would have to be upgraded.
      if (!this.connection.inTransaction) this.connection.exec('begin immediate');
      this.connection.exec('savepoint request');
      try {
        result = await work(this.db);
        this.connection.exec('release request');
      } catch (error) {
        this.abandon(error);
        throw error;
      }
      durable = new Promise<void>((resolve, reject) => this.group.push({ resolve, reject }));
      if (this.group.length >= this.maxGroupSize) this.commit();
    } finally {
      this.release();
    }
    await durable;
    return result;
  }

  /** Commits what is pending once no transaction runs or waits (before closing). */
  async drain(): Promise<void> {
    await this.acquire();
    this.commit();
    this.release();
  }

  /** Undoes a failed transaction: its savepoint only, unless SQLite dropped the whole group. */
  private abandon(error: unknown): void {
    if (this.connection.inTransaction) {
      this.connection.exec('rollback to request');
      this.connection.exec('release request');
      return;
    }
    this.settle(error);
  }

  /** Hands the writer to the next waiting transaction, or schedules the group's commit. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) return next();
    this.held = false;
    if (this.connection.inTransaction && !this.commitScheduled) {
      this.commitScheduled = true;
      setImmediate(() => {
        this.commitScheduled = false;
        // A transaction that holds the writer across a turn (one awaiting I/O) commits the
        // group when it releases it.
        if (!this.held) this.commit();
      });
    }
  }

  private commit(): void {
    if (!this.connection.inTransaction) return this.settle(undefined);
    try {
      this.connection.exec('commit');
    } catch (error) {
      if (this.connection.inTransaction) this.connection.exec('rollback');
      return this.settle(error);
    }
    this.stats.commits += 1;
    this.stats.transactions += this.group.length;
    this.onCommit(this.group.length);
    this.settle(undefined);
  }

  /** Answers every member of the current group: durable, or failed with `error`. */
  private settle(error: unknown): void {
    const members = this.group;
    this.group = [];
    for (const member of members) {
      if (error === undefined) member.resolve();
      else member.reject(error);
    }
  }

  private acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
