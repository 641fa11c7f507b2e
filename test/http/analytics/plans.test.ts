import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawBuilder } from 'kysely';
import { TEST_STORE, useTestApp } from '../../helpers/app.js';
import { planLines } from '../../helpers/queries.js';
import type { Db } from '../../../src/db/database.js';
import {
  demandStatement,
  followUpLeadStatement,
  funnelStatement,
  lostReasonStatement,
  winRateStatement,
  type ReportFilters,
} from '../../../src/analytics/analytics.repository.js';

/**
 * The reports that count status facts read leads_org_analytics_idx (migration 0010) when scoped
 * to a store's subtree: on SQLite as a covering index, one range per creator, never the leads
 * themselves; on PostgreSQL through an index (the analytics one or another its statistics
 * prefer), never a full scan. What makes the store-scope
 * figures of docs/analytics.md ("Speed") hold: a plan that loses the index shows here, not only
 * in the benchmark.
 */
const store: ReportFilters = { createdUnder: { type: 'STORE', code: 'store-1' } };
const statements: Array<[string, (db: Db) => RawBuilder<unknown>]> = [
  ['funnel by creator', (db) => funnelStatement(db, 1, store, 'creator')],
  ['win rate', (db) => winRateStatement(db, 1, store, 'none')],
  ['lost reasons by reason', (db) => lostReasonStatement(db, 1, store, 'reason')],
  ['demand', (db) => demandStatement(db, 1, store, 'none')],
  [
    'follow-ups by owner',
    (db) => followUpLeadStatement(db, 1, store, 'owner', { now: 0, endOfToday: 1 }),
  ],
];

describe(`analytics plans (${TEST_STORE})`, () => {
  const t = useTestApp();

  for (const [name, statement] of statements) {
    it(`${name} over a store's subtree reads the analytics index`, async () => {
      const lines = await planLines(t.ctx, statement(t.ctx.store.db).compile(t.ctx.store.db));
      const plan = lines.join('\n');
      if (TEST_STORE === 'sqlite') {
        assert.match(
          plan,
          /SEARCH (leads|m) USING COVERING INDEX leads_org_analytics_idx \(org_id=\? AND created_by=\?/,
        );
        assert.doesNotMatch(
          plan,
          /SCAN leads|SEARCH leads USING (COVERING )?INDEX (?!leads_org_analytics_idx)/,
        );
      } else {
        // PostgreSQL picks among the leads' indexes by its statistics (grouping by owner may
        // walk the owner index instead), but never reads the whole table.
        assert.match(plan, /Index (Only )?Scan using leads_\w+ on leads/);
        assert.doesNotMatch(plan, /Seq Scan on leads/);
      }
    });
  }
});
