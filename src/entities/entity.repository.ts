import type { Db } from '../db/database.js';
import type { EntityType } from '../db/schema.js';

export type EntityRow = {
  id: number;
  org_id: number;
  type: EntityType;
  code: string;
  parent_id: number | null;
};

export type LoginRow = EntityRow & { password_hash: string | null; disabled: number };

const entityColumns = ['id', 'org_id', 'type', 'code', 'parent_id'] as const;

export function findEntityByCode(
  db: Db,
  orgId: number,
  code: string,
): Promise<EntityRow | undefined> {
  return db
    .selectFrom('entities')
    .select(entityColumns)
    .where('org_id', '=', orgId)
    .where('code', '=', code)
    .executeTakeFirst();
}

/** The org's entities among `ids`, keyed by id (absent ids, and other orgs' ids, are missing). */
export async function findEntitiesByIds(
  db: Db,
  orgId: number,
  ids: readonly number[],
): Promise<Map<number, EntityRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('entities')
    .select(entityColumns)
    .where('org_id', '=', orgId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** The log-in entity whose username is `username`, in any org (usernames are global). */
export function findLoginByUsername(db: Db, username: string): Promise<LoginRow | undefined> {
  return db
    .selectFrom('entities')
    .select([...entityColumns, 'password_hash', 'disabled'])
    .where('username', '=', username)
    .executeTakeFirst();
}

export function findLoginById(db: Db, id: number): Promise<LoginRow | undefined> {
  return db
    .selectFrom('entities')
    .select([...entityColumns, 'password_hash', 'disabled'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertEntity(
  db: Db,
  values: {
    orgId: number;
    type: EntityType;
    code: string;
    parentId: number | null;
    username: string | null;
    passwordHash: string | null;
    now: number;
  },
): Promise<EntityRow> {
  return db
    .insertInto('entities')
    .values({
      org_id: values.orgId,
      type: values.type,
      code: values.code,
      parent_id: values.parentId,
      username: values.username,
      password_hash: values.passwordHash,
      disabled: 0,
      created_on: values.now,
    })
    .returning(entityColumns)
    .executeTakeFirstOrThrow();
}
