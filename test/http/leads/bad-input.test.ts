import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorName } from '../../../src/core/errors.js';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, unique, type TestOrg } from '../../helpers/factories.js';
import {
  addReason,
  addSubStatus,
  assertError,
  assertErrors,
  codeOf,
  NEVER_ID,
  orgSnapshot,
} from '../../helpers/fixtures.js';

/**
 * Every bad request answers its 4xx with the catalogue code naming the field, and changes
 * nothing: the org's leads (with their history) and customers are exactly as before.
 */

type Setup = { o: TestOrg; lead: any; reason: number };
type Case = {
  name: string;
  body: (s: Setup) => unknown;
  errors: Array<[ErrorName, string]>;
};

describe('bad input is a 4xx naming the field, and changes nothing', () => {
  const clock = new TestClock();
  const t = useTestApp({ clock });

  /** An org with one lead (ON_HOLD/AwaitingStock configured, a reason), as every case starts. */
  async function setup(): Promise<Setup> {
    const o = await newOrg(t.ctx);
    const reason = await addReason(t.app, o.till, 'Size not in stock');
    await addSubStatus(t.app, o.admin, 'ON_HOLD', 'AwaitingStock');
    const lead = await newLead(t.app, o.till, {
      extendedFields: { colour: 'navy' },
      nextFollowUp: '2026-03-04T10:00:00Z',
    });
    return { o, lead, reason };
  }

  /** Sends the request and asserts its errors and that the org did not change. */
  async function expectRefused(
    s: Setup,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    body: unknown,
    status: number,
    errors: Array<[ErrorName, string]>,
  ): Promise<void> {
    const before = await orgSnapshot(t.app, t.ctx, s.o.till);
    clock.advance(60_000);
    const response = await send(t.app, s.o.till, method, url, body);
    assertErrors(response, status, errors);
    assert.deepEqual(await orgSnapshot(t.app, t.ctx, s.o.till), before, 'nothing changed');
  }

  describe('POST /v2/leads', () => {
    const valid = () => ({
      leadFor: 'JKT-0192-M',
      idType: 'EMAIL',
      identifier: `${unique('new-shopper')}@example.com`,
    });
    const cases: Case[] = [
      {
        name: 'missing leadFor',
        body: () => ({ ...valid(), leadFor: undefined }),
        errors: [['FIELD_REQUIRED', 'leadFor']],
      },
      {
        name: 'empty leadFor',
        body: () => ({ ...valid(), leadFor: '' }),
        errors: [['FIELD_INVALID_VALUE', 'leadFor']],
      },
      {
        name: 'leadFor of the wrong type',
        body: () => ({ ...valid(), leadFor: 42 }),
        errors: [['FIELD_INVALID_TYPE', 'leadFor']],
      },
      {
        name: 'neither userId nor idType/identifier',
        body: () => ({ leadFor: 'JKT-0192-M' }),
        errors: [['FIELD_REQUIRED', 'userId']],
      },
      {
        name: 'userId with idType and identifier',
        body: (s) => ({ ...valid(), userId: s.lead.userId }),
        errors: [['FIELD_CONFLICT', 'userId']],
      },
      {
        name: 'userId with idType only',
        body: (s) => ({ leadFor: 'X', userId: s.lead.userId, idType: 'EMAIL' }),
        errors: [['FIELD_CONFLICT', 'userId']],
      },
      {
        name: 'unknown userId',
        body: () => ({ leadFor: 'X', userId: NEVER_ID }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'userId']],
      },
      {
        name: 'userId as a string',
        body: (s) => ({ leadFor: 'X', userId: String(s.lead.userId) }),
        errors: [['FIELD_INVALID_TYPE', 'userId']],
      },
      {
        name: 'idType without identifier',
        body: () => ({ leadFor: 'X', idType: 'EMAIL' }),
        errors: [['FIELD_REQUIRED', 'identifier']],
      },
      {
        name: 'identifier without idType',
        body: () => ({ leadFor: 'X', identifier: 'ann@example.com' }),
        errors: [['FIELD_REQUIRED', 'idType']],
      },
      {
        name: 'unknown idType',
        body: () => ({ ...valid(), idType: 'PHONE' }),
        errors: [['FIELD_INVALID_VALUE', 'idType']],
      },
      ...[
        'ann.example.com',
        'ann@',
        '@example.com',
        'ann@@example.com',
        'ann smith@example.com',
      ].map((identifier): Case => ({
        name: `malformed email ${identifier}`,
        body: () => ({ ...valid(), identifier }),
        errors: [['FIELD_INVALID_EMAIL', 'identifier']],
      })),
      ...['12345', '98450-ABC-12', '+91 98450 12345 6789 00', 'ann@example.com'].map(
        (identifier): Case => ({
          name: `malformed mobile ${identifier}`,
          body: () => ({ leadFor: 'X', idType: 'MOBILE', identifier }),
          errors: [['FIELD_INVALID_MOBILE', 'identifier']],
        }),
      ),
      {
        name: 'unknown owner code',
        body: () => ({ ...valid(), owner: 'no-such-associate' }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'owner']],
      },
      {
        name: 'unknown createdBy',
        body: () => ({ ...valid(), createdBy: NEVER_ID }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'createdBy']],
      },
      {
        name: 'createdBy below 1',
        body: () => ({ ...valid(), createdBy: 0 }),
        errors: [['FIELD_INVALID_VALUE', 'createdBy']],
      },
      {
        name: 'unknown orgSourceId',
        body: () => ({ ...valid(), orgSourceId: 4242 }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'orgSourceId']],
      },
      {
        name: 'unknown type',
        body: () => ({ ...valid(), type: 'SERVICE' }),
        errors: [['FIELD_INVALID_VALUE', 'type']],
      },
      {
        name: 'unknown status',
        body: () => ({ ...valid(), status: 'CLOSED' }),
        errors: [['FIELD_INVALID_VALUE', 'status']],
      },
      {
        name: 'subStatus configured for no status',
        body: () => ({ ...valid(), status: 'ON_HOLD', subStatus: 'NoSuchSubStatus' }),
        errors: [['SUB_STATUS_NOT_CONFIGURED', 'subStatus']],
      },
      {
        name: 'subStatus configured for another status (default OPEN)',
        body: () => ({ ...valid(), subStatus: 'AwaitingStock' }),
        errors: [['SUB_STATUS_NOT_CONFIGURED', 'subStatus']],
      },
      {
        name: 'subStatus of another status than the one history gives',
        body: (s) => ({
          ...valid(),
          subStatus: 'AwaitingStock',
          statusLogDetails: [{ status: 'WON', reasonId: s.reason }],
        }),
        errors: [['SUB_STATUS_NOT_CONFIGURED', 'subStatus']],
      },
      {
        name: 'unknown history reasonId',
        body: (s) => ({
          ...valid(),
          statusLogDetails: [
            { status: 'OPEN', reasonId: s.reason },
            { status: 'WON', reasonId: NEVER_ID },
          ],
        }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'statusLogDetails[1].reasonId']],
      },
      {
        name: 'history row without reasonId',
        body: () => ({ ...valid(), statusLogDetails: [{ status: 'WON' }] }),
        errors: [['FIELD_REQUIRED', 'statusLogDetails[0].reasonId']],
      },
      {
        name: 'unknown history createdBy',
        body: (s) => ({
          ...valid(),
          statusLogDetails: [{ status: 'WON', reasonId: s.reason, createdBy: NEVER_ID }],
        }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'statusLogDetails[0].createdBy']],
      },
      {
        name: 'follow-up without followedUpOn',
        body: () => ({ ...valid(), followUpDetails: [{ notes: 'called' }] }),
        errors: [['FIELD_REQUIRED', 'followUpDetails[0].followedUpOn']],
      },
      {
        name: 'unknown follow-up followedUpBy',
        body: () => ({
          ...valid(),
          followUpDetails: [
            { followedUpOn: '2026-03-01T10:00:00Z' },
            { followedUpOn: '2026-03-01T11:00:00Z', followedUpBy: NEVER_ID },
          ],
        }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'followUpDetails[1].followedUpBy']],
      },
      {
        name: 'unknown follow-up createdBy',
        body: () => ({
          ...valid(),
          followUpDetails: [{ followedUpOn: '2026-03-01T10:00:00Z', createdBy: NEVER_ID }],
        }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'followUpDetails[0].createdBy']],
      },
      {
        name: 'extendedFields value null',
        body: () => ({ ...valid(), extendedFields: { colour: null } }),
        errors: [['FIELD_INVALID_TYPE', 'extendedFields.colour']],
      },
      {
        name: 'extendedFields value an object',
        body: () => ({ ...valid(), extendedFields: { colour: { r: 1 } } }),
        errors: [['FIELD_INVALID_TYPE', 'extendedFields.colour']],
      },
      {
        name: 'extendedFields an array',
        body: () => ({ ...valid(), extendedFields: ['navy'] }),
        errors: [['FIELD_INVALID_TYPE', 'extendedFields']],
      },
      ...[
        ['createdOn', '2026-03-02T17:45:00'],
        ['createdOn', '2026-02-30T10:00:00Z'],
        ['createdOn', '2026-02-29T10:00:00+05:30'],
        ['createdOn', '2026-04-31T10:00:00Z'],
        ['createdOn', '2026-03-02T24:00:00Z'],
        ['createdOn', '2026-03-02T10:60:00Z'],
        ['createdOn', '2026-03-02T10:00:00+05:60'],
        ['createdOn', '2026-03-02 10:00:00Z'],
        ['createdOn', '2026-03-02'],
        ['createdOn', 'yesterday'],
        ['nextFollowUp', '2026-03-04T10:00:00'],
        ['nextFollowUp', '2026-13-01T10:00:00Z'],
      ].map(([field, value]): Case => ({
        name: `${field} ${value}`,
        body: () => ({ ...valid(), [field as string]: value }),
        errors: [['FIELD_INVALID_DATE_TIME', field as string]],
      })),
      {
        name: 'follow-up followedUpOn not a calendar day',
        body: () => ({ ...valid(), followUpDetails: [{ followedUpOn: '2026-02-29T10:00:00Z' }] }),
        errors: [['FIELD_INVALID_DATE_TIME', 'followUpDetails[0].followedUpOn']],
      },
      {
        name: 'follow-up scheduledFollowUp without offset',
        body: () => ({
          ...valid(),
          followUpDetails: [
            { followedUpOn: '2026-02-28T10:00:00Z', scheduledFollowUp: '2026-03-05T10:00:00' },
          ],
        }),
        errors: [['FIELD_INVALID_DATE_TIME', 'followUpDetails[0].scheduledFollowUp']],
      },
      {
        name: 'createdOn as a number',
        body: () => ({ ...valid(), createdOn: 1772400000000 }),
        errors: [['FIELD_INVALID_TYPE', 'createdOn']],
      },
      {
        name: 'a NUL character in leadFor',
        body: () => ({ ...valid(), leadFor: 'JKT\u0000-0192' }),
        errors: [['FIELD_INVALID_VALUE', 'leadFor']],
      },
      {
        name: 'several bad fields at once (schema)',
        body: () => ({ type: 'SERVICE', createdOn: '2026-02-30T10:00:00Z', orgSourceId: 'web' }),
        errors: [
          ['FIELD_REQUIRED', 'leadFor'],
          ['FIELD_INVALID_VALUE', 'type'],
          ['FIELD_INVALID_DATE_TIME', 'createdOn'],
          ['FIELD_INVALID_TYPE', 'orgSourceId'],
        ],
      },
      {
        name: 'several bad references at once',
        body: () => ({
          ...valid(),
          owner: 'no-such-owner',
          createdBy: NEVER_ID,
          orgSourceId: 4242,
          subStatus: 'NoSuchSubStatus',
        }),
        errors: [
          ['FIELD_UNKNOWN_REFERENCE', 'owner'],
          ['FIELD_UNKNOWN_REFERENCE', 'createdBy'],
          ['FIELD_UNKNOWN_REFERENCE', 'orgSourceId'],
          ['SUB_STATUS_NOT_CONFIGURED', 'subStatus'],
        ],
      },
    ];
    for (const c of cases) {
      it(`${c.name} is a 400`, async () => {
        const s = await setup();
        await expectRefused(s, 'POST', '/v2/leads', c.body(s), 400, c.errors);
      });
    }

    it('a malformed email still creates no customer when the rest is valid', async () => {
      const s = await setup();
      await expectRefused(
        s,
        'POST',
        '/v2/leads',
        { leadFor: 'X', idType: 'EMAIL', identifier: 'Ann@Example' },
        400,
        [['FIELD_INVALID_EMAIL', 'identifier']],
      );
      // The same shopper with a proper address is accepted afterwards.
      const ok = await send(t.app, s.o.till, 'POST', '/v2/leads', {
        leadFor: 'X',
        idType: 'EMAIL',
        identifier: 'Ann@Example.com',
      });
      assert.equal(ok.status, 200, ok.raw);
    });

    it('a body that is not JSON is refused (400 1007 / 415 1005) and creates nothing', async () => {
      const s = await setup();
      const before = await orgSnapshot(t.app, t.ctx, s.o.till);
      const inject = (contentType: string, payload: string) =>
        t.app.inject({
          method: 'POST',
          url: '/v2/leads',
          headers: { ...s.o.till.headers, 'content-type': contentType },
          payload,
        });
      const broken = await inject('application/json', '{"leadFor": "X", "idType": "EMAIL",');
      assert.equal(broken.statusCode, 400);
      assert.equal(broken.json().errors[0].code, codeOf('MALFORMED_JSON'));
      const empty = await inject('application/json', '');
      assert.equal(empty.statusCode, 400);
      assert.equal(empty.json().errors[0].code, codeOf('MALFORMED_JSON'));
      const text = await inject(
        'text/plain',
        JSON.stringify({ leadFor: 'X', idType: 'EMAIL', identifier: 'tp@example.com' }),
      );
      assert.equal(text.statusCode, 415);
      assert.equal(text.json().errors[0].code, codeOf('UNSUPPORTED_MEDIA_TYPE'));
      assert.deepEqual(await orgSnapshot(t.app, t.ctx, s.o.till), before);
    });
  });

  describe('PUT /v2/leads/{id}/status', () => {
    const cases: Case[] = [
      {
        name: 'empty body',
        body: () => ({}),
        errors: [
          ['FIELD_REQUIRED', 'status'],
          ['FIELD_REQUIRED', 'reasonId'],
        ],
      },
      {
        name: 'missing reasonId',
        body: () => ({ status: 'WON' }),
        errors: [['FIELD_REQUIRED', 'reasonId']],
      },
      {
        name: 'unknown status',
        body: (s) => ({ status: 'DONE', reasonId: s.reason }),
        errors: [['FIELD_INVALID_VALUE', 'status']],
      },
      {
        name: 'unknown reasonId',
        body: () => ({ status: 'WON', reasonId: NEVER_ID }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'reasonId']],
      },
      {
        name: 'reasonId as a string',
        body: (s) => ({ status: 'WON', reasonId: String(s.reason) }),
        errors: [['FIELD_INVALID_TYPE', 'reasonId']],
      },
      {
        name: 'subStatus of another status',
        body: (s) => ({ status: 'WON', reasonId: s.reason, subStatus: 'AwaitingStock' }),
        errors: [['SUB_STATUS_NOT_CONFIGURED', 'subStatus']],
      },
      {
        name: 'subStatus not configured',
        body: (s) => ({ status: 'ON_HOLD', reasonId: s.reason, subStatus: 'awaitingstock' }),
        errors: [['SUB_STATUS_NOT_CONFIGURED', 'subStatus']],
      },
      {
        name: 'unknown createdBy',
        body: (s) => ({ status: 'WON', reasonId: s.reason, createdBy: NEVER_ID }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'createdBy']],
      },
      {
        name: 'createdOn without offset',
        body: (s) => ({ status: 'WON', reasonId: s.reason, createdOn: '2026-03-02T17:45:00' }),
        errors: [['FIELD_INVALID_DATE_TIME', 'createdOn']],
      },
      {
        name: 'createdOn not a calendar day',
        body: (s) => ({ status: 'WON', reasonId: s.reason, createdOn: '2026-02-30T10:00:00Z' }),
        errors: [['FIELD_INVALID_DATE_TIME', 'createdOn']],
      },
      {
        name: 'several bad references at once',
        body: () => ({
          status: 'ON_HOLD',
          reasonId: NEVER_ID,
          subStatus: 'Nope',
          createdBy: NEVER_ID,
        }),
        errors: [
          ['FIELD_UNKNOWN_REFERENCE', 'reasonId'],
          ['SUB_STATUS_NOT_CONFIGURED', 'subStatus'],
          ['FIELD_UNKNOWN_REFERENCE', 'createdBy'],
        ],
      },
    ];
    for (const c of cases) {
      it(`${c.name} is a 400`, async () => {
        const s = await setup();
        await expectRefused(s, 'PUT', `/v2/leads/${s.lead.id}/status`, c.body(s), 400, c.errors);
      });
    }
  });

  describe('POST /v2/leads/{id}/followup', () => {
    const cases: Case[] = [
      {
        name: 'empty body',
        body: () => ({}),
        errors: [
          ['FIELD_REQUIRED', 'followedUpOn'],
          ['FIELD_REQUIRED', 'createdBy'],
        ],
      },
      {
        name: 'missing createdBy',
        body: () => ({ followedUpOn: '2026-03-02T10:00:00Z' }),
        errors: [['FIELD_REQUIRED', 'createdBy']],
      },
      {
        name: 'missing followedUpOn',
        body: (s) => ({ createdBy: s.o.till.id, notes: 'called' }),
        errors: [['FIELD_REQUIRED', 'followedUpOn']],
      },
      {
        name: 'unknown createdBy',
        body: () => ({ followedUpOn: '2026-03-02T10:00:00Z', createdBy: NEVER_ID }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'createdBy']],
      },
      {
        name: 'unknown followedUpBy',
        body: (s) => ({
          followedUpOn: '2026-03-02T10:00:00Z',
          createdBy: s.o.till.id,
          followedUpBy: NEVER_ID,
        }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'followedUpBy']],
      },
      {
        name: 'followedUpOn not a calendar day',
        body: (s) => ({ followedUpOn: '2026-02-30T10:00:00Z', createdBy: s.o.till.id }),
        errors: [['FIELD_INVALID_DATE_TIME', 'followedUpOn']],
      },
      {
        name: 'followedUpOn without offset',
        body: (s) => ({ followedUpOn: '2026-03-02T10:00:00.000', createdBy: s.o.till.id }),
        errors: [['FIELD_INVALID_DATE_TIME', 'followedUpOn']],
      },
      {
        name: 'nextFollowUp without offset',
        body: (s) => ({
          followedUpOn: '2026-03-02T10:00:00Z',
          createdBy: s.o.till.id,
          nextFollowUp: '2026-03-09T10:00:00',
        }),
        errors: [['FIELD_INVALID_DATE_TIME', 'nextFollowUp']],
      },
      {
        name: 'scheduledFollowUp not a calendar day',
        body: (s) => ({
          followedUpOn: '2026-03-02T10:00:00Z',
          createdBy: s.o.till.id,
          scheduledFollowUp: '2026-06-31T10:00:00Z',
        }),
        errors: [['FIELD_INVALID_DATE_TIME', 'scheduledFollowUp']],
      },
      {
        name: 'notes of the wrong type',
        body: (s) => ({ followedUpOn: '2026-03-02T10:00:00Z', createdBy: s.o.till.id, notes: 5 }),
        errors: [['FIELD_INVALID_TYPE', 'notes']],
      },
    ];
    for (const c of cases) {
      it(`${c.name} is a 400`, async () => {
        const s = await setup();
        await expectRefused(s, 'POST', `/v2/leads/${s.lead.id}/followup`, c.body(s), 400, c.errors);
      });
    }
  });

  describe('PUT /v2/leads/{id}', () => {
    const cases: Case[] = [
      {
        name: 'neither extendedFields nor owner',
        body: () => ({}),
        errors: [['FIELD_REQUIRED', 'extendedFields']],
      },
      {
        name: 'unknown owner, with extendedFields that must not be applied',
        body: () => ({ owner: 'no-such-owner', extendedFields: { colour: 'red' } }),
        errors: [['FIELD_UNKNOWN_REFERENCE', 'owner']],
      },
      {
        name: 'empty owner',
        body: () => ({ owner: '' }),
        errors: [['FIELD_INVALID_VALUE', 'owner']],
      },
      {
        name: 'owner given as an entity id',
        body: (s) => ({ owner: s.o.associate.id }),
        errors: [['FIELD_INVALID_TYPE', 'owner']],
      },
      {
        name: 'extendedFields value an object',
        body: () => ({ extendedFields: { colour: { r: 1 } } }),
        errors: [['FIELD_INVALID_TYPE', 'extendedFields.colour']],
      },
      {
        name: 'extendedFields an array',
        body: () => ({ extendedFields: [] }),
        errors: [['FIELD_INVALID_TYPE', 'extendedFields']],
      },
    ];
    for (const c of cases) {
      it(`${c.name} is a 400`, async () => {
        const s = await setup();
        await expectRefused(s, 'PUT', `/v2/leads/${s.lead.id}`, c.body(s), 400, c.errors);
      });
    }
  });

  describe('GET /v2/leads query', () => {
    const cases: Array<[query: string, ErrorName, field: string]> = [
      ['limit=1001', 'FIELD_INVALID_VALUE', 'limit'],
      ['limit=0', 'FIELD_INVALID_VALUE', 'limit'],
      ['offset=-1', 'FIELD_INVALID_VALUE', 'offset'],
      ['status=CLOSED', 'FIELD_INVALID_VALUE', 'status'],
      ['type=SERVICE', 'FIELD_INVALID_VALUE', 'type'],
      ['sortBy=id', 'FIELD_INVALID_VALUE', 'sortBy'],
      ['sortOrder=UP', 'FIELD_INVALID_VALUE', 'sortOrder'],
      ['entityType=SHOP&entityCode=x', 'FIELD_INVALID_VALUE', 'entityType'],
      ['entityCode=store-1', 'FIELD_CONFLICT', 'entityType'],
      ['userId=abc', 'FIELD_INVALID_TYPE', 'userId'],
      ['owner=some-code', 'FIELD_INVALID_TYPE', 'owner'],
      ['orgSourceId=web', 'FIELD_INVALID_TYPE', 'orgSourceId'],
      ['substatus=A&subStatus=B', 'FIELD_CONFLICT', 'substatus'],
    ];
    it('each bad query parameter is a 400 naming it', async () => {
      const s = await setup();
      for (const [query, name, field] of cases) {
        await expectRefused(s, 'GET', `/v2/leads?${query}`, undefined, 400, [[name, field]]);
      }
    });

    it('lists every bad parameter of one query', async () => {
      const s = await setup();
      await expectRefused(s, 'GET', '/v2/leads?limit=1001&status=X&owner=abc', undefined, 400, [
        ['FIELD_INVALID_VALUE', 'limit'],
        ['FIELD_INVALID_VALUE', 'status'],
        ['FIELD_INVALID_TYPE', 'owner'],
      ]);
    });
  });

  describe('path ids', () => {
    it('a path id that is not digits is no route; digits naming no lead are 1201', async () => {
      // docs/api.md: lead ids in paths are digits; anything else is 404 ROUTE_NOT_FOUND.
      const s = await setup();
      for (const id of ['abc', '-1', '1.5', '1e0', '0x1']) {
        const response = await send(t.app, s.o.till, 'GET', `/v2/leads/${id}`);
        assertError(response, 404, 'ROUTE_NOT_FOUND', `/v2/leads/${id}`);
      }
      for (const id of ['0', String(NEVER_ID)]) {
        const response = await send(t.app, s.o.till, 'GET', `/v2/leads/${id}`);
        assertError(response, 404, 'LEAD_NOT_FOUND', id);
      }
      // Beyond 2^53: still no such lead (the message need not echo the digits).
      const huge = await send(t.app, s.o.till, 'GET', '/v2/leads/99999999999999999999');
      assertError(huge, 404, 'LEAD_NOT_FOUND', 'lead');
    });

    it('an unknown id is a 404 before the body is checked, and changes nothing', async () => {
      const s = await setup();
      const url = `/v2/leads/${NEVER_ID}`;
      const bad: Array<['PUT' | 'POST', string, unknown]> = [
        ['PUT', url, {}],
        ['PUT', `${url}/status`, { status: 'DONE' }],
        ['POST', `${url}/followup`, { followedUpOn: 'never' }],
        ['PUT', url, { extendedFields: { a: 1 } }],
        ['PUT', `${url}/status`, { status: 'WON', reasonId: s.reason }],
        [
          'POST',
          `${url}/followup`,
          { followedUpOn: '2026-03-02T10:00:00Z', createdBy: s.o.till.id },
        ],
      ];
      for (const [method, path, body] of bad) {
        await expectRefused(s, method, path, body, 404, [['LEAD_NOT_FOUND', String(NEVER_ID)]]);
      }
      for (const path of [`${url}/followups`, `${url}/statusLog`]) {
        await expectRefused(s, 'GET', path, undefined, 404, [['LEAD_NOT_FOUND', String(NEVER_ID)]]);
      }
    });
  });
});
