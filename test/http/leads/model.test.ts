import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createTestApp, TestClock, TEST_STORE, type TestApp } from '../../helpers/app.js';
import { newOrg, send, unique, type TestOrg } from '../../helpers/factories.js';
import { addReason, addSubStatus, NEVER_ID, orgSnapshot } from '../../helpers/fixtures.js';
import { contractProblems } from '../../helpers/contract-response.js';

/**
 * Model-based test of the lead life cycle: random sequences of creations, status changes (the
 * same status, DELETED and back, back-dated), follow-ups (back-dated too), updates of
 * extendedFields and owner, reads (one lead, the list with and without a status filter, the
 * status log, the follow-ups) and another org's attempts on the same ids, run against the real
 * app and store and checked after every step against a small in-memory model.
 *
 * Reproducible: MODEL_SEED, MODEL_RUNS (sequences) and the seed is printed.
 */

const SEED = Number(process.env.MODEL_SEED ?? 4_242);
const RUNS = Number(process.env.MODEL_RUNS ?? 60);
const STATUSES = ['OPEN', 'WON', 'LOST', 'ON_HOLD', 'DELETED'] as const;
type Status = (typeof STATUSES)[number];

type ModelLead = {
  id: number;
  status: Status;
  subStatus: string | undefined;
  log: Array<{ status: Status; subStatus: string | undefined }>;
  /** When the newest status-log row is dated (ms): a status change may not be dated earlier. */
  lastLogOn: number;
  followUps: number;
  lastFollowUp: number | undefined;
  extendedFields: Record<string, string | number | boolean>;
  owner: string | undefined;
  /** As last read: never goes backwards, and a foreign attempt leaves it as it was. */
  lastUpdatedOn?: string;
};
type Model = { leads: ModelLead[] };

type Real = {
  t: TestApp;
  clock: TestClock;
  a: TestOrg;
  b: TestOrg;
  reasonA: number;
  reasonB: number;
  owners: string[];
  /** Idempotency keys used so far: each retried change gets a fresh one. */
  retries: number;
  /** Org B's leads and settings as they stood before the run: B's writes must not move them. */
  checkB: () => Promise<void>;
};

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

async function call(
  r: Real,
  who: TestOrg['till'],
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  body?: unknown,
) {
  const response = await send(r.t.app, who, method, url, body);
  const problems = contractProblems({
    method,
    status: response.status,
    contentType: response.headers['content-type'] as string | undefined,
    raw: response.raw,
  });
  assert.deepEqual(problems, [], `${method} ${url}: ${response.raw}`);
  return response;
}

/** Asserts the lead as the API shows it (one read, status log, follow-ups) equals the model. */
async function checkLead(r: Real, m: ModelLead): Promise<void> {
  stepsRun += 1;
  const one = await call(r, r.a.till, 'GET', `/v2/leads/${m.id}`);
  assert.equal(one.status, 200, one.raw);
  const lead = one.body;
  assert.equal(lead.status, m.status, `status of ${m.id}`);
  assert.equal(lead.subStatus, m.subStatus, `subStatus of ${m.id}`);
  assert.equal(lead.owner, m.owner, `owner of ${m.id}`);
  assert.deepEqual(lead.extendedFields, m.extendedFields, `extendedFields of ${m.id}`);
  assert.equal(lead.followUpDetails.length, m.followUps, `follow-ups of ${m.id}`);
  assert.equal(
    lead.lastFollowUp,
    m.lastFollowUp === undefined ? undefined : iso(m.lastFollowUp),
    `lastFollowUp of ${m.id}`,
  );
  const log = lead.statusLogDetails.map((row: any) => ({
    status: row.status,
    subStatus: row.subStatus,
  }));
  assert.deepEqual(log, m.log, `status log of ${m.id}`);
  if (m.lastUpdatedOn !== undefined) {
    assert.ok(lead.lastUpdatedOn >= m.lastUpdatedOn, `lastUpdatedOn of ${m.id} went backwards`);
  }
  m.lastUpdatedOn = lead.lastUpdatedOn;
  // The newest log row is the current status.
  assert.equal(log.at(-1)?.status, lead.status);
  const statusLog = await call(r, r.a.till, 'GET', `/v2/leads/${m.id}/statusLog`);
  assert.equal(statusLog.status, 200);
  assert.deepEqual(statusLog.body.data, lead.statusLogDetails);
  const followUps = await call(r, r.a.till, 'GET', `/v2/leads/${m.id}/followups`);
  assert.equal(followUps.status, 200);
  assert.deepEqual(followUps.body.data, lead.followUpDetails);
}

type Cmd = fc.AsyncCommand<Model, Real>;
let stepsRun = 0;
const pick = <T>(items: T[], index: number): T => items[index % items.length] as T;

