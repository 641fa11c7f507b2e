import { Type, type Static } from '@sinclair/typebox';
import { ENTITY_TYPES, LEAD_TYPES } from '../db/schema.js';
import {
  ActorId,
  DateTime,
  Id,
  LeadStatusSchema,
  LeadTypeSchema,
  Limit,
  ListEnvelope,
  named,
  Nullable,
  Offset,
  PAGE_LIMIT_MAX,
  ref,
  StringEnum,
  Warnings,
} from '../http/schemas.js';
import { CURSOR_MAX_LENGTH } from './lead.cursor.js';

/** TypeBox schemas of the lead routes: validation, TypeScript types and OpenAPI in one place. */

const ShortText = (maxLength: number) => Type.String({ minLength: 1, maxLength });

/** Any scalar under any key, until the org defines its fields. */
const ExtendedValue = Type.Unsafe<string | number | boolean>({
  type: ['string', 'number', 'boolean'],
  maxLength: 1000,
});
const ExtendedValueOrNull = Type.Unsafe<string | number | boolean | null>({
  type: ['string', 'number', 'boolean', 'null'],
  maxLength: 1000,
});

export const ExtendedFields = Type.Object(
  {},
  { additionalProperties: ExtendedValue, maxProperties: 100, description: 'Org-defined fields.' },
);
const ExtendedFieldsPatch = Type.Object(
  {},
  {
    additionalProperties: ExtendedValueOrNull,
    maxProperties: 100,
    description: 'Merged into the lead; a null value removes the key.',
  },
);

const Notes = Type.String({ maxLength: 2000 });

const followUpFields = {
  followedUpOn: DateTime,
  followedUpBy: Type.Optional(Id),
  notes: Type.Optional(Notes),
  scheduledFollowUp: Type.Optional(DateTime),
  nextFollowUp: Type.Optional(DateTime),
};

export const FollowUpBody = Type.Object({ ...followUpFields, createdBy: Id });
export type FollowUpBody = Static<typeof FollowUpBody>;

const FollowUpItem = Type.Object({ ...followUpFields, createdBy: Type.Optional(Id) });
export type FollowUpItem = Static<typeof FollowUpItem>;

const StatusHistoryItem = Type.Object({
  status: LeadStatusSchema,
  createdBy: Type.Optional(Id),
  reasonId: Id,
});

export const LeadCreateBody = Type.Object({
  leadFor: ShortText(200),
  userId: Type.Optional(Id),
  idType: Type.Optional(StringEnum(['EMAIL', 'MOBILE'] as const)),
  identifier: Type.Optional(ShortText(254)),
  type: Type.Optional(LeadTypeSchema),
  status: Type.Optional(LeadStatusSchema),
  subStatus: Type.Optional(ShortText(100)),
  owner: Type.Optional(ShortText(100)),
  nextFollowUp: Type.Optional(DateTime),
  createdOn: Type.Optional(DateTime),
  createdBy: Type.Optional(Id),
  orgSourceId: Type.Optional(Type.Integer({ minimum: -1, maximum: 2147483647 })),
  extendedFields: Type.Optional(ExtendedFields),
  followUpDetails: Type.Optional(Type.Array(FollowUpItem, { maxItems: 100 })),
  statusLogDetails: Type.Optional(Type.Array(StatusHistoryItem, { maxItems: 100 })),
});
export type LeadCreateBody = Static<typeof LeadCreateBody>;

export const LeadUpdateBody = Type.Object({
  extendedFields: Type.Optional(ExtendedFieldsPatch),
  owner: Type.Optional(Nullable(ShortText(100))),
});
export type LeadUpdateBody = Static<typeof LeadUpdateBody>;

export const StatusChangeBody = Type.Object({
  status: LeadStatusSchema,
  reasonId: Id,
  subStatus: Type.Optional(ShortText(100)),
  createdBy: Type.Optional(Id),
  createdOn: Type.Optional(DateTime),
});
export type StatusChangeBody = Static<typeof StatusChangeBody>;

export const LeadIdParams = Type.Object({ id: Id });

export const LeadListQuery = Type.Object({
  userId: Type.Optional(Id),
  status: Type.Optional(LeadStatusSchema),
  substatus: Type.Optional(ShortText(100)),
  subStatus: Type.Optional(ShortText(100)),
  type: Type.Optional(StringEnum([...LEAD_TYPES, 'ALL'] as const)),
  owner: Type.Optional(Id),
  orgSourceId: Type.Optional(Type.Integer({ minimum: -1, maximum: 2147483647 })),
  entityType: Type.Optional(StringEnum(ENTITY_TYPES)),
  entityCode: Type.Optional(ShortText(100)),
  sortBy: Type.Optional(StringEnum(['createdOn', 'lastUpdatedOn'] as const)),
  sortOrder: Type.Optional(StringEnum(['ASC', 'DESC'] as const)),
  limit: Limit(10),
  offset: Offset('Leads to skip. Not with `cursor`.'),
  cursor: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: CURSOR_MAX_LENGTH,
      description:
        'The `nextCursor` of the previous page: the next page starts after its last lead, ' +
        'however deep. Send the same sortBy, sortOrder and filters as that page; not with offset.',
    }),
  ),
});
export type LeadListQuery = Static<typeof LeadListQuery>;

