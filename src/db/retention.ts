import { sql, type RawBuilder } from 'kysely';
import type { Db, Store } from './database.js';

// core/date-time.ts has it too; db/ is the bottom layer and imports nothing above it.
const DAY_MS = 86_400_000;

/** One batch of a retention prune: rows past retention at `now`, of the orgs `orgIds` if given. */
export type RetentionBatch = {
  now: number;
  /** Days kept for an org without its own `event_retention_days`. */
  defaultDays: number;
  batch: number;
  orgIds?: number[] | undefined;
};

/**
 * The instant before which a row of the org joined as `o` is past its event retention at `now`:
 * the org's `event_retention_days`, or `defaultDays` where it has none. The events feed and the
 * webhook delivery log keep rows for the same days, so both prune with this one cutoff.
 */
export function retentionCutoff(now: number, defaultDays: number): RawBuilder<number> {
  // Cast: PostgreSQL would otherwise type the parameters as 32-bit integers.
  return sql<number>`cast(${now} as bigint) - cast(coalesce(o.event_retention_days, ${defaultDays}) as bigint) * cast(${DAY_MS} as bigint)`;
}

/**
 * Runs `deleteBatch` (deleting at most `batch` rows as of `now`) one transaction after another
 * until a batch comes back short; answers how many rows in all. Small transactions keep pruning
 * from holding the write lock (SQLite) or row locks (PostgreSQL) long enough to stall writes.
 */
export async function deleteInBatches(
  store: Store,
  clock: { now(): number },
  deleteBatch: (trx: Db, now: number, batch: number) => Promise<number>,
  batch = 1000,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const now = clock.now();
    const n = await store.transaction((trx) => deleteBatch(trx, now, batch));
    deleted += n;
    if (n < batch) return deleted;
  }
}
