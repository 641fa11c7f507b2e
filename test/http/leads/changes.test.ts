import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import {
  addReason,
  addSubStatus,
  assertError,
  codeOf,
  getLead,
  listIds,
  reasonIdOf,
  UTC_SECOND,
  withoutWarnings,
} from '../../helpers/fixtures.js';

describe('lead changes: status, follow-ups, updates and history reads', () => {
  const clock = new TestClock();
  const t = useTestApp({ clock });

  describe('PUT /v2/leads/{id}/status', () => {
    it('moves the lead and appends one row with reason text, sub-status and createdBy', async () => {
      clock.ms = Date.parse('2026-03-01T12:15:00Z');
      const o = await newOrg(t.ctx);
      const reason = await addReason(t.app, o.till, 'Size not in stock');
      await addSubStatus(t.app, o.admin, 'ON_HOLD', 'AwaitingStock');
      const lead = await newLead(t.app, o.till);
      clock.ms = Date.parse('2026-03-02T12:15:40.600Z');
      const response = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
        status: 'ON_HOLD',
        subStatus: 'AwaitingStock',
        reasonId: reason,
        createdBy: o.associate.id,
      });
      assert.equal(response.status, 200, response.raw);
      const changed = response.body;
      assert.equal(changed.status, 'ON_HOLD');
      assert.equal(changed.subStatus, 'AwaitingStock');
      assert.equal(changed.lastUpdatedOn, '2026-03-02T12:15:40Z');
      assert.equal(changed.lastUpdatedBy, o.till.id);
      assert.equal(changed.createdOn, lead.createdOn);
      assert.equal(changed.createdBy, lead.createdBy);
      assert.deepEqual(changed.warnings, []);
      const rows = changed.statusLogDetails;
      assert.equal(rows.length, 2);
      assert.deepEqual(rows[0], lead.statusLogDetails[0], 'earlier rows are never edited');
      assert.ok(rows[1].id > rows[0].id);
      assert.deepEqual(rows[1], {
        id: rows[1].id,
        userId: lead.userId,
        leadId: lead.id,
        status: 'ON_HOLD',
        subStatus: 'AwaitingStock',
        createdBy: o.associate.id,
        createdOn: '2026-03-02T12:15:40Z',
        reasonId: reason,
        reason: 'Size not in stock',
      });
      const read = await getLead(t.app, o.till, lead.id);
      assert.deepEqual(read, { ...withoutWarnings(changed), warnings: [] });
      const log = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}/statusLog`);
      assert.equal(log.status, 200);
      assert.deepEqual(log.body, { data: rows, warnings: [], errors: [] });
    });

    it('defaults the row createdBy to the caller and createdOn to now', async () => {
      clock.ms = Date.parse('2026-03-03T08:00:00Z');
      const o = await newOrg(t.ctx);
      const reason = await addReason(t.app, o.till, 'Bought it');
      const lead = await newLead(t.app, o.till);
      clock.ms = Date.parse('2026-03-03T09:30:00Z');
      const response = await send(t.app, o.associate, 'PUT', `/v2/leads/${lead.id}/status`, {
        status: 'WON',
        reasonId: reason,
      });
      assert.equal(response.status, 200, response.raw);
      const row = response.body.statusLogDetails[1];
      assert.equal(row.createdBy, o.associate.id);
      assert.equal(row.createdOn, '2026-03-03T09:30:00Z');
      assert.equal('subStatus' in row, false);
      assert.equal(response.body.lastUpdatedBy, o.associate.id);
      assert.equal(response.body.createdBy, o.till.id);
    });

    it('records a given createdOn on the row but keeps lastUpdatedOn as server time', async () => {
      clock.ms = Date.parse('2026-03-04T08:00:00Z');
      const o = await newOrg(t.ctx);
      const reason = await addReason(t.app, o.till, 'Called back');
      const lead = await newLead(t.app, o.till);
      clock.ms = Date.parse('2026-03-04T11:00:00Z');
      const response = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
        status: 'LOST',
        reasonId: reason,
        createdOn: '2026-03-04T14:00:59.999+05:30',
      });
      assert.equal(response.status, 200, response.raw);
      assert.equal(response.body.statusLogDetails[1].createdOn, '2026-03-04T08:30:59Z');
      assert.equal(response.body.lastUpdatedOn, '2026-03-04T11:00:00Z');
    });

    it('keeps the status log in time order: back-dating stops at its newest row', async () => {
      clock.ms = Date.parse('2026-03-10T09:00:00Z');
      const o = await newOrg(t.ctx);
      const reason = await addReason(t.app, o.till, 'Dated');
      const lead = await newLead(t.app, o.till);
      clock.ms = Date.parse('2026-03-10T12:00:00Z');
      const put = (createdOn: string) =>
        send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
          status: 'ON_HOLD',
          reasonId: reason,
          createdOn,
        });
      // Before the lead existed: refused, naming createdOn, and nothing changes.
      const before = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
      assertError(await put('2026-03-09T23:59:59Z'), 400, 'FIELD_INVALID_VALUE', 'createdOn');
      // More than 5 minutes ahead of the server's clock: refused too.
      assertError(await put('2026-03-10T12:05:01Z'), 400, 'FIELD_INVALID_VALUE', 'createdOn');
      const unchanged = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
      assert.equal(unchanged.raw, before.raw);
      // Back to the lead's creation instant exactly, then later: both accepted.
      assert.equal((await put('2026-03-10T09:00:00Z')).status, 200);
      assert.equal((await put('2026-03-10T11:00:00Z')).status, 200);
      // Now the newest row is at 11:00: 10:54:59 is too early; 10:59:59 is within the 5 minutes
      // two tills' clocks may differ by, and is recorded at 11:00 to keep the order.
      const early = await put('2026-03-10T10:54:59Z');
      assertError(early, 400, 'FIELD_INVALID_VALUE', '2026-03-10T11:00:00Z');
      assert.equal((await put('2026-03-10T10:59:59Z')).status, 200);
      // A till running 3 minutes fast is accepted, and an undated change after it is not
      // dated before it, so the newest row stays the current status.
      assert.equal((await put('2026-03-10T12:03:00Z')).status, 200);
      const undated = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
        status: 'WON',
        reasonId: reason,
      });
      assert.equal(undated.status, 200, undated.raw);
      const dates = undated.body.statusLogDetails.map((r: { createdOn: string }) => r.createdOn);
      assert.deepEqual(dates, [
        '2026-03-10T09:00:00Z',
        '2026-03-10T09:00:00Z',
        '2026-03-10T11:00:00Z',
        '2026-03-10T11:00:00Z',
        '2026-03-10T12:03:00Z',
        '2026-03-10T12:03:00Z',
      ]);
      assert.deepEqual([...dates].sort(), dates);
    });

    it('accepts the same status again, one new row per accepted change', async () => {
      const o = await newOrg(t.ctx);
      const apiCall = await reasonIdOf(t.app, o.till, 'APICALL');
      const reason = await addReason(t.app, o.till, 'Still waiting');
      const lead = await newLead(t.app, o.till);
      const statuses = ['OPEN', 'OPEN', 'ON_HOLD', 'ON_HOLD', 'OPEN'];
      for (const [i, status] of statuses.entries()) {
        const response = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
          status,
          reasonId: reason,
        });
        assert.equal(response.status, 200, response.raw);
        assert.equal(response.body.status, status);
        assert.equal(response.body.statusLogDetails.length, i + 2);
      }
      const log = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}/statusLog`);
      const rows = log.body.data;
      assert.deepEqual(
        rows.map((r: any) => [r.status, r.reasonId]),
        [['OPEN', apiCall], ...statuses.map((s) => [s, reason])],
      );
      const ids = rows.map((r: any) => r.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
        'rows in recording order',
      );
      assert.equal(new Set(ids).size, ids.length);
    });

    it('replaces the sub-status: a change without one leaves the lead without one', async () => {
      const o = await newOrg(t.ctx);
      const reason = await addReason(t.app, o.till, 'Stock due');
      await addSubStatus(t.app, o.admin, 'ON_HOLD', 'AwaitingStock');
      await addSubStatus(t.app, o.admin, 'ON_HOLD', 'AwaitingPayment');
      const lead = await newLead(t.app, o.till);
      const put = (body: Record<string, unknown>) =>
        send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, { reasonId: reason, ...body });
      assert.equal(
        (await put({ status: 'ON_HOLD', subStatus: 'AwaitingStock' })).body.subStatus,
        'AwaitingStock',
      );
      const second = await put({ status: 'ON_HOLD', subStatus: 'AwaitingPayment' });
      assert.equal(second.body.subStatus, 'AwaitingPayment');
      const third = await put({ status: 'WON' });
      assert.equal(third.status, 200, third.raw);
      assert.equal('subStatus' in third.body, false);
      assert.equal('subStatus' in (await getLead(t.app, o.till, lead.id)), false);
      assert.deepEqual(
        third.body.statusLogDetails.map((r: any) => r.subStatus ?? null),
        [null, 'AwaitingStock', 'AwaitingPayment', null],
      );
    });

    it('DELETED hides the lead from lists, but it stays readable by id and by status', async () => {
      const o = await newOrg(t.ctx);
      const reason = await addReason(t.app, o.till, 'Duplicate');
      const kept = await newLead(t.app, o.till);
      const gone = await newLead(t.app, o.till, { type: 'BRAND' });
      const response = await send(t.app, o.till, 'PUT', `/v2/leads/${gone.id}/status`, {
        status: 'DELETED',
        reasonId: reason,
      });
      assert.equal(response.status, 200, response.raw);
      assert.equal(response.body.status, 'DELETED');
      assert.deepEqual(await listIds(t.app, o.till), [kept.id]);
      assert.deepEqual(await listIds(t.app, o.till, 'type=ALL'), [kept.id]);
      assert.deepEqual(await listIds(t.app, o.till, 'type=BRAND'), []);
      assert.deepEqual(await listIds(t.app, o.till, `userId=${gone.userId}`), []);
      assert.deepEqual(await listIds(t.app, o.till, 'status=DELETED'), [gone.id]);
      assert.deepEqual(await listIds(t.app, o.till, 'status=DELETED&type=BRAND'), [gone.id]);
      const read = await getLead(t.app, o.till, gone.id);
      assert.equal(read.status, 'DELETED');
      assert.equal(read.statusLogDetails.length, 2);
      const log = await send(t.app, o.till, 'GET', `/v2/leads/${gone.id}/statusLog`);
      assert.equal(log.status, 200);
      assert.equal(log.body.data.length, 2);
      const followUps = await send(t.app, o.till, 'GET', `/v2/leads/${gone.id}/followups`);
      assert.deepEqual(followUps.body, { data: [], warnings: [], errors: [] });
      // A deleted lead can be brought back by another status change.
      const back = await send(t.app, o.till, 'PUT', `/v2/leads/${gone.id}/status`, {
        status: 'OPEN',
        reasonId: reason,
      });
      assert.equal(back.status, 200, back.raw);
      assert.deepEqual(await listIds(t.app, o.till), [kept.id, gone.id]);
    });
  });

  describe('POST /v2/leads/{id}/followup', () => {
    it('appends a follow-up, sets lastFollowUp, replaces nextFollowUp, touches lastUpdated', async () => {
      clock.ms = Date.parse('2026-03-05T09:00:00Z');
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till, { nextFollowUp: '2026-03-06T10:00:00Z' });
      clock.ms = Date.parse('2026-03-06T10:20:30.900Z');
      const response = await send(t.app, o.till, 'POST', `/v2/leads/${lead.id}/followup`, {
        followedUpOn: '2026-03-06T15:45:00+05:30',
        createdBy: o.associate.id,
        notes: 'Called, will come Friday',
        scheduledFollowUp: '2026-03-06T10:00:00Z',
        nextFollowUp: '2026-03-13T10:00:00.5+05:30',
      });
      assert.equal(response.status, 200, response.raw);
      const changed = response.body;
      assert.equal(changed.lastFollowUp, '2026-03-06T10:15:00Z');
      assert.equal(changed.nextFollowUp, '2026-03-13T04:30:00Z');
      assert.equal(changed.lastUpdatedOn, '2026-03-06T10:20:30Z');
      assert.equal(changed.lastUpdatedBy, o.till.id);
      assert.equal(changed.status, 'OPEN');
      assert.deepEqual(changed.statusLogDetails, lead.statusLogDetails);
      assert.equal(changed.followUpDetails.length, 1);
      const row = changed.followUpDetails[0];
      assert.deepEqual(row, {
        id: row.id,
        userId: lead.userId,
        leadId: lead.id,
        notes: 'Called, will come Friday',
        createdBy: o.associate.id,
        createdOn: '2026-03-06T10:20:30Z',
        followedUpBy: o.associate.id,
        followedUpOn: '2026-03-06T10:15:00Z',
        scheduledFollowUp: '2026-03-06T10:00:00Z',
      });
      const listed = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}/followups`);
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body, { data: [row], warnings: [], errors: [] });
      const read = await getLead(t.app, o.till, lead.id);
      assert.equal(read.lastFollowUp, '2026-03-06T10:15:00Z');
      assert.equal(read.nextFollowUp, '2026-03-13T04:30:00Z');
    });

    it('keeps followedUpBy when given, and omits absent optional fields', async () => {
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till);
      const response = await send(t.app, o.till, 'POST', `/v2/leads/${lead.id}/followup`, {
        followedUpOn: '2026-03-02T10:00:00Z',
        createdBy: o.till.id,
        followedUpBy: o.associate.id,
      });
      assert.equal(response.status, 200, response.raw);
      const row = response.body.followUpDetails[0];
      assert.equal(row.createdBy, o.till.id);
      assert.equal(row.followedUpBy, o.associate.id);
      assert.equal('notes' in row, false);
      assert.equal('scheduledFollowUp' in row, false);
      assert.equal('nextFollowUp' in response.body, false);
    });

    it('a back-dated follow-up does not move lastFollowUp back, nor nextFollowUp when absent', async () => {
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till);
      const post = (body: Record<string, unknown>) =>
        send(t.app, o.till, 'POST', `/v2/leads/${lead.id}/followup`, {
          createdBy: o.till.id,
          ...body,
        });
      const first = await post({
        followedUpOn: '2026-03-10T10:00:00Z',
        nextFollowUp: '2026-03-12T10:00:00Z',
      });
      assert.equal(first.body.lastFollowUp, '2026-03-10T10:00:00Z');
      const backDated = await post({ followedUpOn: '2026-03-08T10:00:00Z', notes: 'late entry' });
      assert.equal(backDated.status, 200, backDated.raw);
      assert.equal(backDated.body.lastFollowUp, '2026-03-10T10:00:00Z');
      assert.equal(backDated.body.nextFollowUp, '2026-03-12T10:00:00Z');
      // Listed in the order they were recorded, not by followedUpOn.
      assert.deepEqual(
        backDated.body.followUpDetails.map((f: any) => f.followedUpOn),
        ['2026-03-10T10:00:00Z', '2026-03-08T10:00:00Z'],
      );
      const later = await post({ followedUpOn: '2026-03-11T10:00:00+01:00' });
      assert.equal(later.body.lastFollowUp, '2026-03-11T09:00:00Z');
      assert.equal(later.body.followUpDetails.length, 3);
      const listed = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}/followups`);
      assert.deepEqual(
        listed.body.data.map((f: any) => [f.followedUpOn, f.notes ?? null]),
        [
          ['2026-03-10T10:00:00Z', null],
          ['2026-03-08T10:00:00Z', 'late entry'],
          ['2026-03-11T09:00:00Z', null],
        ],
      );
      assert.deepEqual(listed.body.data, later.body.followUpDetails);
    });

    it('a follow-up older than one recorded at creation keeps the creation lastFollowUp', async () => {
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till, {
        followUpDetails: [{ followedUpOn: '2026-03-01T18:00:00Z' }],
      });
      assert.equal(lead.lastFollowUp, '2026-03-01T18:00:00Z');
      const response = await send(t.app, o.till, 'POST', `/v2/leads/${lead.id}/followup`, {
        followedUpOn: '2026-03-01T17:59:59Z',
        createdBy: o.till.id,
      });
      assert.equal(response.body.lastFollowUp, '2026-03-01T18:00:00Z');
      assert.equal(response.body.followUpDetails.length, 2);
    });
  });

  describe('PUT /v2/leads/{id}', () => {
    it('merges extendedFields; a null value removes its key', async () => {
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till, {
        extendedFields: { preferred_contact: 'WhatsApp', size: 42, gift: true },
      });
      const response = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}`, {
        extendedFields: { size: null, gift: false, colour: 'navy', absent: null },
      });
      assert.equal(response.status, 200, response.raw);
      const expected = { preferred_contact: 'WhatsApp', gift: false, colour: 'navy' };
      assert.deepEqual(response.body.extendedFields, expected);
      assert.deepEqual(response.body.warnings, []);
      assert.deepEqual((await getLead(t.app, o.till, lead.id)).extendedFields, expected);
      // Updating fields leaves status, history and owner alone.
      assert.equal(response.body.status, 'OPEN');
      assert.deepEqual(response.body.statusLogDetails, lead.statusLogDetails);
      assert.equal('owner' in response.body, false);
    });

    it('assigns the owner by code, keeps it on field updates, and null unassigns', async () => {
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till, { extendedFields: { note: 'x' } });
      const assign = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}`, {
        owner: o.associate.code,
      });
      assert.equal(assign.status, 200, assign.raw);
      assert.equal(assign.body.owner, o.associate.code);
      assert.deepEqual(assign.body.extendedFields, { note: 'x' });
      assert.deepEqual(await listIds(t.app, o.till, `owner=${o.associate.id}`), [lead.id]);

      const fields = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}`, {
        extendedFields: { note: 'y' },
      });
      assert.equal(fields.body.owner, o.associate.code);

      const reassign = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}`, {
        owner: o.admin.code,
      });
      assert.equal(reassign.body.owner, o.admin.code);
      assert.deepEqual(await listIds(t.app, o.till, `owner=${o.associate.id}`), []);
      assert.deepEqual(await listIds(t.app, o.till, `owner=${o.admin.id}`), [lead.id]);

      const unassign = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}`, { owner: null });
      assert.equal(unassign.status, 200, unassign.raw);
      assert.equal('owner' in unassign.body, false);
      assert.equal('owner' in (await getLead(t.app, o.till, lead.id)), false);
      assert.deepEqual(await listIds(t.app, o.till, `owner=${o.admin.id}`), []);
      assert.deepEqual(unassign.body.extendedFields, { note: 'y' });
    });

    it('drops unknown fields with a 2001 warning and stores none of them', async () => {
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till);
      const response = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}`, {
        extendedFields: { a: 1 },
        leadFor: 'HACKED-1',
        status: 'WON',
      });
      assert.equal(response.status, 200, response.raw);
      const warnings = response.body.warnings as Array<{ code: number; message: string }>;
      assert.equal(warnings.length, 2, response.raw);
      assert.ok(warnings.every((w) => w.code === codeOf('UNKNOWN_FIELD_IGNORED')));
      assert.ok(warnings.some((w) => w.message.includes('leadFor')));
      assert.ok(warnings.some((w) => /\bstatus\b/.test(w.message)));
      const read = await getLead(t.app, o.till, lead.id);
      assert.equal(read.leadFor, lead.leadFor);
      assert.equal(read.status, 'OPEN');
      assert.equal(read.statusLogDetails.length, 1);
      assert.deepEqual(read.extendedFields, { a: 1 });
    });
  });

  it('every change sets lastUpdatedOn/By to server time and caller; created stays', async () => {
    clock.ms = Date.parse('2026-04-01T08:00:00Z');
    const o = await newOrg(t.ctx);
    const reason = await addReason(t.app, o.till, 'Follow the shopper');
    const lead = await newLead(t.app, o.till);
    assert.equal(lead.lastUpdatedOn, '2026-04-01T08:00:00Z');
    assert.equal(lead.lastUpdatedBy, o.till.id);

    const steps: Array<{
      at: string;
      who: typeof o.till;
      method: 'PUT' | 'POST';
      path: string;
      body: Record<string, unknown>;
    }> = [
      {
        at: '2026-04-01T09:00:00Z',
        who: o.associate,
        method: 'PUT',
        path: '',
        body: { extendedFields: { k: 'v' } },
      },
      {
        at: '2026-04-01T10:00:00Z',
        who: o.admin,
        method: 'PUT',
        path: '/status',
        body: { status: 'ON_HOLD', reasonId: reason },
      },
      {
        at: '2026-04-01T11:00:00Z',
        who: o.till,
        method: 'POST',
        path: '/followup',
        body: { followedUpOn: '2026-03-20T10:00:00Z', createdBy: o.associate.id },
      },
      {
        at: '2026-04-01T12:00:00Z',
        who: o.associate,
        method: 'PUT',
        path: '',
        body: { owner: o.associate.code },
      },
    ];
    for (const step of steps) {
      clock.ms = Date.parse(step.at);
      const response = await send(
        t.app,
        step.who,
        step.method,
        `/v2/leads/${lead.id}${step.path}`,
        step.body,
      );
      assert.equal(response.status, 200, response.raw);
      assert.equal(response.body.lastUpdatedOn, step.at, step.path);
      assert.equal(response.body.lastUpdatedBy, step.who.id, step.path);
      assert.equal(response.body.createdOn, '2026-04-01T08:00:00Z');
      assert.equal(response.body.createdBy, o.till.id);
      assert.match(response.body.lastUpdatedOn, UTC_SECOND);
      const read = await getLead(t.app, o.till, lead.id);
      assert.equal(read.lastUpdatedOn, step.at);
      assert.equal(read.lastUpdatedBy, step.who.id);
    }
    // Reads change nothing.
    clock.ms = Date.parse('2026-04-02T00:00:00Z');
    await send(t.app, o.admin, 'GET', `/v2/leads/${lead.id}/followups`);
    await send(t.app, o.admin, 'GET', `/v2/leads/${lead.id}/statusLog`);
    await send(t.app, o.admin, 'GET', '/v2/leads');
    const read = await getLead(t.app, o.admin, lead.id);
    assert.equal(read.lastUpdatedOn, '2026-04-01T12:00:00Z');
    assert.equal(read.lastUpdatedBy, o.associate.id);
  });

  it('status and follow-up bodies drop unknown fields with a 2001 warning', async () => {
    const o = await newOrg(t.ctx);
    const reason = await addReason(t.app, o.till, 'Noted');
    const lead = await newLead(t.app, o.till);
    const status = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
      status: 'WON',
      reasonId: reason,
      reason: 'free text',
    });
    assert.equal(status.status, 200, status.raw);
    assert.equal(status.body.status, 'WON');
    assert.equal(status.body.warnings.length, 1, status.raw);
    assert.equal(status.body.warnings[0].code, codeOf('UNKNOWN_FIELD_IGNORED'));
    assert.match(status.body.warnings[0].message, /\breason\b/);
    assert.equal(status.body.statusLogDetails[1].reason, 'Noted');
    const followUp = await send(t.app, o.till, 'POST', `/v2/leads/${lead.id}/followup`, {
      followedUpOn: '2026-03-01T10:00:00Z',
      createdBy: o.till.id,
      lastFollowUp: '2030-01-01T00:00:00Z',
    });
    assert.equal(followUp.status, 200, followUp.raw);
    assert.deepEqual(
      followUp.body.warnings.map((w: any) => w.code),
      [codeOf('UNKNOWN_FIELD_IGNORED')],
    );
    assert.match(followUp.body.warnings[0].message, /lastFollowUp/);
    assert.equal(followUp.body.lastFollowUp, '2026-03-01T10:00:00Z');
    assert.deepEqual((await getLead(t.app, o.till, lead.id)).warnings, []);
  });

  it('GET /v2/leads/{id}/followups and /statusLog of a fresh lead', async () => {
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.associate);
    const followUps = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}/followups`);
    assert.equal(followUps.status, 200);
    assert.deepEqual(followUps.body, { data: [], warnings: [], errors: [] });
    const log = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}/statusLog`);
    assert.equal(log.status, 200);
    assert.deepEqual(log.body, { data: lead.statusLogDetails, warnings: [], errors: [] });
    assert.equal(log.body.data[0].createdBy, o.associate.id);
  });
});
