import { sql, type ExpressionBuilder, type RawBuilder } from 'kysely';
import { orgBesideIds } from '../db/capabilities.js';
import type { Db } from '../db/database.js';
import { retentionCutoff, type RetentionBatch } from '../db/retention.js';
import type { Database, DeliveryStatus, Row } from '../db/schema.js';

export type DeliveryRow = Row<'webhook_deliveries'>;
export type AttemptRow = Row<'webhook_attempts'>;
export type NewDeliveryRow = Omit<DeliveryRow, 'id'>;

/**
 * `'pending'` written into the statement, not bound: the dispatcher's indexes hold pending
 * deliveries only (migration 0011), and neither store's planner uses a partial index for a
 * parameter it cannot see.
 */
const PENDING = sql.lit<DeliveryStatus>('pending');

/** A row's whole key: an org's rows are keyed by `(org_id, id)` (migration 0020). */
export type RowKey = { org_id: number; id: number };

/**
 * A filter on the rows keyed by `keys`: their orgs and their ids. Ids are unique across orgs, so
 * it matches those rows exactly, and it names the org as the primary key does (on SQLite, off the
 * indexes: {@link orgBesideIds}).
 */
function byKeys(db: Db, keys: readonly RowKey[]) {
  return (eb: ExpressionBuilder<Database, 'webhook_deliveries' | 'webhook_endpoints'>) =>
    eb.and([
      eb(orgBesideIds(db, 'org_id'), 'in', [...new Set(keys.map((key) => key.org_id))]),
      eb('id', 'in', [...new Set(keys.map((key) => key.id))]),
    ]);
}

/** The enabled endpoints of every org: the ones the dispatcher creates deliveries for. */
export async function findEnabledEndpoints(db: Db) {
  return db
    .selectFrom('webhook_endpoints')
    .select(['id', 'org_id', 'event_types', 'last_position'])
    .where('enabled', '=', 1)
    .orderBy('id')
    .execute();
}

export async function insertDeliveries(trx: Db, rows: NewDeliveryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.insertInto('webhook_deliveries').values(rows).execute();
}

/** Inserts `rows` and answers each one's id with its event's (RETURNING keeps no row order). */
export async function insertDeliveriesReturningIds(
  trx: Db,
  rows: NewDeliveryRow[],
): Promise<Array<{ id: number; event_id: string }>> {
  if (rows.length === 0) return [];
  return trx.insertInto('webhook_deliveries').values(rows).returning(['id', 'event_id']).execute();
}

/** Which of the leads `leadIds` have a pending delivery to the endpoint (leased ones included). */
export function pendingLeadsQuery(db: Db, endpointId: number, leadIds: number[]) {
  return db
    .selectFrom('webhook_deliveries')
    .select('lead_id')
    .distinct()
    .where('endpoint_id', '=', endpointId)
    .where('lead_id', 'in', leadIds)
    .where('status', '=', PENDING);
}

export async function findLeadsWithPendingDeliveries(
  trx: Db,
  endpointId: number,
  leadIds: number[],
): Promise<Set<number>> {
  if (leadIds.length === 0) return new Set();
  const rows = await pendingLeadsQuery(trx, endpointId, leadIds).execute();
  return new Set(rows.map((row) => Number(row.lead_id)));
}

/**
 * Moves the endpoint's feed cursor from `from` to `to`; answers false when another process moved
 * it first (its deliveries are the ones that count, so the caller rolls back).
 */
export async function moveEndpointCursor(
  trx: Db,
  endpoint: RowKey,
  from: number,
  to: number,
): Promise<boolean> {
  const result = await trx
    .updateTable('webhook_endpoints')
    .set({ last_position: to })
    .where('org_id', '=', endpoint.org_id)
    .where('id', '=', endpoint.id)
    .where('last_position', '=', from)
    .where('enabled', '=', 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Up to `limit` deliveries due at `now` to enabled endpoints, each the oldest pending one of its
 * lead for its endpoint: a lead's later events wait until the earlier ones are delivered or
 * given up. Reads the pending-only indexes of migration 0011.
 */
export function dueDeliveriesQuery(db: Db, now: number, limit: number) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as w', (join) =>
      join.onRef('w.org_id', '=', 'd.org_id').onRef('w.id', '=', 'd.endpoint_id'),
    )
    .select(['d.org_id', 'd.id'])
    .where('d.status', '=', PENDING)
    .where('d.next_attempt_at', '<=', now)
    .where('w.enabled', '=', 1)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_deliveries as p')
            .select(sql`1`.as('one'))
            .whereRef('p.endpoint_id', '=', 'd.endpoint_id')
            .whereRef('p.lead_id', '=', 'd.lead_id')
            .where('p.status', '=', PENDING)
            .whereRef('p.id', '<', 'd.id'),
        ),
      ),
    )
    .orderBy('d.next_attempt_at')
    .orderBy('d.id')
    .limit(limit);
}

