import type { KeyObject } from 'node:crypto';
import type { AppContext } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { SYSTEM_ACTOR_ID, type Actor } from '../core/actor.js';
import { DAY_MS, formatDateTime } from '../core/date-time.js';
import { groupBy } from '../core/group-by.js';
import { recordAudit } from '../audit/index.js';
import {
  EVENT_RETENTION_DAYS_DEFAULT,
  findEventPayloads,
  findEventRefs,
  highestOrgPosition,
  highestOrgPositions,
  sequenceEvents,
  type EventRow,
} from '../events/index.js';
import type { Db } from '../db/database.js';
import { deleteInBatches } from '../db/retention.js';
import {
  clearEndpointFailing,
  countDeliveriesByStatus,
  countPendingDeliveries,
  deleteExpiredDeliveries,
  findAttempts,
  findAttemptsSince,
  findDeliveries,
  findDueDeliveries,
  findEnabledEndpoints,
  findEndpointsByKey,
  findLastOutcomes,
  findLeadsWithPendingDeliveries,
  insertAttempts,
  insertDeliveries,
  insertDeliveriesReturningIds,
  leaseDeliveries,
  moveEndpointCursor,
  settleDeliveries,
  type NewDeliveryRow,
} from './delivery.repository.js';
import { findOrgWebhook, updateWebhook } from './webhook.repository.js';
import { webhookNotFound } from './webhook.service.js';
import { sendWebhook, type SendResult } from './webhook-sender.js';
import { signatureHeader, signingKey } from './webhook-signature.js';
import { urlProblem } from './webhook-target.js';
import type {
  DeliveryQuery,
  WebhookDelivery,
  WebhookHealth,
  WebhookReplayBody,
} from './delivery.schemas.js';

/**
 * Webhook delivery (docs/webhooks.md). The dispatcher turns each enabled endpoint's new feed
 * events into deliveries ({@link createDeliveries}), then sends the due ones
 * ({@link sendDueDeliveries}): signed, retried on the configured schedule, one lead's events to
 * one endpoint strictly in order, different leads in parallel. Every attempt is logged.
 */

/** An endpoint whose every attempt failed this long is disabled, and the audit log says so. */
export const DISABLE_AFTER_FAILING_MS = 3 * DAY_MS;
/** Events turned into deliveries per endpoint and transaction. */
const FAN_OUT_BATCH = 500;
/**
 * Deliveries leased per round, and sent 16 at a time. A round waits for its slowest send, so a
 * bigger round lets an endpoint that does not answer hold the others back longer (250 drained a
 * backlog on PostgreSQL about a fifth faster, docs/benchmarks.md, for 16 timeouts instead of 7).
 */
const SEND_BATCH = 100;
const SEND_CONCURRENCY = 16;
/** A lease outlives the send's timeout by this much: a process that died mid-send is retried. */
const LEASE_MARGIN_MS = 30_000;
/** The longest `Retry-After` honoured. */
const RETRY_AFTER_MAX_MS = DAY_MS;

function deliveryRow(
  endpoint: { id: number; org_id: number },
  event: Omit<EventRow, 'payload'>,
  now: number,
  replay: boolean,
): NewDeliveryRow {
  return {
    org_id: endpoint.org_id,
    endpoint_id: endpoint.id,
    event_id: event.event_id,
    event_type: event.type,
    lead_id: event.lead_id,
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    replay: replay ? 1 : 0,
    created_on: now,
    completed_on: null,
  };
}

function typesOf(eventTypes: string | null): string[] | undefined {
  return eventTypes === null ? undefined : (JSON.parse(eventTypes) as string[]);
}

/**
 * A delivery this process holds until `leaseUntil` (no other process sends it meanwhile), with
 * what sending it needs.
 */
type Leased = {
  id: number;
  org_id: number;
  endpoint_id: number;
  event_id: string;
  attempts: number;
  leaseUntil: number;
};

