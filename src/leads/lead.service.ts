import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import type { Db } from '../db/database.js';
import type { LeadStatus } from '../db/schema.js';
import { AppError, FieldErrors, type EnvelopeItem } from '../core/errors.js';
import { checkLeadFieldsOnCreate, checkLeadFieldsOnUpdate } from '../extended-fields/index.js';
import { formatDateTime, parseDateTime } from '../core/date-time.js';
import { IN_STORE_SOURCE_ID, channelExists } from '../channels/index.js';
import { customerExists, findOrCreateCustomer, normaliseIdentifier } from '../customers/index.js';
import { findEntitiesByIds, findEntityByCode } from '../entities/index.js';
import { findReasonByText, findReasonsByIds, SYSTEM_REASONS } from '../reasons/index.js';
import { subStatusExists } from '../sub-statuses/index.js';
import {
  insertFollowUps,
  insertStatusLogs,
  countHistory,
  latestStatusLogOn,
  listFollowUps,
  listStatusLogs,
  pageFollowUps,
  pageStatusLogs,
} from './history.repository.js';
import {
  findLead,
  insertLead,
  leadExists,
  listLeads,
  updateLeadVersioned,
  type LeadFilters,
  type LeadPage,
  type LeadPosition,
  type LeadRow,
} from './lead.repository.js';
import { decodeLeadCursor, encodeLeadCursor, filtersHash } from './lead.cursor.js';
import {
  etagOf,
  followUpRowToFollowUp,
  groupByLead,
  leadRowToLead,
  statusLogRowToStatusLog,
  type VersionedLead,
} from './lead.mapper.js';
import type {
  FollowUp,
  FollowUpBody,
  HistoryQuery,
  LeadCreateBody,
  LeadListQuery,
  LeadUpdateBody,
  StatusChangeBody,
  StatusLog,
} from './lead.schemas.js';

/**
 * The rules of leads: what a valid lead is, and how each change is written in one transaction.
 * A new lead's references are checked before its transaction. A change of a lead reads the
 * lead first, in its transaction (locked on PostgreSQL so concurrent changes to one lead queue
 * up), then checks the body's references, writes, and answers the lead from that transaction.
 */

function leadNotFound(id: number): AppError {
  return AppError.of('LEAD_NOT_FOUND', `lead ${id} does not exist`);
}

/** Fails with LEAD_NOT_FOUND unless the caller's org has lead `id`. */
export async function requireLead(ctx: AppContext, caller: Caller, id: number): Promise<void> {
  if (!(await leadExists(ctx.store.db, caller.orgId, id))) throw leadNotFound(id);
}

/**
 * Like {@link requireLead} for a raw path segment: anything that is not a positive id is a lead
 * that does not exist.
 */
export async function requireLeadPath(
  ctx: AppContext,
  caller: Caller,
  rawId: string,
): Promise<void> {
  const id = Number(rawId);
  if (!/^[0-9]{1,16}$/.test(rawId) || !Number.isSafeInteger(id) || id < 1) {
    throw AppError.of('LEAD_NOT_FOUND', `lead ${rawId.slice(0, 40)} does not exist`);
  }
  await requireLead(ctx, caller, id);
}

/** Checks that every (field, entity id) pair names an entity of the org. */
async function checkEntities(
  db: Db,
  orgId: number,
  refs: Array<[field: string, id: number | undefined]>,
  errors: FieldErrors,
): Promise<void> {
  const ids = refs.map(([, id]) => id).filter((id): id is number => id !== undefined);
  const found = await findEntitiesByIds(db, orgId, ids);
  for (const [field, id] of refs) {
    if (id !== undefined && !found.has(id)) {
      errors.add('FIELD_UNKNOWN_REFERENCE', `${field}: no entity ${id} in this org`);
    }
  }
}

async function checkReasons(
  db: Db,
  orgId: number,
  refs: Array<[field: string, id: number]>,
  errors: FieldErrors,
): Promise<void> {
  const found = await findReasonsByIds(
    db,
    orgId,
    refs.map(([, id]) => id),
  );
  for (const [field, id] of refs) {
    if (!found.has(id))
      errors.add('FIELD_UNKNOWN_REFERENCE', `${field}: no reason ${id} in this org`);
  }
}

