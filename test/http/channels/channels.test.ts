import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, unique } from '../../helpers/factories.js';
import { resolveRef } from '../../helpers/openapi.js';
import { assertError, assertErrors, codeOf, listIds, orgSnapshot } from '../../helpers/fixtures.js';

/**
 * Channels: every org has the same catalogue with stable `orgSourceId` values, readable through
 * `GET /v2/channels`; a lead's `orgSourceId` must be one of them, and filters the lead list.
 */

/** The stable ids clients rely on, written out here rather than imported from the source. */
const CHANNELS = [
  { orgSourceId: -1, name: 'INSTORE' },
  { orgSourceId: 1, name: 'FACEBOOK' },
  { orgSourceId: 2, name: 'WEB_ENGAGE' },
  { orgSourceId: 3, name: 'WECHAT' },
  { orgSourceId: 4, name: 'MARTJACK' },
  { orgSourceId: 5, name: 'TMALL' },
  { orgSourceId: 6, name: 'TAOBAO' },
  { orgSourceId: 7, name: 'JD' },
  { orgSourceId: 8, name: 'ECOMMERCE' },
  { orgSourceId: 9, name: 'LINE' },
  { orgSourceId: 10, name: 'WEBSITE' },
];

describe('channels', () => {
  const clock = new TestClock();
  const t = useTestApp({ clock });

  describe('GET /v2/channels', () => {
    it('lists the org’s channels by orgSourceId, in the list envelope', async () => {
      const o = await newOrg(t.ctx);
      const response = await send(t.app, o.till, 'GET', '/v2/channels');
      assert.equal(response.status, 200, response.raw);
      assert.deepEqual(response.body, { data: CHANNELS, warnings: [], errors: [] });
    });

    it('answers every caller of every org, each org with its own copy', async () => {
      const a = await newOrg(t.ctx);
      const b = await newOrg(t.ctx);
      for (const who of [a.till, a.associate, a.admin, b.till]) {
        const response = await send(t.app, who, 'GET', '/v2/channels');
        assert.equal(response.status, 200, response.raw);
        assert.deepEqual(response.body.data, CHANNELS);
      }
      // Each org's rows are its own: removing one org's channel leaves the other's list whole.
      await t.ctx.store.transaction((trx) =>
        trx
          .deleteFrom('channels')
          .where('org_id', '=', a.org.id)
          .where('source_id', '=', 7)
          .execute(),
      );
      const listA = await send(t.app, a.till, 'GET', '/v2/channels');
      assert.deepEqual(
        listA.body.data,
        CHANNELS.filter((c) => c.orgSourceId !== 7),
      );
      const listB = await send(t.app, b.till, 'GET', '/v2/channels');
      assert.deepEqual(listB.body.data, CHANNELS);
      // ...and lead creation follows the org's own list.
      const refused = await send(t.app, a.till, 'POST', '/v2/leads', {
        leadFor: 'X',
        idType: 'EMAIL',
        identifier: `${unique('jd')}@example.com`,
        orgSourceId: 7,
      });
      assertError(refused, 400, 'FIELD_UNKNOWN_REFERENCE', 'orgSourceId');
      assert.equal((await newLead(t.app, b.till, { orgSourceId: 7 })).orgSourceId, 7);
    });

    it('needs credentials and only answers GET', async () => {
      const o = await newOrg(t.ctx);
      assertError(await send(t.app, undefined, 'GET', '/v2/channels'), 401, 'UNAUTHORIZED', '');
      const post = await send(t.app, o.till, 'POST', '/v2/channels', [{ name: 'TIKTOK' }]);
      assertError(post, 405, 'METHOD_NOT_ALLOWED', 'POST');
      assert.equal(post.headers.allow, 'GET, HEAD');
    });

    it('is in /openapi.json with its response schema', async () => {
      const doc = (await send(t.app, undefined, 'GET', '/openapi.json')).body;
      const ok = doc.paths?.['/v2/channels']?.get?.responses?.['200'];
      assert.ok(ok, 'GET /v2/channels: no 200');
      const item = resolveRef(doc, ok.content['application/json'].schema.properties.data.items);
      assert.deepEqual(Object.keys(item.properties).sort(), ['name', 'orgSourceId']);
    });
  });

  describe('orgSourceId on leads', () => {
    it('accepts every listed channel, and the filter finds exactly its leads', async () => {
      const a = await newOrg(t.ctx);
      const b = await newOrg(t.ctx);
      const byChannel = new Map<number, number>();
      for (const { orgSourceId } of CHANNELS) {
        const lead = await newLead(t.app, a.till, { orgSourceId });
        assert.equal(lead.orgSourceId, orgSourceId);
        byChannel.set(orgSourceId, lead.id);
      }
      const defaulted = await newLead(t.app, a.till);
      assert.equal(defaulted.orgSourceId, -1);
      // Another org's leads on the same channels never show up in A's filter.
      await newLead(t.app, b.till, { orgSourceId: 1 });
      await newLead(t.app, b.till);

      for (const { orgSourceId } of CHANNELS) {
        const expected = [byChannel.get(orgSourceId)];
        if (orgSourceId === -1) expected.push(defaulted.id);
        assert.deepEqual(
          await listIds(t.app, a.till, `orgSourceId=${orgSourceId}&limit=100`),
          expected,
          `orgSourceId=${orgSourceId}`,
        );
      }
      assert.equal((await listIds(t.app, a.till, 'limit=100')).length, CHANNELS.length + 1);
      for (const unknown of [11, 0, 4242]) {
        assert.deepEqual(await listIds(t.app, a.till, `orgSourceId=${unknown}`), []);
      }
      const below = await send(t.app, a.till, 'GET', '/v2/leads?orgSourceId=-2');
      assertError(below, 400, 'FIELD_INVALID_VALUE', 'orgSourceId');
    });

    it('an unknown orgSourceId on create is 400 (1105) naming it, and changes nothing', async () => {
      const o = await newOrg(t.ctx);
      await newLead(t.app, o.till, { orgSourceId: 1 });
      for (const orgSourceId of [11, 0, 4242, 2147483647]) {
        const before = await orgSnapshot(t.app, t.ctx, o.till);
        clock.advance(1000);
        // A new customer's identifier: refusing the lead must not create the customer either.
        const response = await send(t.app, o.till, 'POST', '/v2/leads', {
          leadFor: 'JKT-0192-M',
          idType: 'EMAIL',
          identifier: `${unique('shopper')}@example.com`,
          orgSourceId,
        });
        assertError(response, 400, 'FIELD_UNKNOWN_REFERENCE', 'orgSourceId');
        assert.equal(response.body.errors[0].code, 1105);
        assert.equal(codeOf('FIELD_UNKNOWN_REFERENCE'), 1105);
        assert.match(response.body.errors[0].message, new RegExp(`\\b${orgSourceId}\\b`));
        assert.deepEqual(await orgSnapshot(t.app, t.ctx, o.till), before, String(orgSourceId));
      }
    });

    it('below -1 the schema refuses it; with other bad references every one is listed', async () => {
      const o = await newOrg(t.ctx);
      await newLead(t.app, o.till);
      const before = await orgSnapshot(t.app, t.ctx, o.till);
      const below = await send(t.app, o.till, 'POST', '/v2/leads', {
        leadFor: 'X',
        idType: 'EMAIL',
        identifier: `${unique('shopper')}@example.com`,
        orgSourceId: -2,
      });
      assertError(below, 400, 'FIELD_INVALID_VALUE', 'orgSourceId');
      const several = await send(t.app, o.till, 'POST', '/v2/leads', {
        leadFor: 'X',
        idType: 'MOBILE',
        identifier: '12345',
        owner: 'no-such-associate',
        orgSourceId: 11,
      });
      assertErrors(several, 400, [
        ['FIELD_INVALID_MOBILE', 'identifier'],
        ['FIELD_UNKNOWN_REFERENCE', 'owner'],
        ['FIELD_UNKNOWN_REFERENCE', 'orgSourceId'],
      ]);
      const wrongType = await send(t.app, o.till, 'POST', '/v2/leads', {
        leadFor: 'X',
        idType: 'EMAIL',
        identifier: `${unique('shopper')}@example.com`,
        orgSourceId: '1',
      });
      assertError(wrongType, 400, 'FIELD_INVALID_TYPE', 'orgSourceId');
      assert.deepEqual(await orgSnapshot(t.app, t.ctx, o.till), before);
    });
  });
});
