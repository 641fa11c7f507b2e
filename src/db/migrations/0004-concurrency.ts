import type { Kysely } from 'kysely';

/**
 * Optimistic concurrency and idempotent retries: a version per lead (its ETag), an org switch
 * that makes `If-Match` mandatory, and the stored first responses of `Idempotency-Key` requests.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('leads')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('orgs')
    .addColumn('require_if_match', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    // The calling entity: keys are scoped to the credential that sent them.
    .addColumn('entity_id', 'bigint', (c) => c.notNull())
    .addColumn('idem_key', 'text', (c) => c.notNull())
    .addColumn('org_id', 'bigint', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('response_body', 'text', (c) => c.notNull())
    .addColumn('etag', 'text')
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['entity_id', 'idem_key'])
    .execute();
  await db.schema
    .createIndex('idempotency_keys_created_idx')
    .on('idempotency_keys')
    .column('created_on')
    .execute();
}
