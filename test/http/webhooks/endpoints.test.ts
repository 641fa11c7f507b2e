import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newOrg, send, type TestOrg } from '../../helpers/factories.js';
import { assertError } from '../../helpers/fixtures.js';

const ALL_TYPES = ['lead.created', 'lead.updated', 'lead.status_changed', 'lead.follow_up_added'];

describe('webhook endpoints: /v2/admin/webhooks', () => {
  const clock = new TestClock(Date.parse('2026-06-01T10:00:00Z'));
  const t = useTestApp({ clock, env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,pos.store.internal' } });

  const create = (o: TestOrg, body: unknown) =>
    send(t.app, o.admin, 'POST', '/v2/admin/webhooks', body);
  const list = async (o: TestOrg) => {
    const response = await send(t.app, o.admin, 'GET', '/v2/admin/webhooks');
    assert.equal(response.status, 200, response.raw);
    return response.body.data as Array<Record<string, unknown>>;
  };
  const audit = async (o: TestOrg) =>
    (await send(t.app, o.admin, 'GET', '/v2/admin/audit?limit=20')).body.data as Array<{
      action: string;
      target: string;
      actorId: number;
    }>;

  it('creates an endpoint, showing its secret once, and lists it without', async () => {
    const o = await newOrg(t.ctx);
    const created = await create(o, {
      url: 'https://crm.example.com/leadline',
      events: ['lead.created', 'lead.status_changed'],
      description: 'CRM sync',
    });
    assert.equal(created.status, 200, created.raw);
    const { secret, ...endpoint } = created.body;
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    assert.deepEqual(endpoint, {
      id: endpoint.id,
      url: 'https://crm.example.com/leadline',
      events: ['lead.created', 'lead.status_changed'],
      description: 'CRM sync',
      enabled: true,
      createdOn: '2026-06-01T10:00:00Z',
      updatedOn: '2026-06-01T10:00:00Z',
      warnings: [],
    });
    const all = await create(o, { url: 'https://pos.example.com/hooks' });
    assert.equal(all.status, 200, all.raw);
    assert.deepEqual(all.body.events, ALL_TYPES, 'without events: every type');
    assert.notEqual(all.body.secret, secret);

    const listed = await list(o);
    assert.deepEqual(
      listed.map((e) => e.id),
      [endpoint.id, all.body.id],
    );
    assert.ok(listed.every((e) => !('secret' in e)));
    const [entry] = await audit(o);
    assert.deepEqual([entry?.action, entry?.target], ['webhook.create', String(all.body.id)]);
  });

  it('refuses internal, plain-http and malformed targets unless the operator allows them', async () => {
    const o = await newOrg(t.ctx);
    for (const url of [
      'https://127.0.0.2/hook',
      'https://10.1.2.3/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[::ffff:192.168.1.1]/hook',
      'https://localhost:8443/hook',
      'https://printer.local/hook',
      'https://intranet/hook',
      'http://crm.example.com/hook',
      'ftp://crm.example.com/hook',
      'https://user:pw@crm.example.com/hook',
      'not a url',
    ]) {
      assertError(await create(o, { url }), 400, 'FIELD_INVALID_VALUE', 'url');
    }
    assertError(
      await create(o, { url: 'https://crm.example.com', events: ['lead.deleted'] }),
      400,
      'FIELD_INVALID_VALUE',
      'events',
    );
    assertError(
      await create(o, { url: 'https://crm.example.com', events: [] }),
      400,
      'FIELD_INVALID_VALUE',
      'events',
    );
    assert.deepEqual(await list(o), [], 'nothing was created');
    for (const url of ['http://127.0.0.1:9000/hook', 'http://pos.store.internal/hook']) {
      const allowed = await create(o, { url });
      assert.equal(allowed.status, 200, `${url}: ${allowed.raw}`);
    }
  });

  it('disables, enables, rotates the secret and deletes, each audited', async () => {
    const o = await newOrg(t.ctx);
    const { id, secret } = (await create(o, { url: 'https://crm.example.com/hook' })).body;
    clock.advance(60_000);
    const disabled = await send(t.app, o.admin, 'PUT', `/v2/admin/webhooks/${id}`, {
      enabled: false,
    });
    assert.equal(disabled.status, 200, disabled.raw);
    assert.equal(disabled.body.enabled, false);
    assert.equal(disabled.body.updatedOn, '2026-06-01T10:01:00Z');
    assert.equal((await list(o))[0]?.enabled, false);
    const enabled = await send(t.app, o.admin, 'PUT', `/v2/admin/webhooks/${id}`, {
      enabled: true,
    });
    assert.equal(enabled.body.enabled, true);

    const rotated = await send(t.app, o.admin, 'POST', `/v2/admin/webhooks/${id}/rotateSecret`);
    assert.equal(rotated.status, 200, rotated.raw);
    assert.match(rotated.body.secret, /^whsec_/);
    assert.notEqual(rotated.body.secret, secret);
    assert.equal(rotated.body.previousSecretValidUntil, '2026-06-02T10:01:00Z');
    const stored = await t.ctx.store.db
      .selectFrom('webhook_endpoints')
      .select(['secret', 'previous_secret'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(stored, { secret: rotated.body.secret, previous_secret: secret });

    const deleted = await send(t.app, o.admin, 'DELETE', `/v2/admin/webhooks/${id}`);
    assert.equal(deleted.status, 200, deleted.raw);
    assert.deepEqual(deleted.body, { id, deleted: true, warnings: [] });
    assert.deepEqual(await list(o), []);
    assertError(
      await send(t.app, o.admin, 'DELETE', `/v2/admin/webhooks/${id}`),
      404,
      'WEBHOOK_NOT_FOUND',
      String(id),
    );
    assert.deepEqual(
      (await audit(o)).slice(0, 5).map((e) => e.action),
      [
        'webhook.delete',
        'webhook.rotate_secret',
        'webhook.enable',
        'webhook.disable',
        'webhook.create',
      ],
    );
  });

  it('keeps each org’s endpoints to itself and the routes to administrators', async () => {
    const mine = await newOrg(t.ctx);
    const theirs = await newOrg(t.ctx);
    const { id } = (await create(theirs, { url: 'https://crm.example.com/hook' })).body;
    assert.deepEqual(await list(mine), []);
    for (const [method, url, body] of [
      ['PUT', `/v2/admin/webhooks/${id}`, { enabled: false }],
      ['POST', `/v2/admin/webhooks/${id}/rotateSecret`, undefined],
      ['DELETE', `/v2/admin/webhooks/${id}`, undefined],
    ] as const) {
      const foreign = await send(t.app, mine.admin, method, url, body);
      const unknown = await send(
        t.app,
        mine.admin,
        method,
        url.replace(String(id), '999999999'),
        body,
      );
      assertError(foreign, 404, 'WEBHOOK_NOT_FOUND', String(id));
      assert.equal(
        foreign.raw.replace(`endpoint ${id} `, 'endpoint ID '),
        unknown.raw.replace('endpoint 999999999 ', 'endpoint ID '),
        'another org’s endpoint answers like one that does not exist',
      );
    }
    assert.equal((await list(theirs))[0]?.enabled, true, 'unchanged');
    const asTill = await send(t.app, mine.till, 'GET', '/v2/admin/webhooks');
    assert.equal(asTill.status, 403);
    const tillCreate = await send(t.app, mine.till, 'POST', '/v2/admin/webhooks', {
      url: 'https://crm.example.com/hook',
    });
    assert.equal(tillCreate.status, 403);
    assert.deepEqual(await list(mine), []);
  });
});
