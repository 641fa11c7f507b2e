import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, type Login, type TestOrg } from '../../helpers/factories.js';
import {
  addReason,
  addSubStatus,
  assertErrorsMatching,
  codeOf,
  reasonIdOf,
} from '../../helpers/fixtures.js';
import type { ErrorName } from '../../../src/core/errors.js';
import { autoClose } from '../../../src/auto-close/auto-close.service.js';

/**
 * The analytics reports through HTTP, on a small org whose every number is worked out by hand in
 * the comments of `scenario`. The property test (model.test.ts) compares random histories with
 * an in-memory model; this file pins the meaning of each figure, the filters, grouping, CSV and
 * bad input.
 */

type Scenario = {
  o: TestOrg;
  store2: Login;
  till2: Login;
  notInStock: number;
  boughtElsewhere: number;
};

const HOUR = 3_600_000;

describe('analytics reports', () => {
  const clock = new TestClock(Date.parse('2026-03-02T12:00:00Z'));
  const t = useTestApp({ clock });

  async function report(who: Login, name: string, query = '') {
    const response = await send(
      t.app,
      who,
      'GET',
      `/v2/analytics/${name}${query ? `?${query}` : ''}`,
    );
    assert.equal(response.status, 200, response.raw);
    assert.deepEqual(response.body.warnings, []);
    assert.deepEqual(response.body.errors, []);
    return response.body.data;
  }

  async function changeStatus(
    who: Login,
    lead: { id: number },
    status: string,
    reasonId: number,
    subStatus?: string,
  ) {
    const response = await send(t.app, who, 'PUT', `/v2/leads/${lead.id}/status`, {
      status,
      reasonId,
      ...(subStatus === undefined ? {} : { subStatus }),
    });
    assert.equal(response.status, 200, response.raw);
  }

  /**
   * Zone > store 1 (till 1, the associate) and store 2 (till 2). Six leads:
   * L1 SKU JKT-M, store 1, owner the associate: ON_HOLD, then WON.
   * L2 SKU JKT-M, store 1: LOST "Size not in stock" (marked not available).
   * L3 BRAND Acme, store 2, channel FACEBOOK: LOST "Bought elsewhere".
   * L4 SKU JKT-M, store 2, created a month earlier (2026-02-01): still OPEN.
   * L5 CATEGORY Shoes, store 1: DELETED.
   * L6 SKU JKT-M, store 1: ON_HOLD, then LOST "Size not in stock" with sub-status NoSize.
   */
  async function scenario(): Promise<Scenario> {
    const o = await newOrg(t.ctx);
    const store2 = await o.entity('STORE', o.zone);
    const till2 = await o.entity('TILL', store2, true);
    const notInStock = await addReason(t.app, o.till, 'Size not in stock');
    const boughtElsewhere = await addReason(t.app, o.till, 'Bought elsewhere');
    const marked = await send(t.app, o.admin, 'PUT', `/v2/admin/reasons/${notInStock}`, {
      notAvailable: true,
    });
    assert.equal(marked.status, 200, marked.raw);
    await addSubStatus(t.app, o.admin, 'LOST', 'NoSize');
    const apiCall = await reasonIdOf(t.app, o.till, 'APICALL');

    const l1 = await newLead(t.app, o.till, { leadFor: 'JKT-M', owner: o.associate.code });
    await changeStatus(o.till, l1, 'ON_HOLD', apiCall);
    await changeStatus(o.till, l1, 'WON', apiCall);
    const l2 = await newLead(t.app, o.till, { leadFor: 'JKT-M' });
    await changeStatus(o.till, l2, 'LOST', notInStock);
    const l3 = await newLead(t.app, till2, { leadFor: 'Acme', type: 'BRAND', orgSourceId: 1 });
    await changeStatus(till2, l3, 'LOST', boughtElsewhere);
    await newLead(t.app, till2, { leadFor: 'JKT-M', createdOn: '2026-02-01T10:00:00Z' });
    const l5 = await newLead(t.app, o.till, { leadFor: 'Shoes', type: 'CATEGORY' });
    await changeStatus(o.till, l5, 'DELETED', apiCall);
    const l6 = await newLead(t.app, o.till, { leadFor: 'JKT-M' });
    await changeStatus(o.till, l6, 'ON_HOLD', apiCall);
    await changeStatus(o.till, l6, 'LOST', notInStock, 'NoSize');
    return { o, store2, till2, notInStock, boughtElsewhere };
  }

  it('funnel: created, reached at any time, current status and conversion, per store', async () => {
    const s = await scenario();
    const body = await report(s.o.associate, 'funnel', 'groupBy=store');
    assert.equal(body.groupBy, 'store');
    assert.equal(body.timeZone, 'UTC');
    assert.deepEqual(body.total, {
      group: null,
      created: 6,
      reached: { onHold: 2, won: 1, lost: 3, deleted: 1 },
      current: { open: 1, onHold: 0, won: 1, lost: 3, deleted: 1 },
      conversion: {
        createdToOnHold: 0.3333,
        onHoldToWon: 0.5,
        createdToWon: 0.1667,
        createdToLost: 0.5,
      },
    });
    assert.deepEqual(
      body.groups.map((g: any) => [g.group, g.created, g.reached.won, g.current.lost]),
      [
        [s.o.store.code, 4, 1, 2],
        [s.store2.code, 2, 0, 1],
      ],
    );
  });

  it('every filter narrows the leads counted, and a filter naming nothing counts none', async () => {
    const s = await scenario();
    const created = async (query: string) =>
      (await report(s.o.till, 'funnel', query)).total.created;
    assert.equal(await created(`entityType=STORE&entityCode=${s.store2.code}`), 2);
    assert.equal(await created(`entityType=ZONE&entityCode=${s.o.zone.code}`), 6);
    assert.equal(await created(`entityType=STORE&entityCode=no-such-store`), 0);
    assert.equal(await created('type=BRAND'), 1);
    assert.equal(await created(`owner=${s.o.associate.id}`), 1);
    assert.equal(await created('orgSourceId=1'), 1);
    // `from` is inclusive, `to` exclusive.
    assert.equal(await created('from=2026-02-01T10:00:00Z'), 6);
    assert.equal(await created('from=2026-02-01T10:00:01Z'), 5);
    assert.equal(await created('to=2026-02-01T10:00:00Z'), 0);
    assert.equal(await created('to=2026-02-01T10:00:01%2B00:00'), 1);
  });

  it('groups by zone, owner, channel, type, leadFor, week and month', async () => {
    const s = await scenario();
    const groups = async (groupBy: string) =>
      (await report(s.o.till, 'funnel', `groupBy=${groupBy}`)).groups.map((g: any) => [
        g.group,
        g.created,
      ]);
    assert.deepEqual(await groups('zone'), [[s.o.zone.code, 6]]);
    // Largest group first, so the five leads without an owner (the null group) lead here.
    assert.deepEqual(await groups('owner'), [
      [null, 5],
      [s.o.associate.code, 1],
    ]);
    assert.deepEqual(await groups('channel'), [
      ['INSTORE', 5],
      ['FACEBOOK', 1],
    ]);
    assert.deepEqual(await groups('type'), [
      ['SKU', 4],
      ['BRAND', 1],
      ['CATEGORY', 1],
    ]);
    assert.deepEqual(await groups('leadFor'), [
      ['JKT-M', 4],
      ['Acme', 1],
      ['Shoes', 1],
    ]);
    // Weeks start on Monday; weeks and months are listed in time order.
    assert.deepEqual(await groups('week'), [
      ['2026-01-26', 1],
      ['2026-03-02', 5],
    ]);
    assert.deepEqual(await groups('month'), [
      ['2026-02', 1],
      ['2026-03', 5],
    ]);
  });

  it('weeks and months follow the org’s time zone', async () => {
    const o = await newOrg(t.ctx);
    // Saturday 28 February 20:00 UTC is Sunday 1 March 01:30 in Kolkata: a new month there.
    // Sunday 1 March 20:00 UTC is Monday 2 March 01:30 in Kolkata: a new week there.
    await newLead(t.app, o.till, { createdOn: '2026-02-28T20:00:00Z' });
    await newLead(t.app, o.till, { createdOn: '2026-03-01T20:00:00Z' });
    const groups = async (groupBy: string) => {
      const body = await report(o.till, 'funnel', `groupBy=${groupBy}`);
      return [body.timeZone, ...body.groups.map((g: any) => [g.group, g.created])];
    };
    assert.deepEqual(await groups('month'), ['UTC', ['2026-02', 1], ['2026-03', 1]]);
    assert.deepEqual(await groups('week'), ['UTC', ['2026-02-23', 2]]);
    const set = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', {
      timeZone: 'Asia/Kolkata',
    });
    assert.equal(set.status, 200, set.raw);
    assert.deepEqual(await groups('month'), ['Asia/Kolkata', ['2026-03', 2]]);
    assert.deepEqual(await groups('week'), ['Asia/Kolkata', ['2026-02-23', 1], ['2026-03-02', 1]]);
    // New York is behind UTC: Saturday 20:00 UTC is still Saturday 15:00 there.
    await send(t.app, o.admin, 'PUT', '/v2/admin/settings', { timeZone: 'America/New_York' });
    assert.deepEqual(await groups('month'), ['America/New_York', ['2026-02', 1], ['2026-03', 1]]);
  });

  it('win rate: WON / (WON + LOST) of closed leads, by cohort and by store', async () => {
    const s = await scenario();
    const body = await report(s.o.till, 'win-rate', 'groupBy=store');
    assert.deepEqual(body.total, { group: null, won: 1, lost: 3, closed: 4, winRate: 0.25 });
    assert.deepEqual(body.groups, [
      { group: s.o.store.code, won: 1, lost: 2, closed: 3, winRate: 0.3333 },
      { group: s.store2.code, won: 0, lost: 1, closed: 1, winRate: 0 },
    ]);
    // The February cohort has no closed lead: it is not a group.
    const byMonth = await report(s.o.till, 'win-rate', 'groupBy=month');
    assert.deepEqual(byMonth.groups, [
      { group: '2026-03', won: 1, lost: 3, closed: 4, winRate: 0.25 },
    ]);
  });

  it('time in status: stays, open ages, first follow-up, creation to WON and LOST', async () => {
    const o = await newOrg(t.ctx);
    const apiCall = await reasonIdOf(t.app, o.till, 'APICALL');
    const start = clock.ms - 24 * HOUR;
    const at = (hours: number) => new Date(start + hours * HOUR).toISOString();
    const lead = (overrides: Record<string, unknown>) =>
      newLead(t.app, o.till, { createdOn: at(0), ...overrides });
    const dated = async (l: { id: number }, status: string, hours: number) => {
      const response = await send(t.app, o.till, 'PUT', `/v2/leads/${l.id}/status`, {
        status,
        reasonId: apiCall,
        createdOn: at(hours),
      });
      assert.equal(response.status, 200, response.raw);
    };
    const followUp = async (l: { id: number }, hours: number) => {
      const response = await send(t.app, o.till, 'POST', `/v2/leads/${l.id}/followup`, {
        followedUpOn: at(hours),
        createdBy: o.till.id,
      });
      assert.equal(response.status, 200, response.raw);
    };
    // Now is hour 24. A: OPEN 2 h, ON_HOLD 4 h, WON since hour 6; followed up at hour 3.
    const a = await lead({ type: 'SKU' });
    await dated(a, 'ON_HOLD', 2);
    await dated(a, 'WON', 6);
    await followUp(a, 3);
    // B: OPEN 10 h, LOST since hour 10; a follow-up dated before its creation counts as at once.
    const b = await lead({ type: 'BRAND' });
    await dated(b, 'LOST', 10);
    await followUp(b, -1);
    // C: created at hour 12, OPEN since.
    await lead({ type: 'SKU', createdOn: at(12) });
    // D: created ON_HOLD, OPEN at hour 1, OPEN again at hour 3 (one stay), ON_HOLD since hour 8.
    const d = await lead({ type: 'SKU', status: 'ON_HOLD' });
    await dated(d, 'OPEN', 1);
    await dated(d, 'OPEN', 3);
    await dated(d, 'ON_HOLD', 8);

    const body = await report(o.till, 'time-in-status', 'groupBy=type');
    const none = { count: 0, p50Hours: null, p90Hours: null, meanHours: null };
    const one = (h: number) => ({ count: 1, p50Hours: h, p90Hours: h, meanHours: h });
    assert.deepEqual(body.total, {
      group: null,
      leads: 4,
      statuses: [
        // Stays of 2, 10 and 7 h: the median is 7, p90 7 + 0.8 × 3.
        {
          status: 'OPEN',
          closed: { count: 3, p50Hours: 7, p90Hours: 9.4, meanHours: 6.33 },
          open: one(12),
        },
        {
          status: 'ON_HOLD',
          closed: { count: 2, p50Hours: 2.5, p90Hours: 3.7, meanHours: 2.5 },
          open: one(16),
        },
        { status: 'WON', closed: none, open: one(18) },
        { status: 'LOST', closed: none, open: one(14) },
        { status: 'DELETED', closed: none, open: none },
      ],
      firstFollowUp: { count: 2, p50Hours: 1.5, p90Hours: 2.7, meanHours: 1.5, withoutFollowUp: 2 },
      creationToWon: one(6),
      creationToLost: one(10),
    });
    assert.deepEqual(
      body.groups.map((g: any) => [g.group, g.leads, g.statuses[0].closed.count]),
      [
        ['SKU', 3, 2],
        ['BRAND', 1, 1],
      ],
    );
    const csv = await t.app.inject({
      method: 'GET',
      url: '/v2/analytics/time-in-status',
      headers: { ...o.till.headers, accept: 'text/csv' },
    });
    const lines = csv.body.trimEnd().split('\r\n');
    assert.equal(lines[0], 'group,leads,measure,count,p50Hours,p90Hours,meanHours');
    assert.equal(lines[1], ',4,OPEN.closed,3,7,9.4,6.33');
    assert.ok(lines.includes(',4,withoutFollowUp,2,,,'), csv.body);
    assert.equal(lines.length, 1 + 5 * 2 + 4);
  });

  it('time in status: a lead’s stays in a status add up; stores, zones, weeks and months are the org’s', async () => {
    const o = await newOrg(t.ctx);
    const store2 = await o.entity('STORE', o.zone);
    const till2 = await o.entity('TILL', store2, true);
    const apiCall = await reasonIdOf(t.app, o.till, 'APICALL');
    const zone = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', {
      timeZone: 'America/New_York',
    });
    assert.equal(zone.status, 200, zone.raw);
    const iso = (instant: number) => new Date(instant).toISOString();
    const dated = async (who: Login, l: { id: number }, status: string, instant: number) => {
      const response = await send(t.app, who, 'PUT', `/v2/leads/${l.id}/status`, {
        status,
        reasonId: apiCall,
        createdOn: iso(instant),
      });
      assert.equal(response.status, 200, response.raw);
    };
    // Now is 2026-03-02T12:00Z. New York is UTC-4 until 2025-11-02T06:00Z, UTC-5 after.
    // E: 2025-11-01 00:30 local (a Saturday: week of 2025-10-27), still OPEN.
    await newLead(t.app, o.till, { createdOn: '2025-11-01T04:30:00Z' });
    // A: 2026-02-28 23:30 local (the offset of 2025-11-01 would make it March 1st): OPEN 1 h,
    // ON_HOLD 1 h, OPEN 2 h more (3 h in all, one figure), WON since.
    const aOn = Date.parse('2026-03-01T04:30:00Z');
    const a = await newLead(t.app, o.till, { createdOn: iso(aOn) });
    await dated(o.till, a, 'ON_HOLD', aOn + HOUR);
    await dated(o.till, a, 'OPEN', aOn + 2 * HOUR);
    await dated(o.till, a, 'WON', aOn + 4 * HOUR);
    // B (store 2): 2026-03-01 01:00 local, a Sunday; OPEN 5 h, LOST since.
    const bOn = Date.parse('2026-03-01T06:00:00Z');
    const b = await newLead(t.app, till2, { createdOn: iso(bOn) });
    await dated(till2, b, 'LOST', bOn + 5 * HOUR);
    // C: 2026-03-02 01:00 local, a Monday; OPEN for 6 h now.
    await newLead(t.app, o.till, { createdOn: '2026-03-02T06:00:00Z' });

    const openClosed = (row: any) => row.statuses[0].closed;
    const total = (await report(o.till, 'time-in-status')).total;
    assert.deepEqual(openClosed(total), { count: 2, p50Hours: 4, p90Hours: 4.8, meanHours: 4 });
    assert.deepEqual(total.statuses[1].closed, {
      count: 1,
      p50Hours: 1,
      p90Hours: 1,
      meanHours: 1,
    });
    const groups = async (groupBy: string) =>
      (await report(o.till, 'time-in-status', `groupBy=${groupBy}`)).groups.map((g: any) => [
        g.group,
        g.leads,
        openClosed(g).count,
        openClosed(g).p50Hours,
        g.statuses[0].open.p50Hours !== null,
      ]);
    assert.deepEqual(await groups('store'), [
      [o.store.code, 3, 1, 3, true],
      [store2.code, 1, 1, 5, false],
    ]);
    // One zone: its percentiles are its leads', not its stores' summed.
    assert.deepEqual(await groups('zone'), [[o.zone.code, 4, 2, 4, true]]);
    assert.deepEqual(await groups('week'), [
      ['2025-10-27', 1, 0, null, true],
      ['2026-02-23', 2, 2, 4, false],
      ['2026-03-02', 1, 0, null, true],
    ]);
    assert.deepEqual(await groups('month'), [
      ['2025-11', 1, 0, null, true],
      ['2026-02', 1, 1, 3, false],
      ['2026-03', 2, 1, 5, true],
    ]);
    // The funnel folds its counts by the calendar instead: the same weeks and months.
    for (const groupBy of ['week', 'month']) {
      const funnel = await report(o.till, 'funnel', `groupBy=${groupBy}`);
      assert.deepEqual(
        funnel.groups.map((g: any) => [g.group, g.created]),
        (await groups(groupBy)).map(([group, leads]: any) => [group, leads]),
      );
    }
  });

  it('follow-ups: due today and overdue in the org’s day, done on time or late, auto-closed share', async () => {
    const o = await newOrg(t.ctx);
    const apiCall = await reasonIdOf(t.app, o.till, 'APICALL');
    const settings = async (body: Record<string, unknown>) => {
      const response = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', body);
      assert.equal(response.status, 200, response.raw);
    };
    // E is left alone and auto-closed (the system closes it: -1).
    await settings({ autoCloseDays: 30 });
    const e = await newLead(t.app, o.till);
    const closed = await autoClose(t.ctx, {
      orgId: o.org.id,
      asOf: clock.ms + 40 * 24 * HOUR,
      dryRun: false,
    });
    assert.deepEqual(closed.closed, [e.id]);
    await settings({ autoCloseDays: null, timeZone: 'Asia/Kolkata' });
    const won = async (lead: { id: number }) => {
      const response = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
        status: 'WON',
        reasonId: apiCall,
      });
      assert.equal(response.status, 200, response.raw);
    };
    await won(await newLead(t.app, o.till));
    // Now is Monday 2 March 12:00 UTC, 17:30 in Kolkata, whose day ends at 18:30 UTC.
    const a = await newLead(t.app, o.till, { nextFollowUp: '2026-03-02T15:00:00Z' });
    await newLead(t.app, o.till, { nextFollowUp: '2026-03-02T20:00:00Z' });
    await newLead(t.app, o.till, { nextFollowUp: '2026-03-02T06:00:00Z' });
    await newLead(t.app, o.till, { nextFollowUp: '2026-02-26T12:00:00Z' });
    await newLead(t.app, o.till, { nextFollowUp: '2026-02-01T00:00:00Z', status: 'ON_HOLD' });
    await won(await newLead(t.app, o.till, { nextFollowUp: '2026-02-28T12:00:00Z' }));
    const followUp = async (followedUpOn: string, scheduledFollowUp?: string) => {
      const response = await send(t.app, o.till, 'POST', `/v2/leads/${a.id}/followup`, {
        followedUpOn,
        createdBy: o.till.id,
        ...(scheduledFollowUp === undefined ? {} : { scheduledFollowUp }),
      });
      assert.equal(response.status, 200, response.raw);
    };
    // Scheduled for 1 March (Kolkata), whose day ends at 18:30 UTC: on time, then late by 0.5 h.
    await followUp('2026-03-01T18:00:00Z', '2026-03-01T10:00:00Z');
    await followUp('2026-03-01T19:00:00Z', '2026-03-01T10:00:00Z');
    await followUp('2026-03-01T20:00:00Z');
    // Scheduled for 27 February (Kolkata), done at 06:00 the next day there: late by 6 h.
    await followUp('2026-02-28T00:30:00Z', '2026-02-27T00:00:00Z');

    const body = await report(o.till, 'follow-ups', 'groupBy=store');
    assert.equal(body.timeZone, 'Asia/Kolkata');
    const expected = {
      dueToday: 1,
      overdue: { count: 3, upTo1Day: 1, upTo3Days: 0, upTo7Days: 1, moreThan7Days: 1 },
      done: { onTime: 1, late: 2, unscheduled: 1, onTimeShare: 0.3333, lateP50Hours: 3.25 },
      autoClose: { closed: 3, autoClosed: 1, share: 0.3333 },
    };
    assert.deepEqual(body.total, { group: null, ...expected });
    assert.deepEqual(body.groups, [{ group: o.store.code, ...expected }]);
    // In UTC the day ends at midnight: the 20:00 follow-up is due today, and the second
    // follow-up of 1 March was on time.
    await settings({ timeZone: null });
    const utc = await report(o.till, 'follow-ups');
    assert.equal(utc.total.dueToday, 2);
    assert.deepEqual(
      [utc.total.done.onTime, utc.total.done.late, utc.total.done.lateP50Hours],
      [2, 1, 0.5],
    );

    // In New York (EST) 1 March ends at 05:00 UTC on the 2nd, 26 February at 05:00 UTC on the
    // 27th: the first two are on time, the third late by 19.5 h.
    await settings({ timeZone: 'America/New_York' });
    const doneIn = async (groupBy: string) => {
      const body = await report(o.till, 'follow-ups', `groupBy=${groupBy}`);
      return [body.total.done, ...body.groups.map((g: { done: unknown }) => g.done)];
    };
    const newYork = { onTime: 2, late: 1, unscheduled: 1, onTimeShare: 0.6667, lateP50Hours: 19.5 };
    assert.deepEqual(await doneIn('store'), [newYork, newYork]);
    // Scheduled for 2045 and done now: on time, further ahead than the store's day ends reach.
    await followUp('2026-03-01T22:00:00Z', '2045-01-01T12:00:00Z');
    const withFuture = { ...newYork, onTime: 3, onTimeShare: 0.75 };
    assert.deepEqual(await doneIn('store'), [withFuture, withFuture]);
    // Scheduled for 1985 and done before it: on time, whichever its day.
    await followUp('1985-05-01T22:00:00Z', '1985-06-01T12:00:00Z');
    const withEarly = { ...newYork, onTime: 4, onTimeShare: 0.8 };
    assert.deepEqual(await doneIn('store'), [withEarly, withEarly]);
    // Scheduled for 4 July 1990 (EDT, ending at 04:00 UTC on the 5th): further back than the
    // store's day ends reach (30 years), so the report places every follow-up in the process.
    await followUp('2026-03-01T21:00:00Z', '1990-07-04T12:00:00Z');
    const lateBy1990 = Date.parse('2026-03-01T21:00:00Z') - Date.parse('1990-07-05T04:00:00Z');
    const withPast = {
      onTime: 4,
      late: 2,
      unscheduled: 1,
      onTimeShare: 0.6667,
      lateP50Hours: Math.round(((19.5 * HOUR + lateBy1990) / 2 / HOUR) * 100) / 100,
    };
    for (const groupBy of ['store', 'week', 'owner', 'type']) {
      assert.deepEqual(await doneIn(groupBy), [withPast, withPast], groupBy);
    }
  });

  it('lost reasons: by reason and sub-status, sorted, with shares, per group', async () => {
    const s = await scenario();
    const body = await report(s.o.till, 'lost-reasons', 'groupBy=store');
    assert.deepEqual(body.total, {
      group: null,
      lost: 3,
      reasons: [
        { reason: 'Bought elsewhere', subStatus: null, count: 1, share: 0.3333 },
        { reason: 'Size not in stock', subStatus: null, count: 1, share: 0.3333 },
        { reason: 'Size not in stock', subStatus: 'NoSize', count: 1, share: 0.3333 },
      ],
    });
    assert.deepEqual(body.groups, [
      {
        group: s.o.store.code,
        lost: 2,
        reasons: [
          { reason: 'Size not in stock', subStatus: null, count: 1, share: 0.5 },
          { reason: 'Size not in stock', subStatus: 'NoSize', count: 1, share: 0.5 },
        ],
      },
      {
        group: s.store2.code,
        lost: 1,
        reasons: [{ reason: 'Bought elsewhere', subStatus: null, count: 1, share: 1 }],
      },
    ]);
    const byReason = await report(s.o.till, 'lost-reasons', 'groupBy=reason');
    assert.deepEqual(
      byReason.groups.map((g: any) => [g.group, g.lost]),
      [
        ['Size not in stock', 2],
        ['Bought elsewhere', 1],
      ],
    );
  });

  it('demand: lost for a "not available" reason or still open, ranked, with the stores asking most', async () => {
    const s = await scenario();
    const body = await report(s.o.till, 'demand');
    // L2 and L6 (lost, not available, store 1) and L4 (open, store 2); L3's reason is not marked.
    assert.deepEqual(body.total, {
      group: null,
      count: 3,
      items: [
        {
          type: 'SKU',
          leadFor: 'JKT-M',
          count: 3,
          lost: 2,
          open: 1,
          topStores: [
            { store: s.o.store.code, count: 2 },
            { store: s.store2.code, count: 1 },
          ],
        },
      ],
    });
    assert.deepEqual(body.groups, []);
    // Marking "Bought elsewhere" as not available adds L3 as lost demand.
    const marked = await send(t.app, s.o.admin, 'PUT', `/v2/admin/reasons/${s.boughtElsewhere}`, {
      notAvailable: true,
    });
    assert.equal(marked.status, 200, marked.raw);
    const after = await report(s.o.till, 'demand', 'groupBy=store');
    // Two stores of two leads each: a tie, listed by store code.
    assert.deepEqual(
      after.groups.map((g: any) => g.group),
      [s.o.store.code, s.store2.code].sort(),
    );
    assert.deepEqual(
      Object.fromEntries(
        after.groups.map((g: any) => [
          g.group,
          [g.count, g.items.map((i: any) => [i.leadFor, i.count])],
        ]),
      ),
      {
        [s.o.store.code]: [2, [['JKT-M', 2]]],
        // Ties by type, then leadFor: BRAND before SKU.
        [s.store2.code]: [
          2,
          [
            ['Acme', 1],
            ['JKT-M', 1],
          ],
        ],
      },
    );
  });

  it('summary: the headline numbers of the other reports, in one call', async () => {
    const s = await scenario();
    const body = await report(s.o.associate, 'summary');
    assert.deepEqual(body, {
      timeZone: 'UTC',
      leads: { created: 6, open: 1, won: 1, lost: 3 },
      winRate: 0.25,
      // The clock stands still in this test: L1 was won the instant it was created.
      creationToWonP50Hours: 0,
      followUps: { dueToday: 0, overdue: 0, onTimeShare: null },
      autoClosedShare: 0,
      topLostReason: { reason: 'Bought elsewhere', count: 1, share: 0.3333 },
      topDemand: { type: 'SKU', leadFor: 'JKT-M', count: 3 },
    });
    const store2 = await report(
      s.o.till,
      'summary',
      `entityType=STORE&entityCode=${s.store2.code}`,
    );
    assert.deepEqual(store2.leads, { created: 2, open: 1, won: 0, lost: 1 });
    assert.equal(store2.topDemand.count, 1);
    const csv = await t.app.inject({
      method: 'GET',
      url: '/v2/analytics/summary',
      headers: { ...s.o.till.headers, accept: 'text/csv' },
    });
    assert.equal(
      csv.body.split('\r\n')[1],
      '6,1,1,3,0.25,0,0,0,,0,Bought elsewhere,1,0.3333,SKU,JKT-M,3',
    );
    const empty = await newOrg(t.ctx);
    const none = await report(empty.till, 'summary');
    assert.equal(none.topLostReason, null);
    assert.equal(none.topDemand, null);
    assert.equal(none.winRate, null);
  });

  it('an org without leads gets zeros and null ratios, never another org’s figures', async () => {
    await scenario();
    const empty = await newOrg(t.ctx);
    const funnel = await report(empty.till, 'funnel', 'groupBy=store');
    assert.deepEqual(funnel.total, {
      group: null,
      created: 0,
      reached: { onHold: 0, won: 0, lost: 0, deleted: 0 },
      current: { open: 0, onHold: 0, won: 0, lost: 0, deleted: 0 },
      conversion: {
        createdToOnHold: null,
        onHoldToWon: null,
        createdToWon: null,
        createdToLost: null,
      },
    });
    assert.deepEqual(funnel.groups, []);
    assert.deepEqual((await report(empty.till, 'win-rate')).total.winRate, null);
    assert.deepEqual((await report(empty.till, 'lost-reasons')).total, {
      group: null,
      lost: 0,
      reasons: [],
    });
    assert.deepEqual((await report(empty.till, 'demand')).total, {
      group: null,
      count: 0,
      items: [],
    });
  });

  it('another org’s leads never count, even with the same codes, items and reasons', async () => {
    const s = await scenario();
    const query = (name: string) =>
      ['', 'groupBy=store', 'groupBy=leadFor', 'groupBy=month'].map((q) => `${name}?${q}`);
    const all = ['funnel', 'win-rate', 'time-in-status', 'lost-reasons', 'demand'].flatMap(query);
    // One after another: the org's read budget queues reports (and refuses a pile of them).
    const snapshot = async () => {
      const reports: Array<[string, unknown]> = [];
      for (const url of all) {
        const response = await send(t.app, s.o.till, 'GET', `/v2/analytics/${url}`);
        assert.equal(response.status, 200, response.raw);
        reports.push([url, response.body.data]);
      }
      return reports;
    };
    const before = await snapshot();
    // A second org with the same history: same items, a reason of the same text marked.
    const other = await scenario();
    assert.deepEqual(await snapshot(), before);
    const otherStore = `entityType=STORE&entityCode=${other.o.store.code}`;
    assert.equal((await report(s.o.till, 'funnel', otherStore)).total.created, 0);
    assert.equal((await report(other.o.till, 'funnel', otherStore)).total.created, 4);
  });

  it('answers CSV for Accept: text/csv, one row per group, formulas defused', async () => {
    const o = await newOrg(t.ctx);
    await newLead(t.app, o.till, { leadFor: '=HYPERLINK("http://x","y")' });
    await newLead(t.app, o.till, { leadFor: 'Plain, with comma' });
    const response = await t.app.inject({
      method: 'GET',
      url: '/v2/analytics/funnel?groupBy=leadFor',
      headers: { ...o.till.headers, accept: 'text/csv' },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^text\/csv/);
    const lines = response.body.trimEnd().split('\r\n');
    assert.equal(
      lines[0],
      'group,created,reached.onHold,reached.won,reached.lost,reached.deleted,current.open,' +
        'current.onHold,current.won,current.lost,current.deleted,conversion.createdToOnHold,' +
        'conversion.onHoldToWon,conversion.createdToWon,conversion.createdToLost',
    );
    assert.deepEqual(lines.slice(1).sort(), [
      `"'=HYPERLINK(""http://x"",""y"")",1,0,0,0,0,1,0,0,0,0,0,,0,0`,
      '"Plain, with comma",1,0,0,0,0,1,0,0,0,0,0,,0,0',
    ]);
    // Without groupBy the one row is the total, with an empty group.
    const total = await t.app.inject({
      method: 'GET',
      url: '/v2/analytics/win-rate',
      headers: { ...o.till.headers, accept: 'text/csv' },
    });
    assert.equal(total.body, 'group,won,lost,closed,winRate\r\n,0,0,0,\r\n');
  });

  it('lost reasons and demand are one CSV row per reason or item; Accept qualities are honoured', async () => {
    const s = await scenario();
    const csv = async (name: string, accept: string) =>
      t.app.inject({
        method: 'GET',
        url: `/v2/analytics/${name}`,
        headers: { ...s.o.till.headers, accept },
      });
    const lost = await csv('lost-reasons?groupBy=store', 'text/csv');
    assert.equal(lost.headers.vary, 'Accept');
    assert.equal(
      lost.body,
      [
        'group,reason,subStatus,count,share',
        `${s.o.store.code},Size not in stock,,1,0.5`,
        `${s.o.store.code},Size not in stock,NoSize,1,0.5`,
        `${s.store2.code},Bought elsewhere,,1,1`,
        '',
      ].join('\r\n'),
    );
    const demand = await csv('demand', 'text/csv');
    assert.equal(
      demand.body,
      [
        'group,type,leadFor,count,lost,open,topStores',
        `,SKU,JKT-M,3,2,1,${s.o.store.code}:2;${s.store2.code}:1`,
        '',
      ].join('\r\n'),
    );
    // JSON unless CSV is preferred: no Accept, */*, JSON first, or CSV refused with q=0.
    for (const accept of [
      '*/*',
      'application/json',
      'application/json, text/csv;q=0.5',
      'text/csv;q=0',
    ]) {
      const response = await csv('demand', accept);
      assert.match(String(response.headers['content-type']), /^application\/json/, accept);
      assert.equal(response.headers.vary, 'Accept');
    }
    const preferred = await csv('demand', 'application/json;q=0.5, text/csv');
    assert.match(String(preferred.headers['content-type']), /^text\/csv/);
  });

  it('refuses bad filters with 400 naming the field', async () => {
    const o = await newOrg(t.ctx);
    const cases: Array<[string, string, RegExp]> = [
      ['funnel?groupBy=reason', 'FIELD_INVALID_VALUE', /^groupBy: funnel groups by/],
      ['win-rate?groupBy=reason', 'FIELD_INVALID_VALUE', /^groupBy:/],
      ['time-in-status?groupBy=reason', 'FIELD_INVALID_VALUE', /^groupBy:/],
      ['follow-ups?groupBy=reason', 'FIELD_INVALID_VALUE', /^groupBy:/],
      ['summary?groupBy=store', 'FIELD_INVALID_VALUE', /^groupBy: summary is not grouped/],
      ['funnel?groupBy=day', 'FIELD_INVALID_VALUE', /groupBy/],
      ['demand?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', 'FIELD_INVALID_VALUE', /^to:/],
      ['funnel?entityType=STORE', 'FIELD_CONFLICT', /entityType and entityCode/],
      ['lost-reasons?from=yesterday', 'FIELD_INVALID_DATE_TIME', /from/],
      ['funnel?owner=0', 'FIELD_INVALID_VALUE', /owner/],
    ];
    for (const [query, name, message] of cases) {
      const response = await send(t.app, o.till, 'GET', `/v2/analytics/${query}`);
      assertErrorsMatching(response, 400, [{ code: codeOf(name as ErrorName), field: message }]);
    }
    const anonymous = await send(t.app, undefined, 'GET', '/v2/analytics/funnel');
    assert.equal(anonymous.status, 401);
  });
});
