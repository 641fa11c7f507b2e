import { sql, type Kysely } from 'kysely';

/**
 * The dispatcher's two indexes hold pending deliveries only (docs/webhooks.md): the due list
 * (`next_attempt_at`) and the per-lead order check (an earlier pending delivery of the same lead
 * to the same endpoint holds the later ones back). A settled delivery leaves them instead of
 * being moved within them, and they stay as small as the backlog rather than growing with the
 * delivery log (issue 11's cost figures, docs/benchmarks.md). Queries name the status as a
 * literal (`sql.lit`): a bound parameter does not let either store's planner use a partial index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('webhook_deliveries_due_idx').execute();
  await db.schema.dropIndex('webhook_deliveries_lead_order_idx').execute();
  await db.schema
    .createIndex('webhook_deliveries_pending_due_idx')
    .on('webhook_deliveries')
    .columns(['next_attempt_at', 'id'])
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_pending_lead_idx')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'lead_id', 'id'])
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
}
