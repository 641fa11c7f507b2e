import { sql, type SelectQueryBuilder } from 'kysely';
import { orgBesideIds } from '../db/capabilities.js';
import type { Db } from '../db/database.js';
import { retentionCutoff, type RetentionBatch } from '../db/retention.js';
import type { Database, Row } from '../db/schema.js';

/** An event as the outbox stores it, before it has a position. */
export type NewEventRow = Omit<Row<'lead_events'>, 'id' | 'position'>;
export type EventRow = Pick<
  Row<'lead_events'>,
  'event_id' | 'position' | 'payload' | 'lead_id' | 'type' | 'created_on'
>;

/**
 * Reserves the next `count` positions of the org's feed and answers the first of them. An org's
 * first event makes its counter (starting at 0; migration 0021 started the orgs that existed then
 * where the shared feed had stopped).
 */
async function takePositions(trx: Db, orgId: number, count: number): Promise<number> {
  const row = await trx
    .insertInto('org_event_positions')
    .values({ org_id: orgId, last_position: count })
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet((eb) => ({
        last_position: eb('org_event_positions.last_position', '+', count),
      })),
    )
    .returning('last_position')
    .executeTakeFirstOrThrow();
  return Number(row.last_position) - count + 1;
}

/**
 * A feed position for each entry of `orgIds` (one per event, in the events' order), each taken
 * from that org's own feed: an org's events get consecutive positions in the order given.
 */
export async function takeOrgPositions(trx: Db, orgIds: readonly number[]): Promise<number[]> {
  const counts = new Map<number, number>();
  for (const orgId of orgIds) counts.set(orgId, (counts.get(orgId) ?? 0) + 1);
  const next = new Map<number, number>();
  for (const [orgId, count] of counts) next.set(orgId, await takePositions(trx, orgId, count));
  return orgIds.map((orgId) => {
    const position = next.get(orgId) ?? 0;
    next.set(orgId, position + 1);
    return position;
  });
}

/**
 * The stored bodies (`{id, type, timestamp, data}` as JSON) of the events among `eventIds`, which
 * are events of the orgs `orgIds` (an event id is unique within its org; naming the orgs lets the
 * look-up use that key).
 */
export async function findEventPayloads(
  db: Db,
  orgIds: readonly number[],
  eventIds: readonly string[],
): Promise<Map<string, string>> {
  if (eventIds.length === 0) return new Map();
  const rows = await eventPayloadsQuery(db, orgIds, eventIds).execute();
  return new Map(rows.map((row) => [row.event_id, row.payload]));
}

/** The statement {@link findEventPayloads} runs (`eventIds` not empty). */
export function eventPayloadsQuery(db: Db, orgIds: readonly number[], eventIds: readonly string[]) {
  return db
    .selectFrom('lead_events')
    .select(['event_id', 'payload'])
    .where(orgBesideIds(db, 'org_id'), 'in', [...new Set(orgIds)])
    .where('event_id', 'in', [...eventIds]);
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
    .select(['id', 'org_id'])
    .where('position', 'is', null)
    .orderBy('id')
    .limit(batch)
    .execute();
  if (waiting.length === 0) return 0;
  // Each org's feed numbers its own events, in id order within the org.
  const positions = await takeOrgPositions(
    trx,
    waiting.map((row) => Number(row.org_id)),
  );
  const positioned = waiting.map(
    (row, i) =>
      sql`(cast(${row.org_id} as bigint), cast(${row.id} as bigint), cast(${positions[i]} as bigint))`,
  );
  await sql`
    update lead_events as e
       set position = v.position
      from (values ${sql.join(positioned)}) as v (org_id, id, position)
     where e.org_id = v.org_id and e.id = v.id`.execute(trx);
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
  const result = await expiredEventsDeletion(trx, options).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The statement {@link deleteExpiredEvents} runs. */
export function expiredEventsDeletion(trx: Db, options: RetentionBatch) {
  const { now, defaultDays, batch, orgIds } = options;
  let expired = trx
    .selectFrom('lead_events as e')
    .innerJoin('orgs as o', 'o.id', 'e.org_id')
    .select(['e.org_id', 'e.id'])
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
  // By the whole key (org, id): the primary key serves it on both stores.
  return trx
    .deleteFrom('lead_events')
    .where((eb) => eb(eb.refTuple('org_id', 'id'), 'in', expired.$asTuple('org_id', 'id')));
}
