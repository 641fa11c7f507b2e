import { Type, type Static } from '@sinclair/typebox';
import { ListEnvelope, named, ref, Warnings } from '../http/schemas.js';
import { LeadStatusSchema } from '../http/schemas.js';

export const SubStatusBody = Type.Object({
  status: LeadStatusSchema,
  subStatus: Type.String({ minLength: 1, maxLength: 100 }),
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