async function checkSubStatus(
  db: Db,
  orgId: number,
  status: LeadStatus,
  subStatus: string | undefined,
  errors: FieldErrors,
): Promise<void> {
  if (subStatus !== undefined && !(await subStatusExists(db, orgId, status, subStatus))) {
    errors.add(
      'SUB_STATUS_NOT_CONFIGURED',
      `subStatus: ${subStatus} is not a sub-status of ${status} in this org`,
    );
  }
}

async function resolveOwner(
  db: Db,
  orgId: number,
  owner: string,
  errors: FieldErrors,
): Promise<number | undefined> {
  const entity = await findEntityByCode(db, orgId, owner);
  if (!entity) errors.add('FIELD_UNKNOWN_REFERENCE', `owner: no entity ${owner} in this org`);
  return entity?.id;
}

type CustomerRef = { userId: number } | { column: 'email' | 'mobile'; value: string };

async function resolveCustomerRef(
  db: Db,
  orgId: number,
  body: LeadCreateBody,
  errors: FieldErrors,
): Promise<CustomerRef | undefined> {
  const { userId, idType, identifier } = body;
  if (userId !== undefined) {
    if (idType !== undefined || identifier !== undefined) {
      errors.add(
        'FIELD_CONFLICT',
        'userId: give either userId or idType with identifier, not both',
      );
      return undefined;
    }
    if (!(await customerExists(db, orgId, userId))) {
      errors.add('FIELD_UNKNOWN_REFERENCE', `userId: no customer ${userId} in this org`);
      return undefined;
    }
    return { userId };
  }
  if (idType === undefined && identifier === undefined) {
    errors.add('FIELD_REQUIRED', 'userId (or idType with identifier) is required');
    return undefined;
  }
  if (idType === undefined) {
    errors.add('FIELD_REQUIRED', 'idType is required with identifier');
    return undefined;
  }
  if (identifier === undefined) {
    errors.add('FIELD_REQUIRED', 'identifier is required with idType');
    return undefined;
  }
  return normaliseIdentifier(db, orgId, idType, identifier, errors);
}

/** Rows as API leads with their history: two queries for any number of rows, never one per lead. */
/**
 * How many of its newest follow-ups and status-log rows a lead embeds: a lead's history may hold
 * thousands of rows, and every write answers the lead, so what it carries is bounded; the rest
 * is paged through GET /v2/leads/{id}/followups and /statusLog.
 */
export const EMBEDDED_HISTORY = { one: 100, list: 20 } as const;

async function loadLeads(
  db: Db,
  orgId: number,
  rows: LeadRow[],
  newest: number = EMBEDDED_HISTORY.one,
): Promise<VersionedLead[]> {
  const ids = rows.map((r) => r.id);
  const [followUps, statusLogs] = await Promise.all([
    listFollowUps(db, orgId, ids, newest),
    listStatusLogs(db, orgId, ids, newest),
  ]);
  const followUpsByLead = groupByLead(followUps);
  const logsByLead = groupByLead(statusLogs);
  return rows.map((row) =>
    leadRowToLead(row, followUpsByLead.get(row.id) ?? [], logsByLead.get(row.id) ?? []),
  );
}

/** The caller's lead `id` with its follow-ups and status log, or LEAD_NOT_FOUND. */
export async function getLead(ctx: AppContext, caller: Caller, id: number): Promise<VersionedLead> {
  const row = await findLead(ctx.store.db, caller.orgId, id);
  if (!row) throw leadNotFound(id);
  const [lead] = await loadLeads(ctx.store.db, caller.orgId, [row]);
  if (!lead) throw leadNotFound(id);
  return lead;
}

/**
 * Adds a lead with its optional history, creating its customer from an identifier when needed.
 *
 * @example await createLead(ctx, caller, { leadFor: 'JKT-0192-M', idType: 'EMAIL', identifier: 'a@b.co' });
 */
