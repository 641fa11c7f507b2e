import type { Kysely } from 'kysely';

/**
 * Expired idempotent responses are purged per org, by the org's own keyed requests
 * (src/idempotency/), so the purge reads `(org_id, created_on)` instead of `created_on` alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('idempotency_keys_created_idx').execute();
  await db.schema
    .createIndex('idempotency_keys_org_created_idx')
    .on('idempotency_keys')
    .columns(['org_id', 'created_on'])
    .execute();
}
