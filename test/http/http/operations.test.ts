import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createTestApp, TEST_STORE, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, unique, type TestOrg } from '../../helpers/factories.js';
import { ErrorCatalogue } from '../../../src/core/errors.js';

/**
 * What an operator runs Leadline with (docs/deploy.md): a request id on every answer and log
 * line, liveness and readiness apart, Prometheus metrics behind a token, and the proxies
 * believed about the client's address and scheme.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const METRICS_TOKEN = 'metrics-token-0123456789';

/** One sample of the Prometheus text: the value of `name{labels}` (labels in any order), or 0. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => have[key] === value)) {
      return Number(match[3]);
    }
  }
  return 0;
}

/** Log lines written by an app, parsed. */
function logSink() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

describe('request ids', () => {
  const sink = logSink();
  const t = useTestApp({ app: { logger: { level: 'info', stream: sink.stream } } });

  it('gives every answer a new X-Request-Id, errors and unknown routes too', async () => {
    const seen = new Set<string>();
    for (const url of ['/health', '/v2/leads', '/no/such/route', '/v2/leads/reasons']) {
      const response = await send(t.app, undefined, 'GET', url);
      const id = String(response.headers['x-request-id']);
      assert.match(id, UUID, url);
      seen.add(id);
    }
    assert.equal(seen.size, 4, 'one id per request');
  });

  it("keeps the proxy's id when it is plain, and replaces one that is not", async () => {
    const plain = 'edge-42.a:b/c+d=e@f';
    const kept = await t.app.inject({ url: '/v2/leads', headers: { 'x-request-id': plain } });
    assert.equal(kept.statusCode, 401);
    assert.equal(kept.headers['x-request-id'], plain);
    for (const bad of ['has spaces', '<script>alert(1)</script>', 'x'.repeat(129), 'a\u00e9b']) {
      const answer = await t.app.inject({ url: '/health', headers: { 'x-request-id': bad } });
      assert.match(String(answer.headers['x-request-id']), UUID, bad);
    }
  });

  it('puts the request id on each of its log lines, with the client address', async () => {
    const id = unique('trace');
    await t.app.inject({ url: '/v2/leads', headers: { 'x-request-id': id } });
    const mine = sink.lines.filter((line) => line.reqId === id);
    const messages = mine.map((line) => line.msg);
    assert.ok(messages.includes('incoming request'), JSON.stringify(messages));
    assert.ok(messages.includes('request completed'), JSON.stringify(messages));
    const incoming = mine.find((line) => line.msg === 'incoming request') as {
      req: { remoteAddress: string };
    };
    // No TRUST_PROXY: the connection's own address.
    assert.equal(incoming.req.remoteAddress, '127.0.0.1');
  });
});

describe('health probes', () => {
  const t = useTestApp();

  it('answers live and ready when the store answers', async () => {
    for (const url of ['/health/live', '/health/ready']) {
      const response = await send(t.app, undefined, 'GET', url);
      assert.equal(response.status, 200, url);
      assert.deepEqual(response.body, { status: 'ok' });
    }
  });

  it('is live but not ready while migrating, and serves nothing else until migrated', async () => {
    const startup = { migrating: true };
    const starting = await createTestApp({ app: { startup } });
    try {
      const o = await newOrg(starting.ctx);
      const ready = await send(starting.app, undefined, 'GET', '/health/ready');
      assert.equal(ready.status, 503);
      assert.deepEqual(ready.body, { status: 'migrating' });
      assert.ok(Number(ready.headers['retry-after']) > 0);
      assert.equal((await send(starting.app, undefined, 'GET', '/health/live')).status, 200);

      const refused = await send(starting.app, o.till, 'POST', '/v2/leads', {
        leadFor: 'JKT-0192-M',
        idType: 'EMAIL',
        identifier: `${unique('shopper')}@example.com`,
      });
      assert.equal(refused.status, 503);
      assert.equal(refused.body.errors[0].code, ErrorCatalogue.STARTING_UP.code);
      assert.equal(refused.headers['retry-after'], '1');
      const page = await starting.app.inject({ url: '/app/login' });
      assert.equal(page.statusCode, 503, 'the web app waits too');

      startup.migrating = false;
      assert.equal((await send(starting.app, undefined, 'GET', '/health/ready')).status, 200);
      const list = await send(starting.app, o.till, 'GET', '/v2/leads');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.data, [], 'the refused lead was not created');
    } finally {
      await starting.close();
    }
  });
});

