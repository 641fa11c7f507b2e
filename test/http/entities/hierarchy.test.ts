import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg } from '../../helpers/factories.js';
import { listIds } from '../../helpers/fixtures.js';
import type { EntityView } from '../../../src/entities/entity.service.js';

/** The entity filter of GET /v2/leads over deep and wide trees. */
describe('entity hierarchy filter', () => {
  const t = useTestApp();

  it('finds leads created 40 levels below the filtered entity, and only beneath it', async () => {
    const o = await newOrg(t.ctx);
    const chain: EntityView[] = [o.zone];
    for (let depth = 0; depth < 40; depth += 1) {
      chain.push(await o.entity(depth % 2 === 0 ? 'CONCEPT' : 'STORE', chain.at(-1)));
    }
    const bottom = chain.at(-1) as EntityView;
    const middle = chain[20] as EntityView;
    const deep = await newLead(t.app, o.till, { createdBy: bottom.id });
    const shallow = await newLead(t.app, o.till, { createdBy: chain[5]?.id });
    const outside = await newLead(t.app, o.till);
    const under = (e: EntityView) =>
      listIds(t.app, o.till, `entityType=${e.type}&entityCode=${encodeURIComponent(e.code)}`);

    assert.deepEqual(await under(o.zone), [deep.id, shallow.id, outside.id]);
    assert.deepEqual(await under(middle), [deep.id]);
    assert.deepEqual(await under(bottom), [deep.id]);
    assert.deepEqual(await under(o.store), [outside.id]);
  });

  it('covers a wide tree: 30 stores with a till each under one zone', async () => {
    const o = await newOrg(t.ctx);
    const leads: number[] = [];
    const stores: EntityView[] = [];
    for (let i = 0; i < 30; i += 1) {
      const store = await o.entity('STORE', o.zone);
      const till = await o.entity('TILL', store);
      stores.push(store);
      leads.push((await newLead(t.app, o.till, { createdBy: till.id })).id);
    }
    const all = await listIds(
      t.app,
      o.till,
      `entityType=ZONE&entityCode=${o.zone.code}&limit=1000`,
    );
    assert.deepEqual(
      all.filter((id) => leads.includes(id)),
      leads,
    );
    const seventh = stores[7] as EntityView;
    assert.deepEqual(await listIds(t.app, o.till, `entityType=STORE&entityCode=${seventh.code}`), [
      leads[7],
    ]);
  });
});
