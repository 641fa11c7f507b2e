import type { Kysely } from 'kysely';

/**
 * A page of leads embeds each lead's newest status-log rows, ranked in a subquery that now names
 * the org as well as the leads (docs/scale-out.md: Citus routes a query by `org_id` in its
 * filters, and a subquery without it would ask every shard). `status_logs_lead_idx` on
 * (lead, id) would make that filter a table look-up per row; this index carries `org_id` after
 * them, so the ranking still reads the index alone, as the follow-ups' covering index already
 * lets it (migration 0014). It serves everything the old one did.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('status_logs_lead_org_idx')
    .on('status_logs')
    .columns(['lead_id', 'id', 'org_id'])
    .execute();
  await db.schema.dropIndex('status_logs_lead_idx').execute();
}
