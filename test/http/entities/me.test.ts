import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import { assertError } from '../../helpers/fixtures.js';

/** `GET /v2/me`: a caller learns its own entity id (what `createdBy` takes) and what it may do. */
describe('GET /v2/me', () => {
  const t = useTestApp({ env: { RATE_LIMIT_PER_MINUTE: '500' } });

  it('tells a till its id, code, org, parent store and permissions, without admin', async () => {
    const o = await newOrg(t.ctx);
    const response = await send(t.app, o.till, 'GET', '/v2/me');
    assert.equal(response.status, 200, response.raw);
    assert.deepEqual(response.body, {
      data: {
        id: o.till.id,
        code: o.till.code,
        type: 'TILL',
        org: { id: o.org.id, name: o.org.name },
        parent: { id: o.store.id, code: o.store.code, type: 'STORE' },
        permissions: ['leads', 'customers', 'channels', 'reasons', 'subStatuses', 'extendedFields'],
        rateLimitPerMinute: 500,
        requireIfMatch: false,
      },
      warnings: [],
      errors: [],
    });
  });

  it('gives the id a follow-up needs as createdBy', async () => {
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.associate);
    const me = (await send(t.app, o.associate, 'GET', '/v2/me')).body.data;
    const followUp = await send(t.app, o.associate, 'POST', `/v2/leads/${lead.id}/followup`, {
      createdBy: me.id,
      followedUpOn: '2026-03-01T10:00:00Z',
    });
    assert.equal(followUp.status, 200, followUp.raw);
    assert.equal(followUp.body.followUpDetails.at(-1).createdBy, o.associate.id);
  });

  it('shows an admin its admin permission and the org policy as it applies', async () => {
    const o = await newOrg(t.ctx);
    const set = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', {
      rateLimitPerMinute: 120,
      requireIfMatch: true,
    });
    assert.equal(set.status, 200, set.raw);
    const me = (await send(t.app, o.admin, 'GET', '/v2/me')).body.data;
    assert.equal(me.id, o.admin.id);
    assert.equal(me.type, 'ADMIN_USER');
    assert.deepEqual(me.parent, { id: o.zone.id, code: o.zone.code, type: 'ZONE' });
    assert.ok(me.permissions.includes('admin'));
    assert.equal(me.rateLimitPerMinute, 120);
    assert.equal(me.requireIfMatch, true);
    // Another org's caller sees its own org, never this one's policy.
    const other = await newOrg(t.ctx);
    const theirs = (await send(t.app, other.till, 'GET', '/v2/me')).body.data;
    assert.deepEqual(
      [theirs.org.id, theirs.rateLimitPerMinute, theirs.requireIfMatch],
      [other.org.id, 500, false],
    );
  });

  it('answers 401 without credentials and 401 with wrong ones', async () => {
    assertError(await send(t.app, undefined, 'GET', '/v2/me'), 401, 'UNAUTHORIZED', '');
    const o = await newOrg(t.ctx);
    const wrong = {
      headers: { authorization: `Basic ${Buffer.from(`${o.till.code}:x`).toString('base64')}` },
    };
    assert.equal((await send(t.app, wrong, 'GET', '/v2/me')).status, 401);
  });
});