class Create implements Cmd {
  constructor(
    readonly status: Status | undefined,
    readonly followUpDays: number[],
    readonly colour: string | undefined,
  ) {}
  check() {
    return true;
  }
  async run(m: Model, r: Real) {
    const body: Record<string, unknown> = {
      leadFor: 'JKT-0192-M',
      idType: 'EMAIL',
      identifier: `${unique('model')}@example.com`,
      ...(this.status ? { status: this.status } : {}),
      ...(this.colour ? { extendedFields: { colour: this.colour } } : {}),
      followUpDetails: this.followUpDays.map((d) => ({
        followedUpOn: iso(r.clock.now() - d * 86_400_000),
      })),
    };
    const response = await call(r, r.a.till, 'POST', '/v2/leads', body);
    assert.equal(response.status, 200, response.raw);
    const status = this.status ?? 'OPEN';
    const followedUpOns = this.followUpDays.map((d) => r.clock.now() - d * 86_400_000);
    const lead: ModelLead = {
      id: response.body.id,
      status,
      subStatus: undefined,
      log: [{ status, subStatus: undefined }],
      lastLogOn: r.clock.now(),
      followUps: this.followUpDays.length,
      lastFollowUp: followedUpOns.length === 0 ? undefined : Math.max(...followedUpOns),
      extendedFields: this.colour ? { colour: this.colour } : {},
      owner: undefined,
    };
    m.leads.push(lead);
    await checkLead(r, lead);
  }
  toString() {
    return `Create(${this.status ?? '-'}, fu=${this.followUpDays.join('/')}, ${this.colour ?? '-'})`;
  }
}

class ChangeStatus implements Cmd {
  constructor(
    readonly which: number,
    readonly status: Status,
    readonly withSubStatus: boolean,
    /** Minutes the change is back-dated by (negative: dated ahead of the server's clock). */
    readonly backMinutes: number,
  ) {}
  check(m: Readonly<Model>) {
    return m.leads.length > 0;
  }
  async run(m: Model, r: Real) {
    const lead = pick(m.leads, this.which);
    // Only ON_HOLD has a configured sub-status in this org.
    const subStatus = this.withSubStatus && this.status === 'ON_HOLD' ? 'AwaitingStock' : undefined;
    r.clock.advance(60_000);
    const dated = r.clock.now() - Math.round(this.backMinutes * 60_000);
    const response = await call(r, r.a.till, 'PUT', `/v2/leads/${lead.id}/status`, {
      status: this.status,
      reasonId: r.reasonA,
      ...(subStatus ? { subStatus } : {}),
      ...(this.backMinutes !== 0 ? { createdOn: iso(dated) } : {}),
    });
    // The log stays in time order: no more than 5 minutes (clock skew) before its newest row,
    // which a date within the skew is raised to, and at most 5 minutes ahead of the server.
    if (dated < lead.lastLogOn - 5 * 60_000 || dated > r.clock.now() + 5 * 60_000) {
      assert.equal(response.status, 400, response.raw);
      assert.equal(response.body.errors[0].code, 1103);
      assert.match(response.body.errors[0].message, /^createdOn: /);
    } else {
      assert.equal(response.status, 200, response.raw);
      lead.status = this.status;
      lead.subStatus = subStatus;
      lead.log.push({ status: this.status, subStatus });
      lead.lastLogOn = Math.max(lead.lastLogOn, dated);
    }
    await checkLead(r, lead);
  }
  toString() {
    return `ChangeStatus(#${this.which}, ${this.status}, sub=${this.withSubStatus}, back=${this.backMinutes}min)`;
  }
}

/** A status change sent twice with one Idempotency-Key (a till retrying): it counts once. */
class RetriedStatusChange implements Cmd {
  constructor(
    readonly which: number,
    readonly status: Status,
  ) {}
  check(m: Readonly<Model>) {
    return m.leads.length > 0;
  }
  async run(m: Model, r: Real) {
    const lead = pick(m.leads, this.which);
    r.clock.advance(60_000);
    r.retries += 1;
    const who = {
      ...r.a.till,
      headers: { ...r.a.till.headers, 'idempotency-key': `retry-${r.retries}-${lead.id}` },
    };
    const body = { status: this.status, reasonId: r.reasonA };
    const firstAt = r.clock.now();
    const first = await call(r, who, 'PUT', `/v2/leads/${lead.id}/status`, body);
    assert.equal(first.status, 200, first.raw);
    r.clock.advance(60_000);
    const retry = await call(r, who, 'PUT', `/v2/leads/${lead.id}/status`, body);
    assert.equal(retry.status, 200, retry.raw);
    assert.equal(retry.raw, first.raw, 'the retry replays the first response');
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    lead.status = this.status;
    lead.subStatus = undefined;
    lead.log.push({ status: this.status, subStatus: undefined });
    lead.lastLogOn = Math.max(lead.lastLogOn, firstAt);
    await checkLead(r, lead);
  }
  toString() {
    return `RetriedStatusChange(#${this.which}, ${this.status})`;
  }
}

