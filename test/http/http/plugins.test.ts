import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { buildApp } from '../../../src/app.js';
import { credentialRateLimitPlugin, rateLimiterPlugin } from '../../../src/rate-limit/index.js';
import { idempotencyPlugin } from '../../../src/idempotency/index.js';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newOrg, send } from '../../helpers/factories.js';

/**
 * Authentication, rate limits and idempotency are named Fastify plugins that declare what must
 * run before them, and keep their state per app: two apps in one process share nothing.
 */
describe('plugins', () => {
  // A clock that stands still: on the system clock, a minute's window could end mid-test and
  // reset the counts the test expects to carry over (CI saw it once: 200 where 429 was due).
  const t = useTestApp({ clock: new TestClock(), env: { RATE_LIMIT_PER_MINUTE: '3' } });

  it('refuses the credential limit in a context without authentication, naming what is missing', async () => {
    const app = Fastify({ logger: false });
    app.decorate('ctx', t.ctx);
    await app.register(rateLimiterPlugin);
    app.register(credentialRateLimitPlugin);
    await assert.rejects(async () => app.ready(), /leadline-authentication/);
  });

  it('refuses idempotency before authentication, naming what is missing', async () => {
    const app = Fastify({ logger: false });
    app.decorate('ctx', t.ctx);
    app.register(idempotencyPlugin);
    await assert.rejects(async () => app.ready(), /leadline-authentication/);
  });

  it('keeps each app’s limiter to itself: a second app on the same context counts from zero and outlives the first', async () => {
    const o = await newOrg(t.ctx);
    for (let i = 0; i < 3; i += 1) {
      assert.equal((await send(t.app, o.till, 'GET', '/v2/leads/reasons')).status, 200);
    }
    assert.equal((await send(t.app, o.till, 'GET', '/v2/leads/reasons')).status, 429);

    const second = await buildApp(t.ctx, { logger: false });
    await second.ready();
    assert.notEqual(second.rateLimiter, t.app.rateLimiter);
    const fresh = await send(second, o.till, 'GET', '/v2/leads/reasons');
    assert.equal(fresh.status, 200);
    assert.equal(fresh.headers['ratelimit-remaining'], '2');
    await second.close();
    // Closing the second app closed its counter store only.
    assert.equal((await send(t.app, o.till, 'GET', '/v2/leads/reasons')).status, 429);
  });
});
