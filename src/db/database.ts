import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** A Kysely handle: the whole database or one transaction. Repositories take this. */
export type Db = Kysely<Database>;

/**
 * The store behind the repositories: one Kysely instance plus the few things that differ by
 * dialect (how a write transaction starts, row locks).
 */
export type Store = {
  /** The database, or the request-wide transaction while one is open (see `withinTransaction`). */
  readonly db: Db;
  readonly dialect: Dialect;
  /**
   * Runs `work` in one write transaction and commits it durably before resolving.
   *
   * On SQLite the transaction starts with `BEGIN IMMEDIATE`, so a second process (the CLI beside
   * the server) waits for the write lock through `busy_timeout` instead of failing when a read
   * transaction would have to be upgraded.
   */
  transaction<T>(work: (trx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs `work` inside one write transaction that every `db` read and every `transaction` call
   * made during it joins, so a whole request commits or rolls back as one (idempotent retries
   * store their response in the same transaction as the write).
   */
  withinTransaction<T>(work: (trx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

/** The transaction a request runs in, if any; async-context scoped so requests never mix. */
const requestTransaction = new AsyncLocalStorage<Db>();

/** Adds the request-wide transaction behaviour to a dialect's plain store. */
function joinable(base: {
  db: Db;
  dialect: Dialect;
  begin<T>(work: (trx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}): Store {
  return {
    get db() {
      return requestTransaction.getStore() ?? base.db;
    },
    dialect: base.dialect,
    transaction(work) {
      const open = requestTransaction.getStore();
      return open ? work(open) : base.begin(work);
    },
    withinTransaction(work) {
      const open = requestTransaction.getStore();
      if (open) return work(open);
      return base.begin((trx) => requestTransaction.run(trx, () => work(trx)));
    },
    close: () => base.close(),
  };
}

export type StoreOptions = {
  databaseUrl?: string | undefined;
  dataDir: string;
  pgPoolSize?: number;
};

/**
 * Opens the store the options select: PostgreSQL when `databaseUrl` is set, else the embedded
 * SQLite file `leadline.db` under `dataDir`.
 *
 * @example const store = openStore({ dataDir: './data' });
 */
export function openStore(options: StoreOptions): Store {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.pgPoolSize ?? 10)
    : openSqlite(options.dataDir);
}

function openSqlite(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const file = new SqliteDatabase(path.join(dataDir, 'leadline.db'));
  file.pragma('journal_mode = WAL');
  // FULL: a transaction acknowledged to a client survives power loss, not only a process crash.
  file.pragma('synchronous = FULL');
  file.pragma('foreign_keys = ON');
  file.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) });
  const store = joinable({
    db,
    dialect: 'sqlite',
    async begin(work) {
      // Kysely's SQLite driver hands out its single connection under a mutex, so nothing else
      // runs between BEGIN IMMEDIATE and COMMIT on it.
      return db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await work(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          if (file.inTransaction) await sql`rollback`.execute(conn);
          throw error;
        }
      });
    },
    close: () => db.destroy(),
  });
  sqliteHandles.set(store, file);
  return store;
}

/** The better-sqlite3 connection behind each SQLite store (see `sqliteHandleOf`). */
const sqliteHandles = new WeakMap<Store, SqliteDatabase.Database>();

/**
 * The better-sqlite3 connection behind a SQLite store, for bulk writers that bypass Kysely (the
 * `seed` command's prepared multi-row inserts); undefined for a PostgreSQL store. It is the
 * store's one connection: use it only while no Kysely query or transaction of the store is open.
 *
 * @example const file = sqliteHandleOf(ctx.store); file?.pragma('wal_checkpoint(TRUNCATE)');
 */
export function sqliteHandleOf(store: Store): SqliteDatabase.Database | undefined {
  return sqliteHandles.get(store);
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function openPostgres(connectionString: string, max: number): Store {
  const pool = new pg.Pool({
    connectionString,
    max,
    // Every commit is durable before it is acknowledged, whatever the server's default says.
    options: '-c synchronous_commit=on',
    // Ids and instants are BIGINT; every value Leadline stores is below 2^53, so they are
    // returned as exact JavaScript numbers rather than strings.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? (value: string) => Number(value)
          : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
    },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return joinable({
    db,
    dialect: 'postgres',
    begin: (work) => db.transaction().execute(work),
    close: () => db.destroy(),
  });
}
