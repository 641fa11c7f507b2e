import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Row } from '../db/schema.js';

export type IdentifierColumn = 'email' | 'mobile';

/** A customer row with the number of its leads that are not DELETED. */
/** A customer with how many leads it has. */
export type CustomerRow = Pick<Row<'customers'>, 'id' | 'email' | 'mobile' | 'created_on'> & {
  leads_count: number;
};

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
 * The org's customer matching `where` (its id, or a normalised identifier) with its leads count.
 * The count is one correlated sub-query served by `leads (org_id, user_id, id)`.
 */
async function findCustomerWhere(
  db: Db,
  orgId: number,
  where: { column: 'id'; value: number } | { column: IdentifierColumn; value: string },
): Promise<CustomerRow | undefined> {
  const row = await db
    .selectFrom('customers as c')
    .select(['c.id', 'c.email', 'c.mobile', 'c.created_on'])
    .select((eb) =>
      eb
        .selectFrom('leads as l')
        .select(sql<number>`count(*)`.as('n'))
        .where('l.org_id', '=', orgId)
        .whereRef('l.user_id', '=', 'c.id')
        .where('l.status', '<>', 'DELETED')
        .as('leads_count'),
    )
    .where('c.org_id', '=', orgId)
    .where(`c.${where.column}`, '=', where.value)
    .executeTakeFirst();
  return row === undefined ? undefined : { ...row, leads_count: Number(row.leads_count ?? 0) };
}

/** The org's customer `id` with its leads count, or undefined. */
export function findCustomerById(
  db: Db,
  orgId: number,
  id: number,
): Promise<CustomerRow | undefined> {
  return findCustomerWhere(db, orgId, { column: 'id', value: id });
}

/** The org's customer with this normalised email or mobile, with its leads count. */
export function findCustomerByIdentifier(
  db: Db,
  orgId: number,
  column: IdentifierColumn,
  value: string,
): Promise<CustomerRow | undefined> {
  return findCustomerWhere(db, orgId, { column, value });
}

/**
 * The org's default country for mobile numbers (ISO 3166-1 alpha-2), or null when it has none.
 * Read here rather than cached: an admin's change applies to the next request in every process.
 */
export async function findOrgCountryCode(db: Db, orgId: number): Promise<string | null> {
  const row = await db
    .selectFrom('orgs')
    .select('country_code')
    .where('id', '=', orgId)
    .executeTakeFirst();
  return row?.country_code ?? null;
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
