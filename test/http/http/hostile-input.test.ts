import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/core/config.js';
import { createContext } from '../../../src/core/context.js';
import { migrateToLatest } from '../../../src/db/migrate.js';
import { md5Hex } from '../../../src/core/secrets.js';
import { DEFAULT_MAX_JSON_DEPTH, jsonDepth } from '../../../src/http/json-parser.js';
import { ErrorCatalogue } from '../../../src/core/errors.js';
import { TEST_STORE, type TestApp, useTestApp } from '../../helpers/app.js';
import { basicAuth, newLead, newOrg, send, unique } from '../../helpers/factories.js';
import { assertError, codeOf, orgSnapshot } from '../../helpers/fixtures.js';

/**
 * Hostile input: JSON nesting bombs, oversized bodies and pages, request schemas without caps,
 * and credentials in the logs.
 */

/** `[[[...]]]` nested `depth` deep. */
function arrayBomb(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** `{"a":{"a":...{}}}` nested `depth` deep. */
function objectBomb(depth: number): string {
  return '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
}

async function raw(
  t: TestApp,
  headers: Record<string, string>,
  method: 'POST' | 'PUT',
  url: string,
  payload: string,
) {
  const response = await t.app.inject({
    method,
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload,
  });
  let body: any;
  try {
    body = response.json();
  } catch {
    body = undefined;
  }
  return { status: response.statusCode, headers: response.headers, body, raw: response.body };
}

describe('hostile input', () => {
  const t = useTestApp();

  describe('JSON depth', () => {
    it('measures depth without recursion', () => {
      assert.equal(jsonDepth(1), 0);
      assert.equal(jsonDepth('x'), 0);
      assert.equal(jsonDepth(null), 0);
      assert.equal(jsonDepth([]), 1);
      assert.equal(jsonDepth({ a: [1, { b: 2 }] }), 3);
      assert.equal(jsonDepth([[], [[[]]], {}]), 4);
      assert.equal(jsonDepth(JSON.parse(arrayBomb(200_000))), 200_000);
      assert.equal(jsonDepth(JSON.parse(arrayBomb(200_000)), 32), 33, 'stops past the limit');
    });

    it('answers a 100 000-deep bomb with 400 JSON_TOO_DEEP on every body route, and changes nothing', async () => {
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till);
      const before = await orgSnapshot(t.app, t.ctx, o.till);
      const bombs = [arrayBomb(100_000), objectBomb(40_000), `{"leadFor":${arrayBomb(100_000)}}`];
      for (const bomb of bombs) {
        assert.ok(bomb.length < t.config.bodyLimitBytes, 'within the body limit');
        for (const [method, url, who] of [
          ['POST', '/v2/leads', o.till],
          ['PUT', `/v2/leads/${lead.id}`, o.till],
          ['PUT', `/v2/leads/${lead.id}/status`, o.till],
          ['POST', `/v2/leads/${lead.id}/followup`, o.till],
          ['POST', '/v2/leads/reasons', o.till],
          ['POST', '/v2/leads/substatus', o.admin],
          ['PUT', '/v2/admin/settings', o.admin],
          ['POST', '/v2/admin/entities', o.admin],
        ] as const) {
          const response = await raw(t, who.headers, method, url, bomb);
          assertError(response, 400, 'JSON_TOO_DEEP', String(DEFAULT_MAX_JSON_DEPTH));
        }
        const open = await raw(t, {}, 'POST', '/v3/oauth/token/generate', bomb);
        assertError(open, 400, 'JSON_TOO_DEEP', 'deeper');
      }
      assert.deepEqual(await orgSnapshot(t.app, t.ctx, o.till), before);
      // The server is still healthy afterwards.
      assert.equal((await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`)).status, 200);
    });

    it('accepts exactly the limit and refuses one level more', async () => {
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till);
      // The body object is level 1, extendedFields level 2, then arrays down to the limit.
      const nested = (levels: number) => JSON.parse(arrayBomb(levels)) as unknown;
      const atLimit = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}`, {
        extendedFields: { deep: nested(DEFAULT_MAX_JSON_DEPTH - 2) },
      });
      assertError(atLimit, 400, 'FIELD_INVALID_TYPE', 'extendedFields.deep');
      const tooDeep = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}`, {
        extendedFields: { deep: nested(DEFAULT_MAX_JSON_DEPTH - 1) },
      });
      assertError(tooDeep, 400, 'JSON_TOO_DEEP', String(DEFAULT_MAX_JSON_DEPTH));
      // Brackets inside a string are text, not nesting.
      const inString = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}`, {
        extendedFields: { note: arrayBomb(400) },
      });
      assert.equal(inString.status, 200, inString.raw);
      assert.equal(inString.body.extendedFields.note, arrayBomb(400));
    });

    it('keeps the default parser’s rules: credentials first, poisoning, syntax, empty, charset', async () => {
      const o = await newOrg(t.ctx);
      const anonymous = await raw(t, {}, 'POST', '/v2/leads', arrayBomb(100_000));
      assert.equal(anonymous.status, 401, anonymous.raw);
      for (const payload of [
        '{"leadFor":"x","__proto__":{"admin":true}}',
        '{"leadFor":"x","constructor":{"prototype":{"admin":true}}}',
      ]) {
        // Valid JSON, refused for its key, and said so.
        const response = await raw(t, o.till.headers, 'POST', '/v2/leads', payload);
        assertError(response, 400, 'FIELD_INVALID_VALUE', '__proto__');
      }
      for (const payload of ['{"leadFor":', '[' + '['.repeat(50)]) {
        const response = await raw(t, o.till.headers, 'POST', '/v2/leads', payload);
        assertError(response, 400, 'MALFORMED_JSON', 'JSON');
      }
      const empty = await raw(t, o.till.headers, 'POST', '/v2/leads', '');
      assertError(empty, 400, 'MALFORMED_JSON', 'empty');
      const charset = await t.app.inject({
        method: 'POST',
        url: '/v2/leads',
        headers: { ...o.till.headers, 'content-type': 'application/json; charset=utf-8' },
        payload: JSON.stringify({
          leadFor: 'X',
          idType: 'EMAIL',
          identifier: `${unique('c')}@example.com`,
        }),
      });
      assert.equal(charset.statusCode, 200, charset.body);
      const text = await t.app.inject({
        method: 'POST',
        url: '/v2/leads',
        headers: { ...o.till.headers, 'content-type': 'text/plain' },
        payload: '{"leadFor":"X"}',
      });
      assert.equal(text.statusCode, 415, text.body);
    });
  });

  describe('NUL characters', () => {
    it('refuses a NUL in a path parameter with 400 on both stores (PostgreSQL cannot query it)', async () => {
      const o = await newOrg(t.ctx);
      const cases: Array<['PUT', string, unknown, string]> = [
        ['PUT', '/v2/admin/oauthClients/%00', { revoked: true }, 'key'],
        ['PUT', '/v2/admin/oauthClients/ll_%00x', { revoked: true }, 'key'],
        ['PUT', '/v2/admin/entities/%00', { disabled: false }, 'code'],
        ['PUT', `/v2/admin/entities/${o.associate.code}%00`, { disabled: true }, 'code'],
      ];
      for (const [method, url, body, field] of cases) {
        const response = await send(t.app, o.admin, method, url, body);
        assertError(response, 400, 'FIELD_INVALID_VALUE', field);
        assert.match(response.body.errors[0].message, /NUL/);
      }
      // This route checks the field name itself, first: a NUL names no field (404, not 500).
      const field = await send(
        t.app,
        o.admin,
        'PUT',
        '/v2/admin/extendedFields/LEAD/colour%00/translations/hi',
        { label: 'x' },
      );
      assertError(field, 404, 'FIELD_NOT_FOUND', 'colour');
      const entities = await send(t.app, o.admin, 'GET', '/v2/admin/entities?limit=1000');
      const associate = entities.body.data.find((e: any) => e.code === o.associate.code);
      assert.equal(associate.disabled, false, 'nothing changed');
    });
  });

  describe('caps', () => {
    it('answers a body over the limit with 413 and a page over 1000 with 400', async () => {
      const o = await newOrg(t.ctx);
      const big = JSON.stringify({ leadFor: 'x'.repeat(t.config.bodyLimitBytes) });
      const response = await raw(t, o.till.headers, 'POST', '/v2/leads', big);
      assertError(response, 413, 'PAYLOAD_TOO_LARGE', 'must be at most');
      assertError(
        await send(t.app, o.till, 'GET', '/v2/leads?limit=1001'),
        400,
        'FIELD_INVALID_VALUE',
        'limit',
      );
      assert.equal((await send(t.app, o.till, 'GET', '/v2/leads?limit=1000')).status, 200);
    });

    it('every request schema caps its strings, arrays and open objects', () => {
      const doc = t.app.swagger() as {
        paths: Record<string, Record<string, any>>;
        components?: { schemas?: Record<string, unknown> };
      };
      const problems: string[] = [];
      const resolve = (node: any): any => {
        if (node && typeof node.$ref === 'string') {
          const name = node.$ref.split('/').pop() as string;
          return doc.components?.schemas?.[name];
        }
        return node;
      };
      /** A `pattern` anchored at both ends with no unbounded repetition bounds a string too. */
      const boundedPattern = (pattern: unknown) =>
        typeof pattern === 'string' &&
        pattern.startsWith('^') &&
        pattern.endsWith('$') &&
        !/[*+]|\{\d+,\}/.test(pattern.replace(/\\./g, ''));
      const walk = (node: any, where: string): void => {
        node = resolve(node);
        if (node === null || typeof node !== 'object') return;
        const types = ([] as unknown[]).concat(node.type ?? []);
        if (
          types.includes('string') &&
          node.maxLength === undefined &&
          node.enum === undefined &&
          node.const === undefined &&
          !boundedPattern(node.pattern)
        ) {
          problems.push(`${where}: string without maxLength`);
        }
        if (types.includes('array') && node.maxItems === undefined) {
          problems.push(`${where}: array without maxItems`);
        }
        const open = node.additionalProperties !== undefined && node.additionalProperties !== false;
        if (open && node.maxProperties === undefined) {
          problems.push(`${where}: open object without maxProperties`);
        }
        if (node.patternProperties !== undefined && node.maxProperties === undefined) {
          problems.push(`${where}: patternProperties without maxProperties`);
        }
        for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
          walk(child, `${where}.${key}`);
        }
        if (typeof node.additionalProperties === 'object') {
          walk(node.additionalProperties, `${where}.*`);
        }
        for (const child of Object.values<any>(node.patternProperties ?? {})) {
          walk(child, `${where}.*`);
        }
        if (node.items) walk(node.items, `${where}[]`);
        for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
          (node[key] ?? []).forEach((child: unknown, i: number) =>
            walk(child, `${where}<${key}${i}>`),
          );
        }
      };
      let checked = 0;
      for (const [route, operations] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(operations)) {
          const label = `${method.toUpperCase()} ${route}`;
          for (const parameter of op.parameters ?? []) {
            walk(parameter.schema, `${label} ${parameter.in}:${parameter.name}`);
            checked += 1;
          }
          for (const [type, content] of Object.entries<any>(op.requestBody?.content ?? {})) {
            walk(content.schema, `${label} body(${type})`);
            checked += 1;
          }
        }
      }
      assert.ok(checked > 30, `walked ${checked} request parts`);
      assert.deepEqual(problems, []);
    });
  });
});

