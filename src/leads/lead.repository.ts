import { sql, type Insertable, type SelectQueryBuilder, type Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import { seeksOnRowComparison } from '../db/capabilities.js';
import { preparedQuery } from '../db/prepared-query.js';
import type { Database, EntityType, LeadStatus, LeadTable, LeadType, Row } from '../db/schema.js';

/** A lead row with its owner's code (the API's `owner` is a username, not an id). */
export type LeadRow = Row<'leads'> & { owner_code: string | null };

function selectLeads(db: Db) {
  return db
    .selectFrom('leads')
    .leftJoin('entities as owner', (join) =>
      join.onRef('owner.org_id', '=', 'leads.org_id').onRef('owner.id', '=', 'leads.owner_id'),
    )
    .selectAll('leads')
    .select('owner.code as owner_code');
}

/**
 * The org's lead `id`, or undefined. `forChange` (inside a transaction) locks the row until
 * commit, so concurrent changes to one lead apply one after the other (`FOR UPDATE` on
 * PostgreSQL; SQLite's one writer already holds the whole database).
 */
export async function findLead(
  db: Db,
  orgId: number,
  id: number,
  forChange = false,
): Promise<LeadRow | undefined> {
  const [row] = await (forChange ? findLeadLocked : findLeadUnlocked)(db, { orgId, id });
  return row;
}

const findLeadUnlocked = preparedQuery((db, p: { orgId: number; id: number }) =>
  selectLeads(db).where('leads.org_id', '=', p.orgId).where('leads.id', '=', p.id),
);

const findLeadLocked = preparedQuery((db, p: { orgId: number; id: number }) =>
  selectLeads(db)
    .where('leads.org_id', '=', p.orgId)
    .where('leads.id', '=', p.id)
    .forUpdate('leads'),
);

/** The org's leads among `ids`, in id order. */
export async function findLeadsById(
  db: Db,
  orgId: number,
  ids: readonly number[],
): Promise<LeadRow[]> {
  if (ids.length === 0) return [];
  return selectLeads(db)
    .where('leads.org_id', '=', orgId)
    .where('leads.id', 'in', [...ids])
    .orderBy('leads.id')
    .execute();
}

/**
 * The open (OPEN or ON_HOLD) leads `ownerId` owns whose next follow-up is before `until`, the
 * earliest first: read through the owner index, so bounded by what one entity owns, not by
 * the org.
 */
export function findOwnedDueLeads(
  db: Db,
  orgId: number,
  ownerId: number,
  until: number,
  limit: number,
): Promise<LeadRow[]> {
  return selectLeads(db)
    .where('leads.org_id', '=', orgId)
    .where('leads.owner_id', '=', ownerId)
    .where('leads.status', 'in', ['OPEN', 'ON_HOLD'])
    .where('leads.next_follow_up', '<', until)
    .orderBy('leads.next_follow_up')
    .orderBy('leads.id')
    .limit(limit)
    .execute();
}

/**
 * The worked leads (OPEN, ON_HOLD) recorded in a store (created by it or anyone beneath it)
 * whose next follow-up falls before `until`, earliest first, except those `ownerId` owns:
 * the rest of a store's due list. Read one creator at a time, each creator's first `limit` in
 * order straight from migration 0016's index, then merged: a store can have tens of thousands
 * of due leads, and one query over all its creators made PostgreSQL read and sort every one of
 * them to keep 50 (138 ms over the largest store of a 1,000,000-lead org, 63,000 due leads).
 */
export async function findStoreDueLeads(
  db: Db,
  orgId: number,
  store: { type: EntityType; code: string },
  ownerId: number,
  until: number,
  limit: number,
): Promise<LeadRow[]> {
  const creators = (await entitySubtree(db, orgId, store).execute()).map((row) => Number(row.id));
  const lists = await Promise.all(
    creators.map((creator) =>
      creatorDueLeadsQuery(db, orgId, creator, ownerId, until, limit).execute(),
    ),
  );
  return lists
    .flat()
    .sort((a, b) => Number(a.next_follow_up) - Number(b.next_follow_up) || a.id - b.id)
    .slice(0, limit);
}

/** One creator's part of {@link findStoreDueLeads}, unexecuted, so tests can EXPLAIN it. */
export function creatorDueLeadsQuery(
  db: Db,
  orgId: number,
  creator: number,
  ownerId: number,
  until: number,
  limit: number,
) {
  return (
    selectLeads(db)
      .where('leads.org_id', '=', orgId)
      .where('leads.created_by', '=', creator)
      // Written out, not bound: SQLite uses a partial index only for the predicate's own literals.
      .where(sql<boolean>`leads.status in ('OPEN', 'ON_HOLD')`)
      .where('leads.next_follow_up', '<', until)
      .where((eb) => eb.or([eb('leads.owner_id', 'is', null), eb('leads.owner_id', '!=', ownerId)]))
      .orderBy('leads.next_follow_up')
      .orderBy('leads.id')
      .limit(limit)
  );
}

/** The leads `createdBy` created from `since` on, the newest first (through the creator index). */
export function findCreatedSince(
  db: Db,
  orgId: number,
  createdBy: number,
  since: number,
  limit: number,
): Promise<LeadRow[]> {
  return selectLeads(db)
    .where('leads.org_id', '=', orgId)
    .where('leads.created_by', '=', createdBy)
    .where('leads.created_on', '>=', since)
    .orderBy('leads.created_on', 'desc')
    .orderBy('leads.id', 'desc')
    .limit(limit)
    .execute();
}

const findLeadId = preparedQuery((db, p: { orgId: number; id: number }) =>
  db.selectFrom('leads').select('id').where('org_id', '=', p.orgId).where('id', '=', p.id),
);

export async function leadExists(db: Db, orgId: number, id: number): Promise<boolean> {
  return (await findLeadId(db, { orgId, id })).length > 0;
}

export async function insertLead(db: Db, values: Insertable<LeadTable>): Promise<number> {
  const row = await db.insertInto('leads').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Sets `values` on the org's lead `id` and moves its version (its ETag) on by one. */
export async function updateLeadVersioned(
  db: Db,
  orgId: number,
  id: number,
  values: Omit<Updateable<LeadTable>, 'version'>,
): Promise<void> {
  await db
    .updateTable('leads')
    .set((eb) => ({ ...values, version: eb('version', '+', 1) }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export type LeadFilters = {
  userId?: number | undefined;
  status?: LeadStatus | undefined;
  subStatus?: string | undefined;
  type?: LeadType | undefined;
  ownerId?: number | undefined;
  orgSourceId?: number | undefined;
  /** Leads created by this entity or any entity beneath it. */
  createdUnder?: { type: EntityType; code: string } | undefined;
};

/** Where a keyset page starts: the sort value and id of the last lead of the previous page. */
export type LeadPosition = { key: number; id: number };

export type LeadPage = {
  sortBy: 'id' | 'created_on' | 'last_updated_on';
  direction: 'asc' | 'desc';
  limit: number;
  offset: number;
  /** Keyset paging: only leads after this position in the page's order. */
  after?: LeadPosition | undefined;
};

type LeadQuery = SelectQueryBuilder<
  Database & { owner: Database['entities'] },
  'leads' | 'owner',
  LeadRow
>;

/**
 * One page of the org's leads matching every filter. DELETED leads only appear when asked for
 * by status. Ties of any sort are broken by id in the same direction, so pages never overlap.
 */
export function listLeads(
  db: Db,
  orgId: number,
  filters: LeadFilters,
  page: LeadPage,
): Promise<LeadRow[]> {
  return listLeadsPrepared(db, {
    sortBy: page.sortBy,
    direction: page.direction,
    orgId,
    ...filters,
    createdUnder: undefined,
    createdUnderType: filters.createdUnder?.type,
    createdUnderCode: filters.createdUnder?.code,
    limit: page.limit,
    offset: page.offset,
    // Under the id sort the position's id is all the query needs.
    afterKey: page.sortBy === 'id' ? undefined : page.after?.key,
    afterId: page.after?.id,
  });
}

/** {@link listLeadsQuery} compiled once per combination of filters, sort and direction. */
const listLeadsPrepared = preparedQuery(
  (
    db,
    p: Omit<LeadFilters, 'createdUnder'> & {
      sortBy: LeadPage['sortBy'];
      direction: LeadPage['direction'];
      orgId: number;
      createdUnder: undefined;
      createdUnderType: EntityType | undefined;
      createdUnderCode: string | undefined;
      limit: number;
      offset: number;
      afterKey: number | undefined;
      afterId: number | undefined;
    },
  ) =>
    listLeadsQuery(
      db,
      p.orgId,
      {
        ...p,
        createdUnder:
          p.createdUnderType === undefined || p.createdUnderCode === undefined
            ? undefined
            : { type: p.createdUnderType, code: p.createdUnderCode },
      },
      {
        sortBy: p.sortBy,
        direction: p.direction,
        limit: p.limit,
        offset: p.offset,
        after: p.afterId === undefined ? undefined : { key: p.afterKey ?? 0, id: p.afterId },
      },
    ),
  { structural: ['sortBy', 'direction'] },
);

/**
 * The query behind {@link listLeads}, unexecuted, so tests can EXPLAIN it.
 *
 * A keyset page must seek in the (org_id, sort column, id) index to its position rather than
 * walk to it, so deep pages cost what the first one does. Under the id sort that is `id > ?`.
 * Under the other sorts PostgreSQL seeks on the row comparison `(key, id) > (?, ?)`. SQLite
 * only seeks on the key column of a row comparison when the tie-breaker is the rowid (`id`
 * is), so leads sharing the position's key would be walked through; instead two arms, the
 * ties after the position (`key = ? AND id > ?`) and the keys beyond it (`key > ?`), each a
 * plain seek, are merged in order (SQLite's MERGE (UNION ALL), no sort) and cut at the limit.
 */
export function listLeadsQuery(db: Db, orgId: number, filters: LeadFilters, page: LeadPage) {
  const { sortBy, direction, after } = page;
  const matching = matchingLeads(db, orgId, filters);
  const beyond = direction === 'asc' ? '>' : '<';
  if (after === undefined || sortBy === 'id') {
    let query = after === undefined ? matching : matching.where('leads.id', beyond, after.id);
    if (sortBy !== 'id') query = query.orderBy(`leads.${sortBy}`, direction);
    return query.orderBy('leads.id', direction).limit(page.limit).offset(page.offset);
  }
  if (seeksOnRowComparison(db)) {
    return matching
      .where((eb) =>
        eb(eb.refTuple(`leads.${sortBy}`, 'leads.id'), beyond, eb.tuple(after.key, after.id)),
      )
      .orderBy(`leads.${sortBy}`, direction)
      .orderBy('leads.id', direction)
      .limit(page.limit)
      .offset(page.offset);
  }
  const ties = matching
    .where(`leads.${sortBy}`, '=', after.key)
    .where('leads.id', beyond, after.id);
  const later = matching.where(`leads.${sortBy}`, beyond, after.key);
  // A compound's ORDER BY names its result columns, unqualified.
  return ties
    .unionAll(later)
    .orderBy(sortBy, direction)
    .orderBy('id', direction)
    .limit(page.limit)
    .offset(page.offset);
}

/** The org's leads matching every filter, unordered. */
function matchingLeads(db: Db, orgId: number, filters: LeadFilters): LeadQuery {
  let query: LeadQuery = selectLeads(db).where('leads.org_id', '=', orgId);
  query =
    filters.status === undefined
      ? query.where('leads.status', '!=', 'DELETED')
      : query.where('leads.status', '=', filters.status);
  if (filters.userId !== undefined) query = query.where('leads.user_id', '=', filters.userId);
  if (filters.subStatus !== undefined) {
    query = query.where('leads.sub_status', '=', filters.subStatus);
  }
  if (filters.type !== undefined) query = query.where('leads.type', '=', filters.type);
  if (filters.ownerId !== undefined) query = query.where('leads.owner_id', '=', filters.ownerId);
  if (filters.orgSourceId !== undefined) {
    query = query.where('leads.org_source_id', '=', filters.orgSourceId);
  }
  const under = filters.createdUnder;
  if (under !== undefined) {
    query = query.where('leads.created_by', 'in', entitySubtree(db, orgId, under));
  }
  return query;
}

/**
 * The ids of the org's entity `under` and of every entity beneath it (none when the org has no
 * such entity): the `entityType` + `entityCode` filter of the list and of analytics.
 */
export function entitySubtree(db: Db, orgId: number, under: { type: EntityType; code: string }) {
  return db
    .withRecursive('subtree(id)', (cte) =>
      cte
        .selectFrom('entities')
        .select('entities.id')
        .where('entities.org_id', '=', orgId)
        .where('entities.type', '=', under.type)
        .where('entities.code', '=', under.code)
        .unionAll((child) =>
          child
            .selectFrom('entities as child')
            .innerJoin('subtree', 'subtree.id', 'child.parent_id')
            .select('child.id')
            .where('child.org_id', '=', orgId),
        ),
    )
    .selectFrom('subtree')
    .select('subtree.id');
}
