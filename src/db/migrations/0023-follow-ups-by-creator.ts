import { sql, type Kysely, type QueryExecutorProvider } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Every follow-up carries its lead's creator and creation instant (`lead_created_by`,
 * `lead_created_on`; a lead's are set when it is created and never change), with
 * `follow_ups_lead_creator_idx` on (lead creator, lead creation instant, org, scheduled, followed
 * up on): follow-up discipline over a store's subtree (and a period) then reads one range of that
 * index per creator, where it joined every matching lead's follow-ups one look-up at a time
 * (measured over 1,000,000 leads, the largest store's 140,092 follow-ups: 84 → 8.5 ms on SQLite,
 * 150 → 15 ms on PostgreSQL; docs/analytics.md). The index is led by the creator, not the org:
 * an entity belongs to one org, and on SQLite, which keeps no statistics, an index led by
 * `org_id` draws the planner away from (lead, id) for the queries that name the org beside a
 * list of leads (docs/benchmarks.md, "Keys by org"). Existing follow-ups are filled in from their
 * leads.
 *
 * On PostgreSQL the migration is one transaction, and the columns lose their default once filled,
 * so that a write that forgot them fails instead of filing its follow-up under no store (an
 * older version's process fails its follow-up writes against the migrated store: docs/deploy.md,
 * "Upgrades"). SQLite runs each statement on its own and adds a NOT NULL column only with a
 * default, so there every step may find itself done already by a run that was cut short. The
 * statements stand here as they shipped (a migration never changes).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const { rows } = await (
    dialect === 'postgres'
      ? sql<{ name: string }>`select column_name as name from information_schema.columns
        where table_schema = current_schema() and table_name = 'follow_ups'`
      : sql<{ name: string }>`select name from pragma_table_info('follow_ups')`
  ).execute(db);
  const present = new Set(rows.map((row) => row.name));
  for (const column of ['lead_created_by', 'lead_created_on']) {
    if (present.has(column)) continue;
    await db.schema
      .alterTable('follow_ups')
      .addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  }
  await fillFollowUpLeadFacts(db);
  if (dialect === 'postgres') {
    await sql`alter table follow_ups alter column lead_created_by drop default,
      alter column lead_created_on drop default`.execute(db);
  }
  await db.schema
    .createIndex('follow_ups_lead_creator_idx')
    .ifNotExists()
    .on('follow_ups')
    .columns([
      'lead_created_by',
      'lead_created_on',
      'org_id',
      'scheduled_follow_up',
      'followed_up_on',
    ])
    .execute();
}

/** Copies each follow-up's lead's creator and creation instant onto it (or one org's). */
export async function fillFollowUpLeadFacts(
  db: QueryExecutorProvider,
  orgId?: number,
): Promise<void> {
  await sql`update follow_ups set lead_created_by = l.created_by, lead_created_on = l.created_on
    from leads l
    where l.org_id = follow_ups.org_id and l.id = follow_ups.lead_id
      ${orgId === undefined ? sql`` : sql`and follow_ups.org_id = ${orgId}`}`.execute(db);
}
