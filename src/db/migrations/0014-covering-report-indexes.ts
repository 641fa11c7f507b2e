import type { Kysely } from 'kysely';

/**
 * The two reports that still read rows beside an index, time in status and follow-up discipline
 * (issue 12), get indexes that cover them:
 *
 * - `leads_org_analytics_idx` (migration 0010) gains the stay facts of migration 0013 at its end,
 *   so time in status over a store's subtree reads one range of it per creator, and over an org
 *   the index alone, instead of looking each lead up in the table. Every write that changes a
 *   stay fact changes the lead's status (or its first follow-up, with its next follow-up) and so
 *   rewrote the lead's entry already: the index is wider, not written more often.
 * - `follow_ups_lead_idx` becomes `follow_ups_lead_covering_idx`, with the org and both
 *   instants after the lead and id, so the follow-ups of the matching leads are read from the
 *   index alone. Follow-ups are never updated: one entry per follow-up, as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('leads_org_analytics_idx').execute();
  await db.schema
    .createIndex('leads_org_analytics_idx')
    .on('leads')
    .columns([
      'org_id',
      'created_by',
      'status',
      'reached_statuses',
      'created_on',
      'owner_id',
      'org_source_id',
      'type',
      'status_reason_id',
      'status_changed_by',
      'sub_status',
      'next_follow_up',
      'lead_for',
      'id',
      'status_since',
      'first_followed_up_on',
      'stayed_open_ms',
      'stayed_on_hold_ms',
      'stayed_won_ms',
      'stayed_lost_ms',
      'stayed_deleted_ms',
    ])
    .execute();
  await db.schema
    .createIndex('follow_ups_lead_covering_idx')
    .on('follow_ups')
    .columns(['lead_id', 'id', 'org_id', 'scheduled_follow_up', 'followed_up_on'])
    .execute();
  await db.schema.dropIndex('follow_ups_lead_idx').execute();
}
