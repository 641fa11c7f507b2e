import { Type, type Static } from '@sinclair/typebox';
import { DELIVERY_STATUSES } from '../db/schema.js';
import {
  DateTime,
  Id,
  Limit,
  ListEnvelope,
  named,
  Nullable,
  Offset,
  ref,
  StringEnum,
  Warnings,
} from '../http/schemas.js';

const EventId = Type.String({ pattern: '^evt_[0-9a-f]{32}$', description: 'An event’s `id`.' });

export const DeliveryQuery = Type.Object({
  endpointId: Type.Optional(Id),
  eventId: Type.Optional(EventId),
  leadId: Type.Optional(Id),
  status: Type.Optional(StringEnum(DELIVERY_STATUSES)),
  limit: Type.Optional(Limit(100)),
  offset: Type.Optional(Offset()),
});
export type DeliveryQuery = Static<typeof DeliveryQuery>;

const Attempt = Type.Object({
  attemptedOn: DateTime,
  statusCode: Nullable(Type.Integer({ description: 'null: no answer (see error).' })),
  latencyMs: Type.Integer(),
  responseBody: Nullable(Type.String({ description: 'The first 1 KB of the response.' })),
  error: Nullable(Type.String()),
});

export const WebhookDelivery = named(
  'WebhookDelivery',
  Type.Object({
    id: Id,
    endpointId: Id,
    eventId: Type.String(),
    eventType: Type.String(),
    leadId: Id,
    status: StringEnum(DELIVERY_STATUSES, {
      description: 'pending (to be attempted), delivered, or failed (given up).',
    }),
    replay: Type.Boolean({ description: 'Made by a replay.' }),
    createdOn: DateTime,
    nextAttemptAt: Nullable(DateTime),
    completedOn: Nullable(DateTime),
    attempts: Type.Array(Attempt),
  }),
);
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const DeliveryList = ListEnvelope(ref(WebhookDelivery));

export const WebhookReplayBody = Type.Object({
  eventId: Type.Optional(EventId),
  from: Type.Optional(DateTime),
  to: Type.Optional(DateTime),
});
export type WebhookReplayBody = Static<typeof WebhookReplayBody>;

export const WebhookReplayed = Type.Object({
  endpointId: Id,
  replayed: Type.Integer({ description: 'Deliveries made.' }),
  warnings: Warnings,
});

export const WebhookHealth = Type.Object({
  endpointId: Id,
  enabled: Type.Boolean(),
  failingSince: Nullable(DateTime),
  pending: Type.Integer(),
  delivered: Type.Integer(),
  failed: Type.Integer(),
  last24Hours: Type.Object({
    attempts: Type.Integer(),
    succeeded: Type.Integer(),
    failed: Type.Integer(),
    successRate: Nullable(Type.Number()),
    latencyP50Ms: Nullable(Type.Integer()),
    latencyP95Ms: Nullable(Type.Integer()),
  }),
  lastSuccessAt: Nullable(DateTime),
  lastFailureAt: Nullable(DateTime),
});
export type WebhookHealth = Static<typeof WebhookHealth>;
export const WebhookHealthResponse = Type.Object({
  ...WebhookHealth.properties,
  warnings: Warnings,
});
