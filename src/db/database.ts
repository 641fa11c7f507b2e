import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  PostgresDialect,
  sql,
  type PostgresPool,
  type SqliteDatabase as KyselySqliteDatabase,
} from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { GroupCommit } from './group-commit.js';
import { storeFaultOf, type StoreFault } from './errors.js';
import { postgresHostUrls } from './postgres-url.js';
import { FailoverPool } from './postgres-hosts.js';
import { ReplicaRoutingPool, type ReadTarget } from './replica-routing.js';
import { LeadlineSqliteDialect } from './sqlite-dialect.js';
import { reportReadersDb, SqliteReportReaders } from './sqlite-report-readers.js';
import type { BulkWriter } from './bulk/bulk-writer.js';
import { postgresBulkWriter } from './bulk/postgres-bulk-writer.js';
import { sqliteBulkWriter } from './bulk/sqlite-bulk-writer.js';

export type Dialect = 'sqlite' | 'postgres';

/** A Kysely handle: the whole database or one transaction. Repositories take this. */
export type { Db } from './schema.js';
import type { Db } from './schema.js';

/**
 * The store behind the repositories: one Kysely instance plus the few things that differ by
 * dialect (how a write transaction starts, row locks).
 */
export type Store = {
  /**
   * The database for reads, or the request-wide transaction while one is open (see
   * `withinTransaction`). Outside a transaction it only sees committed data, and on SQLite it
   * cannot write: every write goes through `transaction`.
   */
  readonly db: Db;
  /**
   * Where migrations run (they manage their own transactions): only before serving. On SQLite the
   * writer; on PostgreSQL a pool of one connection of its own, without `PG_STATEMENT_TIMEOUT_MS`.
   */
  readonly schemaDb: Db;
  /**
   * Read-only, for long reads that see committed data only (the analytics reports): on SQLite
   * the report reader threads (`SQLITE_REPORT_THREADS`, docs/analytics.md "Speed"), so a report
   * neither holds the event loop nor waits for another; on PostgreSQL the pool, as `db`, or with
   * `DATABASE_REPLICA_URL` the replica or the primary as for `listDb`. Never inside a request's
   * transaction: its writes are not visible here.
   */
  readonly reportDb: Db;
  /**
   * Read-only, for the list reads (leads, status logs, follow-ups): on PostgreSQL with
   * `DATABASE_REPLICA_URL`, the replica when it has every write acknowledged before the read
   * began, else the primary (docs/deploy.md, "Read routing"); otherwise `db` itself. Never
   * inside a request's transaction.
   */
  readonly listDb: Db;
  /** SQLite: how many transactions its group commits carried in how many durable commits. */
  readonly groupCommitStats:
    { readonly transactions: number; readonly commits: number } | undefined;
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
  /**
   * The store's real state, known within `timeoutMs`: `ok`; `unavailable` when a trivial query
   * fails or does not answer in time; `full` when the latest write failed for want of room
   * (reads may still work) and no write has succeeded since.
   */
  health(timeoutMs: number): Promise<StoreHealth>;
  /**
   * A writer of generated lead batches straight into the tables (the `seed` command), bypassing
   * Kysely where that is faster. Use it only while the store has no transaction running or
   * waiting: the `seed` command has its store to itself.
   */
  bulkWriter(): BulkWriter;
  /** Where the store reports faults it survives (a pooled connection dropped while idle). */
  useLogger(log: StoreLogger): void;
  /** Where the store reports what its transactions take (the metrics, docs/deploy.md). */
  useObserver(observer: StoreObserver): void;
  /** PostgreSQL: the pool's connections now, and the requests waiting for one. */
  poolUsage(): PoolUsage | undefined;
  close(): Promise<void>;
};

export type StoreHealth = 'ok' | StoreFault;
export type StoreLogger = {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
};
export type PoolUsage = { total: number; idle: number; waiting: number };
/** Told of every write transaction as it ends; called on the hot path, so it must be cheap. */
export type StoreObserver = {
  /** From asking for the transaction to its durable commit (or its failure), in seconds. */
  transaction(seconds: number, committed: boolean): void;
  /** SQLite: one durable commit carried this many transactions (group commit). */
  groupCommit(transactions: number): void;
  /** PostgreSQL with a read replica: a list or report read was served here. */
  routedRead(servedBy: ReadTarget): void;
  /** PostgreSQL: the wait for a connection of the pool to the primary, in seconds. */
  poolWait(seconds: number): void;
};
const NO_OBSERVER: StoreObserver = {
  transaction() {},
  groupCommit() {},
  routedRead() {},
  poolWait() {},
};

