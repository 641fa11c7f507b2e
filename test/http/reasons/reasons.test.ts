import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newOrg, send, type TestOrg } from '../../helpers/factories.js';
import { assertError, assertErrorsMatching } from '../../helpers/fixtures.js';

const URL = '/v2/leads/reasons';

function texts(list: Array<{ reason: string }>): string[] {
  return list.map((r) => r.reason);
}

describe('reasons', () => {
  const t = useTestApp();

  async function list(o: TestOrg) {
    const response = await send(t.app, o.till, 'GET', URL);
    assert.equal(response.status, 200);
    return response.body.data as Array<{ id: number; reason: string }>;
  }

  it('every new org has exactly APICALL and AUTO_CLOSE, in the list envelope', async () => {
    const o = await newOrg(t.ctx);
    const response = await send(t.app, o.admin, 'GET', URL);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.warnings, []);
    assert.deepEqual(response.body.errors, []);
    assert.deepEqual(texts(response.body.data).sort(), ['APICALL', 'AUTO_CLOSE']);
    for (const item of response.body.data) {
      assert.deepEqual(Object.keys(item).sort(), ['id', 'reason']);
      assert.ok(Number.isSafeInteger(item.id) && item.id > 0);
    }
  });

  it('adds reasons and answers the org’s full list, which GET then returns', async () => {
    const o = await newOrg(t.ctx);
    const before = await list(o);
    const response = await send(t.app, o.admin, 'POST', URL, [
      { reason: 'Size not in stock' },
      { reason: 'Bought elsewhere' },
    ]);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.warnings, []);
    assert.deepEqual(response.body.errors, []);
    const data = response.body.data as Array<{ id: number; reason: string }>;
    assert.deepEqual(texts(data).sort(), [
      'APICALL',
      'AUTO_CLOSE',
      'Bought elsewhere',
      'Size not in stock',
    ]);
    // Existing reasons keep their ids.
    for (const old of before) {
      assert.deepEqual(
        data.find((r) => r.reason === old.reason),
        old,
      );
    }
    const ids = data.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'reason ids are unique');
    assert.deepEqual(await list(o), data);
  });

  it('any log-in entity may add reasons (a till, an associate)', async () => {
    const o = await newOrg(t.ctx);
    assert.equal((await send(t.app, o.till, 'POST', URL, [{ reason: 'From till' }])).status, 200);
    assert.equal(
      (await send(t.app, o.associate, 'POST', URL, [{ reason: 'From associate' }])).status,
      200,
    );
    const all = texts(await list(o));
    assert.ok(all.includes('From till'));
    assert.ok(all.includes('From associate'));
  });

  it('does not add a reason that exists already (without case) and warns with code 2002', async () => {
    const o = await newOrg(t.ctx);
    await send(t.app, o.admin, 'POST', URL, [{ reason: 'Size not in stock' }]);
    const before = await list(o);

    const response = await send(t.app, o.admin, 'POST', URL, [
      { reason: 'SIZE NOT IN STOCK' },
      { reason: 'apicall' },
      { reason: 'Price too high' },
    ]);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.errors, []);
    const warnings = response.body.warnings as Array<{ code: number; message: string }>;
    assert.equal(warnings.length, 2, JSON.stringify(warnings));
    for (const warning of warnings) {
      assert.equal(warning.code, 2002);
      assert.equal((warning as any).status, false);
    }
    assert.ok(warnings.some((w) => /size not in stock/i.test(w.message)));
    assert.ok(warnings.some((w) => /apicall/i.test(w.message)));

    const after = await list(o);
    assert.deepEqual(texts(after).sort(), [...texts(before), 'Price too high'].sort());
    // The existing spelling is kept, not replaced by the duplicate's.
    assert.ok(texts(after).includes('Size not in stock'));
    assert.ok(!texts(after).includes('SIZE NOT IN STOCK'));
    assert.deepEqual(response.body.data, after);
  });

  it('compares non-ASCII reasons without case too', async () => {
    const o = await newOrg(t.ctx);
    await send(t.app, o.admin, 'POST', URL, [{ reason: 'Été complet' }]);
    const response = await send(t.app, o.admin, 'POST', URL, [{ reason: 'ÉTÉ COMPLET' }]);
    assert.equal(response.status, 200);
    assert.equal(response.body.warnings.length, 1);
    assert.equal(response.body.warnings[0].code, 2002);
    assert.equal(texts(await list(o)).filter((r) => /complet/i.test(r)).length, 1);
  });

  it('adds a reason repeated within one request once and warns about the repeat', async () => {
    const o = await newOrg(t.ctx);
    const response = await send(t.app, o.admin, 'POST', URL, [
      { reason: 'Customer travelling' },
      { reason: 'customer TRAVELLING' },
      { reason: 'Customer travelling' },
    ]);
    assert.equal(response.status, 200);
    assert.equal(response.body.warnings.length, 2);
    for (const warning of response.body.warnings) assert.equal(warning.code, 2002);
    const matching = texts(await list(o)).filter((r) => r.toLowerCase() === 'customer travelling');
    assert.deepEqual(matching, ['Customer travelling']);
  });

  it('a request of only duplicates changes nothing and still answers the full list', async () => {
    const o = await newOrg(t.ctx);
    const before = await list(o);
    const response = await send(t.app, o.admin, 'POST', URL, [
      { reason: 'APICALL' },
      { reason: 'Auto_Close' },
    ]);
    assert.equal(response.status, 200);
    assert.equal(response.body.warnings.length, 2);
    assert.deepEqual(response.body.data, before);
    assert.deepEqual(await list(o), before);
  });

  it('keeps each org’s reasons to itself', async () => {
    const a = await newOrg(t.ctx);
    const b = await newOrg(t.ctx);
    await send(t.app, a.admin, 'POST', URL, [{ reason: 'Only for A' }]);
    assert.ok(!texts(await list(b)).includes('Only for A'));

    // The same text in another org is not a duplicate.
    const response = await send(t.app, b.admin, 'POST', URL, [{ reason: 'only for a' }]);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.warnings, []);
    assert.deepEqual(texts(response.body.data).sort(), ['APICALL', 'AUTO_CLOSE', 'only for a']);
    // A's reason ids never appear in B's list.
    const aIds = new Set((await list(a)).map((r) => r.id));
    for (const r of await list(b)) assert.ok(!aIds.has(r.id));
  });

  it('ignores and reports unknown fields of an item', async () => {
    const o = await newOrg(t.ctx);
    const response = await send(t.app, o.admin, 'POST', URL, [
      { reason: 'With extra', colour: 'red' },
    ]);
    assert.equal(response.status, 200);
    assert.ok(texts(response.body.data).includes('With extra'));
    const warnings = response.body.warnings as Array<{ code: number; message: string }>;
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.code, 2001);
    assert.match(warnings[0]?.message ?? '', /colour/);
  });

  it('needs credentials', async () => {
    const o = await newOrg(t.ctx);
    const before = await list(o);
    const get = await send(t.app, undefined, 'GET', URL);
    assert.equal(get.status, 401);
    assert.equal(get.body.errors[0].code, 1003);
    const post = await send(t.app, undefined, 'POST', URL, [{ reason: 'Anonymous' }]);
    assert.equal(post.status, 401);
    assert.deepEqual(await list(o), before);
  });

  describe('bad input is a 400 naming the field, and adds nothing', () => {
    const cases: Array<{
      name: string;
      body: unknown;
      errors: Array<{ code: number; field: RegExp }>;
    }> = [
      { name: 'empty reason', body: [{ reason: '' }], errors: [{ code: 1103, field: /reason/ }] },
      {
        name: 'blank reason',
        body: [{ reason: '   ' }],
        errors: [{ code: 1103, field: /reason/ }],
      },
      {
        name: 'too long reason',
        body: [{ reason: 'x'.repeat(1000) }],
        errors: [{ code: 1103, field: /reason/ }],
      },
      {
        name: 'reason a number',
        body: [{ reason: 42 }],
        errors: [{ code: 1102, field: /reason/ }],
      },
      {
        name: 'reason null',
        body: [{ reason: null }],
        errors: [{ code: 1102, field: /reason/ }],
      },
      {
        name: 'reason an object',
        body: [{ reason: { text: 'x' } }],
        errors: [{ code: 1102, field: /reason/ }],
      },
      { name: 'reason missing', body: [{}], errors: [{ code: 1101, field: /reason/ }] },
      {
        name: 'item a string',
        body: ['Size not in stock'],
        errors: [{ code: 1102, field: /\[0\]/ }],
      },
      {
        name: 'body an object',
        body: { reason: 'Size not in stock' },
        errors: [{ code: 1102, field: /body/ }],
      },
      { name: 'body a string', body: 'Size not in stock', errors: [{ code: 1102, field: /body/ }] },
      { name: 'body null', body: null, errors: [{ code: 1102, field: /body/ }] },
      {
        name: 'a valid item beside a bad one',
        body: [{ reason: 'Valid one' }, { reason: 7 }],
        errors: [{ code: 1102, field: /\[1\]\.reason/ }],
      },
      {
        name: 'a valid item beside a blank one',
        body: [{ reason: 'Valid two' }, { reason: '  ' }],
        errors: [{ code: 1103, field: /\[1\]\.reason/ }],
      },
      {
        name: 'several bad items',
        body: [{ reason: '' }, { reason: 5 }, {}],
        errors: [
          { code: 1103, field: /\[0\]\.reason/ },
          { code: 1102, field: /\[1\]\.reason/ },
          { code: 1101, field: /\[2\]\.reason/ },
        ],
      },
    ];

    for (const c of cases) {
      it(c.name, async () => {
        const o = await newOrg(t.ctx);
        const before = await list(o);
        const response = await send(t.app, o.admin, 'POST', URL, c.body);
        assertErrorsMatching(response, 400, c.errors);
        assert.deepEqual(await list(o), before);
      });
    }

    it('an empty array adds nothing and is no server error', async () => {
      const o = await newOrg(t.ctx);
      const before = await list(o);
      const response = await send(t.app, o.admin, 'POST', URL, []);
      assert.ok(response.status === 200 || response.status === 400, String(response.status));
      assert.deepEqual(await list(o), before);
    });
  });
});

