import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newOrg, send, type Login } from '../../helpers/factories.js';
import { alertOf, formToken, signedIn } from '../../helpers/web.js';

async function settingsOf(t: ReturnType<typeof useTestApp>, admin: Login) {
  const response = await send(t.app, admin, 'GET', '/v2/admin/settings');
  assert.equal(response.status, 200, response.raw);
  const settings = { ...(response.body as Record<string, unknown>) };
  delete settings.warnings;
  return settings;
}

/** An input's value on a page, by its name. */
const valueOf = (page: string, name: string) =>
  new RegExp(`name="${name}"[^>]*?value="([^"]*)"`).exec(page)?.[1];

/** The whole form as the page shows it, ready to post back. */
const formOf = (page: string): Record<string, string> => ({
  _csrf: formToken(page),
  autoCloseDays: valueOf(page, 'autoCloseDays') ?? '',
  countryCode: valueOf(page, 'countryCode') ?? '',
  rateLimitPerMinute: valueOf(page, 'rateLimitPerMinute') ?? '',
  eventRetentionDays: valueOf(page, 'eventRetentionDays') ?? '',
  timeZone: valueOf(page, 'timeZone') ?? '',
  ...(/name="requireIfMatch"[^>]*\bchecked/.test(page) ? { requireIfMatch: 'on' } : {}),
});

describe('web app: the org’s settings', () => {
  const t = useTestApp();

  it('shows the settings, saves only what changed (audited), and clears one left empty', async () => {
    const o = await newOrg(t.ctx);
    const admin = await signedIn(t.app, o.admin);
    const page = await admin.get('/app/admin/settings');
    assert.equal(page.statusCode, 200);
    assert.match(
      page.body,
      /<label for="setting-autoCloseDays">Auto-close after \(days\)<\/label>/,
    );
    assert.equal(valueOf(page.body, 'autoCloseDays'), '');

    const saved = await admin.post('/app/admin/settings', {
      ...formOf(page.body),
      autoCloseDays: '30',
      countryCode: 'in',
      timeZone: 'Asia/Kolkata',
      requireIfMatch: 'on',
    });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, '/app/admin/settings?done=settings-saved');
    assert.deepEqual(await settingsOf(t, o.admin), {
      autoCloseDays: 30,
      countryCode: 'IN',
      rateLimitPerMinute: null,
      requireIfMatch: true,
      eventRetentionDays: null,
      timeZone: 'Asia/Kolkata',
    });
    const shown = await admin.get(saved.headers.location);
    assert.match(shown.body, /role="status">Settings saved\.</);
    assert.equal(valueOf(shown.body, 'autoCloseDays'), '30');
    assert.equal(valueOf(shown.body, 'timeZone'), 'Asia/Kolkata');
    // The audit entry names what the person changed, not the fields left as they were.
    const audit = await send(t.app, o.admin, 'GET', '/v2/admin/audit?limit=5');
    const entry = (
      audit.body.data as Array<{ action: string; details: { after: Record<string, unknown> } }>
    ).find((one) => one.action === 'org.settings');
    assert.ok(entry);
    assert.equal(entry.details.after.timeZone, 'Asia/Kolkata');
    assert.equal('rateLimitPerMinute' in entry.details.after, false);

    // The same form again changes nothing and says so.
    const unchanged = await admin.post('/app/admin/settings', formOf(shown.body));
    assert.equal(unchanged.headers.location, '/app/admin/settings?done=settings-unchanged');

    // Emptied: auto-close off, the time zone back to UTC; unticked: If-Match not required.
    const cleared = await admin.post('/app/admin/settings', {
      ...formOf(shown.body),
      autoCloseDays: '',
      timeZone: ' ',
      requireIfMatch: '',
    });
    assert.equal(cleared.statusCode, 303);
    const after = await settingsOf(t, o.admin);
    assert.equal(after.autoCloseDays, null);
    assert.equal(after.timeZone, null);
    assert.equal(after.requireIfMatch, false);
    assert.equal(after.countryCode, 'IN');
  });

  it('refuses a bad value by the field’s name, keeps the form as typed, and changes nothing', async () => {
    const o = await newOrg(t.ctx);
    const admin = await signedIn(t.app, o.admin);
    const page = await admin.get('/app/admin/settings');
    const before = await settingsOf(t, o.admin);
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ autoCloseDays: 'soon' }, /autoCloseDays/],
      [{ autoCloseDays: '0' }, /autoCloseDays/],
      [{ eventRetentionDays: '9999' }, /eventRetentionDays/],
      [{ countryCode: 'XX' }, /countryCode/],
      [{ timeZone: 'Mars/Olympus_Mons' }, /timeZone/],
      [{ rateLimitPerMinute: '-5' }, /rateLimitPerMinute/],
    ];
    for (const [change, named] of cases) {
      const refused = await admin.post('/app/admin/settings', { ...formOf(page.body), ...change });
      assert.equal(refused.statusCode, 400, JSON.stringify(change));
      assert.match(alertOf(refused.body) ?? '', named);
      const [name, typed] = Object.entries(change)[0] ?? [];
      assert.equal(valueOf(refused.body, name ?? ''), typed, 'the form keeps what was typed');
    }
    const hostile = '<script>alert(1)</script>';
    const escaped = await admin.post('/app/admin/settings', {
      ...formOf(page.body),
      timeZone: hostile,
    });
    assert.equal(escaped.statusCode, 400);
    assert.doesNotMatch(escaped.body, /<script>alert/);
    // Without the form's token nothing is saved either.
    const forged = await admin.post('/app/admin/settings', {
      ...formOf(page.body),
      _csrf: 'forged',
      autoCloseDays: '5',
    });
    assert.equal(forged.statusCode, 403);
    assert.deepEqual(await settingsOf(t, o.admin), before);
  });

  it('is for administrators only, and shows each org its own settings', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    await send(t.app, other.admin, 'PUT', '/v2/admin/settings', { autoCloseDays: 77 });
    const till = await signedIn(t.app, o.till);
    const start = await till.get('/app');
    assert.equal((await till.get('/app/admin/settings')).statusCode, 403);
    const post = await till.post('/app/admin/settings', {
      _csrf: formToken(start.body),
      autoCloseDays: '3',
    });
    assert.equal(post.statusCode, 403);
    assert.equal((await settingsOf(t, o.admin)).autoCloseDays, null);
    const admin = await signedIn(t.app, o.admin);
    assert.equal(valueOf((await admin.get('/app/admin/settings')).body, 'autoCloseDays'), '');
    assert.match((await admin.get('/app/admin')).body, /href="\/app\/admin\/settings"/);
  });
});
