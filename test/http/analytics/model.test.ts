import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TestClock, TEST_STORE, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, type Login } from '../../helpers/factories.js';
import { addReason, addSubStatus, reasonIdOf } from '../../helpers/fixtures.js';
import { autoClose } from '../../../src/auto-close/auto-close.service.js';
import { fillStatusFacts } from '../../../src/db/migrations/0010-lead-status-facts.js';
import { fillStayFacts } from '../../../src/db/migrations/0013-lead-stay-facts.js';
import { fillFollowUpLeadFacts } from '../../../src/db/migrations/0023-follow-ups-by-creator.js';
import type { Db } from '../../../src/db/database.js';

/**
 * Property test of the analytics reports: random lead histories (creation with a back-dated
 * `createdOn` and an initial status, then status changes (dated between the newest row and now,
 * just before the newest row within the clock skew, or not at all) to any
 * status including DELETED and back, with reasons marked "not available" or not and a LOST
 * sub-status), built through the API in a fresh org with a random time zone, and each report
 * compared with a plain in-memory computation from the same histories.
 *
 * Reproducible: ANALYTICS_SEED and ANALYTICS_RUNS; the seed is printed.
 */

const SEED = Number(process.env.ANALYTICS_SEED ?? 1_212);
const RUNS = Number(process.env.ANALYTICS_RUNS ?? 50);
const STATUSES = ['OPEN', 'WON', 'LOST', 'ON_HOLD', 'DELETED'] as const;
type Status = (typeof STATUSES)[number];
const TYPES = ['SKU', 'BRAND', 'CATEGORY'] as const;
// Casablanca moved from +01 to +00 for Ramadan on 15 February 2026, within the histories' span.
const ZONES = [
  'UTC',
  'Asia/Kolkata',
  'America/New_York',
  'Asia/Kathmandu',
  'Africa/Casablanca',
] as const;
const NOW = Date.parse('2026-03-02T12:00:00Z');
const DAY = 86_400_000;

type ReasonKind = 'apiCall' | 'notAvailable' | 'other' | 'autoClose';
/** How a change is dated: between the newest row and now, just before the newest row (within
 * the clock skew, so recorded at that row's instant), or not at all (now). */
type Dating = 'between' | 'skew' | 'none';
type Change = {
  status: Status;
  reason: Exclude<ReasonKind, 'autoClose'>;
  noSize: boolean;
  dating: Dating;
};
type PlannedLead = {
  creator: number;
  type: (typeof TYPES)[number];
  leadFor: string;
  owned: boolean;
  channel: -1 | 1;
  /** How long before now it was created (ms). */
  age: number;
  initial: Status;
  changes: Change[];
  followUps: PlannedFollowUp[];
};

/** A follow-up: done `doneAfter` ms after creation, scheduled `scheduledAfter` ms after it. */
type PlannedFollowUp = { doneAfter: number; scheduledAfter: number | null };

const change = fc.record({
  status: fc.constantFrom(...STATUSES),
  reason: fc.constantFrom<Change['reason']>('apiCall', 'notAvailable', 'other'),
  noSize: fc.boolean(),
  dating: fc.constantFrom<Dating>('between', 'skew', 'none'),
});
const plannedLead = fc.record({
  creator: fc.integer({ min: 0, max: 3 }),
  type: fc.constantFrom(...TYPES),
  leadFor: fc.constantFrom('JKT-M', 'JKT-L', '=SUM(A1)', 'Shoes'),
  owned: fc.boolean(),
  channel: fc.constantFrom<-1 | 1>(-1, 1),
  age: fc.integer({ min: 0, max: 70 * DAY }),
  initial: fc.constantFrom(...STATUSES),
  changes: fc.array(change, { maxLength: 4 }),
  followUps: fc.array(
    fc.record({
      doneAfter: fc.integer({ min: -DAY, max: 5 * DAY }),
      scheduledAfter: fc.option(fc.integer({ min: 0, max: 5 * DAY }), { nil: null }),
    }),
    { maxLength: 2 },
  ),
});
const plan = fc.record({
  timeZone: fc.constantFrom(...ZONES),
  leads: fc.array(plannedLead, { minLength: 0, maxLength: 12 }),
  filter: fc.constantFrom('none', 'store', 'type', 'from', 'store and from'),
  autoClose: fc.boolean(),
});
type Plan = typeof plan extends fc.Arbitrary<infer T> ? T : never;

