import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { SqliteReportReaders } from '../../../src/db/sqlite-report-readers.js';
import { TEST_STORE, createTestApp, type TestApp } from '../../helpers/app.js';
import { newOrg, unique } from '../../helpers/factories.js';

/** A statement that keeps one SQLite thread busy for a while (counts to `n` in a CTE). */
const busyCount = (n: number) =>
  sql<{ n: number }>`with recursive c(i) as (select 1 union all select i + 1 from c where i < ${n})
    select count(*) as n from c`;

// The store's reportDb (docs/analytics.md, Speed): on SQLite the report reader threads, each
// with a read-only connection of its own; on PostgreSQL the pool. Both see what was committed.
describe(`report readers (${TEST_STORE})`, () => {
  let t: TestApp;
  let orgId: number;
  before(async () => {
    t = await createTestApp();
    orgId = (await newOrg(t.ctx)).org.id;
  });
  after(async () => {
    await t.close();
  });

  it('sees every committed write', async () => {
    const text = unique('reason');
    await t.ctx.store.transaction((trx) =>
      trx
        .insertInto('reasons')
        .values({ org_id: orgId, reason: text, reason_key: text, created_on: Date.now() })
        .execute(),
    );
    const rows = await t.ctx.store.reportDb
      .selectFrom('reasons')
      .select(['reason', 'org_id'])
      .where('reason', '=', text)
      .execute();
    assert.deepEqual(
      rows.map((row) => [row.reason, Number(row.org_id)]),
      [[text, orgId]],
    );
  });

  const sqliteOnly = { skip: TEST_STORE !== 'sqlite' && 'PostgreSQL reads through its pool' };

  it('runs reports off the event loop', sqliteOnly, async () => {
    assert.notEqual(t.ctx.store.reportDb, t.ctx.store.db);
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns += 1;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const [a, b] = await Promise.all([
      busyCount(3_000_000).execute(t.ctx.store.reportDb),
      busyCount(3_000_000).execute(t.ctx.store.reportDb),
    ]);
    spinning = false;
    assert.deepEqual([a.rows[0]?.n, b.rows[0]?.n], [3_000_000, 3_000_000]);
    // Inline, the statements would hold the event loop: no turn at all until both were done.
    assert.ok(turns > 100, `the event loop turned ${turns} times while the reports ran`);
  });

  it('refuses writes, and reports a bad statement with SQLite’s code', sqliteOnly, async () => {
    await assert.rejects(
      sql`insert into reasons (org_id, reason, reason_key, created_on) values (${orgId}, 'x', 'x', 0)`.execute(
        t.ctx.store.reportDb,
      ),
      { code: 'SQLITE_READONLY' },
    );
    await assert.rejects(sql`select nothing from nowhere`.execute(t.ctx.store.reportDb), {
      code: 'SQLITE_ERROR',
    });
    await assert.rejects(
      t.ctx.store.reportDb.transaction().execute(async () => {}),
      /read-only/,
    );
    const after = await sql<{
      n: number;
    }>`select count(*) as n from reasons where reason = 'x' and org_id = ${orgId}`.execute(
      t.ctx.store.db,
    );
    assert.equal(after.rows[0]?.n, 0, 'the refused insert changed nothing');
  });

  it(
    'fails only the statement whose thread died, and starts a replacement for the next',
    sqliteOnly,
    async () => {
      // A thread dies when it cannot open its file (as it would on a crash in the driver): the
      // statement it took fails, the one queued behind it gets a thread of its own, nothing
      // restarts in a loop meanwhile, and once the file is there the next statement answers.
      const file = path.join(t.config.dataDir, `${unique('readers')}.db`);
      const readers = new SqliteReportReaders(file, 1);
      try {
        const echo = `select ? as echo`;
        const [first, queued] = await Promise.allSettled([
          readers.run(echo, [1]),
          readers.run(echo, [2]),
        ]);
        assert.equal(first.status, 'rejected');
        assert.ok(first.reason instanceof Error);
        assert.equal((first.reason as { code?: unknown }).code, 'SQLITE_CANTOPEN');
        assert.match(first.reason.message, /SQLITE_CANTOPEN/);
        assert.equal(queued.status, 'rejected');
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(readers.running, 0, 'no thread restarts while no statement asks for one');
        new Database(file).close();
        assert.deepEqual(await readers.run(echo, [3]), [{ echo: 3 }]);
        assert.equal(readers.running, 1);
      } finally {
        await readers.close();
      }
    },
  );
});
