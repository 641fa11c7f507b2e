import { sql, type Kysely } from 'kysely';

/**
 * The follow-ups due in a store (the web app's Today, "mine first"): the leads still worked
 * (OPEN, ON_HOLD) by creator and next follow-up, so that a store's due list seeks each of its
 * people's due leads instead of walking the org's. Partial, so closed leads (most of an old
 * org) cost it nothing. PostgreSQL needs it (without it, it walks the org's part of the
 * analytics index); SQLite already seeks on (org, creator, status) in that index and the test
 * of plans accepts either.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index leads_worked_follow_up_idx
    on leads (org_id, created_by, next_follow_up)
    where status in ('OPEN', 'ON_HOLD')`.execute(db);
}
