import { Type, type Static } from '@sinclair/typebox';
import { Id, Limit, ListEnvelope, StringEnum, named, ref } from '../http/schemas.js';

/** The event types, in the Standard Webhooks `type` spelling. */
export const LEAD_EVENT_TYPES = [
  'lead.created',
  'lead.updated',
  'lead.status_changed',
  'lead.follow_up_added',
] as const;
export type LeadEventType = (typeof LEAD_EVENT_TYPES)[number];

/** How long a feed request may wait for its first event. */
export const FEED_WAIT_MAX_SECONDS = 30;

/** The lead as the API returns it: the leads feature's named `Lead` schema, by its name. */
const LeadByName = Type.Unsafe<Record<string, unknown>>({ $ref: 'Lead' });

export const LeadEventData = Type.Object({
  orgId: Id,
  leadId: Id,
  leadVersion: Type.Integer({
    minimum: 1,
    description: 'The lead’s version after the change: the number its ETag carries.',
  }),
  lead: LeadByName,
  changedFields: Type.Array(Type.String(), {
    description:
      'The lead’s fields this change set to a new value, by their API names; a follow-up adds `followUpDetails`, a status change `statusLogDetails`.',
  }),
  changedBy: Type.Integer({
    description: 'The entity that made the change; -1 for Leadline itself (auto-close).',
  }),
  previousStatus: Type.Optional(Type.String({ description: 'Status changes only.' })),
  previousSubStatus: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'Status changes only.' }),
  ),
});

export const LeadEvent = named(
  'LeadEvent',
  Type.Object(
    {
      id: Type.String({ description: 'Unique per event (`evt_…`): deduplicate on it.' }),
      type: StringEnum(LEAD_EVENT_TYPES),
      timestamp: Type.String({ format: 'date-time', description: 'When the change was made.' }),
      data: LeadEventData,
    },
    { description: 'A lead change, in the Standard Webhooks payload shape plus its id.' },
  ),
);

export const EventQuery = Type.Object({
  after: Type.Optional(
    Type.String({
      maxLength: 40,
      description:
        'The `nextCursor` of the previous page; without it the feed starts at the oldest event kept.',
    }),
  ),
  limit: Type.Optional(Limit(100)),
  types: Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'Comma-separated event types to return (default: all).',
    }),
  ),
  leadId: Type.Optional(Id),
  wait: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: FEED_WAIT_MAX_SECONDS,
      default: 0,
      description: 'Seconds to wait for a first event when there is none yet (long polling).',
    }),
  ),
});
export type EventQuery = Static<typeof EventQuery>;

export type LeadEvent = Static<typeof LeadEvent>;

export const EventList = ListEnvelope(ref(LeadEvent), {
  nextCursor: Type.String({
    description:
      'Where the next request starts (`after`). Store it with what you processed: a consumer that resumes from it never misses or re-reads an event.',
  }),
});
export type EventList = Static<typeof EventList>;
