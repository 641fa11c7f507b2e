import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import { addReason } from '../../helpers/fixtures.js';
import { Browser } from '../../helpers/web.js';

/** The lead ids a section of Today lists, in its order. */
function idsIn(page: string, section: 'due' | 'store-due' | 'created'): number[] {
  const body = new RegExp(`<h2 id="${section}">[\\s\\S]*?</section>`).exec(page)?.[0] ?? '';
  return [...body.matchAll(/href="\/app\/leads\/(\d+)"/g)].map((m) => Number(m[1]));
}

describe('web app Today', () => {
  // Noon in New York on 5 March 2026 (17:00 UTC): the org's day runs 05:00 UTC to 05:00 UTC.
  const clock = new TestClock(Date.parse('2026-03-05T17:00:00Z'));
  const t = useTestApp({ clock });

  it('lists the follow-ups due on the leads one owns in the org’s day, overdue first, and the leads one created that day', async () => {
    const o = await newOrg(t.ctx);
    assert.equal(
      (await send(t.app, o.admin, 'PUT', '/v2/admin/settings', { timeZone: 'America/New_York' }))
        .status,
      200,
    );
    const mine = (nextFollowUp: string, extra: Record<string, unknown> = {}) =>
      newLead(t.app, o.till, { owner: o.till.code, nextFollowUp, ...extra });
    const overdue = await mine('2026-03-03T15:00:00Z');
    const laterToday = await mine('2026-03-06T04:30:00Z'); // 23:30 in New York, still the 5th
    const earlierToday = await mine('2026-03-05T14:00:00Z');
    const tomorrow = await mine('2026-03-06T05:30:00Z'); // 00:30 on the 6th in New York
    const someoneElses = await newLead(t.app, o.till, {
      owner: o.associate.code,
      nextFollowUp: '2026-03-05T14:00:00Z',
    });
    const won = await mine('2026-03-04T10:00:00Z');
    const reasonId = await addReason(t.app, o.admin, 'Bought');
    await send(t.app, o.till, 'PUT', `/v2/leads/${won.id}/status`, { status: 'WON', reasonId });
    // Created on the 4th in New York (03:00 UTC on the 5th): not today.
    const yesterdays = await newLead(t.app, o.till, { createdOn: '2026-03-05T03:00:00Z' });

    const browser = new Browser(t.app);
    assert.equal((await browser.signIn(o.till.code, o.till.password)).statusCode, 303);
    const today = (await browser.get('/app')).body;
    assert.deepEqual(idsIn(today, 'due'), [overdue.id, earlierToday.id, laterToday.id]);
    assert.match(today, /Follow-ups due \(3\)/);
    assert.match(today, /class="overdue"\s*>Overdue since 3 Mar 2026, 10:00</);
    const created = idsIn(today, 'created');
    assert.deepEqual(
      [...created].sort((a, b) => a - b),
      [overdue.id, laterToday.id, earlierToday.id, tomorrow.id, someoneElses.id, won.id],
    );
    assert.ok(!created.includes(yesterdays.id));

    // Another org's till sees none of it.
    const other = await newOrg(t.ctx);
    const stranger = new Browser(t.app, '203.0.113.77');
    assert.equal((await stranger.signIn(other.till.code, other.till.password)).statusCode, 303);
    const theirs = (await stranger.get('/app')).body;
    assert.deepEqual(idsIn(theirs, 'due'), []);
    assert.deepEqual(idsIn(theirs, 'created'), []);
    assert.match(theirs, /Nothing due today/);
  });

  it('lists the rest of the store’s due follow-ups after one’s own, and nothing of other stores', async () => {
    const o = await newOrg(t.ctx);
    const otherStore = await o.entity('STORE', o.zone);
    const otherTill = await o.entity('TILL', otherStore, true);
    const due = (who: typeof o.till, nextFollowUp: string, owner?: string) =>
      newLead(t.app, who, { nextFollowUp, ...(owner === undefined ? {} : { owner }) });
    const mine = await due(o.till, '2026-03-05T09:00:00Z', o.till.code);
    const colleagues = await due(o.associate, '2026-03-05T11:00:00Z', o.associate.code);
    const unowned = await due(o.till, '2026-03-02T11:00:00Z');
    // Recorded by the other store's till but owned here: the store is where a lead was recorded.
    const elsewhere = await due(otherTill, '2026-03-05T10:00:00Z', o.associate.code);
    const tomorrow = await due(o.associate, '2026-03-06T10:00:00Z');
    const closed = await due(o.associate, '2026-03-05T08:00:00Z');
    const reasonId = await addReason(t.app, o.admin, 'Bought');
    await send(t.app, o.till, 'PUT', `/v2/leads/${closed.id}/status`, { status: 'LOST', reasonId });

    const browser = new Browser(t.app);
    assert.equal((await browser.signIn(o.till.code, o.till.password)).statusCode, 303);
    const today = (await browser.get('/app')).body;
    assert.deepEqual(idsIn(today, 'due'), [mine.id]);
    assert.deepEqual(idsIn(today, 'store-due'), [unowned.id, colleagues.id]);
    assert.match(today, new RegExp(`Also due in ${o.store.code} \\(2\\)`));
    assert.match(today, new RegExp(`Owner ${o.associate.code}`));
    assert.match(today, /No owner/);
    for (const lead of [elsewhere, tomorrow, closed]) {
      assert.ok(!idsIn(today, 'store-due').includes(lead.id), `lead ${lead.id}`);
    }
    // The other store's till sees its own store's, which is the one lead recorded there.
    const there = new Browser(t.app, '203.0.113.78');
    assert.equal((await there.signIn(otherTill.code, otherTill.password)).statusCode, 303);
    assert.deepEqual(idsIn((await there.get('/app')).body, 'store-due'), [elsewhere.id]);
    // An admin placed under the zone sits in no store: no store section.
    const admin = new Browser(t.app, '203.0.113.79');
    assert.equal((await admin.signIn(o.admin.code, o.admin.password)).statusCode, 303);
    assert.doesNotMatch((await admin.get('/app')).body, /id="store-due"/);
  });
});
