import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { TEST_STORE, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import { loadConfig } from '../../../src/core/config.js';
import { createContext, type AppContext } from '../../../src/core/context.js';
import { migrateTo } from '../../../src/db/migrate.js';
import { createOrg } from '../../../src/orgs/org.service.js';
import { planLines, rowToCopy } from '../../helpers/queries.js';
import { eventPayloadsQuery, expiredEventsDeletion } from '../../../src/events/event.repository.js';
import { leaseStatement } from '../../../src/webhooks/delivery.repository.js';
import { entitiesByIdsQuery } from '../../../src/entities/entity.repository.js';
import { prepareStore } from '../../../toolbox/stores.js';

/**
 * docs/scale-out.md: every key of an org's rows includes `org_id` (migration 0020, PostgreSQL),
 * and each org numbers its own event feed (migration 0021, both stores).
 */
describe('keys by org', () => {
  const t = useTestApp();

  /** The org's feed cursor after reading all of it: its highest position. */
  async function feedEnd(who: { headers: Record<string, string> }): Promise<string> {
    let cursor = '';
    for (;;) {
      const response = await send(
        t.app,
        who,
        'GET',
        `/v2/events?limit=50${cursor ? `&after=${cursor}` : ''}`,
      );
      assert.equal(response.status, 200, response.raw);
      if (response.body.data.length === 0) return response.body.nextCursor;
      cursor = response.body.nextCursor;
    }
  }

  it("each org numbers its own feed: another org's events take none of its positions", async () => {
    const a = await newOrg(t.ctx);
    const b = await newOrg(t.ctx);
    for (let i = 0; i < 3; i += 1) await newLead(t.app, a.till);
    await newLead(t.app, b.till);
    for (let i = 0; i < 2; i += 1) await newLead(t.app, a.till);
    await newLead(t.app, b.till);
    // Orgs made after migration 0021 start at 0: their events are 1, 2, … whatever the others did.
    assert.equal(await feedEnd(a.till), '5');
    assert.equal(await feedEnd(b.till), '2');
  });

  it('an org that existed before migration 0021 goes on from where the shared feed stopped', async () => {
    // A store of its own: the run's is migrated already (and, on PostgreSQL, shared).
    const prepared = await prepareStore(TEST_STORE, {
      prefix: 'leadline_keys',
      adminUrl: process.env.LEADLINE_TEST_DATABASE_URL,
    });
    const ctx = createContext(loadConfig({ LOG_LEVEL: 'silent', ...prepared.env }));
    try {
      await migrateTo(ctx.store, '0019-status-log-org-index');
      const before = await createOrg(ctx, 'Old Org');
      // The shared feed had given 41 positions (to this org and to others since deleted).
      await ctx.store.transaction((trx) =>
        sql`update lead_event_positions set last_position = 41 where name = 'feed'`.execute(trx),
      );
      assert.deepEqual(await migrateTo(ctx.store, '0021-org-event-positions'), [
        '0020-org-keys',
        '0021-org-event-positions',
      ]);
      const rows = await ctx.store.db
        .selectFrom('org_event_positions')
        .select(['org_id', 'last_position'])
        .execute();
      assert.deepEqual(
        rows.map((row) => [Number(row.org_id), Number(row.last_position)]),
        [[before.id, 41]],
      );
    } finally {
      await ctx.store.close();
      await prepared.cleanup();
    }
  });

  it(
    'PostgreSQL: every key of an org’s rows includes org_id',
    { skip: TEST_STORE !== 'postgres' },
    async () => {
      const keys = await catalog(
        t.ctx,
        `select c.conrelid::regclass::text as "table", c.contype as kind,
              array(select a.attname::text from unnest(c.conkey) with ordinality k(n, i)
                      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n
                     order by k.i) as columns
         from pg_constraint c
        where c.connamespace = 'public'::regnamespace and c.contype in ('p', 'u', 'f')
          and exists (select 1 from pg_attribute a
                       where a.attrelid = c.conrelid and a.attname = 'org_id' and not a.attisdropped)`,
      );
      // The keys that stay without org_id, each for a reason docs/scale-out.md gives: credentials
      // are looked up before the org is known.
      const kept = new Set([
        'entities u username',
        'oauth_clients u client_key',
        'oauth_tokens p token_hash',
        'web_sessions p token_hash',
      ]);
      const without = keys
        .filter((key) => !key.columns.includes('org_id'))
        .map((key) => `${key.table} ${key.kind} ${key.columns.join(',')}`)
        .filter((key) => !kept.has(key));
      assert.deepEqual(without, []);
      const primary = new Map(keys.filter((k) => k.kind === 'p').map((k) => [k.table, k.columns]));
      for (const table of [
        'leads',
        'follow_ups',
        'status_logs',
        'lead_events',
        'webhook_deliveries',
      ]) {
        assert.deepEqual(primary.get(table), ['org_id', 'id'], table);
      }
      // Each reference from an org's row to another is checked within the org.
      const references = keys.filter((key) => key.kind === 'f').map((key) => key.columns);
      assert.ok(references.some((c) => c.join() === 'org_id,owner_id'));
      assert.ok(references.some((c) => c.join() === 'org_id,lead_id'));
    },
  );

  it(
    "PostgreSQL: the store refuses a lead owned by another org's entity",
    { skip: TEST_STORE !== 'postgres' },
    async () => {
      const a = await newOrg(t.ctx);
      const b = await newOrg(t.ctx);
      await newLead(t.app, a.till);
      const copy = await rowToCopy(t.ctx.store.db, 'leads', a.org.id);
      await assert.rejects(
        t.ctx.store.db
          .insertInto('leads')
          .values({ ...copy, owner_id: b.associate.id })
          .execute(),
        (error: { code?: string; constraint?: string }) =>
          error.code === '23503' && error.constraint === 'leads_owner_fkey',
      );
      // The same row owned by its own org's associate is accepted: the key, not the row, refused.
      await t.ctx.store.db
        .insertInto('leads')
        .values({ ...copy, owner_id: a.associate.id })
        .execute();
    },
  );
});

describe('statements that find rows by id name the org and use an index', () => {
  const t = useTestApp();

  it('retention deletes expired events by their whole key', async () => {
    const compiled = expiredEventsDeletion(t.ctx.store.db, {
      now: Date.parse('2026-06-01T00:00:00Z'),
      defaultDays: 7,
      batch: 1_000,
    }).compile();
    const lines = await planLines(t.ctx, compiled, { nestedLoops: true });
    const text = lines.join('\n');
    if (t.ctx.store.dialect === 'sqlite') {
      // The rows the subquery chose are deleted through the rowid, not found by a scan.
      assert.ok(
        lines.some((line) => /lead_events USING INTEGER PRIMARY KEY/.test(line)),
        text,
      );
      assert.ok(!lines.some((line) => /^SCAN lead_events\b/.test(line)), text);
    } else {
      // Each chosen row is found by (org_id, id): the primary key's both columns, not `id` alone
      // (which would read the whole key, whose first column is the org).
      assert.match(
        text,
        /Index Scan using lead_events_pkey on lead_events\s.*\n\s*Index Cond: \(\(org_id = .*\) AND \(id = /,
        text,
      );
    }
  });
});

// SQLite's plans only. PostgreSQL finds these rows through its (org_id, id) and (org_id, event_id)
// keys, and what its planner picks on the tests' near-empty tables (a descent on org_id alone,
// the ids filtered) says nothing of what it picks with a real table's statistics.
describe(
  'look-ups by many ids seek each id (SQLite)',
  {
    skip: TEST_STORE !== 'sqlite' && "a plan of SQLite's planner",
  },
  () => {
    const t = useTestApp();
    // A round of the dispatcher names up to 100 deliveries and their events, a list page up to 100
    // leads' owners and creators. SQLite, which keeps no statistics, took an index led by org_id
    // for `org_id … AND id IN (…)` once the list outgrew a few ids, reading the org's whole
    // delivery log and feed each dispatcher round (its backlog delivery rate fell from about
    // 5,000 events/s to under 1,500 on the bench), and all its entities for each page.
    const ids = Array.from({ length: 100 }, (_, i) => i + 1);

    it('leasing a round of deliveries seeks them by id', async () => {
      const keys = ids.map((id) => ({ org_id: 1, id }));
      const compiled = leaseStatement(t.ctx.store.db, keys, 0, 1).compile();
      const lines = await planLines(t.ctx, compiled);
      const text = lines.join('\n');
      assert.match(text, /^SEARCH webhook_deliveries USING INTEGER PRIMARY KEY \(rowid=\?\)$/m);
      assert.doesNotMatch(text, /\(org_id=\?/);
    });

    it("a page's owners and creators are sought by id, not found among the org's entities", async () => {
      const compiled = entitiesByIdsQuery(t.ctx.store.db, 1, ids).compile();
      const text = (await planLines(t.ctx, compiled)).join('\n');
      assert.match(text, /^SEARCH entities USING INTEGER PRIMARY KEY \(rowid=\?\)$/m);
      assert.doesNotMatch(text, /\(org_id=\?/);
    });

    it("reading a round's payloads seeks each event by its id", async () => {
      const eventIds = ids.map((id) => `evt_${id}`);
      const compiled = eventPayloadsQuery(t.ctx.store.db, [1], eventIds).compile();
      const lines = await planLines(t.ctx, compiled);
      const text = lines.join('\n');
      assert.match(text, /^SEARCH lead_events USING INDEX \S+ \(event_id=\?\)$/m);
      assert.doesNotMatch(text, /\(org_id=\?/);
    });
  },
);

type KeyRow = { table: string; kind: 'p' | 'u' | 'f'; columns: string[] };

async function catalog(ctx: AppContext, text: string): Promise<KeyRow[]> {
  const result = await sql.raw<KeyRow>(text).execute(ctx.store.db);
  return result.rows;
}
