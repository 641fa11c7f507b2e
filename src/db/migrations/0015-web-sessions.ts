import type { Kysely } from 'kysely';

/**
 * Sessions of the web app (issue 13, docs/web.md), kept in the store so that every server
 * process sees a sign-out, a disabled entity or a changed password at once.
 *
 * - `token_hash`: SHA-256 hex of the session cookie's 256 random bits (a fast hash suffices).
 * - `credential_stamp`: SHA-256 hex of the entity's password hash when the session began; a
 *   session whose entity's hash has changed since (a new password) is over.
 * - `csrf_token`: the session's form token, sent back by every form post.
 * - `last_seen_on` and `expires_on`: idle expiry, and the absolute end of the session.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('web_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'bigint', (c) => c.notNull())
    .addColumn('entity_id', 'bigint', (c) => c.notNull())
    .addColumn('credential_stamp', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_on', 'bigint', (c) => c.notNull())
    .addColumn('expires_on', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('web_sessions_expires_idx')
    .on('web_sessions')
    .column('expires_on')
    .execute();
  await db.schema
    .createIndex('web_sessions_entity_idx')
    .on('web_sessions')
    .columns(['entity_id'])
    .execute();
}
