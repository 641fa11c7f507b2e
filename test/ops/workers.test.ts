import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_STORE } from '../helpers/app.js';
import { runCli, storeEnvFor } from '../helpers/cli.js';
import { cliJson } from '../../toolbox/cli.js';
import { basicAuthorization } from '../../toolbox/http.js';
import {
  freePort,
  jsonLogLines,
  sleep,
  startServer,
  stopGracefully,
  untilRoomInWindow,
  type RunningServer,
} from '../../toolbox/processes.js';

/**
 * `leadline serve --workers 2` (docs/deploy.md, "Every core"): two processes share the port and
 * the store. Requests spread over both; concurrent writes from both all succeed (on SQLite each
 * process's group commits wait their turn for the one write lock; no SQLITE_BUSY reaches a
 * client); a rate limit holds across them; the metrics port sums them; a worker that dies is
 * replaced; SIGTERM stops them all gracefully.
 */

type Answer = { status: number; body: string };

/** One request on a connection of its own, so that the cluster hands it to any worker. */
function request(
  base: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const outgoing = http.request(
      `${base}${url}`,
      {
        method,
        agent: false,
        headers: {
          ...headers,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    outgoing.on('error', reject);
    // A request must never hang, whatever happens to the worker it reached.
    outgoing.setTimeout(timeoutMs, () =>
      outgoing.destroy(new Error(`${method} ${url}: no answer`)),
    );
    outgoing.end(payload);
  });
}

describe(`leadline serve --workers 2 (${TEST_STORE})`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'leadline-workers-'));
  const storeEnv = storeEnvFor(path.join(dir, 'data'));
  const run = randomUUID().slice(0, 8);
  const log = jsonLogLines();
  const logLines = log.lines;
  let server: RunningServer;
  let metricsPort: number;
  let till: Record<string, string>;
  let limited: Record<string, string>;

  /** A till of a new org (with the org's own requests-per-minute limit, when given). */
  function newTill(name: string, rateLimit?: number): Record<string, string> {
    const org = `Workers ${name} ${run}`;
    cliJson(storeEnv, ['org', 'create', '--name', org]);
    if (rateLimit !== undefined) {
      cliJson(storeEnv, ['org', 'set', '--org', org, '--rate-limit', String(rateLimit)]);
    }
    const code = `workers-${name}-${run}`;
    const password = `pw-${randomUUID()}`;
    cliJson(storeEnv, [
      'entity',
      'create',
      '--org',
      org,
      '--type',
      'TILL',
      '--code',
      code,
      '--password',
      password,
    ]);
    return { authorization: basicAuthorization(code, password) };
  }

  /** The process ids that logged `incoming request` for these request ids. */
  const pidsOf = (lines: Array<Record<string, any>>) =>
    new Set(lines.filter((l) => l.msg === 'incoming request').map((l) => Number(l.pid)));

  before(async () => {
    // Migrated by the server's primary; the CLI after it finds nothing to do.
    metricsPort = await freePort();
    server = await startServer({
      storeEnv,
      workers: 2,
      env: {
        METRICS_PORT: String(metricsPort),
        AUTO_CLOSE_INTERVAL_SECONDS: '0',
        PG_POOL_SIZE: '4',
      },
      onOutput: log.onOutput,
    });
    till = newTill('writes');
    limited = newTill('limited', 5);
  });

  after(async () => {
    if (server) await stopGracefully(server.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('spreads requests over both workers, and every concurrent write from both succeeds', async () => {
    const before = logLines.length;
    const writes = 120;
    const answers = await Promise.all(
      Array.from({ length: writes }, (_, i) =>
        request(server.base, 'POST', '/v2/leads', till, {
          leadFor: `SKU-${i}`,
          idType: 'EMAIL',
          identifier: `shopper-${i}-${run}@example.com`,
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    assert.deepEqual(
      statuses.filter((s) => s !== 200),
      [],
      answers.find((a) => a.status !== 200)?.body,
    );
    await sleep(200);
    assert.equal(pidsOf(logLines.slice(before)).size, 2, 'both workers answered');
    const list = await request(server.base, 'GET', '/v2/leads?limit=200', till);
    assert.equal(list.status, 200);
    const ids = (JSON.parse(list.body) as { data: Array<{ id: number }> }).data.map((l) => l.id);
    assert.equal(new Set(ids).size, writes, 'every acknowledged lead is there once');
  });

  it('holds a rate limit across the workers (the primary keeps the counters)', async () => {
    // The limit counts per fixed minute of the clock: ten requests across a minute's end would
    // be two windows' five each.
    await untilRoomInWindow(60_000, 5_000);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => request(server.base, 'GET', '/v2/leads/reasons', limited)),
    );
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429, 429, 429]);
  });

  it('sums both workers’ metrics on METRICS_PORT', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const created =
      /^leadline_http_requests_total\{method="POST",route="\/v2\/leads",status="200"\} (\d+)$/m.exec(
        text,
      );
    assert.equal(Number(created?.[1]), 120, text.slice(0, 2000));
    assert.match(text, /^leadline_process_cpu_user_seconds_total \d/m);
  });

  it('replaces a worker that dies, and keeps answering meanwhile', async () => {
    const workerPids = [...pidsOf(logLines)].filter((pid) => pid !== server.child.pid);
    assert.equal(workerPids.length, 2);
    process.kill(workerPids[0]!, 'SIGKILL');
    // The one connection the primary was handing to the worker as it died is lost (no answer;
    // docs/deploy.md says so); every other is answered by the survivor.
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const answer = await request(server.base, 'GET', '/health/ready', {}, undefined, 3000).catch(
        () => ({ status: 0, body: '' }),
      );
      statuses.push(answer.status);
    }
    assert.ok(statuses.filter((status) => status === 200).length >= 9, statuses.join(','));
    // The replacement takes its share of the port only once it is ready: while it starts, the
    // requests keep coming without a pause (each on a connection of its own, so the primary
    // deals them out), and not one meets a process that is still checking its migrations.
    const notReady: string[] = [];
    const replaced = Date.now() + 20_000;
    let pids = new Set<number>();
    let watching = true;
    const load = Array.from({ length: 4 }, async () => {
      while (watching) {
        const answer = await request(server.base, 'GET', '/health/ready', {});
        if (answer.status !== 200) notReady.push(answer.body);
      }
    });
    while (Date.now() < replaced) {
      const before = logLines.length;
      await sleep(300);
      pids = pidsOf(logLines.slice(before));
      if (pids.size === 2 && !pids.has(workerPids[0]!)) break;
    }
    watching = false;
    await Promise.all(load);
    assert.deepEqual(notReady, [], 'every request during the replacement found a ready process');
    assert.equal(pids.size, 2, 'two workers again');
    assert.ok(!pids.has(workerPids[0]!), 'the dead one is not among them');
    assert.ok(
      logLines.some((l) => l.msg === 'a worker died; starting another'),
      'the primary logged it',
    );
  });

  it('stops every worker gracefully on SIGTERM to the primary', async () => {
    const workerPids = [...pidsOf(logLines.slice(-50))].filter((pid) => pid !== server.child.pid);
    const exit = await stopGracefully(server.child);
    assert.deepEqual(exit, { code: 0, signal: null });
    for (const pid of workerPids) {
      assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} is gone`);
    }
  });
});

describe('leadline serve --workers: bad values', () => {
  it('is a usage error naming --workers, before anything starts', async () => {
    for (const value of ['0', '65', 'two', '1.5']) {
      const run = await runCli({ DATA_DIR: '/nonexistent/leadline' }, [
        'serve',
        '--workers',
        value,
      ]);
      assert.equal(run.code, 2, `${value}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      const { error } = JSON.parse(run.stderr) as { error: { code: number; message: string } };
      assert.equal(error.code, 1304);
      assert.match(error.message, /--workers must be a whole number from 1 to 64/);
    }
  });
});
