import { Type, type Static } from '@sinclair/typebox';
import { ENTITY_TYPES } from '../db/schema.js';
import {
  EnvelopeItem,
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

export const CODE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$';
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

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

const Password = Type.String({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX });
const Code = Type.String({ pattern: CODE_PATTERN, maxLength: 100 });

export const EntityCreateBody = Type.Object({
  type: StringEnum(ENTITY_TYPES),
  code: Code,
  parent: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  password: Type.Optional(Password),
});
export type EntityCreateBody = Static<typeof EntityCreateBody>;

export const EntityChangeBody = Type.Object({
  disabled: Type.Optional(Type.Boolean()),
  password: Type.Optional(Password),
});
export type EntityChangeBody = Static<typeof EntityChangeBody>;

export const EntityCodeParams = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 100 }),
});

export const EntityListQuery = Type.Object({
  type: Type.Optional(StringEnum(ENTITY_TYPES)),
  limit: Limit(100),
  offset: Offset(),
});
export type EntityListQuery = Static<typeof EntityListQuery>;

const entityFields = {
  id: Id,
  orgId: Id,
  type: StringEnum(ENTITY_TYPES),
  code: Type.String(),
  parentId: Type.Optional(Id),
  canLogIn: Type.Boolean(),
  disabled: Type.Boolean(),
};
export const Entity = named('Entity', Type.Object(entityFields));
export type Entity = Static<typeof Entity>;
export const EntityResponse = named(
  'EntityResponse',
  Type.Object({ ...entityFields, warnings: Warnings }),
);
export const EntityList = ListEnvelope(ref(Entity));
