import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.js';

/** How deep a JSON body may nest; the contract's deepest body needs 3 levels. */
export const DEFAULT_MAX_JSON_DEPTH = 32;

/**
 * The nesting depth of a parsed JSON value: a scalar is 0, `[]` and `{}` are 1, `[[1]]` is 2.
 * Iterative with an explicit stack, so a value nested 100 000 deep is measured, not a stack
 * overflow. Stops as soon as `limit` is exceeded.
 *
 * @example jsonDepth({ a: [1, { b: 2 }] }) // 3
 */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: Array<[node: unknown, depth: number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    const here = depth + 1;
    if (here > deepest) {
      deepest = here;
      if (deepest > limit) return deepest;
    }
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, here]);
    }
  }
  return deepest;
}

/**
 * Replaces Fastify's JSON body parser with the same parser (secure-json-parse, refusing
 * `__proto__` and `constructor.prototype` keys, 400 on bad syntax or an empty body) followed by a
 * depth cap: a body nested deeper than `maxDepth` is 400 `JSON_TOO_DEEP`, before any recursive
 * code (unknown fields, NUL check, Ajv) walks it.
 *
 * @example installJsonParser(app, { maxDepth: 32 });
 */
export function installJsonParser(app: FastifyInstance, options: { maxDepth?: number } = {}): void {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // The default parser answers through `done`; its return value is nothing to wait for.
    void parse(request, body as string, (error, value) => {
      if (error) return done(prototypeKeyError(error, body as string) ?? error, undefined);
      if (jsonDepth(value, maxDepth) > maxDepth) {
        return done(
          AppError.of('JSON_TOO_DEEP', `the body nests deeper than ${maxDepth} levels`),
          undefined,
        );
      }
      return done(null, value);
    });
  });
}

/**
 * The default parser refuses `__proto__` and `constructor.prototype` keys with the same error as
 * broken JSON. When the text is valid JSON, the key is what it refused: say so.
 */
function prototypeKeyError(error: Error, body: string): AppError | undefined {
  if ((error as { code?: string }).code !== 'FST_ERR_CTP_INVALID_JSON_BODY') return undefined;
  try {
    JSON.parse(body);
  } catch {
    return undefined;
  }
  return AppError.of(
    'FIELD_INVALID_VALUE',
    'body: the keys __proto__ and constructor.prototype are not accepted (no field of the API has such a name)',
  );
}
