import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { TEST_STORE } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import { loadConfig } from '../../../src/core/config.js';
import { createContext } from '../../../src/core/context.js';
import { migrateToLatest } from '../../../src/db/migrate.js';
import { buildApp } from '../../../src/app.js';
import { prepareStore } from '../../../toolbox/stores.js';

/**
 * Migration 0023: every follow-up carries its lead's creator and creation instant, filled in for
 * the follow-ups a store held before it, so that follow-up discipline over a store reads the
 * follow-ups alone (docs/analytics.md).
 */
describe(`follow-ups' copies of their lead (migration 0023, ${TEST_STORE})`, () => {
  it('fills in the follow-ups written before it, and the store-scope report counts them', async () => {
    // A store of its own: the migration is undone and done again on it.
    const prepared = await prepareStore(TEST_STORE, {
      prefix: 'leadline_copies',
      adminUrl: process.env.LEADLINE_TEST_DATABASE_URL,
    });
    const ctx = createContext(loadConfig({ LOG_LEVEL: 'silent', ...prepared.env }));
    try {
      await migrateToLatest(ctx.store);
      const app = await buildApp(ctx, { logger: false });
      await app.ready();
      const o = await newOrg(ctx);
      // A second store beside the org's first, with a till of its own.
      const otherStore = await o.entity('STORE', o.zone);
      const otherTill = await o.entity('TILL', otherStore, true);
      const followUp = (at: string) => ({ followedUpOn: at, scheduledFollowUp: at });
      const created = [
        await newLead(app, o.till, {
          createdOn: '2026-01-05T10:00:00Z',
          followUpDetails: [followUp('2026-01-05T11:00:00Z'), followUp('2026-01-06T09:00:00Z')],
        }),
        await newLead(app, otherTill, {
          createdOn: '2026-02-01T08:00:00Z',
          followUpDetails: [followUp('2026-02-01T09:00:00Z')],
        }),
        await newLead(app, o.till, { createdOn: '2026-03-01T08:00:00Z' }),
      ];
      const added = await send(app, o.till, 'POST', `/v2/leads/${created[2].id}/followup`, {
        followedUpOn: '2026-03-02T08:00:00Z',
        createdBy: o.till.id,
      });
      assert.equal(added.status, 200, added.raw);

      const copies = () =>
        sql<{ lead_id: number; copied_by: number; copied_on: number }>`
          select lead_id, lead_created_by as copied_by, lead_created_on as copied_on
          from follow_ups where org_id = ${o.org.id} order by id`.execute(ctx.store.db);
      const written = (await copies()).rows.map((r) => [
        Number(r.lead_id),
        Number(r.copied_by),
        Number(r.copied_on),
      ]);
      const expected = [
        [created[0].id, o.till.id, Date.parse('2026-01-05T10:00:00Z')],
        [created[0].id, o.till.id, Date.parse('2026-01-05T10:00:00Z')],
        [created[1].id, otherTill.id, Date.parse('2026-02-01T08:00:00Z')],
        [created[2].id, o.till.id, Date.parse('2026-03-01T08:00:00Z')],
      ];
      assert.deepEqual(written, expected, 'the writes keep the copies');

      // The store as a version before 0023 left it: no copies, no index, 0023 not applied.
      await ctx.store.transaction(async (trx) => {
        await sql`drop index follow_ups_lead_creator_idx`.execute(trx);
        await sql`alter table follow_ups drop column lead_created_by`.execute(trx);
        await sql`alter table follow_ups drop column lead_created_on`.execute(trx);
        await sql`delete from kysely_migration where name = '0023-follow-ups-by-creator'`.execute(
          trx,
        );
      });
      // … cut short after its first column (SQLite runs a migration's statements one by one):
      // applied again, it goes on from there.
      await ctx.store.transaction((trx) =>
        sql`alter table follow_ups add column lead_created_by bigint not null default 0`.execute(
          trx,
        ),
      );
      assert.deepEqual(await migrateToLatest(ctx.store), ['0023-follow-ups-by-creator']);
      assert.deepEqual(
        (await copies()).rows.map((r) => [
          Number(r.lead_id),
          Number(r.copied_by),
          Number(r.copied_on),
        ]),
        expected,
        'the migration fills them from the leads',
      );
      if (TEST_STORE === 'postgres') {
        // No default left behind: a write that forgot the copies fails instead of filing its
        // follow-up under no store.
        const { rows } = await sql<{ column_name: string; column_default: string | null }>`
          select column_name, column_default from information_schema.columns
          where table_name = 'follow_ups' and column_name like 'lead_created_%'
          order by column_name`.execute(ctx.store.db);
        assert.deepEqual(
          rows.map((r) => [r.column_name, r.column_default]),
          [
            ['lead_created_by', null],
            ['lead_created_on', null],
          ],
        );
      }

      const done = async (store: string) => {
        const response = await send(
          app,
          o.admin,
          'GET',
          `/v2/analytics/follow-ups?entityType=STORE&entityCode=${store}`,
        );
        assert.equal(response.status, 200, response.raw);
        const { onTime, late, unscheduled } = response.body.data.total.done;
        return { onTime, late, unscheduled };
      };
      assert.deepEqual(await done(o.store.code), { onTime: 2, late: 0, unscheduled: 1 });
      assert.deepEqual(await done(otherStore.code), { onTime: 1, late: 0, unscheduled: 0 });
      await app.close();
    } finally {
      await ctx.store.close();
      await prepared.cleanup();
    }
  });
});
