import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Id, ListEnvelope, named, ref, StringEnum, Warnings } from '../http/schemas.js';
import { LEAD_EVENT_TYPES, type LeadEventType } from '../events/index.js';

export const WEBHOOK_URL_MAX = 2000;
export const WEBHOOK_DESCRIPTION_MAX = 500;

const EventTypes = Type.Array(StringEnum(LEAD_EVENT_TYPES), {
  minItems: 1,
  maxItems: LEAD_EVENT_TYPES.length,
  uniqueItems: true,
  description: 'The event types sent to the endpoint; absent: every type.',
});

export const WebhookCreateBody = Type.Object({
  url: Type.String({
    minLength: 1,
    maxLength: WEBHOOK_URL_MAX,
    description:
      'Where events are POSTed: https (plain http only for a host in WEBHOOK_ALLOWED_HOSTS).',
  }),
  events: Type.Optional(EventTypes),
  description: Type.Optional(Type.String({ maxLength: WEBHOOK_DESCRIPTION_MAX })),
});
export type WebhookCreateBody = Static<typeof WebhookCreateBody>;

export const WebhookChangeBody = Type.Object({
  enabled: Type.Boolean({ description: 'false stops deliveries; true starts them again.' }),
});

export const WebhookIdParams = Type.Object({ id: Id });

const endpointFields = {
  id: Id,
  url: Type.String(),
  events: Type.Array(StringEnum(LEAD_EVENT_TYPES), {
    description: 'The event types sent to the endpoint.',
  }),
  description: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  createdOn: DateTime,
  updatedOn: DateTime,
};

/** An endpoint as the admin API and the CLI show it: never its secret. */
export const WebhookEndpoint = named('WebhookEndpoint', Type.Object(endpointFields));
export type WebhookEndpoint = Static<typeof WebhookEndpoint> & { events: LeadEventType[] };

export const WebhookEndpointResponse = Type.Object({ ...endpointFields, warnings: Warnings });

export const WebhookCreated = Type.Object({
  ...endpointFields,
  secret: Type.String({
    description: 'The signing secret (`whsec_…`), shown this once.',
  }),
  warnings: Warnings,
});

export const WebhookSecretRotated = Type.Object({
  id: Id,
  secret: Type.String({ description: 'The new signing secret, shown this once.' }),
  previousSecretValidUntil: Type.String({
    format: 'date-time',
    description: 'Until then deliveries are signed with the old secret too.',
  }),
  warnings: Warnings,
});

export const WebhookDeleted = Type.Object({ id: Id, deleted: Type.Boolean(), warnings: Warnings });

export const WebhookList = ListEnvelope(ref(WebhookEndpoint));
