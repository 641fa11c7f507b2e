import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { basicAuth, newOrg, send, unique, type TestOrg } from '../../helpers/factories.js';
import { assertError, assertErrors } from '../../helpers/fixtures.js';
import { createOauthClient } from '../../../src/auth/oauth.service.js';

/** The administrators' API: entities and credentials, settings, audit; ADMIN_USER only. */
describe('org administration', () => {
  const t = useTestApp();

  const audit = async (o: TestOrg) => {
    const response = await send(t.app, o.admin, 'GET', '/v2/admin/audit?limit=1000');
    assert.equal(response.status, 200, response.raw);
    return response.body.data as Array<{
      id: number;
      actorId: number;
      action: string;
      target: string;
      details: Record<string, unknown>;
      createdOn: string;
    }>;
  };
  const entityCount = async (o: TestOrg) =>
    (await send(t.app, o.admin, 'GET', '/v2/admin/entities?limit=1000')).body.data.length as number;

  const routes: Array<[method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown]> = [
    ['GET', '/v2/admin/entities'],
    ['POST', '/v2/admin/entities', { type: 'TILL', code: 'x-till' }],
    ['PUT', '/v2/admin/entities/whatever', { disabled: true }],
    ['POST', '/v2/admin/oauthClients', { entity: 'whatever' }],
    ['PUT', '/v2/admin/oauthClients/ll_x', { revoked: true }],
    ['GET', '/v2/admin/settings'],
    ['PUT', '/v2/admin/settings', { autoCloseDays: 3 }],
    ['GET', '/v2/admin/audit'],
  ];

  it('answers 403 to tills and associates on every admin route, and 401 without credentials', async () => {
    const o = await newOrg(t.ctx);
    const before = await audit(o);
    for (const [method, url, body] of routes) {
      for (const who of [o.till, o.associate]) {
        const response = await send(t.app, who, method, url, body);
        assertError(response, 403, 'FORBIDDEN', who.type);
      }
      const anonymous = await send(t.app, undefined, method, url, body);
      assert.equal(anonymous.status, 401, `${method} ${url}`);
    }
    assert.deepEqual(await audit(o), before);
    assert.equal(
      (await send(t.app, o.admin, 'GET', '/v2/admin/settings')).body.autoCloseDays,
      null,
    );
  });

  it('lists the audit entries of one action, and refuses an action that could be none', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    await send(t.app, o.admin, 'PUT', '/v2/admin/settings', { autoCloseDays: 30 });
    await send(t.app, o.admin, 'PUT', '/v2/admin/settings', { autoCloseDays: 31 });
    await send(t.app, other.admin, 'PUT', '/v2/admin/settings', { autoCloseDays: 5 });
    await send(t.app, o.admin, 'POST', '/v2/admin/entities', { type: 'TILL', code: unique('t') });
    const settings = await send(t.app, o.admin, 'GET', '/v2/admin/audit?action=org.settings');
    assert.equal(settings.status, 200, settings.raw);
    const entries = settings.body.data as Array<{ action: string; details: any }>;
    assert.deepEqual(
      entries.map((entry) => [entry.action, entry.details.after.autoCloseDays]),
      [
        ['org.settings', 31],
        ['org.settings', 30],
      ],
    );
    const none = await send(t.app, o.admin, 'GET', '/v2/admin/audit?action=webhook.replay');
    assert.deepEqual(none.body.data, []);
    const bad = await send(t.app, o.admin, 'GET', '/v2/admin/audit?action=DROP%20TABLE');
    assertError(bad, 400, 'FIELD_INVALID_VALUE', 'action');
  });

  it('adds a log-in entity that can then use the API, and audits it without the password', async () => {
    const o = await newOrg(t.ctx);
    const code = unique('till');
    const password = 'a-long-till-password';
    const created = await send(t.app, o.admin, 'POST', '/v2/admin/entities', {
      type: 'TILL',
      code,
      parent: o.store.code,
      password,
    });
    assert.equal(created.status, 200, created.raw);
    assert.deepEqual(
      { ...created.body, id: 0 },
      {
        id: 0,
        orgId: o.org.id,
        type: 'TILL',
        code,
        parentId: o.store.id,
        canLogIn: true,
        disabled: false,
        warnings: [],
      },
    );
    const asTill = { headers: { authorization: basicAuth(code, password) } };
    assert.equal((await send(t.app, asTill, 'GET', '/v2/leads')).status, 200);

    const [entry] = await audit(o);
    assert.equal(entry?.action, 'entity.create');
    assert.equal(entry?.target, code);
    assert.equal(entry?.actorId, o.admin.id);
    assert.deepEqual(entry?.details, { type: 'TILL', parent: o.store.code, canLogIn: true });
    assert.ok(!JSON.stringify(await audit(o)).includes(password));
  });

  it('gives one of two orgs racing to give the same code a password a 409, never a 500', async () => {
    // Both orgs have an entity of one code that cannot log in yet; both admins set a password at
    // once. The username check passes for both (hashing takes a while), so the store's unique
    // index decides, and the loser must get the check's own answer.
    for (let round = 0; round < 3; round += 1) {
      const a = await newOrg(t.ctx);
      const b = await newOrg(t.ctx);
      const code = unique('shared');
      for (const o of [a, b]) {
        const made = await send(t.app, o.admin, 'POST', '/v2/admin/entities', {
          type: 'TILL',
          code,
        });
        assert.equal(made.status, 200, made.raw);
      }
      const answers = await Promise.all(
        [a, b].map((o) =>
          send(t.app, o.admin, 'PUT', `/v2/admin/entities/${code}`, {
            password: 'a-long-enough-password',
          }),
        ),
      );
      const statuses = answers.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 409], answers.map((r) => r.raw).join('\n'));
      const loser = answers.find((r) => r.status === 409);
      assertError(loser!, 409, 'USERNAME_TAKEN', code);
      // The loser's entity is unchanged: it still cannot log in, and nothing was audited.
      const loserOrg = answers[0]?.status === 409 ? a : b;
      const listed = await send(t.app, loserOrg.admin, 'GET', '/v2/admin/entities?limit=1000');
      const entity = listed.body.data.find((e: { code: string }) => e.code === code);
      assert.equal(entity.canLogIn, false);
      assert.equal((await audit(loserOrg)).filter((e) => e.action === 'entity.password').length, 0);
    }
  });

  it('refuses bad entities with a 400 or 409 naming the field, and adds nothing', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const count = await entityCount(o);
    const auditBefore = await audit(o);
    const post = (body: unknown) => send(t.app, o.admin, 'POST', '/v2/admin/entities', body);

    assertError(await post({ type: 'TILL', code: o.till.code }), 409, 'ENTITY_EXISTS', o.till.code);
    assertError(
      await post({ type: 'TILL', code: other.till.code, password: 'long-enough-pw' }),
      409,
      'USERNAME_TAKEN',
      other.till.code,
    );
    assertError(
      await post({ type: 'STORE', code: unique('s'), password: 'long-enough-pw' }),
      400,
      'FIELD_INVALID_VALUE',
      'password',
    );
    assertError(
      await post({ type: 'TILL', code: unique('t'), parent: other.store.code }),
      400,
      'FIELD_UNKNOWN_REFERENCE',
      'parent',
    );
    assertErrors(await post({ type: 'WIZARD', code: 'bad code!', password: 'short' }), 400, [
      ['FIELD_INVALID_VALUE', 'type'],
      ['FIELD_INVALID_VALUE', 'code'],
      ['FIELD_INVALID_VALUE', 'password'],
    ]);
    assertError(await post({ code: unique('t') }), 400, 'FIELD_REQUIRED', 'type');

    assert.equal(await entityCount(o), count);
    assert.deepEqual(await audit(o), auditBefore);
  });

  it('disables and re-enables an entity at once, cached credentials included', async () => {
    const o = await newOrg(t.ctx);
    assert.equal((await send(t.app, o.till, 'GET', '/v2/leads')).status, 200);
    assert.equal((await send(t.app, o.till, 'GET', '/v2/leads')).status, 200);
    const hitsBefore = t.ctx.verificationCache.stats.hits;
    assert.ok(hitsBefore > 0, 'the till’s credentials are cached');

    const disabled = await send(t.app, o.admin, 'PUT', `/v2/admin/entities/${o.till.code}`, {
      disabled: true,
    });
    assert.equal(disabled.status, 200, disabled.raw);
    assert.equal(disabled.body.disabled, true);
    assert.equal((await send(t.app, o.till, 'GET', '/v2/leads')).status, 401);

    const enabled = await send(t.app, o.admin, 'PUT', `/v2/admin/entities/${o.till.code}`, {
      disabled: false,
    });
    assert.equal(enabled.body.disabled, false);
    assert.equal((await send(t.app, o.till, 'GET', '/v2/leads')).status, 200);
    assert.deepEqual(
      (await audit(o)).slice(0, 2).map((e) => [e.action, e.target]),
      [
        ['entity.enable', o.till.code],
        ['entity.disable', o.till.code],
      ],
    );
  });

  it('rotates a password: the old one fails at once, the new one works', async () => {
    const o = await newOrg(t.ctx);
    assert.equal((await send(t.app, o.associate, 'GET', '/v2/leads')).status, 200);
    const rotated = await send(t.app, o.admin, 'PUT', `/v2/admin/entities/${o.associate.code}`, {
      password: 'a-brand-new-password',
    });
    assert.equal(rotated.status, 200, rotated.raw);
    assert.equal((await send(t.app, o.associate, 'GET', '/v2/leads')).status, 401);
    const fresh = {
      headers: { authorization: basicAuth(o.associate.code, 'a-brand-new-password') },
    };
    assert.equal((await send(t.app, fresh, 'GET', '/v2/leads')).status, 200);
    const [entry] = await audit(o);
    assert.deepEqual([entry?.action, entry?.details], ['entity.password', {}]);
  });

  it('gives entities without credentials a password only if their type can log in', async () => {
    const o = await newOrg(t.ctx);
    const staff = await o.entity('STAFF', o.store);
    const response = await send(t.app, o.admin, 'PUT', `/v2/admin/entities/${staff.code}`, {
      password: 'staff-password-1',
    });
    assert.equal(response.body.canLogIn, true);
    const asStaff = { headers: { authorization: basicAuth(staff.code, 'staff-password-1') } };
    assert.equal((await send(t.app, asStaff, 'GET', '/v2/leads')).status, 200);
    assertError(
      await send(t.app, o.admin, 'PUT', `/v2/admin/entities/${o.store.code}`, {
        password: 'store-password-1',
      }),
      400,
      'FIELD_INVALID_VALUE',
      'password',
    );
  });

  it('refuses to disable the calling admin, an empty change, and unknown or foreign codes', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const auditBefore = await audit(o);
    const put = (code: string, body: unknown) =>
      send(t.app, o.admin, 'PUT', `/v2/admin/entities/${code}`, body);
    assertError(
      await put(o.admin.code, { disabled: true }),
      400,
      'FIELD_INVALID_VALUE',
      'disabled',
    );
    assertError(await put(o.till.code, {}), 400, 'FIELD_REQUIRED', 'disabled or password');
    assertError(await put(o.till.code, { disabled: 'yes' }), 400, 'FIELD_INVALID_TYPE', 'disabled');

    // The code is checked before the body, and another org's code answers like an unknown one.
    const unknown = await put('no-such-code', { disabled: 'yes' });
    assertError(unknown, 404, 'ENTITY_NOT_FOUND', 'no-such-code');
    const foreign = await put(other.till.code, { disabled: true });
    assertError(foreign, 404, 'ENTITY_NOT_FOUND', other.till.code);
    assert.equal(
      foreign.raw.replace(other.till.code, 'X'),
      unknown.raw.replace('no-such-code', 'X'),
    );

    assert.equal((await send(t.app, other.till, 'GET', '/v2/leads')).status, 200);
    assert.equal((await send(t.app, o.admin, 'GET', '/v2/leads')).status, 200);
    assert.deepEqual(await audit(o), auditBefore);
  });

  it('lists the org’s entities only, optionally by type', async () => {
    const o = await newOrg(t.ctx);
    await newOrg(t.ctx);
    const all = await send(t.app, o.admin, 'GET', '/v2/admin/entities');
    assert.deepEqual(
      all.body.data.map((e: { code: string }) => e.code),
      [o.zone, o.store, o.till, o.associate, o.admin].map((e) => e.code),
    );
    const tills = await send(t.app, o.admin, 'GET', '/v2/admin/entities?type=TILL');
    assert.deepEqual(
      tills.body.data.map((e: { code: string }) => e.code),
      [o.till.code],
    );
    assertError(
      await send(t.app, o.admin, 'GET', '/v2/admin/entities?type=WIZARD'),
      400,
      'FIELD_INVALID_VALUE',
      'type',
    );
  });

  it('creates and revokes OAuth clients; revocation stops issued tokens at once', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const created = await send(t.app, o.admin, 'POST', '/v2/admin/oauthClients', {
      entity: o.till.code,
    });
    assert.equal(created.status, 200, created.raw);
    assert.equal(created.body.entity, o.till.code);
    const { key, secret } = created.body as { key: string; secret: string };
    const token = await send(t.app, undefined, 'POST', '/v3/oauth/token/generate', { key, secret });
    assert.equal(token.status, 200, token.raw);
    const asToken = { headers: { 'x-cap-api-oauth-token': token.body.data.accessToken as string } };
    assert.equal((await send(t.app, asToken, 'GET', '/v2/leads')).status, 200);

    // Another org's admin cannot see or revoke this client.
    const foreign = await send(t.app, other.admin, 'PUT', `/v2/admin/oauthClients/${key}`, {
      revoked: true,
    });
    assertError(foreign, 404, 'OAUTH_CLIENT_NOT_FOUND', key);
    assert.equal((await send(t.app, asToken, 'GET', '/v2/leads')).status, 200);

    const revoked = await send(t.app, o.admin, 'PUT', `/v2/admin/oauthClients/${key}`, {
      revoked: true,
    });
    assert.deepEqual(revoked.body, { key, entity: o.till.code, revoked: true, warnings: [] });
    assert.equal((await send(t.app, asToken, 'GET', '/v2/leads')).status, 401);
    const again = await send(t.app, undefined, 'POST', '/v3/oauth/token/generate', { key, secret });
    assert.equal(again.status, 401);
    assert.deepEqual(
      (await audit(o)).slice(0, 2).map((e) => [e.action, e.target]),
      [
        ['oauth_client.revoke', key],
        ['oauth_client.create', key],
      ],
    );
    assert.ok(!JSON.stringify(await audit(o)).includes(secret));

    assertError(
      await send(t.app, o.admin, 'POST', '/v2/admin/oauthClients', { entity: o.store.code }),
      400,
      'FIELD_INVALID_VALUE',
      'entity',
    );
    assertError(
      await send(t.app, o.admin, 'POST', '/v2/admin/oauthClients', { entity: other.till.code }),
      400,
      'FIELD_UNKNOWN_REFERENCE',
      'entity',
    );
    assertError(
      await send(t.app, o.admin, 'PUT', `/v2/admin/oauthClients/${key}`, { revoked: false }),
      400,
      'FIELD_INVALID_VALUE',
      'revoked',
    );
  });

  it('reads and changes settings, audits before and after, and refuses bad values', async () => {
    const o = await newOrg(t.ctx);
    const get = async () => (await send(t.app, o.admin, 'GET', '/v2/admin/settings')).body;
    assert.deepEqual(await get(), {
      autoCloseDays: null,
      countryCode: null,
      rateLimitPerMinute: null,
      requireIfMatch: false,
      eventRetentionDays: null,
      timeZone: null,
      warnings: [],
    });

    const changed = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', {
      autoCloseDays: 30,
      countryCode: 'in',
    });
    assert.deepEqual(changed.body, {
      autoCloseDays: 30,
      countryCode: 'IN',
      rateLimitPerMinute: null,
      requireIfMatch: false,
      eventRetentionDays: null,
      timeZone: null,
      warnings: [],
    });
    const partial = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', { countryCode: null });
    assert.deepEqual(partial.body, {
      autoCloseDays: 30,
      countryCode: null,
      rateLimitPerMinute: null,
      requireIfMatch: false,
      eventRetentionDays: null,
      timeZone: null,
      warnings: [],
    });
    const [entry] = await audit(o);
    assert.equal(entry?.action, 'org.settings');
    assert.deepEqual(entry?.details, {
      before: { autoCloseDays: 30, countryCode: 'IN' },
      after: { autoCloseDays: 30, countryCode: null },
    });

    const put = (body: unknown) => send(t.app, o.admin, 'PUT', '/v2/admin/settings', body);
    assertError(await put({ autoCloseDays: 0 }), 400, 'FIELD_INVALID_VALUE', 'autoCloseDays');
    assertError(await put({ autoCloseDays: 4000 }), 400, 'FIELD_INVALID_VALUE', 'autoCloseDays');
    assertError(await put({ autoCloseDays: '3' }), 400, 'FIELD_INVALID_TYPE', 'autoCloseDays');
    assertError(await put({ countryCode: 'ZZ' }), 400, 'FIELD_INVALID_VALUE', 'countryCode');
    assertError(await put({ countryCode: 'IND' }), 400, 'FIELD_INVALID_VALUE', 'countryCode');
    assertError(await put({}), 400, 'FIELD_REQUIRED', 'autoCloseDays or countryCode');
    assertError(
      await put({ eventRetentionDays: 0 }),
      400,
      'FIELD_INVALID_VALUE',
      'eventRetentionDays',
    );
    assertError(
      await put({ eventRetentionDays: 366 }),
      400,
      'FIELD_INVALID_VALUE',
      'eventRetentionDays',
    );
    assert.deepEqual(await get(), {
      autoCloseDays: 30,
      countryCode: null,
      rateLimitPerMinute: null,
      requireIfMatch: false,
      eventRetentionDays: null,
      timeZone: null,
      warnings: [],
    });
  });

  it('sets the org’s time zone by any IANA name the runtime knows', async () => {
    const o = await newOrg(t.ctx);
    const put = (body: unknown) => send(t.app, o.admin, 'PUT', '/v2/admin/settings', body);
    const set = await put({ timeZone: 'Asia/Kolkata' });
    assert.equal(set.status, 200);
    assert.equal(set.body.timeZone, 'Asia/Kolkata');
    const [entry] = await audit(o);
    assert.deepEqual(entry?.details, {
      before: { autoCloseDays: null, countryCode: null, timeZone: null },
      after: { autoCloseDays: null, countryCode: null, timeZone: 'Asia/Kolkata' },
    });
    for (const bad of ['Mars/Olympus', 'UTC+5', 'Asia/Kolkata; drop table orgs']) {
      assertError(await put({ timeZone: bad }), 400, 'FIELD_INVALID_VALUE', 'timeZone');
    }
    assertError(await put({ timeZone: '' }), 400, 'FIELD_INVALID_VALUE', 'timeZone');
    assert.equal(
      (await send(t.app, o.admin, 'GET', '/v2/admin/settings')).body.timeZone,
      'Asia/Kolkata',
    );
    const cleared = await put({ timeZone: null });
    assert.equal(cleared.body.timeZone, null, 'null: back to UTC');
    const other = await newOrg(t.ctx);
    assert.equal(
      (await send(t.app, other.admin, 'GET', '/v2/admin/settings')).body.timeZone,
      null,
      'another org keeps its own',
    );
  });

  it('keeps each org’s audit log to itself, newest first, with CLI changes as actor -1', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    await createOauthClient(t.ctx, { org: o.org.name, entity: o.till.code });
    const entries = await audit(o);
    assert.deepEqual(
      entries.map((e) => e.action),
      [
        'oauth_client.create',
        'entity.create',
        'entity.create',
        'entity.create',
        'entity.create',
        'entity.create',
        'org.create',
      ],
    );
    assert.ok(entries.every((e) => e.actorId === -1));
    const ids = entries.map((e) => e.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
    const otherEntries = await audit(other);
    assert.ok(otherEntries.every((e) => !ids.includes(e.id)));
    assert.equal(otherEntries.at(-1)?.target, other.org.name);

    const page = await send(t.app, o.admin, 'GET', '/v2/admin/audit?limit=2&offset=1');
    assert.deepEqual(
      page.body.data.map((e: { id: number }) => e.id),
      ids.slice(1, 3),
    );
  });
});
