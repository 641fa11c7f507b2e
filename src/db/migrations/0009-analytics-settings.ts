import type { Kysely } from 'kysely';

/**
 * What lead analytics (issue 12) read from an org's own settings: its time zone, which weeks,
 * months and "today" follow (null: UTC), and which of its reasons mean "the shopper wanted what
 * the store could not sell" (`not_available`, 1), the lost leads that count as unfulfilled
 * demand.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('orgs').addColumn('time_zone', 'text').execute();
  await db.schema
    .alterTable('reasons')
    .addColumn('not_available', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
}
