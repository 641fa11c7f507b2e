import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { TEST_STORE } from '../helpers/app.js';
import { orgWithTill } from '../../toolbox/cli.js';
import {
  freePort,
  jsonLogLines,
  sleep,
  startServer,
  stopGracefully,
  type RunningServer,
} from '../../toolbox/processes.js';
import { startPrimaryAndStandby, type PrimaryAndStandby } from '../../toolbox/pg-clusters.js';

/**
 * Read routing (docs/deploy.md, "Read routing"): with `DATABASE_REPLICA_URL` naming a streaming
 * standby, lists and reports are served by it when it has caught up, and by the primary when it
 * has not, so a client always reads its own writes; with the standby's replay paused, a lead
 * just created is in the next list although the standby does not have it. A standby that is
 * down sends the reads to the primary.
 */
describe('read routing to a replica', { skip: TEST_STORE !== 'postgres' }, () => {
  const run = randomUUID().slice(0, 8);
  const log = jsonLogLines();
  let clusters: PrimaryAndStandby;
  let server: RunningServer;
  let metricsPort: number;
  let authorization: string;
  let standby: pg.Client;

  before(async () => {
    // Asynchronous, as a read replica usually is (and the primary must not wait for it while
    // the last test has it stopped).
    clusters = await startPrimaryAndStandby({ synchronous: false });
    metricsPort = await freePort();
    const storeEnv = { DATABASE_URL: clusters.urlOn(clusters.primaryPort) };
    server = await startServer({
      storeEnv,
      env: {
        DATABASE_REPLICA_URL: clusters.urlOn(clusters.standbyPort),
        METRICS_PORT: String(metricsPort),
        RATE_LIMIT_PER_MINUTE: '0',
        AUTO_CLOSE_INTERVAL_SECONDS: '0',
      },
      onOutput: log.onOutput,
    });
    authorization = orgWithTill(storeEnv, `Replica ${run}`, `replica-${run}`);
    standby = new pg.Client({ connectionString: clusters.urlOn(clusters.standbyPort) });
    await standby.connect();
  });

  after(async () => {
    await standby?.end().catch(() => {});
    if (server) await stopGracefully(server.child);
    clusters?.remove();
  });

  const api = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(`${server.base}${url}`, {
      method,
      headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, json: (await response.json()) as any };
  };
  const createLead = async (leadFor: string): Promise<number> => {
    const answer = await api('POST', '/v2/leads', {
      leadFor,
      idType: 'EMAIL',
      identifier: `${leadFor}@example.com`,
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    return answer.json.id as number;
  };
  const listed = async (): Promise<string[]> => {
    const answer = await api('GET', '/v2/leads?limit=100');
    assert.equal(answer.status, 200);
    return (answer.json.data as Array<{ leadFor: string }>).map((l) => l.leadFor);
  };
  /** Routed reads so far, by where they were served. */
  const routed = async (): Promise<{ replica: number; primary: number }> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const count = (target: string) =>
      Number(
        new RegExp(
          `^leadline_store_routed_reads_total\\{served_by="${target}"\\} (\\d+)`,
          'm',
        ).exec(text)?.[1] ?? 0,
      );
    return { replica: count('replica'), primary: count('primary') };
  };
  const onStandby = async (leadFor: string): Promise<boolean> =>
    (await standby.query('select 1 from leads where lead_for = $1', [leadFor])).rowCount === 1;
  const untilOnStandby = async (leadFor: string) => {
    const deadline = Date.now() + 10_000;
    while (!(await onStandby(leadFor))) {
      if (Date.now() > deadline) throw new Error(`${leadFor} never reached the standby`);
      await sleep(50);
    }
  };

  /**
   * Lists until the replica serves the list (PostgreSQL's own background work, such as an
   * autovacuum's statistics, may move the primary's WAL on between two reads, and a read in that
   * instant rightly goes to the primary); asserts every list has `leadFor`.
   */
  const listedByReplica = async (leadFor: string) => {
    for (let attempt = 1; ; attempt += 1) {
      const before = await routed();
      assert.ok((await listed()).includes(leadFor));
      const after = await routed();
      if (after.replica > before.replica) return;
      if (attempt === 20)
        assert.fail(`the replica served none of 20 lists: ${JSON.stringify(after)}`);
      await sleep(100);
    }
  };

  it('serves lists from the replica once it has caught up', async () => {
    const first = `replica-${run}-first`;
    await createLead(first);
    await untilOnStandby(first);
    await listedByReplica(first);
  });

  it('reads a client its own write from the primary while the replica lags', async () => {
    await standby.query('select pg_wal_replay_pause()');
    try {
      const lagging = `replica-${run}-lagging`;
      const id = await createLead(lagging);
      assert.equal(await onStandby(lagging), false, 'the paused standby does not have it');
      const before = await routed();
      assert.ok((await listed()).includes(lagging), 'the list has the lead just created');
      const log = await api('GET', `/v2/leads/${id}/statusLog`);
      assert.equal(log.status, 200);
      assert.equal(log.json.data.length, 1, JSON.stringify(log.json));
      const summary = await api('GET', '/v2/analytics/summary');
      assert.equal(summary.status, 200, JSON.stringify(summary.json));
      assert.equal(summary.json.data.leads.created, 2, JSON.stringify(summary.json));
      const afterReads = await routed();
      assert.ok(afterReads.primary > before.primary, JSON.stringify({ before, afterReads }));
      assert.equal(afterReads.replica, before.replica, 'nothing was read from the lagging replica');
    } finally {
      await standby.query('select pg_wal_replay_resume()');
    }
  });

  it('goes back to the replica when it catches up, and to the primary when it is down', async () => {
    const later = `replica-${run}-later`;
    await createLead(later);
    await untilOnStandby(later);
    await listedByReplica(later);
    const caughtUp = await routed();

    await standby.end();
    clusters.stopStandby();
    const down = `replica-${run}-down`;
    await createLead(down);
    assert.ok((await listed()).includes(down), 'lists still answer, from the primary');
    const afterDown = await routed();
    assert.ok(afterDown.primary > caughtUp.primary);
    assert.ok(
      log.lines.some(
        (l) => l.msg === 'the read replica cannot serve reads; they go to the primary',
      ),
      'the server logged it',
    );
  });
});
