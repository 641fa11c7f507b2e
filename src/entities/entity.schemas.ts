import { Type } from '@sinclair/typebox';
import { ENTITY_TYPES } from '../db/schema.js';
import { EnvelopeItem, Id, Nullable, StringEnum, Warnings } from '../http/schemas.js';

/** What a caller may do, by the route families it may use. */
export const PERMISSIONS = [
  'leads',
  'customers',
  'channels',
  'reasons',
  'subStatuses',
  'extendedFields',
  'admin',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const EntityRef = Type.Object({
  id: Id,
  code: Type.String(),
  type: StringEnum(ENTITY_TYPES),
});

export const Me = Type.Object({
  id: Type.Integer({
    description: 'The caller’s entity id: what `createdBy` and `followedUpBy` take.',
  }),
  code: Type.String({ description: 'The entity code, which is also its username.' }),
  type: StringEnum(ENTITY_TYPES),
  org: Type.Object({ id: Id, name: Type.String() }),
  parent: Nullable(EntityRef),
  permissions: Type.Array(StringEnum(PERMISSIONS), {
    description: 'The route families the caller may use; `admin` is `/v2/admin/*`.',
  }),
  rateLimitPerMinute: Type.Integer({
    description: 'Requests per minute this credential may make (0: no limit).',
  }),
  requireIfMatch: Type.Boolean({
    description: 'Whether the org requires `If-Match` on lead updates and status changes.',
  }),
});

export const MeResponse = Type.Object({
  data: Me,
  warnings: Warnings,
  errors: Type.Array(EnvelopeItem),
});
