/**
 * JSON text with object keys sorted at every level, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are
 * one text: what two bodies are compared by when they must mean the same (idempotent retries).
 * Array order is kept (it means something); `undefined` reads as null, as in JSON.
 *
 * @example canonicalJson({ b: [2, 1], a: { d: 1, c: null } }) // '{"a":{"c":null,"d":1},"b":[2,1]}'
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