export const FollowUp = named(
  'FollowUp',
  Type.Object({
    id: Id,
    userId: Id,
    leadId: Id,
    notes: Type.Optional(Type.String()),
    createdBy: Id,
    createdOn: DateTime,
    followedUpBy: Id,
    followedUpOn: DateTime,
    scheduledFollowUp: Type.Optional(DateTime),
  }),
);
export type FollowUp = Static<typeof FollowUp>;

export const StatusLog = named(
  'StatusLogEntry',
  Type.Object({
    id: Id,
    userId: Id,
    leadId: Id,
    status: LeadStatusSchema,
    subStatus: Type.Optional(Type.String()),
    createdBy: ActorId,
    createdOn: DateTime,
    reasonId: Id,
    reason: Type.String(),
  }),
);
export type StatusLog = Static<typeof StatusLog>;

const leadFields = {
  id: Id,
  userId: Id,
  type: LeadTypeSchema,
  leadFor: Type.String(),
  status: LeadStatusSchema,
  subStatus: Type.Optional(Type.String()),
  owner: Type.Optional(Type.String()),
  nextFollowUp: Type.Optional(DateTime),
  lastFollowUp: Type.Optional(DateTime),
  createdOn: DateTime,
  createdBy: ActorId,
  lastUpdatedOn: DateTime,
  lastUpdatedBy: ActorId,
  orgSourceId: Type.Integer(),
  extendedFields: ExtendedFields,
  followUpDetails: Type.Array(ref(FollowUp), {
    description: 'The newest follow-ups (100 on a single lead, 20 in a list), oldest first.',
  }),
  statusLogDetails: Type.Array(ref(StatusLog), {
    description: 'The newest status-log rows (100 on a single lead, 20 in a list), oldest first.',
  }),
  followUpsOmitted: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        'Present when the lead has older follow-ups than it embeds: how many. Page them with GET /v2/leads/{id}/followups.',
    }),
  ),
  statusLogsOmitted: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        'Present when the lead has older status-log rows than it embeds: how many. Page them with GET /v2/leads/{id}/statusLog.',
    }),
  ),
};

/** A lead as the API shows it; the document's example (linted against the schema). */
const LEAD_EXAMPLE = {
  id: 5012,
  userId: 877,
  type: 'SKU',
  leadFor: 'JKT-0192-M',
  status: 'ON_HOLD',
  subStatus: 'Awaiting stock',
  owner: 'assoc-kora',
  nextFollowUp: '2026-03-04T10:00:00Z',
  lastFollowUp: '2026-03-02T16:30:00Z',
  createdOn: '2026-03-01T12:00:00Z',
  createdBy: 41,
  lastUpdatedOn: '2026-03-02T16:30:00Z',
  lastUpdatedBy: 41,
  orgSourceId: -1,
  extendedFields: { size: 'M', colour: 'Navy' },
  followUpDetails: [
    {
      id: 90211,
      userId: 877,
      leadId: 5012,
      notes: 'Called: size M arrives Thursday.',
      createdBy: 41,
      createdOn: '2026-03-02T16:31:00Z',
      followedUpBy: 41,
      followedUpOn: '2026-03-02T16:30:00Z',
      scheduledFollowUp: '2026-03-02T16:00:00Z',
    },
  ],
  statusLogDetails: [
    {
      id: 7301,
      userId: 877,
      leadId: 5012,
      status: 'OPEN',
      createdBy: 41,
      createdOn: '2026-03-01T12:00:00Z',
      reasonId: 3,
      reason: 'Size out of stock',
    },
    {
      id: 7340,
      userId: 877,
      leadId: 5012,
      status: 'ON_HOLD',
      subStatus: 'Awaiting stock',
      createdBy: 41,
      createdOn: '2026-03-02T16:30:00Z',
      reasonId: 3,
      reason: 'Size out of stock',
    },
  ],
};

export const Lead = named('Lead', Type.Object(leadFields, { examples: [LEAD_EXAMPLE] }));
export type Lead = Static<typeof Lead>;

export const LeadResponse = named(
  'LeadResponse',
  Type.Object(
    { ...leadFields, warnings: Warnings },
    {
      description: 'One lead, with the warnings of the request that returned it.',
      examples: [{ ...LEAD_EXAMPLE, warnings: [] }],
    },
  ),
);
export const LeadList = ListEnvelope(ref(Lead), {
  nextCursor: Type.Optional(
    Type.String({
      description:
        'Present when more leads match: send it as `cursor` for the next page. Absent on the last page.',
    }),
  ),
});
const historyNext = {
  next: Type.Optional(
    Type.Integer({
      description: 'Present when more rows follow: send it as `after` for the next page.',
    }),
  ),
};
export const FollowUpList = ListEnvelope(ref(FollowUp), historyNext);
export const StatusLogList = ListEnvelope(ref(StatusLog), historyNext);

/** Paging of a lead's follow-ups or status log: oldest first, after a row id. */
export const HistoryQuery = Type.Object({
  limit: Limit(PAGE_LIMIT_MAX),
  after: Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    default: 0,
    description: 'Rows with a larger id than this (the `next` of the previous page).',
  }),
});
export type HistoryQuery = Static<typeof HistoryQuery>;