/**
 * The end of a lease on the first `count` deliveries of a round, taken at `now`: long enough for
 * every wave of their sends to time out. A lease that ran out mid-round would let another process
 * send a delivery this one has not sent yet, and then a lead's later event.
 */
function leaseUntilFor(ctx: AppContext, now: number, count: number): number {
  return now + Math.ceil(count / SEND_CONCURRENCY) * ctx.config.webhookTimeoutMs + LEASE_MARGIN_MS;
}

/**
 * Creates a delivery for every enabled endpoint and every event of its types after its cursor,
 * in feed order, moving the cursor in the same transaction; answers how many, and the ones it
 * created already leased to this process (up to `room`): a lead's first new event to an
 * endpoint that has nothing of that lead pending. Those are sent in the same round without
 * being found and leased again, which on SQLite saves a commit and two statements per round
 * (docs/benchmarks.md, "Webhooks"). Two processes at it at once create each delivery once: the
 * cursor moves only from where its reader found it, and only the mover holds the leases.
 */
export async function createDeliveries(
  ctx: AppContext,
  room = 0,
): Promise<{ created: number; fresh: Leased[] }> {
  const { db } = ctx.store;
  await sequenceEvents(ctx.store);
  let created = 0;
  const fresh: Leased[] = [];
  const endpoints = await findEnabledEndpoints(db);
  // Read before the events: every position up to it is visible to the events' queries.
  const highestOfOrg = await highestOrgPositions(db, [...new Set(endpoints.map((e) => e.org_id))]);
  for (const endpoint of endpoints) {
    const types = typesOf(endpoint.event_types);
    let from = Number(endpoint.last_position);
    for (let turn = 0; ; turn += 1) {
      const highest =
        turn === 0
          ? (highestOfOrg.get(endpoint.org_id) ?? 0)
          : await highestOrgPosition(db, endpoint.org_id);
      if (highest <= from) break;
      const events = await findEventRefs(db, {
        orgId: endpoint.org_id,
        after: from,
        limit: FAN_OUT_BATCH,
        types,
      });
      const last = Number(events.at(-1)?.position ?? from);
      const to = events.length === FAN_OUT_BATCH ? last : Math.max(last, highest);
      if (to <= from) break;
      const now = ctx.clock.now();
      const leasedHere = await ctx.store.transaction(async (trx) => {
        if (!(await moveEndpointCursor(trx, endpoint, from, to))) return undefined;
        const rows = events.map((event) => deliveryRow(endpoint, event, now, false));
        if (fresh.length >= room) {
          await insertDeliveries(trx, rows);
          return [];
        }
        const leadIds = [...new Set(events.map((event) => Number(event.lead_id)))];
        // A lead with a delivery pending (or leased) waits for it: per-lead order.
        const seen = await findLeadsWithPendingDeliveries(trx, endpoint.id, leadIds);
        const taken = new Set<string>();
        for (const row of rows) {
          const lead = Number(row.lead_id);
          if (!seen.has(lead) && fresh.length + taken.size < room) taken.add(row.event_id);
          seen.add(lead);
        }
        const leaseUntil = leaseUntilFor(ctx, now, fresh.length + taken.size);
        for (const row of rows) if (taken.has(row.event_id)) row.next_attempt_at = leaseUntil;
        const ids = await insertDeliveriesReturningIds(trx, rows);
        return ids
          .filter((row) => taken.has(row.event_id))
          .map((row): Leased => ({
            id: Number(row.id),
            org_id: endpoint.org_id,
            endpoint_id: endpoint.id,
            event_id: row.event_id,
            attempts: 0,
            leaseUntil,
          }));
      });
      if (!leasedHere) break;
      fresh.push(...leasedHere);
      created += events.length;
      from = to;
      if (events.length < FAN_OUT_BATCH) break;
    }
  }
  return { created, fresh };
}

