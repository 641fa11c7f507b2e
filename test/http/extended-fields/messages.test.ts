import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, type TestOrg } from '../../helpers/factories.js';
import { assertError } from '../../helpers/fixtures.js';
import { createOauthClient } from '../../../src/auth/oauth.service.js';

/**
 * Every message says what was expected, in plain words (docs/errors.md): no validator jargon,
 * limits stated, valid JSON never called invalid, one body for every authentication failure.
 */
describe('messages a person can act on', () => {
  let t: TestApp;
  let o: TestOrg;
  before(async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: '4096' } });
    o = await newOrg(t.ctx);
  });
  after(async () => {
    await t.close();
  });

  const raw = (url: string, payload: string, method: 'POST' | 'PUT' = 'POST') =>
    t.app
      .inject({
        method,
        url,
        headers: { ...o.till.headers, 'content-type': 'application/json' },
        payload,
      })
      .then((r) => ({
        status: r.statusCode,
        headers: r.headers,
        body: r.json<any>(),
        raw: r.body,
      }));

  it('names types, lengths, ranges and forms in words, never the validator’s', async () => {
    const lead = await newLead(t.app, o.till);
    const cases: Array<[url: string, body: unknown, message: string, method?: 'POST' | 'PUT']> = [
      [
        '/v2/leads',
        { leadFor: 5, idType: 'EMAIL', identifier: 'a@b.co' },
        'leadFor must be a string',
      ],
      [
        '/v2/leads',
        { leadFor: '', idType: 'EMAIL', identifier: 'a@b.co' },
        'leadFor must not be empty',
      ],
      [
        '/v2/leads',
        { leadFor: 'x'.repeat(201), idType: 'EMAIL', identifier: 'a@b.co' },
        'leadFor must be at most 200 characters',
      ],
      [`/v2/leads/${lead.id}`, { owner: 12 }, 'owner must be a string or null', 'PUT'],
    ];
    for (const [url, body, message, method] of cases) {
      const response = await raw(url, JSON.stringify(body), method);
      assert.equal(response.status, 400, response.raw);
      const messages = response.body.errors.map((e: { message: string }) => e.message);
      assert.ok(messages.includes(message), `${messages.join(' | ')} lacks "${message}"`);
      assert.doesNotMatch(
        response.raw,
        /must match pattern|must be of type|must NOT|must be [<>]=/,
      );
    }
    const admin = await send(t.app, o.admin, 'POST', '/v2/admin/entities', {
      type: 'TILL',
      code: 'bad code!',
    });
    assertError(admin, 400, 'FIELD_INVALID_VALUE', 'code must start with a letter or a digit');
    const country = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', { countryCode: 'IND' });
    assertError(country, 400, 'FIELD_INVALID_VALUE', 'countryCode must be two letters, e.g. IN');
  });

  it('states the body limit in a 413', async () => {
    const response = await raw('/v2/leads', JSON.stringify({ leadFor: 'x'.repeat(5000) }));
    assertError(response, 413, 'PAYLOAD_TOO_LARGE', 'at most 4096 bytes');
  });

  it('calls valid JSON with a __proto__ key valid, and refuses the key by name', async () => {
    for (const payload of [
      '{"__proto__": {"admin": true}, "leadFor": "x"}',
      '{"constructor": {"prototype": {"admin": true}}}',
    ]) {
      const response = await raw('/v2/leads', payload);
      assertError(response, 400, 'FIELD_INVALID_VALUE', '__proto__ and constructor.prototype');
    }
    assertError(await raw('/v2/leads', '{"leadFor": '), 400, 'MALFORMED_JSON', 'not valid JSON');
  });

  it('refuses half a surrogate pair on both stores alike, naming the field', async () => {
    const before = await send(t.app, o.till, 'GET', '/v2/leads?limit=1000');
    for (const text of ['x\\ud800', '\\udc00y', 'a\\ud800\\ud800b']) {
      const response = await raw(
        '/v2/leads',
        `{"leadFor": "${text}", "idType": "EMAIL", "identifier": "s@example.com"}`,
      );
      assertError(response, 400, 'FIELD_INVALID_VALUE', 'leadFor must be valid Unicode text');
    }
    // A whole pair (an emoji) is text like any other, stored and read back the same.
    const emoji = await raw(
      '/v2/leads',
      '{"leadFor": "gift \\ud83c\\udf81", "idType": "EMAIL", "identifier": "s@example.com"}',
    );
    assert.equal(emoji.status, 200, emoji.raw);
    assert.equal(emoji.body.leadFor, 'gift 🎁');
    const after = await send(t.app, o.till, 'GET', '/v2/leads?limit=1000');
    assert.equal(after.body.data.length, before.body.data.length + 1);
  });

  it('answers every authentication failure, Basic or OAuth client, with the same 401 body', async () => {
    const client = await createOauthClient(t.ctx, { org: o.org.name, entity: o.till.code });
    const token = await send(t.app, undefined, 'POST', '/v3/oauth/token/generate', {
      key: client.key,
      secret: 'not-the-secret',
    });
    const basic = await send(
      t.app,
      { headers: { authorization: 'Basic eDp5' } },
      'GET',
      '/v2/leads/reasons',
    );
    const unknownClient = await send(t.app, undefined, 'POST', '/v3/oauth/token/generate', {
      key: 'll_nobody',
      secret: 'x',
    });
    assert.deepEqual([token.status, unknownClient.status, basic.status], [401, 401, 401]);
    assert.equal(token.raw, basic.raw);
    assert.equal(unknownClient.raw, basic.raw);
  });
});
