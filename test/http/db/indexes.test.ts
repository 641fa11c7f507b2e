import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_STORE, useTestApp } from '../../helpers/app.js';
import { planLines, rowToCopy } from '../../helpers/queries.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import { sql } from 'kysely';
import {
  listLeadsQuery,
  creatorDueLeadsQuery,
  type LeadFilters,
  type LeadPage,
} from '../../../src/leads/lead.repository.js';
import {
  newestFollowUpsQuery,
  newestStatusLogsQuery,
} from '../../../src/leads/history.repository.js';

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
  // A dashboard's usual view: one status, most recently changed first.
  ['status, sort lastUpdatedOn', { status: 'OPEN' }, page('last_updated_on', 'desc')],
  // The web app's "Only mine": one owner's leads, most recently changed first.
  ['owner, sort lastUpdatedOn', { ownerId: 1 }, page('last_updated_on', 'desc')],
];

/** The same page reached by keyset: a position (sort value 5, id 7) instead of an offset. */
const byCursor = (p: LeadPage): LeadPage => ({ ...p, offset: 0, after: { key: 5, id: 7 } });

describe(`lead list indexes (${TEST_STORE})`, () => {
  const t = useTestApp();

  /** The plan of one list query. */
  function planOf(filters: LeadFilters, p: LeadPage): Promise<string[]> {
    return planLines(t.ctx, listLeadsQuery(t.ctx.store.db, 1, filters, p).compile(), {
      noSort: true,
    });
  }

  /** Every access to leads goes through an index, and nothing is sorted. */
  function assertIndexedWithoutSort(lines: string[]): void {
    const text = lines.join('\n');
    if (t.ctx.store.dialect === 'sqlite') {
      const leadLines = lines.filter((l) => /\bleads\b/.test(l));
      assert.ok(leadLines.length > 0, text);
      for (const line of leadLines) {
        assert.match(line, /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/, text);
      }
      // Also 'FOR RIGHT PART OF ORDER BY': sorting the ties of an index's order is a sort too.
      assert.ok(!lines.some((l) => l.includes('TEMP B-TREE FOR')), text);
    } else {
      assert.ok(!/Seq Scan on leads/.test(text), text);
      // An Incremental Sort sorts every tie of the index's order: with many equal keys, many.
      assert.ok(!/^\s*(->\s*)?(Incremental )?Sort\b/m.test(text), text);
    }
  }

  for (const [name, filters, p] of cases) {
    it(`${name} uses an index and no sort`, async () => {
      assertIndexedWithoutSort(await planOf(filters, p));
    });

    // A keyset page must start with a seek to its position: the position's columns are a range
    // of the index (SQLite: in each arm of the merge; PostgreSQL: in the Index Cond), so the
    // leads before it are never read.
    it(`${name} by cursor seeks to the position in an index, no sort`, async () => {
      const cursorPage = byCursor(p);
      const lines = await planOf(filters, cursorPage);
      assertIndexedWithoutSort(lines);
      const text = lines.join('\n');
      const beyond = cursorPage.direction === 'asc' ? '>' : '<';
      const key = cursorPage.sortBy;
      if (t.ctx.store.dialect === 'sqlite') {
        const seeks = lines.filter((l) => /^SEARCH leads USING (COVERING )?INDEX/.test(l));
        if (key === 'id') {
          assert.equal(seeks.length, 1, text);
          assert.ok(seeks[0]?.includes(`AND id${beyond}?)`), text);
        } else {
          assert.ok(lines.includes('MERGE (UNION ALL)'), text);
          assert.equal(seeks.length, 2, text);
          assert.ok(
            // An index on (…, key) ends in the rowid, which id is: SQLite may name it either way.
            seeks.some((l) => new RegExp(`AND ${key}=\\? AND (row)?id${beyond}\\?\\)`).test(l)),
            text,
          );
          assert.ok(
            seeks.some((l) => l.includes(`AND ${key}${beyond}?)`)),
            text,
          );
        }
      } else {
        const conditions = lines.filter((l) => /^\s*Index Cond: .*org_id = /.test(l));
        const seek =
          key === 'id'
            ? new RegExp(`\\bid ${beyond} `)
            : new RegExp(`ROW\\(${key}, id\\) ${beyond} ROW\\(`);
        assert.ok(
          conditions.some((l) => seek.test(l)),
          text,
        );
      }
    });
  }

  it('seeks one owner’s leads in last-updated order instead of walking the org’s', async () => {
    const lines = await planOf({ ownerId: 1 }, page('last_updated_on', 'desc'));
    const text = lines.join('\n');
    if (t.ctx.store.dialect === 'sqlite') {
      assert.match(
        text,
        /SEARCH leads USING (COVERING )?INDEX \S+ \(org_id=\? AND owner_id=\?\)/,
        text,
      );
    } else {
      assert.match(text, /Index Cond: \(\(org_id = .*owner_id = /, text);
    }
  });

  it('reads a creator’s due follow-ups in order from an index, without a sort', async () => {
    const query = creatorDueLeadsQuery(t.ctx.store.db, 1, 3, 2, 1e12, 50);
    const lines = await planLines(t.ctx, query.compile(), { noSort: true });
    assertIndexedWithoutSort(lines);
    const text = lines.join('\n');
    if (t.ctx.store.dialect === 'sqlite') {
      assert.match(
        text,
        /SEARCH leads USING INDEX leads_worked_follow_up_idx \(created_by=\? AND next_follow_up<\?\)/,
        text,
      );
    } else {
      assert.match(text, /Index Scan using leads_worked_follow_up_idx/, text);
    }
  });

  /**
   * On PostgreSQL, an org whose history is large next to the three leads asked about, analysed:
   * since the primary keys lead with the org (migration 0020), a tiny table makes the org's whole
   * key look as cheap as the three leads' entries, which it is not once the org has history.
   */
  async function orgWithHistory(): Promise<{ orgId: number; leadIds: number[] }> {
    const o = await newOrg(t.ctx);
    const first = await newLead(t.app, o.till);
    const followUp = await send(t.app, o.till, 'POST', `/v2/leads/${first.id}/followup`, {
      followedUpOn: '2026-03-06T15:45:00Z',
      createdBy: o.associate.id,
      notes: 'Called',
    });
    assert.equal(followUp.status, 200, followUp.raw);
    const db = t.ctx.store.db;
    const orgId = o.org.id;
    const lead = await rowToCopy(db, 'leads', orgId);
    const leadIds = (
      await db
        .insertInto('leads')
        .values(Array.from({ length: 300 }, () => lead))
        .returning('id')
        .execute()
    ).map((row) => row.id);
    const followUpRow = await rowToCopy(db, 'follow_ups', orgId);
    const statusLogRow = await rowToCopy(db, 'status_logs', orgId);
    const tenEach = leadIds.flatMap((leadId) => Array.from({ length: 10 }, () => leadId));
    await db
      .insertInto('follow_ups')
      .values(tenEach.map((leadId) => ({ ...followUpRow, lead_id: leadId })))
      .execute();
    await db
      .insertInto('status_logs')
      .values(tenEach.map((leadId) => ({ ...statusLogRow, lead_id: leadId })))
      .execute();
    await sql`analyze follow_ups, status_logs`.execute(db);
    return { orgId, leadIds: leadIds.slice(0, 3) };
  }

  // The ranking subquery of a page's embedded history names the org (docs/scale-out.md) and
  // still reads only an index: the rows' other columns are read for the rows returned alone.
  for (const [table, index, build] of [
    ['status_logs', 'status_logs_lead_org_idx', newestStatusLogsQuery],
    ['follow_ups', 'follow_ups_lead_covering_idx', newestFollowUpsQuery],
  ] as const) {
    it(`ranks a page's newest ${table} rows by org and lead from ${index} alone`, async () => {
      const { orgId, leadIds } =
        t.ctx.store.dialect === 'sqlite'
          ? { orgId: 1, leadIds: [1, 2, 3] }
          : await orgWithHistory();
      const query = build(t.ctx.store.db, { orgId, leadIds, newest: 5 });
      const lines = await planLines(t.ctx, query.compile());
      const text = lines.join('\n');
      if (t.ctx.store.dialect === 'sqlite') {
        assert.match(
          text,
          new RegExp(`SEARCH ${table} USING COVERING INDEX ${index} \\(lead_id=\\?\\)`),
          text,
        );
      } else {
        assert.match(text, new RegExp(`Index (Only )?Scan using ${index} on ${table}`), text);
        assert.match(text, /Filter: \(org_id = |Index Cond: \(.*org_id = /, text);
      }
    });
  }
});
