import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/** The org's own per-credential rate limit (requests per minute); null: `RATE_LIMIT_PER_MINUTE`. */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('orgs').addColumn('rate_limit_per_minute', 'integer').execute();
}
