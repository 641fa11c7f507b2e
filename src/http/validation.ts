import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { AppError, type ErrorName } from '../core/errors.js';
import { isDateTime } from '../core/date-time.js';

/**
 * Schema compilers and the mapping from schema failures to the error catalogue.
 *
 * Bodies are validated strictly (a string "12" is not the integer 12: clients must send the
 * contract's types). Query strings and path parameters are text by nature, so they are coerced.
 * `allErrors` lets one response list every bad field.
 */
function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
  });
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  return ajv;
}

const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema as object);
};

function fieldName(error: ErrorObject, part: string): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') {
    segments.push(String((error.params as { missingProperty: string }).missingProperty));
  }
  let name = '';
  for (const segment of segments) {
    name += /^\d+$/.test(segment) ? `[${segment}]` : name === '' ? segment : `.${segment}`;
  }
  return name === '' ? part : name;
}

function catalogueName(error: ErrorObject): ErrorName {
  switch (error.keyword) {
    case 'required':
      return 'FIELD_REQUIRED';
    case 'type':
      return 'FIELD_INVALID_TYPE';
    case 'format':
      return 'FIELD_INVALID_DATE_TIME';
    default:
      return 'FIELD_INVALID_VALUE';
  }
}

/** JSON type names in plain words. */
const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** What each pattern of the schemas asks for, in words (the raw pattern means little to a user). */
const PATTERN_WORDS: Record<string, string> = {
  '^[A-Za-z]{2}$': 'must be two letters, e.g. IN',
  '^[A-Za-z][A-Za-z0-9_]{0,63}$':
    'must start with a letter and hold only letters, digits and _ (at most 64 characters)',
  '^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$':
    'must start with a letter or a digit and hold only letters, digits and . _ @ - (at most 100 characters)',
};

function plural(count: unknown, word: string): string {
  return `${String(count)} ${word}${count === 1 ? '' : 's'}`;
}

/** What was expected, in plain words, for one schema failure. */
function describe(error: ErrorObject, field: string): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${field} is required`;
    case 'type': {
      const types = String(params.type).split(',');
      return `${field} must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
    }
    case 'format':
      return `${field} must be an ISO 8601 date-time with an offset, e.g. 2026-03-02T17:45:00+05:30`;
    case 'enum':
      return `${field} must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'pattern':
      return `${field} ${PATTERN_WORDS[String(params.pattern)] ?? 'is not in the form it accepts'}`;
    case 'minLength':
      return params.limit === 1
        ? `${field} must not be empty`
        : `${field} must be at least ${plural(params.limit, 'character')}`;
    case 'maxLength':
      return `${field} must be at most ${plural(params.limit, 'character')}`;
    case 'minimum':
      return `${field} must be at least ${String(params.limit)}`;
    case 'maximum':
      return `${field} must be at most ${String(params.limit)}`;
    case 'exclusiveMinimum':
      return `${field} must be more than ${String(params.limit)}`;
    case 'exclusiveMaximum':
      return `${field} must be less than ${String(params.limit)}`;
    case 'minItems':
      return params.limit === 1
        ? `${field} must not be empty`
        : `${field} must have at least ${plural(params.limit, 'item')}`;
    case 'maxItems':
      return `${field} must have at most ${plural(params.limit, 'item')}`;
    case 'minProperties':
      return `${field} must not be empty`;
    case 'maxProperties':
      return `${field} must have at most ${plural(params.limit, 'key')}`;
    case 'uniqueItems':
      return `${field} must not repeat an item`;
    case 'additionalProperties':
      return `${field} must not have the key ${String(params.additionalProperty)}`;
    default:
      return `${field} is not a value it accepts`;
  }
}

/**
 * Turns the schema failures of one request part into one AppError listing each bad field once.
 *
 * @example throw validationError(fastifyError.validation, 'body');
 */
export function validationError(errors: ErrorObject[], part: string): AppError {
  const seen = new Set<string>();
  const items: Array<{ name: ErrorName; message: string }> = [];
  for (const error of errors) {
    const field = fieldName(error, part);
    if (seen.has(field)) continue;
    seen.add(field);
    items.push({ name: catalogueName(error), message: describe(error, field) });
  }
  if (items.length === 0)
    items.push({ name: 'FIELD_INVALID_VALUE', message: `${part} is invalid` });
  return new AppError(items);
}

/** Compiled input schemas, by schema object: each is compiled once, on first use. */
const inputValidators = new WeakMap<TSchema, ValidateFunction>();

/**
 * Checks input that did not come through a route (the command line) against the route's own
 * body schema, strictly as a body, and throws the same 400 the API would answer. So services
 * trust their input's shape whatever the door it came in by.
 *
 * @example checkInput(SettingsBody, { autoCloseDays: 5000 }); // 400: autoCloseDays must be at most 3650
 */
export function checkInput<T extends TSchema>(
  schema: T,
  value: unknown,
): asserts value is Static<T> {
  let validate = inputValidators.get(schema);
  if (!validate) {
    validate = bodyAjv.compile(schema);
    inputValidators.set(schema, validate);
  }
  if (!validate(value)) throw validationError(validate.errors ?? [], 'input');
}
