import { Type, type Static } from '@sinclair/typebox';
import { ENTITY_TYPES } from '../db/schema.js';
import { Id, ListEnvelope, named, Nullable, ref, StringEnum, Warnings } from '../http/schemas.js';
import { CODE_PATTERN, PASSWORD_MAX, PASSWORD_MIN } from '../entities/index.js';
import { AUTO_CLOSE_DAYS_MAX, RATE_LIMIT_PER_MINUTE_MAX } from '../orgs/index.js';

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

export const EntityCodeParams = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 100 }),
});

export const EntityListQuery = Type.Object({
  type: Type.Optional(StringEnum(ENTITY_TYPES)),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
});

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
export const EntityResponse = named(
  'EntityResponse',
  Type.Object({ ...entityFields, warnings: Warnings }),
);
export const EntityList = ListEnvelope(ref(Entity));

export const OauthClientCreateBody = Type.Object({
  entity: Type.String({ minLength: 1, maxLength: 100 }),
});
export const OauthClientCreated = Type.Object({
  key: Type.String(),
  secret: Type.String({ description: 'Shown once; stored only as Argon2id.' }),
  entity: Type.String(),
  warnings: Warnings,
});
export const OauthClientKeyParams = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 100 }),
});
export const OauthClientChangeBody = Type.Object({
  revoked: Type.Literal(true, { description: 'Revocation is final.' }),
});
export const OauthClientRevoked = Type.Object({
  key: Type.String(),
  entity: Type.String(),
  revoked: Type.Boolean(),
  warnings: Warnings,
});

export const SettingsBody = Type.Object({
  requireIfMatch: Type.Optional(Type.Boolean()),
  autoCloseDays: Type.Optional(
    Nullable(Type.Integer({ minimum: 1, maximum: AUTO_CLOSE_DAYS_MAX })),
  ),
  countryCode: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z]{2}$' }))),
  rateLimitPerMinute: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: RATE_LIMIT_PER_MINUTE_MAX,
        description: 'Requests per minute per credential; null: the deployment default.',
      }),
    ),
  ),
});
export const SettingsResponse = named(
  'SettingsResponse',
  Type.Object({
    autoCloseDays: Nullable(Type.Integer()),
    countryCode: Nullable(Type.String()),
    rateLimitPerMinute: Nullable(Type.Integer()),
    requireIfMatch: Type.Boolean(),
    warnings: Warnings,
  }),
);
