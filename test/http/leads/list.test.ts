import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import {
  addReason,
  addSubStatus,
  assertError,
  getLead,
  list,
  listIds,
  NEVER_ID,
  withoutWarnings,
} from '../../helpers/fixtures.js';

describe('GET /v2/leads', () => {
  const clock = new TestClock();
  const t = useTestApp({ clock });

  /** Creates `n` leads as `who`, one after the other; returns their ids in creation order. */
  async function createLeads(
    who: Parameters<typeof newLead>[1],
    n: number,
    overrides: Record<string, unknown> = {},
  ): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < n; i += 1) ids.push((await newLead(t.app, who, overrides)).id);
    return ids;
  }

  it('answers the list envelope; items are whole leads without warnings', async () => {
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till, {
      owner: o.associate.code,
      extendedFields: { colour: 'navy' },
      followUpDetails: [{ followedUpOn: '2026-02-28T10:00:00Z', notes: 'hello' }],
    });
    const response = await send(t.app, o.till, 'GET', '/v2/leads');
    assert.equal(response.status, 200, response.raw);
    assert.deepEqual(Object.keys(response.body).sort(), ['data', 'errors', 'warnings']);
    assert.deepEqual(response.body.warnings, []);
    assert.deepEqual(response.body.errors, []);
    assert.equal(response.body.data.length, 1);
    const [item] = response.body.data;
    assert.equal('warnings' in item, false);
    assert.deepEqual(item, withoutWarnings(await getLead(t.app, o.till, lead.id)));
  });

  it('an org without leads lists nothing', async () => {
    const o = await newOrg(t.ctx);
    assert.deepEqual(await list(t.app, o.till), []);
  });

  it('defaults to 10 leads, oldest id first; limit and offset page through', async () => {
    const o = await newOrg(t.ctx);
    const ids = await createLeads(o.till, 12);
    assert.deepEqual(await listIds(t.app, o.till), ids.slice(0, 10));
    assert.deepEqual(await listIds(t.app, o.till, 'offset=10'), ids.slice(10));
    assert.deepEqual(await listIds(t.app, o.till, 'limit=1000'), ids);
    assert.deepEqual(await listIds(t.app, o.till, 'limit=5&offset=5'), ids.slice(5, 10));
    assert.deepEqual(await listIds(t.app, o.till, 'limit=1&offset=11'), ids.slice(11));
    assert.deepEqual(await listIds(t.app, o.till, 'offset=12'), []);
    assert.deepEqual(await listIds(t.app, o.till, 'offset=1000000'), []);
  });

  it('refuses limit above 1000 or below 1 and a negative offset, naming the field', async () => {
    const o = await newOrg(t.ctx);
    await createLeads(o.till, 1);
    for (const query of ['limit=1001', 'limit=0', 'limit=-5']) {
      assertError(
        await send(t.app, o.till, 'GET', `/v2/leads?${query}`),
        400,
        'FIELD_INVALID_VALUE',
        'limit',
      );
    }
    assertError(
      await send(t.app, o.till, 'GET', '/v2/leads?offset=-1'),
      400,
      'FIELD_INVALID_VALUE',
      'offset',
    );
    assertError(
      await send(t.app, o.till, 'GET', '/v2/leads?limit=ten'),
      400,
      'FIELD_INVALID_TYPE',
      'limit',
    );
    assert.equal((await list(t.app, o.till, 'limit=1000')).length, 1);
  });

  it('sorts by createdOn ASC and DESC, ties broken by id, pages never overlap or skip', async () => {
    clock.ms = Date.parse('2026-03-10T12:00:00Z');
    const o = await newOrg(t.ctx);
    // Several leads share each createdOn, and createdOn runs against id order.
    const stamps = [
      '2026-03-03T10:00:00Z',
      '2026-03-01T10:00:00Z',
      '2026-03-03T10:00:00Z',
      '2026-03-02T10:00:00Z',
      '2026-03-01T10:00:00Z',
      '2026-03-03T10:00:00Z',
      '2026-03-02T10:00:00.900Z',
      '2026-03-01T10:00:00Z',
    ];
    const leads: Array<{ id: number; createdOn: number }> = [];
    for (const createdOn of stamps) {
      const lead = await newLead(t.app, o.till, { createdOn });
      leads.push({ id: lead.id, createdOn: Date.parse(lead.createdOn) });
    }
    const asc = [...leads]
      .sort((a, b) => a.createdOn - b.createdOn || a.id - b.id)
      .map((l) => l.id);
    const desc = [...leads]
      .sort((a, b) => b.createdOn - a.createdOn || b.id - a.id)
      .map((l) => l.id);
    assert.notDeepEqual(
      asc,
      leads.map((l) => l.id),
      'the fixture orders differently from id',
    );

    const full = async (order: string) =>
      listIds(t.app, o.till, `sortBy=createdOn&sortOrder=${order}&limit=1000`);
    assert.deepEqual(await full('ASC'), asc);
    assert.deepEqual(await full('DESC'), desc);
    assert.deepEqual(await listIds(t.app, o.till, 'sortBy=createdOn&limit=1000'), asc);

    for (const [order, expected] of [
      ['ASC', asc],
      ['DESC', desc],
    ] as const) {
      for (const size of [1, 2, 3]) {
        const paged: number[] = [];
        for (let offset = 0; offset < leads.length + size; offset += size) {
          paged.push(
            ...(await listIds(
              t.app,
              o.till,
              `sortBy=createdOn&sortOrder=${order}&limit=${size}&offset=${offset}`,
            )),
          );
        }
        assert.deepEqual(paged, expected, `${order} pages of ${size}`);
      }
    }
  });

  it('sorts by lastUpdatedOn ASC and DESC', async () => {
    clock.ms = Date.parse('2026-03-11T08:00:00Z');
    const o = await newOrg(t.ctx);
    const [a, b, c] = await createLeads(o.till, 3);
    clock.ms = Date.parse('2026-03-11T09:00:00Z');
    const touch = await send(t.app, o.till, 'PUT', `/v2/leads/${a}`, {
      extendedFields: { touched: true },
    });
    assert.equal(touch.status, 200, touch.raw);
    clock.ms = Date.parse('2026-03-11T10:00:00Z');
    const follow = await send(t.app, o.associate, 'POST', `/v2/leads/${b}/followup`, {
      followedUpOn: '2026-03-11T09:30:00Z',
      createdBy: o.associate.id,
    });
    assert.equal(follow.status, 200, follow.raw);
    // c: 08:00, a: 09:00, b: 10:00
    assert.deepEqual(await listIds(t.app, o.till, 'sortBy=lastUpdatedOn&sortOrder=ASC'), [c, a, b]);
    assert.deepEqual(await listIds(t.app, o.till, 'sortBy=lastUpdatedOn&sortOrder=DESC'), [
      b,
      a,
      c,
    ]);
    assert.deepEqual(await listIds(t.app, o.till, 'sortBy=lastUpdatedOn&limit=1&offset=1'), [a]);
    assert.deepEqual(await listIds(t.app, o.till), [a, b, c]);
  });

  it('filters by userId', async () => {
    const o = await newOrg(t.ctx);
    const first = await newLead(t.app, o.till);
    await newLead(t.app, o.till);
    const again = await newLead(t.app, o.till, {
      userId: first.userId,
      idType: undefined,
      identifier: undefined,
    });
    assert.deepEqual(await listIds(t.app, o.till, `userId=${first.userId}`), [first.id, again.id]);
    assert.deepEqual(await listIds(t.app, o.till, `userId=${NEVER_ID}`), []);
  });

  it('filters by status; DELETED only when asked for', async () => {
    const o = await newOrg(t.ctx);
    const reason = await addReason(t.app, o.till, 'Decided');
    const open = await newLead(t.app, o.till);
    const won = await newLead(t.app, o.till, { status: 'WON' });
    const lost = await newLead(t.app, o.till, { status: 'LOST' });
    const held = await newLead(t.app, o.till, { status: 'ON_HOLD' });
    const deleted = await newLead(t.app, o.till);
    const gone = await send(t.app, o.till, 'PUT', `/v2/leads/${deleted.id}/status`, {
      status: 'DELETED',
      reasonId: reason,
    });
    assert.equal(gone.status, 200, gone.raw);
    assert.deepEqual(await listIds(t.app, o.till), [open.id, won.id, lost.id, held.id]);
    assert.deepEqual(await listIds(t.app, o.till, 'status=OPEN'), [open.id]);
    assert.deepEqual(await listIds(t.app, o.till, 'status=WON'), [won.id]);
    assert.deepEqual(await listIds(t.app, o.till, 'status=LOST'), [lost.id]);
    assert.deepEqual(await listIds(t.app, o.till, 'status=ON_HOLD'), [held.id]);
    assert.deepEqual(await listIds(t.app, o.till, 'status=DELETED'), [deleted.id]);
  });

  it('filters by sub-status, spelled substatus or subStatus', async () => {
    const o = await newOrg(t.ctx);
    await addSubStatus(t.app, o.admin, 'ON_HOLD', 'AwaitingStock');
    await addSubStatus(t.app, o.admin, 'ON_HOLD', 'AwaitingPayment');
    await addSubStatus(t.app, o.admin, 'OPEN', 'AwaitingStock');
    const stock = await newLead(t.app, o.till, { status: 'ON_HOLD', subStatus: 'AwaitingStock' });
    await newLead(t.app, o.till, { status: 'ON_HOLD', subStatus: 'AwaitingPayment' });
    const openStock = await newLead(t.app, o.till, { subStatus: 'AwaitingStock' });
    await newLead(t.app, o.till, { status: 'ON_HOLD' });
    const expected = [stock.id, openStock.id];
    assert.deepEqual(await listIds(t.app, o.till, 'substatus=AwaitingStock'), expected);
    assert.deepEqual(await listIds(t.app, o.till, 'subStatus=AwaitingStock'), expected);
    assert.deepEqual(await listIds(t.app, o.till, 'subStatus=AwaitingStock&status=ON_HOLD'), [
      stock.id,
    ]);
    assert.deepEqual(await listIds(t.app, o.till, 'substatus=NoSuchSubStatus'), []);
  });

  it('filters by type; ALL and no type mean any type', async () => {
    const o = await newOrg(t.ctx);
    const sku = await newLead(t.app, o.till);
    const brand = await newLead(t.app, o.till, { type: 'BRAND' });
    const category = await newLead(t.app, o.till, { type: 'CATEGORY' });
    const custom = await newLead(t.app, o.till, { type: 'CUSTOM' });
    const all = [sku.id, brand.id, category.id, custom.id];
    assert.deepEqual(await listIds(t.app, o.till), all);
    assert.deepEqual(await listIds(t.app, o.till, 'type=ALL'), all);
    assert.deepEqual(await listIds(t.app, o.till, 'type=SKU'), [sku.id]);
    assert.deepEqual(await listIds(t.app, o.till, 'type=BRAND'), [brand.id]);
    assert.deepEqual(await listIds(t.app, o.till, 'type=CATEGORY'), [category.id]);
    assert.deepEqual(await listIds(t.app, o.till, 'type=CUSTOM'), [custom.id]);
  });

  it('filters by owner entity id', async () => {
    const o = await newOrg(t.ctx);
    const mine = await newLead(t.app, o.till, { owner: o.associate.code });
    const admins = await newLead(t.app, o.till, { owner: o.admin.code });
    await newLead(t.app, o.till);
    assert.deepEqual(await listIds(t.app, o.till, `owner=${o.associate.id}`), [mine.id]);
    assert.deepEqual(await listIds(t.app, o.till, `owner=${o.admin.id}`), [admins.id]);
    assert.deepEqual(await listIds(t.app, o.till, `owner=${o.till.id}`), []);
    assert.deepEqual(await listIds(t.app, o.till, `owner=${NEVER_ID}`), []);
  });

  it('filters by orgSourceId, -1 being in-store', async () => {
    const o = await newOrg(t.ctx);
    const inStore = await newLead(t.app, o.till);
    const facebook = await newLead(t.app, o.till, { orgSourceId: 1 });
    const web = await newLead(t.app, o.till, { orgSourceId: 10 });
    assert.deepEqual(await listIds(t.app, o.till, 'orgSourceId=-1'), [inStore.id]);
    assert.deepEqual(await listIds(t.app, o.till, 'orgSourceId=1'), [facebook.id]);
    assert.deepEqual(await listIds(t.app, o.till, 'orgSourceId=10'), [web.id]);
    assert.deepEqual(await listIds(t.app, o.till, 'orgSourceId=7'), []);
    assert.deepEqual(await listIds(t.app, o.till, 'orgSourceId=4242'), []);
  });

  it('filters by entityType + entityCode over the whole entity tree', async () => {
    const o = await newOrg(t.ctx);
    // zone > store > till, associate;  zone > admin;  zone > store2 > till2
    const store2 = await o.entity('STORE', o.zone);
    const till2 = await o.entity('TILL', store2);
    const byTill = await newLead(t.app, o.till);
    const byAssociate = await newLead(t.app, o.associate);
    const byAdmin = await newLead(t.app, o.admin);
    const byTill2 = await newLead(t.app, o.till, { createdBy: till2.id });
    const byStore = await newLead(t.app, o.till, { createdBy: o.store.id });
    const under = (type: string, code: string) =>
      listIds(t.app, o.till, `entityType=${type}&entityCode=${encodeURIComponent(code)}`);

    assert.deepEqual(await under('ZONE', o.zone.code), [
      byTill.id,
      byAssociate.id,
      byAdmin.id,
      byTill2.id,
      byStore.id,
    ]);
    assert.deepEqual(await under('STORE', o.store.code), [byTill.id, byAssociate.id, byStore.id]);
    assert.deepEqual(await under('STORE', store2.code), [byTill2.id]);
    assert.deepEqual(await under('TILL', o.till.code), [byTill.id]);
    assert.deepEqual(await under('TILL', till2.code), [byTill2.id]);
    assert.deepEqual(await under('ASSOCIATE', o.associate.code), [byAssociate.id]);
    assert.deepEqual(await under('ADMIN_USER', o.admin.code), [byAdmin.id]);
    // The type must match the entity too; unknown codes match nothing.
    assert.deepEqual(await under('STORE', o.zone.code), []);
    assert.deepEqual(await under('TILL', o.store.code), []);
    assert.deepEqual(await under('ZONE', 'no-such-zone'), []);
    // Combined with other filters (AND).
    assert.deepEqual(
      await listIds(
        t.app,
        o.till,
        `entityType=ZONE&entityCode=${o.zone.code}&limit=2&offset=1&sortOrder=ASC`,
      ),
      [byAssociate.id, byAdmin.id],
    );
  });

  it('entityCode without entityType (and the reverse) is a 400 with code 1106', async () => {
    const o = await newOrg(t.ctx);
    await newLead(t.app, o.till);
    assertError(
      await send(t.app, o.till, 'GET', `/v2/leads?entityCode=${o.store.code}`),
      400,
      'FIELD_CONFLICT',
      'entityType',
    );
    assertError(
      await send(t.app, o.till, 'GET', '/v2/leads?entityType=STORE'),
      400,
      'FIELD_CONFLICT',
      'entityCode',
    );
  });

  it('combines filters with AND', async () => {
    const o = await newOrg(t.ctx);
    const match = await newLead(t.app, o.till, {
      type: 'BRAND',
      owner: o.associate.code,
      orgSourceId: 1,
    });
    await newLead(t.app, o.till, { type: 'BRAND', owner: o.associate.code });
    await newLead(t.app, o.till, { type: 'SKU', owner: o.associate.code, orgSourceId: 1 });
    await newLead(t.app, o.till, { type: 'BRAND', orgSourceId: 1 });
    const won = await newLead(t.app, o.associate, {
      type: 'BRAND',
      owner: o.associate.code,
      orgSourceId: 1,
      status: 'WON',
    });
    assert.deepEqual(
      await listIds(
        t.app,
        o.till,
        `type=BRAND&owner=${o.associate.id}&orgSourceId=1&status=OPEN&entityType=TILL&entityCode=${o.till.code}`,
      ),
      [match.id],
    );
    assert.deepEqual(
      await listIds(t.app, o.till, `type=BRAND&owner=${o.associate.id}&orgSourceId=1`),
      [match.id, won.id],
    );
    assert.deepEqual(
      await listIds(t.app, o.till, `type=BRAND&owner=${o.associate.id}&orgSourceId=1&status=WON`),
      [won.id],
    );
  });
});