describe('reasons for administrators: the "not available" flag', () => {
  const t = useTestApp();
  const ADMIN_URL = '/v2/admin/reasons';

  async function adminList(o: TestOrg) {
    const response = await send(t.app, o.admin, 'GET', ADMIN_URL);
    assert.equal(response.status, 200);
    return response.body.data as Array<{ id: number; reason: string; notAvailable: boolean }>;
  }

  async function addOne(o: TestOrg, text: string): Promise<number> {
    const added = await send(t.app, o.admin, 'POST', URL, [{ reason: text }]);
    assert.equal(added.status, 200);
    return (added.body.data as Array<{ id: number; reason: string }>).find(
      (r) => r.reason === text,
    )!.id;
  }

  it('lists every reason unflagged at first, and sets and clears the flag, audited', async () => {
    const o = await newOrg(t.ctx);
    const id = await addOne(o, 'Size not in stock');
    const first = await adminList(o);
    assert.deepEqual(texts(first).sort(), ['APICALL', 'AUTO_CLOSE', 'Size not in stock']);
    assert.ok(first.every((r) => r.notAvailable === false));

    const set = await send(t.app, o.admin, 'PUT', `${ADMIN_URL}/${id}`, { notAvailable: true });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, {
      id,
      reason: 'Size not in stock',
      notAvailable: true,
      warnings: [],
    });
    assert.deepEqual(
      (await adminList(o)).filter((r) => r.notAvailable).map((r) => r.id),
      [id],
    );
    // The contract's list keeps its shape: the flag is the administrators'.
    const contract = await send(t.app, o.till, 'GET', URL);
    for (const item of contract.body.data) {
      assert.deepEqual(Object.keys(item).sort(), ['id', 'reason']);
    }

    const audit = await send(t.app, o.admin, 'GET', '/v2/admin/audit?limit=1');
    assert.equal(audit.body.data[0].action, 'reason.update');
    assert.equal(audit.body.data[0].target, String(id));
    assert.deepEqual(audit.body.data[0].details, {
      reason: 'Size not in stock',
      before: { notAvailable: false },
      after: { notAvailable: true },
    });

    const cleared = await send(t.app, o.admin, 'PUT', `${ADMIN_URL}/${id}`, {
      notAvailable: false,
    });
    assert.equal(cleared.body.notAvailable, false);
    assert.ok((await adminList(o)).every((r) => r.notAvailable === false));
  });

  it('refuses bad changes, other roles, and another org’s reason, changing nothing', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    const id = await addOne(o, 'Colour not made');
    const theirs = await addOne(other, 'Brand not stocked');
    const put = (who: TestOrg['admin'], reasonId: number | string, body: unknown) =>
      send(t.app, who, 'PUT', `${ADMIN_URL}/${reasonId}`, body);

    assertError(
      await put(o.admin, id, { notAvailable: 'yes' }),
      400,
      'FIELD_INVALID_TYPE',
      'notAvailable',
    );
    assertError(await put(o.admin, id, {}), 400, 'FIELD_REQUIRED', 'notAvailable');
    assertError(await put(o.admin, 'abc', { notAvailable: true }), 400, 'FIELD_INVALID_TYPE', 'id');
    assertError(
      await put(o.admin, theirs, { notAvailable: true }),
      404,
      'REASON_NOT_FOUND',
      String(theirs),
    );
    for (const system of (await adminList(o)).filter((r) => r.reason !== 'Colour not made')) {
      assertError(
        await put(o.admin, system.id, { notAvailable: true }),
        400,
        'FIELD_INVALID_VALUE',
        'id',
      );
    }
    assert.equal((await put(o.till, id, { notAvailable: true })).status, 403);
    assert.equal((await send(t.app, o.associate, 'GET', ADMIN_URL)).status, 403);

    assert.ok((await adminList(o)).every((r) => r.notAvailable === false));
    assert.ok((await adminList(other)).every((r) => r.notAvailable === false));
    assert.ok(
      !(await adminList(o)).some((r) => r.id === theirs),
      'another org’s reasons are not listed',
    );
  });
});
