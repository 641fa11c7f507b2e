import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, unique, type TestOrg } from '../../helpers/factories.js';

type Raw = { status: number; headers: Record<string, unknown>; body: any; raw: string };

/** Sends any payload with any headers: for requests `send` cannot make (bad JSON, text/plain). */
async function inject(
  t: TestApp,
  method: InjectOptions['method'],
  url: string,
  options: { headers?: Record<string, string>; payload?: string | Buffer } = {},
): Promise<Raw> {
  const response = await t.app.inject({
    method,
    url,
    headers: options.headers ?? {},
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });
  let body: any;
  try {
    body = response.json();
  } catch {
    body = undefined;
  }
  return {
    status: response.statusCode,
    headers: response.headers,
    body,
    raw: response.body,
  };
}

/** The contract's error envelope with exactly one item of `code`. */
function assertError(response: Raw, status: number, code: number): void {
  assert.equal(
    response.status,
    status,
    `expected ${status}, got ${response.status}: ${response.raw}`,
  );
  assert.match(String(response.headers['content-type']), /^application\/json/);
  assert.equal(response.body?.data, null);
  assert.ok(Array.isArray(response.body.warnings));
  assert.ok(Array.isArray(response.body.errors) && response.body.errors.length >= 1);
  assert.equal(response.body.errors[0].status, false);
  assert.equal(response.body.errors[0].code, code, response.raw);
  assert.equal(typeof response.body.errors[0].message, 'string');
  assert.ok(response.body.errors[0].message.length > 0);
}

