import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, unique, type TestOrg } from '../../helpers/factories.js';
import {
  assertError,
  assertErrors,
  customerCount,
  NEVER_ID,
  orgSnapshot,
  reasonIdOf,
} from '../../helpers/fixtures.js';
import type { ErrorName } from '../../../src/core/errors.js';
import { resolveRef } from '../../helpers/openapi.js';

/**
 * Customers: mobiles in E.164 read in the org's country, emails without case or blanks, one
 * customer per person; `GET /v2/customers/{id}` and the look-up by identifier with the leads
 * count; another org's customer answers like one that does not exist.
 */

type Who = { headers: Record<string, string> };

describe('customers', () => {
  const clock = new TestClock();
  const t = useTestApp({ clock });

  /** Sets the org's default country as the org-settings API would. */
  async function setCountry(o: TestOrg, country: string | null): Promise<void> {
    await t.ctx.store.transaction((trx) =>
      trx.updateTable('orgs').set({ country_code: country }).where('id', '=', o.org.id).execute(),
    );
  }

  /** POST /v2/leads for a MOBILE identifier, asserting success; returns the lead. */
  function mobileLead(o: TestOrg, identifier: string, overrides: Record<string, unknown> = {}) {
    return newLead(t.app, o.till, { idType: 'MOBILE', identifier, ...overrides });
  }

  /** POST /v2/leads for an existing customer, asserting success; returns the lead. */
  function customerLead(o: TestOrg, userId: number, overrides: Record<string, unknown> = {}) {
    return newLead(t.app, o.till, {
      idType: undefined,
      identifier: undefined,
      userId,
      ...overrides,
    });
  }

  function lookUp(who: Who, idType: string, identifier: string) {
    return send(
      t.app,
      who,
      'GET',
      `/v2/customers?idType=${idType}&identifier=${encodeURIComponent(identifier)}`,
    );
  }

  async function customer(who: Who, id: number): Promise<any> {
    const response = await send(t.app, who, 'GET', `/v2/customers/${id}`);
    assert.equal(response.status, 200, response.raw);
    return response.body;
  }

  describe('mobile numbers in E.164', () => {
    it('with org country IN, national, trunk-prefixed and international forms are one customer', async () => {
      const o = await newOrg(t.ctx);
      await setCountry(o, 'IN');
      const forms = [
        '098450 12345',
        '+91 98450-12345',
        '0091 9845012345',
        '98450 12345',
        '(0) 98450.12345',
        '919845012345',
      ];
      const leads = [];
      for (const form of forms) leads.push(await mobileLead(o, form));
      const userId = leads[0].userId;
      for (const lead of leads) assert.equal(lead.userId, userId);
      assert.equal(await customerCount(t.ctx, o.org.id), 1);
      const shown = await customer(o.till, userId);
      assert.equal(shown.mobile, '+919845012345');
      assert.equal(shown.leadsCount, forms.length);
      assert.equal('email' in shown, false);
    });

    it('without an org country, the digits include the country code', async () => {
      const o = await newOrg(t.ctx);
      const a = await mobileLead(o, '919845012345');
      const b = await mobileLead(o, '+91 98450 12345');
      const c = await mobileLead(o, '0091-98450-12345');
      assert.equal(b.userId, a.userId);
      assert.equal(c.userId, a.userId);
      assert.equal((await customer(o.till, a.userId)).mobile, '+919845012345');
      // Ten national digits are +98 45012345, no Iranian number: refused, nothing stored.
      const before = await orgSnapshot(t.app, t.ctx, o.till);
      const national = await send(t.app, o.till, 'POST', '/v2/leads', {
        leadFor: 'X',
        idType: 'MOBILE',
        identifier: '98450 12345',
      });
      assertError(national, 400, 'FIELD_INVALID_MOBILE', 'identifier');
      assert.deepEqual(await orgSnapshot(t.app, t.ctx, o.till), before);
      // Once the org has a country, the national form finds the customer stored before.
      await setCountry(o, 'IN');
      assert.equal((await mobileLead(o, '98450 12345')).userId, a.userId);
      assert.equal(await customerCount(t.ctx, o.org.id), 1);
    });

    it('with org country US, US forms are one customer and a + number keeps its country', async () => {
      const o = await newOrg(t.ctx);
      await setCountry(o, 'US');
      const forms = [
        '(415) 555-2671',
        '415.555.2671',
        '1 415 555 2671',
        '+1 415 555 2671',
        '001 415 555 2671',
      ];
      const leads = [];
      for (const form of forms) leads.push(await mobileLead(o, form));
      for (const lead of leads) assert.equal(lead.userId, leads[0].userId);
      assert.equal((await customer(o.till, leads[0].userId)).mobile, '+14155552671');
      const indian = await mobileLead(o, '+91 98450 12345');
      assert.notEqual(indian.userId, leads[0].userId);
      assert.equal((await customer(o.till, indian.userId)).mobile, '+919845012345');
      // The US international prefix is understood too.
      assert.equal((await mobileLead(o, '011 91 98450 12345')).userId, indian.userId);
      assert.equal(await customerCount(t.ctx, o.org.id), 2);
    });

    it('an invalid number is 400 FIELD_INVALID_MOBILE naming identifier and changes nothing', async () => {
      const o = await newOrg(t.ctx);
      await setCountry(o, 'IN');
      await mobileLead(o, '+91 98450 12345');
      const invalid = [
        '12345',
        '98450 1234',
        '98450 123456',
        // Ten digits, but no Indian number starts with 5 (only full metadata knows that).
        '+91 58450 12345',
        '+1 123 456 7890',
        '0091 98450',
        '+',
        '00',
        '98450-ABC-12',
        '+91 98450 12345 ext 1',
        '+91+98450 12345',
        'ann@example.com',
      ];
      for (const identifier of invalid) {
        const before = await orgSnapshot(t.app, t.ctx, o.till);
        clock.advance(1000);
        const created = await send(t.app, o.till, 'POST', '/v2/leads', {
          leadFor: 'X',
          idType: 'MOBILE',
          identifier,
        });
        assertError(created, 400, 'FIELD_INVALID_MOBILE', 'identifier');
        assertError(
          await lookUp(o.till, 'MOBILE', identifier),
          400,
          'FIELD_INVALID_MOBILE',
          'identifier',
        );
        assert.deepEqual(await orgSnapshot(t.app, t.ctx, o.till), before, identifier);
      }
      assert.equal(await customerCount(t.ctx, o.org.id), 1);
    });

    it('concurrent leads for one number in different forms make one customer', async () => {
      const o = await newOrg(t.ctx);
      await setCountry(o, 'IN');
      const forms = ['98450 12345', '+91 98450 12345', '0091 98450 12345', '098450-12345'];
      const leads = await Promise.all(
        Array.from({ length: 12 }, (_, i) => mobileLead(o, forms[i % forms.length] ?? '')),
      );
      assert.equal(new Set(leads.map((l) => l.userId)).size, 1);
      assert.equal(await customerCount(t.ctx, o.org.id), 1);
      assert.equal((await customer(o.till, leads[0].userId)).leadsCount, 12);
    });
  });

  describe('emails', () => {
    it('are trimmed and lower-cased, so case and blanks make no second customer', async () => {
      const o = await newOrg(t.ctx);
      const name = unique('Ana.Silva');
      const first = await newLead(t.app, o.till, { identifier: `  ${name}@Example.COM ` });
      const second = await newLead(t.app, o.till, {
        identifier: `${name.toUpperCase()}@EXAMPLE.com`,
      });
      assert.equal(second.userId, first.userId);
      const email = `${name.toLowerCase()}@example.com`;
      const shown = await customer(o.till, first.userId);
      assert.equal(shown.email, email);
      assert.equal('mobile' in shown, false);
      const found = await lookUp(o.till, 'EMAIL', ` ${name}@EXAMPLE.COM`);
      assert.equal(found.status, 200, found.raw);
      assert.equal(found.body.id, first.userId);
      assert.equal(await customerCount(t.ctx, o.org.id), 1);
    });

    it('concurrent leads for one email make one customer', async () => {
      const o = await newOrg(t.ctx);
      const name = unique('rush');
      const leads = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          newLead(t.app, o.till, {
            identifier: i % 2 === 0 ? `${name}@example.com` : ` ${name.toUpperCase()}@Example.com`,
          }),
        ),
      );
      assert.equal(new Set(leads.map((l) => l.userId)).size, 1);
      assert.equal(await customerCount(t.ctx, o.org.id), 1);
    });
  });

  describe('GET /v2/customers/{id}', () => {
    it('answers the customer with its leads count, DELETED leads excluded', async () => {
      clock.ms = Date.parse('2026-03-01T12:15:00.900Z');
      const o = await newOrg(t.ctx);
      await setCountry(o, 'IN');
      const first = await mobileLead(o, '98450 12345');
      const userId = first.userId;
      clock.advance(3_600_000);
      const second = await customerLead(o, userId);
      const third = await customerLead(o, userId, { status: 'WON' });
      await newLead(t.app, o.till); // another customer's lead
      assert.deepEqual(await customer(o.till, userId), {
        id: userId,
        mobile: '+919845012345',
        createdOn: '2026-03-01T12:15:00Z',
        leadsCount: 3,
        warnings: [],
      });

      const apiCall = await reasonIdOf(t.app, o.till, 'APICALL');
      const setStatus = async (id: number, status: string) => {
        const r = await send(t.app, o.till, 'PUT', `/v2/leads/${id}/status`, {
          status,
          reasonId: apiCall,
        });
        assert.equal(r.status, 200, r.raw);
      };
      await setStatus(second.id, 'DELETED');
      assert.equal((await customer(o.till, userId)).leadsCount, 2);
      await setStatus(third.id, 'DELETED');
      await setStatus(first.id, 'LOST');
      assert.equal((await customer(o.till, userId)).leadsCount, 1);
      await setStatus(second.id, 'OPEN');
      assert.equal((await customer(o.till, userId)).leadsCount, 2);
    });

    it('a customer without leads counts 0; ids that name no customer are 404', async () => {
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till);
      const apiCall = await reasonIdOf(t.app, o.till, 'APICALL');
      const deleted = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
        status: 'DELETED',
        reasonId: apiCall,
      });
      assert.equal(deleted.status, 200, deleted.raw);
      assert.equal((await customer(o.till, lead.userId)).leadsCount, 0);

      for (const id of [String(NEVER_ID), '0', '99999999999999999999']) {
        const response = await send(t.app, o.till, 'GET', `/v2/customers/${id}`);
        assertError(response, 404, 'CUSTOMER_NOT_FOUND', id);
      }
      const word = await send(t.app, o.till, 'GET', '/v2/customers/abc');
      assertError(word, 404, 'ROUTE_NOT_FOUND', '/v2/customers/abc');
      // Credentials are checked before the id.
      const anonymous = await send(t.app, undefined, 'GET', `/v2/customers/${lead.userId}`);
      assertError(anonymous, 401, 'UNAUTHORIZED', '');
      const post = await send(t.app, o.till, 'POST', `/v2/customers/${lead.userId}`, {});
      assertError(post, 405, 'METHOD_NOT_ALLOWED', 'POST');
      assert.equal(post.headers.allow, 'GET, HEAD');
      const deleteAll = await send(t.app, o.till, 'DELETE', '/v2/customers');
      assertError(deleteAll, 405, 'METHOD_NOT_ALLOWED', 'DELETE');
    });
  });

  describe('GET /v2/customers?idType&identifier', () => {
    it('finds the customer by identifier, normalised as on lead creation, like GET by id', async () => {
      const o = await newOrg(t.ctx);
      await setCountry(o, 'IN');
      const byMobile = await mobileLead(o, '+91 98450 12345');
      const email = `${unique('bea')}@example.com`;
      const byEmail = await newLead(t.app, o.till, { identifier: email });
      await customerLead(o, byEmail.userId);

      for (const form of ['098450 12345', '+919845012345', '0091 98450-12345']) {
        const found = await lookUp(o.till, 'MOBILE', form);
        assert.equal(found.status, 200, found.raw);
        assert.deepEqual(found.body, await customer(o.till, byMobile.userId));
      }
      const found = await lookUp(o.associate, 'EMAIL', email.toUpperCase());
      assert.equal(found.status, 200, found.raw);
      assert.deepEqual(found.body, {
        id: byEmail.userId,
        email,
        createdOn: found.body.createdOn,
        leadsCount: 2,
        warnings: [],
      });
    });

    it('an unknown identifier is 404 CUSTOMER_NOT_FOUND and creates no customer', async () => {
      const o = await newOrg(t.ctx);
      await setCountry(o, 'IN');
      await mobileLead(o, '98450 12345');
      const email = await lookUp(o.till, 'EMAIL', `${unique('nobody')}@example.com`);
      assertError(email, 404, 'CUSTOMER_NOT_FOUND', 'identifier');
      const mobile = await lookUp(o.till, 'MOBILE', '98450 12346');
      assertError(mobile, 404, 'CUSTOMER_NOT_FOUND', 'identifier');
      // The same digits under the other identifier type are not that customer.
      assertError(
        await lookUp(o.till, 'MOBILE', '+1 415 555 2671'),
        404,
        'CUSTOMER_NOT_FOUND',
        'identifier',
      );
      assert.equal(await customerCount(t.ctx, o.org.id), 1);
    });

    it('a bad query is a 400 naming each bad field, and changes nothing', async () => {
      const o = await newOrg(t.ctx);
      await newLead(t.app, o.till);
      const cases: Array<[query: string, errors: Array<[ErrorName, string]>]> = [
        [
          '',
          [
            ['FIELD_REQUIRED', 'idType'],
            ['FIELD_REQUIRED', 'identifier'],
          ],
        ],
        ['?idType=EMAIL', [['FIELD_REQUIRED', 'identifier']]],
        ['?identifier=ann%40example.com', [['FIELD_REQUIRED', 'idType']]],
        ['?idType=PHONE&identifier=ann%40example.com', [['FIELD_INVALID_VALUE', 'idType']]],
        ['?idType=email&identifier=ann%40example.com', [['FIELD_INVALID_VALUE', 'idType']]],
        ['?idType=EMAIL&identifier=', [['FIELD_INVALID_VALUE', 'identifier']]],
        [`?idType=EMAIL&identifier=${'a'.repeat(255)}`, [['FIELD_INVALID_VALUE', 'identifier']]],
        ['?idType=EMAIL&identifier=ann.example.com', [['FIELD_INVALID_EMAIL', 'identifier']]],
        ['?idType=EMAIL&identifier=ann%40', [['FIELD_INVALID_EMAIL', 'identifier']]],
        ['?idType=MOBILE&identifier=12345', [['FIELD_INVALID_MOBILE', 'identifier']]],
        ['?idType=MOBILE&identifier=ann%40example.com', [['FIELD_INVALID_MOBILE', 'identifier']]],
        ['?idType=EMAIL&identifier=ann%00%40example.com', [['FIELD_INVALID_VALUE', 'identifier']]],
      ];
      for (const [query, errors] of cases) {
        const before = await orgSnapshot(t.app, t.ctx, o.till);
        const response = await send(t.app, o.till, 'GET', `/v2/customers${query}`);
        assertErrors(response, 400, errors);
        assert.deepEqual(await orgSnapshot(t.app, t.ctx, o.till), before, query);
      }
    });
  });

  describe('tenancy', () => {
    /** The raw body with each whole occurrence of `id` replaced, and how many there were. */
    function withoutId(raw: string, id: number): { text: string; count: number } {
      let count = 0;
      const text = raw.replace(new RegExp(`(?<![0-9])${id}(?![0-9])`, 'g'), () => {
        count += 1;
        return '{id}';
      });
      return { text, count };
    }

    it('another org’s customer answers exactly like one that does not exist', async () => {
      const a = await newOrg(t.ctx);
      const b = await newOrg(t.ctx);
      await setCountry(a, 'IN');
      await setCountry(b, 'IN');
      const email = `${unique('only-in-a')}@example.com`;
      const byEmail = await newLead(t.app, a.till, { identifier: email });
      const byMobile = await mobileLead(a, '98450 12345');

      for (const foreignId of [byEmail.userId, byMobile.userId]) {
        const foreign = await send(t.app, b.till, 'GET', `/v2/customers/${foreignId}`);
        const missing = await send(t.app, b.till, 'GET', `/v2/customers/${NEVER_ID}`);
        assertError(foreign, 404, 'CUSTOMER_NOT_FOUND', String(foreignId));
        assert.equal(foreign.headers['content-type'], missing.headers['content-type']);
        const f = withoutId(foreign.raw, foreignId);
        const m = withoutId(missing.raw, NEVER_ID);
        assert.equal(f.count, 1, foreign.raw);
        assert.equal(m.count, 1, missing.raw);
        assert.equal(f.text, m.text);
      }

      const lookUps: Array<[string, string, string]> = [
        ['EMAIL', email, `${unique('never')}@example.com`],
        ['MOBILE', '+91 98450 12345', '+91 98450 12399'],
      ];
      for (const [idType, foreignIdentifier, missingIdentifier] of lookUps) {
        const foreign = await lookUp(b.till, idType, foreignIdentifier);
        const missing = await lookUp(b.till, idType, missingIdentifier);
        assertError(foreign, 404, 'CUSTOMER_NOT_FOUND', 'identifier');
        assert.equal(foreign.status, missing.status);
        assert.equal(foreign.headers['content-type'], missing.headers['content-type']);
        assert.equal(foreign.raw, missing.raw);
        assert.equal(foreign.raw.includes('only-in-a'), false);
      }

      // B's lead for the same person is B's own customer; A's count does not move.
      const leadB = await newLead(t.app, b.till, { identifier: email });
      assert.notEqual(leadB.userId, byEmail.userId);
      assert.equal((await customer(b.till, leadB.userId)).leadsCount, 1);
      assert.equal((await customer(a.till, byEmail.userId)).leadsCount, 1);
      const inB = await lookUp(b.till, 'EMAIL', email);
      assert.equal(inB.body.id, leadB.userId);
    });
  });

  it('GET /openapi.json documents both customer routes with their response schema', async () => {
    const doc = (await send(t.app, undefined, 'GET', '/openapi.json')).body;
    for (const path of ['/v2/customers', '/v2/customers/{id}']) {
      const ok = doc.paths?.[path]?.get?.responses?.['200'];
      assert.ok(ok, `GET ${path}: no 200`);
      const schema = resolveRef(doc, ok.content['application/json'].schema);
      assert.deepEqual(Object.keys(schema.properties).sort(), [
        'createdOn',
        'email',
        'id',
        'leadsCount',
        'mobile',
        'warnings',
      ]);
      assert.ok(doc.paths[path].get.responses['404'], `GET ${path}: no 404`);
    }
    const query = doc.paths['/v2/customers'].get.parameters as Array<{ name: string; in: string }>;
    assert.deepEqual(query.map((p) => `${p.in}:${p.name}`).sort(), [
      'query:idType',
      'query:identifier',
    ]);
  });
});
