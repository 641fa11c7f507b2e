import { Type, type Static } from '@sinclair/typebox';
import { ListEnvelope, named, ref, Warnings } from '../http/schemas.js';
import { LeadStatusSchema } from '../http/schemas.js';

/** The longest sub-status, in characters (the schema's limit, checked by the service too). */
export const SUB_STATUS_MAX_LENGTH = 100;
export const SubStatusBody = Type.Object({
  status: LeadStatusSchema,
  subStatus: Type.String({ minLength: 1, maxLength: SUB_STATUS_MAX_LENGTH }),
});
export type SubStatusBody = Static<typeof SubStatusBody>;

export const SubStatus = named(
  'SubStatus',
  Type.Object({ status: LeadStatusSchema, subStatus: Type.String() }),
);
export type SubStatus = Static<typeof SubStatus>;

export const SubStatusResponse = Type.Object({
  status: LeadStatusSchema,
  subStatus: Type.String(),
  warnings: Warnings,
});
export const SubStatusList = ListEnvelope(ref(SubStatus));
