import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import { alertOf, formToken, signedIn } from '../../helpers/web.js';
import { insertAttempts } from '../../../src/webhooks/delivery.repository.js';

/** The answer to exchanging a client's key and secret for a token. */
async function tokenStatus(t: ReturnType<typeof useTestApp>, key: string, secret: string) {
  return (await send(t.app, undefined, 'POST', '/v3/oauth/token/generate', { key, secret })).status;
}

/** The secret a page shows once, from its read-only field. */
const secretOn = (page: string) => /id="secret-value"\s+readonly\s+value="([^"]+)"/.exec(page)?.[1];
const noticeOf = (page: string) => /class="notice" role="status">([^<]*)</.exec(page)?.[1];

describe('web app: OAuth clients and webhooks', () => {
  const t = useTestApp({ env: { WEBHOOK_ALLOWED_HOSTS: 'pos.store.internal' } });

  it('adds an OAuth client, shows its secret once, and revokes it', async () => {
    const o = await newOrg(t.ctx);
    const admin = await signedIn(t.app, o.admin);
    const page = await admin.get('/app/admin/oauth-clients');
    assert.equal(page.statusCode, 200);
    const _csrf = formToken(page.body);

    const added = await admin.post('/app/admin/oauth-clients', { _csrf, entity: o.till.code });
    assert.equal(added.statusCode, 200);
    const key = /Client (ll_[\w-]+) added\./.exec(noticeOf(added.body) ?? '')?.[1];
    const secret = secretOn(added.body);
    assert.ok(key && secret);
    // The secret works, as the till.
    assert.equal(await tokenStatus(t, key, secret), 200);
    // Listed from then on, and the secret is never shown again.
    const listed = await admin.get('/app/admin/oauth-clients');
    assert.ok(listed.body.includes(key));
    assert.match(listed.body, new RegExp(`acts as ${o.till.code}`));
    assert.equal(listed.body.includes(secret), false);
    assert.equal(secretOn(listed.body), undefined);

    const refused = await admin.post('/app/admin/oauth-clients', { _csrf, entity: o.store.code });
    assert.equal(refused.statusCode, 400);
    assert.match(alertOf(refused.body) ?? '', /entity: a STORE cannot log in/);
    const unknown = await admin.post('/app/admin/oauth-clients', { _csrf, entity: 'nobody' });
    assert.equal(unknown.statusCode, 400);
    assert.match(alertOf(unknown.body) ?? '', /no entity nobody/);
    const hostile = await admin.post('/app/admin/oauth-clients', {
      _csrf,
      entity: '<script>alert(1)</script>',
    });
    assert.equal(hostile.statusCode, 400);
    assert.doesNotMatch(hostile.body, /<script>alert/);
    assert.ok(hostile.body.includes('value="&lt;script&gt;alert(1)&lt;/script&gt;"'));

    const revoked = await admin.post(`/app/admin/oauth-clients/${key}/revoke`, { _csrf });
    assert.equal(revoked.statusCode, 303);
    const after = await admin.get(revoked.headers.location as string);
    assert.equal(noticeOf(after.body), 'Client revoked: its tokens no longer work.');
    assert.match(after.body, /class="status">Revoked</);
    assert.equal(await tokenStatus(t, key, secret), 401);
  });

  it('keeps another org’s clients and endpoints out of sight and out of reach', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const theirClient = await send(t.app, other.admin, 'POST', '/v2/admin/oauthClients', {
      entity: other.till.code,
    });
    const theirHook = await send(t.app, other.admin, 'POST', '/v2/admin/webhooks', {
      url: 'https://crm.example.com/theirs',
    });
    const admin = await signedIn(t.app, o.admin);
    const _csrf = formToken((await admin.get('/app/admin/webhooks')).body);
    assert.equal(
      (await admin.get('/app/admin/oauth-clients')).body.includes(theirClient.body.key),
      false,
    );
    assert.equal((await admin.get('/app/admin/webhooks')).body.includes('crm.example.com'), false);
    const id = theirHook.body.id as number;
    const missing = await admin.get('/app/admin/webhooks/999999999');
    for (const [url, form] of [
      [`/app/admin/oauth-clients/${theirClient.body.key}/revoke`, { _csrf }],
      [`/app/admin/webhooks/${id}/enabled`, { _csrf, enabled: 'off' }],
      [`/app/admin/webhooks/${id}/rotate`, { _csrf }],
      [`/app/admin/webhooks/${id}/delete`, { _csrf }],
      [
        `/app/admin/webhooks/${id}/replay`,
        { _csrf, from: '2026-01-01T00:00', to: '2026-01-02T00:00' },
      ],
    ] as const) {
      const answer = await admin.post(url, form);
      assert.equal(answer.statusCode, 404, url);
    }
    const page = await admin.get(`/app/admin/webhooks/${id}`);
    assert.equal(page.statusCode, 404);
    assert.equal(missing.statusCode, 404);
    // Theirs is as it was: enabled, and its client still works.
    const theirs = await send(t.app, other.admin, 'GET', '/v2/admin/webhooks');
    assert.equal(theirs.body.data[0].enabled, true);
    assert.equal(await tokenStatus(t, theirClient.body.key, theirClient.body.secret), 200);
    // A till is refused every one of these pages.
    const till = await signedIn(t.app, o.till);
    for (const url of ['/app/admin/oauth-clients', '/app/admin/webhooks']) {
      assert.equal((await till.get(url)).statusCode, 403, url);
    }
  });

  it('adds an endpoint with its secret shown once, switches it, rotates, replays and deletes', async () => {
    const o = await newOrg(t.ctx);
    const admin = await signedIn(t.app, o.admin);
    const page = await admin.get('/app/admin/webhooks');
    const _csrf = formToken(page.body);

    const insecure = await admin.post('/app/admin/webhooks', {
      _csrf,
      url: 'http://crm.example.com/hooks',
      description: 'CRM <b>sync</b>',
      events: ['lead.created', 'lead.status_changed'],
    });
    assert.equal(insecure.statusCode, 400);
    const hostileUrl = await admin.post('/app/admin/webhooks', {
      _csrf,
      url: 'https://"><img src=x onerror=alert(1)>',
    });
    assert.equal(hostileUrl.statusCode, 400);
    assert.doesNotMatch(hostileUrl.body, /<img src=x/);
    assert.match(alertOf(insecure.body) ?? '', /^url /);
    // The refused form keeps what was typed and ticked, escaped.
    assert.ok(insecure.body.includes('value="CRM &lt;b&gt;sync&lt;/b&gt;"'));
    assert.match(insecure.body, /value="lead\.status_changed"\s+checked/);
    assert.doesNotMatch(insecure.body, /value="lead\.updated"\s+checked/);

    const url = 'http://pos.store.internal/leadline';
    const added = await admin.post('/app/admin/webhooks', {
      _csrf,
      url,
      description: 'POS',
      events: ['lead.created', 'lead.status_changed'],
    });
    assert.equal(added.statusCode, 200, alertOf(added.body));
    const secret = secretOn(added.body);
    assert.match(secret ?? '', /^whsec_/);
    const api = await send(t.app, o.admin, 'GET', '/v2/admin/webhooks');
    const endpoint = api.body.data[0] as { id: number; events: string[]; enabled: boolean };
    assert.deepEqual(endpoint.events, ['lead.created', 'lead.status_changed']);
    const listed = await admin.get('/app/admin/webhooks');
    assert.ok(listed.body.includes(`href="/app/admin/webhooks/${endpoint.id}"`));
    assert.equal(listed.body.includes(secret as string), false);
    assert.match(listed.body, /0 pending/);

    const disabled = await admin.post(`/app/admin/webhooks/${endpoint.id}/enabled`, {
      _csrf,
      enabled: 'off',
    });
    assert.equal(disabled.headers.location, '/app/admin/webhooks?done=webhook-disabled');
    assert.equal(
      (await send(t.app, o.admin, 'GET', '/v2/admin/webhooks')).body.data[0].enabled,
      false,
    );
    await admin.post(`/app/admin/webhooks/${endpoint.id}/enabled`, { _csrf, enabled: 'on' });
    assert.equal(
      (await send(t.app, o.admin, 'GET', '/v2/admin/webhooks')).body.data[0].enabled,
      true,
    );

    const rotated = await admin.post(`/app/admin/webhooks/${endpoint.id}/rotate`, { _csrf });
    assert.equal(rotated.statusCode, 200);
    const newSecret = secretOn(rotated.body);
    assert.match(newSecret ?? '', /^whsec_/);
    assert.notEqual(newSecret, secret);
    assert.match(noticeOf(rotated.body) ?? '', /signed with the old one too until/);

    // Events made now; a replay of the last hour sends each again.
    const lead = await newLead(t.app, o.till);
    await newLead(t.app, o.till);
    const detail = await admin.get(`/app/admin/webhooks/${endpoint.id}`);
    assert.equal(detail.statusCode, 200);
    const from = /id="replay-from"[^>]*value="([^"]+)"/.exec(detail.body)?.[1];
    const to = /id="replay-to"[^>]*value="([^"]+)"/.exec(detail.body)?.[1];
    assert.ok(from && to);
    const bad = await admin.post(`/app/admin/webhooks/${endpoint.id}/replay`, {
      _csrf,
      from: 'yesterday',
      to,
    });
    assert.equal(bad.statusCode, 400);
    assert.match(alertOf(bad.body) ?? '', /from: a date and time/);
    // The minute shown is the minute now began in; a minute on covers the events just made.
    const later = new Date(Date.parse(`${to}:00Z`) + 120_000).toISOString().slice(0, 16);
    const replayed = await admin.post(`/app/admin/webhooks/${endpoint.id}/replay`, {
      _csrf,
      from,
      to: later,
    });
    assert.equal(replayed.statusCode, 303);
    assert.equal(replayed.headers.location, `/app/admin/webhooks/${endpoint.id}?replayed=2`);
    const log = await admin.get(replayed.headers.location);
    assert.equal(noticeOf(log.body), 'Sent again: 2 deliveries made.');
    assert.ok(log.body.includes(`href="/app/leads/${lead.id}"`));
    assert.equal((log.body.match(/<strong>lead\.created<\/strong>/g) ?? []).length, 2);

    // An attempt as the dispatcher records it (the dispatcher itself is global to the store,
    // so a test of one org does not run it): its answer is shown escaped.
    const deliveries = await send(
      t.app,
      o.admin,
      'GET',
      `/v2/admin/webhooks/deliveries?endpointId=${endpoint.id}&leadId=${lead.id}`,
    );
    const delivery = deliveries.body.data[0] as { id: number; eventId: string };
    await t.ctx.store.transaction((trx) =>
      insertAttempts(trx, [
        {
          org_id: o.org.id,
          delivery_id: delivery.id,
          endpoint_id: endpoint.id,
          attempted_on: Date.now(),
          status_code: 500,
          latency_ms: 42,
          response_body: '<img src=x onerror=alert(1)>',
          error: 'the endpoint answered 500',
        },
      ]),
    );
    const withAttempt = await admin.get(`/app/admin/webhooks/${endpoint.id}`);
    assert.match(withAttempt.body, /HTTP 500\s+in 42 ms/);
    assert.ok(withAttempt.body.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.doesNotMatch(withAttempt.body, /<img src=x/);
    // One event sent again by its id.
    const one = await admin.post(`/app/admin/webhooks/${endpoint.id}/replay`, {
      _csrf,
      eventId: delivery.eventId,
    });
    assert.equal(one.headers.location, `/app/admin/webhooks/${endpoint.id}?replayed=1`);
    const audit = await send(t.app, o.admin, 'GET', '/v2/admin/audit?limit=10');
    const actions = (audit.body.data as Array<{ action: string }>).map((entry) => entry.action);
    for (const action of [
      'webhook.create',
      'webhook.disable',
      'webhook.rotate_secret',
      'webhook.replay',
    ]) {
      assert.ok(actions.includes(action), action);
    }

    const deleted = await admin.post(`/app/admin/webhooks/${endpoint.id}/delete`, { _csrf });
    assert.equal(deleted.headers.location, '/app/admin/webhooks?done=webhook-deleted');
    assert.equal((await send(t.app, o.admin, 'GET', '/v2/admin/webhooks')).body.data.length, 0);
    // Without the form's token nothing changes.
    const forged = await admin.post('/app/admin/webhooks', { _csrf: 'forged', url });
    assert.equal(forged.statusCode, 403);
    assert.equal((await send(t.app, o.admin, 'GET', '/v2/admin/webhooks')).body.data.length, 0);
  });
});
