import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Id, ListEnvelope, named, ref } from '../http/schemas.js';

export const AuditQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
});
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditEntry = named(
  'AuditEntry',
  Type.Object({
    id: Id,
    actorId: Type.Integer({ description: 'The admin entity, or -1 for the command line.' }),
    action: Type.String(),
    target: Type.String(),
    details: Type.Object({}, { additionalProperties: true }),
    createdOn: DateTime,
  }),
);
export type AuditEntry = Static<typeof AuditEntry>;
export const AuditList = ListEnvelope(ref(AuditEntry));
