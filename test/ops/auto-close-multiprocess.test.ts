import { NEW_ORG_POLICY } from '../../src/core/caller.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { TEST_STORE, TestClock } from '../helpers/app.js';
import { newOrg, unique } from '../helpers/factories.js';
import { loadConfig } from '../../src/core/config.js';
import { createContext } from '../../src/core/context.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createLead } from '../../src/leads/use-cases/create-lead.js';

const DAY = 86_400_000;
const LEADS = 300;

/**
 * A store of this test's own: a server's passes cover every org of its store, and on the shared
 * test database they would also close other suites' leads (many are dated early 2026 by their
 * test clocks, which the servers' real clock sees as long inactive).
 */
async function privateStore(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (TEST_STORE === 'sqlite') {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-auto-close-'));
    return { env: { DATA_DIR: dataDir }, drop: async () => rmSync(dataDir, { recursive: true }) };
  }
  const shared = new URL(String(process.env.LEADLINE_TEST_DATABASE_URL));
  const name = `${shared.pathname.slice(1)}_ac_${process.pid}`;
  const admin = new pg.Client({ connectionString: shared.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(shared);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    async drop() {
      // A closed pool's sockets linger for a moment: dropping under them would make their
      // clients fail after the test ended.
      for (let i = 0; i < 100; i += 1) {
        const { rows } = await admin.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where datname = $1',
          [name],
        );
        if (rows[0]?.n === 0) break;
        await sleep(50);
      }
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function waitUntil(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

type Server = {
  child: ChildProcess;
  url: Promise<string>;
  /** Leads this process reports closed, from its `auto-close: org done` log lines. */
  closed(): number;
  /** Start and end (epoch ms) of each pass, and how many leads it closed. */
  passes(): Array<{ start: number; end: number; closed: number }>;
  errors(): string[];
  exited: Promise<number | null>;
};

/** `leadline serve` in its own process, logging JSON lines at info. */
function startServer(env: NodeJS.ProcessEnv): Server {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--workers', '2'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  let buffered = '';
  let listening: (url: string) => void = () => {};
  const url = new Promise<string>((resolve, reject) => {
    listening = resolve;
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const line of complete) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { level: 50, msg: `not a JSON log line: ${line}` };
      }
      lines.push(entry);
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(String(entry.msg));
      if (match?.[1]) listening(match[1]);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    child,
    url,
    closed: () =>
      lines
        .filter((l) => l.msg === 'auto-close: org done')
        .reduce((sum, l) => sum + Number(l.closed), 0),
    passes: () =>
      lines
        .filter((l) => l.msg === 'auto-close pass')
        .map((l) => ({
          start: Number(l.time) - Number(l.ms),
          end: Number(l.time),
          closed: Number(l.closed),
        })),
    errors: () => [
      ...lines.filter((l) => Number(l.level) >= 50).map((l) => JSON.stringify(l)),
      ...(stderr === '' ? [] : [stderr]),
    ],
    exited,
  };
}

describe(`auto-close with two server processes (${TEST_STORE})`, () => {
  it(`closes each of ${LEADS} due leads exactly once`, async (t) => {
    const store = await privateStore();
    const clock = new TestClock(Date.now() - 10 * DAY);
    const ctx = createContext(
      loadConfig({ ...store.env, LOG_LEVEL: 'silent', PG_POOL_SIZE: '4' }),
      clock,
    );
    const servers: Server[] = [];
    try {
      await migrateToLatest(ctx.store);
      const o = await newOrg(ctx);
      const caller = {
        orgId: o.org.id,
        entityId: o.till.id,
        entityType: 'TILL' as const,
        code: o.till.code,
        org: NEW_ORG_POLICY,
      };
      const lead = (status: 'OPEN' | 'ON_HOLD' | 'WON') =>
        createLead(ctx, caller, {
          body: {
            leadFor: 'SKU-1',
            idType: 'EMAIL',
            identifier: `${unique('c')}@example.com`,
            status,
          },
          warnings: [],
        });
      // Ten days without a change: due, for a period of 3 days.
      const due: number[] = [];
      for (let i = 0; i < LEADS; i += 25) {
        const batch = await Promise.all(
          Array.from({ length: 25 }, (_, j) => lead((i + j) % 3 === 0 ? 'ON_HOLD' : 'OPEN')),
        );
        due.push(...batch.map((l) => l.id));
      }
      const won = await lead('WON');
      clock.ms = Date.now();
      const recent = await lead('OPEN');

      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...store.env,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        // A closing pass lasts longer than the pause between passes: the processes' passes overlap.
        AUTO_CLOSE_INTERVAL_SECONDS: '0.05',
        // Small batches: a pass that closes the backlog is many transactions long.
        AUTO_CLOSE_BATCH_SIZE: '5',
      };
      if (TEST_STORE === 'sqlite') delete env.DATABASE_URL;
      servers.push(startServer(env), startServer(env));
      await Promise.all(servers.map((s) => s.url));
      for (const server of servers) {
        await waitUntil('a first pass of each process', () => server.passes().length > 0);
      }

      // Both are serving and running their schedule: turn auto-close on for the org.
      const started = Date.now();
      await ctx.store.transaction((trx) =>
        trx.updateTable('orgs').set({ auto_close_days: 3 }).where('id', '=', o.org.id).execute(),
      );
      const lostCount = async () => {
        const row = await ctx.store.db
          .selectFrom('leads')
          .select(sql<number>`count(*)`.as('n'))
          .where('org_id', '=', o.org.id)
          .where('status', '=', 'LOST')
          .executeTakeFirstOrThrow();
        return Number(row.n);
      };
      const deadline = started + 60_000;
      while ((await lostCount()) < LEADS) {
        assert.ok(Date.now() < deadline, `only ${await lostCount()} of ${LEADS} closed in 60 s`);
        await sleep(25);
      }
      const elapsed = Date.now() - started;
      // One more pass of each process must find nothing left to do.
      await sleep(500);

      for (const server of servers) server.child.kill('SIGTERM');
      assert.deepEqual(
        await Promise.all(servers.map((s) => s.exited)),
        [0, 0],
        'both stop cleanly',
      );
      for (const server of servers) assert.deepEqual(server.errors(), []);

      const logs = await ctx.store.db
        .selectFrom('status_logs')
        .innerJoin('reasons', 'reasons.id', 'status_logs.reason_id')
        .select(['status_logs.lead_id', 'status_logs.created_by', 'status_logs.status'])
        .where('status_logs.org_id', '=', o.org.id)
        .where('reasons.reason', '=', 'AUTO_CLOSE')
        .orderBy('status_logs.lead_id')
        .execute();
      assert.deepEqual(
        logs.map((l) => Number(l.lead_id)),
        [...due].sort((a, b) => a - b),
        'exactly one AUTO_CLOSE row per due lead, none for the others',
      );
      assert.ok(logs.every((l) => l.status === 'LOST' && Number(l.created_by) === -1));
      const statuses = await ctx.store.db
        .selectFrom('leads')
        .select(['id', 'status'])
        .where('org_id', '=', o.org.id)
        .execute();
      const statusOf = new Map(statuses.map((l) => [l.id, l.status]));
      assert.ok(due.every((id) => statusOf.get(id) === 'LOST'));
      assert.equal(statusOf.get(won.id), 'WON');
      assert.equal(statusOf.get(recent.id), 'OPEN');
      const [a, b] = servers.map((s) => s.closed());
      assert.equal(Number(a) + Number(b), LEADS, 'the processes together report each close once');
      // How often a closing pass of one process ran while the other was in a pass: reported, not
      // asserted, since it depends on how the OS schedules the two processes.
      const [passesA = [], passesB = []] = servers.map((s) => s.passes());
      const overlap = (p: { start: number; end: number }, q: { start: number; end: number }) =>
        p.start < q.end && q.start < p.end;
      const concurrent =
        passesA.filter((p) => p.closed > 0 && passesB.some((q) => overlap(p, q))).length +
        passesB.filter((p) => p.closed > 0 && passesA.some((q) => overlap(p, q))).length;
      t.diagnostic(
        `${TEST_STORE}: ${LEADS} leads closed in ${elapsed} ms by two processes ` +
          `(${a} and ${b}; interval 0.05 s, batches of 5; ` +
          `${concurrent} closing passes overlapped a pass of the other process)`,
      );
    } finally {
      for (const server of servers) {
        if (server.child.exitCode === null && server.child.signalCode === null) {
          server.child.kill('SIGKILL');
        }
      }
      await Promise.all(servers.map((s) => s.exited));
      await ctx.store.close();
      await store.drop();
    }
  });
});
