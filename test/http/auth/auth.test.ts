import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock, type TestApp, useTestApp } from '../../helpers/app.js';
import { basicAuth, newOrg, send, unique } from '../../helpers/factories.js';
import { createOauthClient } from '../../../src/auth/oauth.service.js';
import { hashSecret, md5Hex, sha256Hex } from '../../../src/core/secrets.js';
import { AppError } from '../../../src/core/errors.js';

/** An authenticated route every log-in entity may call; it answers the caller's org's reasons. */
const PROBE = '/v2/leads/reasons';
const TOKEN = 'x-cap-api-oauth-token';

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function withHeaders(headers: Record<string, string>) {
  return { headers };
}

function tokenHeaders(token: string) {
  return withHeaders({ [TOKEN]: token });
}

function assertUnauthorized(response: {
  status: number;
  headers: Record<string, unknown>;
  body: any;
}): void {
  assert.equal(response.status, 401);
  assert.deepEqual(response.body?.data, null);
  assert.deepEqual(response.body?.warnings, []);
  assert.equal(response.body?.errors?.length, 1);
  assert.equal(response.body.errors[0].status, false);
  assert.equal(response.body.errors[0].code, 1003);
  assert.equal(typeof response.body.errors[0].message, 'string');
}

async function entityRow(t: TestApp, id: number) {
  return t.ctx.store.db
    .selectFrom('entities')
    .select(['id', 'code', 'username', 'password_hash', 'disabled'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function generate(t: TestApp, body: unknown) {
  return send(t.app, undefined, 'POST', '/v3/oauth/token/generate', body);
}

describe('authentication', () => {
  const t = useTestApp();

  describe('Basic with username:md5hex(password)', () => {
    it('lets a till in with the lowercase MD5 hex of its password and scopes it to its org', async () => {
      const o = await newOrg(t.ctx);
      await send(t.app, o.admin, 'POST', PROBE, [{ reason: 'Only in this org' }]);
      const other = await newOrg(t.ctx);

      const response = await send(t.app, o.till, 'GET', PROBE);
      assert.equal(response.status, 200);
      assert.ok(response.body.data.some((r: any) => r.reason === 'Only in this org'));

      const foreign = await send(t.app, other.till, 'GET', PROBE);
      assert.equal(foreign.status, 200);
      assert.ok(!foreign.body.data.some((r: any) => r.reason === 'Only in this org'));
    });

    it('accepts the MD5 hex in uppercase too', async () => {
      const o = await newOrg(t.ctx);
      const upper = `Basic ${b64(`${o.associate.code}:${md5Hex(o.associate.password).toUpperCase()}`)}`;
      const response = await send(t.app, withHeaders({ authorization: upper }), 'GET', PROBE);
      assert.equal(response.status, 200);
      assert.ok(Array.isArray(response.body.data));
    });

    it('acts as the authenticated entity (createdBy and lastUpdatedBy default to the caller)', async () => {
      const o = await newOrg(t.ctx);
      const response = await send(t.app, o.associate, 'POST', '/v2/leads', {
        leadFor: 'SKU-1',
        idType: 'EMAIL',
        identifier: `${unique('auth')}@example.com`,
      });
      assert.equal(response.status, 200);
      assert.equal(response.body.createdBy, o.associate.id);
      assert.equal(response.body.lastUpdatedBy, o.associate.id);
    });

    it('answers every failure with the same 401 (code 1003), byte for byte, with WWW-Authenticate', async () => {
      const o = await newOrg(t.ctx);
      const disabled = await o.entity('STAFF', o.store, true);
      await t.ctx.store.transaction((trx) =>
        trx.updateTable('entities').set({ disabled: 1 }).where('id', '=', disabled.id).execute(),
      );

      const passwordless = await o.entity('TILL', o.store);
      const md5 = md5Hex(o.till.password);
      const cases: Record<string, Record<string, string>> = {
        'missing header': {},
        'wrong password': { authorization: basicAuth(o.till.code, 'not-the-password') },
        'unknown user': { authorization: basicAuth(unique('nobody'), o.till.password) },
        'plain password instead of its MD5': {
          authorization: `Basic ${b64(`${o.till.code}:${o.till.password}`)}`,
        },
        'MD5 cut short': { authorization: `Basic ${b64(`${o.till.code}:${md5.slice(0, 31)}`)}` },
        'no colon': { authorization: `Basic ${b64(`${o.till.code}${md5}`)}` },
        'empty username': { authorization: `Basic ${b64(`:${md5}`)}` },
        'not base64': { authorization: 'Basic ***not base64***' },
        'Basic without credentials': { authorization: 'Basic' },
        'another scheme': { authorization: `Bearer ${b64(`${o.till.code}:${md5}`)}` },
        'non-login entity (a store)': { authorization: basicAuth(o.store.code, 'whatever-pass') },
        'non-login entity (a zone)': { authorization: basicAuth(o.zone.code, 'whatever-pass') },
        'till created without a password': {
          authorization: basicAuth(passwordless.code, 'any-password'),
        },
        'disabled entity': { authorization: basicAuth(disabled.code, disabled.password) },
        'another till’s password': { authorization: basicAuth(o.till.code, o.associate.password) },
        'unknown token': { [TOKEN]: 'no-such-token' },
        'overlong token': { [TOKEN]: 'x'.repeat(5000) },
      };

      const responses = new Map<string, Awaited<ReturnType<typeof send>>>();
      for (const [name, headers] of Object.entries(cases)) {
        responses.set(name, await send(t.app, withHeaders(headers), 'GET', PROBE));
      }
      const reference = responses.get('missing header');
      assert.ok(reference);
      for (const [name, response] of responses) {
        assertUnauthorized(response);
        assert.equal(
          response.raw,
          reference.raw,
          `${name}: body differs from the missing-header 401`,
        );
        assert.ok(response.headers['www-authenticate'], `${name}: no WWW-Authenticate header`);
        assert.equal(
          response.headers['www-authenticate'],
          reference.headers['www-authenticate'],
          `${name}: WWW-Authenticate differs`,
        );
      }
      assert.match(String(reference.headers['www-authenticate']), /^Basic\b/);
    });

    it('answers odd usernames (a NUL byte, bad UTF-8, very long) with the same 401, never a 5xx', async () => {
      const o = await newOrg(t.ctx);
      const md5 = md5Hex(o.till.password);
      const reference = await send(t.app, undefined, 'GET', PROBE);
      const usernames: Array<[string, Buffer]> = [
        ['NUL inside', Buffer.from(`${o.till.code}\u0000x:${md5}`, 'utf8')],
        ['NUL only', Buffer.from(`\u0000:${md5}`, 'utf8')],
        ['invalid UTF-8', Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(`:${md5}`)])],
        ['very long', Buffer.from(`${'u'.repeat(10_000)}:${md5}`, 'utf8')],
      ];
      for (const [name, credentials] of usernames) {
        const response = await send(
          t.app,
          withHeaders({ authorization: `Basic ${credentials.toString('base64')}` }),
          'GET',
          PROBE,
        );
        assert.equal(response.status, 401, `${name}: ${response.status} ${response.raw}`);
        assert.equal(response.raw, reference.raw, name);
      }
    });

    it('never lets a failed request change anything', async () => {
      const o = await newOrg(t.ctx);
      const before = await send(t.app, o.till, 'GET', PROBE);
      const failed = await send(
        t.app,
        withHeaders({ authorization: basicAuth(o.till.code, 'wrong-password') }),
        'POST',
        PROBE,
        [{ reason: 'Should not be stored' }],
      );
      assertUnauthorized(failed);
      const after = await send(t.app, o.till, 'GET', PROBE);
      assert.deepEqual(after.body.data, before.body.data);
    });

    it('stores passwords only as Argon2id of the MD5 hex, never MD5 or plain', async () => {
      const o = await newOrg(t.ctx);
      for (const login of [o.till, o.associate, o.admin]) {
        const row = await entityRow(t, login.id);
        assert.equal(row.username, login.code);
        assert.ok(row.password_hash, `${login.code} has no password hash`);
        assert.ok(
          row.password_hash.startsWith('$argon2id$'),
          `${login.code}: ${row.password_hash.slice(0, 12)} is not Argon2id`,
        );
        assert.ok(!row.password_hash.includes(login.password));
        assert.ok(!row.password_hash.toLowerCase().includes(md5Hex(login.password)));
      }
      // Salted: two entities never share a hash.
      const hashes = await Promise.all([o.till, o.associate].map((l) => entityRow(t, l.id)));
      assert.notEqual(hashes[0]?.password_hash, hashes[1]?.password_hash);
      // Entities that cannot log in carry no credential at all.
      for (const unit of [o.zone, o.store]) {
        const row = await entityRow(t, unit.id);
        assert.equal(row.password_hash, null);
        assert.equal(row.username, null);
      }
    });
  });

  describe('verification cache', () => {
    it('verifies Argon2 once, then answers repeated Basic requests from the cache', async () => {
      const o = await newOrg(t.ctx);
      const stats = t.ctx.verificationCache.stats;
      const first = { ...stats };
      assert.equal((await send(t.app, o.till, 'GET', PROBE)).status, 200);
      assert.equal(stats.misses, first.misses + 1, 'the first request must verify');
      assert.equal(stats.hits, first.hits);

      const second = { ...stats };
      for (let i = 0; i < 5; i += 1) {
        assert.equal((await send(t.app, o.till, 'GET', PROBE)).status, 200);
      }
      assert.equal(stats.misses, second.misses, 'repeated requests must not re-run Argon2');
      assert.equal(stats.hits, second.hits + 5);

      // Uppercase hex is the same secret: it is answered from the same cache entry.
      const upper = `Basic ${b64(`${o.till.code}:${md5Hex(o.till.password).toUpperCase()}`)}`;
      const third = { ...stats };
      assert.equal(
        (await send(t.app, withHeaders({ authorization: upper }), 'GET', PROBE)).status,
        200,
      );
      assert.equal(stats.hits, third.hits + 1);
      assert.equal(stats.misses, third.misses);
    });

    it('never answers a wrong password from the cache of a right one', async () => {
      const o = await newOrg(t.ctx);
      assert.equal((await send(t.app, o.till, 'GET', PROBE)).status, 200);
      const stats = t.ctx.verificationCache.stats;
      const before = { ...stats };
      const wrong = await send(
        t.app,
        withHeaders({ authorization: basicAuth(o.till.code, 'wrong-password') }),
        'GET',
        PROBE,
      );
      assertUnauthorized(wrong);
      assert.equal(stats.hits, before.hits);
      // And the right one is still cached.
      assert.equal((await send(t.app, o.till, 'GET', PROBE)).status, 200);
      assert.equal(stats.hits, before.hits + 1);
    });

    it('a password change makes the old (cached) credentials fail at once; the new ones work', async () => {
      const o = await newOrg(t.ctx);
      // Cached: two successful requests, the second one a hit.
      assert.equal((await send(t.app, o.till, 'GET', PROBE)).status, 200);
      const hits = t.ctx.verificationCache.stats.hits;
      assert.equal((await send(t.app, o.till, 'GET', PROBE)).status, 200);
      assert.equal(t.ctx.verificationCache.stats.hits, hits + 1);

      const newPassword = `new-${unique('pw')}`;
      const passwordHash = await hashSecret(md5Hex(newPassword));
      await t.ctx.store.transaction((trx) =>
        trx
          .updateTable('entities')
          .set({ password_hash: passwordHash })
          .where('id', '=', o.till.id)
          .execute(),
      );

      assertUnauthorized(await send(t.app, o.till, 'GET', PROBE));
      const fresh = withHeaders({ authorization: basicAuth(o.till.code, newPassword) });
      assert.equal((await send(t.app, fresh, 'GET', PROBE)).status, 200);
      assert.equal((await send(t.app, fresh, 'GET', PROBE)).status, 200);
      // The old password stays refused, however often it is tried.
      assertUnauthorized(await send(t.app, o.till, 'GET', PROBE));
    });

    it('disabling an entity makes its cached credentials fail at once', async () => {
      const o = await newOrg(t.ctx);
      assert.equal((await send(t.app, o.associate, 'GET', PROBE)).status, 200);
      assert.equal((await send(t.app, o.associate, 'GET', PROBE)).status, 200);

      await t.ctx.store.transaction((trx) =>
        trx.updateTable('entities').set({ disabled: 1 }).where('id', '=', o.associate.id).execute(),
      );
      assertUnauthorized(await send(t.app, o.associate, 'GET', PROBE));
      // Other entities of the org are unaffected.
      assert.equal((await send(t.app, o.till, 'GET', PROBE)).status, 200);
    });
  });

  describe('OAuth tokens', () => {
    it('exchanges a client key and secret for a token that authenticates as the client’s entity', async () => {
      const o = await newOrg(t.ctx);
      const client = await createOauthClient(t.ctx, { org: o.org.name, entity: o.admin.code });
      assert.equal(typeof client.key, 'string');
      assert.equal(typeof client.secret, 'string');

      const generated = await generate(t, { key: client.key, secret: client.secret });
      assert.equal(generated.status, 200);
      assert.deepEqual(Object.keys(generated.body).sort(), ['data', 'errors']);
      assert.equal(generated.body.errors, null);
      assert.deepEqual(Object.keys(generated.body.data).sort(), ['accessToken', 'ttlSeconds']);
      const { accessToken, ttlSeconds } = generated.body.data;
      assert.equal(typeof accessToken, 'string');
      assert.ok(accessToken.length >= 20);
      assert.equal(ttlSeconds, t.config.tokenTtlSeconds);

      const reasons = await send(t.app, tokenHeaders(accessToken), 'GET', PROBE);
      assert.equal(reasons.status, 200);
      assert.ok(reasons.body.data.some((r: any) => r.reason === 'APICALL'));

      const lead = await send(t.app, tokenHeaders(accessToken), 'POST', '/v2/leads', {
        leadFor: 'SKU-2',
        idType: 'EMAIL',
        identifier: `${unique('oauth')}@example.com`,
      });
      assert.equal(lead.status, 200);
      assert.equal(lead.body.createdBy, o.admin.id);
      assert.equal(lead.body.lastUpdatedBy, o.admin.id);

      // Each exchange is a new token; both work.
      const again = await generate(t, { key: client.key, secret: client.secret });
      assert.equal(again.status, 200);
      assert.notEqual(again.body.data.accessToken, accessToken);
      assert.equal(
        (await send(t.app, tokenHeaders(again.body.data.accessToken), 'GET', PROBE)).status,
        200,
      );
    });

    it('a token only ever sees its own org', async () => {
      const a = await newOrg(t.ctx);
      const b = await newOrg(t.ctx);
      await send(t.app, b.admin, 'POST', PROBE, [{ reason: 'B only' }]);
      const client = await createOauthClient(t.ctx, { org: a.org.name, entity: a.till.code });
      const token = (await generate(t, client)).body.data.accessToken;
      const reasons = await send(t.app, tokenHeaders(token), 'GET', PROBE);
      assert.equal(reasons.status, 200);
      assert.ok(!reasons.body.data.some((r: any) => r.reason === 'B only'));
    });

    it('refuses a wrong key or secret with the same 401', async () => {
      const o = await newOrg(t.ctx);
      const client = await createOauthClient(t.ctx, { org: o.org.name, entity: o.admin.code });
      const other = await createOauthClient(t.ctx, { org: o.org.name, entity: o.till.code });
      const badSecret = await generate(t, { key: client.key, secret: `${client.secret}x` });
      const badKey = await generate(t, { key: `${client.key}x`, secret: client.secret });
      const swapped = await generate(t, { key: client.key, secret: other.secret });
      for (const response of [badSecret, badKey, swapped]) {
        assertUnauthorized(response);
      }
      assert.equal(badKey.raw, badSecret.raw);
      assert.equal(swapped.raw, badSecret.raw);
      assert.ok(!badSecret.raw.includes(client.key));
    });

    it('refuses a key or secret with a NUL byte as bad input (400 naming it), never a 5xx', async () => {
      const o = await newOrg(t.ctx);
      const client = await createOauthClient(t.ctx, { org: o.org.name, entity: o.admin.code });
      for (const [field, body] of [
        ['key', { key: `${client.key}\u0000`, secret: client.secret }],
        ['secret', { key: client.key, secret: `${client.secret}\u0000` }],
      ] as const) {
        const response = await generate(t, body);
        assert.equal(response.status, 400, `${response.status} ${response.raw}`);
        assert.equal(response.body.errors[0].code, 1103);
        assert.match(response.body.errors[0].message, new RegExp(`^${field} must not contain NUL`));
      }
    });

    it('validates the token request body', async () => {
      const o = await newOrg(t.ctx);
      const client = await createOauthClient(t.ctx, { org: o.org.name, entity: o.admin.code });

      const missing = await generate(t, { key: client.key });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.errors[0].code, 1101);
      assert.match(missing.body.errors[0].message, /secret/);

      const wrongType = await generate(t, { key: client.key, secret: 12345 });
      assert.equal(wrongType.status, 400);
      assert.equal(wrongType.body.errors[0].code, 1102);
      assert.match(wrongType.body.errors[0].message, /secret/);

      const both = await generate(t, {});
      assert.equal(both.status, 400);
      const messages = both.body.errors.map((e: any) => e.message).join(' | ');
      assert.match(messages, /key/);
      assert.match(messages, /secret/);

      const text = await t.app.inject({
        method: 'POST',
        url: '/v3/oauth/token/generate',
        headers: { 'content-type': 'text/plain' },
        payload: `key=${client.key}&secret=${client.secret}`,
      });
      assert.equal(text.statusCode, 415);
      assert.equal(text.json().errors[0].code, 1005);
    });

    it('refuses unknown, revoked and disabled-entity tokens at once', async () => {
      const o = await newOrg(t.ctx);
      const client = await createOauthClient(t.ctx, { org: o.org.name, entity: o.associate.code });
      const token = (await generate(t, client)).body.data.accessToken;
      assert.equal((await send(t.app, tokenHeaders(token), 'GET', PROBE)).status, 200);
      assertUnauthorized(await send(t.app, tokenHeaders(`${token}x`), 'GET', PROBE));

      await t.ctx.store.transaction((trx) =>
        trx.updateTable('entities').set({ disabled: 1 }).where('id', '=', o.associate.id).execute(),
      );
      assertUnauthorized(await send(t.app, tokenHeaders(token), 'GET', PROBE));
      assertUnauthorized(await generate(t, client));

      const admin = await createOauthClient(t.ctx, { org: o.org.name, entity: o.admin.code });
      const adminToken = (await generate(t, admin)).body.data.accessToken;
      assert.equal((await send(t.app, tokenHeaders(adminToken), 'GET', PROBE)).status, 200);
      await t.ctx.store.transaction((trx) =>
        trx
          .updateTable('oauth_clients')
          .set({ revoked: 1 })
          .where('client_key', '=', admin.key)
          .execute(),
      );
      assertUnauthorized(await send(t.app, tokenHeaders(adminToken), 'GET', PROBE));
      assertUnauthorized(await generate(t, admin));
    });

    it('stores client secrets only as Argon2id and tokens only as a hash', async () => {
      const o = await newOrg(t.ctx);
      const client = await createOauthClient(t.ctx, { org: o.org.name, entity: o.admin.code });
      const row = await t.ctx.store.db
        .selectFrom('oauth_clients')
        .select(['id', 'secret_hash'])
        .where('client_key', '=', client.key)
        .executeTakeFirstOrThrow();
      assert.ok(row.secret_hash.startsWith('$argon2id$'));
      assert.ok(!row.secret_hash.includes(client.secret));

      const token = (await generate(t, client)).body.data.accessToken as string;
      const tokens = await t.ctx.store.db
        .selectFrom('oauth_tokens')
        .select('token_hash')
        .where('client_id', '=', row.id)
        .execute();
      assert.equal(tokens.length, 1);
      assert.notEqual(tokens[0]?.token_hash, token);
      assert.ok(!tokens[0]?.token_hash.includes(token));
      assert.equal(tokens[0]?.token_hash, sha256Hex(token));
    });

    it('creates clients only for log-in entities of the org', async () => {
      // The service names the field; the CLI turns such errors into usage errors (1304).
      const o = await newOrg(t.ctx);
      const fails = (entity: string, code: number, field: RegExp) =>
        assert.rejects(
          createOauthClient(t.ctx, { org: o.org.name, entity }),
          (error: unknown) =>
            error instanceof AppError && error.code === code && field.test(error.message),
        );
      await fails(o.store.code, 1103, /^entity: a STORE cannot log in/);
      await fails(unique('nobody'), 1105, /^entity: no entity/);
      const other = await newOrg(t.ctx);
      await fails(other.till.code, 1105, /^entity: no entity/);
    });
  });
});

