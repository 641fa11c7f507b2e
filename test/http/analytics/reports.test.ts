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
    return response.body;
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
    // Leads without an owner are the null group, listed last.
    // Largest group first: the five leads without an owner are the null group.
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

  it('another org’s store in the filter counts nothing, like a store that does not exist', async () => {
    const s = await scenario();
    const other = await newOrg(t.ctx);
    await newLead(t.app, other.till);
    const query = `entityType=STORE&entityCode=${other.store.code}`;
    assert.equal((await report(s.o.till, 'funnel', query)).total.created, 0);
    assert.equal((await report(s.o.till, 'funnel')).total.created, 6);
    assert.equal((await report(other.till, 'funnel')).total.created, 1);
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

  it('refuses bad filters with 400 naming the field', async () => {
    const o = await newOrg(t.ctx);
    const cases: Array<[string, string, RegExp]> = [
      ['funnel?groupBy=reason', 'FIELD_INVALID_VALUE', /^groupBy: funnel groups by/],
      ['win-rate?groupBy=reason', 'FIELD_INVALID_VALUE', /^groupBy:/],
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
