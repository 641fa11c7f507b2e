import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TEST_STORE } from '../helpers/app.js';
import { orgWithTill, runCli } from '../../toolbox/cli.js';
import {
  jsonLogLines,
  sleep,
  startServer,
  stopGracefully,
  type RunningServer,
} from '../../toolbox/processes.js';
import { startPrimaryAndStandby, type PrimaryAndStandby } from '../../toolbox/pg-clusters.js';
import { ErrorCatalogue } from '../../src/core/errors.js';

/**
 * The failover drill of docs/deploy.md ("PostgreSQL that fails over"), on this machine: a
 * primary and its synchronous standby, Leadline's `DATABASE_URL` naming both, clients creating
 * leads without a pause; the primary dies as in a crash, the standby is promoted a little
 * later. Every request is answered (200, or 503 STORE_UNAVAILABLE with Retry-After while no
 * host takes writes), none hangs, the same server writes to the new primary without a restart,
 * and every acknowledged lead is on it.
 */

/** Concurrent clients creating leads. */
const WRITERS = 4;
/** How long the clients write before the crash, and between the crash and the promotion. */
const BEFORE_CRASH_MS = 1500;
const CRASH_TO_PROMOTION_MS = 2000;
/** How long they go on writing after the promotion. */
const AFTER_PROMOTION_MS = 4000;
/** No answer may take longer: PG_CONNECT_TIMEOUT_MS is 1 s here, statements are short. */
const SLOWEST_ALLOWED_MS = 5000;

type Outcome = {
  marker: string;
  status: number;
  retryAfter: string | null;
  code: number | undefined;
  ms: number;
  sentAt: number;
};

