import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  Kysely,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import type { Database } from './schema.js';
import { LeadlineSqliteDialect } from './sqlite-dialect.js';

/**
 * Threads that run long read-only statements (the analytics reports, docs/analytics.md "Speed")
 * on connections of their own, so that on SQLite a report neither holds the event loop that
 * serves every other request nor waits for another report: WAL lets any number of readers run
 * beside the writer, and better-sqlite3 runs a statement on the thread that calls it. Each
 * thread opens the database file read-only and runs one statement at a time; statements queue
 * for the first free thread. A thread sees what was committed when its statement began, like
 * the main read connection.
 *
 * The thread's code is a CommonJS script evaluated in the worker (not a module file), so it
 * runs the same from the TypeScript sources under tsx and from the built `dist/`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const statements = new Map();
parentPort.on('message', ({ sql, parameters }) => {
  try {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      if (statements.size >= 200) statements.delete(statements.keys().next().value);
      statements.set(sql, statement);
    }
    // The connection is read-only anyway; a statement that returns no rows is refused here
    // rather than run and answered with none.
    if (!statement.reader) {
      throw Object.assign(new Error('the report readers run reads only'), { code: 'SQLITE_READONLY' });
    }
    parentPort.postMessage({ rows: statement.all(parameters) });
  } catch (error) {
    parentPort.postMessage({ error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

type Reply = { rows?: unknown[]; error?: { message: string; code?: string } };
type Pending = { resolve(rows: unknown[]): void; reject(error: Error): void };
type Job = { sql: string; parameters: readonly unknown[]; pending: Pending };

/**
 * What a thread's uncaught error arrives as. better-sqlite3's own error class does not survive
 * the trip out of the thread: it comes as a plain object holding its code alone, and the
 * store's error mapping expects an Error carrying SQLite's code.
 */
function threadError(error: unknown): Error {
  if (error instanceof Error) return error;
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  const text =
    typeof message === 'string'
      ? message
      : `a report reader thread failed${typeof code === 'string' ? ` (${code})` : ''}`;
  return Object.assign(new Error(text), { code });
}

/** One worker thread running one statement at a time. */
class ReaderThread {
  private readonly worker: Worker;
  private current: Pending | undefined;
  private ended = false;

  constructor(
    options: { file: string; driverPath: string },
    private readonly pool: { idle(thread: ReaderThread): void; gone(thread: ReaderThread): void },
  ) {
    // No `resourceLimits` heap bound: a statement whose rows outgrow it fills the heap from
    // inside the driver's native code, and Node 24 then aborts the whole process (Node 20 ended
    // only the thread). Unbounded, a thread has the heap the main thread has, as before threads.
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: options.file, driverPath: options.driverPath },
    });
    // An idle thread does not keep the process alive; the store's close() ends it.
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      const pending = this.current;
      this.current = undefined;
      if (reply.error) {
        pending?.reject(threadError(reply.error));
      } else {
        pending?.resolve(reply.rows ?? []);
      }
      this.pool.idle(this);
    });
    // A thread that fails (a crash in the driver, a file it cannot open) fails the
    // statement it was running, and the pool starts another thread for the next statement.
    this.worker.on('error', (error: unknown) => this.end(threadError(error)));
    this.worker.on('exit', (code) =>
      this.end(new Error(`a report reader thread exited (${code})`)),
    );
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  run(job: Job): void {
    this.current = job.pending;
    this.worker.postMessage({ sql: job.sql, parameters: job.parameters });
  }

  private end(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.current?.reject(error);
    this.current = undefined;
    this.pool.gone(this);
  }

  async close(): Promise<void> {
    this.ended = true;
    await this.worker.terminate();
  }
}

/**
 * Up to `size` reader threads over one SQLite file. Threads start when a statement needs one;
 * one that ends is replaced only when the next statement comes, so a thread that cannot even
 * open the file fails statements one by one instead of restarting in a loop.
 */
export class SqliteReportReaders {
  private readonly threads: ReaderThread[] = [];
  private readonly queue: Job[] = [];
  private readonly driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  private closed = false;

  constructor(
    private readonly file: string,
    readonly size: number,
  ) {}

  /** Runs one read-only statement on the first free thread; answers its rows. */
  run(sql: string, parameters: readonly unknown[]): Promise<unknown[]> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ sql, parameters, pending: { resolve, reject } });
      this.startNext();
    });
  }

  /** Threads running now (started and not ended). */
  get running(): number {
    return this.threads.length;
  }

  private startNext(): void {
    while (this.queue.length > 0) {
      const thread = this.threads.find((candidate) => !candidate.busy) ?? this.startThread();
      if (!thread) return;
      const job = this.queue.shift();
      if (job) thread.run(job);
    }
  }

  private startThread(): ReaderThread | undefined {
    if (this.closed || this.threads.length >= this.size) return undefined;
    const thread = new ReaderThread(
      { file: this.file, driverPath: this.driverPath },
      {
        idle: () => this.startNext(),
        gone: (ended) => {
          this.threads.splice(this.threads.indexOf(ended), 1);
          this.startNext();
        },
      },
    );
    this.threads.push(thread);
    return thread;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.pending.reject(new Error('the store is closed'));
    await Promise.all(this.threads.splice(0).map((thread) => thread.close()));
  }
}

/** A Kysely driver whose every query runs on the reader threads: reads only, no transactions. */
class ReportReadersDriver implements Driver {
  constructor(private readonly readers: SqliteReportReaders) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const { readers } = this;
    return {
      async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
        return { rows: (await readers.run(compiled.sql, compiled.parameters)) as R[] };
      },
      // eslint-disable-next-line require-yield
      async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
        throw new Error('the report readers do not stream');
      },
    };
  }

  async beginTransaction(): Promise<void> {
    throw new Error('the report readers are read-only: write through the store');
  }
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {
    await this.readers.close();
  }
}

/** SQLite's dialect (the same compiler as the store's) over the reader threads. */
class ReportReadersDialect extends LeadlineSqliteDialect {
  constructor(private readonly readers: SqliteReportReaders) {
    // The connection config is never used: the driver below replaces the one it would feed.
    super({ database: async () => Promise.reject(new Error('unused')) });
  }

  override createDriver(): Driver {
    return new ReportReadersDriver(this.readers);
  }
}

/** A read-only Kysely handle whose queries run on `readers`. */
export function reportReadersDb(readers: SqliteReportReaders): Kysely<Database> {
  return new Kysely<Database>({ dialect: new ReportReadersDialect(readers) });
}
