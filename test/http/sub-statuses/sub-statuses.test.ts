import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, unique, type TestOrg } from '../../helpers/factories.js';
import { assertErrorsMatching } from '../../helpers/fixtures.js';

const ADD = '/v2/leads/substatus';
const LIST = '/v2/leads/substatuses';
const STATUSES = ['OPEN', 'WON', 'LOST', 'ON_HOLD', 'DELETED'] as const;

describe('sub-statuses', () => {
  const t = useTestApp();

  async function list(o: TestOrg) {
    const response = await send(t.app, o.till, 'GET', LIST);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.warnings, []);
    assert.deepEqual(response.body.errors, []);
    return response.body.data as Array<{ status: string; subStatus: string }>;
  }

  it('a new org has none', async () => {
    const o = await newOrg(t.ctx);
    assert.deepEqual(await list(o), []);
  });

  it('adds a sub-status, answers {status, subStatus, warnings} and lists it', async () => {
    const o = await newOrg(t.ctx);
    const response = await send(t.app, o.admin, 'POST', ADD, {
      status: 'ON_HOLD',
      subStatus: 'AwaitingStock',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      status: 'ON_HOLD',
      subStatus: 'AwaitingStock',
      warnings: [],
    });
    assert.deepEqual(await list(o), [{ status: 'ON_HOLD', subStatus: 'AwaitingStock' }]);
  });

  it('accepts every lead status', async () => {
    const o = await newOrg(t.ctx);
    for (const status of STATUSES) {
      const response = await send(t.app, o.admin, 'POST', ADD, { status, subStatus: 'Sub' });
      assert.equal(response.status, 200, `${status}: ${response.raw}`);
      assert.deepEqual(response.body.warnings, []);
    }
    const listed = await list(o);
    assert.equal(listed.length, STATUSES.length);
    assert.deepEqual(listed.map((s) => s.status).sort(), [...STATUSES].sort());
    for (const item of listed) {
      assert.deepEqual(Object.keys(item).sort(), ['status', 'subStatus']);
      assert.equal(item.subStatus, 'Sub');
    }
  });

  it('a pair that exists already is a warning (2003), not an error, and is not added twice', async () => {
    const o = await newOrg(t.ctx);
    await send(t.app, o.admin, 'POST', ADD, { status: 'LOST', subStatus: 'PriceIssue' });
    const again = await send(t.app, o.till, 'POST', ADD, {
      status: 'LOST',
      subStatus: 'PriceIssue',
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'LOST');
    assert.equal(again.body.subStatus, 'PriceIssue');
    assert.equal(again.body.warnings.length, 1);
    assert.equal(again.body.warnings[0].code, 2003);
    assert.equal(again.body.warnings[0].status, false);
    assert.match(again.body.warnings[0].message, /PriceIssue/);
    assert.equal(again.body.errors, undefined);
    assert.deepEqual(await list(o), [{ status: 'LOST', subStatus: 'PriceIssue' }]);
  });

  it('the same name under another status is another pair', async () => {
    const o = await newOrg(t.ctx);
    await send(t.app, o.admin, 'POST', ADD, { status: 'ON_HOLD', subStatus: 'Pending' });
    const other = await send(t.app, o.admin, 'POST', ADD, { status: 'LOST', subStatus: 'Pending' });
    assert.equal(other.status, 200);
    assert.deepEqual(other.body.warnings, []);
    const listed = await list(o);
    assert.equal(listed.length, 2);
    assert.deepEqual(listed.map((s) => `${s.status}/${s.subStatus}`).sort(), [
      'LOST/Pending',
      'ON_HOLD/Pending',
    ]);
  });

  it('ignores and reports unknown fields', async () => {
    const o = await newOrg(t.ctx);
    const response = await send(t.app, o.admin, 'POST', ADD, {
      status: 'WON',
      subStatus: 'BoughtInStore',
      colour: 'red',
    });
    assert.equal(response.status, 200);
    assert.equal(response.body.colour, undefined);
    assert.equal(response.body.warnings.length, 1);
    assert.equal(response.body.warnings[0].code, 2001);
    assert.match(response.body.warnings[0].message, /colour/);
    assert.deepEqual(await list(o), [{ status: 'WON', subStatus: 'BoughtInStore' }]);
  });

  it('keeps each org’s sub-statuses to itself', async () => {
    const a = await newOrg(t.ctx);
    const b = await newOrg(t.ctx);
    const name = unique('OnlyA');
    await send(t.app, a.admin, 'POST', ADD, { status: 'ON_HOLD', subStatus: name });
    assert.deepEqual(await list(b), []);

    // B adding the same pair is new for B: no warning.
    const inB = await send(t.app, b.admin, 'POST', ADD, { status: 'ON_HOLD', subStatus: name });
    assert.equal(inB.status, 200);
    assert.deepEqual(inB.body.warnings, []);
    assert.deepEqual(await list(b), [{ status: 'ON_HOLD', subStatus: name }]);
    assert.deepEqual(await list(a), [{ status: 'ON_HOLD', subStatus: name }]);
  });

  it('a lead may use its org’s sub-status but not another org’s', async () => {
    const a = await newOrg(t.ctx);
    const b = await newOrg(t.ctx);
    const name = unique('Awaiting');
    await send(t.app, a.admin, 'POST', ADD, { status: 'ON_HOLD', subStatus: name });

    const lead = await newLead(t.app, a.till, { status: 'ON_HOLD', subStatus: name });
    assert.equal(lead.status, 'ON_HOLD');
    assert.equal(lead.subStatus, name);

    const refused = await send(t.app, b.till, 'POST', '/v2/leads', {
      leadFor: 'JKT-0192-M',
      idType: 'EMAIL',
      identifier: `${unique('shopper')}@example.com`,
      status: 'ON_HOLD',
      subStatus: name,
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.errors[0].code, 1109);
    assert.match(refused.body.errors[0].message, /subStatus/);

    // Configured for ON_HOLD only: not a sub-status of LOST.
    const wrongStatus = await send(t.app, a.till, 'POST', '/v2/leads', {
      leadFor: 'JKT-0192-M',
      idType: 'EMAIL',
      identifier: `${unique('shopper')}@example.com`,
      status: 'LOST',
      subStatus: name,
    });
    assert.equal(wrongStatus.status, 400);
    assert.equal(wrongStatus.body.errors[0].code, 1109);
  });

  it('needs credentials', async () => {
    const o = await newOrg(t.ctx);
    const get = await send(t.app, undefined, 'GET', LIST);
    assert.equal(get.status, 401);
    assert.equal(get.body.errors[0].code, 1003);
    const post = await send(t.app, undefined, 'POST', ADD, { status: 'WON', subStatus: 'X' });
    assert.equal(post.status, 401);
    assert.equal(post.body.errors[0].code, 1003);
    assert.deepEqual(await list(o), []);
  });

  describe('bad input is a 400 naming the field, and adds nothing', () => {
    const cases: Array<{
      name: string;
      body: unknown;
      errors: Array<{ code: number; field: RegExp }>;
    }> = [
      {
        name: 'status missing',
        body: { subStatus: 'X' },
        errors: [{ code: 1101, field: /status/ }],
      },
      {
        name: 'subStatus missing',
        body: { status: 'WON' },
        errors: [{ code: 1101, field: /subStatus/ }],
      },
      {
        name: 'both missing',
        body: {},
        errors: [
          { code: 1101, field: /^status\b/ },
          { code: 1101, field: /subStatus/ },
        ],
      },
      {
        name: 'status not one of the enum',
        body: { status: 'CLOSED', subStatus: 'X' },
        errors: [{ code: 1103, field: /status/ }],
      },
      {
        name: 'status in lowercase',
        body: { status: 'on_hold', subStatus: 'X' },
        errors: [{ code: 1103, field: /status/ }],
      },
      {
        name: 'status a number',
        body: { status: 1, subStatus: 'X' },
        errors: [{ code: 1102, field: /status/ }],
      },
      {
        name: 'subStatus empty',
        body: { status: 'WON', subStatus: '' },
        errors: [{ code: 1103, field: /subStatus/ }],
      },
      {
        name: 'subStatus blank',
        body: { status: 'WON', subStatus: '   ' },
        errors: [{ code: 1103, field: /subStatus/ }],
      },
      {
        name: 'subStatus too long',
        body: { status: 'WON', subStatus: 'x'.repeat(1000) },
        errors: [{ code: 1103, field: /subStatus/ }],
      },
      {
        name: 'subStatus a number',
        body: { status: 'WON', subStatus: 12 },
        errors: [{ code: 1102, field: /subStatus/ }],
      },
      {
        name: 'subStatus null',
        body: { status: 'WON', subStatus: null },
        errors: [{ code: 1102, field: /subStatus/ }],
      },
      {
        name: 'both wrong',
        body: { status: 'CLOSED', subStatus: 12 },
        errors: [
          { code: 1103, field: /^status\b/ },
          { code: 1102, field: /subStatus/ },
        ],
      },
      {
        name: 'body an array',
        body: [{ status: 'WON', subStatus: 'X' }],
        errors: [{ code: 1102, field: /body/ }],
      },
      { name: 'body a string', body: 'WON', errors: [{ code: 1102, field: /body/ }] },
    ];

    for (const c of cases) {
      it(c.name, async () => {
        const o = await newOrg(t.ctx);
        await send(t.app, o.admin, 'POST', ADD, { status: 'OPEN', subStatus: 'Existing' });
        const before = await list(o);
        const response = await send(t.app, o.admin, 'POST', ADD, c.body);
        assertErrorsMatching(response, 400, c.errors);
        assert.deepEqual(await list(o), before);
      });
    }
  });
});