export async function findDueDeliveries(db: Db, now: number, limit: number): Promise<RowKey[]> {
  return dueDeliveriesQuery(db, now, limit).execute();
}

/**
 * Leases the deliveries among `ids` still due at `now` until `leaseUntil`, so no other process
 * sends them meanwhile; answers the ones this call won, with what sending needs.
 */
export async function leaseDeliveries(trx: Db, keys: RowKey[], now: number, leaseUntil: number) {
  if (keys.length === 0) return [];
  return leaseStatement(trx, keys, now, leaseUntil).execute();
}

/** The statement {@link leaseDeliveries} runs (`keys` not empty). */
export function leaseStatement(trx: Db, keys: RowKey[], now: number, leaseUntil: number) {
  return trx
    .updateTable('webhook_deliveries')
    .set({ next_attempt_at: leaseUntil })
    .where(byKeys(trx, keys))
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .returning(['id', 'org_id', 'endpoint_id', 'event_id', 'attempts']);
}

export async function findEndpointsByKey(db: Db, keys: RowKey[]) {
  if (keys.length === 0) return [];
  return db
    .selectFrom('webhook_endpoints')
    .select([
      'id',
      'org_id',
      'url',
      'secret',
      'previous_secret',
      'previous_secret_until',
      'enabled',
    ])
    .where(byKeys(db, keys))
    .execute();
}

/**
 * Marks the endpoint healthy again after a success. Writes (and locks the row) only when it was
 * failing, so concurrent successful deliveries to one endpoint do not queue on its row.
 */
export async function clearEndpointFailing(trx: Db, endpoint: RowKey): Promise<void> {
  await trx
    .updateTable('webhook_endpoints')
    .set({ failing_since: null })
    .where('org_id', '=', endpoint.org_id)
    .where('id', '=', endpoint.id)
    .where('failing_since', 'is not', null)
    .execute();
}

export async function insertAttempts(trx: Db, rows: Array<Omit<AttemptRow, 'id'>>): Promise<void> {
  if (rows.length === 0) return;
  await trx.insertInto('webhook_attempts').values(rows).execute();
}

export type DeliverySettlement = RowKey & {
  /** The lease this process holds on the delivery (its `next_attempt_at` while in flight). */
  leaseUntil: number;
  status: DeliveryStatus;
  next_attempt_at: number;
  completed_on: number | null;
};

/**
 * Records what follows one attempt of each delivery leased by this process: done, the next
 * attempt, or given up. A delivery whose lease ran out and was taken by another process (its
 * `next_attempt_at` is no longer this process's lease) is left to that process (its attempt is still logged by the caller). One statement for a whole
 * round: on SQLite every statement is the single writer's time, and an endpoint's cost to the
 * writes it follows is mostly its rows.
 */
export async function settleDeliveries(trx: Db, settlements: DeliverySettlement[]): Promise<void> {
  if (settlements.length === 0) return;
  // Casts: PostgreSQL types an untyped parameter in a CASE branch as text.
  const byId = (column: (s: DeliverySettlement) => RawBuilder<unknown>) =>
    sql`case id ${sql.join(
      settlements.map((s) => sql`when ${s.id} then ${column(s)}`),
      sql` `,
    )} end`;
  await trx
    .updateTable('webhook_deliveries')
    .set({
      status: byId((s) => sql`cast(${s.status} as text)`) as RawBuilder<DeliveryStatus>,
      attempts: sql<number>`attempts + 1`,
      next_attempt_at: byId((s) => sql`cast(${s.next_attempt_at} as bigint)`) as RawBuilder<number>,
      completed_on: byId((s) => sql`cast(${s.completed_on} as bigint)`) as RawBuilder<
        number | null
      >,
    })
    .where(byKeys(trx, settlements))
    .where('status', '=', 'pending')
    // A round's new deliveries and its retries are leased apart: each row is checked against its own.
    .where(
      'next_attempt_at',
      '=',
      byId((s) => sql`cast(${s.leaseUntil} as bigint)`) as RawBuilder<number>,
    )
    .execute();
}

