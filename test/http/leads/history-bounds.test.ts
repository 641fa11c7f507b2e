import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, type TestOrg } from '../../helpers/factories.js';
import { addReason, assertError } from '../../helpers/fixtures.js';

/**
 * A lead's history is bounded (docs/api.md, "History"): a lead embeds its newest 100
 * follow-ups and status-log rows (20 in a list) and says how many older ones it has; the
 * history routes page through all of them; a lead holds at most LEAD_HISTORY_MAX of each.
 */
describe('bounded lead history', () => {
  let t: TestApp;
  let o: TestOrg;
  before(async () => {
    t = await createTestApp({ env: { LEAD_HISTORY_MAX: '130', RATE_LIMIT_PER_MINUTE: '0' } });
    o = await newOrg(t.ctx);
  });
  after(async () => {
    await t.close();
  });

  const followUp = (leadId: number, i: number) =>
    send(t.app, o.till, 'POST', `/v2/leads/${leadId}/followup`, {
      createdBy: o.till.id,
      followedUpOn: '2026-03-01T10:00:00Z',
      notes: `call ${i} ${'n'.repeat(1900)}`,
    });

  it('embeds the newest 100 follow-ups, says how many are omitted, and pages the rest', async () => {
    const lead = await newLead(t.app, o.till);
    let last: Awaited<ReturnType<typeof followUp>> | undefined;
    for (let i = 1; i <= 125; i += 1) {
      last = await followUp(lead.id, i);
      assert.equal(last.status, 200, last.raw);
    }
    // The write's answer is bounded: 100 follow-ups, the newest, oldest first.
    const notes = last!.body.followUpDetails.map((f: { notes: string }) => f.notes.split(' ')[1]);
    assert.equal(notes.length, 100);
    assert.deepEqual(
      notes,
      Array.from({ length: 100 }, (_, i) => String(i + 26)),
    );
    assert.equal(last!.body.followUpsOmitted, 25);
    assert.ok(last!.raw.length < 100 * 2100, `${last!.raw.length} bytes`);
    assert.equal('statusLogsOmitted' in last!.body, false, 'absent when nothing is omitted');

    // The same on a read, and 20 in a list.
    const read = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
    assert.equal(read.body.followUpDetails.length, 100);
    const listed = await send(t.app, o.till, 'GET', `/v2/leads?userId=${lead.userId}`);
    const item = listed.body.data.find((l: { id: number }) => l.id === lead.id);
    assert.equal(item.followUpDetails.length, 20);
    assert.equal(item.followUpsOmitted, 105);

    // The history route pages through all 125, oldest first, without overlap or gap.
    const seen: number[] = [];
    let after = 0;
    for (let page = 0; page < 10; page += 1) {
      const response = await send(
        t.app,
        o.till,
        'GET',
        `/v2/leads/${lead.id}/followups?limit=50&after=${after}`,
      );
      assert.equal(response.status, 200, response.raw);
      seen.push(...response.body.data.map((f: { notes: string }) => Number(f.notes.split(' ')[1])));
      if (response.body.next === undefined) break;
      after = response.body.next;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 125 }, (_, i) => i + 1),
    );
    // Without paging parameters: the first 1000, as before, for contract clients.
    const all = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}/followups`);
    assert.equal(all.body.data.length, 125);
    assert.equal('next' in all.body, false);
    assertError(
      await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}/followups?limit=1001`),
      400,
      'FIELD_INVALID_VALUE',
      'limit',
    );
  });

  it('refuses more than LEAD_HISTORY_MAX follow-ups or status changes with 409, adding nothing', async () => {
    const lead = await newLead(t.app, o.till);
    for (let i = 1; i <= 130; i += 1) assert.equal((await followUp(lead.id, i)).status, 200);
    const before = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
    assertError(await followUp(lead.id, 131), 409, 'LEAD_HISTORY_FULL', '130 follow-ups');
    const afterRefusal = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
    assert.equal(afterRefusal.raw, before.raw);

    const reason = await addReason(t.app, o.till, 'Bounded');
    const other = await newLead(t.app, o.till);
    // The lead starts with one status-log row; 129 changes fill it.
    for (let i = 0; i < 129; i += 1) {
      const changed = await send(t.app, o.till, 'PUT', `/v2/leads/${other.id}/status`, {
        status: i % 2 === 0 ? 'ON_HOLD' : 'OPEN',
        reasonId: reason,
      });
      assert.equal(changed.status, 200, changed.raw);
    }
    const full = await send(t.app, o.till, 'PUT', `/v2/leads/${other.id}/status`, {
      status: 'WON',
      reasonId: reason,
    });
    assertError(full, 409, 'LEAD_HISTORY_FULL', '130 status changes');
    const read = await send(t.app, o.till, 'GET', `/v2/leads/${other.id}`);
    assert.equal(read.body.status, 'ON_HOLD');
    assert.equal(read.body.statusLogsOmitted, 30);
  });
});
