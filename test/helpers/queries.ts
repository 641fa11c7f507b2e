import { sql, type CompiledQuery, type KyselyPlugin } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { AppContext } from '../../src/core/context.js';
import type { Db, Row } from '../../src/db/schema.js';

/**
 * The app again over the same context, with every executed statement counted. Counted as
 * results: prepared queries are compiled once, and a compound query's arms are each transformed
 * as they are built, so transformQuery would miscount both.
 */
export async function countingApp(
  ctx: AppContext,
): Promise<{ app: FastifyInstance; statements: () => number; reset: () => void }> {
  let statements = 0;
  const counting: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      statements += 1;
      return args.result;
    },
  };
  const store = { ...ctx.store, db: ctx.store.db.withPlugin(counting) };
  const app = await buildApp({ ...ctx, store }, { logger: false });
  return {
    app,
    statements: () => statements,
    reset: () => {
      statements = 0;
    },
  };
}

/**
 * The plan of a compiled query: SQLite's EXPLAIN QUERY PLAN lines, or PostgreSQL's EXPLAIN with
 * sequential and bitmap scans (and, with `noSort`, sorts) made unattractive, since the planner
 * rightly prefers them on a test's tiny tables: a plan that still uses one has no index for it.
 * `nestedLoops` does the same for hash and merge joins, to see which key a join's look-ups use.
 */
export async function planLines(
  ctx: AppContext,
  compiled: CompiledQuery,
  options: { noSort?: boolean; nestedLoops?: boolean } = {},
): Promise<string[]> {
  const { db, dialect } = ctx.store;
  if (dialect === 'sqlite') {
    const plan = await db.executeQuery<{ detail: string }>({
      ...compiled,
      sql: `explain query plan ${compiled.sql}`,
    });
    return plan.rows.map((r) => r.detail);
  }
  const plan = await db.connection().execute(async (conn) => {
    await sql`set enable_seqscan = off`.execute(conn);
    await sql`set enable_bitmapscan = off`.execute(conn);
    if (options.noSort) await sql`set enable_sort = off`.execute(conn);
    // A join that reads a few rows of a large table by key: on tiny tables a hash join wins.
    if (options.nestedLoops) {
      await sql`set enable_hashjoin = off`.execute(conn);
      await sql`set enable_mergejoin = off`.execute(conn);
    }
    try {
      return await conn.executeQuery<{ 'QUERY PLAN': string }>({
        ...compiled,
        sql: `explain ${compiled.sql}`,
      });
    } finally {
      await sql`reset all`.execute(conn);
    }
  });
  return plan.rows.map((r) => r['QUERY PLAN']);
}

/** Tables of an org's rows numbered by `id` that tests copy rows of. */
type CopiedTable = 'leads' | 'follow_ups' | 'status_logs';

/**
 * One of the org's rows of `table` without its id: inserted again, it makes a new row like it
 * (many rows fast, where the API would make them one by one).
 */
export async function rowToCopy<T extends CopiedTable>(
  db: Db,
  table: T,
  orgId: number,
): Promise<Omit<Row<T>, 'id'>> {
  // Widened to the union: Kysely cannot resolve `org_id` on a generic table name.
  const from: CopiedTable = table;
  const row = await db
    .selectFrom(from)
    .selectAll()
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Object.fromEntries(Object.entries(row).filter(([column]) => column !== 'id')) as Omit<
    Row<T>,
    'id'
  >;
}