export type DeliveryFilter = {
  orgId: number;
  endpointId?: number | undefined;
  eventId?: string | undefined;
  leadId?: number | undefined;
  status?: DeliveryStatus | undefined;
  limit: number;
  offset: number;
};

/** The org's deliveries matching `filter`, newest first. */
export async function findDeliveries(db: Db, filter: DeliveryFilter): Promise<DeliveryRow[]> {
  let query = db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('org_id', '=', filter.orgId)
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .offset(filter.offset);
  if (filter.endpointId !== undefined) query = query.where('endpoint_id', '=', filter.endpointId);
  if (filter.eventId !== undefined) query = query.where('event_id', '=', filter.eventId);
  if (filter.leadId !== undefined) query = query.where('lead_id', '=', filter.leadId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return query.execute();
}

/** The attempts of the given deliveries, oldest first. */
export async function findAttempts(
  db: Db,
  orgId: number,
  deliveryIds: number[],
): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('id')
    .execute();
}

/** Counts of an endpoint's deliveries by status (through the delivery log's endpoint index). */
export async function countDeliveriesByStatus(db: Db, orgId: number, endpointId: number) {
  return db
    .selectFrom('webhook_deliveries')
    .select(['status', sql<number>`count(*)`.as('n')])
    .where('org_id', '=', orgId)
    .where('endpoint_id', '=', endpointId)
    .groupBy('status')
    .execute();
}

/** Deliveries pending (not delivered nor given up) to every org's endpoints: the backlog metric. */
export async function countPendingDeliveries(db: Db): Promise<number> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select(sql<number>`count(*)`.as('n'))
    .where('status', '=', PENDING)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** An endpoint's attempts since `since`: answered 2xx or not, and their latencies. */
export async function findAttemptsSince(db: Db, endpointId: number, since: number) {
  return db
    .selectFrom('webhook_attempts')
    .select(['status_code', 'latency_ms', 'attempted_on', 'error'])
    .where('endpoint_id', '=', endpointId)
    .where('attempted_on', '>=', since)
    .orderBy('attempted_on')
    .execute();
}

/** The latest attempt of an endpoint that succeeded, and the latest that failed. */
export async function findLastOutcomes(db: Db, endpointId: number) {
  const success = await db
    .selectFrom('webhook_attempts')
    .select(sql<number | null>`max(attempted_on)`.as('at'))
    .where('endpoint_id', '=', endpointId)
    .where('status_code', '>=', 200)
    .where('status_code', '<', 300)
    .executeTakeFirst();
  const failure = await db
    .selectFrom('webhook_attempts')
    .select(sql<number | null>`max(attempted_on)`.as('at'))
    .where('endpoint_id', '=', endpointId)
    .where((eb) =>
      eb.or([
        eb('status_code', 'is', null),
        eb('status_code', '<', 200),
        eb('status_code', '>=', 300),
      ]),
    )
    .executeTakeFirst();
  return {
    lastSuccess: success?.at == null ? null : Number(success.at),
    lastFailure: failure?.at == null ? null : Number(failure.at),
  };
}

/**
 * Deletes up to `batch` finished deliveries (with their attempts) older than their org's event
 * retention (of the orgs `orgIds` only, when given); answers how many deliveries.
 */
export async function deleteExpiredDeliveries(trx: Db, options: RetentionBatch): Promise<number> {
  const { now, defaultDays, batch, orgIds } = options;
  let expired = trx
    .selectFrom('webhook_deliveries as d')
    .innerJoin('orgs as o', 'o.id', 'd.org_id')
    .select(['d.org_id', 'd.id'])
    .where('d.status', '!=', 'pending')
    .where('d.created_on', '<', retentionCutoff(now, defaultDays))
    .limit(batch);
  if (orgIds) expired = expired.where('d.org_id', 'in', orgIds);
  const keys = await expired.execute();
  if (keys.length === 0) return 0;
  await trx
    .deleteFrom('webhook_attempts')
    .where(
      'delivery_id',
      'in',
      keys.map((key) => key.id),
    )
    .execute();
  await trx.deleteFrom('webhook_deliveries').where(byKeys(trx, keys)).execute();
  return keys.length;
}
