import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import { addReason, addSubStatus } from '../../helpers/fixtures.js';
import { alertOf, Browser, formToken, signedIn } from '../../helpers/web.js';

/** The hidden `version` of the status form on a lead page. */
function versionOf(page: string): string {
  const version = /name="version" value="(\d+)"/.exec(page)?.[1];
  assert.ok(version, 'the status form carries the version it shows');
  return version;
}

describe('web app lead pages', () => {
  const t = useTestApp();

  it('lists only the org’s leads, filters them by status and type, and pages by cursor', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const elsewhere = await newLead(t.app, other.till, { leadFor: 'OTHER-ORG-SKU' });
    const reasonId = await addReason(t.app, o.admin, 'Waiting for stock');
    const leads = [];
    for (let i = 0; i < 26; i += 1) {
      leads.push(await newLead(t.app, o.till, { leadFor: `SKU-${String(i).padStart(2, '0')}` }));
    }
    const held = leads[3];
    const moved = await send(t.app, o.till, 'PUT', `/v2/leads/${held.id}/status`, {
      status: 'ON_HOLD',
      reasonId,
    });
    assert.equal(moved.status, 200);
    const brand = await newLead(t.app, o.till, { leadFor: 'Acme shoes', type: 'BRAND' });

    const browser = await signedIn(t.app, o.till);
    const first = await browser.get('/app/leads');
    assert.equal(first.statusCode, 200);
    assert.doesNotMatch(first.body, /OTHER-ORG-SKU/);
    assert.doesNotMatch(first.body, new RegExp(`/app/leads/${elsewhere.id}"`));
    // Newest change first: the brand lead, then the lead put on hold.
    const ids = [...first.body.matchAll(/href="\/app\/leads\/(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(ids.length, 25, 'a page holds 25 leads');
    assert.deepEqual(ids.slice(0, 2), [brand.id, held.id]);
    const next = /href="([^"]+)" rel="next"/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(next, 'a link to the next page');
    const second = await browser.get(next);
    const rest = [...second.body.matchAll(/href="\/app\/leads\/(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(rest.length, 2);
    assert.equal(new Set([...ids, ...rest]).size, 27, 'every lead once, none twice');
    assert.doesNotMatch(second.body, /rel="next"/);

    const onHold = await browser.get('/app/leads?status=ON_HOLD');
    assert.deepEqual(
      [...onHold.body.matchAll(/href="\/app\/leads\/(\d+)"/g)].map((m) => Number(m[1])),
      [held.id],
    );
    assert.match(onHold.body, /<option value="ON_HOLD"\s+selected>/);
    const brands = await browser.get('/app/leads?type=BRAND');
    assert.deepEqual(
      [...brands.body.matchAll(/href="\/app\/leads\/(\d+)"/g)].map((m) => Number(m[1])),
      [brand.id],
    );
  });

  it('shows a lead with its history, and another org’s lead exactly like one that does not exist', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till, { leadFor: 'JKT-0192-M' });
    const theirs = await newLead(t.app, other.till);
    const browser = await signedIn(t.app, o.till);

    const page = await browser.get(`/app/leads/${lead.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`<h1>Lead #${lead.id}: JKT-0192-M</h1>`));
    assert.match(page.body, /<ol class="timeline">[\s\S]*status-open"\s*>Open[\s\S]*<\/ol>/);
    assert.match(page.body, new RegExp(`by ${o.till.code}`));
    assert.equal(versionOf(page.body), '1');

    const foreign = await browser.get(`/app/leads/${theirs.id}`);
    const missing = await browser.get(`/app/leads/${theirs.id + 1_000_000}`);
    assert.equal(foreign.statusCode, 404);
    assert.equal(missing.statusCode, 404);
    const absent = (id: number) => `lead ${id} does not exist`;
    assert.equal(alertOf(foreign.body), absent(theirs.id));
    assert.equal(
      foreign.body.replace(absent(theirs.id), 'ABSENT'),
      missing.body.replace(absent(theirs.id + 1_000_000), 'ABSENT'),
    );
    assert.doesNotMatch(foreign.body, new RegExp(String(theirs.leadFor)));
  });

  it('changes a status through the form as the API would: history, event, the lead’s version', async () => {
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till);
    const reasonId = await addReason(t.app, o.admin, 'Bought in store');
    await addSubStatus(t.app, o.admin, 'WON', 'Paid');
    const browser = await signedIn(t.app, o.till);
    const page = await browser.get(`/app/leads/${lead.id}`);
    assert.match(
      page.body,
      /<option\s+value="Paid"\s+data-status="WON"\s*>\s*Paid \(Won\)\s*<\/option>/,
    );

    const changed = await browser.post(`/app/leads/${lead.id}/status`, {
      _csrf: formToken(page.body),
      version: versionOf(page.body),
      status: 'WON',
      subStatus: 'Paid',
      reasonId: String(reasonId),
    });
    assert.equal(changed.statusCode, 303);
    assert.equal(changed.headers.location, `/app/leads/${lead.id}?done=status`);
    const after = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
    assert.equal(after.body.status, 'WON');
    assert.equal(after.body.subStatus, 'Paid');
    const last = after.body.statusLogDetails.at(-1);
    assert.equal(last.reasonId, reasonId);
    assert.equal(last.createdBy, o.till.id, 'made by the signed-in entity');
    const events = await send(t.app, o.till, 'GET', `/v2/events?leadId=${lead.id}`);
    assert.deepEqual(
      events.body.data.map((e: { type: string }) => e.type),
      ['lead.created', 'lead.status_changed'],
    );
    const shown = await browser.get(changed.headers.location);
    assert.match(shown.body, /role="status">Status changed\.</);
    assert.equal(versionOf(shown.body), '2');
  });

  it('refuses a stale form, a form without its token and a sub-status the status lacks, changing nothing', async () => {
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till);
    const reasonId = await addReason(t.app, o.admin, 'Changed mind');
    await addSubStatus(t.app, o.admin, 'WON', 'Paid');
    const browser = await signedIn(t.app, o.till);
    const page = await browser.get(`/app/leads/${lead.id}`);
    const form = {
      _csrf: formToken(page.body),
      version: versionOf(page.body),
      status: 'LOST',
      reasonId: String(reasonId),
    };
    // Someone else changes the lead after the page was shown.
    await send(t.app, o.associate, 'PUT', `/v2/leads/${lead.id}/status`, {
      status: 'ON_HOLD',
      reasonId,
    });
    const stale = await browser.post(`/app/leads/${lead.id}/status`, form);
    assert.equal(stale.statusCode, 412);
    assert.match(alertOf(stale.body) ?? '', /Someone changed this lead since you opened it/);
    assert.match(stale.body, /<option value="LOST"\s+selected>/, 'the choice is kept');

    const current = await browser.get(`/app/leads/${lead.id}`);
    const noToken = await browser.post(`/app/leads/${lead.id}/status`, {
      ...form,
      _csrf: '',
      version: versionOf(current.body),
    });
    assert.equal(noToken.statusCode, 403);
    const wrongSub = await browser.post(`/app/leads/${lead.id}/status`, {
      ...form,
      version: versionOf(current.body),
      subStatus: 'Paid',
    });
    assert.equal(wrongSub.statusCode, 400);
    assert.match(alertOf(wrongSub.body) ?? '', /subStatus/);
    const noReason = await browser.post(`/app/leads/${lead.id}/status`, {
      ...form,
      version: versionOf(current.body),
      reasonId: '',
    });
    assert.equal(noReason.statusCode, 400);
    assert.match(alertOf(noReason.body) ?? '', /reason/);

    const after = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
    assert.equal(after.body.status, 'ON_HOLD', 'only the other person’s change happened');
    assert.equal(after.body.statusLogDetails.length, 2);
  });

  it('adds a follow-up, reading the next one in the org’s time zone', async () => {
    const o = await newOrg(t.ctx);
    const zone = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', {
      timeZone: 'Asia/Kolkata',
    });
    assert.equal(zone.status, 200, zone.raw);
    const lead = await newLead(t.app, o.till);
    const browser = await signedIn(t.app, o.till);
    const page = await browser.get(`/app/leads/${lead.id}`);
    assert.match(page.body, /Next follow-up \(Asia\/Kolkata\)/);
    const added = await browser.post(`/app/leads/${lead.id}/follow-ups`, {
      _csrf: formToken(page.body),
      notes: 'Called; will come on Thursday',
      nextFollowUp: '2026-03-05T10:30',
    });
    assert.equal(added.statusCode, 303);
    const after = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
    assert.equal(after.body.nextFollowUp, '2026-03-05T05:00:00Z', '10:30 in India is 05:00 UTC');
    assert.equal(after.body.followUpDetails.at(-1).notes, 'Called; will come on Thursday');
    assert.equal(after.body.followUpDetails.at(-1).followedUpBy, o.till.id);
    const shown = await browser.get(`/app/leads/${lead.id}`);
    assert.match(shown.body, /Called; will come on Thursday/);
    assert.match(shown.body, /value="2026-03-05T10:30"/, 'shown back in the org’s time');

    const bad = await browser.post(`/app/leads/${lead.id}/follow-ups`, {
      _csrf: formToken(page.body),
      nextFollowUp: '2026-02-30T10:30',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(alertOf(bad.body) ?? '', /next follow-up/);
    const unchanged = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
    assert.equal(unchanged.body.followUpDetails.length, 1);
  });

  it('escapes what people typed into leads and notes', async () => {
    const o = await newOrg(t.ctx);
    const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const lead = await newLead(t.app, o.till, { leadFor: hostile });
    const browser = await signedIn(t.app, o.till);
    const page = await browser.get(`/app/leads/${lead.id}`);
    await browser.post(`/app/leads/${lead.id}/follow-ups`, {
      _csrf: formToken(page.body),
      notes: hostile,
    });
    for (const url of ['/app/leads', `/app/leads/${lead.id}`]) {
      const body = (await browser.get(url)).body;
      assert.doesNotMatch(body, /<img src=x|<script>alert/, url);
      assert.match(body, /&lt;img src=x onerror=alert\(1\)&gt;/, url);
    }
  });

  it('records a new lead from the quick form, with the org’s extended fields, as the API would', async () => {
    const o = await newOrg(t.ctx);
    const define = async (body: Record<string, unknown>) => {
      const made = await send(t.app, o.admin, 'POST', '/v2/admin/extendedFields', {
        entityType: 'LEAD',
        ...body,
      });
      assert.equal(made.status, 200, made.raw);
    };
    await define({
      name: 'size',
      label: 'Size',
      dataType: 'ENUM',
      values: ['S', 'M', 'L'],
      required: true,
    });
    await define({ name: 'pairs', label: 'Pairs', dataType: 'INTEGER' });
    await define({ name: 'gift', label: 'Gift wrap', dataType: 'BOOLEAN' });
    const browser = await signedIn(t.app, o.till);
    const form = await browser.get('/app/leads/new');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<label for="field-size"\s*>Size \(required\)<\/label/);
    assert.match(form.body, /<option value="M"\s*>\s*M\s*<\/option>/);
    assert.match(form.body, /<input\s+id="field-pairs"\s+name="x_pairs"\s+type="number"/);

    const fields = {
      _csrf: formToken(form.body),
      identifier: 'ann@example.com',
      leadFor: 'Trail runner 44',
      type: 'SKU',
      x_size: 'M',
      x_pairs: '2',
      x_gift: 'true',
    };
    // The required field left out: the use case's 400, the form kept, nothing made.
    const missing = await browser.post('/app/leads/new', { ...fields, x_size: '' });
    assert.equal(missing.statusCode, 400);
    assert.match(alertOf(missing.body) ?? '', /size/);
    assert.match(missing.body, /value="Trail runner 44"/);
    const noToken = await browser.post('/app/leads/new', { ...fields, _csrf: '' });
    assert.equal(noToken.statusCode, 403);
    assert.deepEqual((await send(t.app, o.till, 'GET', '/v2/leads')).body.data, []);

    const made = await browser.post('/app/leads/new', fields);
    assert.equal(made.statusCode, 303);
    const id = Number(/\/app\/leads\/(\d+)\?done=created/.exec(String(made.headers.location))?.[1]);
    const lead = (await send(t.app, o.till, 'GET', `/v2/leads/${id}`)).body;
    assert.equal(lead.leadFor, 'Trail runner 44');
    assert.deepEqual(lead.extendedFields, { size: 'M', pairs: 2, gift: true });
    assert.equal(lead.createdBy, o.till.id);
    // The shopper is the org's customer by that email: a second lead for it names the same one.
    const again = await newLead(t.app, o.till, {
      idType: 'EMAIL',
      identifier: 'ann@example.com',
      extendedFields: { size: 'S' },
    });
    assert.equal(again.userId, lead.userId);
    const page = await browser.get(String(made.headers.location));
    assert.match(page.body, /role="status">Lead saved\.</);
  });

  it('reassigns a lead to another entity of the org, or to nobody, and refuses a stranger', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till);
    const browser = await signedIn(t.app, o.till);
    const reassign = async (owner: string) => {
      const page = await browser.get(`/app/leads/${lead.id}`);
      return browser.post(`/app/leads/${lead.id}/owner`, {
        _csrf: formToken(page.body),
        version: versionOf(page.body),
        owner,
      });
    };
    const toAssociate = await reassign(o.associate.code);
    assert.equal(toAssociate.statusCode, 303);
    assert.equal(
      (await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`)).body.owner,
      o.associate.code,
    );
    // Another org's entity is no one here.
    const stranger = await reassign(other.associate.code);
    assert.equal(stranger.statusCode, 400);
    assert.match(alertOf(stranger.body) ?? '', /owner: no entity/);
    assert.equal(
      (await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`)).body.owner,
      o.associate.code,
    );
    assert.equal((await reassign('')).statusCode, 303);
    assert.equal((await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`)).body.owner, undefined);
  });

  it('sends a signed-out visitor to the sign-in form', async () => {
    const anonymous = new Browser(t.app);
    for (const url of ['/app/leads', '/app/leads/1']) {
      const answer = await anonymous.get(url);
      assert.equal(answer.statusCode, 302, url);
      assert.equal(answer.headers.location, '/app/login', url);
    }
    const post = await anonymous.post('/app/leads/1/status', { status: 'WON' });
    assert.equal(post.headers.location, '/app/login');
  });
});