/** Adds the request-wide transaction behaviour to a dialect's plain store. */
function joinable(base: {
  db: Db;
  schemaDb: Db;
  reportDb: Db;
  listDb: Db;
  groupCommitStats?: Store['groupCommitStats'];
  dialect: Dialect;
  begin<T>(work: (trx: Db) => Promise<T>): Promise<T>;
  bulkWriter(): BulkWriter;
  close(): Promise<void>;
  logger: { current: StoreLogger };
  observer: { current: StoreObserver };
  poolUsage?: () => PoolUsage;
}): Store {
  /** The transaction a request runs in, if any; async-context scoped so requests never mix. */
  const requestTransaction = new AsyncLocalStorage<Db>();
  // The outcome of the latest write: a full store answers reads but not writes, which a read
  // probe cannot see, so /health remembers it until a write succeeds again.
  let lastWriteFull = false;
  const begin = async <T>(work: (trx: Db) => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const result = await base.begin(work);
      lastWriteFull = false;
      base.observer.current.transaction((performance.now() - started) / 1000, true);
      return result;
    } catch (error) {
      if (storeFaultOf(error) === 'full') lastWriteFull = true;
      base.observer.current.transaction((performance.now() - started) / 1000, false);
      throw error;
    }
  };
  return {
    get db() {
      return requestTransaction.getStore() ?? base.db;
    },
    schemaDb: base.schemaDb,
    reportDb: base.reportDb,
    get listDb() {
      return requestTransaction.getStore() ?? base.listDb;
    },
    groupCommitStats: base.groupCommitStats,
    dialect: base.dialect,
    transaction(work) {
      const open = requestTransaction.getStore();
      return open ? work(open) : begin(work);
    },
    withinTransaction(work) {
      const open = requestTransaction.getStore();
      if (open) return work(open);
      return begin((trx) => requestTransaction.run(trx, () => work(trx)));
    },
    async health(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'unavailable'>((resolve) => {
        timer = setTimeout(() => resolve('unavailable'), timeoutMs);
      });
      const probe = sql`select 1`.execute(base.db).then(
        () => (lastWriteFull ? 'full' : 'ok') as StoreHealth,
        (error: unknown) =>
          (storeFaultOf(error) === 'full' ? 'full' : 'unavailable') as StoreHealth,
      );
      try {
        return await Promise.race([probe, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
    bulkWriter: () => base.bulkWriter(),
    useLogger(log) {
      base.logger.current = log;
    },
    useObserver(observer) {
      base.observer.current = observer;
    },
    poolUsage: () => base.poolUsage?.(),
    close: () => base.close(),
  };
}

export type StoreOptions = {
  databaseUrl?: string | undefined;
  dataDir: string;
  pgPoolSize?: number;
  /** PostgreSQL: how long to wait for a connection (a new one, or a free one of the pool). */
  pgConnectTimeoutMs?: number;
  /**
   * PostgreSQL: the longest a statement may run (0: no bound), migrations excepted. The server
   * cancels it; the client gives up 2 s later if the server does not answer at all (a hung
   * server).
   */
  pgStatementTimeoutMs?: number;
  /** SQLite: the report reader threads (0: reports read on the main read connection). */
  sqliteReportThreads?: number;
  /** PostgreSQL: a read replica (a streaming standby) for list and report reads. */
  replicaUrl?: string | undefined;
};

/** Until the server hands the store its logger, faults the store survives go to stderr. */
const stderrLogger: StoreLogger = {
  // What the store does as planned (the host it writes to) is the server log's business; a
  // command's stderr carries faults only.
  info: () => {},
  warn: (details, message) => process.stderr.write(`${message} ${JSON.stringify(details)}\n`),
};

/**
 * Opens the store the options select: PostgreSQL when `databaseUrl` is set, else the embedded
 * SQLite file `leadline.db` under `dataDir`.
 *
 * @example const store = openStore({ dataDir: './data' });
 */
export function openStore(options: StoreOptions): Store {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options)
    : openSqlite(options.dataDir, options.sqliteReportThreads ?? 0);
}

function openSqlite(dataDir: string, reportThreads: number): Store {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'leadline.db');
  const writer = new SqliteDatabase(file);
  writer.pragma('journal_mode = WAL');
  // FULL: a transaction acknowledged to a client survives power loss, not only a process crash.
  writer.pragma('synchronous = FULL');
  writer.pragma('foreign_keys = ON');
  writer.pragma('busy_timeout = 5000');
  // Reads go through their own connection, which only ever sees committed data: while the writer
  // holds a group of transactions that is not yet durable, nobody can read what is in it.
  const reader = new SqliteDatabase(file);
  reader.pragma('busy_timeout = 5000');
  // A write through the read connection would wait for the writer's lock on this very thread.
  reader.pragma('query_only = ON');
  const writeDb = new Kysely<Database>({
    dialect: new LeadlineSqliteDialect({ database: withStatementCache(writer) }),
  });
  const readDb = new Kysely<Database>({
    dialect: new LeadlineSqliteDialect({ database: withStatementCache(reader) }),
  });
  const observer = { current: NO_OBSERVER };
  const groupCommit = new GroupCommit(writer, writeDb, (transactions) =>
    observer.current.groupCommit(transactions),
  );
  const reportReaders =
    reportThreads > 0 ? new SqliteReportReaders(file, reportThreads) : undefined;
  const reportDb = reportReaders ? reportReadersDb(reportReaders) : readDb;
  return joinable({
    db: readDb,
    schemaDb: writeDb,
    reportDb,
    listDb: readDb,
    groupCommitStats: groupCommit.stats,
    dialect: 'sqlite',
    begin: (work) => groupCommit.run(work),
    // Group commit runs its transactions on the same connection, idle while the seed writes.
    bulkWriter: () => sqliteBulkWriter(writer),
    logger: { current: stderrLogger },
    observer,
    async close() {
      await groupCommit.drain();
      if (reportDb !== readDb) await reportDb.destroy();
      await readDb.destroy();
      await writeDb.destroy();
    },
  });
}

/** Prepared statements kept per connection; beyond it the least recently used is dropped. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query afresh; preparing costs as much as running a
 * simple indexed query. Queries are built from a few hundred shapes, so their statements are
 * kept by SQL text.
 */
function withStatementCache(database: SqliteDatabase.Database): KyselySqliteDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (statement) {
        statements.delete(text);
      } else {
        statement = database.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE) {
          const oldest = statements.keys().next();
          if (!oldest.done) statements.delete(oldest.value);
        }
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

/** Seed batches written side by side on PostgreSQL (one connection each). */
const POSTGRES_PARALLEL_BATCHES = 2;

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function openPostgres(connectionString: string, options: StoreOptions): Store {
  const statementTimeoutMs = options.pgStatementTimeoutMs ?? 10_000;
  const connectTimeoutMs = options.pgConnectTimeoutMs ?? 3_000;
  const logger = { current: stderrLogger };
  // `forMigrations`: one connection, its statements unbounded (a migration's fill over a large
  // store runs longer than any request may), but its waits for a table's lock bounded as a
  // request's statements are: an ALTER queued behind a long read (a pg_dump) would otherwise
  // queue every other statement on that table behind it, for as long as the read lasts.
  const makePool = (url: string, forMigrations = false) => {
    const timeoutMs = forMigrations ? 0 : statementTimeoutMs;
    const lockTimeout = forMigrations ? ` -c lock_timeout=${statementTimeoutMs}` : '';
    const pool = new pg.Pool({
      connectionString: url,
      max: forMigrations ? 1 : (options.pgPoolSize ?? 10),
      // A server that is down refuses at once; one that hangs must not hold a request forever.
      connectionTimeoutMillis: connectTimeoutMs,
      ...(timeoutMs > 0 ? { query_timeout: timeoutMs + 2_000 } : {}),
      keepAlive: true,
      // Every commit is durable before it is acknowledged, whatever the server's default says
      // (and, with a synchronous standby, on the standby too). The statement timeout is the
      // server's own, so a cancelled statement leaves the connection usable; a transaction left
      // idle by a crashed request is ended by the server.
      options: `-c synchronous_commit=on -c statement_timeout=${timeoutMs} -c idle_in_transaction_session_timeout=${Math.max(statementTimeoutMs, 60_000)}${lockTimeout}`,
      // Ids and instants are BIGINT; every value Leadline stores is below 2^53, so they are
      // returned as exact JavaScript numbers rather than strings.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID || oid === NUMERIC_OID
            ? (value: string) => Number(value)
            : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle pooled connection that the server drops (a restart, pg_terminate_backend, a
    // network cut) emits 'error' on the pool; unhandled, that event would end the process. The
    // pool has already discarded the connection and opens a new one on demand, so the store
    // recovers by itself once the server is back: the fault is only logged.
    pool.on('error', (error: Error & { code?: string }) => {
      logger.current.warn(
        { code: error.code, message: error.message },
        'a pooled PostgreSQL connection was lost while idle; it will be replaced',
      );
    });
    // The pool listens only while a connection is idle. One that is lost while checked out (a
    // transaction awaiting between two statements) emits 'error' too: its next statement fails
    // (503 STORE_UNAVAILABLE) and the pool drops it on release, so here it is only logged.
    pool.on('connect', (client) => {
      client.on('error', (error: Error & { code?: string }) => {
        logger.current.warn(
          { code: error.code, message: error.message },
          'a PostgreSQL connection in use was lost',
        );
      });
    });
    return pool;
  };
  // Several hosts (libpq's `postgres://u@db1,db2/leadline`): write to whichever accepts writes,
  // and follow a promotion. One host: a plain pool, as it always was.
  const hostUrls = postgresHostUrls(connectionString);
  const single = hostUrls.length === 1 ? makePool(connectionString) : undefined;
  const pool =
    single ?? new FailoverPool(hostUrls, makePool, connectTimeoutMs, () => logger.current);
  const observer = { current: NO_OBSERVER };
  // Every statement and transaction asks the pool for a connection: how long that takes is the
  // pool's wait (docs/deploy.md, "Metrics").
  const timedPool: PostgresPool = {
    connect: async () => {
      const started = performance.now();
      try {
        return await pool.connect();
      } finally {
        observer.current.poolWait((performance.now() - started) / 1000);
      }
    },
    end: () => pool.end(),
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: timedPool }) });
  // Migrations have a pool of their own, made on their first statement (a process that finds
  // nothing to migrate opens it once, to read the migrations table; its connection closes when
  // idle), without the statement timeout: a migration's fill over a large store outlasts the
  // 10 s a request's statement may (one statement copying a million follow-ups' leads did).
  const schemaDb = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: async () =>
        hostUrls.length === 1
          ? makePool(connectionString, true)
          : new FailoverPool(
              hostUrls,
              (url) => makePool(url, true),
              connectTimeoutMs,
              () => logger.current,
            ),
    }),
  });
  // With a replica, list and report reads go through a pool that picks, per read, the replica
  // when it has caught up with the primary, else the primary.
  const replicaUrl = options.replicaUrl;
  const routedDb = replicaUrl
    ? new Kysely<Database>({
        dialect: new PostgresDialect({
          pool: new ReplicaRoutingPool(
            timedPool,
            makePool(replicaUrl),
            replicaUrl,
            () => logger.current,
            (target) => observer.current.routedRead(target),
          ),
        }),
      })
    : db;
  return joinable({
    db,
    schemaDb,
    reportDb: routedDb,
    listDb: routedDb,
    dialect: 'postgres',
    begin: (work) => db.transaction().execute(work),
    bulkWriter: () => postgresBulkWriter(db, POSTGRES_PARALLEL_BATCHES),
    logger,
    observer,
    poolUsage: () =>
      single
        ? { total: single.totalCount, idle: single.idleCount, waiting: single.waitingCount }
        : (pool as FailoverPool).usage(),
    close: async () => {
      if (routedDb !== db) await routedDb.destroy();
      await schemaDb.destroy();
      await db.destroy();
    },
  });
}