describe('PostgreSQL failover under write load', { skip: TEST_STORE !== 'postgres' }, () => {
  const run = randomUUID().slice(0, 8);
  const log = jsonLogLines();
  let clusters: PrimaryAndStandby;
  let server: RunningServer;
  let authorization: string;

  before(async () => {
    clusters = await startPrimaryAndStandby();
    const storeEnv = { DATABASE_URL: clusters.databaseUrl };
    server = await startServer({
      storeEnv,
      env: {
        PG_CONNECT_TIMEOUT_MS: '1000',
        RATE_LIMIT_PER_MINUTE: '0',
        AUTO_CLOSE_INTERVAL_SECONDS: '0',
      },
      onOutput: log.onOutput,
    });
    // The CLI reaches the same store through the same two-host URL.
    authorization = orgWithTill(storeEnv, `Failover ${run}`, `failover-${run}`);
  });

  after(async () => {
    if (server) await stopGracefully(server.child);
    clusters?.remove();
  });

  it('answers 503 with Retry-After during the switch, none hangs, and every acknowledged write is on the new primary', async () => {
    const outcomes: Outcome[] = [];
    let writing = true;
    let sequence = 0;
    const writer = async () => {
      while (writing) {
        const marker = `failover-${run}-${(sequence += 1)}`;
        const sentAt = Date.now();
        const response = await fetch(`${server.base}/v2/leads`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({
            leadFor: marker,
            idType: 'EMAIL',
            identifier: `${marker}@example.com`,
          }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await response.json()) as { errors?: Array<{ code?: number }> };
        outcomes.push({
          marker,
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          code: body.errors?.[0]?.code,
          ms: Date.now() - sentAt,
          sentAt,
        });
        // A client told to retry later waits a little, as a real one would (not the full
        // Retry-After, so the drill sees the promotion's first moments).
        if (response.status === 503) await sleep(50);
      }
    };
    const writers = Array.from({ length: WRITERS }, writer);
    await sleep(BEFORE_CRASH_MS);
    const crashedAt = Date.now();
    clusters.crashPrimary();
    await sleep(CRASH_TO_PROMOTION_MS);
    const promotedAt = Date.now();
    await clusters.promoteStandby();
    await sleep(AFTER_PROMOTION_MS);
    writing = false;
    await Promise.all(writers);

    const acked = outcomes.filter((o) => o.status === 200);
    const refused = outcomes.filter((o) => o.status === 503);
    const other = outcomes.filter((o) => o.status !== 200 && o.status !== 503);
    assert.deepEqual(other, [], 'every answer is 200 or 503');
    for (const answer of refused) {
      assert.equal(answer.code, ErrorCatalogue.STORE_UNAVAILABLE.code, JSON.stringify(answer));
      assert.match(String(answer.retryAfter), /^\d+$/, JSON.stringify(answer));
    }
    const slowest = Math.max(...outcomes.map((o) => o.ms));
    assert.ok(slowest < SLOWEST_ALLOWED_MS, `the slowest answer took ${slowest} ms`);
    assert.ok(
      acked.some((o) => o.sentAt < crashedAt),
      'writes were acknowledged before the crash',
    );
    assert.ok(
      refused.some((o) => o.sentAt >= crashedAt && o.sentAt < promotedAt),
      'requests while no host took writes were refused',
    );
    const afterPromotion = acked.filter((o) => o.sentAt >= promotedAt);
    assert.ok(afterPromotion.length > 0, 'the same server wrote to the new primary');
    const firstAfter = Math.min(...afterPromotion.map((o) => o.sentAt + o.ms));

    // Every acknowledged lead is on the promoted standby, read there directly.
    const client = new pg.Client({ connectionString: clusters.urlOn(clusters.standbyPort) });
    await client.connect();
    try {
      const { rows } = await client.query<{ lead_for: string }>(
        'select lead_for from leads where lead_for like $1',
        [`failover-${run}-%`],
      );
      const stored = new Set(rows.map((r) => r.lead_for));
      const missing = acked.filter((o) => !stored.has(o.marker)).map((o) => o.marker);
      assert.deepEqual(missing, [], 'acknowledged leads missing on the new primary');
    } finally {
      await client.end();
    }
    assert.ok(
      log.lines.some(
        (l) =>
          l.msg === 'writing to this PostgreSQL host' &&
          l.host === `127.0.0.1:${clusters.standbyPort}`,
      ),
      'the server logged its move to the promoted standby',
    );
    const ready = await fetch(`${server.base}/health/ready`);
    assert.equal(ready.status, 200);
    // The drill's figures, for docs/deploy.md.
    process.stdout.write(
      `# failover drill: ${outcomes.length} requests, ${acked.length} acknowledged, ` +
        `${refused.length} answered 503, slowest ${slowest} ms, ` +
        `first write on the new primary ${firstAfter - promotedAt} ms after the promotion began\n`,
    );
  });

  it('backs up the host that accepts writes of the two', async () => {
    const file = path.join(tmpdir(), `leadline-failover-${run}.backup`);
    try {
      const backup = await runCli({ DATABASE_URL: clusters.databaseUrl }, ['backup', '--to', file]);
      assert.equal(backup.code, 0, backup.stderr);
      assert.ok(statSync(file).size > 0);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('prefers the promoted standby to the old primary started again beside it (newest timeline)', async () => {
    await clusters.restartOldPrimary();
    const second = jsonLogLines();
    const another = await startServer({
      storeEnv: { DATABASE_URL: clusters.databaseUrl },
      env: { PG_CONNECT_TIMEOUT_MS: '1000', AUTO_CLOSE_INTERVAL_SECONDS: '0' },
      onOutput: second.onOutput,
    });
    try {
      const moved = second.lines.find((l) => l.msg === 'writing to this PostgreSQL host');
      assert.equal(moved?.host, `127.0.0.1:${clusters.standbyPort}`, JSON.stringify(moved));
      assert.equal(moved?.writable, 2, 'both hosts said they take writes');
      const answer = await fetch(`${another.base}/v2/leads/reasons`, {
        headers: { authorization },
      });
      assert.equal(answer.status, 200);
    } finally {
      await stopGracefully(another.child);
    }
  });
});
