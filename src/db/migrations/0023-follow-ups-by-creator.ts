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
 * leads. The statements stand here as they shipped (a migration never changes).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  for (const column of ['lead_created_by', 'lead_created_on']) {
    // SQLite adds a NOT NULL column only with a default; PostgreSQL drops it once filled, so a
    // write that forgot the columns fails there instead of filing its follow-up under no store.
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

/** Lead ids per statement of the fill. */
const FILL_LEADS_PER_STATEMENT = 50_000;

/**
 * Copies each follow-up's lead's creator and creation instant onto it (or one org's), a range of
 * lead ids at a time through follow_ups_lead_covering_idx (led by the lead), so that no one
 * statement holds the database for long: one over a million follow-ups took longer on
 * PostgreSQL than the 10 s a request's statement may.
 */
export async function fillFollowUpLeadFacts(
  db: QueryExecutorProvider,
  orgId?: number,
): Promise<void> {
  const ofOrg = orgId === undefined ? sql`` : sql`and follow_ups.org_id = ${orgId}`;
  const { rows } = await sql<{ first: number | null; last: number | null }>`
    select min(lead_id) as first, max(lead_id) as last from follow_ups
    where lead_id is not null ${ofOrg}`.execute(db);
  const first = rows[0]?.first;
  const last = rows[0]?.last;
  if (first == null || last == null) return;
  for (let from = Number(first); from <= Number(last); from += FILL_LEADS_PER_STATEMENT) {
    await sql`update follow_ups set (lead_created_by, lead_created_on) =
        (select l.created_by, l.created_on from leads l
          where l.org_id = follow_ups.org_id and l.id = follow_ups.lead_id)
      where follow_ups.lead_id >= ${from}
        and follow_ups.lead_id < ${from + FILL_LEADS_PER_STATEMENT} ${ofOrg}`.execute(db);
  }
}
