import { sql, type Kysely } from 'kysely';

/**
 * The follow-ups due in a store (the web app's Today, "mine first"): the leads still worked
 * (OPEN, ON_HOLD) by creator and next follow-up (ties by id), so that each of a store's people's
 * due leads are read in order, the first 50 and no more, instead of every due lead of the store
 * being read and sorted (docs/web.md, Page speed). Partial, so closed leads (most of an old org)
 * cost it nothing; the query names the statuses as literals, which SQLite needs to use it.
 * It does not begin with org_id (a creator belongs to one org): an index that did offered
 * PostgreSQL a worse path for every query of one org's OPEN or ON_HOLD leads, which its
 * planner took for auto-close's on the tests' empty tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index leads_worked_follow_up_idx
    on leads (created_by, next_follow_up, id)
    where status in ('OPEN', 'ON_HOLD')`.execute(db);
}
