import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestApp, TEST_STORE, type TestApp } from './helpers/app.js';
import { listLeadsQuery, type LeadFilters, type LeadPage } from '../src/leads/lead.repository.js';

/**
 * Every filter and every sort of GET /v2/leads is served by an index: no full scan of leads and
 * no sort step on either store. On PostgreSQL, sequential and bitmap scans and sorts are made
 * unattractive for the EXPLAIN (the planner rightly prefers them on the test's tiny tables): a
 * plan that still scans or sorts has no index that could serve the query.
 */
const page = (sortBy: LeadPage['sortBy'] = 'id', direction: LeadPage['direction'] = 'asc') => ({
  sortBy,
  direction,
  limit: 10,
  offset: 20,
});

const cases: Array<[string, LeadFilters, LeadPage]> = [
  ['no filter', {}, page()],
  ['userId', { userId: 1 }, page()],
  ['status', { status: 'WON' }, page()],
  ['subStatus', { subStatus: 'AwaitingStock' }, page()],
  ['type', { type: 'BRAND' }, page()],
  ['owner', { ownerId: 1 }, page()],
  ['orgSourceId', { orgSourceId: -1 }, page()],
  ['entity subtree', { createdUnder: { type: 'STORE', code: 'x' } }, page()],
  ['sort createdOn', {}, page('created_on', 'desc')],
  ['sort lastUpdatedOn', {}, page('last_updated_on', 'asc')],
  ['id descending', {}, page('id', 'desc')],
];

describe(`lead list indexes (${TEST_STORE})`, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  for (const [name, filters, p] of cases) {
    it(`${name} uses an index and no sort`, async () => {
      const compiled = listLeadsQuery(t.ctx.store.db, 1, filters, p).compile();
      if (t.ctx.store.dialect === 'sqlite') {
        const plan = await t.ctx.store.db.executeQuery<{ detail: string }>({
          ...compiled,
          sql: `explain query plan ${compiled.sql}`,
        });
        const lines = plan.rows.map((r) => r.detail);
        const leadLines = lines.filter((l) => /\bleads\b/.test(l));
        assert.ok(leadLines.length > 0, lines.join('\n'));
        for (const line of leadLines) {
          assert.match(line, /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/, lines.join('\n'));
        }
        assert.ok(!lines.some((l) => l.includes('TEMP B-TREE FOR ORDER BY')), lines.join('\n'));
      } else {
        const plan = await t.ctx.store.db.connection().execute(async (conn) => {
          await sql`set enable_seqscan = off`.execute(conn);
          await sql`set enable_bitmapscan = off`.execute(conn);
          await sql`set enable_sort = off`.execute(conn);
          try {
            return await conn.executeQuery<{ 'QUERY PLAN': string }>({
              ...compiled,
              sql: `explain ${compiled.sql}`,
            });
          } finally {
            await sql`reset all`.execute(conn);
          }
        });
        const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        assert.ok(!/Seq Scan on leads/.test(text), text);
        assert.ok(!/^\s*(->\s*)?Sort\b/m.test(text), text);
      }
    });
  }
});
