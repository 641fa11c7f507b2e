import type pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { hostLabel } from './postgres-url.js';

/** Where a routed read was served: the replica, or the primary because the replica lagged or failed. */
export type ReadTarget = 'replica' | 'primary';

/** A WAL position (`16/B374D848`) as one number, to compare. */
function lsnValue(text: string): bigint {
  const [high = '0', low = '0'] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

/** After the replica fails to answer, this long of reads go to the primary without asking it. */
const REPLICA_RETRY_MS = 1000;

type Log = { warn(details: Record<string, unknown>, message: string): void };

/**
 * The pool behind the reads that a replica may serve (`DATABASE_REPLICA_URL`: lists and
 * analytics reports; docs/deploy.md, "Read routing"). Each connection it hands out is either
 * the replica's or the primary's, chosen so that a read sees every write acknowledged before it
 * began, whoever made it, in any process: it asks the primary for its WAL position
 * (`pg_current_wal_lsn()`, which every acknowledged commit is at or before), and takes the
 * replica only when the replica has replayed at least that far. The replica's position is
 * remembered between reads, since it only grows, so a replica that keeps up costs one small
 * query on the primary per read; one that lags, is down, or is not a standby (promoted: it may
 * not be the primary Leadline writes to) sends the read to the primary.
 */
export class ReplicaRoutingPool implements PostgresPool {
  #replayed = 0n;
  #replicaFailedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly primary: PostgresPool,
    private readonly replica: pg.Pool,
    private readonly replicaUrl: string,
    private readonly log: () => Log,
    private readonly served: (target: ReadTarget) => void,
  ) {}

  async connect(): Promise<PostgresPoolClient> {
    const target = await this.#choose();
    this.served(target);
    if (target === 'primary') return this.primary.connect();
    try {
      return await this.replica.connect();
    } catch (error) {
      this.#replicaFailed(error);
      this.served('primary');
      return this.primary.connect();
    }
  }

  async end(): Promise<void> {
    await this.replica.end();
  }

  async #choose(): Promise<ReadTarget> {
    if (Date.now() - this.#replicaFailedAt < REPLICA_RETRY_MS) return 'primary';
    const needed = await this.#primaryPosition();
    if (this.#replayed >= needed) return 'replica';
    try {
      const { rows } = await this.replica.query<{ standby: boolean; replayed: string | null }>(
        'select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as replayed',
      );
      const row = rows[0];
      if (!row?.standby || row.replayed === null) {
        this.#replicaFailed(new Error('the replica is not a standby'));
        return 'primary';
      }
      const replayed = lsnValue(row.replayed);
      if (replayed > this.#replayed) this.#replayed = replayed;
      return replayed >= needed ? 'replica' : 'primary';
    } catch (error) {
      this.#replicaFailed(error);
      return 'primary';
    }
  }

  async #primaryPosition(): Promise<bigint> {
    const client = await this.primary.connect();
    try {
      const { rows } = await client.query<{ position: string }>(
        'select pg_current_wal_lsn()::text as position',
        [],
      );
      return lsnValue(rows[0]?.position ?? '0/0');
    } finally {
      client.release();
    }
  }

  #replicaFailed(error: unknown): void {
    const first = Date.now() - this.#replicaFailedAt >= REPLICA_RETRY_MS;
    this.#replicaFailedAt = Date.now();
    if (first) {
      this.log().warn(
        { replica: hostLabel(this.replicaUrl), message: (error as Error).message },
        'the read replica cannot serve reads; they go to the primary',
      );
    }
  }
}
