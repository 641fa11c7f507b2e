import { Type } from '@sinclair/typebox';
import { Warnings } from '../http/schemas.js';

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
