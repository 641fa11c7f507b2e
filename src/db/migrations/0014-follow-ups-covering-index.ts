import type { Kysely } from 'kysely';

/**
 * Follow-up discipline (issue 12) reads every follow-up of the matching leads: its org, when it
 * was scheduled for and when it was done. `follow_ups_lead_idx` on (lead, id) made that a look-up
 * in the table per follow-up; `follow_ups_lead_covering_idx` carries those three columns after
 * the lead and id, so the report reads the index alone. It serves everything the old one did (a
 * lead's follow-ups in id order). Follow-ups are never updated: still one entry per follow-up.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('follow_ups_lead_covering_idx')
    .on('follow_ups')
    .columns(['lead_id', 'id', 'org_id', 'scheduled_follow_up', 'followed_up_on'])
    .execute();
  await db.schema.dropIndex('follow_ups_lead_idx').execute();
}
