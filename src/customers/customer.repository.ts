import type { Db } from '../db/database.js';

export type IdentifierColumn = 'email' | 'mobile';

export async function customerExists(db: Db, orgId: number, id: number): Promise<boolean> {
  const row = await db
    .selectFrom('customers')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The id of the org's customer with this normalised identifier, creating the customer when there
 * is none. Safe under concurrency: a racing insert of the same identifier is absorbed by the
 * unique index and the existing row is returned.
 */
export async function findOrCreateCustomer(
  db: Db,
  orgId: number,
  column: IdentifierColumn,
  value: string,
  now: number,
): Promise<number> {
  const find = () =>
    db
      .selectFrom('customers')
      .select('id')
      .where('org_id', '=', orgId)
      .where(column, '=', value)
      .executeTakeFirst();
  const existing = await find();
  if (existing) return existing.id;
  const inserted = await db
    .insertInto('customers')
    .values({ org_id: orgId, [column]: value, created_on: now })
    .onConflict((oc) => oc.columns(['org_id', column]).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  const raced = await find();
  if (!raced) throw new Error('customer vanished after a conflicting insert');
  return raced.id;
}