type ModelLead = PlannedLead & {
  createdOn: number;
  store: string | null;
  owner: string | null;
  /** Every status-log row: the status and, for the newest, its reason and sub-status. */
  log: Array<{ status: Status; reason: ReasonKind; subStatus: string | null; on: number }>;
};

const round = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;

/** The Monday starting the local week of `instant`, `YYYY-MM-DD`. */
function weekIn(timeZone: string, instant: number): string {
  const local = new Date(
    `${new Date(instant).toLocaleString('sv-SE', { timeZone }).slice(0, 10)}T00:00:00Z`,
  );
  const sinceMonday = (local.getUTCDay() + 6) % 7;
  return new Date(local.getTime() - sinceMonday * DAY).toISOString().slice(0, 10);
}

/** Linear interpolation between the nearest ranks, in hours to two decimals. */
function medianHours(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) / 2;
  const value =
    sorted[Math.floor(at)]! +
    (sorted[Math.ceil(at)]! - sorted[Math.floor(at)]!) * (at - Math.floor(at));
  return Math.round((value / 3_600_000) * 100) / 100;
}

/**
 * When the local day of `instant` ends: the first whole minute on a later local date, found by
 * bisection over the dates `toLocaleString` gives (every zone here is offset by whole minutes).
 */
function localDayEnd(timeZone: string, instant: number): number {
  const MINUTE = 60_000;
  const dateOf = (at: number) => new Date(at).toLocaleString('sv-SE', { timeZone }).slice(0, 10);
  const date = dateOf(instant);
  let [before, after] = [Math.floor(instant / MINUTE), Math.floor(instant / MINUTE) + 50 * 60];
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (dateOf(middle * MINUTE) === date) before = middle;
    else after = middle;
  }
  return after * MINUTE;
}

function monthIn(timeZone: string, instant: number): string {
  // sv-SE writes dates as YYYY-MM-DD: a second way to the local month besides the app's.
  return new Date(instant).toLocaleString('sv-SE', { timeZone }).slice(0, 7);
}

/** Counts per key, as sorted [key, value] pairs. */
function tally<T>(items: T[], keyOf: (item: T) => string | null): Array<[string | null, number]> {
  const counts = new Map<string | null, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => String(a).localeCompare(String(b)));
}

