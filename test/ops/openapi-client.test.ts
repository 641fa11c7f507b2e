import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import openapiTS, { astToString } from 'openapi-typescript';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newOrg, send, type TestOrg } from '../helpers/factories.js';
import { addReason, codeOf } from '../helpers/fixtures.js';

/**
 * A client generated from the published document with openapi-typescript and driven through
 * openapi-fetch, as a third party would: the flow below must type-check against the generated
 * types (operation ids, optional paging, typed headers) and then run against a listening server.
 */

/** Uses the generated types the way a client does; compiled with tsc, then run. */
const FLOW = `
import createClient from 'openapi-fetch';
import type { components, operations, paths } from './leadline-api.js';

export type Lead = components['schemas']['Lead'];
export type FollowUp = components['schemas']['FollowUp'];
export type StatusLogEntry = components['schemas']['StatusLogEntry'];
export type AddLeadBody = NonNullable<operations['addLead']['requestBody']>['content']['application/json'];

export async function flow(baseUrl: string, authorization: string, reasonId: number, email: string) {
  const client = createClient<paths>({ baseUrl, headers: { authorization } });
  const body: AddLeadBody = { leadFor: 'JKT-0192-M', idType: 'EMAIL', identifier: email };
  const created = await client.POST('/v2/leads', {
    body,
    params: { header: { 'Idempotency-Key': 'typed-client-' + email } },
  });
  if (!created.data) throw new Error('addLead answered ' + created.response.status);
  const etag = created.response.headers.get('etag') ?? '';
  const id: number = created.data.id;
  const changed = await client.PUT('/v2/leads/{id}/status', {
    params: { path: { id }, header: { 'If-Match': etag } },
    body: { status: 'ON_HOLD', reasonId },
  });
  const stale = await client.PUT('/v2/leads/{id}/status', {
    params: { path: { id }, header: { 'If-Match': etag } },
    body: { status: 'LOST', reasonId },
  });
  const log = await client.GET('/v2/leads/{id}/statusLog', { params: { path: { id } } });
  const listed = await client.GET('/v2/leads');
  const entries: StatusLogEntry[] = log.data?.data ?? [];
  return {
    created: created.data,
    changedStatus: changed.data?.status,
    staleStatus: stale.response.status,
    staleCode: stale.error?.errors[0]?.code,
    logStatuses: entries.map((entry) => entry.status),
    listedIds: (listed.data?.data ?? []).map((lead: Lead) => lead.id),
  };
}
`;

/** What the generated types must refuse. */
const MISUSE = `
import createClient from 'openapi-fetch';
import type { paths } from './leadline-api.js';

const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:1' });
export const badLimit = client.GET('/v2/leads', { params: { query: { limit: 'ten' } } });
export const badStatus = client.PUT('/v2/leads/{id}/status', {
  params: { path: { id: 1 } },
  body: { status: 'SOLD', reasonId: 1 },
});
export const noPath = client.GET('/v2/lead');
`;

const root = process.cwd();

function tsc(dir: string, files: string[], emit: boolean) {
  return spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/typescript/bin/tsc'),
      '--ignoreConfig',
      '--strict',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--skipLibCheck',
      ...(emit ? [] : ['--noEmit']),
      ...files,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
}

describe('a typed client generated from /openapi.json', () => {
  let t: TestApp;
  let o: TestOrg;
  let dir: string;
  let baseUrl: string;

  before(async () => {
    t = await createTestApp();
    o = await newOrg(t.ctx);
    // Under the repository, so the generated client resolves openapi-fetch from node_modules.
    mkdirSync(path.join(root, '.tmp'), { recursive: true });
    dir = mkdtempSync(path.join(root, '.tmp', 'openapi-client-'));
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    const doc = (await send(t.app, undefined, 'GET', '/openapi.json')).body;
    writeFileSync(path.join(dir, 'leadline-api.ts'), astToString(await openapiTS(doc)));
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('type-checks a create → status change → status log flow and runs it', async () => {
    writeFileSync(path.join(dir, 'flow.ts'), FLOW);
    const compiled = tsc(dir, ['flow.ts'], true);
    assert.equal(compiled.status, 0, `tsc: ${compiled.stdout}${compiled.stderr}`);

    const reasonId = await addReason(t.app, o.admin, 'Size on order');
    const { flow } = (await import(pathToFileURL(path.join(dir, 'flow.js')).href)) as {
      flow: (...args: unknown[]) => Promise<Record<string, any>>;
    };
    const email = `typed-${Date.now()}@example.com`;
    const result = await flow(baseUrl, o.till.headers.authorization, reasonId, email);

    assert.equal(result.created.status, 'OPEN');
    assert.equal(result.created.leadFor, 'JKT-0192-M');
    assert.equal(result.changedStatus, 'ON_HOLD');
    // The ETag of the created lead is stale after the change: the typed error body says why.
    assert.equal(result.staleStatus, 412);
    assert.equal(result.staleCode, codeOf('PRECONDITION_FAILED'));
    assert.equal(result.logStatuses.at(-1), 'ON_HOLD');
    // GET /v2/leads without limit or offset: the defaults apply.
    assert.ok(result.listedIds.includes(result.created.id));
  });

  it('refuses, at compile time, a wrong query type, an unknown status and an unknown path', () => {
    writeFileSync(path.join(dir, 'misuse.ts'), MISUSE);
    const checked = tsc(dir, ['misuse.ts'], false);
    assert.notEqual(checked.status, 0);
    const errorLines = new Set(
      [...checked.stdout.matchAll(/misuse\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])),
    );
    const lineOf = (text: string) => MISUSE.split('\n').findIndex((l) => l.includes(text)) + 1;
    for (const text of ["limit: 'ten'", "status: 'SOLD'", "'/v2/lead'"]) {
      assert.ok(errorLines.has(lineOf(text)), `no type error for ${text}:\n${checked.stdout}`);
    }
  });
});
