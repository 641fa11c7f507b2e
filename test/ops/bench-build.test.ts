import { NEW_ORG_POLICY } from '../../src/core/caller.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newOrg, send } from '../helpers/factories.js';

// The benchmark compares authenticated reads with the same route in a build without
// authentication (issue #5); that build must act as its one caller and only in that build.
describe('benchmark build with a fixed caller', () => {
  let normal: TestApp;
  let fixed: FastifyInstance;
  let orgs: {
    first: Awaited<ReturnType<typeof newOrg>>;
    other: Awaited<ReturnType<typeof newOrg>>;
  };

  before(async () => {
    normal = await createTestApp();
    const first = await newOrg(normal.ctx);
    const other = await newOrg(normal.ctx);
    orgs = { first, other };
    // Same store as the normal build, as the bench runs it against the same data.
    fixed = await buildApp(normal.ctx, {
      logger: false,
      benchmarkFixedCaller: {
        orgId: first.org.id,
        entityId: first.till.id,
        entityType: 'TILL',
        code: first.till.code,
        org: NEW_ORG_POLICY,
      },
    });
  });
  after(async () => {
    await fixed.close();
    await normal.close();
  });

  it('a normal build refuses a request without credentials', async () => {
    const response = await send(normal.app, undefined, 'GET', '/v2/leads/reasons');
    assert.equal(response.status, 401);
  });

  it('the fixed-caller build answers without credentials, as its caller, in its org only', async () => {
    const created = await send(fixed, undefined, 'POST', '/v2/leads', {
      leadFor: 'bench',
      idType: 'MOBILE',
      identifier: '+919876543210',
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.createdBy, orgs.first.till.id);
    // Credentials of another org's till are ignored: the request still acts as the fixed caller.
    const read = await send(fixed, orgs.other.till, 'GET', `/v2/leads/${created.body.id}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.id, created.body.id);
    // The normal build sees the lead in the fixed caller's org only.
    assert.equal(
      (await send(normal.app, orgs.first.till, 'GET', `/v2/leads/${read.body.id}`)).status,
      200,
    );
    assert.equal(
      (await send(normal.app, orgs.other.till, 'GET', `/v2/leads/${read.body.id}`)).status,
      404,
    );
  });
});
