import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import { createTestApp, TEST_STORE, TestClock, type TestApp } from '../../helpers/app.js';
import { planLines } from '../../helpers/queries.js';
import { newLead, newOrg, send, unique, type TestOrg } from '../../helpers/factories.js';
import { runCli, storeEnvFor, type CliRun } from '../../helpers/cli.js';
import { addSubStatus, codeOf, getLead, orgSnapshot, reasonIdOf } from '../../helpers/fixtures.js';
import { autoClose, closeLeads } from '../../../src/auto-close/auto-close.service.js';
import { findDueLeadsQuery } from '../../../src/auto-close/auto-close.repository.js';
import {
  runAutoClosePass,
  startAutoCloseScheduler,
} from '../../../src/auto-close/auto-close.scheduler.js';
import { repeatEvery } from '../../../src/core/repeat-every.js';
import { loadConfig } from '../../../src/core/config.js';
import type { AppContext } from '../../../src/core/context.js';
import { formatDateTime } from '../../../src/core/date-time.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/**
 * Leads of these tests are last changed in 2100. Servers that other suites start on the shared
 * PostgreSQL database run the schedule with the system clock, for which such leads are never
 * inactive, so nothing but these tests closes them.
 */
const T0 = Date.parse('2100-01-04T10:00:00Z');
const iso = formatDateTime;
const ascending = (ids: number[]) => [...ids].sort((a, b) => a - b);

async function setAutoCloseDays(ctx: AppContext, orgId: number, days: number | null) {
  await ctx.store.transaction((trx) =>
    trx.updateTable('orgs').set({ auto_close_days: days }).where('id', '=', orgId).execute(),
  );
}

