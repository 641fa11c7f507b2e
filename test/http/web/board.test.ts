import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import { addReason, addSubStatus, getLead } from '../../helpers/fixtures.js';
import { alertOf, formToken, signedIn } from '../../helpers/web.js';

/** The lead ids of one column of the board, in its order. */
function column(page: string, status: string): number[] {
  const body = new RegExp(`data-column="${status}"[\\s\\S]*?</section>`).exec(page)?.[0] ?? '';
  return [...body.matchAll(/data-lead-id="(\d+)"/g)].map((m) => Number(m[1]));
}

describe('web app board', () => {
  const t = useTestApp();

  it('shows the org’s leads in a column per status, with the version each card moves from', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const reasonId = await addReason(t.app, o.admin, 'Bought it');
    const open = await newLead(t.app, o.till, { leadFor: 'Open one' });
    const mine = await newLead(t.app, o.till, { leadFor: 'Mine', owner: o.till.code });
    const won = await newLead(t.app, o.till, { leadFor: 'Won one' });
    assert.equal(
      (await send(t.app, o.till, 'PUT', `/v2/leads/${won.id}/status`, { status: 'WON', reasonId }))
        .status,
      200,
    );
    const deleted = await newLead(t.app, o.till, { leadFor: 'Gone' });
    await send(t.app, o.till, 'PUT', `/v2/leads/${deleted.id}/status`, {
      status: 'DELETED',
      reasonId,
    });
    const foreign = await newLead(t.app, other.till, { leadFor: 'Foreign' });

    const browser = await signedIn(t.app, o.till);
    const board = await browser.get('/app/board');
    assert.equal(board.statusCode, 200);
    assert.deepEqual(column(board.body, 'OPEN'), [mine.id, open.id]);
    assert.deepEqual(column(board.body, 'WON'), [won.id]);
    assert.deepEqual(column(board.body, 'ON_HOLD'), []);
    assert.doesNotMatch(board.body, new RegExp(`data-lead-id="(${deleted.id}|${foreign.id})"`));
    // The version the lead's own page carries in its status form.
    const leadPage = await browser.get(`/app/leads/${won.id}`);
    const version = /name="version" value="(\d+)"/.exec(leadPage.body)?.[1];
    assert.ok(version);
    assert.match(
      board.body,
      new RegExp(`data-lead-id="${won.id}"\\s+data-version="${version}"\\s+data-status="WON"`),
    );
    // Without the script, "Move…" is the lead page's own status form.
    assert.match(board.body, new RegExp(`href="/app/leads/${open.id}#change-status"`));
    const onlyMine = await browser.get('/app/board?mine=1');
    assert.deepEqual(column(onlyMine.body, 'OPEN'), [mine.id]);
  });

  it('moves a lead from the board’s dialog, back to the board, and refuses a stale move', async () => {
    const o = await newOrg(t.ctx);
    const reasonId = await addReason(t.app, o.admin, 'Customer will return');
    await addSubStatus(t.app, o.admin, 'ON_HOLD', 'Awaiting stock');
    const lead = await newLead(t.app, o.till, { leadFor: 'Board lead' });
    const browser = await signedIn(t.app, o.till);
    const board = await browser.get('/app/board');
    // The dialog offers the org's reasons and sub-statuses, each tagged with its status.
    assert.match(board.body, /<option value="Awaiting stock" data-status="ON_HOLD">/);
    assert.match(board.body, new RegExp(`<option value="${reasonId}">\\s*Customer will return`));
    const version = new RegExp(`data-lead-id="${lead.id}"\\s+data-version="(\\d+)"`).exec(
      board.body,
    )?.[1];
    assert.ok(version);
    const form = {
      _csrf: formToken(board.body),
      version,
      back: 'board',
      status: 'ON_HOLD',
      subStatus: 'Awaiting stock',
      reasonId: String(reasonId),
    };
    const moved = await browser.post(`/app/leads/${lead.id}/status`, form);
    assert.equal(moved.statusCode, 303);
    assert.equal(moved.headers.location, `/app/board?moved=${lead.id}`);
    const after = await browser.get(moved.headers.location);
    assert.match(after.body, new RegExp(`role="status">Lead #${lead.id} moved\\.`));
    assert.deepEqual(column(after.body, 'ON_HOLD'), [lead.id]);
    const stored = await getLead(t.app, o.till, lead.id);
    assert.equal(stored.status, 'ON_HOLD');
    assert.equal(stored.subStatus, 'Awaiting stock');

    // The same card again, from the version the board showed before: refused, nothing changed.
    const stale = await browser.post(`/app/leads/${lead.id}/status`, {
      ...form,
      status: 'WON',
      subStatus: '',
    });
    assert.equal(stale.statusCode, 412);
    assert.match(alertOf(stale.body) ?? '', /Someone changed this lead/);
    assert.equal((await getLead(t.app, o.till, lead.id)).status, 'ON_HOLD');
  });
});