export async function createLead(
  ctx: AppContext,
  caller: Caller,
  body: LeadCreateBody,
  warnings: EnvelopeItem[],
): Promise<VersionedLead> {
  const { db } = ctx.store;
  const orgId = caller.orgId;
  const errors = new FieldErrors();
  const followUps = body.followUpDetails ?? [];
  const history = body.statusLogDetails ?? [];
  const createdBy = body.createdBy ?? caller.entityId;

  const customer = await resolveCustomerRef(db, orgId, body, errors);
  await checkEntities(
    db,
    orgId,
    [
      ['createdBy', body.createdBy],
      ...followUps.flatMap((f, i): Array<[string, number | undefined]> => [
        [`followUpDetails[${i}].createdBy`, f.createdBy],
        [`followUpDetails[${i}].followedUpBy`, f.followedUpBy],
      ]),
      ...history.map((h, i): [string, number | undefined] => [
        `statusLogDetails[${i}].createdBy`,
        h.createdBy,
      ]),
    ],
    errors,
  );
  await checkReasons(
    db,
    orgId,
    history.map((h, i): [string, number] => [`statusLogDetails[${i}].reasonId`, h.reasonId]),
    errors,
  );
  const ownerId =
    body.owner === undefined ? undefined : await resolveOwner(db, orgId, body.owner, errors);
  const orgSourceId = body.orgSourceId ?? IN_STORE_SOURCE_ID;
  if (!(await channelExists(db, orgId, orgSourceId))) {
    errors.add('FIELD_UNKNOWN_REFERENCE', `orgSourceId: no channel ${orgSourceId} in this org`);
  }
  const status: LeadStatus = body.status ?? history.at(-1)?.status ?? 'OPEN';
  await checkSubStatus(db, orgId, status, body.subStatus, errors);
  const extendedFields = await checkLeadFieldsOnCreate(
    db,
    orgId,
    body.extendedFields,
    errors,
    warnings,
  );
  const apiCall = await findReasonByText(db, orgId, SYSTEM_REASONS.APICALL);
  errors.throwIfAny();
  if (!customer || !apiCall)
    throw new Error('lead validation passed without a customer or APICALL');

  const now = ctx.clock.now();
  const createdOn = body.createdOn === undefined ? now : parseDateTime(body.createdOn);
  const followedUpOns = followUps.map((f) => parseDateTime(f.followedUpOn));
  const nextFollowUp =
    body.nextFollowUp ?? followUps.findLast((f) => f.nextFollowUp !== undefined)?.nextFollowUp;
  const statusRows = history.map((h) => ({
    status: h.status,
    sub_status: null as string | null,
    created_by: h.createdBy ?? createdBy,
    reason_id: h.reasonId,
  }));
  // Every lead's newest status-log row carries its current status and sub-status.
  const last = statusRows.at(-1);
  if (last?.status === status) {
    last.sub_status = body.subStatus ?? null;
  } else {
    statusRows.push({
      status,
      sub_status: body.subStatus ?? null,
      created_by: createdBy,
      reason_id: apiCall.id,
    });
  }

  const id = await ctx.store.transaction(async (trx) => {
    const userId =
      'userId' in customer
        ? customer.userId
        : await findOrCreateCustomer(trx, orgId, customer.column, customer.value, now);
    const leadId = await insertLead(trx, {
      org_id: orgId,
      user_id: userId,
      type: body.type ?? 'SKU',
      lead_for: body.leadFor,
      status,
      sub_status: body.subStatus ?? null,
      owner_id: ownerId ?? null,
      next_follow_up: nextFollowUp === undefined ? null : parseDateTime(nextFollowUp),
      last_follow_up: followedUpOns.length === 0 ? null : Math.max(...followedUpOns),
      created_on: createdOn,
      created_by: createdBy,
      last_updated_on: now,
      last_updated_by: caller.entityId,
      org_source_id: orgSourceId,
      extended_fields: JSON.stringify(extendedFields),
    });
    await insertFollowUps(
      trx,
      followUps.map((f, i) => {
        const by = f.createdBy ?? caller.entityId;
        return {
          org_id: orgId,
          lead_id: leadId,
          user_id: userId,
          notes: f.notes ?? null,
          created_by: by,
          created_on: now,
          followed_up_by: f.followedUpBy ?? by,
          followed_up_on: followedUpOns[i] ?? now,
          scheduled_follow_up:
            f.scheduledFollowUp === undefined ? null : parseDateTime(f.scheduledFollowUp),
        };
      }),
    );
    await insertStatusLogs(
      trx,
      statusRows.map((r) => ({
        ...r,
        org_id: orgId,
        lead_id: leadId,
        user_id: userId,
        created_on: createdOn,
      })),
    );
    return leadId;
  });
  return getLead(ctx, caller, id);
}

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

