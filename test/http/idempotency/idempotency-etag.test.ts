import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, TestClock, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, unique, type TestOrg } from '../../helpers/factories.js';
import { assertError, listIds, reasonIdOf } from '../../helpers/fixtures.js';

type Who = { headers: Record<string, string> };

describe('idempotent retries and optimistic concurrency', () => {
  const t = useTestApp();

  const withKey = (who: Who, key: string, extra: Record<string, string> = {}): Who => ({
    headers: { ...who.headers, 'idempotency-key': key, ...extra },
  });
  const statusLog = async (o: TestOrg, id: number) =>
    (await send(t.app, o.till, 'GET', `/v2/leads/${id}/statusLog`)).body.data as unknown[];
  const leadBody = () => ({
    leadFor: 'JKT-0192-M',
    idType: 'EMAIL',
    identifier: `${unique('shopper')}@example.com`,
  });

  it('replays the first response for a retry with the same key and body', async () => {
    const o = await newOrg(t.ctx);
    const key = unique('key');
    const body = leadBody();
    const first = await send(t.app, withKey(o.till, key), 'POST', '/v2/leads', body);
    assert.equal(first.status, 200, first.raw);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const retry = await send(t.app, withKey(o.till, key), 'POST', '/v2/leads', body);
    assert.equal(retry.status, 200);
    assert.equal(retry.raw, first.raw);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.headers.etag, first.headers.etag);
    assert.deepEqual(await listIds(t.app, o.till), [first.body.id]);
  });

  it('answers 422 for the same key with another body, and creates nothing', async () => {
    const o = await newOrg(t.ctx);
    const key = unique('key');
    const first = await send(t.app, withKey(o.till, key), 'POST', '/v2/leads', leadBody());
    const other = await send(t.app, withKey(o.till, key), 'POST', '/v2/leads', leadBody());
    assertError(other, 422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key');
    assert.deepEqual(await listIds(t.app, o.till), [first.body.id]);
  });

  it('scopes keys to the credential, and keeps nothing for a failed request', async () => {
    const o = await newOrg(t.ctx);
    const key = unique('key');
    const body = leadBody();
    const byTill = await send(t.app, withKey(o.till, key), 'POST', '/v2/leads', body);
    const byAssociate = await send(t.app, withKey(o.associate, key), 'POST', '/v2/leads', body);
    assert.equal(byAssociate.status, 200);
    assert.notEqual(byAssociate.body.id, byTill.body.id);

    const failing = await send(t.app, withKey(o.till, unique('k')), 'POST', '/v2/leads', {});
    assert.equal(failing.status, 400);
    const retryKey = unique('key');
    const bad = await send(t.app, withKey(o.till, retryKey), 'POST', '/v2/leads', { leadFor: 'x' });
    assert.equal(bad.status, 400);
    const fixed = await send(t.app, withKey(o.till, retryKey), 'POST', '/v2/leads', leadBody());
    assert.equal(fixed.status, 200, 'a key whose request failed is free for the corrected one');
    assertError(
      await send(t.app, withKey(o.till, 'bad key with spaces'), 'POST', '/v2/leads', body),
      400,
      'FIELD_INVALID_VALUE',
      'Idempotency-Key',
    );
  });

  it('lets concurrent retries of one key write once: the others get 409 or the replay', async () => {
    const o = await newOrg(t.ctx);
    const lead = await newLead(t.app, o.till);
    const reasonId = await reasonIdOf(t.app, o.till, 'APICALL');
    const key = unique('key');
    const body = { status: 'WON', reasonId };
    const responses = await Promise.all(
      Array.from({ length: 12 }, () =>
        send(t.app, withKey(o.till, key), 'PUT', `/v2/leads/${lead.id}/status`, body),
      ),
    );
    const ok = responses.filter((r) => r.status === 200);
    assert.ok(ok.length >= 1);
    assert.ok(responses.every((r) => r.status === 200 || r.status === 409));
    for (const r of responses.filter((x) => x.status === 409)) {
      assert.equal(r.body.errors[0].code, 1009);
    }
    assert.ok(ok.every((r) => r.raw === ok[0]?.raw));
    assert.equal((await statusLog(o, lead.id)).length, 2, 'exactly one status change was written');
  });

  it('gives every lead response an ETag that changes with each write', async () => {
    const o = await newOrg(t.ctx);
    const created = await send(t.app, o.till, 'POST', '/v2/leads', leadBody());
    const etag0 = created.headers.etag as string;
    assert.match(etag0, /^"\d+\.1"$/);
    const read = await send(t.app, o.till, 'GET', `/v2/leads/${created.body.id}`);
    assert.equal(read.headers.etag, etag0);
    const followed = await send(t.app, o.till, 'POST', `/v2/leads/${created.body.id}/followup`, {
      followedUpOn: '2026-03-03T09:30:00Z',
      createdBy: o.till.id,
    });
    assert.notEqual(followed.headers.etag, etag0);
    assert.match(String(followed.headers.etag), /^"\d+\.2"$/);
  });

  it('honours If-Match on updates and status changes: 412 on a stale ETag, nothing changed', async () => {
    const o = await newOrg(t.ctx);
    const lead = await send(t.app, o.till, 'POST', '/v2/leads', leadBody());
    const etag = lead.headers.etag as string;
    const reasonId = await reasonIdOf(t.app, o.till, 'APICALL');
    const ifMatch = (value: string): Who => ({ headers: { ...o.till.headers, 'if-match': value } });
    const url = `/v2/leads/${lead.body.id}`;

    const won = await send(t.app, ifMatch(etag), 'PUT', `${url}/status`, {
      status: 'WON',
      reasonId,
    });
    assert.equal(won.status, 200, won.raw);
    const stale = await send(t.app, ifMatch(etag), 'PUT', `${url}/status`, {
      status: 'LOST',
      reasonId,
    });
    assertError(stale, 412, 'PRECONDITION_FAILED', 'If-Match');
    const staleUpdate = await send(t.app, ifMatch(etag), 'PUT', url, { extendedFields: { a: 1 } });
    assertError(staleUpdate, 412, 'PRECONDITION_FAILED', 'If-Match');
    const after = await send(t.app, o.till, 'GET', url);
    assert.equal(after.body.status, 'WON');
    assert.deepEqual(after.body.extendedFields, {});
    assert.equal(after.headers.etag, won.headers.etag);

    const listed = await send(t.app, ifMatch(`"0.0", ${String(won.headers.etag)}`), 'PUT', url, {
      extendedFields: { a: 1 },
    });
    assert.equal(listed.status, 200, 'any tag of a list may match');
    const star = await send(t.app, ifMatch('*'), 'PUT', url, { extendedFields: { b: 2 } });
    assert.equal(star.status, 200);
  });

  it('requires If-Match when the org says so (428), for updates and status changes only', async () => {
    const o = await newOrg(t.ctx);
    const lead = await send(t.app, o.till, 'POST', '/v2/leads', leadBody());
    const set = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', { requireIfMatch: true });
    assert.equal(set.status, 200, set.raw);
    assert.equal(set.body.requireIfMatch, true);
    const reasonId = await reasonIdOf(t.app, o.till, 'APICALL');
    const url = `/v2/leads/${lead.body.id}`;
    assertError(
      await send(t.app, o.till, 'PUT', `${url}/status`, { status: 'WON', reasonId }),
      428,
      'PRECONDITION_REQUIRED',
      'If-Match',
    );
    assertError(
      await send(t.app, o.till, 'PUT', url, { owner: null }),
      428,
      'PRECONDITION_REQUIRED',
      'If-Match',
    );
    const followUp = await send(t.app, o.till, 'POST', `${url}/followup`, {
      followedUpOn: '2026-03-03T09:30:00Z',
      createdBy: o.till.id,
    });
    assert.equal(followUp.status, 200);
    const withTag = {
      headers: { ...o.till.headers, 'if-match': String(followUp.headers.etag) },
    };
    const done = await send(t.app, withTag, 'PUT', `${url}/status`, { status: 'WON', reasonId });
    assert.equal(done.status, 200, done.raw);
    assert.equal((await statusLog(o, lead.body.id)).length, 2);
  });
});

