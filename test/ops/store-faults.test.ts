import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestApp, TEST_STORE, type TestApp, useTestApp } from '../helpers/app.js';
import { newOrg, send, unique, type TestOrg } from '../helpers/factories.js';
import { createPgCluster, type PgCluster } from '../helpers/pg-cluster.js';
import { sql } from 'kysely';

/**
 * Faults of the store (docs/reliability.md, Faults): a full store, dropped, stopped and hung
 * PostgreSQL. Every request gets a 2xx or a documented 503/507 with Retry-After (never a 500,
 * never a hang), /health tells the truth within its bound, the server recovers by itself, and
 * every acknowledged write is there afterwards.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Response = Awaited<ReturnType<typeof send>>;

function leadBody() {
  return { leadFor: 'SKU-FAULT', idType: 'EMAIL', identifier: `${unique('f')}@example.com` };
}

/** A 503 or 507 of the catalogue, with a whole number of seconds in Retry-After. */
function assertFault(response: Response, status: number, codes: number[]): void {
  assert.equal(response.status, status, response.raw);
  assert.ok(codes.includes(response.body.errors[0].code), response.raw);
  const retryAfter = Number(response.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${retryAfter}`);
}

describe('a full store', { skip: TEST_STORE !== 'sqlite' }, () => {
  const t = useTestApp();

  it('answers writes 507 STORE_FULL, keeps answering reads, and /health says full until a write succeeds', async () => {
    const o = await newOrg(t.ctx);
    const first = await send(t.app, o.till, 'POST', '/v2/leads', leadBody());
    assert.equal(first.status, 200, first.raw);
    // schemaDb is the writer connection, whose page limit the next write meets.
    const writer = t.ctx.store.schemaDb;
    // The database may not grow by one more page: SQLite answers SQLITE_FULL, as on a full disk.
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(writer);
    const pages = Number(rows[0]?.page_count);
    assert.ok(pages > 0);
    await sql.raw(`pragma max_page_count = ${pages}`).execute(writer);
    let full: Response | undefined;
    const acknowledged: number[] = [first.body.id];
    for (let i = 0; i < 2000 && !full; i += 1) {
      const response = await send(t.app, o.till, 'POST', '/v2/leads', {
        ...leadBody(),
        leadFor: `SKU-${'x'.repeat(150)}-${i}`,
      });
      if (response.status === 200) acknowledged.push(response.body.id);
      else full = response;
    }
    assert.ok(full, 'the store filled up');
    assertFault(full, 507, [1041]);
    assert.equal(full.headers['retry-after'], '60');

    const health = await t.app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 503);
    assert.deepEqual(health.json(), { status: 'full' });
    // Reads still work, and every acknowledged lead is there.
    for (const id of acknowledged) {
      assert.equal((await send(t.app, o.till, 'GET', `/v2/leads/${id}`)).status, 200);
    }
    const listed = await send(t.app, o.till, 'GET', '/v2/leads?limit=1000');
    assert.equal(listed.body.data.length, acknowledged.length, 'the refused write left nothing');

    // Room again (an operator freed the disk): the next write works and /health is ok.
    await sql.raw('pragma max_page_count = 4294967294').execute(writer);
    const again = await send(t.app, o.till, 'POST', '/v2/leads', leadBody());
    assert.equal(again.status, 200, again.raw);
    const healthy = await t.app.inject({ method: 'GET', url: '/health' });
    assert.deepEqual([healthy.statusCode, healthy.json()], [200, { status: 'ok' }]);
  });
});

describe(
  'PostgreSQL connections dropped, stopped and hung',
  { skip: TEST_STORE !== 'postgres' },
  () => {
    let cluster: PgCluster;
    let t: TestApp;
    let o: TestOrg;
    before(async () => {
      cluster = await createPgCluster();
      t = await createTestApp({
        env: {
          DATABASE_URL: `${cluster.url}?application_name=leadline-faults`,
          PG_POOL_SIZE: '4',
          PG_CONNECT_TIMEOUT_MS: '500',
          PG_STATEMENT_TIMEOUT_MS: '1000',
          REQUEST_TIMEOUT_MS: '4000',
          HEALTH_TIMEOUT_MS: '500',
          RATE_LIMIT_PER_MINUTE: '0',
        },
      });
      o = await newOrg(t.ctx);
    });
    after(async () => {
      await t?.close().catch(() => undefined);
      cluster?.destroy();
    });

    /** Every acknowledged lead reads back, once the store is back. */
    async function assertAllPresent(ids: number[]): Promise<void> {
      for (const id of ids) {
        const read = await send(t.app, o.till, 'GET', `/v2/leads/${id}`);
        assert.equal(read.status, 200, `acknowledged lead ${id}: ${read.raw}`);
      }
    }

    /** Writers creating leads until `stop()`: what was acknowledged, and every other answer. */
    function load(writers: number) {
      const acknowledged: number[] = [];
      const refused: Response[] = [];
      let running = true;
      const done = Promise.all(
        Array.from({ length: writers }, async () => {
          while (running) {
            const response = await send(t.app, o.till, 'POST', '/v2/leads', leadBody());
            if (response.status === 200) acknowledged.push(response.body.id);
            else {
              refused.push(response);
              await sleep(50);
            }
          }
        }),
      );
      return {
        acknowledged,
        refused,
        stop: async () => {
          running = false;
          await done;
        },
      };
    }

    async function waitHealthy(withinMs: number): Promise<number> {
      const started = Date.now();
      while (Date.now() - started < withinMs) {
        const health = await t.app.inject({ method: 'GET', url: '/health' });
        if (health.statusCode === 200) return Date.now() - started;
        await sleep(100);
      }
      assert.fail(`not healthy within ${withinMs} ms`);
    }

    it('survives its pooled connections being terminated, idle or busy, and goes on', async () => {
      const admin = new pg.Client({ connectionString: cluster.url });
      await admin.connect();
      try {
        const work = load(4);
        await sleep(500);
        for (let round = 0; round < 5; round += 1) {
          // Idle and busy connections alike: each ends with 57P01 on the server's side.
          const killed = await admin.query(
            "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'leadline-faults'",
          );
          assert.ok(killed.rowCount !== null && killed.rowCount > 0);
          await sleep(300);
        }
        await sleep(500);
        await work.stop();
        // Still alive (an unhandled pool 'error' would have ended this process), still serving.
        const after = await send(t.app, o.till, 'POST', '/v2/leads', leadBody());
        assert.equal(after.status, 200, after.raw);
        for (const r of work.refused) assertFault(r, 503, [1040]);
        assert.ok(work.acknowledged.length > 0);
        await assertAllPresent(work.acknowledged);
      } finally {
        await admin.end();
      }
    });

    it('answers 503 while PostgreSQL is stopped, says so on /health, and recovers when it returns', async () => {
      const work = load(4);
      await sleep(700);
      const beforeStop = work.acknowledged.length;
      cluster.stop();
      const stoppedAt = Date.now();
      await sleep(1500);
      const health = await t.app.inject({ method: 'GET', url: '/health' });
      assert.deepEqual([health.statusCode, health.json()], [503, { status: 'unavailable' }]);
      assert.ok(health.headers['retry-after']);
      const down = await send(t.app, o.till, 'GET', '/v2/leads?limit=1');
      assertFault(down, 503, [1040]);
      cluster.start();
      const recoveredIn = await waitHealthy(15_000);
      await sleep(700);
      await work.stop();
      assert.ok(work.refused.length > 0, 'some requests met the stopped server');
      for (const r of work.refused) assertFault(r, 503, [1040, 1043]);
      assert.ok(work.acknowledged.length > beforeStop, 'writes resumed after the restart');
      await assertAllPresent(work.acknowledged);
      console.log(
        `stop/start: ${work.acknowledged.length} acknowledged, ${work.refused.length} × 503, healthy ${recoveredIn} ms after start (${Date.now() - stoppedAt} ms after stop)`,
      );
    });

    it('bounds every request and /health while PostgreSQL hangs, and recovers when it resumes', async () => {
      // Warm connections, then freeze the server: they stay open but nothing answers.
      assert.equal((await send(t.app, o.till, 'POST', '/v2/leads', leadBody())).status, 200);
      cluster.freeze();
      try {
        const started = Date.now();
        const [write, read, health] = await Promise.all([
          send(t.app, o.till, 'POST', '/v2/leads', leadBody()),
          send(t.app, o.till, 'GET', '/v2/leads?limit=1'),
          t.app.inject({ method: 'GET', url: '/health' }).then((r) => ({
            status: r.statusCode,
            body: r.json(),
            ms: Date.now() - started,
          })),
        ]);
        const tookMs = Date.now() - started;
        assert.deepEqual([health.status, health.body], [503, { status: 'unavailable' }]);
        assert.ok(health.ms < 1500, `/health took ${health.ms} ms`);
        assertFault(write, 503, [1040, 1043]);
        assertFault(read, 503, [1040, 1043]);
        // REQUEST_TIMEOUT_MS is 4 s: nothing waits longer.
        assert.ok(tookMs < 5000, `requests took ${tookMs} ms`);
      } finally {
        cluster.thaw();
      }
      await waitHealthy(15_000);
      const after = await send(t.app, o.till, 'POST', '/v2/leads', leadBody());
      assert.equal(after.status, 200, after.raw);
    });
  },
);
