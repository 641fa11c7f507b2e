import type { Kysely } from 'kysely';

/**
 * Expired idempotent responses and expired OAuth tokens are purged per org, by the org's own
 * requests (src/idempotency/, src/auth/oauth.service.ts), so each purge reads an index led by
 * `org_id` instead of the time column alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('idempotency_keys_created_idx').execute();
  await db.schema
    .createIndex('idempotency_keys_org_created_idx')
    .on('idempotency_keys')
    .columns(['org_id', 'created_on'])
    .execute();
  await db.schema.dropIndex('oauth_tokens_expires_idx').execute();
  await db.schema
    .createIndex('oauth_tokens_org_expires_idx')
    .on('oauth_tokens')
    .columns(['org_id', 'expires_on'])
    .execute();
}
