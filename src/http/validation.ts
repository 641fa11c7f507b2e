import { Ajv, type ErrorObject } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { AppError, type ErrorName } from './errors.js';
import { isDateTime } from './date-time.js';

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

function describe(error: ErrorObject, field: string): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${field} is required`;
    case 'type':
      return `${field} must be of type ${String(params.type)}`;
    case 'format':
      return `${field} must be an ISO 8601 date-time with an offset, e.g. 2026-03-02T17:45:00+05:30`;
    case 'enum':
      return `${field} must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${field} ${error.message ?? 'is invalid'}`;
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
