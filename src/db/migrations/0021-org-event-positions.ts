import { sql, type Kysely } from 'kysely';

/**
 * Each org numbers its own feed: one `org_event_positions` row per org instead of the single
 * `feed` row that every event of every org passed through (docs/scale-out.md). Each existing org
 * starts where the shared feed stopped, so a cursor issued before this migration is never ahead
 * of the positions still to come; an org made later starts at 0 (its row is made by its first
 * event).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('org_event_positions')
    .addColumn('org_id', 'bigint', (c) => c.primaryKey().references('orgs.id'))
    .addColumn('last_position', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into org_event_positions (org_id, last_position)
            select o.id, p.last_position
              from orgs o cross join lead_event_positions p
             where p.name = 'feed'`.execute(db);
  await db.schema.dropTable('lead_event_positions').execute();
}
