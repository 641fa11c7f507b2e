import { Type, type TProperties, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { LEAD_STATUSES, LEAD_TYPES } from '../db/schema.js';

/** Shared TypeBox pieces of the contract: ids, date-times, enums and the response envelope. */

/** A positive id, sent as a JSON number below 2^53. */
export const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** An entity id, or -1 for the system (automatic actions). */
export const ActorId = Type.Integer({ minimum: -1, maximum: Number.MAX_SAFE_INTEGER });

/** ISO 8601 with an offset; checked by the `date-time` format of `validation.ts`. */
export const DateTime = Type.String({ format: 'date-time', maxLength: 64 });

/** A string restricted to `values`, as one JSON-schema `enum` (one error, not one per value). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A field that also accepts JSON `null` (meaning "remove" in updates). */
/** A lead's status and type: shared by the lead routes and the sub-status admin routes. */
export const LeadStatusSchema = StringEnum(LEAD_STATUSES);
export const LeadTypeSchema = StringEnum(LEAD_TYPES);

export function Nullable<T extends TSchema>(schema: T): TUnsafe<T['static'] | null> {
  const { type, ...rest } = schema as unknown as { type: string } & Record<string, unknown>;
  return Type.Unsafe<T['static'] | null>({ ...rest, type: [type, 'null'] });
}

export const EnvelopeItem = Type.Object({
  status: Type.Boolean(),
  code: Type.Integer(),
  message: Type.String(),
});

export const Warnings = Type.Array(EnvelopeItem);

export const ErrorEnvelope = Type.Object(
  {
    data: Type.Null(),
    warnings: Warnings,
    errors: Type.Array(EnvelopeItem),
  },
  { $id: 'ErrorEnvelope', description: 'Every error answers with this envelope.' },
);

/**
 * `{"data": [...], "warnings": [], "errors": []}` around a list of `item`, plus `extra` fields
 * after those three.
 */
export function ListEnvelope<T extends TSchema, E extends TProperties = Record<never, never>>(
  item: T,
  extra: E = {} as E,
) {
  return Type.Object({
    data: Type.Array(item),
    warnings: Warnings,
    errors: Type.Array(EnvelopeItem),
    ...extra,
  });
}

const errorRef = Type.Ref('ErrorEnvelope');

/** The error statuses every authenticated route may answer, for the OpenAPI document. */
export const commonErrors = {
  400: errorRef,
  401: errorRef,
  404: errorRef,
  405: errorRef,
  413: errorRef,
  415: errorRef,
  429: errorRef,
  500: errorRef,
} as const;

/** What writes with `Idempotency-Key` and `If-Match` may also answer. */
export const writeErrors = {
  ...commonErrors,
  409: errorRef,
  412: errorRef,
  422: errorRef,
  428: errorRef,
} as const;
