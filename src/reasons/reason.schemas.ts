import { Type, type Static } from '@sinclair/typebox';
import { Id, ListEnvelope, named, ref } from '../http/schemas.js';

export const ReasonInput = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 200 }) });
export const ReasonsBody = Type.Array(ReasonInput, { minItems: 1, maxItems: 100 });
export type ReasonsBody = Static<typeof ReasonsBody>;

export const Reason = named('Reason', Type.Object({ id: Id, reason: Type.String() }));
export type Reason = Static<typeof Reason>;
export const ReasonList = ListEnvelope(ref(Reason));
