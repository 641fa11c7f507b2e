import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import { addReason } from '../../helpers/fixtures.js';
import { alertOf, Browser, signedIn } from '../../helpers/web.js';

/** The lead ids a page lists, in its order. */
const idsOf = (page: string) =>
  [...page.matchAll(/href="\/app\/leads\/(\d+)"/g)].map((m) => Number(m[1]));

describe('web app search and the shopper’s open leads', () => {
  const t = useTestApp();

  it('finds a shopper’s leads by email or mobile, goes to a lead by its number, and never into another org', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const email = 'Ann.Shopper@Example.com';
    const first = await newLead(t.app, o.till, { leadFor: 'Boots', identifier: email });
    const second = await newLead(t.app, o.till, {
      leadFor: 'Scarf',
      identifier: email.toLowerCase(),
      type: 'CATEGORY',
    });
    const byMobile = await newLead(t.app, o.till, {
      leadFor: 'Gloves',
      idType: 'MOBILE',
      identifier: '+919845012345',
    });
    await newLead(t.app, o.till, { leadFor: 'Someone else' });
    const theirs = await newLead(t.app, other.till, { leadFor: 'Other org', identifier: email });
    const browser = await signedIn(t.app, o.till);

    // The email as stored or typed differently: the same shopper, newest change first.
    const found = await browser.get(
      `/app/leads?q=${encodeURIComponent(' ann.shopper@example.COM ')}`,
    );
    assert.equal(found.statusCode, 200);
    assert.deepEqual(idsOf(found.body), [second.id, first.id]);
    assert.match(found.body, /id="q"[^>]*value="ann.shopper@example.COM"/);
    // The search and the filters together.
    const categories = await browser.get(`/app/leads?q=${encodeURIComponent(email)}&type=CATEGORY`);
    assert.deepEqual(idsOf(categories.body), [second.id]);
    const mobile = await browser.get(`/app/leads?q=${encodeURIComponent('+91 98450 12345')}`);
    assert.deepEqual(idsOf(mobile.body), [byMobile.id]);

    // A lead's number, with or without '#', goes to its page.
    const jump = await browser.get(`/app/leads?q=${encodeURIComponent(`#${first.id}`)}`);
    assert.equal(jump.statusCode, 303);
    assert.equal(jump.headers.location, `/app/leads/${first.id}`);
    const bare = await browser.get(`/app/leads?q=${first.id}`);
    assert.equal(bare.headers.location, `/app/leads/${first.id}`);

    // Another org's lead and shopper answer as ones that do not exist.
    const foreign = await browser.get(`/app/leads?q=${encodeURIComponent(`#${theirs.id}`)}`);
    assert.equal(foreign.statusCode, 200);
    assert.equal(alertOf(foreign.body), `There is no lead #${theirs.id}.`);
    const missing = await browser.get(`/app/leads?q=${encodeURIComponent('#999999999')}`);
    assert.equal(missing.statusCode, 200);
    assert.equal(alertOf(missing.body), 'There is no lead #999999999.');
    const stranger = await browser.get(`/app/leads?q=${encodeURIComponent('nobody@example.com')}`);
    assert.equal(alertOf(stranger.body), 'No shopper has this email.');
    assert.deepEqual(idsOf(stranger.body), []);
    const unreadable = await browser.get(`/app/leads?q=${encodeURIComponent('not a phone')}`);
    assert.match(alertOf(unreadable.body) ?? '', /^This is not a mobile we can read/);
    // Markup typed into the box comes back as text.
    const hostile = await browser.get(
      `/app/leads?q=${encodeURIComponent('"><script>x()</script>')}`,
    );
    assert.equal(hostile.statusCode, 200);
    assert.doesNotMatch(hostile.body, /<script>x\(\)/);
  });

  it('pages a shopper’s leads by cursor with the search kept', async () => {
    const o = await newOrg(t.ctx);
    const email = 'many@example.com';
    const ids = [];
    for (let i = 0; i < 27; i += 1) {
      ids.push((await newLead(t.app, o.till, { leadFor: `Item ${i}`, identifier: email })).id);
    }
    await newLead(t.app, o.till, { leadFor: 'Not theirs' });
    const browser = await signedIn(t.app, o.till);
    const first = await browser.get(`/app/leads?q=${encodeURIComponent(email)}`);
    const next = /href="([^"]+)" rel="next"/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(next, 'a link to the next page');
    assert.ok(next.includes(`q=${encodeURIComponent(email)}`), 'the next page keeps the search');
    const second = await browser.get(next);
    assert.equal(second.statusCode, 200);
    assert.deepEqual(
      [...idsOf(first.body), ...idsOf(second.body)].sort((a, b) => a - b),
      ids,
    );
  });

  it('shows on New lead the shopper’s OPEN and ON_HOLD leads, not closed ones nor another org’s', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const email = 'returning@example.com';
    const open = await newLead(t.app, o.till, { leadFor: 'Red dress', identifier: email });
    const held = await newLead(t.app, o.till, { leadFor: 'Blue coat', identifier: email });
    const won = await newLead(t.app, o.till, { leadFor: 'Green hat', identifier: email });
    await newLead(t.app, other.till, { leadFor: 'Foreign wish', identifier: email });
    const reasonId = await addReason(t.app, o.admin, 'Waiting');
    for (const [lead, status] of [
      [held, 'ON_HOLD'],
      [won, 'WON'],
    ] as const) {
      const moved = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
        status,
        reasonId,
      });
      assert.equal(moved.status, 200);
    }
    const browser = await signedIn(t.app, o.till);
    const form = await browser.get('/app/leads/new');
    assert.match(form.body, /<div id="open-leads" aria-live="polite"><\/div>/);
    assert.match(
      form.body,
      /<script src="\/app\/assets\/app\.js\?v=[0-9a-f]{12}" defer><\/script>/,
    );

    const lookUp = (identifier: string) =>
      browser.get(`/app/shoppers/open-leads?identifier=${encodeURIComponent(identifier)}`);
    const known = await lookUp('Returning@Example.com');
    assert.equal(known.statusCode, 200);
    assert.deepEqual(idsOf(known.body).sort(), [open.id, held.id].sort());
    assert.match(known.body, /open leads \(2\)/);
    assert.doesNotMatch(known.body, /Green hat|Foreign wish/);
    const fresh = await lookUp('new@example.com');
    assert.match(fresh.body, /This shopper has no open lead\./);
    const partial = await lookUp('retur');
    assert.equal(partial.body.trim(), '', 'nothing while the identifier cannot be read');
    // The other org sees only its own.
    const theirBrowser = await signedIn(t.app, other.till);
    const theirs = await theirBrowser.get(
      `/app/shoppers/open-leads?identifier=${encodeURIComponent(email)}`,
    );
    assert.doesNotMatch(theirs.body, /Red dress|Blue coat/);
    assert.match(theirs.body, /open leads \(1\)/);
    // Signed out: the sign-in form, not the shopper's leads.
    const anonymous = await new Browser(t.app).get(
      `/app/shoppers/open-leads?identifier=${encodeURIComponent(email)}`,
    );
    assert.equal(anonymous.statusCode, 302);
    assert.equal(anonymous.headers.location, '/app/login');
  });
});
