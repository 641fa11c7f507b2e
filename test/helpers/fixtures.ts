import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../../src/core/context.js';
import { ErrorCatalogue, type ErrorName } from '../../src/core/errors.js';
import { send } from './factories.js';

/**
 * Shared pieces of the lead suites: catalogue codes, error assertions, reasons, sub-statuses,
 * list look-ups and snapshots for "bad input changes nothing".
 */

type Who = { headers: Record<string, string> };
type Response = Awaited<ReturnType<typeof send>>;

/** The stable code of a catalogue entry. */
export function codeOf(name: ErrorName): number {
  return ErrorCatalogue[name].code;
}

/** An id no row of any kind ever gets in a test run. */
export const NEVER_ID = Number.MAX_SAFE_INTEGER;

/** UTC, `Z`, to the second: the only shape a response date-time may have. */
export const UTC_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * Asserts an error envelope with exactly `expected` items (in any order): each has the
 * catalogue code, and its message names the field.
 */
export function assertErrors(
  response: Response,
  httpStatus: number,
  expected: Array<[name: ErrorName, field: string]>,
): void {
  assert.equal(response.status, httpStatus, response.raw);
  assert.equal(response.body?.data, null, response.raw);
  assert.ok(Array.isArray(response.body.warnings), response.raw);
  const errors = response.body.errors as Array<{ status: unknown; code: number; message: string }>;
  assert.equal(errors.length, expected.length, response.raw);
  const remaining = [...errors];
  for (const [name, field] of expected) {
    const index = remaining.findIndex(
      (e) => e.code === codeOf(name) && e.message.includes(field) && e.status === false,
    );
    assert.ok(index >= 0, `expected ${name} (${codeOf(name)}) naming ${field} in ${response.raw}`);
    remaining.splice(index, 1);
  }
}

/**
 * Asserts an error envelope with exactly `expected` items, each with its catalogue code and a
 * message matching its field pattern (in any order).
 */
export function assertErrorsMatching(
  response: Response,
  httpStatus: number,
  expected: Array<{ code: number; field: RegExp }>,
): void {
  assert.equal(response.status, httpStatus, response.raw);
  assert.equal(response.body?.data, null, response.raw);
  assert.ok(Array.isArray(response.body.warnings), response.raw);
  const errors = response.body.errors as Array<{ status: unknown; code: number; message: string }>;
  assert.equal(errors.length, expected.length, response.raw);
  for (const want of expected) {
    assert.ok(
      errors.some((e) => e.status === false && e.code === want.code && want.field.test(e.message)),
      `no error ${want.code} matching ${String(want.field)} in ${response.raw}`,
    );
  }
}

/** Asserts a single-item error envelope. */
export function assertError(
  response: Response,
  httpStatus: number,
  name: ErrorName,
  field: string,
): void {
  assertErrors(response, httpStatus, [[name, field]]);
}

/** The org's reasons as `{id, reason}`. */
export async function reasons(
  app: FastifyInstance,
  who: Who,
): Promise<Array<{ id: number; reason: string }>> {
  const response = await send(app, who, 'GET', '/v2/leads/reasons');
  assert.equal(response.status, 200, response.raw);
  return response.body.data;
}

/** The id of the org's reason `text` (e.g. APICALL). */
export async function reasonIdOf(app: FastifyInstance, who: Who, text: string): Promise<number> {
  const found = (await reasons(app, who)).find((r) => r.reason === text);
  assert.ok(found, `no reason ${text}`);
  return found.id;
}

/** Adds reason `text` to the caller's org and returns its id. */
export async function addReason(app: FastifyInstance, who: Who, text: string): Promise<number> {
  const response = await send(app, who, 'POST', '/v2/leads/reasons', [{ reason: text }]);
  assert.equal(response.status, 200, response.raw);
  const found = (response.body.data as Array<{ id: number; reason: string }>).find(
    (r) => r.reason === text,
  );
  assert.ok(found, response.raw);
  return found.id;
}

/** Configures sub-status `subStatus` of `status` in the caller's org. */
export async function addSubStatus(
  app: FastifyInstance,
  who: Who,
  status: string,
  subStatus: string,
): Promise<void> {
  const response = await send(app, who, 'POST', '/v2/leads/substatus', { status, subStatus });
  assert.equal(response.status, 200, response.raw);
}

/** GET /v2/leads with `query`, asserting 200 and the list envelope; returns the items. */
export async function list(app: FastifyInstance, who: Who, query = ''): Promise<any[]> {
  const response = await send(app, who, 'GET', `/v2/leads${query === '' ? '' : `?${query}`}`);
  assert.equal(response.status, 200, response.raw);
  assert.deepEqual(response.body.warnings, []);
  assert.deepEqual(response.body.errors, []);
  assert.ok(Array.isArray(response.body.data));
  return response.body.data;
}

/** The ids GET /v2/leads answers for `query`, in order. */
export async function listIds(app: FastifyInstance, who: Who, query = ''): Promise<number[]> {
  return (await list(app, who, query)).map((lead) => lead.id as number);
}

/** A single-lead response without its `warnings`: the lead as a list item carries it. */
export function withoutWarnings(lead: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...lead };
  delete copy.warnings;
  return copy;
}

/** GET /v2/leads/{id}, asserting 200. */
export async function getLead(app: FastifyInstance, who: Who, id: number): Promise<any> {
  const response = await send(app, who, 'GET', `/v2/leads/${id}`);
  assert.equal(response.status, 200, response.raw);
  return response.body;
}

/** The customers stored for org `orgId` (not visible through the API). */
export async function customerCount(ctx: AppContext, orgId: number): Promise<number> {
  const row = await ctx.store.db
    .selectFrom('customers')
    .select(sql<number>`count(*)`.as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Everything a caller's org holds that a lead request can change: every lead (DELETED too) with
 * its history, as the raw responses, and the number of customers.
 */
export async function orgSnapshot(
  app: FastifyInstance,
  ctx: AppContext,
  who: Who & { orgId: number },
): Promise<{ leads: string; deleted: string; customers: number }> {
  const leads = await send(app, who, 'GET', '/v2/leads?limit=1000');
  const deleted = await send(app, who, 'GET', '/v2/leads?limit=1000&status=DELETED');
  assert.equal(leads.status, 200, leads.raw);
  assert.equal(deleted.status, 200, deleted.raw);
  return { leads: leads.raw, deleted: deleted.raw, customers: await customerCount(ctx, who.orgId) };
}