/** The wait before attempt `attempts + 1`, ±10 % so endpoints that failed together spread out. */
function retryDelayMs(ctx: AppContext, attempts: number, result: SendResult): number | undefined {
  const delays = ctx.config.webhookRetryDelaysMs;
  if (attempts > delays.length) return undefined;
  if (result.retryAfterSeconds !== undefined) {
    return Math.min(result.retryAfterSeconds * 1000, RETRY_AFTER_MAX_MS);
  }
  const base = delays[attempts - 1] ?? 0;
  return Math.round(base * (0.9 + Math.random() * 0.2));
}

async function disableEndpoint(
  trx: Db,
  endpoint: { id: number; org_id: number },
  at: number,
  reason: string,
): Promise<void> {
  await updateWebhook(trx, endpoint.org_id, endpoint.id, { enabled: 0, updated_on: at });
  const system: Actor = { orgId: endpoint.org_id, actorId: SYSTEM_ACTOR_ID };
  await recordAudit(
    trx,
    system,
    'webhook.disable',
    String(endpoint.id),
    { enabled: false, reason },
    at,
  );
}

type Endpoint = Awaited<ReturnType<typeof findEndpointsByKey>>[number];

/** One attempt's result, waiting to be recorded with the rest of its round. */
type Outcome = { delivery: Leased; endpoint: Endpoint; at: number; result: SendResult };

const succeededOf = (result: SendResult): boolean =>
  result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;

/**
 * Records a round's attempts in one transaction (one commit, however many were sent) and what
 * follows from each: done, the next attempt, or giving up; then each endpoint's health: any
 * success clears its failing state; a 410, or failures only for 3 days, disable it.
 */
async function recordOutcomes(ctx: AppContext, outcomes: Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const counts = { delivered: 0, retrying: 0, given_up: 0 };
  await ctx.store.transaction(async (trx) => {
    await insertAttempts(
      trx,
      outcomes.map(({ delivery, endpoint, at, result }) => ({
        org_id: delivery.org_id,
        delivery_id: delivery.id,
        endpoint_id: endpoint.id,
        attempted_on: at,
        status_code: result.statusCode ?? null,
        latency_ms: result.latencyMs,
        response_body: result.responseBody ?? null,
        error:
          result.error ??
          (succeededOf(result)
            ? null
            : `the endpoint answered ${result.statusCode}${result.statusCode === 410 ? ': disabled' : ''}`),
      })),
    );
    await settleDeliveries(
      trx,
      outcomes.map(({ delivery, at, result }) => {
        const succeeded = succeededOf(result);
        const delay =
          succeeded || result.statusCode === 410
            ? undefined
            : retryDelayMs(ctx, delivery.attempts + 1, result);
        counts[succeeded ? 'delivered' : delay === undefined ? 'given_up' : 'retrying'] += 1;
        return {
          org_id: delivery.org_id,
          id: delivery.id,
          leaseUntil: delivery.leaseUntil,
          status: succeeded ? 'delivered' : delay === undefined ? 'failed' : 'pending',
          next_attempt_at: delay === undefined ? at : at + delay,
          completed_on: succeeded || delay === undefined ? at : null,
        };
      }),
    );
    for (const [id, results] of groupBy(outcomes, (o) => o.endpoint.id)) {
      const endpoint = results[0]!.endpoint;
      if (results.some((o) => succeededOf(o.result))) {
        await clearEndpointFailing(trx, endpoint);
        continue;
      }
      const current = await findOrgWebhook(trx, endpoint.org_id, id);
      if (!current || current.enabled !== 1) continue;
      const first = Math.min(...results.map((o) => o.at));
      const last = Math.max(...results.map((o) => o.at));
      const since = current.failing_since === null ? first : Number(current.failing_since);
      if (current.failing_since === null) {
        await updateWebhook(trx, endpoint.org_id, id, { failing_since: since });
      }
      if (results.some((o) => o.result.statusCode === 410)) {
        await disableEndpoint(trx, endpoint, last, 'the endpoint answered 410 Gone');
      } else if (last - since >= DISABLE_AFTER_FAILING_MS) {
        await disableEndpoint(trx, endpoint, last, 'every delivery attempt failed for 3 days');
      }
    }
  });
  // Counted once recorded: a round whose record failed is sent again, and counted then.
  for (const [outcome, n] of Object.entries(counts)) {
    if (n > 0) ctx.metrics.webhookAttempts.inc({ outcome }, n);
  }
}

