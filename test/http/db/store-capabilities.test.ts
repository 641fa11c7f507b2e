import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tryTransactionLock, seeksOnRowComparison } from '../../../src/db/capabilities.js';
import { sql } from 'kysely';
import { TEST_STORE, useTestApp } from '../../helpers/app.js';
import { loadConfig } from '../../../src/core/config.js';
import { createContext } from '../../../src/core/context.js';

/** What the two stores do differently, stated by db/ so that no feature asks which store it is. */
describe('store capabilities', () => {
  const t = useTestApp();

  it('compiles FOR UPDATE on PostgreSQL and away on SQLite, whose writer holds the whole database', () => {
    const { sql } = t.ctx.store.db
      .selectFrom('leads')
      .select('id')
      .where('org_id', '=', 1)
      .limit(1)
      .forUpdate()
      .compile();
    if (TEST_STORE === 'postgres') assert.match(sql, / for update$/);
    else assert.doesNotMatch(sql, /for update/i);
  });

  it('runs a locked read inside a write transaction on both stores', async () => {
    const found = await t.ctx.store.transaction((trx) =>
      trx.selectFrom('orgs').select('id').limit(1).forUpdate().execute(),
    );
    assert.ok(Array.isArray(found));
  });

  it(
    'bounds statements by PG_STATEMENT_TIMEOUT_MS, and migrations only in their waits for locks (PostgreSQL)',
    { skip: TEST_STORE !== 'postgres' },
    async () => {
      const ctx = createContext(
        loadConfig({
          LOG_LEVEL: 'silent',
          DATABASE_URL: process.env.LEADLINE_TEST_DATABASE_URL ?? '',
          PG_STATEMENT_TIMEOUT_MS: '200',
        }),
      );
      try {
        const sleep = sql`select pg_sleep(0.6) is null as slept`;
        await assert.rejects(sleep.execute(ctx.store.db), /statement timeout/);
        // A migration's fill over a large store runs as long as it needs (migration 0023).
        const { rows } = await sleep.execute(ctx.store.schemaDb);
        assert.deepEqual(rows, [{ slept: false }]);
        // … but waits for a table's lock no longer than a request's statement may run.
        const lock = await sql<{ lock_timeout: string }>`show lock_timeout`.execute(
          ctx.store.schemaDb,
        );
        assert.deepEqual(lock.rows, [{ lock_timeout: '200ms' }]);
        await assert.rejects(sleep.execute(ctx.store.db), /statement timeout/);
      } finally {
        await ctx.store.close();
      }
    },
  );

  it('seeks on a row comparison only where the index can (PostgreSQL)', () => {
    assert.equal(seeksOnRowComparison(t.ctx.store.db), TEST_STORE === 'postgres');
  });

  it('grants a transaction lock once at a time on PostgreSQL, and always on SQLite', async () => {
    const scope = `test-scope-${process.pid}-${Date.now()}`;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstGot: boolean | undefined;
    const first = t.ctx.store.transaction(async (trx) => {
      firstGot = await tryTransactionLock(trx, scope);
      await held;
    });
    while (firstGot === undefined) await new Promise((r) => setTimeout(r, 5));
    assert.equal(firstGot, true);
    if (TEST_STORE === 'postgres') {
      // A second transaction (another pooled connection) is refused while the first holds it.
      const second = await t.ctx.store.transaction((trx) => tryTransactionLock(trx, scope));
      assert.equal(second, false);
    }
    release();
    await first;
    const afterRelease = await t.ctx.store.transaction((trx) => tryTransactionLock(trx, scope));
    assert.equal(afterRelease, true);
  });
});
