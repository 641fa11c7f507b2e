import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, unique, type TestOrg } from '../../helpers/factories.js';
import {
  addReason,
  addSubStatus,
  assertError,
  getLead,
  listIds,
  NEVER_ID,
  orgSnapshot,
  reasonIdOf,
} from '../../helpers/fixtures.js';

/**
 * Nothing of another org is visible: another org's lead id answers exactly like an id that does
 * not exist, and another org's customers, entities, reasons and sub-statuses are unknown names.
 */

type Method = InjectOptions['method'];

/**
 * The raw response with every occurrence of `ref` replaced by a placeholder, and how many there
 * were. A number only counts as a whole number, not inside a longer run of digits such as the
 * code 1201.
 */
function withoutRef(raw: string, ref: unknown): { text: string; count: number } {
  const escaped = String(ref).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = typeof ref === 'number' ? `(?<![0-9])${escaped}(?![0-9])` : escaped;
  let count = 0;
  const text = raw.replace(new RegExp(pattern, 'g'), () => {
    count += 1;
    return '{ref}';
  });
  return { text, count };
}

describe('tenancy: one org never sees or touches another org', () => {
  const clock = new TestClock();
  const t = useTestApp({ clock });

  /** Org A with a lead that has history, a custom reason and a sub-status; and org B. */
  async function twoOrgs() {
    const a = await newOrg(t.ctx);
    const b = await newOrg(t.ctx);
    const reasonA = await addReason(t.app, a.till, `A only ${unique('r')}`);
    await addSubStatus(t.app, a.admin, 'ON_HOLD', 'OnlyInA');
    const leadA = await newLead(t.app, a.till, {
      owner: a.associate.code,
      extendedFields: { secret: 'org-a-value' },
      followUpDetails: [{ followedUpOn: '2026-02-28T10:00:00Z', notes: 'org-a-note' }],
    });
    const moved = await send(t.app, a.till, 'PUT', `/v2/leads/${leadA.id}/status`, {
      status: 'ON_HOLD',
      subStatus: 'OnlyInA',
      reasonId: reasonA,
    });
    assert.equal(moved.status, 200, moved.raw);
    const leadB = await newLead(t.app, b.till);
    return { a, b, reasonA, leadA: moved.body, leadB };
  }

  /**
   * Sends the same request as B with A's lead id and with an id that never existed; both must
   * answer the same status, headers and body, byte for byte apart from the id itself.
   */
  async function assertSameAsMissing(
    b: TestOrg,
    foreignId: number,
    method: Method,
    path: (id: number) => string,
    body?: unknown,
  ): Promise<void> {
    const foreign = await send(t.app, b.till, method, path(foreignId), body);
    const missing = await send(t.app, b.till, method, path(NEVER_ID), body);
    const label = `${String(method)} ${path(foreignId)}`;
    assertError(foreign, 404, 'LEAD_NOT_FOUND', String(foreignId));
    assert.equal(foreign.status, missing.status, label);
    assert.equal(foreign.headers['content-type'], missing.headers['content-type'], label);
    const f = withoutRef(foreign.raw, foreignId);
    const m = withoutRef(missing.raw, NEVER_ID);
    assert.equal(f.count, 1, `${label}: the id appears once (${foreign.raw})`);
    assert.equal(m.count, 1, `${label}: the id appears once (${missing.raw})`);
    assert.equal(f.text, m.text, label);
    assert.equal(foreign.raw.includes('org-a'), false, label);
  }

  it('every {id} route answers another org’s lead exactly like a missing one', async () => {
    const { a, b, leadA } = await twoOrgs();
    const reasonB = await reasonIdOf(t.app, b.till, 'APICALL');
    const beforeA = await orgSnapshot(t.app, t.ctx, a.till);
    const beforeB = await orgSnapshot(t.app, t.ctx, b.till);
    clock.advance(60_000);
    const requests: Array<[Method, (id: number) => string, unknown]> = [
      ['GET', (id) => `/v2/leads/${id}`, undefined],
      ['GET', (id) => `/v2/leads/${id}/followups`, undefined],
      ['GET', (id) => `/v2/leads/${id}/statusLog`, undefined],
      // Valid bodies...
      ['PUT', (id) => `/v2/leads/${id}`, { extendedFields: { secret: 'from-b' } }],
      ['PUT', (id) => `/v2/leads/${id}`, { owner: null }],
      ['PUT', (id) => `/v2/leads/${id}`, { owner: b.associate.code }],
      ['PUT', (id) => `/v2/leads/${id}/status`, { status: 'DELETED', reasonId: reasonB }],
      ['PUT', (id) => `/v2/leads/${id}/status`, { status: 'WON', reasonId: reasonB }],
      [
        'POST',
        (id) => `/v2/leads/${id}/followup`,
        { followedUpOn: '2026-03-01T10:00:00Z', createdBy: b.till.id, notes: 'from b' },
      ],
      // ...invalid bodies (the id is checked first)...
      ['PUT', (id) => `/v2/leads/${id}`, {}],
      ['PUT', (id) => `/v2/leads/${id}/status`, { status: 'NOPE' }],
      ['POST', (id) => `/v2/leads/${id}/followup`, { followedUpOn: '2026-02-30T10:00:00Z' }],
      // ...and bodies with unknown fields (warned alike).
      ['PUT', (id) => `/v2/leads/${id}`, { owner: null, junk: true }],
    ];
    for (const [method, path, body] of requests) {
      await assertSameAsMissing(b, leadA.id, method, path, body);
    }
    // A's own lead is readable by A and unchanged; B has nothing new either.
    assert.deepEqual(await orgSnapshot(t.app, t.ctx, a.till), beforeA);
    assert.deepEqual(await orgSnapshot(t.app, t.ctx, b.till), beforeB);
    const read = await getLead(t.app, a.till, leadA.id);
    assert.equal(read.status, 'ON_HOLD');
    assert.equal(read.owner, a.associate.code);
    assert.deepEqual(read.extendedFields, { secret: 'org-a-value' });
  });

  it('A’s lead ids are unknown to B whichever of B’s callers asks', async () => {
    const { a, b, leadA } = await twoOrgs();
    for (const who of [b.till, b.associate, b.admin]) {
      const response = await send(t.app, who, 'GET', `/v2/leads/${leadA.id}`);
      assertError(response, 404, 'LEAD_NOT_FOUND', String(leadA.id));
    }
    // ...while every caller of A reads it.
    for (const who of [a.till, a.associate, a.admin]) {
      assert.equal((await getLead(t.app, who, leadA.id)).id, leadA.id);
    }
  });

  it('B cannot name A’s customer, entities, reasons or sub-statuses in a new lead', async () => {
    const { a, b, reasonA, leadA } = await twoOrgs();
    const beforeA = await orgSnapshot(t.app, t.ctx, a.till);
    const beforeB = await orgSnapshot(t.app, t.ctx, b.till);
    clock.advance(60_000);
    const base = { leadFor: 'X', idType: 'EMAIL', identifier: `${unique('b')}@example.com` };
    const reasonB = await reasonIdOf(t.app, b.till, 'APICALL');
    // Each refusal must read exactly like the refusal of a reference that never existed.
    const refs: Array<
      [field: string, foreign: unknown, missing: unknown, body: (v: unknown) => unknown]
    > = [
      ['userId', leadA.userId, NEVER_ID, (v) => ({ leadFor: 'X', userId: v })],
      ['createdBy', a.till.id, NEVER_ID, (v) => ({ ...base, createdBy: v })],
      ['owner', a.associate.code, unique('no-such-code'), (v) => ({ ...base, owner: v })],
      [
        'statusLogDetails[0].reasonId',
        reasonA,
        NEVER_ID,
        (v) => ({ ...base, statusLogDetails: [{ status: 'OPEN', reasonId: v }] }),
      ],
      [
        'statusLogDetails[0].createdBy',
        a.admin.id,
        NEVER_ID,
        (v) => ({
          ...base,
          statusLogDetails: [{ status: 'OPEN', reasonId: reasonB, createdBy: v }],
        }),
      ],
      [
        'followUpDetails[0].followedUpBy',
        a.associate.id,
        NEVER_ID,
        (v) => ({
          ...base,
          followUpDetails: [{ followedUpOn: '2026-03-01T10:00:00Z', followedUpBy: v }],
        }),
      ],
    ];
    for (const [field, foreign, missing, body] of refs) {
      const f = await send(t.app, b.till, 'POST', '/v2/leads', body(foreign));
      const m = await send(t.app, b.till, 'POST', '/v2/leads', body(missing));
      assertError(f, 400, 'FIELD_UNKNOWN_REFERENCE', field);
      assertError(m, 400, 'FIELD_UNKNOWN_REFERENCE', field);
      const fs = withoutRef(f.raw, foreign);
      const ms = withoutRef(m.raw, missing);
      assert.equal(fs.count, 1, f.raw);
      assert.equal(ms.count, 1, m.raw);
      assert.equal(fs.text, ms.text, field);
    }
    const sub = await send(t.app, b.till, 'POST', '/v2/leads', {
      ...base,
      status: 'ON_HOLD',
      subStatus: 'OnlyInA',
    });
    assertError(sub, 400, 'SUB_STATUS_NOT_CONFIGURED', 'subStatus');
    assert.deepEqual(await orgSnapshot(t.app, t.ctx, a.till), beforeA);
    assert.deepEqual(await orgSnapshot(t.app, t.ctx, b.till), beforeB);
  });

  it('B cannot use A’s reasons, entities or sub-statuses on its own lead', async () => {
    const { a, b, reasonA, leadB } = await twoOrgs();
    const reasonAApiCall = await reasonIdOf(t.app, a.till, 'APICALL');
    const reasonB = await addReason(t.app, b.till, 'B reason');
    const beforeA = await orgSnapshot(t.app, t.ctx, a.till);
    const beforeB = await orgSnapshot(t.app, t.ctx, b.till);
    clock.advance(60_000);
    const status = `/v2/leads/${leadB.id}/status`;
    const followUp = `/v2/leads/${leadB.id}/followup`;
    const on = '2026-03-01T10:00:00Z';
    // [method, url, field, A's value, a value that never existed, body around the value]
    const cases: Array<
      ['PUT' | 'POST', string, string, unknown, unknown, (v: unknown) => Record<string, unknown>]
    > = [
      ['PUT', status, 'reasonId', reasonA, NEVER_ID, (v) => ({ status: 'WON', reasonId: v })],
      [
        'PUT',
        status,
        'reasonId',
        reasonAApiCall,
        NEVER_ID,
        (v) => ({ status: 'WON', reasonId: v }),
      ],
      [
        'PUT',
        status,
        'createdBy',
        a.till.id,
        NEVER_ID,
        (v) => ({ status: 'WON', reasonId: reasonB, createdBy: v }),
      ],
      [
        'PUT',
        status,
        'subStatus',
        'OnlyInA',
        'NeverConfigured',
        (v) => ({ status: 'ON_HOLD', reasonId: reasonB, subStatus: v }),
      ],
      [
        'POST',
        followUp,
        'createdBy',
        a.till.id,
        NEVER_ID,
        (v) => ({ followedUpOn: on, createdBy: v }),
      ],
      [
        'POST',
        followUp,
        'followedUpBy',
        a.associate.id,
        NEVER_ID,
        (v) => ({ followedUpOn: on, createdBy: b.till.id, followedUpBy: v }),
      ],
      [
        'PUT',
        `/v2/leads/${leadB.id}`,
        'owner',
        a.associate.code,
        unique('nobody'),
        (v) => ({ owner: v }),
      ],
    ];
    for (const [method, url, field, foreign, missing, body] of cases) {
      const code = field === 'subStatus' ? 'SUB_STATUS_NOT_CONFIGURED' : 'FIELD_UNKNOWN_REFERENCE';
      const f = await send(t.app, b.till, method, url, body(foreign));
      const m = await send(t.app, b.till, method, url, body(missing));
      assertError(f, 400, code, field);
      assertError(m, 400, code, field);
      const fs = withoutRef(f.raw, foreign);
      const ms = withoutRef(m.raw, missing);
      assert.equal(fs.count, ms.count, `${field}: ${f.raw} vs ${m.raw}`);
      assert.equal(fs.text, ms.text, field);
    }
    assert.deepEqual(await orgSnapshot(t.app, t.ctx, a.till), beforeA);
    assert.deepEqual(await orgSnapshot(t.app, t.ctx, b.till), beforeB);
    // The same requests with B's own things succeed, so the refusals were about the org.
    const ok = [
      await send(t.app, b.till, 'PUT', status, {
        status: 'WON',
        reasonId: reasonB,
        createdBy: b.associate.id,
      }),
      await send(t.app, b.till, 'POST', followUp, {
        followedUpOn: on,
        createdBy: b.till.id,
        followedUpBy: b.associate.id,
      }),
      await send(t.app, b.till, 'PUT', `/v2/leads/${leadB.id}`, { owner: b.associate.code }),
    ];
    for (const response of ok) assert.equal(response.status, 200, response.raw);
    assert.equal(ok[2]?.body.owner, b.associate.code);
  });

  it('B’s list never shows A’s leads, whatever the filters name', async () => {
    const { a, b, leadA, leadB } = await twoOrgs();
    const reasonA = await reasonIdOf(t.app, a.till, 'APICALL');
    const deletedA = await newLead(t.app, a.till);
    const del = await send(t.app, a.till, 'PUT', `/v2/leads/${deletedA.id}/status`, {
      status: 'DELETED',
      reasonId: reasonA,
    });
    assert.equal(del.status, 200, del.raw);

    assert.deepEqual(await listIds(t.app, b.till, 'limit=1000'), [leadB.id]);
    for (const query of [
      'status=DELETED',
      'status=ON_HOLD',
      'subStatus=OnlyInA',
      `userId=${leadA.userId}`,
      `owner=${a.associate.id}`,
      `entityType=ZONE&entityCode=${a.zone.code}`,
      `entityType=STORE&entityCode=${a.store.code}`,
      `entityType=TILL&entityCode=${a.till.code}`,
      'type=ALL&limit=1000&sortBy=lastUpdatedOn&sortOrder=DESC',
    ]) {
      const ids = await listIds(t.app, b.till, query);
      assert.equal(ids.includes(leadA.id) || ids.includes(deletedA.id), false, query);
      assert.ok(
        ids.every((id) => id === leadB.id),
        query,
      );
    }
    // A still lists its own.
    assert.deepEqual(await listIds(t.app, a.till), [leadA.id]);
    assert.deepEqual(await listIds(t.app, a.till, 'status=DELETED'), [deletedA.id]);
  });

  it('the same email in two orgs is two customers; A’s userId is unknown to B', async () => {
    const a = await newOrg(t.ctx);
    const b = await newOrg(t.ctx);
    const email = `${unique('shared')}@example.com`;
    const leadA = await newLead(t.app, a.till, { identifier: email });
    const leadB = await newLead(t.app, b.till, { identifier: email });
    assert.notEqual(leadA.userId, leadB.userId);
    assert.deepEqual(await listIds(t.app, b.till, `userId=${leadA.userId}`), []);
    assert.deepEqual(await listIds(t.app, a.till, `userId=${leadB.userId}`), []);
    assert.deepEqual(await listIds(t.app, b.till, `userId=${leadB.userId}`), [leadB.id]);
    const reuse = await send(t.app, b.till, 'POST', '/v2/leads', {
      leadFor: 'X',
      userId: leadA.userId,
    });
    assertError(reuse, 400, 'FIELD_UNKNOWN_REFERENCE', 'userId');
  });
});
