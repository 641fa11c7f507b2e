import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import { retentionCutoff, type RetentionBatch } from '../db/retention.js';
import type { Database, Row } from '../db/schema.js';

/** An event as the outbox stores it, before it has a position. */
export type NewEventRow = Omit<Row<'lead_events'>, 'id' | 'position'>;
export type EventRow = Pick<
  Row<'lead_events'>,
  'event_id' | 'position' | 'payload' | 'lead_id' | 'type' | 'created_on'
>;

/** Reserves the next `count` feed positions and answers the first of them. */
export async function takePositions(trx: Db, count: number): Promise<number> {
  const row = await trx
    .updateTable('lead_event_positions')
    .set((eb) => ({ last_position: eb('last_position', '+', count) }))
    .where('name', '=', 'feed')
    .returning('last_position')
    .executeTakeFirstOrThrow();
  return Number(row.last_position) - count + 1;
}

/** The stored bodies (`{id, type, timestamp, data}` as JSON) of the events among `eventIds`. */
export async function findEventPayloads(
  db: Db,
  eventIds: readonly string[],
): Promise<Map<string, string>> {
  if (eventIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('lead_events')
    .select(['event_id', 'payload'])
    .where('event_id', 'in', [...eventIds])
    .execute();
  return new Map(rows.map((row) => [row.event_id, row.payload]));
}

/** The highest position of one org's events (0 when it has none). */
export async function highestOrgPosition(db: Db, orgId: number): Promise<number> {
  const row = await db
    .selectFrom('lead_events')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return Number(row?.max ?? 0);
}

/**
 * The highest feed position of each of the orgs `orgIds` (0 for one without events): one
 * statement, an index seek per org, so an idle dispatcher with many endpoints reads little.
 */
export async function highestOrgPositions(db: Db, orgIds: number[]): Promise<Map<number, number>> {
  if (orgIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('orgs as o')
    .select((eb) => [
      'o.id',
      eb
        .selectFrom('lead_events as e')
        .select((inner) => inner.fn.max('e.position').as('max'))
        .whereRef('e.org_id', '=', 'o.id')
        .as('highest'),
    ])
    .where('o.id', 'in', orgIds)
    .execute();
  return new Map(rows.map((row) => [Number(row.id), Number(row.highest ?? 0)]));
}

export async function insertEvents(
  trx: Db,
  rows: Array<NewEventRow & { position: number | null }>,
): Promise<void> {
  if (rows.length === 0) return;
  await trx.insertInto('lead_events').values(rows).execute();
}

/** Whether some committed event still waits for its position (PostgreSQL's partial index). */
export async function hasUnpositionedEvents(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('lead_events')
    .select('id')
    .where('position', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Gives the committed events still without a position the next positions, in id order, at most
 * `batch` of them; answers how many. Run by one transaction at a time (the caller holds the
 * sequencer's lock), so positions only grow. Id order keeps each lead's events in the order of
 * its changes: a change of a lead inserts its event after the previous change committed (the
 * lead row is locked), so that event has the smaller id and is seen committed no later.
 */
export async function positionNewEvents(trx: Db, batch: number): Promise<number> {
  const waiting = await trx
    .selectFrom('lead_events')
    .select('id')
    .where('position', 'is', null)
    .orderBy('id')
    .limit(batch)
    .execute();
  if (waiting.length === 0) return 0;
  const first = await takePositions(trx, waiting.length);
  const ids = waiting.map((row) => row.id);
  // One statement: each id's position is its rank among the waiting ids.
  await sql`
    update lead_events as e
       set position = ${first - 1} + b.rn
      from (select id, row_number() over (order by id) as rn
              from lead_events
             where id in (${sql.join(ids)})) as b
     where e.id = b.id`.execute(trx);
  return waiting.length;
}

export type EventFilter = {
  orgId: number;
  /** Events after this position. */
  after: number;
  limit: number;
  types?: string[] | undefined;
  leadId?: number | undefined;
  /** One event, by its id (a replay). */
  eventId?: string | undefined;
  /** Events made in [from, to] (ms; a replay). */
  from?: number | undefined;
  to?: number | undefined;
};

/** `query` narrowed to the org's events after `filter.after` that match it, in feed order. */
function filtered<O>(
  query: SelectQueryBuilder<Database, 'lead_events', O>,
  filter: EventFilter,
): SelectQueryBuilder<Database, 'lead_events', O> {
  let q = query
    .where('org_id', '=', filter.orgId)
    .where('position', '>', filter.after)
    .orderBy('position')
    .limit(filter.limit);
  if (filter.types && filter.types.length > 0) q = q.where('type', 'in', filter.types);
  if (filter.leadId !== undefined) q = q.where('lead_id', '=', filter.leadId);
  if (filter.eventId !== undefined) q = q.where('event_id', '=', filter.eventId);
  if (filter.from !== undefined) q = q.where('created_on', '>=', filter.from);
  if (filter.to !== undefined) q = q.where('created_on', '<=', filter.to);
  return q;
}

/** An org's events after position `after`, in position order, filtered. */
export async function findEvents(db: Db, filter: EventFilter): Promise<EventRow[]> {
  return filtered(
    db
      .selectFrom('lead_events')
      .select(['event_id', 'position', 'payload', 'lead_id', 'type', 'created_on']),
    filter,
  ).execute();
}

/** {@link findEvents} without the bodies: what turning events into deliveries needs. */
export async function findEventRefs(
  db: Db,
  filter: EventFilter,
): Promise<Array<Omit<EventRow, 'payload'>>> {
  return filtered(
    db.selectFrom('lead_events').select(['event_id', 'position', 'lead_id', 'type', 'created_on']),
    filter,
  ).execute();
}

/**
 * Deletes up to `batch` events older than their org's retention (`defaultDays` when the org has
 * none of its own) as of `now`; answers how many. An event an enabled webhook endpoint has not
 * yet turned into its delivery, or whose delivery is pending, stays (docs/webhooks.md): expiry
 * never loses a delivery.
 */
export async function deleteExpiredEvents(trx: Db, options: RetentionBatch): Promise<number> {
  const { now, defaultDays, batch, orgIds } = options;
  let expired = trx
    .selectFrom('lead_events as e')
    .innerJoin('orgs as o', 'o.id', 'e.org_id')
    .select('e.id')
    .where('e.created_on', '<', retentionCutoff(now, defaultDays))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_endpoints as w')
            .select(sql`1`.as('one'))
            .whereRef('w.org_id', '=', 'e.org_id')
            .where('w.enabled', '=', 1)
            .where((w) =>
              w.or([w('e.position', 'is', null), w('w.last_position', '<', w.ref('e.position'))]),
            ),
        ),
      ),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_deliveries as d')
            .select(sql`1`.as('one'))
            .whereRef('d.org_id', '=', 'e.org_id')
            .whereRef('d.event_id', '=', 'e.event_id')
            .where('d.status', '=', 'pending'),
        ),
      ),
    )
    .limit(batch);
  if (orgIds) expired = expired.where('e.org_id', 'in', orgIds);
  const result = await trx.deleteFrom('lead_events').where('id', 'in', expired).executeTakeFirst();
  return Number(result.numDeletedRows);
}
