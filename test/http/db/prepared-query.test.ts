import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { preparedQuery } from '../../../src/db/prepared-query.js';
import { TEST_STORE, createTestApp, type TestApp } from '../../helpers/app.js';
import { newOrg, unique } from '../../helpers/factories.js';

// Hot queries are compiled once and then only re-bound (docs/architecture.md). A re-bound query
// must answer exactly what the freshly built one would, on both stores and inside transactions.
describe(`prepared queries (${TEST_STORE})`, () => {
  let t: TestApp;
  let orgs: Array<{ id: number; name: string }>;
  before(async () => {
    t = await createTestApp();
    orgs = [(await newOrg(t.ctx)).org, (await newOrg(t.ctx)).org, (await newOrg(t.ctx)).org];
  });
  after(async () => {
    await t.close();
  });

  const orgNames = preparedQuery((db, p: { ids: number[]; after: number }) =>
    db
      .selectFrom('orgs')
      .select(['id', 'name'])
      .where('id', 'in', p.ids)
      .where('id', '>', p.after)
      .orderBy('id'),
  );

  it('binds each run’s own values, for every length of an array parameter', async () => {
    const [a, b, c] = orgs as [(typeof orgs)[0], (typeof orgs)[0], (typeof orgs)[0]];
    assert.deepEqual(await orgNames(t.ctx.store.db, { ids: [a.id], after: 0 }), [a]);
    assert.deepEqual(await orgNames(t.ctx.store.db, { ids: [b.id], after: 0 }), [b]);
    assert.deepEqual(await orgNames(t.ctx.store.db, { ids: [c.id, a.id, b.id], after: 0 }), [
      a,
      b,
      c,
    ]);
    assert.deepEqual(await orgNames(t.ctx.store.db, { ids: [c.id, a.id, b.id], after: a.id }), [
      b,
      c,
    ]);
    assert.deepEqual(await orgNames(t.ctx.store.db, { ids: [a.id, b.id], after: b.id }), []);
  });

  it('runs inside a transaction and sees its uncommitted writes', async () => {
    const name = unique('prepared');
    const seen = await t.ctx.store.transaction(async (trx) => {
      const row = await trx
        .insertInto('orgs')
        .values({ name, created_on: 0, auto_close_days: null, country_code: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      return orgNames(trx, { ids: [row.id], after: 0 });
    });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.name, name);
  });

  it('refuses a query whose shape depends on a parameter’s value', async () => {
    const branching = preparedQuery((db, p: { id: number; name: string }) =>
      // The name is never bound: a run with another name would silently answer this one.
      db.selectFrom('orgs').select('id').where('id', '=', p.id),
    );
    await assert.rejects(branching(t.ctx.store.db, { id: 1, name: 'x' }), /binds 1 of its 2/);
  });
});
