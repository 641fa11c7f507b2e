import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Id, Limit, ListEnvelope, named, Offset, ref } from '../http/schemas.js';

export const AuditQuery = Type.Object({
  limit: Limit(100),
  offset: Offset(),
  action: Type.Optional(
    Type.String({
      pattern: '^[a-z_]+\\.[a-z_]+$',
      maxLength: 64,
      description: 'Only the entries of this action, e.g. `webhook.replay`.',
    }),
  ),
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