describe('credentials and secrets never reach the logs', () => {
  it('logs nothing of a Basic header, an MD5, a password, an OAuth secret or a token', async () => {
    const lines: string[] = [];
    const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-test-'));
    const databaseUrl =
      TEST_STORE === 'postgres' ? process.env.LEADLINE_TEST_DATABASE_URL : undefined;
    const config = loadConfig({
      DATA_DIR: dataDir,
      PG_POOL_SIZE: '2',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    });
    const ctx = createContext(config);
    await migrateToLatest(ctx.store);
    const app = await buildApp(ctx, {
      logger: { level: 'trace', stream: { write: (line: string) => void lines.push(line) } },
    });
    await app.ready();
    try {
      const o = await newOrg(ctx);
      const secrets: string[] = [o.till.password, md5Hex(o.till.password)];
      const header = o.till.headers.authorization as string;
      secrets.push(header, header.slice('Basic '.length));

      const client = await send(app, o.admin, 'POST', '/v2/admin/oauthClients', {
        entity: o.till.code,
      });
      assert.equal(client.status, 200, client.raw);
      const { key, secret } = client.body as { key: string; secret: string };
      secrets.push(secret);
      const token = await send(app, undefined, 'POST', '/v3/oauth/token/generate', {
        key,
        secret,
      });
      assert.equal(token.status, 200, token.raw);
      const accessToken = token.body.data.accessToken as string;
      secrets.push(accessToken);
      const asToken = { headers: { 'x-cap-api-oauth-token': accessToken } };

      // Successes, failures and malformed requests, each carrying a secret somewhere.
      assert.equal((await send(app, o.till, 'GET', '/v2/leads')).status, 200);
      assert.equal((await send(app, asToken, 'GET', '/v2/leads')).status, 200);
      const wrongPassword = `pw-wrong-${unique('x')}`;
      secrets.push(wrongPassword, md5Hex(wrongPassword));
      const wrong = { headers: { authorization: basicAuth(o.till.code, wrongPassword) } };
      secrets.push(wrong.headers.authorization);
      assert.equal((await send(app, wrong, 'GET', '/v2/leads')).status, 401);
      const badToken = `tok-${unique('bad')}`;
      secrets.push(badToken);
      assert.equal(
        (await send(app, { headers: { 'x-cap-api-oauth-token': badToken } }, 'GET', '/v2/leads'))
          .status,
        401,
      );
      const wrongSecret = `${secret}-nope`;
      assert.equal(
        (
          await send(app, undefined, 'POST', '/v3/oauth/token/generate', {
            key,
            secret: wrongSecret,
          })
        ).status,
        401,
      );
      const newPassword = `pw-new-${unique('p')}`;
      secrets.push(newPassword);
      const added = await send(app, o.admin, 'POST', '/v2/admin/entities', {
        type: 'ASSOCIATE',
        code: unique('assoc'),
        parent: o.store.code,
        password: newPassword,
      });
      assert.equal(added.status, 200, added.raw);
      const rotated = `pw-rot-${unique('p')}`;
      secrets.push(rotated);
      const rotate = await send(app, o.admin, 'PUT', `/v2/admin/entities/${o.associate.code}`, {
        password: rotated,
      });
      assert.equal(rotate.status, 200, rotate.raw);
      for (const payload of [`{"key":"${key}","secret":"${secret}"`, `{"secret":"${secret}"}`]) {
        const response = await app.inject({
          method: 'POST',
          url: '/v3/oauth/token/generate',
          headers: { 'content-type': 'application/json' },
          payload,
        });
        assert.equal(response.statusCode < 500, true, response.body);
      }
      const deep = await app.inject({
        method: 'POST',
        url: '/v2/leads',
        headers: { ...o.till.headers, 'content-type': 'application/json' },
        payload: arrayBomb(100_000),
      });
      assert.equal(deep.statusCode, 400);
      const tooBig = await app.inject({
        method: 'POST',
        url: '/v3/oauth/token/generate',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ key, secret, pad: 'x'.repeat(config.bodyLimitBytes) }),
      });
      assert.equal(tooBig.statusCode, 413);

      const log = lines.join('');
      assert.ok(lines.length > 10, `the logger wrote (${lines.length} lines)`);
      assert.match(log, /incoming request/);
      for (const value of secrets) {
        assert.equal(log.includes(value), false, `a secret (${value.slice(0, 6)}…) is in the log`);
      }
      assert.equal(/authorization"\s*:\s*"Basic/i.test(log), false);
    } finally {
      await app.close();
      await ctx.store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the error catalogue', () => {
  it('gives every entry its own code (entries are added concurrently)', () => {
    const codes = Object.values(ErrorCatalogue).map((entry) => entry.code);
    const duplicates = codes.filter((code, i) => codes.indexOf(code) !== i);
    assert.deepEqual(duplicates, []);
    assert.equal(codeOf('JSON_TOO_DEEP'), 1030);
  });
});
