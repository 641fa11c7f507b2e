import { Type, type Static, type TProperties, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { LEAD_STATUSES, LEAD_TYPES } from '../db/schema.js';

/** Shared TypeBox pieces of the contract: ids, date-times, enums and the response envelope. */

/** A positive id, sent as a JSON number below 2^53. */
export const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** An entity id, or -1 for the system (automatic actions). */
export const ActorId = Type.Integer({ minimum: -1, maximum: Number.MAX_SAFE_INTEGER });

/** ISO 8601 with an offset; checked by the `date-time` format of `validation.ts`. */
export const DateTime = Type.String({ format: 'date-time', maxLength: 64 });

/** The most rows one page of any list holds, and the furthest an offset reaches. */
export const PAGE_LIMIT_MAX = 1000;
export const OFFSET_MAX = 1_000_000_000;

/** A page size, from 1 to {@link PAGE_LIMIT_MAX}, with the list's default. */
export const Limit = (defaultSize: number) =>
  Type.Integer({ minimum: 1, maximum: PAGE_LIMIT_MAX, default: defaultSize });

/** Rows to skip before the page. */
export const Offset = (description?: string) =>
  Type.Integer({
    minimum: 0,
    maximum: OFFSET_MAX,
    default: 0,
    ...(description === undefined ? {} : { description }),
  });

/** A string restricted to `values`, as one JSON-schema `enum` (one error, not one per value). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A lead's status and type: shared by the lead routes and the sub-status admin routes. */
export const LeadStatusSchema = StringEnum(LEAD_STATUSES);
export const LeadTypeSchema = StringEnum(LEAD_TYPES);

/** A schema with a name: the app registers it once and the OpenAPI document lists it under it. */
export type NamedSchema<T extends TSchema = TSchema> = T & { $id: string };

export function named<T extends TSchema>(name: string, schema: T): NamedSchema<T> {
  return { ...schema, $id: name };
}

/**
 * Where a named schema is used: a `$ref` to it, typed as the schema itself. Validation and
 * serialisation resolve it through the app's shared schemas, the document through components.
 */
export function ref<T extends TSchema>(schema: NamedSchema<T>): TUnsafe<Static<T>> {
  return Type.Unsafe<Static<T>>({ $ref: schema.$id });
}

/** A field that also accepts JSON `null` (meaning "remove" in updates). */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<T['static'] | null> {
  const { type, ...rest } = schema as unknown as { type: string } & Record<string, unknown>;
  return Type.Unsafe<T['static'] | null>({ ...rest, type: [type, 'null'] });
}

export const EnvelopeItem = named(
  'EnvelopeItem',
  Type.Object(
    {
      status: Type.Boolean({ description: 'Always false.' }),
      code: Type.Integer({ description: 'A code of the catalogue (docs/errors.md).' }),
      message: Type.String({ description: 'Names the field or the cause.' }),
    },
    { description: 'One error or warning: a catalogue code and a message.' },
  ),
);

export const Warnings = Type.Array(ref(EnvelopeItem));

export const ErrorEnvelope = named(
  'ErrorEnvelope',
  Type.Object(
    {
      data: Type.Null(),
      warnings: Warnings,
      errors: Type.Array(ref(EnvelopeItem), { minItems: 1 }),
    },
    { description: 'Every error answers with this envelope.' },
  ),
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
    errors: Type.Array(ref(EnvelopeItem)),
    ...extra,
  });
}

const errorRef = ref(ErrorEnvelope);

/** The shared error response (the envelope) under each of `statuses`. */
export function errorResponses<const S extends readonly number[]>(
  ...statuses: S
): { [K in S[number]]: typeof errorRef } {
  return Object.fromEntries(statuses.map((status) => [status, errorRef])) as {
    [K in S[number]]: typeof errorRef;
  };
}

/*
 * What each kind of operation can answer besides its 200, for the OpenAPI document: every
 * status it can return and none it cannot. 405 belongs to no operation (it answers methods a
 * path lacks) and 408/431 come before routing; the document's description says so.
 */

/** Any authenticated operation: credentials, the rate limit, and the server or store failing. */
export const baseErrors = errorResponses(401, 429, 500, 503);

/** An operation that validates a query string or path parameters. */
export const readErrors = { ...baseErrors, ...errorResponses(400) };

/** An operation that names one thing (by path or lookup) that may not be in the caller's org. */
export const lookupErrors = { ...readErrors, ...errorResponses(404) };

/**
 * Every POST and PUT: a body (400, 413, 415), `Idempotency-Key` conflicts or a conflict with
 * what exists (409, 422) and a full store (507).
 */
export const writeErrors = { ...readErrors, ...errorResponses(409, 413, 415, 422, 507) };

/** A write to one lead by id: it may not exist, and `If-Match` applies. */
export const leadChangeErrors = { ...writeErrors, ...errorResponses(404, 412, 428) };

/** `/v2/admin/*`: for ADMIN_USER entities only. */
export const adminOnly = errorResponses(403);

/** The token route: no credentials of the API kind, but failed log-ins are throttled. */
export const tokenErrors = errorResponses(400, 401, 413, 415, 429, 500, 503, 507);
