import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { newOrg, send, unique } from '../../helpers/factories.js';

/**
 * A Redis that stops answering (docs/rate-limits.md): the limits fail open, and a request pays
 * at most one command timeout (500 ms) however many counters it touches, not one per counter.
 */

const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

/** A TCP proxy to Redis that can be told to stall: it then swallows traffic both ways. */
async function stallableProxy() {
  let stalled = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(REDIS.port || 6379), REDIS.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (data: Buffer) => {
      if (!stalled) upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      if (!stalled) client.write(data);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${address.port}`,
    stall: () => (stalled = true),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a stalled Redis', () => {
  let proxy: Awaited<ReturnType<typeof stallableProxy>>;
  let t: TestApp;
  before(async () => {
    proxy = await stallableProxy();
    t = await createTestApp({
      env: { REDIS_URL: proxy.url, RATE_LIMIT_REDIS_PREFIX: `${unique('stall')}:` },
    });
  });
  after(async () => {
    await t.close();
    await proxy.close();
  });

  it('costs a request at most one 500 ms timeout, and lets it through', async () => {
    const o = await newOrg(t.ctx);
    const before = await send(t.app, o.till, 'GET', '/v2/leads/reasons');
    assert.equal(before.status, 200);
    assert.equal(before.headers['ratelimit-limit'], '600', 'the limits use Redis while it answers');
    proxy.stall();
    // A log-in the cache does not know (four failed-log-in counters) plus the credential's
    // counter: five Redis calls, 2.5 s if each waited for its own timeout.
    const started = Date.now();
    const response = await send(t.app, o.associate, 'GET', '/v2/leads/reasons');
    const tookMs = Date.now() - started;
    assert.equal(response.status, 200, response.raw);
    assert.equal(response.headers['ratelimit-limit'], undefined, 'no counter was read');
    assert.ok(tookMs < 1200, `the request took ${tookMs} ms`);
  });
});
