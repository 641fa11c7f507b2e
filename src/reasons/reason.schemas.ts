import { Type, type Static } from '@sinclair/typebox';
import { Id, ListEnvelope, named, ref, Warnings } from '../http/schemas.js';

/** The longest reason, in characters (the schema's limit, checked by the service for the web app). */
export const REASON_MAX_LENGTH = 200;
export const ReasonInput = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: REASON_MAX_LENGTH }),
});
export const ReasonsBody = Type.Array(ReasonInput, { minItems: 1, maxItems: 100 });
export type ReasonsBody = Static<typeof ReasonsBody>;

export const Reason = named('Reason', Type.Object({ id: Id, reason: Type.String() }));
export type Reason = Static<typeof Reason>;
export const ReasonList = ListEnvelope(ref(Reason));

/** A reason as administrators see it: with the flags the contract's list does not carry. */
const adminReasonFields = {
  id: Id,
  reason: Type.String(),
  notAvailable: Type.Boolean({
    description:
      'A lead lost for this reason counts as unfulfilled demand: the shopper wanted what the store could not sell (analytics `/demand`).',
  }),
};
export const AdminReason = named('AdminReason', Type.Object(adminReasonFields));
export type AdminReason = Static<typeof AdminReason>;
export const AdminReasonList = ListEnvelope(ref(AdminReason));
export const AdminReasonResponse = named(
  'AdminReasonResponse',
  Type.Object({ ...adminReasonFields, warnings: Warnings }),
);
export const ReasonIdParams = Type.Object({ id: Id });
export const ReasonChangeBody = Type.Object({
  notAvailable: Type.Boolean({
    description: 'true: leads lost for this reason are unfulfilled demand; false: they are not.',
  }),
});
export type ReasonChangeBody = Static<typeof ReasonChangeBody>;
