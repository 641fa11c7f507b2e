import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newOrg, send, unique } from '../../helpers/factories.js';
import { alertOf, Browser, formToken } from '../../helpers/web.js';

describe('web app sign-in and sessions', () => {
  const clock = new TestClock();
  const t = useTestApp({
    clock,
    env: {
      WEB_SESSION_IDLE_MINUTES: '5',
      WEB_SESSION_HOURS: '1',
      LOGIN_FAILURES_PER_5_MINUTES: '3',
    },
  });

  it('leads / to /app and /app to a labelled sign-in form, under a CSP without inline scripts', async () => {
    const browser = new Browser(t.app);
    const root = await browser.get('/');
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, '/app');
    const app = await browser.get('/app');
    assert.equal(app.statusCode, 302);
    assert.equal(app.headers.location, '/app/login');
    const login = await browser.get('/app/login');
    assert.equal(login.statusCode, 200);
    assert.match(String(login.headers['content-type']), /^text\/html/);
    assert.match(login.body, /<label for="username">Username<\/label>/);
    assert.match(login.body, /<input\s+id="username"/);
    assert.match(login.body, /<label for="password">Password<\/label>/);
    assert.match(login.body, /<input\s+id="password"\s+name="password"\s+type="password"/);
    assert.match(login.body, /<button type="submit">Sign in<\/button>/);
    const csp = String(login.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    // No inline script or style: the one script is a file of this origin.
    assert.doesNotMatch(login.body, /style=|<script(?![^>]*\ssrc="\/app\/assets\/)/);
    assert.doesNotMatch(login.body, /<script[^>]*>[^<]/);
    assert.equal(login.headers['x-content-type-options'], 'nosniff');
    // Assets by their digest's address, kept by browsers until the content changes.
    const css = await browser.get(
      /href="(\/app\/assets\/app\.css\?v=[0-9a-f]{12})"/.exec(login.body)![1]!,
    );
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    assert.match(String(css.headers['cache-control']), /immutable/);
    const js = await browser.get(
      /src="(\/app\/assets\/app\.js\?v=[0-9a-f]{12})"/.exec(login.body)![1]!,
    );
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.equal(js.headers['set-cookie'], undefined, 'assets carry no session');
  });

  it('signs in with the plain password into a server-side session, and out again', async () => {
    const o = await newOrg(t.ctx);
    const browser = new Browser(t.app);
    const signedIn = await browser.signIn(o.till.code, o.till.password);
    assert.equal(signedIn.statusCode, 303);
    assert.equal(signedIn.headers.location, '/app');
    const setCookie = ([] as string[])
      .concat(signedIn.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('leadline_session='));
    assert.ok(setCookie, 'a session cookie');
    assert.match(setCookie, /; Path=\/app(;|$)/);
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Lax/);
    // Plain HTTP here: a Secure cookie would never come back.
    assert.doesNotMatch(setCookie, /; Secure/);

    const home = await browser.get('/app');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, new RegExp(`Welcome, ${o.till.code}`));
    assert.match(home.body, new RegExp(`signed in to ${o.org.name} as a\\s+till`));
    const token = browser.cookie('leadline_session')!;

    const out = await browser.post('/app/logout', { _csrf: formToken(home.body) });
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, '/app/login');
    assert.equal(browser.cookie('leadline_session'), undefined, 'the cookie is cleared');
    // The session is over on the server too: its old cookie no longer signs anyone in.
    const replay = new Browser(t.app);
    replay.setCookie('leadline_session', token);
    assert.equal((await replay.get('/app')).headers.location, '/app/login');
  });

  it('answers a wrong password, an unknown username and a disabled or passwordless entity alike', async () => {
    const o = await newOrg(t.ctx);
    const disabled = await o.entity('STAFF', o.store, true);
    assert.equal(
      (await send(t.app, o.admin, 'PUT', `/v2/admin/entities/${disabled.code}`, { disabled: true }))
        .status,
      200,
    );
    const passwordless = await o.entity('TILL', o.store);
    const tries: Array<[string, string, string]> = [
      ['wrong password', o.till.code, 'not-the-password'],
      ['unknown username', unique('nobody'), o.till.password],
      ['disabled entity', disabled.code, disabled.password],
      ['no password set', passwordless.code, 'any-password'],
      // The API's form of a password (its MD5 hex) is not a web password.
      ['the MD5 hex', o.associate.code, o.associate.headers.authorization!],
    ];
    for (const [why, username, password] of tries) {
      const browser = new Browser(t.app, `198.51.100.${tries.findIndex((x) => x[0] === why) + 1}`);
      const answer = await browser.signIn(username, password);
      assert.equal(answer.statusCode, 401, why);
      assert.equal(alertOf(answer.body), 'The username or password is wrong.', why);
      assert.equal(browser.cookie('leadline_session'), undefined, why);
      assert.equal((await browser.get('/app')).statusCode, 302, why);
    }
  });

  it('refuses a sign-in or a sign-out without its form token', async () => {
    const o = await newOrg(t.ctx);
    const browser = new Browser(t.app, '198.51.100.20');
    await browser.get('/app/login');
    const forged = await browser.post('/app/login', {
      _csrf: 'forged',
      username: o.till.code,
      password: o.till.password,
    });
    assert.equal(forged.statusCode, 403);
    assert.equal(browser.cookie('leadline_session'), undefined);
    // A form posted from another site carries no sign-in cookie to match.
    const elsewhere = new Browser(t.app, '198.51.100.20');
    const crossSite = await elsewhere.post('/app/login', {
      _csrf: browser.cookie('leadline_login')!,
      username: o.till.code,
      password: o.till.password,
    });
    assert.equal(crossSite.statusCode, 403);

    assert.equal((await browser.signIn(o.till.code, o.till.password)).statusCode, 303);
    const noToken = await browser.post('/app/logout', {});
    assert.equal(noToken.statusCode, 403);
    const wrongToken = await browser.post('/app/logout', { _csrf: 'x'.repeat(43) });
    assert.equal(wrongToken.statusCode, 403);
    assert.equal((await browser.get('/app')).statusCode, 200, 'still signed in');
  });

  it('ends a session at once when its entity is disabled or its password changed', async () => {
    const o = await newOrg(t.ctx);
    for (const change of [{ disabled: true }, { password: `new-${unique('pw')}` }]) {
      const person = await o.entity('ASSOCIATE', o.store, true);
      const browser = new Browser(t.app, '198.51.100.30');
      assert.equal((await browser.signIn(person.code, person.password)).statusCode, 303);
      assert.equal((await browser.get('/app')).statusCode, 200);
      const changed = await send(
        t.app,
        o.admin,
        'PUT',
        `/v2/admin/entities/${person.code}`,
        change,
      );
      assert.equal(changed.status, 200);
      const after = await browser.get('/app');
      assert.equal(after.statusCode, 302, JSON.stringify(change));
      assert.equal(after.headers.location, '/app/login');
    }
    // Changing a password ends the old sessions; the new password signs in.
    const person = await o.entity('ASSOCIATE', o.store, true);
    const password = `new-${unique('pw')}`;
    await send(t.app, o.admin, 'PUT', `/v2/admin/entities/${person.code}`, { password });
    assert.equal(
      (await new Browser(t.app, '198.51.100.31').signIn(person.code, password)).statusCode,
      303,
    );
  });

  it('ends a session unused for the idle limit, and any session after its hours', async () => {
    const o = await newOrg(t.ctx);
    const idle = new Browser(t.app, '198.51.100.40');
    assert.equal((await idle.signIn(o.till.code, o.till.password)).statusCode, 303);
    clock.advance(4 * 60_000);
    assert.equal((await idle.get('/app')).statusCode, 200, 'used within 5 minutes');
    clock.advance(4 * 60_000);
    assert.equal((await idle.get('/app')).statusCode, 200, 'each use restarts the idle time');
    clock.advance(5 * 60_000);
    assert.equal((await idle.get('/app')).headers.location, '/app/login', '5 minutes unused');

    const busy = new Browser(t.app, '198.51.100.41');
    assert.equal((await busy.signIn(o.till.code, o.till.password)).statusCode, 303);
    for (let minutes = 4; minutes < 60; minutes += 4) {
      clock.advance(4 * 60_000);
      assert.equal((await busy.get('/app')).statusCode, 200, `${minutes} minutes in`);
    }
    clock.advance(4 * 60_000);
    assert.equal((await busy.get('/app')).headers.location, '/app/login', 'past its hour');
  });

  it('clears an entity’s ended sessions when it signs in again, and only its own', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const sessionsOf = async (entityId: number) =>
      (
        await t.ctx.store.db
          .selectFrom('web_sessions')
          .select('expires_on')
          .where('entity_id', '=', entityId)
          .execute()
      ).length;
    const till = new Browser(t.app, '198.51.100.42');
    const admin = new Browser(t.app, '198.51.100.43');
    const theirs = new Browser(t.app, '198.51.100.44');
    assert.equal((await till.signIn(o.till.code, o.till.password)).statusCode, 303);
    assert.equal((await admin.signIn(o.admin.code, o.admin.password)).statusCode, 303);
    assert.equal((await theirs.signIn(other.till.code, other.till.password)).statusCode, 303);
    clock.advance(61 * 60_000);

    const again = new Browser(t.app, '198.51.100.45');
    assert.equal((await again.signIn(o.till.code, o.till.password)).statusCode, 303);
    assert.equal(await sessionsOf(o.till.id), 1, 'the till’s ended session is gone');
    // Another entity's ended session, of this org or another, waits for its own sign-in or read.
    assert.equal(await sessionsOf(o.admin.id), 1);
    assert.equal(await sessionsOf(other.till.id), 1);
    assert.equal((await admin.get('/app')).headers.location, '/app/login');
    assert.equal(await sessionsOf(o.admin.id), 0, 'an ended session read is deleted');
    assert.equal((await again.get('/app')).statusCode, 200);
  });

  it('throttles failed sign-ins with the API’s failed-log-in limits', async () => {
    const o = await newOrg(t.ctx);
    const browser = new Browser(t.app, '198.51.100.50');
    for (let i = 0; i < 3; i += 1) {
      assert.equal((await browser.signIn(o.till.code, 'wrong-guess')).statusCode, 401);
    }
    const blocked = await browser.signIn(o.till.code, o.till.password);
    assert.equal(blocked.statusCode, 429, 'refused even with the right password');
    assert.match(
      alertOf(blocked.body) ?? '',
      /^Too many sign-in attempts: too many failed log-ins/,
    );
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    assert.equal(browser.cookie('leadline_session'), undefined);
    // The API counts the same failures: the till's username is blocked there too, from there.
    const api = await t.app.inject({
      method: 'GET',
      url: '/v2/me',
      remoteAddress: '198.51.100.50',
      headers: o.till.headers,
    });
    assert.equal(api.statusCode, 429);
    clock.advance(5 * 60_000);
    assert.equal((await browser.signIn(o.till.code, o.till.password)).statusCode, 303);
  });

  it('escapes what a person typed, and answers pages, not JSON, for unknown addresses', async () => {
    const browser = new Browser(t.app, '198.51.100.60');
    const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`;
    const answer = await browser.signIn(hostile, 'whatever');
    assert.equal(answer.statusCode, 401);
    assert.doesNotMatch(answer.body, /<script>alert|<img src=x/);
    assert.match(
      answer.body,
      /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;"/,
    );
    const missing = await browser.get('/app/no-such-page');
    assert.equal(missing.statusCode, 404);
    assert.match(String(missing.headers['content-type']), /^text\/html/);
    assert.match(missing.body, /Page not found/);
  });

  it('keeps form bodies off the API: it still takes JSON only', async () => {
    const o = await newOrg(t.ctx);
    const response = await t.app.inject({
      method: 'POST',
      url: '/v2/leads',
      headers: { ...o.till.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'leadFor=x',
    });
    assert.equal(response.statusCode, 415);
    assert.match(String(response.headers['content-type']), /application\/json/);
  });
});
