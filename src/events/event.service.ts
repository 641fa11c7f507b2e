import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import { AppError } from '../core/errors.js';
import { formatDateTime } from '../core/date-time.js';
import type { Db, Store } from '../db/database.js';
import { commitsInInsertOrder, transactionLock } from '../db/capabilities.js';
import { deleteInBatches } from '../db/retention.js';
import {
  deleteExpiredEvents,
  findEvents,
  hasUnpositionedEvents,
  highestOrgPosition,
  insertEvents,
  positionNewEvents,
  takeOrgPositions,
} from './event.repository.js';
import {
  LEAD_EVENT_TYPES,
  type EventList,
  type EventQuery,
  type LeadEvent,
  type LeadEventType,
} from './event.schemas.js';

/**
 * The outbox and the event feed (docs/events.md). A lead change appends its event in its own
 * transaction ({@link appendEvents}), so an event exists exactly when its change committed. The
 * feed reads an org's events in position order; positions are given in commit order (see
 * {@link sequenceEvents}), so a consumer resuming from its cursor never misses an event.
 */

/** Days an org's events stay in the feed unless the org sets its own. */
export const EVENT_RETENTION_DAYS_DEFAULT = 7;
/** How often a long-polling feed request looks again. */
const FEED_POLL_MS = 200;

/** One change of one lead, as the change's transaction hands it to the outbox. */
export type NewLeadEvent = {
  orgId: number;
  leadId: number;
  type: LeadEventType;
  /** When the change was made (ms). */
  at: number;
  data: LeadEvent['data'];
};

/**
 * Writes `events` into the outbox in the caller's transaction, in the given order. Where the
 * store commits in insert order (SQLite) each gets its feed position now; elsewhere the
 * sequencer gives it one after commit.
 */
export async function appendEvents(trx: Db, events: NewLeadEvent[]): Promise<void> {
  if (events.length === 0) return;
  const positions = commitsInInsertOrder(trx)
    ? await takeOrgPositions(
        trx,
        events.map((event) => event.orgId),
      )
    : undefined;
  await insertEvents(
    trx,
    events.map((event, i) => {
      const id = `evt_${randomUUID().replaceAll('-', '')}`;
      return {
        event_id: id,
        org_id: event.orgId,
        lead_id: event.leadId,
        type: event.type,
        position: positions?.[i] ?? null,
        created_on: event.at,
        // Stored as sent: the feed and every delivery use these bytes as they are.
        payload: JSON.stringify({
          id,
          type: event.type,
          timestamp: formatDateTime(event.at),
          data: event.data,
        }),
      };
    }),
  );
}

/**
 * Gives committed events their feed positions (PostgreSQL; SQLite positions at insert). When
 * some are waiting, it takes the sequencer's lock, waiting for a sequencer at work in another
 * process: that one may have begun before this caller's events committed, so when this call
 * returns, every event committed before it began has its position.
 */
export async function sequenceEvents(store: Store): Promise<void> {
  if (commitsInInsertOrder(store.db)) return;
  if (!(await hasUnpositionedEvents(store.db))) return;
  await store.transaction(async (trx) => {
    await transactionLock(trx, 'leadline:event-sequencer');
    const batch = 5_000;
    while ((await positionNewEvents(trx, batch)) === batch) {
      // More were waiting than one batch holds.
    }
  });
}

/**
 * The org's highest feed position once every committed event has one: what a reader that starts
 * now has seen.
 */
export async function currentPosition(store: Store, orgId: number): Promise<number> {
  await sequenceEvents(store);
  return highestOrgPosition(store.db, orgId);
}

/** A cursor is a feed position, written as a decimal string (opaque to clients). */
function positionOf(after: string | undefined): number {
  if (after === undefined) return 0;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(after) || !Number.isSafeInteger(Number(after))) {
    throw AppError.of('FIELD_INVALID_VALUE', 'after: not a cursor this feed issued');
  }
  return Number(after);
}

function typesOf(types: string | undefined): LeadEventType[] | undefined {
  if (types === undefined) return undefined;
  const known = new Set<string>(LEAD_EVENT_TYPES);
  const wanted = types
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const unknown = wanted.filter((t) => !known.has(t));
  if (unknown.length > 0 || wanted.length === 0) {
    throw AppError.of(
      'FIELD_INVALID_VALUE',
      `types: ${unknown.length > 0 ? `unknown event type ${unknown.join(', ')}` : 'empty'}; the types are ${[...known].join(', ')}`,
    );
  }
  return wanted as LeadEventType[];
}

/**
 * One page of the caller's org's events after `after`, in commit order. With `wait`, an empty
 * page is answered only once that many seconds passed without an event (long polling).
 */
export async function listEvents(
  ctx: AppContext,
  caller: Caller,
  query: EventQuery,
  signal?: AbortSignal,
): Promise<EventList> {
  const after = positionOf(query.after);
  const types = typesOf(query.types);
  const limit = query.limit ?? 100;
  const deadline = Date.now() + (query.wait ?? 0) * 1000;
  for (;;) {
    await sequenceEvents(ctx.store);
    // Read before the page: every position up to it is committed and visible to the page's
    // query, so when the page holds all that matched, the cursor may move past it.
    const highest = await highestOrgPosition(ctx.store.db, caller.orgId);
    const rows = await findEvents(ctx.store.db, {
      orgId: caller.orgId,
      after,
      limit,
      types,
      leadId: query.leadId,
    });
    const last = rows.at(-1)?.position ?? after;
    if (rows.length > 0 || Date.now() >= deadline || signal?.aborted) {
      return {
        data: rows.map((row) => JSON.parse(row.payload) as LeadEvent),
        warnings: [],
        errors: [],
        nextCursor: String(rows.length === limit ? last : Math.max(last, highest)),
      };
    }
    await sleep(Math.min(FEED_POLL_MS, Math.max(0, deadline - Date.now())));
  }
}

/**
 * Deletes the events older than their org's retention as of now (of the orgs `orgIds` only, when
 * given), a batch per transaction so writers never wait long behind it; answers how many.
 */
export async function pruneEvents(ctx: AppContext, orgIds?: number[]): Promise<number> {
  return deleteInBatches(ctx.store, ctx.clock, (trx, now, batch) =>
    deleteExpiredEvents(trx, { now, defaultDays: EVENT_RETENTION_DAYS_DEFAULT, batch, orgIds }),
  );
}
