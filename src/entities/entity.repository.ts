import { orgBesideIds } from '../db/capabilities.js';
import type { Db } from '../db/database.js';
import { preparedQuery } from '../db/prepared-query.js';
import type { Updateable } from 'kysely';
import type { EntityTable, EntityType, Row } from '../db/schema.js';

export type EntityRow = Omit<Row<'entities'>, 'password_hash' | 'created_on'>;

export type LoginRow = EntityRow & { password_hash: string | null };

const entityColumns = [
  'id',
  'org_id',
  'type',
  'code',
  'parent_id',
  'username',
  'disabled',
] as const;

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

/** How far up the tree {@link findLine} follows parents: deeper than any real org, short of a loop. */
const MAX_DEPTH = 16;

/**
 * Entity `id` and the entities above it, nearest first (empty when the org has no such entity):
 * where a person sits, for the pages that open on their store or zone.
 */
export async function findLine(db: Db, orgId: number, id: number): Promise<EntityRow[]> {
  const line: EntityRow[] = [];
  for (let at: number | null = id; at !== null && line.length < MAX_DEPTH;) {
    const row = await db
      .selectFrom('entities')
      .select(entityColumns)
      .where('org_id', '=', orgId)
      .where('id', '=', at)
      .executeTakeFirst();
    if (row === undefined) break;
    line.push(row);
    at = row.parent_id === null ? null : Number(row.parent_id);
  }
  return line;
}

/** The org's entities among `ids`, keyed by id (absent ids, and other orgs' ids, are missing). */
export async function findEntitiesByIds(
  db: Db,
  orgId: number,
  ids: readonly number[],
): Promise<Map<number, EntityRow>> {
  if (ids.length === 0) return new Map();
  const rows = await entitiesByIdsQuery(db, orgId, ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** The statement {@link findEntitiesByIds} runs (`ids` not empty). */
export function entitiesByIdsQuery(db: Db, orgId: number, ids: readonly number[]) {
  return db
    .selectFrom('entities')
    .select(entityColumns)
    .where(orgBesideIds(db, 'org_id'), '=', orgId)
    .where('id', 'in', [...new Set(ids)]);
}

/** The log-in entity whose username is `username`, in any org (usernames are global). */
/**
 * The columns a request's caller is made of (src/auth/authenticate.ts): the entity and its org's
 * policy, read together by both ways of authenticating.
 */
export const callerColumns = [
  'entities.id',
  'entities.org_id',
  'entities.type',
  'entities.code',
  'orgs.rate_limit_per_minute',
  'orgs.require_if_match',
] as const;

/**
 * What authenticating `username` needs in one query: its entity and stored hash, and its org's
 * policy (rate limit, If-Match requirement).
 */
export async function findLoginForAuthentication(db: Db, username: string) {
  const [row] = await selectLoginForAuthentication(db, { username });
  return row;
}

const selectLoginForAuthentication = preparedQuery((db, p: { username: string }) =>
  db
    .selectFrom('entities')
    .innerJoin('orgs', 'orgs.id', 'entities.org_id')
    .select([...callerColumns, 'entities.disabled', 'entities.password_hash'])
    .where('entities.username', '=', p.username),
);

export function findLoginByUsername(db: Db, username: string): Promise<LoginRow | undefined> {
  return db
    .selectFrom('entities')
    .select([...entityColumns, 'password_hash'])
    .where('username', '=', username)
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

/** Sets `disabled` and/or the credentials of the org's entity `id`; answers the updated row. */
export function setEntityCredentials(
  db: Db,
  orgId: number,
  id: number,
  values: Updateable<EntityTable>,
): Promise<EntityRow> {
  return db
    .updateTable('entities')
    .set(values)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returning(entityColumns)
    .executeTakeFirstOrThrow();
}

/** One page of the org's entities, oldest first. */
export function listEntityRows(
  db: Db,
  orgId: number,
  query: { type?: EntityType | undefined; limit: number; offset: number },
): Promise<EntityRow[]> {
  let select = db.selectFrom('entities').select(entityColumns).where('org_id', '=', orgId);
  if (query.type !== undefined) select = select.where('type', '=', query.type);
  return select.orderBy('id').limit(query.limit).offset(query.offset).execute();
}

/** How many entities of the org can log in (have a username). */
export async function countLoginEntities(db: Db, orgId: number): Promise<number> {
  const row = await db
    .selectFrom('entities')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('username', 'is not', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
