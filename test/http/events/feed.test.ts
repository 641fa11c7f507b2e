import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_STORE, TestClock, useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send, unique, type TestOrg } from '../../helpers/factories.js';
import { addReason, addSubStatus, assertError, withoutWarnings } from '../../helpers/fixtures.js';
import { autoClose } from '../../../src/auto-close/auto-close.service.js';
import { pruneEvents } from '../../../src/events/event.service.js';
import { recordLeadChange } from '../../../src/leads/lead.events.js';
import { formatDateTime } from '../../../src/core/date-time.js';

type Who = { headers: Record<string, string> };
type FeedEvent = {
  id: string;
  type: string;
  timestamp: string;
  data: {
    orgId: number;
    leadId: number;
    leadVersion: number;
    lead: Record<string, any>;
    changedFields: string[];
    changedBy: number;
    previousStatus?: string;
    previousSubStatus?: string | null;
  };
};
type Page = { data: FeedEvent[]; nextCursor: string };

const DAY = 86_400_000;

describe('the event feed: GET /v2/events', () => {
  const clock = new TestClock();
  const t = useTestApp({ clock });

  async function feed(who: Who, query = ''): Promise<Page> {
    const response = await send(t.app, who, 'GET', `/v2/events${query ? `?${query}` : ''}`);
    assert.equal(response.status, 200, response.raw);
    assert.deepEqual(response.body.warnings, []);
    assert.deepEqual(response.body.errors, []);
    return response.body as Page;
  }

  /** Every event of the org after `after`, following nextCursor page by page. */
  async function drain(who: Who, after = '', query = 'limit=50'): Promise<Page> {
    const events: FeedEvent[] = [];
    let cursor = after;
    for (;;) {
      const page = await feed(who, `${query}${cursor ? `&after=${cursor}` : ''}`);
      events.push(...page.data);
      if (page.data.length === 0) return { data: events, nextCursor: page.nextCursor };
      cursor = page.nextCursor;
    }
  }

  /** The lead's events, oldest first. */
  async function eventsOf(o: TestOrg, leadId: number): Promise<FeedEvent[]> {
    return (await drain(o.till, '', `limit=50&leadId=${leadId}`)).data;
  }

  /** The lead as GET answers it, and the version its ETag carries. */
  async function current(o: TestOrg, leadId: number) {
    const response = await send(t.app, o.till, 'GET', `/v2/leads/${leadId}`);
    assert.equal(response.status, 200, response.raw);
    const etag = String(response.headers.etag);
    const version = Number(/^"\d+\.(\d+)"$/.exec(etag)?.[1]);
    return { lead: withoutWarnings(response.body), version };
  }

  describe('each change appends one event in its own transaction', () => {
    it('a creation: lead.created with the lead as GET answers it and its version', async () => {
      clock.ms = Date.parse('2026-04-01T09:30:00Z');
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till);
      const [event, ...more] = await eventsOf(o, lead.id);
      assert.equal(more.length, 0);
      assert.ok(event);
      assert.match(event.id, /^evt_[0-9a-f]{32}$/);
      assert.equal(event.type, 'lead.created');
      assert.equal(event.timestamp, '2026-04-01T09:30:00Z');
      const { lead: read, version } = await current(o, lead.id);
      assert.deepEqual(event.data, {
        orgId: o.org.id,
        leadId: lead.id,
        leadVersion: version,
        lead: read,
        changedFields: [],
        changedBy: o.till.id,
      });
    });

    it('an update: lead.updated naming exactly the fields that changed', async () => {
      clock.ms = Date.parse('2026-04-02T09:00:00Z');
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till);
      const assign = () =>
        send(t.app, o.associate, 'PUT', `/v2/leads/${lead.id}`, { owner: o.associate.code });
      clock.ms = Date.parse('2026-04-02T10:00:00Z');
      assert.equal((await assign()).status, 200);
      const [created, updated, ...more] = await eventsOf(o, lead.id);
      assert.equal(more.length, 0);
      assert.equal(created?.type, 'lead.created');
      assert.equal(updated?.type, 'lead.updated');
      const { lead: read, version } = await current(o, lead.id);
      assert.equal(updated.timestamp, '2026-04-02T10:00:00Z');
      assert.deepEqual(updated.data.lead, read);
      assert.equal(updated.data.leadVersion, version);
      assert.equal(updated.data.leadVersion, created.data.leadVersion + 1);
      assert.equal(updated.data.changedBy, o.associate.id);
      assert.deepEqual(updated.data.changedFields, ['owner']);
      assert.equal(updated.data.previousStatus, undefined);

      // The same owner again: a new version, and no field with a new value.
      assert.equal((await assign()).status, 200);
      const again = (await eventsOf(o, lead.id))[2];
      assert.equal(again?.type, 'lead.updated');
      assert.equal(again.data.leadVersion, version + 1);
      assert.deepEqual(again.data.changedFields, []);
    });

    it('a status change: lead.status_changed with the previous status and sub-status', async () => {
      clock.ms = Date.parse('2026-04-03T09:00:00Z');
      const o = await newOrg(t.ctx);
      const reason = await addReason(t.app, o.till, 'Size not in stock');
      await addSubStatus(t.app, o.admin, 'ON_HOLD', 'AwaitingStock');
      const lead = await newLead(t.app, o.till);
      const hold = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
        status: 'ON_HOLD',
        subStatus: 'AwaitingStock',
        reasonId: reason,
      });
      assert.equal(hold.status, 200, hold.raw);
      const deleted = await send(t.app, o.associate, 'PUT', `/v2/leads/${lead.id}/status`, {
        status: 'DELETED',
        reasonId: reason,
      });
      assert.equal(deleted.status, 200, deleted.raw);
      const [, onHold, gone] = await eventsOf(o, lead.id);
      assert.equal(onHold?.type, 'lead.status_changed');
      assert.equal(onHold.data.previousStatus, 'OPEN');
      assert.equal(onHold.data.previousSubStatus, null);
      assert.equal(onHold.data.lead.status, 'ON_HOLD');
      assert.deepEqual(
        onHold.data.changedFields.sort(),
        ['statusLogDetails', 'status', 'subStatus'].sort(),
      );
      assert.equal(onHold.data.changedBy, o.till.id);
      assert.equal(gone?.type, 'lead.status_changed');
      assert.equal(gone.data.previousStatus, 'ON_HOLD');
      assert.equal(gone.data.previousSubStatus, 'AwaitingStock');
      assert.equal(gone.data.changedBy, o.associate.id);
      const { lead: read, version } = await current(o, lead.id);
      assert.equal(read.status, 'DELETED');
      assert.deepEqual(gone.data.lead, read);
      assert.equal(gone.data.leadVersion, version);
    });

    it('a follow-up: lead.follow_up_added with the follow-up in the lead', async () => {
      clock.ms = Date.parse('2026-04-04T09:00:00Z');
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till);
      const response = await send(t.app, o.till, 'POST', `/v2/leads/${lead.id}/followup`, {
        followedUpOn: '2026-04-04T08:45:00Z',
        createdBy: o.associate.id,
        notes: 'Called, will come Friday',
        nextFollowUp: '2026-04-10T10:00:00Z',
      });
      assert.equal(response.status, 200, response.raw);
      const [, followUp] = await eventsOf(o, lead.id);
      assert.equal(followUp?.type, 'lead.follow_up_added');
      assert.deepEqual(followUp.data.changedFields.sort(), [
        'followUpDetails',
        'lastFollowUp',
        'nextFollowUp',
      ]);
      assert.equal(followUp.data.lead.followUpDetails.length, 1);
      assert.deepEqual(followUp.data.lead, (await current(o, lead.id)).lead);
    });

    it('auto-close: lead.status_changed by -1, one per closed lead', async () => {
      clock.ms = Date.parse('2026-04-05T09:00:00Z');
      const o = await newOrg(t.ctx);
      await send(t.app, o.admin, 'PUT', '/v2/admin/settings', { autoCloseDays: 3 });
      const idle = await newLead(t.app, o.till);
      const stale = await newLead(t.app, o.till);
      clock.ms += 2 * DAY;
      const busy = await newLead(t.app, o.till);
      clock.ms += 2 * DAY;
      const { closed } = await autoClose(t.ctx, {
        orgId: o.org.id,
        asOf: clock.ms,
        dryRun: false,
      });
      assert.deepEqual(closed, [idle.id, stale.id]);
      const closes = (await drain(o.till, '', 'limit=50&types=lead.status_changed')).data;
      assert.deepEqual(
        closes.map((e) => e.data.leadId),
        [idle.id, stale.id],
      );
      for (const event of closes) {
        assert.equal(event.data.changedBy, -1);
        assert.equal(event.data.previousStatus, 'OPEN');
        assert.equal(event.data.lead.status, 'LOST');
        assert.equal(event.timestamp, formatDateTime(clock.ms));
        const { lead: read, version } = await current(o, event.data.leadId);
        assert.deepEqual(event.data.lead, read);
        assert.equal(event.data.leadVersion, version);
      }
      assert.equal((await eventsOf(o, busy.id)).length, 1);
    });

    it('a refused change, a conflict and an idempotent replay add no event', async () => {
      // Not later than the other suites' clocks: a keyed request purges the idempotency keys
      // older than a day by this clock, in the PostgreSQL database all suites share.
      clock.ms = Date.parse('2026-03-01T09:00:00Z');
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till);
      const before = await drain(o.till);
      assert.equal(before.data.length, 1);

      const unknownReason = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
        status: 'LOST',
        reasonId: Number.MAX_SAFE_INTEGER,
      });
      assertError(unknownReason, 400, 'FIELD_UNKNOWN_REFERENCE', 'reasonId');
      const stale = await t.app.inject({
        method: 'PUT',
        url: `/v2/leads/${lead.id}`,
        headers: { ...o.till.headers, 'if-match': `"${lead.id}.999"` },
        payload: { owner: o.associate.code },
      });
      assert.equal(stale.statusCode, 412, stale.body);
      const body = {
        leadFor: 'JKT-0192-M',
        idType: 'EMAIL',
        identifier: `${unique('shopper')}@example.com`,
      };
      const keyed = { headers: { ...o.till.headers, 'idempotency-key': unique('key') } };
      const first = await send(t.app, keyed, 'POST', '/v2/leads', body);
      const retry = await send(t.app, keyed, 'POST', '/v2/leads', body);
      assert.equal(retry.headers['idempotent-replayed'], 'true');
      assert.equal(retry.body.id, first.body.id);

      const after = await drain(o.till, before.nextCursor);
      assert.deepEqual(
        after.data.map((e) => [e.type, e.data.leadId]),
        [['lead.created', first.body.id]],
      );
    });
  });

  describe('reading the feed', () => {
    it('pages in order; a consumer resuming from nextCursor never misses or re-reads', async () => {
      clock.ms = Date.parse('2026-04-07T09:00:00Z');
      const o = await newOrg(t.ctx);
      const reason = await addReason(t.app, o.till, 'Customer not reachable');
      const leads = [];
      for (let i = 0; i < 3; i++) leads.push(await newLead(t.app, o.till));
      for (const lead of leads) {
        const lost = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}/status`, {
          status: 'LOST',
          reasonId: reason,
        });
        assert.equal(lost.status, 200, lost.raw);
      }
      const all = (await feed(o.till, 'limit=100')).data;
      assert.equal(all.length, 6);
      assert.equal(new Set(all.map((e) => e.id)).size, 6);

      const first = await feed(o.till, 'limit=4');
      assert.deepEqual(
        first.data.map((e) => e.id),
        all.slice(0, 4).map((e) => e.id),
      );
      const second = await feed(o.till, `limit=4&after=${first.nextCursor}`);
      assert.deepEqual(
        second.data.map((e) => e.id),
        all.slice(4).map((e) => e.id),
      );
      const empty = await feed(o.till, `limit=4&after=${second.nextCursor}`);
      assert.deepEqual(empty.data, []);
      assert.equal(empty.nextCursor, second.nextCursor, 'an empty page keeps the cursor');

      const later = await newLead(t.app, o.till);
      const resumed = await feed(o.till, `limit=4&after=${empty.nextCursor}`);
      assert.deepEqual(
        resumed.data.map((e) => [e.type, e.data.leadId]),
        [['lead.created', later.id]],
      );
    });

    it('filters by type and lead; a filtered consumer’s cursor skips only what it filtered', async () => {
      clock.ms = Date.parse('2026-04-08T09:00:00Z');
      const o = await newOrg(t.ctx);
      const a = await newLead(t.app, o.till);
      const b = await newLead(t.app, o.till);
      const followUp = (id: number) =>
        send(t.app, o.till, 'POST', `/v2/leads/${id}/followup`, {
          followedUpOn: '2026-04-08T08:00:00Z',
          createdBy: o.associate.id,
          notes: 'called',
        });
      assert.equal((await followUp(a.id)).status, 200);
      const created = await feed(o.till, 'types=lead.created');
      assert.deepEqual(
        created.data.map((e) => e.data.leadId),
        [a.id, b.id],
      );
      const both = await feed(o.till, 'types=lead.created, lead.follow_up_added');
      assert.equal(both.data.length, 3);
      const ofB = await feed(o.till, `leadId=${b.id}`);
      assert.deepEqual(
        ofB.data.map((e) => e.type),
        ['lead.created'],
      );

      // A cursor belongs to its filter: it moves past what the filter left out.
      const followUps = await feed(o.till, 'types=lead.follow_up_added');
      assert.deepEqual(
        followUps.data.map((e) => e.data.leadId),
        [a.id],
      );
      assert.equal((await followUp(b.id)).status, 200);
      const next = await feed(o.till, `types=lead.follow_up_added&after=${followUps.nextCursor}`);
      assert.deepEqual(
        next.data.map((e) => e.data.leadId),
        [b.id],
      );
      const nothingNew = await feed(o.till, `types=lead.created&after=${created.nextCursor}`);
      assert.deepEqual(nothingNew.data, []);
      const unfiltered = await feed(o.till, `after=${both.nextCursor}`);
      assert.deepEqual(
        unfiltered.data.map((e) => [e.type, e.data.leadId]),
        [['lead.follow_up_added', b.id]],
      );
    });

    it('shows an org only its own events; another org’s lead reads like no lead', async () => {
      clock.ms = Date.parse('2026-04-09T09:00:00Z');
      const mine = await newOrg(t.ctx);
      const theirs = await newOrg(t.ctx);
      const lead = await newLead(t.app, mine.till);
      const their = await newLead(t.app, theirs.till);
      const seen = (await drain(mine.till)).data;
      assert.deepEqual(
        seen.map((e) => e.data.leadId),
        [lead.id],
      );
      assert.ok(seen.every((e) => e.data.orgId === mine.org.id));
      const foreign = await send(t.app, mine.till, 'GET', `/v2/events?leadId=${their.id}`);
      const missing = await send(t.app, mine.till, 'GET', `/v2/events?leadId=999999999`);
      assert.equal(foreign.status, 200);
      assert.deepEqual(foreign.body.data, []);
      assert.deepEqual(
        { ...foreign.body, nextCursor: undefined },
        { ...missing.body, nextCursor: undefined },
      );
      // A cursor taken from another org's feed reads this org's events after that position.
      const theirCursor = (await drain(theirs.till)).nextCursor;
      const fromTheirs = await feed(mine.till, `after=${theirCursor}`);
      assert.ok(fromTheirs.data.every((e) => e.data.orgId === mine.org.id));
      assert.equal((await send(t.app, undefined, 'GET', '/v2/events')).status, 401);
    });

    it('refuses bad input with 400 naming the parameter, and changes nothing', async () => {
      const o = await newOrg(t.ctx);
      await newLead(t.app, o.till);
      const get = (query: string) => send(t.app, o.till, 'GET', `/v2/events?${query}`);
      assertError(await get('after=abc'), 400, 'FIELD_INVALID_VALUE', 'after');
      assertError(await get('after=-1'), 400, 'FIELD_INVALID_VALUE', 'after');
      assertError(await get('after=99999999999999999999'), 400, 'FIELD_INVALID_VALUE', 'after');
      assertError(await get('types=lead.deleted'), 400, 'FIELD_INVALID_VALUE', 'types');
      assertError(await get('types=,'), 400, 'FIELD_INVALID_VALUE', 'types');
      for (const [query, field] of [
        ['limit=0', 'limit'],
        ['limit=1001', 'limit'],
        ['wait=31', 'wait'],
        ['wait=-1', 'wait'],
        ['leadId=0', 'leadId'],
      ]) {
        const response = await get(query!);
        assert.equal(response.status, 400, `${query}: ${response.raw}`);
        assert.ok(
          response.body.errors.some((e: { message: string }) => e.message.includes(field!)),
          `${query}: ${response.raw}`,
        );
      }
      for (const query of ['wait=abc', 'limit=x', 'leadId=x']) {
        assert.equal((await get(query)).status, 400, query);
      }
      assert.equal((await drain(o.till)).data.length, 1);
    });
  });

  describe('long polling', () => {
    it('answers as soon as an event arrives', async () => {
      clock.ms = Date.parse('2026-04-10T09:00:00Z');
      const o = await newOrg(t.ctx);
      const { nextCursor } = await drain(o.till);
      const polling = feed(o.till, `wait=20&after=${nextCursor}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const lead = await newLead(t.app, o.till);
      const page = await polling;
      assert.deepEqual(
        page.data.map((e) => [e.type, e.data.leadId]),
        [['lead.created', lead.id]],
      );
    });

    it('answers an empty page, cursor unchanged, once the wait is over', async () => {
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till);
      const { nextCursor } = await drain(o.till);
      const started = Date.now();
      const page = await feed(o.till, `wait=1&after=${nextCursor}`);
      assert.ok(Date.now() - started >= 900, 'it waited');
      assert.deepEqual(page.data, []);
      assert.equal(page.nextCursor, nextCursor);
      assert.equal((await eventsOf(o, lead.id)).length, 1);
    });
  });

  describe('retention', () => {
    it('prunes events past the org’s retention; cursors stay valid and positions grow', async () => {
      clock.ms = Date.parse('2026-05-01T09:00:00Z');
      const short = await newOrg(t.ctx);
      const usual = await newOrg(t.ctx);
      const set = await send(t.app, short.admin, 'PUT', '/v2/admin/settings', {
        eventRetentionDays: 1,
      });
      assert.equal(set.status, 200, set.raw);
      assert.equal(set.body.eventRetentionDays, 1);
      await newLead(t.app, short.till);
      const kept = await newLead(t.app, usual.till);
      const cursor = (await drain(short.till)).nextCursor;
      clock.ms += 2 * DAY;
      const fresh = await newLead(t.app, short.till);
      assert.equal(await pruneEvents(t.ctx, [short.org.id, usual.org.id]), 1);

      const remaining = (await drain(short.till)).data;
      assert.deepEqual(
        remaining.map((e) => e.data.leadId),
        [fresh.id],
        'the 2-day-old event is gone, the new one stays',
      );
      assert.deepEqual(
        (await drain(short.till, cursor)).data.map((e) => e.data.leadId),
        [fresh.id],
      );
      assert.deepEqual(
        (await drain(usual.till)).data.map((e) => e.data.leadId),
        [kept.id],
        'the default retention (7 days) keeps the other org’s event',
      );
      assert.ok(Number(cursor) < Number((await drain(short.till)).nextCursor));
    });
  });

  describe('concurrent writers', () => {
    it(
      'reads an event whose transaction began first and committed last, after the later one',
      {
        skip:
          TEST_STORE === 'sqlite' &&
          'SQLite runs one write transaction at a time: insert order is commit order',
      },
      async () => {
        const o = await newOrg(t.ctx);
        const early = await newLead(t.app, o.till);
        const { lead, version } = await current(o, early.id);
        const start = (await drain(o.till)).nextCursor;
        // A transaction that writes its event (taking the smaller id) and commits only later.
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const slow = t.ctx.store.transaction(async (trx) => {
          await recordLeadChange(trx, o.org.id, {
            type: 'lead.updated',
            before: undefined,
            after: { ...(lead as any), version },
            at: clock.ms,
          });
          await held;
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const late = await newLead(t.app, o.till);
        const first = await feed(o.till, `after=${start}`);
        assert.deepEqual(
          first.data.map((e) => e.data.leadId),
          [late.id],
        );
        release();
        await slow;
        const second = await feed(o.till, `after=${first.nextCursor}`);
        assert.deepEqual(
          second.data.map((e) => [e.type, e.data.leadId]),
          [['lead.updated', early.id]],
          'the event committed last comes after the cursor the reader holds',
        );
      },
    );

    it('a consumer polling while leads change sees every event once, each lead in order', async () => {
      clock.ms = Date.parse('2026-05-02T09:00:00Z');
      const o = await newOrg(t.ctx);
      const leads = await Promise.all(Array.from({ length: 6 }, () => newLead(t.app, o.till)));
      const owners = [o.associate.code, (await o.entity('ASSOCIATE', o.store)).code];
      const changesPerLead = 8;
      let writing = true;
      const seen: FeedEvent[] = [];
      const consumer = (async () => {
        let cursor = '';
        for (;;) {
          const done = !writing;
          // Another credential than the writers', long-polling so it stays within the rate limit.
          const page = await feed(o.associate, `limit=7&wait=1${cursor ? `&after=${cursor}` : ''}`);
          seen.push(...page.data);
          cursor = page.nextCursor;
          if (done && page.data.length === 0) return;
        }
      })();
      await Promise.all(
        leads.map(async (lead) => {
          for (let i = 0; i < changesPerLead; i++) {
            const response =
              i % 2 === 0
                ? await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}`, {
                    owner: owners[(i / 2) % 2],
                  })
                : await send(t.app, o.till, 'POST', `/v2/leads/${lead.id}/followup`, {
                    followedUpOn: '2026-05-02T08:00:00Z',
                    createdBy: o.associate.id,
                    notes: `call ${i}`,
                  });
            assert.equal(response.status, 200, response.raw);
          }
        }),
      );
      writing = false;
      await consumer;
      assert.equal(seen.length, leads.length * (1 + changesPerLead));
      assert.equal(new Set(seen.map((e) => e.id)).size, seen.length, 'no event read twice');
      for (const lead of leads) {
        const versions = seen
          .filter((e) => e.data.leadId === lead.id)
          .map((e) => e.data.leadVersion);
        assert.deepEqual(
          versions,
          [...versions].sort((x, y) => x - y),
          `lead ${lead.id}'s events in the order of its changes`,
        );
        assert.equal(new Set(versions).size, versions.length);
      }
    });
  });
});

describe('a long poll and the request deadline', () => {
  const t = useTestApp({ env: { REQUEST_TIMEOUT_MS: '300' } });

  it('waits past REQUEST_TIMEOUT_MS: the wait does not count against the deadline', async () => {
    const o = await newOrg(t.ctx);
    const response = await send(t.app, o.till, 'GET', '/v2/events?wait=1');
    assert.equal(response.status, 200, response.raw);
    assert.deepEqual(response.body.data, []);
  });
});