function allowOf(response: Raw): string[] {
  const header = response.headers.allow;
  return (typeof header === 'string' ? header : '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
}

const JSON_TYPE = { 'content-type': 'application/json' };
const TEXT_TYPE = { 'content-type': 'text/plain' };

/** Codes of the catalogue (docs/errors.md); any error answered must carry one of them. */
const KNOWN_CODES = new Set([
  1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1101, 1102, 1103, 1104, 1105, 1106, 1107,
  1108, 1109, 1201, 1030,
]);

/** Traces of internals that must never reach a client. */
const INTERNALS =
  /\bat [^\s]+ \(|node_modules|\/src\/|\.ts:\d+|SQLITE_|sqlite|postgres|\bselect\b.+\bfrom\b|\binsert into\b|syntax error at|violates|relation "|kysely|FST_[A-Z_]+|"stack"|TypeError|ReferenceError/i;

describe('HTTP conventions', () => {
  let t: TestApp;
  let o: TestOrg;
  before(async () => {
    t = await createTestApp();
    o = await newOrg(t.ctx);
  });
  after(async () => {
    await t.close();
  });

  async function reasons(org: TestOrg = o): Promise<string[]> {
    const response = await send(t.app, org.till, 'GET', '/v2/leads/reasons');
    assert.equal(response.status, 200);
    return response.body.data.map((r: any) => r.reason);
  }

  describe('unknown routes and methods come first', () => {
    it('answers 404 (1001) for an unknown route, with or without credentials', async () => {
      const requests: Array<[InjectOptions['method'], string]> = [
        ['GET', '/nope'],
        ['GET', '/v2'],
        ['GET', '/v1/leads'],
        ['GET', '/v2/lead'],
        ['GET', '/v2/leads/1/nothing'],
        ['POST', '/v2/leads/1/status/extra'],
        ['GET', '/v3/oauth/token'],
        ['DELETE', '/v2/unknown'],
      ];
      for (const [method, url] of requests) {
        assertError(await inject(t, method, url), 404, 1001);
        assertError(await inject(t, method, url, { headers: o.till.headers }), 404, 1001);
        // The route check runs before content type, size and JSON checks too.
        assertError(
          await inject(t, method, url, { headers: TEXT_TYPE, payload: 'not json' }),
          404,
          1001,
        );
      }
    });

    it('answers 405 (1002) with an Allow header for a known path and unsupported method, even without credentials', async () => {
      const cases: Array<[InjectOptions['method'], string, string[]]> = [
        ['DELETE', '/v2/leads/reasons', ['GET', 'POST']],
        ['PATCH', '/v2/leads/reasons', ['GET', 'POST']],
        ['DELETE', '/v2/leads', ['GET', 'POST']],
        ['PUT', '/v2/leads', ['GET', 'POST']],
        ['PATCH', '/v2/leads/12', ['GET', 'PUT']],
        ['DELETE', '/v2/leads/12', ['GET', 'PUT']],
        ['GET', '/v2/leads/12/status', ['PUT']],
        ['GET', '/v2/leads/12/followup', ['POST']],
        ['POST', '/v2/leads/12/followups', ['GET']],
        ['DELETE', '/v2/leads/12/statusLog', ['GET']],
        ['POST', '/v2/leads/substatuses', ['GET']],
        ['GET', '/v3/oauth/token/generate', ['POST']],
      ];
      for (const [method, url, expected] of cases) {
        for (const request of [
          {},
          { headers: TEXT_TYPE, payload: 'not json' },
          { headers: { ...JSON_TYPE, authorization: 'Basic garbage' }, payload: '{"a":1}' },
        ]) {
          const response = await inject(t, method, url, request);
          assertError(response, 405, 1002);
          const allow = allowOf(response);
          for (const m of expected)
            assert.ok(allow.includes(m), `${method} ${url}: Allow ${allow.join(', ')}`);
          assert.ok(!allow.includes(String(method)), `${method} ${url}: Allow lists ${method}`);
        }
      }
    });

    it('treats the literal paths as routes, not lead ids: a wrong method there is a 405', async () => {
      // `substatus`, `reasons`, `substatuses` are not ids (ids are positive integers), so these
      // paths exist with their documented methods only.
      const cases: Array<[InjectOptions['method'], string, string[]]> = [
        ['GET', '/v2/leads/substatus', ['POST']],
        ['PUT', '/v2/leads/reasons', ['GET', 'POST']],
        ['PUT', '/v2/leads/substatuses', ['GET']],
        ['PUT', '/v2/leads/substatus', ['POST']],
      ];
      for (const [method, url, expected] of cases) {
        const response = await inject(t, method, url, {
          headers: { ...o.admin.headers, ...JSON_TYPE },
          payload: '{"owner": null}',
        });
        assertError(response, 405, 1002);
        const allow = allowOf(response).filter((m) => m !== 'HEAD');
        assert.deepEqual(allow.sort(), expected, `${method} ${url}: Allow ${allow.join(', ')}`);
      }
    });

    it('answers 404 and 405 before looking at JSON syntax or size', async () => {
      const bad = { headers: JSON_TYPE, payload: '{"reason": ' };
      assertError(await inject(t, 'POST', '/v2/nope', bad), 404, 1001);
      assertError(await inject(t, 'DELETE', '/v2/leads/reasons', bad), 405, 1002);
      assertError(await inject(t, 'PATCH', '/v2/leads/12', bad), 405, 1002);
      const empty = { headers: JSON_TYPE, payload: '' };
      assertError(await inject(t, 'POST', '/v2/nope', empty), 404, 1001);
      assertError(await inject(t, 'DELETE', '/v2/leads/reasons', empty), 405, 1002);
      const huge = { headers: JSON_TYPE, payload: JSON.stringify({ x: 'x'.repeat(400_000) }) };
      assertError(await inject(t, 'POST', '/v2/nope', huge), 404, 1001);
      assertError(await inject(t, 'DELETE', '/v2/leads/reasons', huge), 405, 1002);
    });
  });

  describe('credentials come before content type, size and JSON', () => {
    it('answers 401 to a request without credentials whatever its body', async () => {
      const bodies: Array<{ headers: Record<string, string>; payload?: string }> = [
        { headers: TEXT_TYPE, payload: 'hello' },
        { headers: { 'content-type': 'application/xml' }, payload: '<reason/>' },
        { headers: JSON_TYPE, payload: '[{"reason": ' },
        { headers: JSON_TYPE, payload: '' },
        { headers: JSON_TYPE, payload: JSON.stringify([{ reason: 'x'.repeat(400_000) }]) },
      ];
      for (const request of bodies) {
        assertError(await inject(t, 'POST', '/v2/leads/reasons', request), 401, 1003);
        assertError(
          await inject(t, 'POST', '/v2/leads/reasons', {
            ...request,
            headers: { ...request.headers, authorization: 'Basic d3Jvbmc6d3Jvbmc=' },
          }),
          401,
          1003,
        );
        assertError(await inject(t, 'PUT', '/v2/leads/999999999/status', request), 401, 1003);
      }
      assert.ok(!(await reasons()).includes('x'.repeat(400_000)));
    });
  });

  describe('content type, size and JSON syntax', () => {
    it('answers 415 (1005) to a body that is not JSON, and adds nothing', async () => {
      const before = await reasons();
      const types = [
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ];
      for (const type of types) {
        const response = await inject(t, 'POST', '/v2/leads/reasons', {
          headers: { ...o.admin.headers, 'content-type': type },
          payload: JSON.stringify([{ reason: 'Sent as text' }]),
        });
        assertError(response, 415, 1005);
      }
      // A body with no content type at all is not JSON either.
      assertError(
        await inject(t, 'POST', '/v2/leads/reasons', {
          headers: o.admin.headers,
          payload: JSON.stringify([{ reason: 'Sent as text' }]),
        }),
        415,
        1005,
      );
      // The token route checks it too.
      assertError(
        await inject(t, 'POST', '/v3/oauth/token/generate', {
          headers: TEXT_TYPE,
          payload: '{"key":"a","secret":"b"}',
        }),
        415,
        1005,
      );
      assert.deepEqual(await reasons(), before);
    });

    it('accepts application/json with a charset', async () => {
      const response = await inject(t, 'POST', '/v2/leads/reasons', {
        headers: { ...o.admin.headers, 'content-type': 'application/json; charset=utf-8' },
        payload: JSON.stringify([{ reason: 'With charset' }]),
      });
      assert.equal(response.status, 200, response.raw);
      assert.ok((await reasons()).includes('With charset'));
    });

    it('answers 400 (1007) to malformed or empty JSON, and adds nothing', async () => {
      const before = await reasons();
      for (const payload of [
        '[{"reason": ',
        '[{"reason": "a",}]',
        "[{'reason': 'a'}]",
        'undefined',
        '',
      ]) {
        const response = await inject(t, 'POST', '/v2/leads/reasons', {
          headers: { ...o.admin.headers, ...JSON_TYPE },
          payload,
        });
        assertError(response, 400, 1007);
        assert.equal(response.body.errors.length, 1);
      }
      assert.deepEqual(await reasons(), before);
    });

    it('checks the content type before the JSON syntax', async () => {
      assertError(
        await inject(t, 'POST', '/v2/leads/reasons', {
          headers: { ...o.admin.headers, ...TEXT_TYPE },
          payload: '[{"reason": ',
        }),
        415,
        1005,
      );
    });
  });

  describe('the path’s id comes after JSON syntax and before the body', () => {
    it('answers 404 (1201) for an unknown lead id even when the body is bad', async () => {
      const bad = { status: 'NOPE', reasonId: 'x', createdOn: 'yesterday' };
      for (const id of ['999999999', '0', '00', '99999999999999999999']) {
        const status = await send(t.app, o.till, 'PUT', `/v2/leads/${id}/status`, bad);
        assertError(status, 404, 1201);
        assert.equal(status.body.errors.length, 1);
        // The message names the id as sent, not as a number coerced from it.
        assert.equal(status.body.errors[0].message, `lead ${id} does not exist`);
      }
      // Ids are digits: anything else is no route at all, answered before credentials.
      for (const id of ['-5', 'abc', '1.5']) {
        const status = await send(t.app, undefined, 'PUT', `/v2/leads/${id}/status`, bad);
        assertError(status, 404, 1001);
      }
      assertError(await send(t.app, o.till, 'PUT', '/v2/leads/999999999', { owner: 5 }), 404, 1201);
      assertError(
        await send(t.app, o.till, 'POST', '/v2/leads/999999999/followup', { notes: 5 }),
        404,
        1201,
      );
      assertError(await send(t.app, o.till, 'POST', '/v2/leads/999999999/followup', {}), 404, 1201);
    });

    it('answers another org’s lead id exactly like an unknown one, and leaves that lead alone', async () => {
      const other = await newOrg(t.ctx);
      const lead = await newLead(t.app, other.till);
      const bad = { status: 'NOPE' };
      const valid = { status: 'WON', reasonId: 1 };
      const foreignBad = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, bad);
      assertError(foreignBad, 404, 1201);
      const foreignValid = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, valid);
      assertError(foreignValid, 404, 1201);

      const unknownId = Number.MAX_SAFE_INTEGER - 7;
      const unknown = await send(t.app, o.till, 'PUT', `/v2/leads/${unknownId}/status`, bad);
      assertError(unknown, 404, 1201);
      assert.equal(
        foreignBad.raw.replace(`lead ${lead.id} `, 'lead ID '),
        unknown.raw.replace(`lead ${unknownId} `, 'lead ID '),
      );

      const after = await send(t.app, other.till, 'GET', `/v2/leads/${lead.id}`);
      assert.equal(after.status, 200);
      assert.equal(after.body.status, 'OPEN');
      assert.equal(after.body.statusLogDetails.length, 1);
    });

    it('checks JSON syntax and content type before the id', async () => {
      assertError(
        await inject(t, 'PUT', '/v2/leads/999999999/status', {
          headers: { ...o.till.headers, ...JSON_TYPE },
          payload: '{"status": ',
        }),
        400,
        1007,
      );
      assertError(
        await inject(t, 'PUT', '/v2/leads/999999999/status', {
          headers: { ...o.till.headers, ...TEXT_TYPE },
          payload: 'status=WON',
        }),
        415,
        1005,
      );
    });
  });

  describe('body and query validation', () => {
    it('lists every bad field of a body, and changes nothing', async () => {
      const lead = await newLead(t.app, o.till);
      const response = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
        status: 'NOPE',
        reasonId: 'twelve',
        createdOn: 'yesterday',
        subStatus: 5,
      });
      assert.equal(response.status, 400, response.raw);
      const errors = response.body.errors as Array<{ code: number; message: string }>;
      assert.equal(errors.length, 4, response.raw);
      const find = (field: string) =>
        errors.find((e) => new RegExp(`\\b${field}\\b`).test(e.message));
      assert.equal(find('status')?.code, 1103);
      assert.equal(find('reasonId')?.code, 1102);
      assert.equal(find('createdOn')?.code, 1104);
      assert.equal(find('subStatus')?.code, 1102);

      const after = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
      assert.equal(after.body.status, 'OPEN');
      assert.equal(after.body.statusLogDetails.length, 1);
      assert.equal(after.body.lastUpdatedOn, lead.lastUpdatedOn);
    });

    it('lists both the missing and the wrong fields of one body', async () => {
      const response = await send(t.app, o.admin, 'POST', '/v2/leads/substatus', {
        status: 'CLOSED',
      });
      assert.equal(response.status, 400);
      const codes = response.body.errors.map((e: any) => e.code).sort();
      assert.deepEqual(codes, [1101, 1103]);
    });

    it('lists every bad query parameter', async () => {
      const response = await send(
        t.app,
        o.till,
        'GET',
        '/v2/leads?limit=abc&sortBy=name&sortOrder=UP',
      );
      assert.equal(response.status, 400);
      const messages = response.body.errors.map((e: any) => e.message).join(' | ');
      assert.match(messages, /limit/);
      assert.match(messages, /sortBy/);
      assert.match(messages, /sortOrder/);
    });
  });

  describe('no server errors and no internals', () => {
    it('answers odd requests with a 4xx envelope and no stack, SQL or file names', async () => {
      const lead = await newLead(t.app, o.till);
      const json = { ...o.till.headers, ...JSON_TYPE };
      const deep = JSON.stringify(
        Array.from({ length: 2000 }).reduce<unknown>((inner) => ({ a: inner }), 1),
      );
      const requests: Array<{
        method: InjectOptions['method'];
        url: string;
        headers?: Record<string, string>;
        payload?: string;
      }> = [
        { method: 'GET', url: '/v2/leads/99999999999999999999' },
        { method: 'GET', url: '/v2/leads/1e3' },
        { method: 'GET', url: '/v2/leads/-1' },
        { method: 'GET', url: '/v2/leads/0x10' },
        { method: 'GET', url: `/v2/leads/${encodeURIComponent("1' OR '1'='1")}` },
        { method: 'GET', url: '/v2/leads?limit=abc&offset=-1&sortBy=drop' },
        { method: 'GET', url: '/v2/leads?limit=100000' },
        { method: 'GET', url: '/v2/leads?limit=1&limit=2' },
        { method: 'GET', url: '/v2/leads?userId=99999999999999999999' },
        { method: 'GET', url: '/v2/leads?userId=1.5&owner=x&orgSourceId=abc' },
        { method: 'GET', url: `/v2/leads?entityType=STORE&entityCode=${'%27'.repeat(50)}` },
        { method: 'GET', url: '/v2/leads?status=OPEN%00' },
        { method: 'POST', url: '/v2/leads', headers: json, payload: deep },
        { method: 'POST', url: '/v2/leads', headers: json, payload: '{"__proto__":{"x":1}}' },
        {
          method: 'POST',
          url: '/v2/leads',
          headers: json,
          payload: '{"constructor":{"prototype":{"x":1}}}',
        },
        {
          method: 'POST',
          url: '/v2/leads',
          headers: json,
          payload: '{"leadFor":"x","userId":1e300}',
        },
        {
          method: 'POST',
          url: '/v2/leads',
          headers: json,
          payload: JSON.stringify({ leadFor: 'x', userId: 2 ** 53 }),
        },
        {
          method: 'POST',
          url: '/v2/leads',
          headers: json,
          payload: JSON.stringify({
            leadFor: 'x',
            idType: 'EMAIL',
            identifier: 'a@example.com',
            createdOn: '9999-12-31T23:59:59+14:00',
            extendedFields: { nested: { a: 1 }, list: [1, 2] },
          }),
        },
        {
          method: 'POST',
          url: '/v2/leads',
          headers: json,
          payload: JSON.stringify({
            leadFor: 'x',
            idType: 'EMAIL',
            identifier: 'x'.repeat(100_000),
          }),
        },
        { method: 'POST', url: '/v2/leads', headers: json, payload: '[]' },
        { method: 'POST', url: '/v2/leads', headers: json, payload: '"lead"' },
        { method: 'POST', url: '/v2/leads', headers: json, payload: 'null' },
        {
          method: 'PUT',
          url: `/v2/leads/${lead.id}/status`,
          headers: json,
          payload: JSON.stringify({ status: 'WON', reasonId: 1e20 }),
        },
        {
          method: 'PUT',
          url: `/v2/leads/${lead.id}/status`,
          headers: json,
          payload: JSON.stringify({ status: 'WON', reasonId: Number.MAX_SAFE_INTEGER }),
        },
        {
          method: 'POST',
          url: `/v2/leads/${lead.id}/followup`,
          headers: json,
          payload: JSON.stringify({
            followedUpOn: '2026-02-30T10:00:00Z',
            createdBy: Number.MAX_SAFE_INTEGER,
          }),
        },
        {
          method: 'PUT',
          url: `/v2/leads/${lead.id}`,
          headers: json,
          payload: JSON.stringify({ owner: 'x'.repeat(10_000), extendedFields: [] }),
        },
        {
          method: 'GET',
          url: '/v2/leads/reasons',
          headers: { authorization: `Basic ${'A'.repeat(8000)}` },
        },
        {
          method: 'GET',
          url: '/v2/leads/reasons',
          headers: {
            authorization: `Basic ${Buffer.from(`${'u'.repeat(5000)}:x`).toString('base64')}`,
          },
        },
        {
          method: 'GET',
          url: `/v2/leads/${lead.id}`,
          headers: { ...o.till.headers, language: '../../etc/passwd' },
        },
        {
          method: 'POST',
          url: '/v3/oauth/token/generate',
          headers: JSON_TYPE,
          payload: JSON.stringify({ key: "' OR 1=1 --", secret: 'x' }),
        },
        {
          method: 'POST',
          url: '/v3/oauth/token/generate',
          headers: JSON_TYPE,
          payload: JSON.stringify({ key: 'k'.repeat(10_000), secret: 's' }),
        },
      ];
      for (const request of requests) {
        const response = await inject(t, request.method, request.url, {
          headers: request.headers ?? o.till.headers,
          ...(request.payload === undefined ? {} : { payload: request.payload }),
        });
        const label = `${request.method} ${request.url.slice(0, 80)} ${String(request.payload).slice(0, 60)}`;
        assert.ok(
          response.status < 500,
          `${label}: ${response.status} ${response.raw.slice(0, 300)}`,
        );
        assert.doesNotMatch(response.raw, INTERNALS, `${label}: ${response.raw.slice(0, 300)}`);
        if (response.status >= 400) {
          assert.equal(response.body?.data, null, `${label}: not the envelope: ${response.raw}`);
          for (const error of response.body.errors) {
            assert.ok(KNOWN_CODES.has(error.code), `${label}: code ${error.code} not catalogued`);
          }
        }
      }
      // None of these touched the lead.
      const after = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
      assert.equal(after.body.status, 'OPEN');
      assert.equal(after.body.statusLogDetails.length, 1);
      assert.deepEqual(after.body.followUpDetails, []);
    });

    it('accepts or refuses a NUL character in text, but never with a server error', async () => {
      const other = await newOrg(t.ctx);
      const requests: Array<[InjectOptions['method'], string, unknown]> = [
        ['POST', '/v2/leads/reasons', [{ reason: 'before\u0000after' }]],
        ['POST', '/v2/leads/substatus', { status: 'WON', subStatus: 'a\u0000b' }],
        [
          'POST',
          '/v2/leads',
          { leadFor: 'a\u0000b', idType: 'EMAIL', identifier: `${unique('nul')}@example.com` },
        ],
        ['GET', '/v2/leads?entityType=STORE&entityCode=a%00b', undefined],
        ['GET', '/v2/leads?substatus=a%00b', undefined],
      ];
      for (const [method, url, body] of requests) {
        const response = await send(t.app, other.admin, method, url, body);
        assert.ok(response.status < 500, `${method} ${url}: ${response.status} ${response.raw}`);
        assert.doesNotMatch(response.raw, INTERNALS);
      }
    });

    it('answers an over-long path id with the envelope (404, code 1001), not a bare 414', async () => {
      const response = await inject(t, 'GET', `/v2/leads/${'9'.repeat(300)}`, {
        headers: o.till.headers,
      });
      assertError(response, 404, 1001);
      assert.doesNotMatch(response.raw, INTERNALS);
    });

    it('answers a malformed URL encoding with the envelope (400, code 1008)', async () => {
      const response = await inject(t, 'GET', '/v2/leads/%E0%A4%A', { headers: o.till.headers });
      assertError(response, 400, 1008);
      assert.doesNotMatch(response.raw, INTERNALS);
    });
  });

  describe('envelopes, health and documentation', () => {
    it('wraps lists in {data, warnings, errors}', async () => {
      for (const url of ['/v2/leads/reasons', '/v2/leads/substatuses', '/v2/leads']) {
        const response = await send(t.app, o.till, 'GET', url);
        assert.equal(response.status, 200);
        assert.match(String(response.headers['content-type']), /^application\/json/);
        assert.ok(Array.isArray(response.body.data));
        assert.deepEqual(response.body.warnings, []);
        assert.deepEqual(response.body.errors, []);
      }
    });

    it('GET /health answers 200 without credentials', async () => {
      const response = await send(t.app, undefined, 'GET', '/health');
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { status: 'ok' });
    });

    it('GET /openapi.json is an OpenAPI 3 document with every contract path and method', async () => {
      const response = await send(t.app, undefined, 'GET', '/openapi.json');
      assert.equal(response.status, 200);
      const doc = response.body;
      assert.match(String(doc.openapi), /^3\.\d+\.\d+$/);
      assert.equal(typeof doc.info?.title, 'string');
      const expected: Record<string, string[]> = {
        '/v2/leads': ['get', 'post'],
        '/v2/leads/{id}': ['get', 'put'],
        '/v2/leads/{id}/status': ['put'],
        '/v2/leads/{id}/followup': ['post'],
        '/v2/leads/{id}/followups': ['get'],
        '/v2/leads/{id}/statusLog': ['get'],
        '/v2/leads/reasons': ['get', 'post'],
        '/v2/leads/substatus': ['post'],
        '/v2/leads/substatuses': ['get'],
        '/v3/oauth/token/generate': ['post'],
        '/v2/customers': ['get'],
        '/v2/customers/{id}': ['get'],
        '/v2/channels': ['get'],
        '/v2/extendedFields': ['get'],
        '/v2/admin/entities': ['get', 'post'],
        '/v2/admin/entities/{code}': ['put'],
        '/v2/admin/oauthClients': ['post'],
        '/v2/admin/oauthClients/{key}': ['put'],
        '/v2/admin/settings': ['get', 'put'],
        '/v2/admin/audit': ['get'],
        '/v2/admin/extendedFields': ['post'],
      };
      for (const [path, methods] of Object.entries(expected)) {
        const item = doc.paths?.[path];
        assert.ok(item, `${path} missing from the OpenAPI document`);
        for (const method of methods) {
          assert.ok(item[method], `${method.toUpperCase()} ${path} missing`);
          assert.ok(item[method].responses?.['200'], `${method.toUpperCase()} ${path}: no 200`);
        }
      }
      // The id is a documented path parameter.
      const params = doc.paths['/v2/leads/{id}'].get.parameters as Array<{
        name: string;
        in: string;
      }>;
      assert.ok(params.some((p) => p.name === 'id' && p.in === 'path'));
    });

    it('GET /docs/ serves the browsable HTML documentation', async () => {
      const response = await inject(t, 'GET', '/docs/');
      assert.equal(response.status, 200);
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.match(response.raw, /<html/i);
    });
  });
});