describe('metrics', () => {
  it('are not served without METRICS_TOKEN: /metrics answers like a route that does not exist', async () => {
    const t = await createTestApp();
    try {
      const metrics = await send(t.app, undefined, 'GET', '/metrics');
      const nothing = await send(t.app, undefined, 'GET', '/metricz');
      assert.equal(metrics.status, 404);
      assert.equal(metrics.body.errors[0].code, nothing.body.errors[0].code);
    } finally {
      await t.close();
    }
  });

  describe('behind METRICS_TOKEN', () => {
    const t = useTestApp({ env: { METRICS_TOKEN, RATE_LIMIT_PER_MINUTE: '3' } });
    const scrape = async () => {
      const response = await t.app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      return response.body;
    };

    it('answers 404 to a missing or wrong token, the text format to the right one', async () => {
      for (const authorization of [
        undefined,
        `Bearer ${METRICS_TOKEN}x`,
        `Bearer ${METRICS_TOKEN.slice(1)}`,
        `Basic ${METRICS_TOKEN}`,
      ]) {
        const response = await t.app.inject({
          url: '/metrics',
          headers: authorization ? { authorization } : {},
        });
        assert.equal(response.statusCode, 404, String(authorization));
        assert.doesNotMatch(response.body, /leadline_/);
      }
      const text = await scrape();
      assert.match(text, /^# HELP leadline_http_requests_total /m);
      assert.match(text, /^# TYPE leadline_store_transaction_duration_seconds histogram$/m);
    });

    it('count requests by route pattern and status, and time write transactions', async () => {
      const o: TestOrg = await newOrg(t.ctx);
      const before = await scrape();
      const created = { method: 'POST', route: '/v2/leads', status: '200' };
      const lead = await newLead(t.app, o.till);
      await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
      await send(t.app, undefined, 'GET', `/nothing/here/${lead.id}`);
      const after = await scrape();

      const grew = (name: string, labels: Record<string, string> = {}) =>
        sample(after, name, labels) - sample(before, name, labels);
      assert.equal(grew('leadline_http_requests_total', created), 1);
      assert.equal(grew('leadline_http_request_duration_seconds_count', created), 1);
      assert.equal(
        grew('leadline_http_requests_total', { route: '/v2/leads/:id', status: '200' }),
        1,
        'the pattern, not the id',
      );
      assert.equal(grew('leadline_http_requests_total', { route: 'unmatched', status: '404' }), 1);
      assert.doesNotMatch(after, new RegExp(`route="[^"]*${lead.id}`), 'no id in any label');
      assert.ok(
        grew('leadline_store_transaction_duration_seconds_count', { outcome: 'committed' }) >= 1,
      );
      if (TEST_STORE === 'sqlite') {
        assert.ok(grew('leadline_store_group_commit_transactions_count') >= 1);
      } else {
        assert.ok(sample(after, 'leadline_store_pool_connections', { state: 'total' }) >= 1);
        // The create, its reads and the lookups each asked the pool for a connection.
        assert.ok(grew('leadline_store_pool_wait_seconds_count') >= 2);
      }
      assert.match(after, /^leadline_webhook_backlog \d+$/m);
      assert.match(after, /^# TYPE leadline_webhook_attempts_total counter$/m);
    });

    it('count requests refused by a rate limit', async () => {
      const o = await newOrg(t.ctx);
      const before = sample(await scrape(), 'leadline_rate_limited_total', { route: '/v2/leads' });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        statuses.push((await send(t.app, o.associate, 'GET', '/v2/leads')).status);
      }
      const refused = statuses.filter((status) => status === 429).length;
      assert.ok(refused >= 1, statuses.join(','));
      const after = sample(await scrape(), 'leadline_rate_limited_total', { route: '/v2/leads' });
      assert.equal(after - before, refused);
    });
  });
});

describe('TRUST_PROXY', () => {
  const forwarded = { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https' };
  const loginCookie = async (env: Record<string, string>) => {
    const sink = logSink();
    const t = await createTestApp({
      env,
      app: { logger: { level: 'info', stream: sink.stream } },
    });
    try {
      const page = await t.app.inject({ url: '/app/login', headers: forwarded });
      assert.equal(page.statusCode, 200);
      const incoming = sink.lines.find((line) => line.msg === 'incoming request') as {
        req: { remoteAddress: string };
      };
      return { cookie: String(page.headers['set-cookie']), ip: incoming.req.remoteAddress };
    } finally {
      await t.close();
    }
  };

  it('ignores X-Forwarded-* by default: the address and scheme are the connection’s', async () => {
    const { cookie, ip } = await loginCookie({});
    assert.doesNotMatch(cookie, /;\s*Secure/i);
    assert.equal(ip, '127.0.0.1');
  });

  it('believes a listed proxy: the client address, and Secure cookies behind TLS', async () => {
    for (const trust of ['127.0.0.1', '1', '127.0.0.0/8']) {
      const { cookie, ip } = await loginCookie({ TRUST_PROXY: trust });
      assert.match(cookie, /;\s*Secure/i, trust);
      assert.equal(ip, '198.51.100.7', trust);
    }
  });

  it('does not believe a proxy it does not list', async () => {
    const { cookie, ip } = await loginCookie({ TRUST_PROXY: '10.0.0.0/8' });
    assert.doesNotMatch(cookie, /;\s*Secure/i);
    assert.equal(ip, '127.0.0.1');
  });
});
