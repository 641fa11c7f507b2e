import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newOrg, send, unique } from '../../helpers/factories.js';
import { assertError } from '../../helpers/fixtures.js';
import { OrgReadBudget } from '../../../src/core/org-read-budget.js';
import { AppError } from '../../../src/core/errors.js';

/** Fairness between orgs (docs/rate-limits.md, "Between orgs"); the figures are the bench's. */
describe('the read budget of an org', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('makes one org’s large reads wait for each other while another org goes straight through', async () => {
    const budget = new OrgReadBudget(10);
    const started: string[] = [];
    const a1 = await budget.acquire(1, 10);
    started.push('a1');
    // Org 1's next two lists queue behind its first...
    const a2 = budget.acquire(1, 10).then((release) => (started.push('a2'), release));
    const a3 = budget.acquire(1, 10).then((release) => (started.push('a3'), release));
    await tick();
    assert.deepEqual(started, ['a1']);
    // ...while org 2 starts at once.
    const b1 = await budget.acquire(2, 10);
    started.push('b1');
    assert.deepEqual(started, ['a1', 'b1']);
    // Releases start the queue in order, one budget at a time.
    a1();
    const release2 = await a2;
    await tick();
    assert.deepEqual(started, ['a1', 'b1', 'a2']);
    release2();
    (await a3)();
    b1();
    assert.deepEqual(started, ['a1', 'b1', 'a2', 'a3']);
  });

  it('lets small reads share the budget and refuses a queue of more than four budgets', async () => {
    const budget = new OrgReadBudget(10);
    const small = await Promise.all(Array.from({ length: 10 }, () => budget.acquire(1, 1)));
    const waiting = Array.from({ length: 4 }, () => budget.acquire(1, 10));
    await assert.rejects(budget.acquire(1, 1), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.statusCode, 429);
      assert.equal(error.headers['retry-after'], '1');
      return true;
    });
    for (const release of small) release();
    for (const next of waiting) (await next)();
  });

  it('weighs a list by the leads it asks for, and is off at 0', async () => {
    assert.deepEqual(
      [1, 10, 100, 101, 1000].map((limit) => OrgReadBudget.listWeight(limit)),
      [1, 1, 1, 2, 10],
    );
    const off = new OrgReadBudget(0);
    const releases = await Promise.all(Array.from({ length: 100 }, () => off.acquire(1, 10)));
    assert.equal(releases.length, 100);
  });
});

describe('the cap on log-in entities of an org', () => {
  const t = useTestApp({ env: { ORG_MAX_LOGIN_ENTITIES: '5' } });

  it('refuses a sixth till with 409, by creation or by a first password, and spares other orgs', async () => {
    const o = await newOrg(t.ctx); // a till, an associate and an admin can log in
    const add = (code: string, password?: string) =>
      send(t.app, o.admin, 'POST', '/v2/admin/entities', {
        type: 'TILL',
        code,
        ...(password ? { password } : {}),
      });
    for (let i = 0; i < 2; i += 1) {
      assert.equal((await add(unique('till'), 'a-long-password')).status, 200);
    }
    assertError(await add(unique('till'), 'a-long-password'), 409, 'LOGIN_ENTITY_LIMIT', '5');
    // An entity without a password is no log-in, and is still allowed; giving it one is not.
    const plain = unique('till');
    assert.equal((await add(plain)).status, 200);
    const password = await send(t.app, o.admin, 'PUT', `/v2/admin/entities/${plain}`, {
      password: 'a-long-password',
    });
    assertError(password, 409, 'LOGIN_ENTITY_LIMIT', 'ORG_MAX_LOGIN_ENTITIES');
    const other = await newOrg(t.ctx);
    const theirs = await send(t.app, other.admin, 'POST', '/v2/admin/entities', {
      type: 'TILL',
      code: unique('till'),
      password: 'a-long-password',
    });
    assert.equal(theirs.status, 200, theirs.raw);
  });
});
