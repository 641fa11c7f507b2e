import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, TestClock, type TestApp } from '../../helpers/app.js';
import { newOrg, send } from '../../helpers/factories.js';
import { alertOf, Browser } from '../../helpers/web.js';

describe('web app per-credential rate limit', () => {
  // A stopped clock: the minute's window cannot roll over in the middle of the count.
  const clock = new TestClock(Date.parse('2026-03-01T12:00:05Z'));
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ clock });
  });
  after(async () => {
    await t.close();
  });

  it('counts pages in the same minute’s budget as the entity’s API calls', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const set = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', {
      rateLimitPerMinute: 4,
    });
    assert.equal(set.status, 200, set.raw);

    const browser = new Browser(t.app);
    // The sign-in form is not signed in: the failed-log-in limits apply to it, not this one.
    assert.equal((await browser.signIn(o.till.code, o.till.password)).statusCode, 303);
    const first = await browser.get('/app');
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers['ratelimit-limit'], '4');
    assert.equal(first.headers['ratelimit-remaining'], '3');
    assert.equal((await browser.get('/app/leads')).headers['ratelimit-remaining'], '2');
    // An API call of the same till takes from the same budget.
    const api = await send(t.app, o.till, 'GET', '/v2/leads/reasons');
    assert.equal(api.status, 200);
    assert.equal(api.headers['ratelimit-remaining'], '1');
    assert.equal((await browser.get('/app/board')).statusCode, 200);

    const refused = await browser.get('/app/leads');
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.headers['retry-after'], '55');
    assert.match(refused.headers['content-type'] as string, /^text\/html/);
    assert.match(alertOf(refused.body) ?? '', /more than 4 requests per minute/);
    assert.equal((await send(t.app, o.till, 'GET', '/v2/leads/reasons')).status, 429);
    // The stylesheet needs no session and is not counted.
    const css = /href="(\/app\/assets\/app\.css\?v=[0-9a-f]+)"/.exec(first.body)?.[1];
    assert.ok(css);
    assert.equal((await browser.get(css)).statusCode, 200);
    // Another org's till, and the same till's next minute, are not held back.
    const theirs = new Browser(t.app, '203.0.113.77');
    assert.equal((await theirs.signIn(other.till.code, other.till.password)).statusCode, 303);
    assert.equal((await theirs.get('/app')).statusCode, 200);
    clock.advance(60_000);
    assert.equal((await browser.get('/app/leads')).statusCode, 200);
  });
});