describe('expired idempotent responses', () => {
  const HOUR = 3600_000;
  const withKey = (who: Who, key: string): Who => ({
    headers: { ...who.headers, 'idempotency-key': key },
  });
  const leadBody = () => ({
    leadFor: 'JKT-0192-M',
    idType: 'EMAIL',
    identifier: `${unique('shopper')}@example.com`,
  });

  it('are purged by their own org after 48 hours, never by another org whose clock runs ahead', async () => {
    // Two server processes on one store, the second's clock three days ahead of the first's.
    const early = new TestClock();
    const late = new TestClock(early.now() + 72 * HOUR);
    const a = await createTestApp({ clock: early });
    const b = await createTestApp({ clock: late, env: { DATA_DIR: a.config.dataDir } });
    try {
      const orgA = await newOrg(a.ctx);
      const orgB = await newOrg(b.ctx);
      const keyA = unique('key');
      const bodyA = leadBody();
      const firstA = await send(a.app, withKey(orgA.till, keyA), 'POST', '/v2/leads', bodyA);
      assert.equal(firstA.status, 200, firstA.raw);

      const keyB = unique('key');
      const bodyB = leadBody();
      const firstB = await send(b.app, withKey(orgB.till, keyB), 'POST', '/v2/leads', bodyB);
      assert.equal(firstB.status, 200, firstB.raw);
      const retryA = await send(a.app, withKey(orgA.till, keyA), 'POST', '/v2/leads', bodyA);
      assert.equal(retryA.headers['idempotent-replayed'], 'true', "org B's request purged org A's");
      assert.equal(retryA.raw, firstA.raw);

      late.advance(48 * HOUR + 60_000);
      const laterB = await send(
        b.app,
        withKey(orgB.till, unique('key')),
        'POST',
        '/v2/leads',
        leadBody(),
      );
      assert.equal(laterB.status, 200, laterB.raw);
      const retryB = await send(b.app, withKey(orgB.till, keyB), 'POST', '/v2/leads', bodyB);
      assert.equal(retryB.status, 200, retryB.raw);
      assert.equal(retryB.headers['idempotent-replayed'], undefined, 'expired: runs afresh');
      assert.notEqual(retryB.body.id, firstB.body.id);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
