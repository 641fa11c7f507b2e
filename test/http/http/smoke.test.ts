import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';

describe('smoke', () => {
  const t = useTestApp();

  it('creates and reads a lead', async () => {
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till);
    assert.equal(lead.status, 'OPEN');
    const got = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.id, lead.id);
    assert.equal(got.body.statusLogDetails.length, 1);
    assert.equal(got.body.statusLogDetails[0].reason, 'APICALL');
  });
});
