import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { countingApp } from '../../helpers/queries.js';
import { newLead, newOrg, send, type Login, type TestOrg } from '../../helpers/factories.js';
import { addReason, assertError, orgSnapshot } from '../../helpers/fixtures.js';

type Who = { headers: Record<string, string> };

describe('GET /v2/leads by cursor', () => {
  const clock = new TestClock();
  const t = useTestApp({ clock });

  /** GET /v2/leads?`query`, asserting 200; the body. */
  async function page(who: Who, query: string): Promise<{ data: any[]; nextCursor?: string }> {
    const response = await send(t.app, who, 'GET', `/v2/leads?${query}`);
    assert.equal(response.status, 200, `${query}: ${response.raw}`);
    return response.body;
  }

  const withCursor = (query: string, cursor: string) =>
    `${query}&cursor=${encodeURIComponent(cursor)}`;

  /**
   * Every page of `query` in pages of `limit`, from the first page without a cursor through
   * each `nextCursor` until a page has none. A page with a next cursor must be full.
   */
  async function walk(who: Who, query: string, limit: number): Promise<any[][]> {
    const pages: any[][] = [];
    let body = await page(who, `${query}&limit=${limit}`);
    for (;;) {
      pages.push(body.data);
      if (body.nextCursor === undefined) break;
      assert.equal(typeof body.nextCursor, 'string');
      assert.equal(body.data.length, limit, `${query}: a page with a nextCursor is full`);
      assert.ok(pages.length <= 100, `${query}: the walk does not end`);
      body = await page(who, withCursor(`${query}&limit=${limit}`, body.nextCursor));
    }
    return pages;
  }

  /**
   * An org whose leads tie on both sort keys and run against id order in both: back-dated
   * createdOn values repeat, most leads are created at one clock instant (equal lastUpdatedOn)
   * and a few are changed later, three of them at one instant. They differ in status, owner and
   * creator (across two stores), and some carry follow-ups, so list items have history.
   */
  async function seedOrg(): Promise<TestOrg> {
    const o = await newOrg(t.ctx);
    const store2 = await o.entity('STORE', o.zone);
    const till2 = await o.entity('TILL', store2);
    const reason = await addReason(t.app, o.till, 'Decided');
    const createdOn = [
      '2026-02-03T10:00:00Z',
      '2026-02-01T10:00:00Z',
      '2026-02-03T10:00:00Z',
      '2026-02-02T10:00:00Z',
      '2026-02-01T10:00:00Z',
      '2026-02-03T10:00:00Z',
      '2026-02-02T10:00:00.500Z',
      '2026-02-01T10:00:00Z',
      '2026-02-03T10:00:00Z',
      '2026-02-04T10:00:00Z',
      '2026-02-01T10:00:00Z',
      '2026-02-02T10:00:00.500Z',
      '2026-02-03T10:00:00Z',
      '2026-01-31T10:00:00Z',
    ];
    const creators = [o.till.id, o.associate.id, o.admin.id, till2.id, o.store.id];
    const owners = [o.associate.code, o.admin.code, undefined];
    clock.ms = Date.parse('2026-03-01T12:00:00Z');
    const ids: number[] = [];
    for (const [i, stamp] of createdOn.entries()) {
      const lead = await newLead(t.app, o.till, {
        createdOn: stamp,
        createdBy: creators[i % creators.length],
        owner: owners[i % owners.length],
        ...(i % 4 === 1 ? { status: 'ON_HOLD' } : {}),
        ...(i % 5 === 0
          ? { followUpDetails: [{ followedUpOn: '2026-02-28T10:00:00Z', notes: `call ${i}` }] }
          : {}),
      });
      ids.push(lead.id);
    }
    clock.ms = Date.parse('2026-03-01T13:00:00Z');
    for (const i of [0, 4, 7]) {
      const touched = await send(t.app, o.till, 'PUT', `/v2/leads/${ids[i]}`, {
        extendedFields: { touched: true },
      });
      assert.equal(touched.status, 200, touched.raw);
    }
    clock.ms = Date.parse('2026-03-01T14:00:00Z');
    for (const [i, status] of [
      [2, 'WON'],
      [10, 'DELETED'],
    ] as const) {
      const changed = await send(t.app, o.till, 'PUT', `/v2/leads/${ids[i]}/status`, {
        status,
        reasonId: reason,
      });
      assert.equal(changed.status, 200, changed.raw);
    }
    const all = (await page(o.till, 'limit=1000')).data;
    const most = (values: string[]) =>
      Math.max(...values.map((v) => values.filter((w) => w === v).length));
    assert.ok(most(all.map((l) => l.createdOn)) >= 3, 'createdOn ties');
    assert.ok(most(all.map((l) => l.lastUpdatedOn)) >= 3, 'lastUpdatedOn ties');
    return o;
  }

  const sorts = [
    ['id', ''],
    ['createdOn', 'sortBy=createdOn&'],
    ['lastUpdatedOn', 'sortBy=lastUpdatedOn&'],
  ] as const;

  for (const [sortName, sortBy] of sorts) {
    for (const order of ['ASC', 'DESC'] as const) {
      it(`by ${sortName} ${order}: the cursor walk is the offset pages, every lead once, with filters`, async () => {
        const o = await seedOrg();
        const filters = [
          '',
          'status=ON_HOLD',
          `owner=${o.associate.id}`,
          `entityType=STORE&entityCode=${o.store.code}`,
          `entityType=ZONE&entityCode=${o.zone.code}&status=OPEN`,
        ];
        for (const filter of filters) {
          const query = `${sortBy}sortOrder=${order}${filter === '' ? '' : `&${filter}`}`;
          const whole = await page(o.till, `${query}&limit=1000`);
          assert.equal('nextCursor' in whole, false, `${query}: one page holds everything`);
          assert.ok(whole.data.length > 0, `${query}: the fixture matches some leads`);
          for (const limit of [1, 4]) {
            const pages = await walk(o.till, query, limit);
            assert.deepEqual(pages.flat(), whole.data, `${query}, pages of ${limit}`);
            for (const [n, cursorPage] of pages.entries()) {
              assert.ok(cursorPage.length > 0, `${query}: no empty last page`);
              const byOffset = await page(o.till, `${query}&limit=${limit}&offset=${n * limit}`);
              assert.deepEqual(cursorPage, byOffset.data, `${query}, page ${n} of ${limit}`);
            }
          }
        }
      });
    }
  }

  it('gives nextCursor only while more leads match; offset pages carry one too', async () => {
    const o = await newOrg(t.ctx);
    const ids: number[] = [];
    for (let i = 0; i < 6; i += 1) ids.push((await newLead(t.app, o.till)).id);

    const exact = await page(o.till, 'limit=6');
    assert.deepEqual(
      exact.data.map((l) => l.id),
      ids,
    );
    assert.equal('nextCursor' in exact, false, 'a page holding the last lead has no cursor');
    const first = await page(o.till, 'limit=3');
    assert.ok(first.nextCursor);
    const second = await page(o.till, withCursor('limit=3', first.nextCursor));
    assert.deepEqual(
      second.data.map((l) => l.id),
      ids.slice(3),
    );
    assert.equal('nextCursor' in second, false);

    // An offset page's cursor continues after it; limit may change from page to page, and an
    // explicit offset=0 is no offset.
    const skipped = await page(o.till, 'limit=2&offset=1');
    assert.ok(skipped.nextCursor);
    const rest = await page(o.till, withCursor('limit=1&offset=0', skipped.nextCursor));
    assert.deepEqual(
      rest.data.map((l) => l.id),
      [ids[3]],
    );
    assert.ok(rest.nextCursor);
    const last = await page(o.till, withCursor('limit=1000', rest.nextCursor));
    assert.deepEqual(
      last.data.map((l) => l.id),
      ids.slice(4),
    );

    const none = await newOrg(t.ctx);
    const empty = await page(none.till, 'limit=5');
    assert.deepEqual(empty, { data: [], warnings: [], errors: [] });
  });

  it('refuses a cursor it did not issue, or with another sort or filters, naming cursor', async () => {
    const o = await newOrg(t.ctx);
    for (let i = 0; i < 4; i += 1) await newLead(t.app, o.till, { type: 'BRAND' });
    const before = await orgSnapshot(t.app, t.ctx, { ...o.till, orgId: o.org.id });
    const issued = async (query: string) => {
      const cursor = (await page(o.till, `${query}&limit=1`)).nextCursor;
      assert.ok(cursor, query);
      return cursor;
    };
    const byId = await issued('sortOrder=ASC');
    const byCreated = await issued('sortBy=createdOn&sortOrder=DESC');
    const brands = await issued('type=BRAND');
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const payload = Buffer.from(byCreated, 'base64url').toString();
    const [, , key = '', id = '', filters = ''] = payload.split('.');

    const refused = async (query: string, name: 'FIELD_INVALID_CURSOR' | 'FIELD_INVALID_VALUE') =>
      assertError(await send(t.app, o.till, 'GET', `/v2/leads?${query}`), 400, name, 'cursor');
    const garbage = [
      'abc',
      'not a cursor',
      '!!!!',
      '%F0%9F%98%80',
      b64('{"sortBy":"id","id":1}'),
      b64(payload.replace(/^1\./, '2.')),
      b64(`1.cd.${key}.${id}`),
      b64(`1.cd.${key}.0.${filters}`),
      b64(`1.cd.${key}.99999999999999999.${filters}`),
      b64(`1.cd.0${key}.${id}.${filters}`),
      b64(`1.xd.${key}.${id}.${filters}`),
      b64(`1.ia.5.6.${filters}`),
      `${byCreated}A`,
      `${byCreated}==`,
      byCreated.slice(0, -2),
      ` ${byCreated}`,
    ];
    for (const cursor of garbage) {
      const encoded = cursor.startsWith('%') ? cursor : encodeURIComponent(cursor);
      await refused(`sortBy=createdOn&sortOrder=DESC&cursor=${encoded}`, 'FIELD_INVALID_CURSOR');
    }
    // Its shape is a bounded string, like every other field's.
    await refused('cursor=', 'FIELD_INVALID_VALUE');
    await refused(`cursor=${'A'.repeat(129)}`, 'FIELD_INVALID_VALUE');

    // Another sort, another direction, other filters.
    for (const query of [
      'sortBy=lastUpdatedOn&sortOrder=DESC',
      'sortBy=createdOn&sortOrder=ASC',
      'sortOrder=DESC',
      'sortBy=createdOn&sortOrder=DESC&status=OPEN',
    ]) {
      await refused(withCursor(query, byCreated), 'FIELD_INVALID_CURSOR');
    }
    await refused(withCursor('sortBy=createdOn', byId), 'FIELD_INVALID_CURSOR');
    await refused(withCursor('type=SKU', brands), 'FIELD_INVALID_CURSOR');
    await refused(withCursor('', brands), 'FIELD_INVALID_CURSOR');
    // Spellings of the same filters are the same filters.
    assert.equal((await page(o.till, withCursor('', byId))).data.length, 3);
    assert.equal((await page(o.till, withCursor('type=ALL', byId))).data.length, 3);
    assert.equal(
      (await page(o.till, withCursor('type=BRAND&sortOrder=ASC', brands))).data.length,
      3,
    );

    // A cursor replaces offset.
    assertError(
      await send(t.app, o.till, 'GET', `/v2/leads?${withCursor('offset=2', byId)}`),
      400,
      'FIELD_CONFLICT',
      'cursor',
    );

    assert.deepEqual(await orgSnapshot(t.app, t.ctx, { ...o.till, orgId: o.org.id }), before);
  });

  it("another org's cursor only positions the caller's own list", async () => {
    const a = await newOrg(t.ctx);
    const b = await newOrg(t.ctx);
    const aIds: number[] = [];
    const bIds: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      aIds.push((await newLead(t.app, a.till)).id);
      bIds.push((await newLead(t.app, b.till)).id);
    }
    const fromA = (await page(a.till, 'limit=1')).nextCursor;
    assert.ok(fromA);
    const seen = await page(b.till, withCursor('limit=1000', fromA));
    assert.deepEqual(
      seen.data.map((l) => l.id),
      bIds.filter((id) => id > (aIds[0] ?? 0)),
    );
    assert.ok(!seen.data.some((l) => aIds.includes(l.id)));
  });

  it('under concurrent writes, leads that do not change appear once; moved leads may repeat', async () => {
    const o = await newOrg(t.ctx);
    const reason = await addReason(t.app, o.till, 'Gone');
    clock.ms = Date.parse('2026-04-01T08:00:00Z');
    const ids: number[] = [];
    for (let i = 0; i < 8; i += 1) ids.push((await newLead(t.app, o.till)).id);
    const idsOf = (leads: any[]) => leads.map((l) => l.id as number);

    // By id: a lead added mid-walk comes at the end, a lead deleted before it is reached is not
    // listed, a lead changed after it was listed is not listed again.
    const first = await page(o.till, 'limit=3');
    clock.advance(1000);
    const added = (await newLead(t.app, o.till)).id;
    const gone = await send(t.app, o.till, 'PUT', `/v2/leads/${ids[5]}/status`, {
      status: 'DELETED',
      reasonId: reason,
    });
    assert.equal(gone.status, 200, gone.raw);
    const touched = await send(t.app, o.till, 'PUT', `/v2/leads/${ids[1]}`, {
      extendedFields: { touched: true },
    });
    assert.equal(touched.status, 200, touched.raw);
    assert.ok(first.nextCursor);
    const rest = await page(o.till, withCursor('limit=1000', first.nextCursor));
    assert.deepEqual(
      [...idsOf(first.data), ...idsOf(rest.data)],
      [...ids.filter((id) => id !== ids[5]), added],
    );

    // By lastUpdatedOn: a lead changed after it was listed moves past the position and is
    // listed again; the unchanged ones still appear once each.
    const byUpdate = 'sortBy=lastUpdatedOn&sortOrder=ASC';
    const start = await page(o.till, `${byUpdate}&limit=2`);
    clock.advance(1000);
    const moved = start.data[0].id as number;
    const touchedAgain = await send(t.app, o.till, 'PUT', `/v2/leads/${moved}`, {
      extendedFields: { again: true },
    });
    assert.equal(touchedAgain.status, 200, touchedAgain.raw);
    assert.ok(start.nextCursor);
    const after = await page(o.till, withCursor(`${byUpdate}&limit=1000`, start.nextCursor));
    const walked = [...idsOf(start.data), ...idsOf(after.data)];
    assert.equal(walked.filter((id) => id === moved).length, 2);
    const listed = idsOf((await page(o.till, 'limit=1000')).data);
    assert.deepEqual(
      walked.filter((id) => id !== moved).sort((x, y) => x - y),
      listed.filter((id) => id !== moved),
    );
  });

  it('reads history in the same two batched queries for any page size', async () => {
    const o = await newOrg(t.ctx);
    for (let i = 0; i < 12; i += 1) {
      await newLead(t.app, o.till, {
        followUpDetails: [{ followedUpOn: '2026-02-28T10:00:00Z', notes: `call ${i}` }],
      });
    }
    const { app, statements, reset } = await countingApp(t.ctx);
    try {
      const count = async (who: Login, query: string) => {
        reset();
        const response = await send(app, who, 'GET', `/v2/leads?${query}`);
        assert.equal(response.status, 200, response.raw);
        assert.ok(response.body.data.every((l: any) => l.followUpDetails.length === 1));
        return { queries: statements(), body: response.body };
      };
      for (const sortBy of ['', 'sortBy=createdOn&', 'sortBy=lastUpdatedOn&']) {
        const small = await count(o.till, `${sortBy}limit=2`);
        const cursor = small.body.nextCursor as string;
        const cursorSmall = await count(o.till, withCursor(`${sortBy}limit=2`, cursor));
        const cursorLarge = await count(o.till, withCursor(`${sortBy}limit=9`, cursor));
        assert.equal(cursorSmall.body.data.length, 2);
        assert.equal(cursorLarge.body.data.length, 9);
        assert.equal(cursorSmall.queries, small.queries, `${sortBy}: as an offset page`);
        assert.equal(cursorLarge.queries, cursorSmall.queries, `${sortBy}: whatever the size`);
      }
    } finally {
      await app.close();
    }
  });

  it('is in /openapi.json: the cursor parameter and the nextCursor field', async () => {
    const doc = (await send(t.app, undefined, 'GET', '/openapi.json')).body;
    const get = doc.paths['/v2/leads'].get;
    const cursor = (get.parameters as Array<{ name: string; in: string; schema: any }>).find(
      (p) => p.name === 'cursor',
    );
    assert.ok(cursor, 'no cursor parameter');
    assert.equal(cursor.in, 'query');
    assert.equal(cursor.schema.type, 'string');
    assert.equal(cursor.schema.maxLength, 128);
    const envelope = get.responses['200'].content['application/json'].schema;
    assert.equal(envelope.properties.nextCursor.type, 'string');
    assert.deepEqual([...envelope.required].sort(), ['data', 'errors', 'warnings']);
  });
});