/** Deliveries pending to every org's endpoints (the `leadline_webhook_backlog` metric). */
export function webhookBacklog(ctx: AppContext): Promise<number> {
  return countPendingDeliveries(ctx.store.db);
}

/** What sending to one endpoint needs, worked out once per round rather than per delivery. */
type Target = {
  endpoint: Endpoint;
  /** Why the URL is refused under the rules as they are now (the operator may have narrowed
   * WEBHOOK_ALLOWED_HOSTS since the endpoint was made), or undefined. */
  problem: string | undefined;
  /** The current secret's key. */
  key: KeyObject;
  /** The previous secret's key and until when it signs too (a day after a rotation). */
  previous: { key: KeyObject; until: number } | undefined;
};

function targetOf(ctx: AppContext, endpoint: Endpoint): Target {
  return {
    endpoint,
    problem: urlProblem(endpoint.url, ctx.config.webhookAllowedHosts),
    key: signingKey(endpoint.secret),
    previous: endpoint.previous_secret
      ? {
          key: signingKey(endpoint.previous_secret),
          until: Number(endpoint.previous_secret_until ?? 0),
        }
      : undefined,
  };
}

/** Sends one leased delivery, signed with the endpoint's secrets; answers its outcome. */
async function attempt(
  ctx: AppContext,
  delivery: Leased,
  { endpoint, problem, key, previous }: Target,
  payload: string | undefined,
): Promise<Outcome> {
  const at = ctx.clock.now();
  if (payload === undefined) {
    // Retention keeps an event while a delivery of it is pending; this is only a safeguard.
    return {
      delivery,
      endpoint,
      at,
      result: { latencyMs: 0, error: 'the event is no longer kept' },
    };
  }
  if (problem) {
    return { delivery, endpoint, at, result: { latencyMs: 0, error: `the URL ${problem}` } };
  }
  const timestamp = Math.floor(at / 1000);
  const keys = previous && previous.until > at ? [key, previous.key] : [key];
  const result = await sendWebhook(
    endpoint.url,
    {
      'content-type': 'application/json',
      'user-agent': 'Leadline-Webhooks/1',
      'webhook-id': delivery.event_id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(keys, delivery.event_id, timestamp, payload),
    },
    payload,
    { allowed: ctx.config.webhookAllowedHosts, timeoutMs: ctx.config.webhookTimeoutMs },
  );
  return { delivery, endpoint, at, result };
}

/**
 * Sends `fresh` (deliveries just created leased) and the deliveries due now, up to one round's
 * worth in all, each leased first so no other process sends it meanwhile, and records their
 * outcomes together; answers how many were attempted. A process that dies before recording
 * leaves the leases to run out: those deliveries are sent again (at least once).
 */
