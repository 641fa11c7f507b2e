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
parentPort.on('message', ({ id, sql, parameters }) => {
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
    parentPort.postMessage({ id, rows: statement.all(parameters) });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

type Reply = { id: number; rows?: unknown[]; error?: { message: string; code?: string } };
type Pending = { resolve(rows: unknown[]): void; reject(error: Error): void };
type Job = { sql: string; parameters: readonly unknown[]; pending: Pending };

class ReaderThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Pending>();
  private nextId = 0;
  busy = false;

  constructor(file: string, driverPath: string, onIdle: (thread: ReaderThread) => void) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driverPath } });
    // An idle thread does not keep the process alive; the store's close() ends it.
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      const pending = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      this.busy = false;
      if (reply.error) {
        pending?.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      } else {
        pending?.resolve(reply.rows ?? []);
      }
      onIdle(this);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('a report reader thread exited')));
  }

  run(job: Job): void {
    this.busy = true;
    const id = (this.nextId += 1);
    this.waiting.set(id, job.pending);
    this.worker.postMessage({ id, sql: job.sql, parameters: job.parameters });
  }

  private failAll(error: Error): void {
    for (const pending of this.waiting.values()) pending.reject(error);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** A fixed number of reader threads over one SQLite file, started on first use. */
export class SqliteReportReaders {
  private threads: ReaderThread[] | undefined;
  private readonly queue: Job[] = [];
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

  private startNext(): void {
    this.threads ??= this.start();
    const job = this.queue[0];
    const free = this.threads.find((thread) => !thread.busy);
    if (!job || !free) return;
    this.queue.shift();
    free.run(job);
  }

  private start(): ReaderThread[] {
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    return Array.from(
      { length: this.size },
      () => new ReaderThread(this.file, driverPath, () => this.startNext()),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.pending.reject(new Error('the store is closed'));
    await Promise.all((this.threads ?? []).map((thread) => thread.close()));
    this.threads = undefined;
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
