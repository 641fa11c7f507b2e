import { SqliteDialect, SqliteQueryCompiler, type SelectQueryNode } from 'kysely';

/**
 * SQLite's query compiler without row locks. SQLite has none: a write transaction holds the one
 * write lock of the whole database from `BEGIN IMMEDIATE` to its commit, which is stronger than
 * any row lock. So a repository asks for `FOR UPDATE` where PostgreSQL needs it (a row read to
 * be changed in the same transaction) and runs unchanged on both stores.
 */
class SqliteCompilerWithoutRowLocks extends SqliteQueryCompiler {
  protected override visitSelectQuery(node: SelectQueryNode): void {
    const endModifiers = node.endModifiers?.filter((m) => m.modifier !== 'ForUpdate');
    super.visitSelectQuery({
      ...node,
      endModifiers: endModifiers?.length ? endModifiers : undefined,
    });
  }
}

/** Kysely's SQLite dialect, compiling `FOR UPDATE` away (see above). */
export class LeadlineSqliteDialect extends SqliteDialect {
  override createQueryCompiler(): SqliteQueryCompiler {
    return new SqliteCompilerWithoutRowLocks();
  }
}