export async function sendDueDeliveries(ctx: AppContext, fresh: Leased[] = []): Promise<number> {
  const now = ctx.clock.now();
  const leased = [...fresh];
  const due =
    fresh.length < SEND_BATCH
      ? await findDueDeliveries(ctx.store.db, now, SEND_BATCH - fresh.length)
      : [];
  if (due.length > 0) {
    // Sent after the fresh ones: their lease covers the waves of both.
    const leaseUntil = leaseUntilFor(ctx, now, fresh.length + due.length);
    const won = await ctx.store.transaction((trx) => leaseDeliveries(trx, due, now, leaseUntil));
    leased.push(...won.map((delivery) => ({ ...delivery, leaseUntil })));
  }
  if (leased.length === 0) return 0;
  const targets = new Map(
    (
      await findEndpointsByKey(
        ctx.store.db,
        leased.map((d) => ({ org_id: d.org_id, id: d.endpoint_id })),
      )
    ).map((endpoint) => [endpoint.id, targetOf(ctx, endpoint)]),
  );
  // The event's stored bytes are the body: the id in it travels as `webhook-id` too.
  const payloads = await findEventPayloads(
    ctx.store.db,
    leased.map((d) => d.org_id),
    leased.map((d) => d.event_id),
  );
  const queue = [...leased];
  const outcomes: Outcome[] = [];
  const worker = async () => {
    for (let delivery = queue.shift(); delivery; delivery = queue.shift()) {
      const target = targets.get(delivery.endpoint_id);
      if (target) {
        outcomes.push(await attempt(ctx, delivery, target, payloads.get(delivery.event_id)));
      }
    }
  };
  await Promise.all(Array.from({ length: SEND_CONCURRENCY }, worker));
  await recordOutcomes(ctx, outcomes);
  return leased.length;
}

/**
 * One dispatcher round: new deliveries (the first of each lead leased at once), then those and
 * the due ones sent (at most {@link SEND_BATCH}).
 */
export async function dispatchWebhooks(
  ctx: AppContext,
): Promise<{ created: number; sent: number }> {
  const { created, fresh } = await createDeliveries(ctx, SEND_BATCH);
  const sent = await sendDueDeliveries(ctx, fresh);
  return { created, sent };
}

/**
 * Deletes the finished deliveries (and their attempts) older than their org's event retention
 * (of the orgs `orgIds` only, when given), a batch per transaction; answers how many deliveries.
 */
export async function pruneDeliveries(ctx: AppContext, orgIds?: number[]): Promise<number> {
  return deleteInBatches(ctx.store, ctx.clock, (trx, now, batch) =>
    deleteExpiredDeliveries(trx, { now, defaultDays: EVENT_RETENTION_DAYS_DEFAULT, batch, orgIds }),
  );
}

/**
 * Delivers again one event, or the events made in a time range, to one of the org's endpoints
 * (of the endpoint's types, among the events still kept); answers how many deliveries it made.
 */
export async function replayEvents(
  ctx: AppContext,
  actor: Actor,
  endpointId: number,
  body: WebhookReplayBody,
): Promise<{ endpointId: number; replayed: number }> {
  const endpoint = await findOrgWebhook(ctx.store.db, actor.orgId, endpointId);
  if (!endpoint) throw webhookNotFound(endpointId);
  const range = body.from !== undefined || body.to !== undefined;
  if (body.eventId !== undefined ? range : body.from === undefined || body.to === undefined) {
    throw AppError.of('FIELD_REQUIRED', 'eventId, or from and to, is required (not both)');
  }
  const from = Date.parse(body.from ?? '');
  const to = Date.parse(body.to ?? '');
  const selection = body.eventId !== undefined ? { eventId: body.eventId } : { from, to };
  if (body.eventId === undefined && from > to) {
    throw AppError.of('FIELD_INVALID_VALUE', 'to must not be before from');
  }
  await sequenceEvents(ctx.store);
  let after = 0;
  let replayed = 0;
  for (;;) {
    const events = await findEventRefs(ctx.store.db, {
      orgId: actor.orgId,
      ...selection,
      types: typesOf(endpoint.event_types),
      after,
      limit: FAN_OUT_BATCH,
    });
    if (events.length === 0) break;
    const now = ctx.clock.now();
    await ctx.store.transaction((trx) =>
      insertDeliveries(
        trx,
        events.map((event) => deliveryRow(endpoint, event, now, true)),
      ),
    );
    replayed += events.length;
    after = Number(events.at(-1)?.position ?? after);
    if (events.length < FAN_OUT_BATCH) break;
  }
  if (body.eventId !== undefined && replayed === 0) {
    throw AppError.of(
      'FIELD_UNKNOWN_REFERENCE',
      `eventId: no event ${body.eventId} of this endpoint's types kept in this org`,
    );
  }
  await ctx.store.transaction((trx) =>
    recordAudit(
      trx,
      actor,
      'webhook.replay',
      String(endpointId),
      { ...body, replayed },
      ctx.clock.now(),
    ),
  );
  return { endpointId, replayed };
}

