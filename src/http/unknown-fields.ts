import { envelopeItem, type EnvelopeItem } from '../core/errors.js';

type SchemaNode = {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: unknown;
  items?: SchemaNode;
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Removes from `value` every object key its schema does not declare, and returns one
 * UNKNOWN_FIELD_IGNORED warning per removed key: the contract says unknown fields are ignored,
 * never stored, and reported. Objects declared open (with `additionalProperties`, such as
 * `extendedFields`) are left alone.
 *
 * @example stripUnknownFields({ leadFor: 'x', colour: 'red' }, LeadCreateBody) // warns on colour
 */
export function stripUnknownFields(value: unknown, schema: unknown, path = ''): EnvelopeItem[] {
  const warnings: EnvelopeItem[] = [];
  walk(value, schema as SchemaNode, path, warnings);
  return warnings;
}

function walk(value: unknown, schema: SchemaNode, path: string, warnings: EnvelopeItem[]): void {
  if (schema.properties && isPlainObject(value)) {
    // An object whose extra keys have a schema of their own is open by design.
    if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return;
    for (const key of Object.keys(value)) {
      const field = path === '' ? key : `${path}.${key}`;
      const child = schema.properties[key];
      if (child === undefined) {
        delete value[key];
        warnings.push(envelopeItem('UNKNOWN_FIELD_IGNORED', `unknown field ${field} was ignored`));
      } else {
        walk(value[key], child, field, warnings);
      }
    }
    return;
  }
  if (schema.items && Array.isArray(value)) {
    value.forEach((item, index) =>
      walk(item, schema.items as SchemaNode, `${path}[${index}]`, warnings),
    );
  }
}
