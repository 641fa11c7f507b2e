import pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { hostLabel, postgresHostUrls } from './postgres-url.js';

/**
 * Errors that mean the host written to is gone or no longer takes writes, as opposed to a
 * slow or busy one (a timeout, too many connections), which stays the primary: refused, reset,
 * shut down (57P01–57P03), or read-only because it is a standby now (25006).
 */
export function meansPrimaryLost(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (/^57P0[1-3]$/.test(code) || code === '25006' || /^08/.test(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
      return true;
    }
  }
  return typeof message === 'string' && message.includes('Connection terminated');
}

/** How long after finding no writable host a request fails at once instead of looking again. */
export const PRIMARY_SEARCH_PAUSE_MS = 250;

/** What one host said when asked whether it takes writes. */
type Probe = { url: string; index: number; writable: boolean; timeline: number };

type Primary = { url: string; pool: pg.Pool };

export type PrimaryLog = {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
};

/**
 * Asks a host whether it takes writes and, if so, its WAL timeline: a standby promoted after a
 * failover is on a newer timeline than the old primary, should that one come back as a primary.
 * Undefined when the host does not answer.
 */
async function probe(url: string, index: number, timeoutMs: number): Promise<Probe | undefined> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  // A host that drops the connection mid-probe emits 'error'; the query's rejection reports it.
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ standby: boolean; wal: string | null }>(
      `select pg_is_in_recovery() as standby,
              case when pg_is_in_recovery() then null else pg_walfile_name(pg_current_wal_lsn()) end as wal`,
    );
    const row = rows[0];
    if (!row) return undefined;
    // A WAL file's name begins with its timeline, eight hexadecimal digits.
    const timeline = row.wal ? Number.parseInt(row.wal.slice(0, 8), 16) : 0;
    return { url, index, writable: !row.standby, timeline };
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The probes' answers that take writes, the newest timeline first, then in the order given. */
function writableFirst(probes: ReadonlyArray<Probe | undefined>): Probe[] {
  return probes
    .filter((p): p is Probe => p !== undefined && p.writable)
    .sort((a, b) => b.timeline - a.timeline || a.index - b.index);
}

/**
 * The one-host URL of the host of `databaseUrl` that accepts writes (itself when it names one
 * host), for the tools that take a single host, such as `pg_dump`. Undefined when none does.
 */
export async function writableHostUrl(
  databaseUrl: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const urls = postgresHostUrls(databaseUrl);
  if (urls.length === 1) return databaseUrl;
  const probes = await Promise.all(urls.map((url, index) => probe(url, index, timeoutMs)));
  return writableFirst(probes)[0]?.url;
}

/** The error a request meets while no host takes writes: 503 STORE_UNAVAILABLE, like 57P03. */
function noPrimaryError(hosts: number): Error {
  return Object.assign(new Error(`none of the ${hosts} PostgreSQL hosts accepts writes`), {
    code: '57P03',
  });
}

/**
 * A pool over the one host of several that accepts writes (docs/deploy.md, "PostgreSQL that
 * fails over"). It finds that host by asking every host at once, then pools connections to it.
 * When a connection to it is refused or lost, or it answers that it is read-only, it drops that
 * pool and asks again; meanwhile requests fail at once (503 STORE_UNAVAILABLE with Retry-After)
 * rather than wait, and the first request after a standby's promotion writes to it, without a
 * restart. Of several hosts that all take writes (an old primary restarted beside the promoted
 * standby), the newest timeline wins.
 */
export class FailoverPool implements PostgresPool {
  #primary: Primary | undefined;
  #searching: Promise<Primary | undefined> | undefined;
  #lastMissAt = Number.NEGATIVE_INFINITY;
  #ended = false;

  constructor(
    private readonly hostUrls: readonly string[],
    private readonly makePool: (url: string) => pg.Pool,
    private readonly probeTimeoutMs: number,
    private readonly log: () => PrimaryLog,
  ) {}

  /** The host written to now, or undefined while none is known. */
  get primaryHost(): string | undefined {
    return this.#primary ? hostLabel(this.#primary.url) : undefined;
  }

  usage(): { total: number; idle: number; waiting: number } {
    const pool = this.#primary?.pool;
    return pool
      ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }
      : { total: 0, idle: 0, waiting: 0 };
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.#ended) throw new Error('Cannot use a pool after calling end');
    const primary = this.#primary ?? (await this.#search());
    if (!primary) throw noPrimaryError(this.hostUrls.length);
    let client: pg.PoolClient;
    try {
      client = await primary.pool.connect();
    } catch (error) {
      this.#suspect(primary, error);
      throw error;
    }
    const suspect = (error: unknown) => this.#suspect(primary, error);
    return {
      query: ((...args: [string, unknown[]]) => {
        const result = client.query(...args) as unknown;
        // Kysely's statements answer promises; its streams answer a cursor, whose reads fail on
        // their own, and the next statement notices.
        return result instanceof Promise
          ? result.catch((error: unknown) => {
              suspect(error);
              throw error;
            })
          : result;
      }) as PostgresPoolClient['query'],
      release: (destroy?: boolean) => client.release(destroy),
    };
  }

  async end(): Promise<void> {
    this.#ended = true;
    await this.#searching;
    await this.#primary?.pool.end();
    this.#primary = undefined;
  }

  /** One search at a time; none for a moment after one found nothing, so requests fail fast. */
  #search(): Promise<Primary | undefined> {
    if (Date.now() - this.#lastMissAt < PRIMARY_SEARCH_PAUSE_MS) return Promise.resolve(undefined);
    this.#searching ??= this.#findPrimary().finally(() => {
      this.#searching = undefined;
    });
    return this.#searching;
  }

  async #findPrimary(): Promise<Primary | undefined> {
    const probes = await Promise.all(
      this.hostUrls.map((url, index) => probe(url, index, this.probeTimeoutMs)),
    );
    const writable = writableFirst(probes);
    const chosen = writable[0];
    if (!chosen || this.#ended) {
      this.#lastMissAt = Date.now();
      if (!this.#ended) {
        this.log().warn(
          { hosts: this.hostUrls.map(hostLabel), answered: probes.filter(Boolean).length },
          'no PostgreSQL host accepts writes; requests answer 503 until one does',
        );
      }
      return undefined;
    }
    const primary = { url: chosen.url, pool: this.makePool(chosen.url) };
    this.#primary = primary;
    this.log().info(
      { host: hostLabel(chosen.url), timeline: chosen.timeline, writable: writable.length },
      'writing to this PostgreSQL host',
    );
    return primary;
  }

  /** Drops the primary's pool when `error` says it is gone, and starts looking for the next. */
  #suspect(primary: Primary, error: unknown): void {
    if (this.#primary !== primary || !meansPrimaryLost(error)) return;
    this.#primary = undefined;
    this.log().warn(
      {
        host: hostLabel(primary.url),
        code: (error as { code?: unknown }).code,
        message: (error as Error).message,
      },
      'lost the PostgreSQL host that accepts writes; looking for it among the hosts',
    );
    // Connections still checked out close as their requests release them.
    primary.pool.end().catch(() => {});
    void this.#search();
  }
}