/** The org's deliveries matching `query`, newest first, each with its attempts. */
export async function listDeliveries(
  ctx: AppContext,
  orgId: number,
  query: DeliveryQuery,
): Promise<WebhookDelivery[]> {
  const { db } = ctx.store;
  const rows = await findDeliveries(db, {
    orgId,
    endpointId: query.endpointId,
    eventId: query.eventId,
    leadId: query.leadId,
    status: query.status,
    limit: query.limit ?? 100,
    offset: query.offset ?? 0,
  });
  const attempts = await findAttempts(
    db,
    orgId,
    rows.map((row) => row.id),
  );
  return rows.map((row) => ({
    id: row.id,
    endpointId: Number(row.endpoint_id),
    eventId: row.event_id,
    eventType: row.event_type,
    leadId: Number(row.lead_id),
    status: row.status,
    replay: row.replay === 1,
    createdOn: formatDateTime(row.created_on),
    nextAttemptAt: row.status === 'pending' ? formatDateTime(row.next_attempt_at) : null,
    completedOn: row.completed_on === null ? null : formatDateTime(row.completed_on),
    attempts: attempts
      .filter((a) => a.delivery_id === row.id)
      .map((a) => ({
        attemptedOn: formatDateTime(a.attempted_on),
        statusCode: a.status_code,
        latencyMs: a.latency_ms,
        responseBody: a.response_body,
        error: a.error,
      })),
  }));
}

function percentileOf(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

/** How one of the org's endpoints is doing: its backlog, and its last 24 hours of attempts. */
export async function endpointHealth(
  ctx: AppContext,
  orgId: number,
  endpointId: number,
): Promise<WebhookHealth> {
  const { db } = ctx.store;
  const endpoint = await findOrgWebhook(db, orgId, endpointId);
  if (!endpoint) throw webhookNotFound(endpointId);
  const now = ctx.clock.now();
  const counts = new Map(
    (await countDeliveriesByStatus(db, orgId, endpointId)).map((row) => [
      row.status,
      Number(row.n),
    ]),
  );
  const recent = await findAttemptsSince(db, endpointId, now - DAY_MS);
  const ok = recent.filter(
    (a) => a.status_code !== null && a.status_code >= 200 && a.status_code < 300,
  );
  const latencies = recent.map((a) => a.latency_ms).sort((a, b) => a - b);
  const { lastSuccess, lastFailure } = await findLastOutcomes(db, endpointId);
  return {
    endpointId,
    enabled: endpoint.enabled === 1,
    failingSince: endpoint.failing_since === null ? null : formatDateTime(endpoint.failing_since),
    pending: counts.get('pending') ?? 0,
    delivered: counts.get('delivered') ?? 0,
    failed: counts.get('failed') ?? 0,
    last24Hours: {
      attempts: recent.length,
      succeeded: ok.length,
      failed: recent.length - ok.length,
      successRate: recent.length === 0 ? null : ok.length / recent.length,
      latencyP50Ms: percentileOf(latencies, 50),
      latencyP95Ms: percentileOf(latencies, 95),
    },
    lastSuccessAt: lastSuccess === null ? null : formatDateTime(lastSuccess),
    lastFailureAt: lastFailure === null ? null : formatDateTime(lastFailure),
  };
}