class FollowUp implements Cmd {
  constructor(
    readonly which: number,
    readonly offsetDays: number,
  ) {}
  check(m: Readonly<Model>) {
    return m.leads.length > 0;
  }
  async run(m: Model, r: Real) {
    const lead = pick(m.leads, this.which);
    r.clock.advance(60_000);
    const on = r.clock.now() - this.offsetDays * 86_400_000;
    const response = await call(r, r.a.till, 'POST', `/v2/leads/${lead.id}/followup`, {
      followedUpOn: iso(on),
      createdBy: r.a.till.id,
      notes: `step ${this.offsetDays}`,
    });
    assert.equal(response.status, 200, response.raw);
    lead.followUps += 1;
    lead.lastFollowUp = Math.max(lead.lastFollowUp ?? on, on);
    await checkLead(r, lead);
  }
  toString() {
    return `FollowUp(#${this.which}, ${-this.offsetDays}d)`;
  }
}

class Update implements Cmd {
  constructor(
    readonly which: number,
    readonly patch: Record<string, string | number | boolean | null>,
    readonly owner: number | null | undefined,
  ) {}
  check(m: Readonly<Model>) {
    return m.leads.length > 0 && (Object.keys(this.patch).length > 0 || this.owner !== undefined);
  }
  async run(m: Model, r: Real) {
    const lead = pick(m.leads, this.which);
    const owner =
      this.owner === undefined
        ? undefined
        : this.owner === null
          ? null
          : pick(r.owners, this.owner);
    r.clock.advance(60_000);
    const response = await call(r, r.a.till, 'PUT', `/v2/leads/${lead.id}`, {
      ...(Object.keys(this.patch).length > 0 ? { extendedFields: this.patch } : {}),
      ...(owner === undefined ? {} : { owner }),
    });
    assert.equal(response.status, 200, response.raw);
    for (const [key, value] of Object.entries(this.patch)) {
      if (value === null) delete lead.extendedFields[key];
      else lead.extendedFields[key] = value;
    }
    if (owner !== undefined) lead.owner = owner ?? undefined;
    await checkLead(r, lead);
  }
  toString() {
    return `Update(#${this.which}, ${JSON.stringify(this.patch)}, owner=${String(this.owner)})`;
  }
}

class ListLeads implements Cmd {
  constructor(readonly status: Status | undefined) {}
  check() {
    return true;
  }
  async run(m: Model, r: Real) {
    const query = `limit=1000${this.status ? `&status=${this.status}` : ''}`;
    const response = await call(r, r.a.till, 'GET', `/v2/leads?${query}`);
    assert.equal(response.status, 200, response.raw);
    // Leads of earlier sequences share the org; this sequence's model knows its own.
    const known = new Set(m.leads.map((l) => l.id));
    const ids = (response.body.data as Array<{ id: number }>)
      .map((l) => l.id)
      .filter((id) => known.has(id))
      .sort((x, y) => x - y);
    const expected = m.leads
      .filter((l) => (this.status ? l.status === this.status : l.status !== 'DELETED'))
      .map((l) => l.id)
      .sort((x, y) => x - y);
    assert.deepEqual(ids, expected, `GET /v2/leads?${query}`);
    for (const item of response.body.data as Array<{ id: number; status: string }>) {
      if (this.status) assert.equal(item.status, this.status);
      else assert.notEqual(item.status, 'DELETED', 'the default list hides DELETED leads');
      const lead = m.leads.find((l) => l.id === item.id);
      if (lead) assert.equal(item.status, lead.status);
    }
  }
  toString() {
    return `List(${this.status ?? 'default'})`;
  }
}

