import { CompiledQuery, type Compilable } from 'kysely';
import type { Db } from './database.js';

/** Stands for a parameter (or one element of an array parameter) while a query is compiled. */
class Placeholder {
  constructor(
    readonly key: string,
    readonly index: number | undefined,
  ) {}
}

type Template = { sql: string; parameters: readonly unknown[] };

/**
 * A query Kysely builds and compiles once per dialect (and per length of each array parameter),
 * after which a run only binds the new values. Building and compiling a query costs Kysely tens
 * of microseconds, an indexed read on SQLite about two, so the queries every request runs are
 * prepared this way (measured in docs/benchmarks.md).
 *
 * `build` receives stand-ins for the parameters and must pass them to Kysely as values only:
 * never branch on them. What the query's shape does depend on is part of the template's key:
 * which parameters are present (an undefined one is absent, and `build` may test for it) and the
 * values of the `structural` parameters (a sort column, a direction), which `build` receives as
 * they are. Compiling checks that every stand-in ended up as a bound parameter.
 *
 * @example
 * const findLead = preparedQuery((db, p: { orgId: number; id: number }) =>
 *   db.selectFrom('leads').selectAll().where('org_id', '=', p.orgId).where('id', '=', p.id));
 * const rows = await findLead(trx, { orgId, id });
 */
export function preparedQuery<P extends Record<string, unknown>, O>(
  build: (db: Db, params: P) => Compilable<O>,
  options: { structural?: ReadonlyArray<keyof P & string> } = {},
): (db: Db, params: P) => Promise<O[]> {
  const templates = new Map<string, Template>();
  const structural = new Set<string>(options.structural ?? []);
  return async (db, params) => {
    const key = templateKey(db, params, structural);
    let template = templates.get(key);
    if (!template) {
      template = compileTemplate(db, params, structural, build);
      templates.set(key, template);
    }
    const parameters = template.parameters.map((value) =>
      value instanceof Placeholder ? valueOf(params, value) : value,
    );
    const result = await db.executeQuery<O>(CompiledQuery.raw(template.sql, parameters));
    return result.rows;
  };
}

/**
 * The dialect (its adapter's class), the parameters present, the length of each array one and
 * the value of each structural one.
 */
function templateKey(db: Db, params: Record<string, unknown>, structural: Set<string>): string {
  let key = db.getExecutor().adapter.constructor.name;
  for (const name in params) {
    const value = params[name];
    if (value === undefined) continue;
    if (structural.has(name)) key += `|${name}=${JSON.stringify(value)}`;
    else if (Array.isArray(value)) key += `|${name}:${value.length}`;
    else key += `|${name}`;
  }
  return key;
}

function valueOf(params: Record<string, unknown>, placeholder: Placeholder): unknown {
  const value = params[placeholder.key];
  return placeholder.index === undefined ? value : (value as unknown[])[placeholder.index];
}

function compileTemplate<P extends Record<string, unknown>, O>(
  db: Db,
  params: P,
  structural: Set<string>,
  build: (db: Db, params: P) => Compilable<O>,
): Template {
  const standIns: Record<string, unknown> = {};
  let count = 0;
  for (const name in params) {
    const value = params[name];
    if (value === undefined) continue;
    if (structural.has(name)) {
      standIns[name] = value;
    } else if (Array.isArray(value)) {
      standIns[name] = value.map((_, i) => new Placeholder(name, i));
      count += value.length;
    } else {
      standIns[name] = new Placeholder(name, undefined);
      count += 1;
    }
  }
  const compiled = build(db, standIns as P).compile();
  const bound = new Set(compiled.parameters.filter((value) => value instanceof Placeholder));
  if (bound.size !== count) {
    throw new Error(
      `prepared query binds ${bound.size} of its ${count} parameters: ${compiled.sql}`,
    );
  }
  return { sql: compiled.sql, parameters: compiled.parameters };
}