/** The org's AUTO_CLOSE status-log rows per lead id. */
async function autoCloseRowsByLead(ctx: AppContext, orgId: number): Promise<Map<number, number>> {
  const rows = await ctx.store.db
    .selectFrom('status_logs')
    .innerJoin('reasons', 'reasons.id', 'status_logs.reason_id')
    .select(['status_logs.lead_id', sql<number>`count(*)`.as('n')])
    .where('status_logs.org_id', '=', orgId)
    .where('reasons.reason', '=', 'AUTO_CLOSE')
    .groupBy('status_logs.lead_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.lead_id), Number(r.n)]));
}

/** A logger that keeps what it is told. */
function recordingLog() {
  const entries: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at =
    (level: string) =>
    (obj: Record<string, unknown> | string, msg = ''): void => {
      entries.push(
        typeof obj === 'string' ? { level, obj: {}, msg: obj } : { level, obj, msg: String(msg) },
      );
    };
  const log: Record<string, unknown> = {
    level: 'info',
    ...Object.fromEntries(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => [l, at(l)]),
    ),
    silent: () => {},
  };
  log.child = () => log;
  return { log: log as unknown as FastifyBaseLogger, entries };
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe(`auto-close (${TEST_STORE})`, () => {
  const clock = new TestClock(T0);
  let t: TestApp;
  const run = (orgId: number, asOf: number, dryRun = false, batchSize?: number) =>
    autoClose(t.ctx, { orgId, asOf, dryRun, ...(batchSize ? { batchSize } : {}) });
  const orgWithDays = async (days: number | null): Promise<TestOrg> => {
    const org = await newOrg(t.ctx);
    await setAutoCloseDays(t.ctx, org.org.id, days);
    return org;
  };

  before(async () => {
    t = await createTestApp({ clock });
  });
  after(async () => {
    await t.close();
  });

  it('closes exactly the OPEN and ON_HOLD leads inactive for longer than the period, once', async () => {
    clock.ms = T0;
    const o = await orgWithDays(3);
    const autoCloseId = await reasonIdOf(t.app, o.till, 'AUTO_CLOSE');
    await addSubStatus(t.app, o.till, 'ON_HOLD', 'AwaitingStock');
    const open = await newLead(t.app, o.till);
    const onHold = await newLead(t.app, o.till, { status: 'ON_HOLD', subStatus: 'AwaitingStock' });
    const won = await newLead(t.app, o.till, { status: 'WON' });
    const lost = await newLead(t.app, o.till, { status: 'LOST' });
    const deleted = await newLead(t.app, o.till, { status: 'DELETED' });
    const followedUp = await newLead(t.app, o.till);
    clock.ms = T0 + 2 * DAY;
    const recent = await newLead(t.app, o.till, { status: 'ON_HOLD' });
    const followUp = await send(t.app, o.till, 'POST', `/v2/leads/${followedUp.id}/followup`, {
      followedUpOn: iso(clock.ms),
      createdBy: o.till.id,
    });
    assert.equal(followUp.status, 200, followUp.raw);

    clock.ms = T0 + 4 * DAY;
    const due = ascending([open.id, onHold.id]);
    const untouched = [won, lost, deleted, followedUp, recent];
    const untouchedBefore = await Promise.all(untouched.map((l) => getLead(t.app, o.till, l.id)));

    const snapshot = await orgSnapshot(t.app, t.ctx, { ...o.till, orgId: o.org.id });
    assert.deepEqual(await run(o.org.id, clock.ms, true), { closed: due });
    assert.deepEqual(
      await orgSnapshot(t.app, t.ctx, { ...o.till, orgId: o.org.id }),
      snapshot,
      'a dry run changes nothing',
    );

    assert.deepEqual(await run(o.org.id, clock.ms), { closed: due });
    for (const before of [open, onHold]) {
      const lead = await getLead(t.app, o.till, before.id);
      assert.equal(lead.status, 'LOST');
      assert.equal(lead.subStatus, undefined, 'the sub-status is cleared');
      assert.equal(lead.lastUpdatedOn, iso(T0 + 4 * DAY));
      assert.equal(lead.lastUpdatedBy, -1);
      assert.deepEqual(lead.statusLogDetails.slice(0, -1), before.statusLogDetails);
      const row = lead.statusLogDetails.at(-1);
      assert.deepEqual(row, {
        id: row.id,
        userId: before.userId,
        leadId: before.id,
        status: 'LOST',
        createdBy: -1,
        createdOn: iso(T0 + 4 * DAY),
        reasonId: autoCloseId,
        reason: 'AUTO_CLOSE',
      });
    }
    for (const [i, lead] of untouched.entries()) {
      assert.deepEqual(await getLead(t.app, o.till, lead.id), untouchedBefore[i]);
    }

    // A second run finds nothing more; each lead keeps its one AUTO_CLOSE row.
    assert.deepEqual(await run(o.org.id, clock.ms), { closed: [] });
    assert.deepEqual(await autoCloseRowsByLead(t.ctx, o.org.id), new Map(due.map((id) => [id, 1])));

    // The follow-up and the late creation only postponed their leads: exactly 3 days after their
    // last change they are not yet inactive for longer than 3 days; a millisecond later they are.
    clock.ms = T0 + 5 * DAY;
    assert.deepEqual(await run(o.org.id, clock.ms), { closed: [] });
    clock.ms += 1;
    assert.deepEqual(await run(o.org.id, clock.ms), {
      closed: ascending([followedUp.id, recent.id]),
    });
    assert.equal((await getLead(t.app, o.till, won.id)).status, 'WON');
  });

  it('measures inactivity up to asOf, closes at the clock, and never moves lastUpdatedOn back', async () => {
    clock.ms = T0;
    const o = await orgWithDays(3);
    const a = await newLead(t.app, o.till);
    clock.ms = T0 + 2 * HOUR;
    const b = await newLead(t.app, o.till);

    clock.ms = T0 + HOUR;
    assert.deepEqual(await run(o.org.id, T0), { closed: [] });
    assert.deepEqual(await run(o.org.id, T0 + 3 * DAY, true), { closed: [] });
    assert.deepEqual(await run(o.org.id, T0 + 3 * DAY + 1, true), { closed: [a.id] });
    // A stopped run (server shutdown) writes no further batch.
    const stopped = await autoClose(t.ctx, {
      orgId: o.org.id,
      asOf: T0 + 3 * DAY + 1,
      dryRun: false,
      signal: AbortSignal.abort(),
    });
    assert.deepEqual(stopped, { closed: [] });
    assert.equal((await getLead(t.app, o.till, a.id)).status, 'OPEN');
    assert.deepEqual(await run(o.org.id, T0 + 3 * DAY + 1), { closed: [a.id] });
    const closedA = await getLead(t.app, o.till, a.id);
    assert.equal(closedA.status, 'LOST');
    assert.equal(closedA.lastUpdatedOn, iso(T0 + HOUR), 'closed now, not at asOf');
    assert.equal(closedA.statusLogDetails.at(-1).createdOn, iso(T0 + HOUR));

    // The clock is behind b's last change: the status-log row is dated now, the lead keeps its
    // later lastUpdatedOn.
    assert.deepEqual(await run(o.org.id, T0 + 10 * DAY), { closed: [b.id] });
    const closedB = await getLead(t.app, o.till, b.id);
    assert.equal(closedB.status, 'LOST');
    assert.equal(closedB.lastUpdatedOn, iso(T0 + 2 * HOUR));
    assert.equal(closedB.statusLogDetails.at(-1).createdOn, iso(T0 + HOUR));
  });

  it('leaves orgs without the setting, and other orgs, alone', async () => {
    clock.ms = T0;
    const withDays = await orgWithDays(3);
    const without = await orgWithDays(null);
    const other = await orgWithDays(3);
    const zero = await orgWithDays(0);
    const [a, a2, b, c, z] = [
      await newLead(t.app, withDays.till),
      await newLead(t.app, withDays.till),
      await newLead(t.app, without.till),
      await newLead(t.app, other.till),
      await newLead(t.app, zero.till),
    ];
    clock.ms = T0 + 10 * DAY;

    assert.deepEqual(await run(without.org.id, clock.ms, true), { closed: [] });
    assert.deepEqual(await run(without.org.id, clock.ms), { closed: [] });
    assert.deepEqual(await run(zero.org.id, clock.ms), { closed: [] }, '0 days means off');
    assert.deepEqual(await run(withDays.org.id, clock.ms, false, 1), {
      closed: ascending([a.id, a2.id]),
    });
    assert.equal((await getLead(t.app, without.till, b.id)).status, 'OPEN');
    assert.equal((await getLead(t.app, zero.till, z.id)).status, 'OPEN');
    assert.equal((await getLead(t.app, other.till, c.id)).status, 'OPEN');
    // ... though the other org's lead was due all along.
    assert.deepEqual(await run(other.org.id, clock.ms), { closed: [c.id] });

    // Turning the setting off stops it.
    await setAutoCloseDays(t.ctx, other.org.id, null);
    clock.ms = T0;
    const c2 = await newLead(t.app, other.till);
    clock.ms = T0 + 10 * DAY;
    assert.deepEqual(await run(other.org.id, clock.ms), { closed: [] });
    assert.equal((await getLead(t.app, other.till, c2.id)).status, 'OPEN');
  });

  it('never closes a lead that was changed, or closed, after it was found', async () => {
    clock.ms = T0;
    const o = await orgWithDays(3);
    const elsewhere = await orgWithDays(3);
    const [x, won, followedUp, foreign] = [
      await newLead(t.app, o.till),
      await newLead(t.app, o.till),
      await newLead(t.app, o.till),
      await newLead(t.app, elsewhere.till),
    ];
    clock.ms = T0 + 4 * DAY;
    const reasonId = await reasonIdOf(t.app, o.till, 'AUTO_CLOSE');
    const apiCall = await reasonIdOf(t.app, o.till, 'APICALL');
    // Found as due at cutoff T0 + 1 day, then changed by people before the batch is written.
    const cutoff = T0 + DAY;
    const found = [x.id, won.id, followedUp.id, foreign.id];
    const change = await send(t.app, o.till, 'PUT', `/v2/leads/${won.id}/status`, {
      status: 'WON',
      reasonId: apiCall,
    });
    assert.equal(change.status, 200, change.raw);
    const followUp = await send(t.app, o.till, 'POST', `/v2/leads/${followedUp.id}/followup`, {
      followedUpOn: iso(clock.ms),
      createdBy: o.till.id,
    });
    assert.equal(followUp.status, 200, followUp.raw);

    assert.deepEqual(await closeLeads(t.ctx, { orgId: o.org.id, ids: found, cutoff, reasonId }), [
      x.id,
    ]);
    // The same stale batch again: x is LOST by now.
    assert.deepEqual(
      await closeLeads(t.ctx, { orgId: o.org.id, ids: found, cutoff, reasonId }),
      [],
    );
    assert.deepEqual(await autoCloseRowsByLead(t.ctx, o.org.id), new Map([[x.id, 1]]));
    assert.equal((await getLead(t.app, o.till, won.id)).status, 'WON');
    assert.equal((await getLead(t.app, o.till, followedUp.id)).status, 'OPEN');
    assert.equal((await getLead(t.app, elsewhere.till, foreign.id)).status, 'OPEN');
  });

  it('closes each lead exactly once under concurrent runs and concurrent status changes', async () => {
    clock.ms = T0;
    const o = await orgWithDays(3);
    const apiCall = await reasonIdOf(t.app, o.till, 'APICALL');
    const ids: number[] = [];
    for (let i = 0; i < 200; i += 20) {
      const leads = await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          newLead(t.app, o.till, (i + j) % 2 === 0 ? {} : { status: 'ON_HOLD' }),
        ),
      );
      ids.push(...leads.map((l) => l.id as number));
    }
    clock.ms = T0 + 4 * DAY;
    // Every 10th lead is won by a person while eight runs close the backlog in batches of 25.
    const raced = ids.filter((_, i) => i % 10 === 0);
    const [runs, changes] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, () => run(o.org.id, clock.ms, false, 25))),
      Promise.all(
        raced.map((id) =>
          send(t.app, o.till, 'PUT', `/v2/leads/${id}/status`, {
            status: 'WON',
            reasonId: apiCall,
          }),
        ),
      ),
    ]);
    for (const change of changes) assert.equal(change.status, 200, change.raw);

    const closedByRuns = runs.flatMap((r) => r.closed);
    assert.equal(new Set(closedByRuns).size, closedByRuns.length, 'no lead closed by two runs');
    const perLead = await autoCloseRowsByLead(t.ctx, o.org.id);
    assert.deepEqual(ascending([...perLead.keys()]), ascending(closedByRuns));
    assert.ok(
      [...perLead.values()].every((n) => n === 1),
      'one AUTO_CLOSE row per lead',
    );
    // Every lead not raced is closed; a raced one either was won first (and stays WON without
    // AUTO_CLOSE) or was closed first and then won.
    const notRaced = ids.filter((id) => !raced.includes(id));
    assert.ok(notRaced.every((id) => perLead.has(id)));
    const logs = await t.ctx.store.db
      .selectFrom('status_logs')
      .innerJoin('reasons', 'reasons.id', 'status_logs.reason_id')
      .select(['status_logs.lead_id', 'status_logs.status', 'reasons.reason'])
      .where('status_logs.org_id', '=', o.org.id)
      .orderBy('status_logs.lead_id')
      .orderBy('status_logs.id')
      .execute();
    const leads = await t.ctx.store.db
      .selectFrom('leads')
      .select(['id', 'status', 'last_updated_by'])
      .where('org_id', '=', o.org.id)
      .execute();
    assert.equal(leads.length, 200);
    for (const lead of leads) {
      const history = logs.filter((l) => Number(l.lead_id) === lead.id);
      assert.equal(history.at(-1)?.status, lead.status, `lead ${lead.id}: status = last row`);
      if (raced.includes(lead.id)) {
        assert.equal(lead.status, 'WON', `lead ${lead.id}: a person's change is never undone`);
      } else {
        assert.equal(lead.status, 'LOST');
        assert.equal(lead.last_updated_by, -1);
        assert.equal(history.at(-1)?.reason, 'AUTO_CLOSE');
      }
    }
  });

  it('finds due leads through the (org_id, status, last_updated_on) index', async () => {
    // A batch (with LIMIT) and a dry run (without): every condition is an index condition, so
    // neither reads the org's WON, LOST or recent leads.
    for (const limit of [500, undefined]) {
      const compiled = findDueLeadsQuery(t.ctx.store.db, 1, 'ON_HOLD', T0, limit).compile();
      const text = (await planLines(t.ctx, compiled)).join('\n');
      if (t.ctx.store.dialect === 'sqlite') {
        assert.match(
          text,
          /USING (COVERING )?INDEX leads_org_status_updated_idx \(org_id=\? AND status=\? AND last_updated_on<\?\)/,
          text,
        );
      } else {
        // Two indexes start with (org_id, status, last_updated_on): this one and the list's, which
        // adds id. Either serves every condition; the planner's pick between them varies with stats.
        assert.match(
          text,
          /Index (Only )?Scan using leads_org_status_updated(_id)?_idx on leads/,
          text,
        );
        assert.match(text, /Index Cond: .*status = .*last_updated_on < /, text);
        assert.doesNotMatch(text, /Filter:/, text);
      }
    }
  });

  it('counts first and lists at most 100 ids; --all-orgs runs every org with the setting', async () => {
    clock.ms = T0;
    const big = await orgWithDays(2);
    const small = await orgWithDays(2);
    const off = await orgWithDays(null);
    const bigIds: number[] = [];
    for (let i = 0; i < 105; i += 1) bigIds.push((await newLead(t.app, big.till)).id);
    const smallLead = await newLead(t.app, small.till);
    await newLead(t.app, off.till);
    const cli = (...args: string[]) =>
      runCli(storeEnvFor(t.config.dataDir), ['auto-close', ...args]);
    const asOf = '2100-01-10T00:00:00Z';
    const dry = await cli('--all-orgs', '--dry-run', '--as-of', asOf);
    assert.equal(dry.code, 0, dry.stderr);
    const answer = JSON.parse(dry.stdout);
    assert.deepEqual(Object.keys(answer), ['dryRun', 'asOf', 'count', 'orgs']);
    assert.equal(answer.dryRun, true);
    const mine = answer.orgs.filter((r: { org: string }) =>
      [big.org.name, small.org.name, off.org.name].includes(r.org),
    );
    // Orgs without the setting are not run; the big org's ids are cut at 100, its count is not.
    assert.deepEqual(
      mine.map((r: any) => [r.org, r.count, r.leadIds.length, r.leadIdsOmitted]),
      [
        [big.org.name, 105, 100, 5],
        [small.org.name, 1, 1, 0],
      ],
    );
    assert.deepEqual(mine[0].leadIds, bigIds.sort((a, b) => a - b).slice(0, 100));
    assert.deepEqual(mine[1].leadIds, [smallLead.id]);
    assert.ok(answer.count >= 106);
    assert.equal((await getLead(t.app, big.till, bigIds[0]!)).status, 'OPEN', 'a dry run');
    const both = await cli('--all-orgs', '--org', big.org.name);
    assert.equal(both.code, 2);
    assert.match(JSON.parse(both.stderr).error.message, /exactly one of --org NAME and --all-orgs/);
    const neither = await cli('--dry-run');
    assert.equal(neither.code, 2);
  });

  it('answers on the command line, dry or not, and refuses bad arguments', async () => {
    clock.ms = T0;
    const o = await orgWithDays(3);
    const without = await orgWithDays(null);
    const lead = await newLead(t.app, o.till);
    // 2100-01-07T23:00:00Z: 3 days and 13 hours after the lead's creation.
    const asOf = '2100-01-08T04:30:00+05:30';
    const storeEnv = storeEnvFor(t.config.dataDir);
    const cli = (...args: string[]) => runCli(storeEnv, ['auto-close', ...args]);
    const ok = (r: CliRun) => {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      return r.stdout;
    };
    const failed = (
      r: { code: number | null; stdout: string; stderr: string },
      code: number,
      exit: number,
    ) => {
      assert.equal(r.code, exit, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(JSON.parse(r.stderr).error.code, code, r.stderr);
    };

    const [dry, now, noSetting, unknownOrg, badDay, noOffset] = await Promise.all([
      cli('--org', o.org.name, '--dry-run', '--as-of', asOf),
      // The CLI's now is the real one, long before the lead's last change.
      cli('--org', o.org.name),
      cli('--org', without.org.name, '--as-of', asOf),
      cli('--org', unique('no-org'), '--as-of', asOf),
      cli('--org', o.org.name, '--as-of', '2100-02-30T00:00:00Z'),
      cli('--org', o.org.name, '--as-of', '2100-01-08T00:00:00'),
    ]);
    const asOfUtc = '2100-01-07T23:00:00Z';
    const report = (
      org: string,
      days: number | null,
      ids: number[],
      dryRun: boolean,
      at = asOfUtc,
    ) =>
      `${JSON.stringify({ dryRun, asOf: at, org, autoCloseDays: days, count: ids.length, leadIds: ids, leadIdsOmitted: 0 })}\n`;
    assert.equal(ok(dry), report(o.org.name, 3, [lead.id], true));
    assert.deepEqual(
      { ...JSON.parse(ok(now)), asOf: undefined },
      { ...JSON.parse(report(o.org.name, 3, [], false)), asOf: undefined },
    );
    assert.equal(ok(noSetting), report(without.org.name, null, [], false));
    failed(unknownOrg, codeOf('ORG_NOT_FOUND'), 1);
    for (const bad of [badDay, noOffset]) failed(bad, codeOf('INVALID_ARGUMENT'), 2);
    assert.equal((await getLead(t.app, o.till, lead.id)).status, 'OPEN', 'dry and refused runs');

    const started = Math.floor(Date.now() / 1000) * 1000;
    assert.equal(
      ok(await cli('--org', o.org.name, '--as-of', asOf)),
      report(o.org.name, 3, [lead.id], false),
    );
    const ended = Date.now();
    const closed = await getLead(t.app, o.till, lead.id);
    assert.equal(closed.status, 'LOST');
    assert.equal(closed.lastUpdatedOn, lead.lastUpdatedOn, 'the real now is before it');
    const row = closed.statusLogDetails.at(-1);
    assert.equal(row.reason, 'AUTO_CLOSE');
    assert.equal(row.createdBy, -1);
    const at = Date.parse(row.createdOn);
    assert.ok(at >= started && at <= ended, `${row.createdOn} is when the command ran`);
    assert.equal(
      ok(await cli('--org', o.org.name, '--as-of', asOf)),
      report(o.org.name, 3, [], false),
    );
  });
});