describe('authentication over time', () => {
  const clock = new TestClock();
  const t = useTestApp({
    clock,
    env: { TOKEN_TTL_SECONDS: '120', CREDENTIAL_CACHE_SECONDS: '60' },
  });

  it('a token works until its lifetime (the TOKEN_TTL_SECONDS setting) ends, then answers 401', async () => {
    const o = await newOrg(t.ctx);
    const client = await createOauthClient(t.ctx, { org: o.org.name, entity: o.admin.code });
    const generated = await generate(t, client);
    assert.equal(generated.status, 200);
    assert.equal(generated.body.data.ttlSeconds, 120);
    const token = generated.body.data.accessToken as string;

    clock.advance(119_000);
    assert.equal((await send(t.app, tokenHeaders(token), 'GET', PROBE)).status, 200);
    clock.advance(2_000);
    const expired = await send(t.app, tokenHeaders(token), 'GET', PROBE);
    assertUnauthorized(expired);
    const missing = await send(t.app, undefined, 'GET', PROBE);
    assert.equal(expired.raw, missing.raw);

    // A new exchange gives a working token again.
    const renewed = await generate(t, client);
    assert.equal(
      (await send(t.app, tokenHeaders(renewed.body.data.accessToken), 'GET', PROBE)).status,
      200,
    );
  });

  it("issuing a token purges its own org's expired tokens and never another org's", async () => {
    const tokensOf = async (clientKey: string) =>
      (
        await t.ctx.store.db
          .selectFrom('oauth_tokens')
          .innerJoin('oauth_clients', 'oauth_clients.id', 'oauth_tokens.client_id')
          .select('oauth_tokens.token_hash')
          .where('oauth_clients.client_key', '=', clientKey)
          .execute()
      ).map((row) => row.token_hash);
    const x = await newOrg(t.ctx);
    const y = await newOrg(t.ctx);
    const clientX = await createOauthClient(t.ctx, { org: x.org.name, entity: x.admin.code });
    const clientY = await createOauthClient(t.ctx, { org: y.org.name, entity: y.admin.code });
    const expiring = (await generate(t, clientX)).body.data.accessToken as string;

    clock.advance(121_000);
    assert.equal((await generate(t, clientY)).status, 200);
    assert.deepEqual(await tokensOf(clientX.key), [sha256Hex(expiring)], "org Y purged org X's");
    const fresh = (await generate(t, clientX)).body.data.accessToken as string;
    assert.deepEqual(await tokensOf(clientX.key), [sha256Hex(fresh)]);
  });

  it('a cached verification lapses after CREDENTIAL_CACHE_SECONDS and is verified again', async () => {
    const o = await newOrg(t.ctx);
    const stats = t.ctx.verificationCache.stats;
    assert.equal((await send(t.app, o.till, 'GET', PROBE)).status, 200);
    const cached = { ...stats };
    assert.equal((await send(t.app, o.till, 'GET', PROBE)).status, 200);
    assert.equal(stats.hits, cached.hits + 1);

    clock.advance(61_000);
    const lapsed = { ...stats };
    assert.equal((await send(t.app, o.till, 'GET', PROBE)).status, 200);
    assert.equal(stats.misses, lapsed.misses + 1, 'an expired entry must be verified again');
    assert.equal(stats.hits, lapsed.hits);
  });
});
