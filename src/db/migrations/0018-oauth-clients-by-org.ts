import type { Kysely } from 'kysely';

/**
 * The web app's OAuth clients page lists one org's clients (issue 13). Without this index the
 * list reads every org's clients; with it, the org's own, in the order they were made.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('oauth_clients_org_idx')
    .on('oauth_clients')
    .columns(['org_id', 'id'])
    .execute();
}