/** Org B tries every lead route on A's lead: exactly like an unknown id, and nothing changes. */
class Foreign implements Cmd {
  constructor(
    readonly which: number,
    readonly route: number,
  ) {}
  check(m: Readonly<Model>) {
    return m.leads.length > 0;
  }
  async run(m: Model, r: Real) {
    const lead = pick(m.leads, this.which);
    const requests: Array<['GET' | 'POST' | 'PUT', (id: number) => string, unknown]> = [
      ['GET', (id) => `/v2/leads/${id}`, undefined],
      ['GET', (id) => `/v2/leads/${id}/statusLog`, undefined],
      ['GET', (id) => `/v2/leads/${id}/followups`, undefined],
      ['PUT', (id) => `/v2/leads/${id}`, { extendedFields: { colour: 'from-b' }, owner: null }],
      ['PUT', (id) => `/v2/leads/${id}/status`, { status: 'DELETED', reasonId: r.reasonB }],
      [
        'POST',
        (id) => `/v2/leads/${id}/followup`,
        { followedUpOn: '2026-03-01T10:00:00Z', createdBy: r.b.till.id },
      ],
    ];
    const [method, url, body] = pick(requests, this.route);
    r.clock.advance(60_000);
    const foreign = await call(r, r.b.till, method, url(lead.id), body);
    const missing = await call(r, r.b.till, method, url(NEVER_ID), body);
    const before = lead.lastUpdatedOn;
    assert.equal(foreign.status, 404, foreign.raw);
    assert.equal(foreign.body.errors[0].code, 1201, foreign.raw);
    assert.equal(
      foreign.raw.replace(`lead ${lead.id} `, 'lead {id} '),
      missing.raw.replace(`lead ${NEVER_ID} `, 'lead {id} '),
    );
    await checkLead(r, lead);
    assert.equal(lead.lastUpdatedOn, before, 'a foreign attempt moved lastUpdatedOn');
    await r.checkB();
  }
  toString() {
    return `Foreign(#${this.which}, route ${this.route})`;
  }
}

const commands = [
  fc
    .tuple(
      fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
      fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 3 }),
      fc.option(fc.constantFrom('navy', 'red'), { nil: undefined }),
    )
    .map(([s, f, c]) => new Create(s, f, c)),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom(...STATUSES),
      fc.boolean(),
      fc.constantFrom(0, 0, 0.5, 3, -2, -10, 1440 * 400),
    )
    .map(([w, s, sub, back]) => new ChangeStatus(w, s, sub, back)),
  fc.tuple(fc.nat(), fc.constantFrom(-2, 0, 0, 1, 10, 365)).map(([w, d]) => new FollowUp(w, d)),
  fc.tuple(fc.nat(), fc.constantFrom(...STATUSES)).map(([w, st]) => new RetriedStatusChange(w, st)),
  fc
    .tuple(
      fc.nat(),
      fc.dictionary(
        fc.constantFrom('colour', 'size', 'gift'),
        fc.oneof(
          fc.constantFrom('navy', 'red', ''),
          fc.integer({ min: -5, max: 50 }),
          fc.boolean(),
          fc.constant(null),
        ),
        { maxKeys: 2 },
      ),
      fc.option(fc.oneof(fc.nat(), fc.constant(null)), { nil: undefined }),
    )
    .map(([w, p, o]) => new Update(w, p, o)),
  fc.option(fc.constantFrom(...STATUSES), { nil: undefined }).map((s) => new ListLeads(s)),
  fc.tuple(fc.nat(), fc.nat()).map(([w, route]) => new Foreign(w, route)),
];

describe(`model: the lead life cycle against a model (${TEST_STORE})`, () => {
  const clock = new TestClock();
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      clock,
      env: { RATE_LIMIT_PER_MINUTE: '0', LOGIN_FAILURES_PER_5_MINUTES: '0' },
    });
  });
  after(async () => {
    await t?.close();
  });

  /** Orgs A and B, made once: each sequence only looks at the leads it created itself. */
  let fixture: Real | undefined;
  async function shared(): Promise<Real> {
    if (fixture) return fixture;
    const a = await newOrg(t.ctx);
    const b = await newOrg(t.ctx);
    const reasonA = await addReason(t.app, a.till, 'Size not in stock');
    const reasonB = await addReason(t.app, b.till, 'B reason');
    await addSubStatus(t.app, a.admin, 'ON_HOLD', 'AwaitingStock');
    const bLead = await send(t.app, b.till, 'POST', '/v2/leads', {
      leadFor: 'B',
      idType: 'EMAIL',
      identifier: `${unique('b')}@example.com`,
    });
    assert.equal(bLead.status, 200);
    const bBefore = await orgSnapshot(t.app, t.ctx, b.till);
    fixture = {
      t,
      clock,
      a,
      b,
      reasonA,
      reasonB,
      owners: [a.associate.code, a.till.code, a.store.code],
      retries: 0,
      // B's failed writes on A's ids must not have touched B either.
      checkB: async () => assert.deepEqual(await orgSnapshot(t.app, t.ctx, b.till), bBefore),
    };
    return fixture;
  }

  it(`${RUNS} random command sequences agree with the model after every step`, async () => {
    console.log(`model suite on ${TEST_STORE}: seed ${SEED}, ${RUNS} runs`);
    let sequences = 0;
    stepsRun = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 30, size: 'max' }), async (cmds) => {
        const real: Real = await shared();
        await fc.asyncModelRun(() => ({ model: { leads: [] }, real }), cmds);
        sequences += 1;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`model suite on ${TEST_STORE}: ${sequences} sequences, ${stepsRun} commands run`);
  });
});
