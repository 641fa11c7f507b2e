import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Db } from './schema.js';

/**
 * What the two stores do differently, asked of a Kysely handle (the database or a transaction),
 * so that repositories state what they need and never which store they run on.
 */

/**
 * Whether `db` is PostgreSQL, for the rare statement whose SQL itself differs between the stores
 * (an aggregate's syntax); behaviour that differs has a capability of its own below.
 */
export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Whether an index seek can start at a row comparison `(key, id) > (?, ?)`. PostgreSQL seeks on
 * both columns (one Index Cond). SQLite seeks only on the first column of a row comparison when
 * the second is the rowid, so it would walk every row sharing the key: a keyset query there is
 * two plain seeks (`key = ? AND id > ?`, `key > ?`) merged in order.
 */
export function seeksOnRowComparison(db: Db): boolean {
  return isPostgres(db);
}

/**
 * Takes the transaction-scoped lock named `scope` if no other transaction holds it, and answers
 * whether it did. On PostgreSQL an advisory lock, held until the transaction ends (another server
 * process running the same scope holds it until it commits). SQLite has one writer at a time, and
 * a write transaction holds it from `BEGIN IMMEDIATE` on, so there the answer is always yes.
 */
export async function tryTransactionLock(trx: Db, scope: string): Promise<boolean> {
  if (!isPostgres(trx)) return true;
  const { rows } = await sql<{ locked: boolean }>`
    select pg_try_advisory_xact_lock(hashtextextended(${scope}, 0)) as locked`.execute(trx);
  return rows[0]?.locked === true;
}

/**
 * Takes the transaction-scoped lock named `scope`, waiting for whoever holds it (PostgreSQL:
 * an advisory lock, released at commit or rollback). SQLite runs one write transaction at a
 * time, which is the lock already.
 */
export async function transactionLock(trx: Db, scope: string): Promise<void> {
  if (!isPostgres(trx)) return;
  await sql`select pg_advisory_xact_lock(hashtextextended(${scope}, 0))`.execute(trx);
}

/**
 * Whether transactions commit in the order their rows were inserted. SQLite has one writer: a
 * row inserted later commits later (or in the same group commit), so an ordered log can number
 * its rows as it inserts them. PostgreSQL commits concurrent transactions in any order, so an
 * ordered log numbers its rows after they commit.
 */
export function commitsInInsertOrder(db: Db): boolean {
  return !isPostgres(db);
}

/**
 * The org column `column` as a term beside a look-up of rows by their ids (`org_id IN (…) AND
 * id IN (…)`). PostgreSQL keys an org's rows by `(org_id, id)` (migration 0020): naming the org
 * is how it seeks them. SQLite keys them by the rowid (or a unique id column) alone and keeps no
 * statistics, and once the id list is longer than a few entries its planner prefers an index led
 * by `org_id`, reading every row of the org: the webhook dispatcher's statements walked the whole
 * delivery log and event feed that way. There the term is written `+org_id`, SQLite's way of
 * keeping a term off the indexes: it still filters, and the ids are sought.
 */
export function orgBesideIds(db: Db, column: string): RawBuilder<number> {
  return isPostgres(db) ? sql.ref(column) : sql<number>`+${sql.ref(column)}`;
}