/**
 * One page of the caller's leads matching the query, by `offset` or by keyset `cursor`, with
 * the cursor of the next page when more leads match. A filter naming nothing yields no rows.
 */
export async function searchLeads(
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
  const rows = await listLeads(ctx.store.db, ctx.store.dialect, caller.orgId, filters, {
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
  const leads = await loadLeads(ctx.store.db, caller.orgId, pageRows, EMBEDDED_HISTORY.list);
  if (rows.length <= query.limit || last === undefined) return { leads };
  const nextCursor = encodeLeadCursor({
    ...sort,
    after: positionOf(last, sort.sortBy),
    filters: filtersKey,
  });
  return { leads, nextCursor };
}

/** `lastUpdatedOn` of a change: now, but never before the lead's previous value. */
function nextUpdatedOn(row: LeadRow, now: number): number {
  return Math.max(row.last_updated_on, now);
}

/** The lead columns a change sets; the version moves by one with every change. */
type LeadChanges = Partial<
  Omit<LeadRow, 'id' | 'org_id' | 'owner_code' | 'version' | 'created_on' | 'created_by'>
>;

type LeadChange<V> = {
  /** Reads that check the request's references, collecting every bad field into one 400. */
  validate(trx: Db): Promise<V>;
  /** Writes the change's rows and answers the lead columns to set. */
  apply(trx: Db, row: LeadRow, now: number, checked: V): Promise<LeadChanges>;
  /** The code of the new owner when the change sets `owner_id`. */
  ownerCode?: string | null;
  /**
   * Lead updates and status changes take `If-Match` (and need it when the org requires it);
   * appending a follow-up does not.
   */
  concurrency: { ifMatch: string | undefined } | 'append-only';
};

/**
 * Runs one change of lead `id` in one transaction and answers the lead as that transaction left
 * it. In the contract's order: the lead must exist (404, locked on PostgreSQL so concurrent
 * changes to one lead apply one after the other), `If-Match` must be there when the org requires
 * it (428), the body's references must exist (400), `If-Match` must match the locked row (412).
 * Checking inside the transaction costs no extra query for the existence check and reads the
 * lead once.
 */
async function changeLead<V>(
  ctx: AppContext,
  caller: Caller,
  id: number,
  change: LeadChange<V>,
): Promise<VersionedLead> {
  const lock = ctx.store.dialect === 'postgres';
  const { orgId } = caller;
  return ctx.store.transaction(async (trx) => {
    const row = await findLead(trx, orgId, id, lock);
    if (!row) throw leadNotFound(id);
    const ifMatch = change.concurrency === 'append-only' ? undefined : change.concurrency.ifMatch;
    if (change.concurrency !== 'append-only') requireIfMatchWhenSet(caller, ifMatch);
    const checked = await change.validate(trx);
    // Compared on the locked row: no other change can slip in between check and write.
    if (ifMatch !== undefined && !etagMatches(ifMatch, etagOf(row))) {
      throw AppError.of(
        'PRECONDITION_FAILED',
        `If-Match does not match the lead's ETag ${etagOf(row)}`,
      );
    }
    const changes = await change.apply(trx, row, ctx.clock.now(), checked);
    await updateLeadVersioned(trx, orgId, id, changes);
    const updated: LeadRow = {
      ...row,
      ...changes,
      ...(change.ownerCode === undefined ? {} : { owner_code: change.ownerCode }),
      version: row.version + 1,
    };
    const [lead] = await loadLeads(trx, orgId, [updated]);
    if (!lead) throw leadNotFound(id);
    return lead;
  });
}

/** `If-Match` holds `*` or a list of strong entity tags (weak ones never match). */
function etagMatches(header: string, etag: string): boolean {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === etag);
}

/** 428 when the org makes `If-Match` mandatory for lead writes and the request has none. */
function requireIfMatchWhenSet(caller: Caller, ifMatch: string | undefined): void {
  if (ifMatch === undefined && caller.org.requireIfMatch) {
    throw AppError.of('PRECONDITION_REQUIRED', 'this org requires If-Match with the lead ETag');
  }
}

/** Merges extended fields (null removes a key) and/or assigns the owner (null unassigns). */
export async function updateLeadFields(
  ctx: AppContext,
  caller: Caller,
  id: number,
  body: LeadUpdateBody,
  warnings: EnvelopeItem[],
  ifMatch?: string,
): Promise<VersionedLead> {
  return changeLead(ctx, caller, id, {
    concurrency: { ifMatch },
    ...(body.owner === undefined ? {} : { ownerCode: body.owner }),
    async validate(trx) {
      const errors = new FieldErrors();
      if (body.extendedFields === undefined && body.owner === undefined) {
        errors.add('FIELD_REQUIRED', 'extendedFields or owner is required');
      }
      const ownerId =
        typeof body.owner === 'string'
          ? await resolveOwner(trx, caller.orgId, body.owner, errors)
          : null;
      const patch = await checkLeadFieldsOnUpdate(
        trx,
        caller.orgId,
        body.extendedFields ?? {},
        errors,
        warnings,
      );
      errors.throwIfAny();
      return { ownerId: ownerId ?? null, patch };
    },
    async apply(_trx, row, now, { ownerId, patch }) {
      const fields = JSON.parse(row.extended_fields) as Record<string, unknown>;
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete fields[key];
        else fields[key] = value;
      }
      return {
        extended_fields: JSON.stringify(fields),
        ...(body.owner === undefined ? {} : { owner_id: ownerId }),
        last_updated_on: nextUpdatedOn(row, now),
        last_updated_by: caller.entityId,
      };
    },
  });
}

