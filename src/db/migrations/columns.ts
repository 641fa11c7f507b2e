import type { CreateTableBuilder } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Adds the `id` primary key both stores number alike: ever increasing and never reused
 * (SQLite's AUTOINCREMENT, PostgreSQL's identity column).
 */
export function idColumn<T extends string>(
  table: CreateTableBuilder<T, never>,
  dialect: Dialect,
): CreateTableBuilder<T, 'id'> {
  return dialect === 'sqlite'
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}
