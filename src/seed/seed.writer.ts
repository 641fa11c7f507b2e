import { sqliteHandleOf, type Store } from '../db/database.js';
import type { BulkWriter } from './seed.bulk-writer.js';
import { postgresBulkWriter } from './seed.postgres-writer.js';
import { sqliteBulkWriter } from './seed.sqlite-writer.js';

/** Batches written side by side on PostgreSQL (one connection each). */
const POSTGRES_PARALLEL_BATCHES = 2;

export type { BulkWriter, WrittenBatch } from './seed.bulk-writer.js';

/** The bulk writer of the store's dialect. */
export function bulkWriterFor(store: Store): BulkWriter {
  if (store.dialect === 'postgres') return postgresBulkWriter(store, POSTGRES_PARALLEL_BATCHES);
  const file = sqliteHandleOf(store);
  if (!file) throw new Error('a SQLite store without its better-sqlite3 connection');
  return sqliteBulkWriter(file);
}
