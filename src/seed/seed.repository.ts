import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Row } from '../db/schema.js';

/** The few reads and writes of the seed that go through Kysely (the bulk rows do not). */

export type OrgEntityRow = Pick<Row<'entities'>, 'id' | 'type' | 'code' | 'parent_id'>;

/** Every entity of the org, oldest first: the seed finds its own hierarchy among them by code. */
export function listOrgEntities(db: Db, orgId: number): Promise<OrgEntityRow[]> {
  return db
    .selectFrom('entities')
    .select(['id', 'type', 'code', 'parent_id'])
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
}

/** How many leads the org has, whatever their status. */
export async function countOrgLeads(db: Db, orgId: number): Promise<number> {
  const row = await db
    .selectFrom('leads')
    .select(sql<number>`count(*)`.as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export type NewCustomer = { email: string | null; mobile: string | null; created_on: number };

/**
 * Inserts the customers whose identifier the org does not have yet and answers those inserted;
 * an identifier taken meanwhile (by a shopper's lead on a running server) is skipped, never an
 * error, so the caller draws another.
 */
export function insertNewCustomers(
  db: Db,
  orgId: number,
  customers: readonly NewCustomer[],
): Promise<Array<{ id: number; email: string | null; mobile: string | null }>> {
  if (customers.length === 0) return Promise.resolve([]);
  return db
    .insertInto('customers')
    .values(customers.map((c) => ({ org_id: orgId, ...c })))
    .onConflict((oc) => oc.doNothing())
    .returning(['id', 'email', 'mobile'])
    .execute();
}
