import type { AppContext } from '../../core/context.js';
import type { Caller } from '../../core/caller.js';
import { FieldErrors } from '../../core/errors.js';
import {
  listLeads,
  type LeadFilters,
  type LeadPage,
  type LeadPosition,
  type LeadRow,
} from '../lead.repository.js';
import { decodeLeadCursor, encodeLeadCursor, filtersHash } from '../lead.cursor.js';
import type { VersionedLead } from '../lead.mapper.js';
import type { LeadListQuery } from '../lead.schemas.js';
import { EMBEDDED_HISTORY, loadLeads } from '../lead.loader.js';
import { showLeads, type LeadView } from '../lead.view.js';
import { OrgReadBudget } from '../../core/org-read-budget.js';

/** One page of `GET /v2/leads`, and where the next one starts when there is one. */
export type LeadListPage = { leads: VersionedLead[]; nextCursor?: string };

const API_SORT_NAMES = { created_on: 'createdOn', last_updated_on: 'lastUpdatedOn' } as const;

/** How a client asks for `sortBy` and `direction`, for messages. */
function describeSort(sortBy: LeadPage['sortBy'], direction: LeadPage['direction']): string {
  const order = `sortOrder=${direction.toUpperCase()}`;
  return sortBy === 'id' ? `no sortBy and ${order}` : `sortBy=${API_SORT_NAMES[sortBy]}&${order}`;
}

/**
 * Where the page of `query.cursor` starts, checked against the request: a cursor only continues
 * the walk it came from (same sort, same filters), and replaces `offset`.
 */
function cursorPosition(
  query: LeadListQuery,
  sort: Pick<LeadPage, 'sortBy' | 'direction'>,
  filters: string,
  errors: FieldErrors,
): LeadPosition | undefined {
  if (query.cursor === undefined) return undefined;
  if (query.offset !== 0) {
    errors.add('FIELD_CONFLICT', 'cursor and offset exclude each other; give one');
  }
  const cursor = decodeLeadCursor(query.cursor);
  if (cursor === undefined) {
    errors.add(
      'FIELD_INVALID_CURSOR',
      'cursor is not a nextCursor of GET /v2/leads; list again without it',
    );
    return undefined;
  }
  if (cursor.sortBy !== sort.sortBy || cursor.direction !== sort.direction) {
    errors.add(
      'FIELD_INVALID_CURSOR',
      `cursor belongs to a list with ${describeSort(cursor.sortBy, cursor.direction)}, ` +
        `not ${describeSort(sort.sortBy, sort.direction)}; send it with the sort it came from`,
    );
  } else if (cursor.filters !== filters) {
    errors.add(
      'FIELD_INVALID_CURSOR',
      'cursor belongs to a list with other filters; send it with the filters it came from',
    );
  }
  return cursor.after;
}

/** The position of `row` in a list sorted by `sortBy`. */
function positionOf(row: LeadRow, sortBy: LeadPage['sortBy']): LeadPosition {
  return { key: row[sortBy], id: row.id };
}

/** One turn of the event loop for the requests waiting behind a long read. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One page of the caller's leads matching the query, by `offset` or by keyset `cursor`, with
 * the cursor of the next page when more leads match. A filter naming nothing yields no rows.
 * One org's large lists wait for each other, not for other orgs' requests (fairness).
 */
export async function searchLeads(
  ctx: AppContext,
  caller: Caller,
  input: { query: LeadListQuery; view?: LeadView },
): Promise<LeadListPage> {
  const release = await ctx.orgReadBudget.acquire(
    caller.orgId,
    OrgReadBudget.listWeight(input.query.limit),
  );
  let page: LeadListPage;
  try {
    page = await findPage(ctx, caller, input.query);
  } finally {
    release();
  }
  // Serialising a page of a thousand leads is the last long step: give waiting requests a turn
  // first.
  await yieldToOthers();
  return { ...page, leads: await showLeads(ctx, caller.orgId, page.leads, input.view) };
}

async function findPage(
  ctx: AppContext,
  caller: Caller,
  query: LeadListQuery,
): Promise<LeadListPage> {
  const errors = new FieldErrors();
  if ((query.entityType === undefined) !== (query.entityCode === undefined)) {
    errors.add('FIELD_CONFLICT', 'entityType and entityCode must be given together');
  }
  if (
    query.substatus !== undefined &&
    query.subStatus !== undefined &&
    query.substatus !== query.subStatus
  ) {
    errors.add('FIELD_CONFLICT', 'substatus and subStatus differ; give one');
  }
  const filters: LeadFilters = {
    userId: query.userId,
    status: query.status,
    subStatus: query.substatus ?? query.subStatus,
    type: query.type === 'ALL' ? undefined : query.type,
    ownerId: query.owner,
    orgSourceId: query.orgSourceId,
    createdUnder:
      query.entityType !== undefined && query.entityCode !== undefined
        ? { type: query.entityType, code: query.entityCode }
        : undefined,
  };
  // Without sortBy the order is by id, and sortOrder sets its direction.
  const sort: Pick<LeadPage, 'sortBy' | 'direction'> = {
    sortBy:
      query.sortBy === 'createdOn'
        ? 'created_on'
        : query.sortBy === 'lastUpdatedOn'
          ? 'last_updated_on'
          : 'id',
    direction: query.sortOrder === 'DESC' ? 'desc' : 'asc',
  };
  const filtersKey = filtersHash(filters);
  const after = cursorPosition(query, sort, filtersKey, errors);
  errors.throwIfAny();
  // One lead beyond the page tells whether a next page exists, so the last page has no cursor.
  // A replica may serve the list (docs/deploy.md, "Read routing"), never missing the caller's
  // own writes.
  const db = ctx.store.listDb;
  const rows = await listLeads(db, caller.orgId, filters, {
    ...sort,
    limit: query.limit + 1,
    offset: query.offset,
    after,
  });
  const pageRows = rows.slice(0, query.limit);
  const last = pageRows.at(-1);
  // On SQLite every query runs on the event loop's thread: between the page's query and its
  // history's, let whatever else is waiting (another org's write) run.
  await yieldToOthers();
  const leads = await loadLeads(db, caller.orgId, pageRows, EMBEDDED_HISTORY.list);
  if (rows.length <= query.limit || last === undefined) return { leads };
  const nextCursor = encodeLeadCursor({
    ...sort,
    after: positionOf(last, sort.sortBy),
    filters: filtersKey,
  });
  return { leads, nextCursor };
}
