import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, type Login } from '../../helpers/factories.js';
import { addReason, reasonIdOf, reasons } from '../../helpers/fixtures.js';
import { alertOf, Browser, formToken, signedIn } from '../../helpers/web.js';

/** The org's reasons with their flags, as the admin API gives them. */
async function adminReasons(t: ReturnType<typeof useTestApp>, admin: Login) {
  const response = await send(t.app, admin, 'GET', '/v2/admin/reasons');
  assert.equal(response.status, 200, response.raw);
  return response.body.data as Array<{ id: number; reason: string; notAvailable: boolean }>;
}

/** The `notice` line of a page. */
const noticeOf = (page: string) => /class="notice" role="status">([^<]*)</.exec(page)?.[1];

describe('web app administration', () => {
  const t = useTestApp();

  it('is for the org’s administrators: anyone else gets 403 and no link to it', async () => {
    const o = await newOrg(t.ctx);
    const till = await signedIn(t.app, o.till);
    const start = await till.get('/app');
    assert.doesNotMatch(start.body, /href="\/app\/admin"/);
    for (const url of ['/app/admin', '/app/admin/reasons', '/app/admin/sub-statuses']) {
      const page = await till.get(url);
      assert.equal(page.statusCode, 403, url);
      assert.match(alertOf(page.body) ?? '', /Only an administrator/);
    }
    const before = await reasons(t.app, o.admin);
    const post = await till.post('/app/admin/reasons', {
      _csrf: formToken(start.body),
      reason: 'Sneaked in',
    });
    assert.equal(post.statusCode, 403);
    assert.deepEqual(await reasons(t.app, o.admin), before);

    const admin = await signedIn(t.app, o.admin);
    const adminStart = await admin.get('/app');
    assert.match(adminStart.body, /href="\/app\/admin"/);
    const index = await admin.get('/app/admin');
    assert.equal(index.statusCode, 200);
    assert.match(index.body, /href="\/app\/admin\/reasons"/);
    assert.match(index.body, /href="\/app\/admin\/sub-statuses"/);
    // Signed out, the pages ask for a sign-in.
    const stranger = await new Browser(t.app).get('/app/admin/reasons');
    assert.equal(stranger.statusCode, 302);
    assert.equal(stranger.headers.location, '/app/login');
  });

  it('adds a reason, refuses a blank, long or token-less one, and escapes what was typed', async () => {
    const o = await newOrg(t.ctx);
    const admin = await signedIn(t.app, o.admin);
    const page = await admin.get('/app/admin/reasons');
    const _csrf = formToken(page.body);

    const hostile = '<img src=x onerror=alert(1)> Size sold out';
    const added = await admin.post('/app/admin/reasons', { _csrf, reason: `  ${hostile} ` });
    assert.equal(added.statusCode, 303);
    assert.equal(added.headers.location, '/app/admin/reasons?done=reason-added');
    const after = await admin.get(added.headers.location);
    assert.equal(noticeOf(after.body), 'Reason added.');
    assert.ok(after.body.includes('&lt;img src=x onerror=alert(1)&gt; Size sold out'));
    assert.doesNotMatch(after.body, /<img src=x/);
    assert.ok((await reasons(t.app, o.admin)).some((r) => r.reason === hostile));

    const again = await admin.post('/app/admin/reasons', { _csrf, reason: hostile.toUpperCase() });
    assert.equal(again.headers.location, '/app/admin/reasons?done=reason-exists');

    const count = (await reasons(t.app, o.admin)).length;
    const blank = await admin.post('/app/admin/reasons', { _csrf, reason: '   ' });
    assert.equal(blank.statusCode, 400);
    assert.match(alertOf(blank.body) ?? '', /reason must not be blank/);
    const long = await admin.post('/app/admin/reasons', { _csrf, reason: 'x'.repeat(201) });
    assert.equal(long.statusCode, 400);
    assert.match(alertOf(long.body) ?? '', /longer than 200 characters/);
    // The form keeps what was typed.
    assert.match(long.body, new RegExp(`value="${'x'.repeat(201)}"`));
    const forged = await admin.post('/app/admin/reasons', { _csrf: 'forged', reason: 'Forged' });
    assert.equal(forged.statusCode, 403);
    assert.equal((await reasons(t.app, o.admin)).length, count);
    // The API's schema refuses the same long reason with its own catalogue error.
    const api = await send(t.app, o.admin, 'POST', '/v2/leads/reasons', [
      { reason: 'x'.repeat(201) },
    ]);
    assert.equal(api.status, 400);
  });

  it('marks a reason not available and back, never a system reason nor another org’s', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const id = await addReason(t.app, o.admin, 'Size not in stock');
    const foreign = await addReason(t.app, other.admin, 'Their reason');
    const system = await reasonIdOf(t.app, o.admin, 'APICALL');
    const admin = await signedIn(t.app, o.admin);
    const page = await admin.get('/app/admin/reasons');
    const _csrf = formToken(page.body);
    // A system reason has no switch.
    assert.match(page.body, new RegExp(`action="/app/admin/reasons/${id}"`));
    assert.doesNotMatch(page.body, new RegExp(`action="/app/admin/reasons/${system}"`));
    assert.match(page.body, /aria-label="Mark not available: Size not in stock"/);

    const marked = await admin.post(`/app/admin/reasons/${id}`, { _csrf, notAvailable: 'on' });
    assert.equal(marked.statusCode, 303);
    const flag = async (reasonId: number, who = o.admin) =>
      (await adminReasons(t, who)).find((r) => r.id === reasonId)?.notAvailable;
    assert.equal(await flag(id), true);
    const shown = await admin.get(marked.headers.location as string);
    assert.equal(noticeOf(shown.body), 'Reason changed.');
    assert.match(shown.body, /aria-label="Clear “not available”: Size not in stock"/);
    // The change is in the audit log as the admin's, as through the API.
    const audit = await send(t.app, o.admin, 'GET', '/v2/admin/audit');
    assert.equal(audit.status, 200, audit.raw);
    const entry = (audit.body.data as Array<Record<string, unknown>>).find(
      (e) => e.action === 'reason.update',
    );
    assert.equal(entry?.actorId, o.admin.id);
    assert.equal(entry?.target, String(id));

    assert.equal(
      (await admin.post(`/app/admin/reasons/${id}`, { _csrf, notAvailable: 'off' })).statusCode,
      303,
    );
    assert.equal(await flag(id), false);

    const refused = await admin.post(`/app/admin/reasons/${system}`, { _csrf, notAvailable: 'on' });
    assert.equal(refused.statusCode, 400);
    assert.match(alertOf(refused.body) ?? '', /system reason/);
    assert.equal(await flag(system), false);
    const theirs = await admin.post(`/app/admin/reasons/${foreign}`, { _csrf, notAvailable: 'on' });
    const missing = await admin.post('/app/admin/reasons/999999999', { _csrf, notAvailable: 'on' });
    assert.equal(theirs.statusCode, 404);
    assert.equal(missing.statusCode, 404);
    assert.equal(alertOf(theirs.body), alertOf(missing.body)?.replace('999999999', `${foreign}`));
    assert.equal(await flag(foreign, other.admin), false);
    const garbled = await admin.post(`/app/admin/reasons/${id}`, { _csrf, notAvailable: 'yes' });
    assert.equal(garbled.statusCode, 400);
  });

  it('adds a sub-status that the associate can choose at once on a lead', async () => {
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till, { leadFor: 'Linen shirt' });
    const till = await signedIn(t.app, o.till);
    const before = await till.get(`/app/leads/${lead.id}`);
    assert.doesNotMatch(before.body, /Paid at the till/);

    const admin = await signedIn(t.app, o.admin);
    const page = await admin.get('/app/admin/sub-statuses');
    assert.match(page.body, /The org has no sub-status yet/);
    const _csrf = formToken(page.body);
    const added = await admin.post('/app/admin/sub-statuses', {
      _csrf,
      status: 'WON',
      subStatus: ' Paid at the till ',
    });
    assert.equal(added.statusCode, 303);
    const shown = await admin.get(added.headers.location as string);
    assert.equal(noticeOf(shown.body), 'Sub-status added: associates can choose it now.');
    assert.match(
      shown.body,
      /<h2 id="sub-WON">\s*Won \(1\)\s*<\/h2>\s*<ul>\s*<li>Paid at the till<\/li>/,
    );
    const again = await admin.post('/app/admin/sub-statuses', {
      _csrf,
      status: 'WON',
      subStatus: 'Paid at the till',
    });
    assert.equal(again.headers.location, '/app/admin/sub-statuses?done=sub-status-exists');

    const after = await till.get(`/app/leads/${lead.id}`);
    assert.match(after.body, /<option\s+value="Paid at the till"\s+data-status="WON"/);

    const wrongStatus = await admin.post('/app/admin/sub-statuses', {
      _csrf,
      status: 'SOLD',
      subStatus: 'Anything',
    });
    assert.equal(wrongStatus.statusCode, 400);
    assert.match(alertOf(wrongStatus.body) ?? '', /status: choose a status/);
    const long = await admin.post('/app/admin/sub-statuses', {
      _csrf,
      status: 'LOST',
      subStatus: 'y'.repeat(101),
    });
    assert.equal(long.statusCode, 400);
    assert.match(alertOf(long.body) ?? '', /longer than 100 characters/);
    const listed = await send(t.app, o.till, 'GET', '/v2/leads/substatuses');
    assert.deepEqual(listed.body.data, [{ status: 'WON', subStatus: 'Paid at the till' }]);
  });

  it('shows the org’s audit log, newest first, a page at a time, and none of another org’s', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const id = await addReason(t.app, o.admin, 'Size not in stock');
    const theirs = await addReason(t.app, other.admin, 'Their reason');
    await send(t.app, other.admin, 'PUT', `/v2/admin/reasons/${theirs}`, { notAvailable: true });
    // 52 changes: one more page than 50.
    for (let i = 0; i < 52; i += 1) {
      const flag = await send(t.app, o.admin, 'PUT', `/v2/admin/reasons/${id}`, {
        notAvailable: i % 2 === 0,
      });
      assert.equal(flag.status, 200, flag.raw);
    }
    const admin = await signedIn(t.app, o.admin);
    const first = await admin.get('/app/admin/audit');
    assert.equal(first.statusCode, 200);
    const entries = (page: string) => [...page.matchAll(/<strong>([^<]+)<\/strong>\s*(\S+)/g)];
    assert.equal(entries(first.body).length, 50);
    assert.deepEqual(entries(first.body)[0]!.slice(1), ['reason.update', String(id)]);
    assert.match(first.body, new RegExp(`by ${o.admin.code}`));
    // The newest is first: the 52nd change cleared the flag.
    assert.match(first.body, /&quot;after&quot;:\{&quot;notAvailable&quot;:false\}/);
    assert.doesNotMatch(first.body, /Their reason/);
    assert.match(first.body, /href="\/app\/admin\/audit\?page=2" rel="next"/);
    const second = await admin.get('/app/admin/audit?page=2');
    assert.ok(entries(second.body).length >= 2);
    assert.match(second.body, /href="\/app\/admin\/audit\?page=1" rel="prev"/);
    assert.doesNotMatch(second.body, /rel="next"/);
    // A page number that is not one is the first page.
    assert.equal(entries((await admin.get('/app/admin/audit?page=x')).body).length, 50);
    const till = await signedIn(t.app, o.till);
    assert.equal((await till.get('/app/admin/audit')).statusCode, 403);
  });

  it('adds people and tills, disables one (ending its sessions) and sets a password', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const admin = await signedIn(t.app, o.admin);
    const page = await admin.get('/app/admin/people');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`<strong>${o.store.code}</strong>`));
    assert.ok(!page.body.includes(other.till.code));
    const _csrf = formToken(page.body);

    const code = `till-${o.org.id}-new`;
    const added = await admin.post('/app/admin/people', {
      _csrf,
      type: 'TILL',
      code,
      parent: o.store.code,
      password: 'a-new-till-password',
    });
    assert.equal(added.statusCode, 303);
    assert.equal(noticeOf((await admin.get(added.headers.location as string)).body), 'Added.');
    const newTill = new Browser(t.app, '203.0.113.90');
    assert.equal((await newTill.signIn(code, 'a-new-till-password')).statusCode, 303);
    assert.match((await newTill.get('/app')).body, new RegExp(`Also due in ${o.store.code}`));

    // Refusals come back on the form, which keeps what was typed (never the password).
    const unknownParent = await admin.post('/app/admin/people', {
      _csrf,
      type: 'TILL',
      code: `${code}-2`,
      parent: other.store.code,
      password: 'another-password',
    });
    assert.ok(unknownParent.statusCode >= 400 && unknownParent.statusCode < 500);
    assert.ok(alertOf(unknownParent.body));
    assert.match(unknownParent.body, new RegExp(`value="${code}-2"`));
    assert.doesNotMatch(unknownParent.body, /another-password/);
    const badType = await admin.post('/app/admin/people', { _csrf, type: 'KING', code: 'x1' });
    assert.equal(badType.statusCode, 400);

    // Disabling ends the till's session at once; enabling lets it sign in again.
    const disabled = await admin.post(`/app/admin/people/${code}/disabled`, {
      _csrf,
      disabled: 'on',
    });
    assert.equal(disabled.headers.location, '/app/admin/people?done=people-disabled');
    assert.equal((await newTill.get('/app')).statusCode, 302);
    assert.equal((await newTill.signIn(code, 'a-new-till-password')).statusCode, 401);
    await admin.post(`/app/admin/people/${code}/disabled`, { _csrf, disabled: 'off' });
    assert.equal((await newTill.signIn(code, 'a-new-till-password')).statusCode, 303);
    // A new password ends its sessions too; the old one no longer signs in.
    const reset = await admin.post(`/app/admin/people/${code}/password`, {
      _csrf,
      password: 'the-next-password',
    });
    assert.equal(reset.headers.location, '/app/admin/people?done=people-password');
    assert.equal((await newTill.get('/app')).statusCode, 302);
    assert.equal((await newTill.signIn(code, 'a-new-till-password')).statusCode, 401);
    assert.equal((await newTill.signIn(code, 'the-next-password')).statusCode, 303);
    const short = await admin.post(`/app/admin/people/${code}/password`, { _csrf, password: 'x' });
    assert.equal(short.statusCode, 400);

    // An admin cannot disable itself; another org's till answers as one that does not exist.
    const self = await admin.post(`/app/admin/people/${o.admin.code}/disabled`, {
      _csrf,
      disabled: 'on',
    });
    assert.equal(self.statusCode, 400);
    assert.match(alertOf(self.body) ?? '', /cannot disable itself/);
    const theirs = await admin.post(`/app/admin/people/${other.till.code}/disabled`, {
      _csrf,
      disabled: 'on',
    });
    const nobody = await admin.post('/app/admin/people/nobody-here/disabled', {
      _csrf,
      disabled: 'on',
    });
    assert.equal(theirs.statusCode, 404);
    assert.equal(nobody.statusCode, 404);
    const theirTill = new Browser(t.app, '203.0.113.91');
    assert.equal((await theirTill.signIn(other.till.code, other.till.password)).statusCode, 303);
  });
});