/** One turn of the event loop for the requests waiting behind a long read. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** How far apart the clocks of tills and server may be when a till dates a status change. */
export const STATUS_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The instant a status change is logged at. The status log stays in time order, so that its
 * newest row is the lead's current status: a `createdOn` may not precede the newest row of the
 * log (whose first row is at the lead's own `createdOn`) by more than {@link STATUS_CLOCK_SKEW_MS},
 * nor run more than that ahead of the server. Within the skew before the newest row it is
 * recorded at that row's instant (two tills whose clocks differ by a second must both be able to
 * change a lead in turn). Without a `createdOn` the change is dated now, or at the newest row
 * when a till dated that one a little ahead.
 */
async function statusChangeDate(
  trx: Db,
  row: LeadRow,
  now: number,
  requested: string | undefined,
): Promise<number> {
  const latest = Math.max(row.created_on, (await latestStatusLogOn(trx, row.org_id, row.id)) ?? 0);
  if (requested === undefined) return Math.max(now, latest);
  const createdOn = parseDateTime(requested);
  if (createdOn < latest - STATUS_CLOCK_SKEW_MS) {
    throw AppError.of(
      'FIELD_INVALID_VALUE',
      `createdOn: must not be earlier than the lead's latest status change or creation (${formatDateTime(latest)}); a status change can be back-dated only that far`,
    );
  }
  if (createdOn > now + STATUS_CLOCK_SKEW_MS) {
    throw AppError.of(
      'FIELD_INVALID_VALUE',
      `createdOn: must not be more than 5 minutes after the server's time (${formatDateTime(now)})`,
    );
  }
  return Math.max(createdOn, latest);
}

/** Appends one status-log row and moves the lead to that status, in one transaction. */
export async function changeStatus(
  ctx: AppContext,
  caller: Caller,
  id: number,
  body: StatusChangeBody,
  ifMatch?: string,
): Promise<VersionedLead> {
  return changeLead(ctx, caller, id, {
    concurrency: { ifMatch },
    async validate(trx) {
      const errors = new FieldErrors();
      await checkReasons(trx, caller.orgId, [['reasonId', body.reasonId]], errors);
      await checkSubStatus(trx, caller.orgId, body.status, body.subStatus, errors);
      await checkEntities(trx, caller.orgId, [['createdBy', body.createdBy]], errors);
      errors.throwIfAny();
    },
    async apply(trx, row, now) {
      await requireHistoryRoom(ctx, trx, caller.orgId, id, 'statusLogs');
      const createdOn = await statusChangeDate(trx, row, now, body.createdOn);
      await insertStatusLogs(trx, [
        {
          org_id: caller.orgId,
          lead_id: id,
          user_id: row.user_id,
          status: body.status,
          sub_status: body.subStatus ?? null,
          created_by: body.createdBy ?? caller.entityId,
          created_on: createdOn,
          reason_id: body.reasonId,
        },
      ]);
      return {
        status: body.status,
        sub_status: body.subStatus ?? null,
        last_updated_on: nextUpdatedOn(row, now),
        last_updated_by: caller.entityId,
      };
    },
  });
}

