import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, unique } from '../../helpers/factories.js';
import {
  addReason,
  addSubStatus,
  codeOf,
  customerCount,
  getLead,
  listIds,
  reasonIdOf,
  UTC_SECOND,
} from '../../helpers/fixtures.js';

describe('POST /v2/leads', () => {
  const clock = new TestClock();
  const t = useTestApp({ clock });

  it('fills every default: SKU, OPEN, in-store, now, the caller, one APICALL row', async () => {
    clock.ms = Date.parse('2026-03-01T12:15:00.700Z');
    const o = await newOrg(t.ctx);
    const apiCall = await reasonIdOf(t.app, o.till, 'APICALL');
    const created = await send(t.app, o.till, 'POST', '/v2/leads', {
      leadFor: 'JKT-0192-M',
      idType: 'EMAIL',
      identifier: `${unique('ann')}@example.com`,
    });
    assert.equal(created.status, 200, created.raw);
    const lead = created.body;
    assert.ok(Number.isSafeInteger(lead.id) && lead.id > 0);
    assert.ok(Number.isSafeInteger(lead.userId) && lead.userId > 0);
    const [row] = lead.statusLogDetails;
    assert.ok(Number.isSafeInteger(row?.id) && row.id > 0);
    assert.deepEqual(lead, {
      id: lead.id,
      userId: lead.userId,
      type: 'SKU',
      leadFor: 'JKT-0192-M',
      status: 'OPEN',
      createdOn: '2026-03-01T12:15:00Z',
      createdBy: o.till.id,
      lastUpdatedOn: '2026-03-01T12:15:00Z',
      lastUpdatedBy: o.till.id,
      orgSourceId: -1,
      extendedFields: {},
      followUpDetails: [],
      statusLogDetails: [
        {
          id: row.id,
          userId: lead.userId,
          leadId: lead.id,
          status: 'OPEN',
          createdBy: o.till.id,
          createdOn: '2026-03-01T12:15:00Z',
          reasonId: apiCall,
          reason: 'APICALL',
        },
      ],
      warnings: [],
    });
    // The stored lead reads back exactly as created.
    assert.deepEqual(await getLead(t.app, o.till, lead.id), lead);
  });

  it('attributes the lead to the calling entity, whoever calls', async () => {
    clock.ms = Date.parse('2026-03-01T13:00:00Z');
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.associate);
    assert.equal(lead.createdBy, o.associate.id);
    assert.equal(lead.lastUpdatedBy, o.associate.id);
    assert.equal(lead.statusLogDetails[0].createdBy, o.associate.id);
  });

  it('records createdBy from the body, but lastUpdatedBy is always the caller', async () => {
    clock.ms = Date.parse('2026-03-01T13:10:00Z');
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till, { createdBy: o.associate.id });
    assert.equal(lead.createdBy, o.associate.id);
    assert.equal(lead.lastUpdatedBy, o.till.id);
    assert.equal(lead.statusLogDetails.length, 1);
    assert.equal(lead.statusLogDetails[0].createdBy, o.associate.id);
    // Any entity of the org may be named, an org unit too.
    const byStore = await newLead(t.app, o.till, { createdBy: o.store.id });
    assert.equal(byStore.createdBy, o.store.id);
  });

  it('keeps createdOn from the body, as UTC to the second, and lastUpdatedOn as now', async () => {
    clock.ms = Date.parse('2026-03-05T08:00:00Z');
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till, {
      createdOn: '2026-03-02T17:45:30.987+05:30',
      nextFollowUp: '2026-03-04T10:00:00.999-03:00',
    });
    assert.equal(lead.createdOn, '2026-03-02T12:15:30Z');
    assert.equal(lead.nextFollowUp, '2026-03-04T13:00:00Z');
    assert.equal(lead.lastUpdatedOn, '2026-03-05T08:00:00Z');
    assert.equal(lead.statusLogDetails[0].createdOn, '2026-03-02T12:15:30Z');
    const read = await getLead(t.app, o.till, lead.id);
    assert.equal(read.createdOn, '2026-03-02T12:15:30Z');
    assert.equal(read.nextFollowUp, '2026-03-04T13:00:00Z');
  });

  it('treats the same email, whatever its case and spaces, as one customer', async () => {
    const o = await newOrg(t.ctx);
    const name = unique('Ana.Silva');
    const first = await newLead(t.app, o.till, { identifier: `${name}@Example.COM` });
    const second = await newLead(t.app, o.till, {
      identifier: `  ${name.toLowerCase()}@example.com `,
    });
    const other = await newLead(t.app, o.till, { identifier: `${unique('bo')}@example.com` });
    assert.equal(second.userId, first.userId);
    assert.notEqual(other.userId, first.userId);
    assert.equal(await customerCount(t.ctx, o.org.id), 2);
    assert.deepEqual(await listIds(t.app, o.till, `userId=${first.userId}`), [first.id, second.id]);
  });

  it('treats the same mobile, whatever its formatting, as one customer', async () => {
    const o = await newOrg(t.ctx);
    const base = { idType: 'MOBILE' };
    const a = await newLead(t.app, o.till, { ...base, identifier: '+91 98450-12345' });
    const b = await newLead(t.app, o.till, { ...base, identifier: '(91) 98450.12345' });
    const c = await newLead(t.app, o.till, { ...base, identifier: '919845012345' });
    const d = await newLead(t.app, o.till, { ...base, identifier: '+91 98450 12346' });
    assert.equal(b.userId, a.userId);
    assert.equal(c.userId, a.userId);
    assert.notEqual(d.userId, a.userId);
    assert.equal(await customerCount(t.ctx, o.org.id), 2);
  });

  it('accepts an existing customer by userId without creating one', async () => {
    const o = await newOrg(t.ctx);
    const first = await newLead(t.app, o.till);
    const response = await send(t.app, o.till, 'POST', '/v2/leads', {
      leadFor: 'BAG-77',
      userId: first.userId,
    });
    assert.equal(response.status, 200, response.raw);
    assert.equal(response.body.userId, first.userId);
    assert.equal(response.body.leadFor, 'BAG-77');
    assert.equal(response.body.statusLogDetails[0].userId, first.userId);
    assert.equal(await customerCount(t.ctx, o.org.id), 1);
  });

  it('stores type, orgSourceId, owner, extendedFields and nextFollowUp as given', async () => {
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till, {
      type: 'BRAND',
      leadFor: 'Acme Outdoor',
      orgSourceId: 1,
      owner: o.associate.code,
      nextFollowUp: '2026-03-04T10:00:00Z',
      extendedFields: { preferred_contact: 'WhatsApp', size: 42, gift: true },
    });
    const read = await getLead(t.app, o.till, lead.id);
    for (const got of [lead, read]) {
      assert.equal(got.type, 'BRAND');
      assert.equal(got.leadFor, 'Acme Outdoor');
      assert.equal(got.orgSourceId, 1);
      assert.equal(got.owner, o.associate.code);
      assert.equal(got.nextFollowUp, '2026-03-04T10:00:00Z');
      assert.deepEqual(got.extendedFields, { preferred_contact: 'WhatsApp', size: 42, gift: true });
      assert.equal('lastFollowUp' in got, false);
    }
  });

  it('accepts a sub-status configured for the lead status and logs it', async () => {
    const o = await newOrg(t.ctx);
    await addSubStatus(t.app, o.admin, 'ON_HOLD', 'AwaitingStock');
    const lead = await newLead(t.app, o.till, { status: 'ON_HOLD', subStatus: 'AwaitingStock' });
    assert.equal(lead.status, 'ON_HOLD');
    assert.equal(lead.subStatus, 'AwaitingStock');
    assert.equal(lead.statusLogDetails.length, 1);
    assert.equal(lead.statusLogDetails[0].status, 'ON_HOLD');
    assert.equal(lead.statusLogDetails[0].subStatus, 'AwaitingStock');
    assert.equal(lead.statusLogDetails[0].reason, 'APICALL');
  });

  it('records statusLogDetails in order at createdOn; the last row gives the status', async () => {
    clock.ms = Date.parse('2026-03-06T09:00:00Z');
    const o = await newOrg(t.ctx);
    const r1 = await addReason(t.app, o.till, 'Shopper asked');
    const r2 = await addReason(t.app, o.till, 'Size not in stock');
    const lead = await newLead(t.app, o.till, {
      createdOn: '2026-02-20T10:00:00+05:30',
      statusLogDetails: [
        { status: 'OPEN', reasonId: r1 },
        { status: 'ON_HOLD', reasonId: r2, createdBy: o.associate.id },
      ],
    });
    assert.equal(lead.status, 'ON_HOLD');
    assert.equal('subStatus' in lead, false);
    const rows = lead.statusLogDetails;
    assert.equal(rows.length, 2, 'no APICALL row when the last history row has the status');
    assert.deepEqual(
      rows.map((r: any) => [r.status, r.reasonId, r.reason, r.createdBy, r.createdOn, r.leadId]),
      [
        ['OPEN', r1, 'Shopper asked', o.till.id, '2026-02-20T04:30:00Z', lead.id],
        ['ON_HOLD', r2, 'Size not in stock', o.associate.id, '2026-02-20T04:30:00Z', lead.id],
      ],
    );
    assert.ok(rows[0].id < rows[1].id);
    const log = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}/statusLog`);
    assert.deepEqual(log.body, { data: rows, warnings: [], errors: [] });
  });

  it('puts the lead sub-status on the last history row when that row has the lead status', async () => {
    const o = await newOrg(t.ctx);
    await addSubStatus(t.app, o.admin, 'ON_HOLD', 'AwaitingStock');
    const r1 = await addReason(t.app, o.till, 'Size not in stock');
    const lead = await newLead(t.app, o.till, {
      status: 'ON_HOLD',
      subStatus: 'AwaitingStock',
      statusLogDetails: [
        { status: 'OPEN', reasonId: r1 },
        { status: 'ON_HOLD', reasonId: r1 },
      ],
    });
    assert.deepEqual(
      lead.statusLogDetails.map((r: any) => [r.status, r.subStatus, r.reasonId]),
      [
        ['OPEN', undefined, r1],
        ['ON_HOLD', 'AwaitingStock', r1],
      ],
    );
  });

  it('history rows default createdBy to the lead createdBy', async () => {
    const o = await newOrg(t.ctx);
    const r1 = await addReason(t.app, o.till, 'Walk-in');
    const lead = await newLead(t.app, o.till, {
      createdBy: o.associate.id,
      statusLogDetails: [{ status: 'OPEN', reasonId: r1 }],
    });
    assert.equal(lead.statusLogDetails.length, 1);
    assert.equal(lead.statusLogDetails[0].createdBy, o.associate.id);
    assert.equal(lead.statusLogDetails[0].reason, 'Walk-in');
  });

  it('appends an APICALL row when the last history row is not the lead status', async () => {
    clock.ms = Date.parse('2026-03-06T10:00:00Z');
    const o = await newOrg(t.ctx);
    const apiCall = await reasonIdOf(t.app, o.till, 'APICALL');
    const r1 = await addReason(t.app, o.till, 'Bought elsewhere');
    const r2 = await addReason(t.app, o.till, 'Back in stock');
    const lead = await newLead(t.app, o.till, {
      status: 'WON',
      statusLogDetails: [
        { status: 'WON', reasonId: r2 },
        { status: 'LOST', reasonId: r1 },
      ],
    });
    assert.equal(lead.status, 'WON');
    assert.deepEqual(
      lead.statusLogDetails.map((r: any) => [r.status, r.reasonId, r.reason, r.createdOn]),
      [
        ['WON', r2, 'Back in stock', '2026-03-06T10:00:00Z'],
        ['LOST', r1, 'Bought elsewhere', '2026-03-06T10:00:00Z'],
        ['WON', apiCall, 'APICALL', '2026-03-06T10:00:00Z'],
      ],
    );
  });

  it('appends no APICALL row when status equals the last history row', async () => {
    const o = await newOrg(t.ctx);
    const r1 = await addReason(t.app, o.till, 'Not interested');
    const lead = await newLead(t.app, o.till, {
      status: 'LOST',
      statusLogDetails: [
        { status: 'OPEN', reasonId: r1 },
        { status: 'LOST', reasonId: r1 },
      ],
    });
    assert.equal(lead.status, 'LOST');
    assert.deepEqual(
      lead.statusLogDetails.map((r: any) => r.status),
      ['OPEN', 'LOST'],
    );
    assert.equal(
      lead.statusLogDetails.some((r: any) => r.reason === 'APICALL'),
      false,
    );
  });

  it('records followUpDetails in order with their defaults and sets lastFollowUp', async () => {
    clock.ms = Date.parse('2026-03-07T11:00:00.400Z');
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till, {
      followUpDetails: [
        { followedUpOn: '2026-02-25T10:00:00Z', notes: 'Called, no answer' },
        {
          followedUpOn: '2026-02-27T09:30:00.250+05:30',
          createdBy: o.associate.id,
          scheduledFollowUp: '2026-03-01T09:00:00+01:00',
        },
        {
          followedUpOn: '2026-02-26T00:00:00Z',
          createdBy: o.associate.id,
          followedUpBy: o.admin.id,
        },
      ],
    });
    assert.equal(lead.lastFollowUp, '2026-02-27T04:00:00Z');
    const rows = lead.followUpDetails;
    assert.equal(rows.length, 3);
    assert.ok(rows[0].id < rows[1].id && rows[1].id < rows[2].id);
    assert.deepEqual(rows[0], {
      id: rows[0].id,
      userId: lead.userId,
      leadId: lead.id,
      notes: 'Called, no answer',
      createdBy: o.till.id,
      createdOn: '2026-03-07T11:00:00Z',
      followedUpBy: o.till.id,
      followedUpOn: '2026-02-25T10:00:00Z',
    });
    assert.deepEqual(rows[1], {
      id: rows[1].id,
      userId: lead.userId,
      leadId: lead.id,
      createdBy: o.associate.id,
      createdOn: '2026-03-07T11:00:00Z',
      followedUpBy: o.associate.id,
      followedUpOn: '2026-02-27T04:00:00Z',
      scheduledFollowUp: '2026-03-01T08:00:00Z',
    });
    assert.equal(rows[2].createdBy, o.associate.id);
    assert.equal(rows[2].followedUpBy, o.admin.id);
    assert.equal(rows[2].followedUpOn, '2026-02-26T00:00:00Z');
    const listed = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}/followups`);
    assert.deepEqual(listed.body, { data: rows, warnings: [], errors: [] });
  });

  it('drops unknown body fields with a 2001 warning naming each, storing none of them', async () => {
    const o = await newOrg(t.ctx);
    const response = await send(t.app, o.till, 'POST', '/v2/leads', {
      leadFor: 'JKT-0192-M',
      idType: 'EMAIL',
      identifier: `${unique('cy')}@example.com`,
      colour: 'crimson-7f3a',
      followUpDetails: [{ followedUpOn: '2026-02-25T10:00:00Z', mood: 'elated-9c1b' }],
      extendedFields: { anything: 'kept' },
    });
    assert.equal(response.status, 200, response.raw);
    const warnings = response.body.warnings as Array<{ code: number; message: string }>;
    assert.equal(warnings.length, 2, response.raw);
    assert.ok(warnings.every((w) => w.code === codeOf('UNKNOWN_FIELD_IGNORED')));
    assert.ok(warnings.some((w) => /\bcolour\b/.test(w.message)));
    assert.ok(warnings.some((w) => w.message.includes('followUpDetails[0].mood')));
    assert.equal(response.raw.includes('crimson-7f3a'), false);
    assert.equal(response.raw.includes('elated-9c1b'), false);
    assert.deepEqual(response.body.extendedFields, { anything: 'kept' });
    const read = await send(t.app, o.till, 'GET', `/v2/leads/${response.body.id}`);
    assert.equal('colour' in read.body, false);
    assert.equal(read.raw.includes('crimson-7f3a'), false);
    assert.equal(read.raw.includes('elated-9c1b'), false);
    assert.deepEqual(read.body.warnings, []);
  });

  it('outputs every date-time as UTC with Z, to the second', async () => {
    clock.ms = Date.parse('2026-03-08T06:07:08.999Z');
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till, {
      createdOn: '2026-03-02T23:59:59.999999+05:30',
      nextFollowUp: '2026-03-09T00:00:00.1-00:30',
      followUpDetails: [
        {
          followedUpOn: '2026-03-01T01:02:03.456+14:00',
          scheduledFollowUp: '2026-03-10T10:10:10.010-12:00',
        },
      ],
    });
    const read = await getLead(t.app, o.till, lead.id);
    const f = read.followUpDetails[0];
    const s = read.statusLogDetails[0];
    const stamps = [
      read.createdOn,
      read.lastUpdatedOn,
      read.nextFollowUp,
      read.lastFollowUp,
      f.createdOn,
      f.followedUpOn,
      f.scheduledFollowUp,
      s.createdOn,
    ];
    for (const stamp of stamps) assert.match(stamp, UTC_SECOND);
    assert.deepEqual(stamps, [
      '2026-03-02T18:29:59Z',
      '2026-03-08T06:07:08Z',
      '2026-03-09T00:30:00Z',
      '2026-02-28T11:02:03Z',
      '2026-03-08T06:07:08Z',
      '2026-02-28T11:02:03Z',
      '2026-03-10T22:10:10Z',
      '2026-03-02T18:29:59Z',
    ]);
  });

  it('an accepted instant is never output outside the YYYY-MM-DDThh:mm:ssZ shape', async () => {
    // A real calendar instant with an offset, whose UTC year is 10000. The contract allows
    // refusing it (400, code 1104) or storing it, but every output is UTC to the second.
    const o = await newOrg(t.ctx);
    const response = await send(t.app, o.till, 'POST', '/v2/leads', {
      leadFor: 'X',
      idType: 'EMAIL',
      identifier: `${unique('far')}@example.com`,
      createdOn: '9999-12-31T23:59:59-23:59',
    });
    if (response.status === 400) {
      assert.equal(response.body.errors[0].code, codeOf('FIELD_INVALID_DATE_TIME'), response.raw);
      assert.match(response.body.errors[0].message, /createdOn/);
      assert.equal(await customerCount(t.ctx, o.org.id), 0);
      return;
    }
    assert.equal(response.status, 200, response.raw);
    assert.match(response.body.createdOn, UTC_SECOND, response.raw);
  });
});