describe(`analytics match an in-memory model of random histories (${TEST_STORE})`, () => {
  const clock = new TestClock(NOW);
  const t = useTestApp({ clock });

  async function build(p: Plan) {
    clock.ms = NOW;
    const o = await newOrg(t.ctx);
    const store2 = await o.entity('STORE', o.zone);
    const till2 = await o.entity('TILL', store2, true);
    // Creators: two tills of store 1 and 2, the associate (store 1), the admin (zone: no store).
    const creators: Array<[Login, string | null]> = [
      [o.till, o.store.code],
      [till2, store2.code],
      [o.associate, o.store.code],
      [o.admin, null],
    ];
    const reasons: Record<Change['reason'], number> = {
      apiCall: await reasonIdOf(t.app, o.till, 'APICALL'),
      notAvailable: await addReason(t.app, o.till, 'Out of stock'),
      other: await addReason(t.app, o.till, 'Changed mind'),
    };
    const marked = await send(t.app, o.admin, 'PUT', `/v2/admin/reasons/${reasons.notAvailable}`, {
      notAvailable: true,
    });
    assert.equal(marked.status, 200, marked.raw);
    await addSubStatus(t.app, o.admin, 'LOST', 'NoSize');
    const zone = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', {
      timeZone: p.timeZone,
    });
    assert.equal(zone.status, 200, zone.raw);

    const model: ModelLead[] = [];
    for (const planned of p.leads) {
      const [who, store] = creators[planned.creator]!;
      const createdOn = Math.floor((NOW - planned.age) / 1000) * 1000;
      const lead = await newLead(t.app, who, {
        leadFor: planned.leadFor,
        type: planned.type,
        orgSourceId: planned.channel,
        createdOn: new Date(createdOn).toISOString(),
        status: planned.initial,
        ...(planned.owned ? { owner: o.associate.code } : {}),
      });
      const log: ModelLead['log'] = [
        { status: planned.initial, reason: 'apiCall', subStatus: null, on: createdOn },
      ];
      let latest = createdOn;
      for (const c of planned.changes) {
        const asked =
          c.dating === 'between'
            ? Math.floor((latest + (NOW - latest) / 2) / 1000) * 1000
            : c.dating === 'skew'
              ? latest - 2 * 60_000
              : undefined;
        const subStatus = c.status === 'LOST' && c.noSize ? 'NoSize' : null;
        const response = await send(t.app, who, 'PUT', `/v2/leads/${lead.id}/status`, {
          status: c.status,
          reasonId: reasons[c.reason],
          ...(asked === undefined ? {} : { createdOn: new Date(asked).toISOString() }),
          ...(subStatus === null ? {} : { subStatus }),
        });
        assert.equal(response.status, 200, response.raw);
        // Within the skew before the newest row, a change is recorded at that row's instant.
        const on = asked === undefined ? NOW : Math.max(asked, latest);
        latest = on;
        log.push({ status: c.status, reason: c.reason, subStatus, on });
      }
      for (const f of planned.followUps) {
        const response = await send(t.app, who, 'POST', `/v2/leads/${lead.id}/followup`, {
          followedUpOn: new Date(Math.min(createdOn + f.doneAfter, NOW)).toISOString(),
          createdBy: who.id,
          ...(f.scheduledAfter === null
            ? {}
            : { scheduledFollowUp: new Date(createdOn + f.scheduledAfter).toISOString() }),
        });
        assert.equal(response.status, 200, response.raw);
      }
      model.push({
        ...planned,
        createdOn,
        store,
        owner: planned.owned ? o.associate.code : null,
        log,
      });
    }
    if (p.autoClose) {
      // Every lead was last written now: a day's setting and a run two days on closes each
      // OPEN or ON_HOLD one, at the clock (now), as the system (-1), for AUTO_CLOSE.
      const days = await send(t.app, o.admin, 'PUT', '/v2/admin/settings', { autoCloseDays: 1 });
      assert.equal(days.status, 200, days.raw);
      await autoClose(t.ctx, { orgId: o.org.id, asOf: NOW + 2 * DAY, dryRun: false });
      for (const l of model) {
        if (['OPEN', 'ON_HOLD'].includes(l.log.at(-1)!.status)) {
          l.log.push({ status: 'LOST', reason: 'autoClose', subStatus: null, on: NOW });
        }
      }
    }
    // Migration 0010 fills existing leads' status facts from their logs: the same facts the
    // writes above kept, and the reports read. So does migration 0013 their stay facts.
    const db = t.ctx.store.db;
    await assertRefillKeeps(
      () =>
        db
          .selectFrom('leads')
          .select([
            'id',
            'reached_statuses',
            'status_reason_id',
            'status_changed_by',
            'status_since',
            'stayed_open_ms',
            'stayed_on_hold_ms',
            'stayed_won_ms',
            'stayed_lost_ms',
            'stayed_deleted_ms',
            'first_followed_up_on',
          ])
          .where('org_id', '=', o.org.id)
          .orderBy('id')
          .execute(),
      async (trx) => {
        await trx
          .updateTable('leads')
          .set({
            reached_statuses: 0,
            status_reason_id: null,
            status_changed_by: null,
            status_since: 0,
            stayed_open_ms: null,
            stayed_on_hold_ms: null,
            stayed_won_ms: null,
            stayed_lost_ms: null,
            stayed_deleted_ms: null,
            first_followed_up_on: null,
          })
          .where('org_id', '=', o.org.id)
          .execute();
        await fillStatusFacts(trx, o.org.id);
        await fillStayFacts(trx, o.org.id);
      },
    );
    // And migration 0023 each follow-up's copy of its lead's creator and creation instant.
    await assertRefillKeeps(
      () =>
        db
          .selectFrom('follow_ups')
          .select(['id', 'lead_created_by', 'lead_created_on'])
          .where('org_id', '=', o.org.id)
          .orderBy('id')
          .execute(),
      async (trx) => {
        await trx
          .updateTable('follow_ups')
          .set({ lead_created_by: 0, lead_created_on: 0 })
          .where('org_id', '=', o.org.id)
          .execute();
        await fillFollowUpLeadFacts(trx, o.org.id);
      },
    );
    return { o, store2, model };
  }

  /**
   * What `read` finds after `refill` (in one transaction) emptied it and filled it again as a
   * migration does is what the writes had kept.
   */
  async function assertRefillKeeps<T>(read: () => Promise<T>, refill: (trx: Db) => Promise<void>) {
    const kept = await read();
    await t.ctx.store.transaction(refill);
    assert.deepEqual(await read(), kept);
  }

  async function report(who: Login, name: string, query: string) {
    const response = await send(t.app, who, 'GET', `/v2/analytics/${name}?${query}`);
    assert.equal(response.status, 200, response.raw);
    return response.body.data;
  }

  it('funnel, win rate, lost reasons and demand, by store and by month, under a filter', async () => {
    console.log(`analytics model on ${TEST_STORE}: seed ${SEED}, ${RUNS} runs`);
    await fc.assert(
      fc.asyncProperty(plan, async (p) => {
        const { o, model } = await build(p);
        const cutoff = NOW - 30 * DAY;
        const filters: Record<typeof p.filter, [string, (l: ModelLead) => boolean]> = {
          none: ['', () => true],
          store: [`entityType=STORE&entityCode=${o.store.code}&`, (l) => l.store === o.store.code],
          type: ['type=SKU&', (l) => l.type === 'SKU'],
          from: [`from=${new Date(cutoff).toISOString()}&`, (l) => l.createdOn >= cutoff],
          // A store's period: follow-up discipline reads the follow-ups alone (migration 0023).
          'store and from': [
            `entityType=STORE&entityCode=${o.store.code}&from=${new Date(cutoff).toISOString()}&`,
            (l) => l.store === o.store.code && l.createdOn >= cutoff,
          ],
        };
        const [query, keep] = filters[p.filter];
        const leads = model.filter(keep);
        const current = (l: ModelLead) => l.log.at(-1)!;
        const reached = (l: ModelLead, s: Status) => l.log.some((row) => row.status === s);

        // Funnel, by month in the org's zone.
        const funnel = await report(o.till, 'funnel', `${query}groupBy=month`);
        const count = (ls: ModelLead[], test: (l: ModelLead) => boolean) => ls.filter(test).length;
        const created = leads.length;
        const onHold = count(leads, (l) => reached(l, 'ON_HOLD'));
        assert.deepEqual(funnel.total.reached, {
          onHold,
          won: count(leads, (l) => reached(l, 'WON')),
          lost: count(leads, (l) => reached(l, 'LOST')),
          deleted: count(leads, (l) => reached(l, 'DELETED')),
        });
        assert.deepEqual(funnel.total.current, {
          open: count(leads, (l) => current(l).status === 'OPEN'),
          onHold: count(leads, (l) => current(l).status === 'ON_HOLD'),
          won: count(leads, (l) => current(l).status === 'WON'),
          lost: count(leads, (l) => current(l).status === 'LOST'),
          deleted: count(leads, (l) => current(l).status === 'DELETED'),
        });
        assert.equal(funnel.total.created, created);
        assert.equal(
          funnel.total.conversion.onHoldToWon,
          round(
            count(leads, (l) => reached(l, 'ON_HOLD') && reached(l, 'WON')),
            onHold,
          ),
        );
        assert.deepEqual(
          funnel.groups.map((g: any) => [g.group, g.created]),
          tally(leads, (l) => monthIn(p.timeZone, l.createdOn)),
        );

        const byWeek = await report(o.till, 'funnel', `${query}groupBy=week`);
        assert.deepEqual(
          byWeek.groups.map((g: any) => [g.group, g.created]),
          tally(leads, (l) => weekIn(p.timeZone, l.createdOn)),
        );

        // Time in status: stays merge repeated statuses; a lead's finished stays in a status
        // add up, and count when they last longer than nothing; the last stay is open.
        const stays = new Map<Status, { closed: number[]; open: number[] }>(
          STATUSES.map((status) => [status, { closed: [], open: [] }]),
        );
        const toWon: number[] = [];
        for (const l of leads) {
          const closed = new Map<Status, number>();
          let at = l.log[0]!;
          for (const row of l.log.slice(1)) {
            if (row.status === at.status) continue;
            closed.set(at.status, (closed.get(at.status) ?? 0) + row.on - at.on);
            at = row;
          }
          for (const [status, total] of closed) {
            if (total > 0) stays.get(status)!.closed.push(total);
          }
          stays.get(at.status)!.open.push(NOW - at.on);
          if (at.status === 'WON') toWon.push(at.on - l.createdOn);
        }
        const timeInStatus = await report(o.till, 'time-in-status', query);
        assert.equal(timeInStatus.total.leads, leads.length);
        assert.deepEqual(
          timeInStatus.total.statuses.map((s: any) => [
            s.status,
            s.closed.count,
            s.closed.p50Hours,
            s.open.count,
            s.open.p50Hours,
          ]),
          ['OPEN', 'ON_HOLD', 'WON', 'LOST', 'DELETED'].map((status) => {
            const of = stays.get(status as Status)!;
            return [
              status,
              of.closed.length,
              medianHours(of.closed),
              of.open.length,
              medianHours(of.open),
            ];
          }),
        );
        assert.deepEqual(
          [timeInStatus.total.creationToWon.count, timeInStatus.total.creationToWon.p50Hours],
          [toWon.length, medianHours(toWon)],
        );
        const followedUp = leads.filter((l) => l.followUps.length > 0);
        assert.equal(
          timeInStatus.total.firstFollowUp.withoutFollowUp,
          leads.length - followedUp.length,
        );
        assert.equal(
          timeInStatus.total.firstFollowUp.p50Hours,
          medianHours(
            followedUp.map((l) =>
              Math.max(
                0,
                Math.min(...l.followUps.map((f) => Math.min(l.createdOn + f.doneAfter, NOW))) -
                  l.createdOn,
              ),
            ),
          ),
        );

        // Follow-ups done on time: before the end of the local day they were scheduled for;
        // late ones by how long after it, per week of their lead's creation.
        const done = leads.flatMap((l) =>
          l.followUps.map((f) => ({
            week: weekIn(p.timeZone, l.createdOn),
            done: Math.min(l.createdOn + f.doneAfter, NOW),
            scheduled: f.scheduledAfter === null ? null : l.createdOn + f.scheduledAfter,
          })),
        );
        const discipline = (of: typeof done) => {
          const late: number[] = [];
          let onTime = 0;
          for (const f of of) {
            if (f.scheduled === null) continue;
            const end = localDayEnd(p.timeZone, f.scheduled);
            if (f.done < end) onTime += 1;
            else late.push(f.done - end);
          }
          const unscheduled = of.filter((f) => f.scheduled === null).length;
          return [onTime, late.length, unscheduled, medianHours(late)];
        };
        const followUpsReport = await report(o.till, 'follow-ups', `${query}groupBy=week`);
        const doneOf = (row: any) => [
          row.done.onTime,
          row.done.late,
          row.done.unscheduled,
          row.done.lateP50Hours,
        ];
        assert.deepEqual(doneOf(followUpsReport.total), discipline(done));
        assert.deepEqual(
          followUpsReport.groups
            .map((g: any) => [g.group, ...doneOf(g)])
            .sort((a: any[], b: any[]) => String(a[0]).localeCompare(String(b[0]))),
          tally(leads, (l) => weekIn(p.timeZone, l.createdOn)).map(([week]) => [
            week,
            ...discipline(done.filter((f) => f.week === week)),
          ]),
        );
        const closedNow = leads.filter((l) => ['WON', 'LOST'].includes(current(l).status));
        assert.deepEqual(followUpsReport.total.autoClose, {
          closed: closedNow.length,
          autoClosed: count(closedNow, (l) => current(l).reason === 'autoClose'),
          share: round(
            count(closedNow, (l) => current(l).reason === 'autoClose'),
            closedNow.length,
          ),
        });

        // Win rate, by store.
        const closed = leads.filter((l) => ['WON', 'LOST'].includes(current(l).status));
        const winRate = await report(o.till, 'win-rate', `${query}groupBy=store`);
        const won = count(closed, (l) => current(l).status === 'WON');
        assert.deepEqual(winRate.total, {
          group: null,
          won,
          lost: closed.length - won,
          closed: closed.length,
          winRate: round(won, closed.length),
        });
        const byStore = new Map<string | null, ModelLead[]>();
        for (const l of closed) byStore.set(l.store, [...(byStore.get(l.store) ?? []), l]);
        assert.deepEqual(
          winRate.groups
            .map((g: any) => [g.group, g.won, g.closed])
            .sort((a: any, b: any) => String(a[0]).localeCompare(String(b[0]))),
          [...byStore]
            .map(([store, ls]) => [store, count(ls, (l) => current(l).status === 'WON'), ls.length])
            .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        );

        // Lost reasons.
        const reasonText: Record<ReasonKind, string> = {
          apiCall: 'APICALL',
          autoClose: 'AUTO_CLOSE',
          notAvailable: 'Out of stock',
          other: 'Changed mind',
        };
        const lost = leads.filter((l) => current(l).status === 'LOST');
        const lostReasons = await report(o.till, 'lost-reasons', query);
        assert.equal(lostReasons.total.lost, lost.length);
        assert.deepEqual(
          lostReasons.total.reasons.map((r: any) => `${r.reason}/${r.subStatus}:${r.count}`).sort(),
          tally(lost, (l) => `${reasonText[current(l).reason]}/${current(l).subStatus}`).map(
            ([key, n]) => `${key}:${n}`,
          ),
        );
        const counts = lostReasons.total.reasons.map((r: any) => r.count);
        assert.deepEqual(
          counts,
          [...counts].sort((a: number, b: number) => b - a),
        );

        // Unfulfilled demand.
        const demand = leads.filter(
          (l) =>
            ['OPEN', 'ON_HOLD'].includes(current(l).status) ||
            (current(l).status === 'LOST' && current(l).reason === 'notAvailable'),
        );
        const demandReport = await report(o.till, 'demand', query);
        assert.equal(demandReport.total.count, demand.length);
        assert.deepEqual(
          demandReport.total.items
            .map((i: any) => `${i.type}/${i.leadFor}:${i.lost}+${i.open}`)
            .sort(),
          [...new Set(demand.map((l) => `${l.type}/${l.leadFor}`))]
            .map((key) => {
              const of = demand.filter((l) => `${l.type}/${l.leadFor}` === key);
              const lostOnes = count(of, (l) => current(l).status === 'LOST');
              return `${key}:${lostOnes}+${of.length - lostOnes}`;
            })
            .sort(),
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