describe('HTTP body size limit', () => {
  let t: TestApp;
  let o: TestOrg;
  before(async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: '2048' } });
    o = await newOrg(t.ctx);
  });
  after(async () => {
    await t.close();
  });

  async function reasons(): Promise<string[]> {
    const response = await send(t.app, o.till, 'GET', '/v2/leads/reasons');
    return response.body.data.map((r: any) => r.reason);
  }

  it('answers 413 (1006) to a body over BODY_LIMIT_BYTES, and adds nothing', async () => {
    const before = await reasons();
    const many = Array.from({ length: 150 }, (_, i) => ({ reason: `${unique('big')}-${i}` }));
    const payload = JSON.stringify(many);
    assert.ok(Buffer.byteLength(payload) > 2048);
    const response = await inject(t, 'POST', '/v2/leads/reasons', {
      headers: { ...o.admin.headers, ...JSON_TYPE },
      payload,
    });
    assertError(response, 413, 1006);
    assert.deepEqual(await reasons(), before);
  });

  it('accepts a body under the limit', async () => {
    const payload = JSON.stringify([{ reason: 'Small enough' }]);
    const response = await inject(t, 'POST', '/v2/leads/reasons', {
      headers: { ...o.admin.headers, ...JSON_TYPE },
      payload,
    });
    assert.equal(response.status, 200, response.raw);
  });

  it('checks the size before the JSON syntax, and credentials before the size', async () => {
    const payload = `[${'{"reason": "x"},'.repeat(300)}`;
    assertError(
      await inject(t, 'POST', '/v2/leads/reasons', {
        headers: { ...o.admin.headers, ...JSON_TYPE },
        payload,
      }),
      413,
      1006,
    );
    assertError(
      await inject(t, 'POST', '/v2/leads/reasons', { headers: JSON_TYPE, payload }),
      401,
      1003,
    );
  });

  it('checks the content type before the size', async () => {
    assertError(
      await inject(t, 'POST', '/v2/leads/reasons', {
        headers: { ...o.admin.headers, ...TEXT_TYPE },
        payload: 'x'.repeat(5000),
      }),
      415,
      1005,
    );
  });

  it('limits the token route too', async () => {
    const response = await inject(t, 'POST', '/v3/oauth/token/generate', {
      headers: JSON_TYPE,
      payload: JSON.stringify({ key: 'k'.repeat(3000), secret: 's' }),
    });
    assertError(response, 413, 1006);
  });
});