/** Appends a follow-up; `lastFollowUp` only moves forward, `nextFollowUp` is replaced when given. */
export async function addFollowUp(
  ctx: AppContext,
  caller: Caller,
  id: number,
  body: FollowUpBody,
): Promise<VersionedLead> {
  const followedUpOn = parseDateTime(body.followedUpOn);
  return changeLead(ctx, caller, id, {
    concurrency: 'append-only',
    async validate(trx) {
      const errors = new FieldErrors();
      await checkEntities(
        trx,
        caller.orgId,
        [
          ['createdBy', body.createdBy],
          ['followedUpBy', body.followedUpBy],
        ],
        errors,
      );
      errors.throwIfAny();
    },
    async apply(trx, row, now) {
      await requireHistoryRoom(ctx, trx, caller.orgId, id, 'followUps');
      await insertFollowUps(trx, [
        {
          org_id: caller.orgId,
          lead_id: id,
          user_id: row.user_id,
          notes: body.notes ?? null,
          created_by: body.createdBy,
          created_on: now,
          followed_up_by: body.followedUpBy ?? body.createdBy,
          followed_up_on: followedUpOn,
          scheduled_follow_up:
            body.scheduledFollowUp === undefined ? null : parseDateTime(body.scheduledFollowUp),
        },
      ]);
      return {
        last_follow_up: Math.max(row.last_follow_up ?? followedUpOn, followedUpOn),
        ...(body.nextFollowUp === undefined
          ? {}
          : { next_follow_up: parseDateTime(body.nextFollowUp) }),
        last_updated_on: nextUpdatedOn(row, now),
        last_updated_by: caller.entityId,
      };
    },
  });
}

export type HistoryPage<T> = { data: T[]; next?: number };

export async function getFollowUps(
  ctx: AppContext,
  caller: Caller,
  id: number,
  page: HistoryQuery,
): Promise<HistoryPage<FollowUp>> {
  await requireLead(ctx, caller, id);
  const rows = await pageFollowUps(ctx.store.db, {
    orgId: caller.orgId,
    leadId: id,
    after: page.after,
    limit: page.limit + 1,
  });
  return historyPage(rows.map(followUpRowToFollowUp), page.limit);
}

export async function getStatusLog(
  ctx: AppContext,
  caller: Caller,
  id: number,
  page: HistoryQuery,
): Promise<HistoryPage<StatusLog>> {
  await requireLead(ctx, caller, id);
  const rows = await pageStatusLogs(ctx.store.db, {
    orgId: caller.orgId,
    leadId: id,
    after: page.after,
    limit: page.limit + 1,
  });
  return historyPage(rows.map(statusLogRowToStatusLog), page.limit);
}

/** One more row than asked was read: when it came, the page says where the next one starts. */
function historyPage<T extends { id: number }>(rows: T[], limit: number): HistoryPage<T> {
  if (rows.length <= limit) return { data: rows };
  const data = rows.slice(0, limit);
  return { data, next: data[data.length - 1]?.id ?? 0 };
}

/** 409 when lead `leadId` already holds the most rows of `kind` a lead may have. */
async function requireHistoryRoom(
  ctx: AppContext,
  trx: Db,
  orgId: number,
  leadId: number,
  kind: 'followUps' | 'statusLogs',
): Promise<void> {
  const counts = await countHistory(trx, orgId, leadId);
  const max = ctx.config.leadHistoryMax;
  if (counts[kind] >= max) {
    const what = kind === 'followUps' ? 'follow-ups' : 'status changes';
    throw AppError.of(
      'LEAD_HISTORY_FULL',
      `lead ${leadId} already holds ${max} ${what}, the most one lead may have; nothing was added`,
    );
  }
}
