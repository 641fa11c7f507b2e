import type { Kysely } from 'kysely';

/**
 * A delivery reads its body from its event instead of holding a copy: one copy of each event's
 * bytes is written instead of one per endpoint (issue 11's cost figures, docs/benchmarks.md).
 * Retention keeps an event while a delivery of it is pending.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhook_deliveries').dropColumn('payload').execute();
}
