import type { ErrorName } from './errors.js';

/**
 * Half of a UTF-16 surrogate pair without its other half: valid in a JSON string escape, but not
 * a character. SQLite would store it as U+FFFD and PostgreSQL refuse it, so it is refused here
 * on both stores alike.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Finds NUL characters and lone surrogates in a parsed body or query. PostgreSQL cannot store U+0000 in text, and no
 * field of the contract has a use for it, so it is refused on both stores alike rather than
 * accepted by one and a 500 on the other.
 *
 * @example findNulCharacters({ leadFor: 'a\u0000' }, 'body') // [{ name: 'FIELD_INVALID_VALUE', ... }]
 */
export function findNulCharacters(
  value: unknown,
  part: string,
): Array<{ name: ErrorName; message: string }> {
  const found: Array<{ name: ErrorName; message: string }> = [];
  const visit = (node: unknown, path: string) => {
    if (typeof node === 'string') {
      if (node.includes('\u0000')) {
        found.push({
          name: 'FIELD_INVALID_VALUE',
          message: `${path || part} must not contain NUL characters`,
        });
      } else if (LONE_SURROGATE.test(node)) {
        found.push({
          name: 'FIELD_INVALID_VALUE',
          message: `${path || part} must be valid Unicode text: it has half of a surrogate pair (a \\ud800-\\udfff escape without its partner)`,
        });
      }
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, `${path}[${index}]`));
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        const field = path === '' ? key : `${path}.${key}`;
        if (key.includes('\u0000') || LONE_SURROGATE.test(key)) {
          found.push({
            name: 'FIELD_INVALID_VALUE',
            message: `a field name in ${path || part} contains NUL characters or half of a surrogate pair`,
          });
        } else {
          visit(child, field);
        }
      }
    }
  };
  visit(value, '');
  return found;
}
