import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { TEST_STORE, createTestApp, type TestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, unique } from '../../helpers/factories.js';
import { addReason, addSubStatus } from '../../helpers/fixtures.js';

// Group commit (issue #5, docs/reliability.md): on SQLite many transactions share one durable
// commit. What must hold on both stores: every acknowledged transaction is there, a failing one
// changes nothing and fails nobody else, and nothing is visible or acknowledged before it is
// committed. On SQLite the tests also check that transactions really were grouped.
describe(`group commit (${TEST_STORE})`, () => {
  let t: TestApp;
  let orgId: number;
  before(async () => {
    t = await createTestApp();
    orgId = (await newOrg(t.ctx)).org.id;
  });
  after(async () => {
    await t.close();
  });

  const reasonRow = (text: string) => ({
    org_id: orgId,
    reason: text,
    reason_key: text.toLowerCase(),
    created_on: Date.now(),
  });

  /** Adds one reason row in a transaction, the smallest write a test can count. */
  const addReasonRow = (text: string) =>
    t.ctx.store.transaction((trx) => trx.insertInto('reasons').values(reasonRow(text)).execute());

  const reasonTexts = async (texts: string[]) =>
    (
      await t.ctx.store.db
        .selectFrom('reasons')
        .select('reason')
        .where('org_id', '=', orgId)
        .where('reason', 'in', texts)
        .execute()
    )
      .map((row) => row.reason)
      .sort();

  it('transactions that wait for the writer commit together, each one durable', async () => {
    const before = t.ctx.store.groupCommitStats && { ...t.ctx.store.groupCommitStats };
    const texts = Array.from({ length: 20 }, (_, i) => unique(`group-${i}`));
    // Started together: the first runs, the other 19 wait for the writer and join its group.
    await Promise.all(texts.map(addReasonRow));
    assert.deepEqual(await reasonTexts(texts), [...texts].sort());
    const stats = t.ctx.store.groupCommitStats;
    if (TEST_STORE === 'sqlite') {
      assert.ok(stats && before);
      assert.equal(stats.transactions - before.transactions, 20);
      // One commit for the first alone would already be a group of 19: allow for that split.
      assert.ok(stats.commits - before.commits <= 2, `commits: ${stats.commits - before.commits}`);
    } else {
      assert.equal(stats, undefined);
    }
  });

  it('a failing transaction rolls back alone; the others of its group commit', async () => {
    const texts = Array.from({ length: 6 }, (_, i) => unique(`mixed-${i}`));
    const failing = texts[3]!;
    const outcomes = await Promise.allSettled(
      texts.map((text) =>
        t.ctx.store.transaction(async (trx) => {
          await trx.insertInto('reasons').values(reasonRow(text)).execute();
          if (text === failing) throw new Error('refused after writing');
        }),
      ),
    );
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
    assert.deepEqual(await reasonTexts(texts), texts.filter((x) => x !== failing).sort());
  });

  it('nothing is visible to readers or acknowledged before its commit', async () => {
    const first = unique('first');
    const second = unique('second');
    let firstAcknowledged = false;
    let seenBySecond: { visible: string[]; acknowledged: boolean } | undefined;
    const firstDone = addReasonRow(first).then(() => {
      firstAcknowledged = true;
    });
    // On SQLite this runs after the first's transaction, before their shared commit.
    const secondDone = t.ctx.store.transaction(async (trx) => {
      seenBySecond = {
        visible: await reasonTexts([first]),
        acknowledged: firstAcknowledged,
      };
      await trx.insertInto('reasons').values(reasonRow(second)).execute();
    });
    await Promise.all([firstDone, secondDone]);
    assert.ok(seenBySecond);
    // On PostgreSQL both run at once and the second may see the first only once it committed,
    // which the database guarantees; the grouping itself is SQLite's.
    if (TEST_STORE === 'sqlite') {
      // Grouped: the first is written but not committed, so neither read nor acknowledged.
      assert.deepEqual(seenBySecond, { visible: [], acknowledged: false });
    }
    assert.deepEqual(await reasonTexts([first, second]), [first, second].sort());
  });

  it('when the shared transaction is lost, every member fails and none is kept', async () => {
    if (TEST_STORE !== 'sqlite') return;
    const kept = unique('lost-a');
    const breaker = unique('lost-b');
    const outcomes = await Promise.allSettled([
      addReasonRow(kept),
      t.ctx.store.transaction(async (trx) => {
        await trx.insertInto('reasons').values(reasonRow(breaker)).execute();
        // What SQLite does on an I/O error or a full disk: the whole transaction is gone.
        await sql`rollback`.execute(trx);
        throw new Error('disk gone');
      }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected'],
    );
    assert.deepEqual(await reasonTexts([kept, breaker]), []);
    // The writer is usable again afterwards.
    const after = unique('after');
    await addReasonRow(after);
    assert.deepEqual(await reasonTexts([after]), [after]);
  });

  it('concurrent status changes over HTTP are each answered, recorded and durable', async () => {
    const o = await newOrg(t.ctx);
    const reasonId = await addReason(t.app, o.admin, 'Customer called');
    await addSubStatus(t.app, o.admin, 'ON_HOLD', 'Calling');
    const leads = await Promise.all(Array.from({ length: 10 }, () => newLead(t.app, o.till)));
    const before = t.ctx.store.groupCommitStats && { ...t.ctx.store.groupCommitStats };
    const changes = leads.flatMap((lead) =>
      Array.from({ length: 4 }, () =>
        send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
          status: 'ON_HOLD',
          subStatus: 'Calling',
          reasonId,
        }),
      ),
    );
    const responses = await Promise.all(changes);
    assert.deepEqual(
      responses.map((r) => r.status),
      responses.map(() => 200),
    );
    for (const lead of leads) {
      const log = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}/statusLog`);
      const rows = (log.body.data as Array<{ status: string; reasonId: number }>).filter(
        (row) => row.reasonId === reasonId,
      );
      assert.equal(rows.length, 4);
      const read = await send(t.app, o.till, 'GET', `/v2/leads/${lead.id}`);
      assert.equal(read.body.status, 'ON_HOLD');
      assert.equal(read.body.subStatus, 'Calling');
    }
    const stats = t.ctx.store.groupCommitStats;
    if (TEST_STORE === 'sqlite' && stats && before) {
      assert.ok(stats.transactions - before.transactions >= 40);
      assert.ok(
        stats.commits - before.commits < stats.transactions - before.transactions,
        'status changes arriving together share commits',
      );
    }
  });
});
