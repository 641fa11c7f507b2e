import type { Db } from '../db/database.js';
import type { Row } from '../db/schema.js';

export type OrgRow = Pick<Row<'orgs'>, 'id' | 'name'>;

export function findOrgByName(db: Db, name: string): Promise<OrgRow | undefined> {
  return db.selectFrom('orgs').select(['id', 'name']).where('name', '=', name).executeTakeFirst();
}

export async function insertOrg(db: Db, name: string, now: number): Promise<OrgRow> {
  return db
    .insertInto('orgs')
    .values({ name, created_on: now })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
}

export function findOrgById(db: Db, id: number): Promise<OrgRow | undefined> {
  return db.selectFrom('orgs').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
}