describe(`auto-close schedule (${TEST_STORE})`, () => {
  it('runs one pass at a time, and stopping waits for the running pass', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const signals: AbortSignal[] = [];
    const stop = repeatEvery(5, async (signal) => {
      active += 1;
      most = Math.max(most, active);
      runs += 1;
      signals.push(signal);
      await sleep(25);
      active -= 1;
    });
    await waitFor('three passes', async () => runs >= 3 && active === 1);
    const stopped = stop();
    assert.equal(active, 1);
    assert.ok(signals.at(-1)?.aborted, 'the running pass is told to stop');
    await stopped;
    assert.equal(active, 0, 'stop resolved after the pass ended');
    const total = runs;
    await sleep(50);
    assert.equal(runs, total, 'no pass after stop');
    assert.equal(most, 1, 'passes never overlap');
  });

  it('reads AUTO_CLOSE_INTERVAL_SECONDS (fractions, 0 = off) and AUTO_CLOSE_BATCH_SIZE', () => {
    const defaults = loadConfig({});
    assert.equal(defaults.autoCloseIntervalSeconds, 300);
    assert.equal(defaults.autoCloseBatchSize, 500);
    const set = loadConfig({ AUTO_CLOSE_INTERVAL_SECONDS: '0.2', AUTO_CLOSE_BATCH_SIZE: '20' });
    assert.equal(set.autoCloseIntervalSeconds, 0.2);
    assert.equal(set.autoCloseBatchSize, 20);
    assert.equal(loadConfig({ AUTO_CLOSE_INTERVAL_SECONDS: '0' }).autoCloseIntervalSeconds, 0);
    for (const bad of [
      { AUTO_CLOSE_INTERVAL_SECONDS: '-1' },
      { AUTO_CLOSE_INTERVAL_SECONDS: 'often' },
      { AUTO_CLOSE_BATCH_SIZE: '0' },
      { AUTO_CLOSE_BATCH_SIZE: '2001' },
    ]) {
      assert.throws(() => loadConfig(bad), /invalid environment/, JSON.stringify(bad));
    }
  });

  /**
   * The server's passes cover every org of the store, and the PostgreSQL database is shared by
   * every suite: these leads live in 1990, where no other suite's lead is inactive.
   */
  const past = Date.parse('1990-06-01T00:00:00Z');

  it('closes due leads on its schedule in the server, logging the count', async () => {
    const clock = new TestClock(past);
    const s = await createTestApp({ clock, env: { AUTO_CLOSE_INTERVAL_SECONDS: '0.05' } });
    try {
      const o = await newOrg(s.ctx);
      await setAutoCloseDays(s.ctx, o.org.id, 3);
      const lead = await newLead(s.app, o.till);
      clock.advance(4 * DAY);
      const { log, entries } = recordingLog();
      const stop = startAutoCloseScheduler(s.ctx, log);
      try {
        await waitFor(
          'the schedule to close the lead',
          async () => (await getLead(s.app, o.till, lead.id)).status === 'LOST',
        );
      } finally {
        await stop();
      }
      assert.ok(
        entries.some(
          (e) =>
            e.level === 'info' &&
            e.obj.orgId === o.org.id &&
            e.obj.closed === 1 &&
            e.msg === 'auto-close: org done',
        ),
        JSON.stringify(entries),
      );
      assert.ok(entries.some((e) => e.level === 'info' && e.msg === 'auto-close pass'));
      // Other suites' orgs share the PostgreSQL store; only this org's outcome is asserted.
      assert.ok(
        !entries.some(
          (e) => e.level === 'error' && (e.obj.orgId === o.org.id || e.obj.orgId === undefined),
        ),
        JSON.stringify(entries),
      );

      const off = recordingLog();
      const offCtx = { ...s.ctx, config: { ...s.ctx.config, autoCloseIntervalSeconds: 0 } };
      await startAutoCloseScheduler(offCtx, off.log)();
      assert.deepEqual(
        off.entries.map((e) => e.msg),
        ['auto-close schedule off (AUTO_CLOSE_INTERVAL_SECONDS=0)'],
      );
    } finally {
      await s.close();
    }
  });

  it('logs an org that fails and goes on with the others', async () => {
    const clock = new TestClock(past);
    const s = await createTestApp({ clock });
    try {
      const broken = await newOrg(s.ctx);
      const fine = await newOrg(s.ctx);
      for (const o of [broken, fine]) await setAutoCloseDays(s.ctx, o.org.id, 3);
      const brokenLead = await newLead(s.app, broken.till);
      const fineLead = await newLead(s.app, fine.till);
      // An org that lost its AUTO_CLOSE reason cannot be closed; it comes first (lower id).
      await s.ctx.store.transaction((trx) =>
        trx
          .deleteFrom('reasons')
          .where('org_id', '=', broken.org.id)
          .where('reason', '=', 'AUTO_CLOSE')
          .execute(),
      );
      clock.advance(4 * DAY);
      const { log, entries } = recordingLog();
      await runAutoClosePass(s.ctx, log);
      assert.ok(
        entries.some((e) => e.level === 'error' && e.obj.orgId === broken.org.id),
        JSON.stringify(entries),
      );
      assert.equal((await getLead(s.app, broken.till, brokenLead.id)).status, 'OPEN');
      assert.equal((await getLead(s.app, fine.till, fineLead.id)).status, 'LOST');

      // A store that fails altogether is logged too; the pass still resolves.
      const down = recordingLog();
      const failing = {
        ...s.ctx,
        store: {
          ...s.ctx.store,
          db: new Proxy(s.ctx.store.db, {
            get: () => () => {
              throw new Error('the database is down');
            },
          }),
        },
      };
      await runAutoClosePass(failing, down.log);
      assert.ok(
        down.entries.some((e) => e.level === 'error' && e.msg === 'auto-close: pass failed'),
      );
      // Later passes over this store need not trip over the broken org again.
      await setAutoCloseDays(s.ctx, broken.org.id, null);
    } finally {
      await s.close();
    }
  });
});
