import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { TEST_STORE } from '../helpers/app.js';
import { runCli, storeEnvFor, type CliRun } from '../helpers/cli.js';
import { basicAuth, newLead, newOrg, send, unique } from '../helpers/factories.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/core/config.js';
import { createContext, type AppContext } from '../../src/core/context.js';
import { createEntity } from '../../src/entities/entity.service.js';
import { findOrgByName } from '../../src/orgs/org.repository.js';
import { normaliseEmail, normaliseMobile } from '../../src/customers/identifier.js';
import { codePrefix } from '../../src/seed/seed.service.js';

/**
 * `leadline seed` as a user runs it (the built CLI in a child process), then what it wrote read
 * back through the HTTP API: every lead keeps the rules the lead service keeps, the list filters
 * see the generated hierarchy, a second run appends, and other orgs are untouched.
 */

const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-seed-test-'));
const storeEnv = storeEnvFor(dataDir);

function cli(...args: string[]): Promise<CliRun> {
  return runCli(storeEnv, args);
}

/** A successful seed: exit 0 and one JSON summary on stdout; progress only on stderr. */
function summaryOf(run: CliRun): any {
  assert.equal(run.code, 0, `exit ${run.code}; stderr: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** A usage error: exit 2, nothing on stdout, INVALID_ARGUMENT naming `option` on stderr. */
function usageError(run: CliRun, option: string): void {
  assert.equal(run.code, 2, `stdout ${run.stdout}; stderr ${run.stderr}`);
  assert.equal(run.stdout, '');
  const { error } = JSON.parse(run.stderr);
  assert.equal(error.code, 1304, run.stderr);
  assert.ok(error.message.includes(option), `${option} not named in ${error.message}`);
}

type Who = { headers: Record<string, string> };

/** Every lead of the org the caller sees (DELETED ones are listed only when asked for). */
async function allLeads(app: FastifyInstance, who: Who, query = ''): Promise<any[]> {
  const leads: any[] = [];
  for (const status of ['', 'status=DELETED&']) {
    for (let offset = 0; ; offset += 1000) {
      const response = await send(
        app,
        who,
        'GET',
        `/v2/leads?${status}${query}limit=1000&offset=${offset}`,
      );
      assert.equal(response.status, 200, response.raw);
      leads.push(...response.body.data);
      if (response.body.data.length < 1000) break;
    }
  }
  return leads;
}

const ids = (leads: any[]) => leads.map((l) => l.id as number).sort((a, b) => a - b);
const instant = (text: string) => Date.parse(text);

describe('leadline seed', () => {
  let ctx: AppContext;
  let app: FastifyInstance;

  before(async () => {
    if (TEST_STORE === 'postgres') assert.ok(storeEnv.DATABASE_URL, 'LEADLINE_TEST_DATABASE_URL');
    const migrated = await cli('migrate');
    assert.equal(migrated.code, 0, migrated.stderr);
    ctx = createContext(loadConfig({ LOG_LEVEL: 'silent', PG_POOL_SIZE: '2', ...storeEnv }));
    app = await buildApp(ctx, { logger: false });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    await ctx?.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** An administrator of the org, to read it through the API as a client would. */
  async function adminOf(orgName: string): Promise<Who> {
    const code = unique('seed-admin');
    const password = `pw-${unique('secret')}`;
    await createEntity(ctx, { org: orgName, type: 'ADMIN_USER', code, password });
    return { headers: { authorization: basicAuth(code, password) } };
  }

  it('creates the org with its hierarchy and writes leads that keep every lead rule', async () => {
    const name = unique('Seed Org');
    const run = await cli(
      'seed',
      '--org',
      name,
      '--leads',
      '500',
      '--stores',
      '3',
      '--owners',
      '6',
      '--batch-size',
      '120',
      '--random-seed',
      '7',
    );
    const summary = summaryOf(run);
    assert.equal(summary.org.name, name);
    assert.equal(summary.leads, 500);
    assert.equal(summary.customers, 100, 'one customer per five leads by default');
    assert.equal(summary.stores, 3);
    assert.equal(summary.tills, 9, 'two to four tills a store');
    assert.equal(summary.owners, 6);
    assert.ok(summary.statusLogs >= 500 && summary.statusLogs <= 2000, run.stdout);
    assert.ok(summary.followUps >= 0 && summary.followUps <= 1500, run.stdout);
    assert.ok(summary.lastLeadId - summary.firstLeadId >= 499, run.stdout);
    if (TEST_STORE === 'sqlite') assert.equal(summary.lastLeadId - summary.firstLeadId, 499);
    assert.ok(summary.seconds >= 0 && summary.leadsPerSecond > 0, run.stdout);

    // Not a terminal: a progress line per batch that crosses a tenth, ending at 500/500.
    const lines = run.stderr.trimEnd().split('\n');
    assert.ok(lines.length >= 5 && lines.length <= 12, run.stderr);
    for (const line of lines) assert.match(line, /^[\d,]+\/500 leads \(\d+%\)/);
    assert.match(lines.at(-1) ?? '', /^500\/500 leads \(100%\)/);
    // SQLite: the WAL was folded into the database file at the end.
    if (TEST_STORE === 'sqlite') {
      assert.equal(statSync(path.join(dataDir, 'leadline.db-wal')).size, 0);
    }

    const admin = await adminOf(name);
    const leads = await allLeads(app, admin);
    assert.equal(leads.length, 500);
    assert.equal(new Set(ids(leads)).size, 500);
    assert.ok(
      leads.every((l) => l.id >= summary.firstLeadId && l.id <= summary.lastLeadId),
      'the org holds the leads the summary names',
    );

    const reasons = new Map<number, string>(
      (await send(app, admin, 'GET', '/v2/leads/reasons')).body.data.map((r: any) => [
        r.id,
        r.reason,
      ]),
    );
    const subStatuses = new Set<string>(
      (await send(app, admin, 'GET', '/v2/leads/substatuses')).body.data.map(
        (s: any) => `${s.status}/${s.subStatus}`,
      ),
    );
    const entities = (await send(app, admin, 'GET', '/v2/admin/entities?limit=1000')).body.data;
    const byId = new Map<number, any>(entities.map((e: any) => [e.id, e]));
    const channels = new Set<number>(
      (await send(app, admin, 'GET', '/v2/channels')).body.data.map((c: any) => c.orgSourceId),
    );
    const prefix = codePrefix(name);

    for (const lead of leads) {
      const where = `lead ${lead.id}`;
      const logs = lead.statusLogDetails;
      assert.ok(logs.length >= 1 && logs.length <= 4, where);
      // The newest history row carries the lead's status and sub-status.
      assert.equal(logs.at(-1).status, lead.status, where);
      assert.equal(logs.at(-1).subStatus, lead.subStatus, where);
      assert.equal(logs[0].reason, 'APICALL', `${where}: created through the API`);
      assert.equal(logs[0].createdBy, lead.createdBy, where);
      for (let i = 0; i < logs.length; i += 1) {
        const log = logs[i];
        assert.ok(reasons.has(log.reasonId), `${where}: reason ${log.reasonId} of the org`);
        if (log.subStatus !== undefined) {
          assert.ok(subStatuses.has(`${log.status}/${log.subStatus}`), `${where}: sub-status`);
        }
        if (log.reason === 'AUTO_CLOSE') {
          assert.equal(log.status, 'LOST', where);
          assert.equal(log.createdBy, -1, where);
        } else {
          assert.ok(byId.has(log.createdBy), `${where}: history by an entity of the org`);
        }
        assert.equal(log.userId, lead.userId, where);
        if (i > 0) assert.ok(instant(log.createdOn) >= instant(logs[i - 1].createdOn), where);
      }
      const followUps = lead.followUpDetails;
      assert.ok(followUps.length <= 3, where);
      const latest = Math.max(...followUps.map((f: any) => instant(f.followedUpOn)));
      if (followUps.length === 0) assert.equal(lead.lastFollowUp, undefined, where);
      else assert.equal(instant(lead.lastFollowUp), latest, where);
      for (const f of followUps) {
        assert.ok(byId.has(f.createdBy) && byId.has(f.followedUpBy), where);
        assert.ok(instant(f.followedUpOn) >= instant(lead.createdOn), where);
      }
      // Times: created, then every change, and lastUpdatedOn is the newest of them.
      const changes = [...logs, ...followUps].map((r: any) => instant(r.createdOn));
      assert.equal(instant(lead.lastUpdatedOn), Math.max(...changes), where);
      assert.ok(instant(lead.createdOn) <= instant(lead.lastUpdatedOn), where);
      assert.ok(instant(lead.lastUpdatedOn) <= Date.now(), where);
      // Created at a till of one of the seed's stores, owned (when owned) by an associate.
      const till = byId.get(lead.createdBy);
      assert.equal(till?.type, 'TILL', where);
      assert.match(byId.get(till.parentId)?.code ?? '', new RegExp(`^${prefix}-store-\\d{3}$`));
      if (lead.owner !== undefined) {
        const owner = entities.find((e: any) => e.code === lead.owner);
        assert.ok(owner && ['ASSOCIATE', 'STAFF'].includes(owner.type), where);
      }
      assert.ok(channels.has(lead.orgSourceId), where);
      assert.equal(typeof lead.extendedFields, 'object', where);
    }

    // Analytics read what the seed keeps on each lead beside its log (its status facts): the
    // reports agree with the logs the API shows.
    const bit = {
      OPEN: 'open',
      ON_HOLD: 'onHold',
      WON: 'won',
      LOST: 'lost',
      DELETED: 'deleted',
    } as const;
    const reached = { onHold: 0, won: 0, lost: 0, deleted: 0 };
    const current = { open: 0, onHold: 0, won: 0, lost: 0, deleted: 0 };
    const lostFor = new Map<string, number>();
    const autoClose = { closed: 0, autoClosed: 0 };
    for (const lead of leads) {
      const logs = lead.statusLogDetails;
      for (const status of new Set<keyof typeof bit>(logs.map((l: any) => l.status))) {
        if (status !== 'OPEN') reached[bit[status]] += 1;
      }
      current[bit[lead.status as keyof typeof bit]] += 1;
      const newest = logs.at(-1);
      if (lead.status === 'LOST') {
        const key = `${newest.reason}/${newest.subStatus ?? ''}`;
        lostFor.set(key, (lostFor.get(key) ?? 0) + 1);
      }
      if (lead.status === 'WON' || lead.status === 'LOST') {
        autoClose.closed += 1;
        if (newest.createdBy === -1) autoClose.autoClosed += 1;
      }
    }
    const report = async (name: string) => {
      const response = await send(app, admin, 'GET', `/v2/analytics/${name}`);
      assert.equal(response.status, 200, response.raw);
      return response.body.data.total;
    };
    const funnel = await report('funnel');
    assert.deepEqual([funnel.created, funnel.reached, funnel.current], [500, reached, current]);
    assert.ok(current.lost > 0 && reached.onHold > 0, 'the seed writes histories worth checking');
    const lost = await report('lost-reasons');
    assert.deepEqual(
      new Map(lost.reasons.map((r: any) => [`${r.reason}/${r.subStatus ?? ''}`, r.count])),
      lostFor,
    );
    assert.deepEqual((await report('follow-ups')).autoClose, {
      ...autoClose,
      share:
        autoClose.closed === 0
          ? null
          : Math.round((autoClose.autoClosed / autoClose.closed) * 10_000) / 10_000,
    });

    // … and its stay facts: time in status agrees with the logs too (OPEN's finished stays,
    // added up per lead, and the first follow-ups).
    const hours = (ms: number) => Math.round((ms / 3_600_000) * 100) / 100;
    const median = (values: number[]) => {
      const sorted = [...values].sort((x, y) => x - y);
      const at = (sorted.length - 1) / 2;
      const low = sorted[Math.floor(at)] as number;
      return hours(low + ((sorted[Math.ceil(at)] as number) - low) * (at - Math.floor(at)));
    };
    const openTotals: number[] = [];
    const firstFollowUps: number[] = [];
    for (const lead of leads) {
      let at = lead.statusLogDetails[0];
      let total = 0;
      for (const row of lead.statusLogDetails.slice(1)) {
        if (row.status === at.status) continue;
        if (at.status === 'OPEN') total += instant(row.createdOn) - instant(at.createdOn);
        at = row;
      }
      if (total > 0) openTotals.push(total);
      const followedUpOns = lead.followUpDetails.map((f: any) => instant(f.followedUpOn));
      if (followedUpOns.length > 0) {
        firstFollowUps.push(Math.max(0, Math.min(...followedUpOns) - instant(lead.createdOn)));
      }
    }
    const times = await report('time-in-status');
    // The API shows instants to the second and the seed writes them to the millisecond, so a
    // median worked out from the API can be under a second off the store's: at most one
    // hundredth of an hour once both are rounded.
    const near = (actual: number | null, expected: number, what: string) =>
      assert.ok(
        actual !== null && Math.abs(actual - expected) <= 0.01 + 1e-9,
        `${what}: ${actual} vs ${expected}`,
      );
    assert.equal(times.statuses[0].closed.count, openTotals.length);
    near(times.statuses[0].closed.p50Hours, median(openTotals), 'OPEN closed p50');
    assert.deepEqual(
      [times.firstFollowUp.count, times.firstFollowUp.withoutFollowUp],
      [firstFollowUps.length, 500 - firstFollowUps.length],
    );
    near(times.firstFollowUp.p50Hours, median(firstFollowUps), 'first follow-up p50');
    assert.ok(openTotals.length > 0 && firstFollowUps.length > 0, 'histories worth checking');

    // The ETag is the version: one per change after creation.
    for (const lead of leads.slice(0, 25)) {
      const one = await send(app, admin, 'GET', `/v2/leads/${lead.id}`);
      const changes = lead.statusLogDetails.length - 1 + lead.followUpDetails.length;
      assert.equal(one.headers.etag, `"${lead.id}.${1 + changes}"`);
    }

    // A realistic mix, not one status or one shape repeated.
    const count = (pick: (l: any) => boolean) => leads.filter(pick).length;
    for (const status of ['OPEN', 'ON_HOLD', 'WON', 'LOST']) {
      assert.ok(count((l) => l.status === status) >= 25, `${status}: a share of the leads`);
    }
    assert.ok(count((l) => l.status === 'DELETED') >= 5, 'a few DELETED leads');
    assert.ok(count((l) => l.status === 'OPEN') > count((l) => l.status === 'DELETED') * 3);
    assert.ok(new Set(leads.map((l) => l.type)).size >= 3, 'several lead types');
    assert.ok(new Set(leads.map((l) => l.orgSourceId)).size >= 3, 'several channels');
    assert.ok(new Set(leads.map((l) => l.statusLogDetails.length)).size >= 3);
    assert.ok(new Set(leads.map((l) => l.followUpDetails.length)).size >= 3);
    const created = leads.map((l) => instant(l.createdOn));
    assert.ok(Math.max(...created) - Math.min(...created) > 300 * 86_400_000, 'over ~2 years');

    // Customers: shared among leads, one valid identifier each, found by look-up.
    const customerIds = [...new Set(leads.map((l) => l.userId as number))];
    assert.ok(customerIds.length > 50 && customerIds.length <= 100, `${customerIds.length}`);
    for (const id of customerIds.slice(0, 20)) {
      const customer = await send(app, admin, 'GET', `/v2/customers/${id}`);
      assert.equal(customer.status, 200, customer.raw);
      const live = count((l) => l.userId === id && l.status !== 'DELETED');
      assert.equal(customer.body.leadsCount, live);
      const [idType, identifier] =
        customer.body.mobile === undefined
          ? ['EMAIL', customer.body.email]
          : ['MOBILE', customer.body.mobile];
      if (idType === 'EMAIL') assert.equal(normaliseEmail(identifier), identifier);
      else assert.equal(normaliseMobile(identifier, null), identifier);
      const found = await send(
        app,
        admin,
        'GET',
        `/v2/customers?idType=${idType}&identifier=${encodeURIComponent(identifier)}`,
      );
      assert.equal(found.body.id, id, found.raw);
    }

    // The list filters see the hierarchy: a store's leads are those of its tills.
    const store = entities.find((e: any) => e.code === `${prefix}-store-001`);
    const tills = new Set(
      entities.filter((e: any) => e.parentId === store.id).map((e: any) => e.id),
    );
    const underStore = await allLeads(app, admin, `entityType=STORE&entityCode=${store.code}&`);
    assert.ok(underStore.length > 0);
    assert.deepEqual(ids(underStore), ids(leads.filter((l) => tills.has(l.createdBy))));
    // Follow-up discipline over a store reads the follow-ups' own copies of their lead's creator
    // (migration 0023), which the bulk writer fills: it counts exactly the store's leads' ones.
    const storeFollowUps = underStore.flatMap((l: any) => l.followUpDetails);
    const scheduled = storeFollowUps.filter((f: any) => f.scheduledFollowUp !== undefined).length;
    assert.ok(scheduled > 0 && scheduled < storeFollowUps.length, 'both kinds to count');
    const storeDone = (
      await send(
        app,
        admin,
        'GET',
        `/v2/analytics/follow-ups?entityType=STORE&entityCode=${store.code}`,
      )
    ).body.data.total.done;
    assert.deepEqual(
      [storeDone.onTime + storeDone.late, storeDone.unscheduled],
      [scheduled, storeFollowUps.length - scheduled],
    );
    const zone = entities.find((e: any) => e.code === `${prefix}-zone-01`);
    const underZone = await allLeads(app, admin, `entityType=ZONE&entityCode=${zone.code}&`);
    assert.equal(underZone.length, 500, 'three stores, one zone');

    // Owner, status, sub-status and channel filters agree with the leads themselves.
    const ownerCode = leads.find((l) => l.owner !== undefined).owner;
    const owner = entities.find((e: any) => e.code === ownerCode);
    const owned = await allLeads(app, admin, `owner=${owner.id}&`);
    assert.deepEqual(ids(owned), ids(leads.filter((l) => l.owner === ownerCode)));
    const won = (await send(app, admin, 'GET', '/v2/leads?status=WON&limit=1000')).body.data;
    assert.deepEqual(ids(won), ids(leads.filter((l) => l.status === 'WON')));
    const withSub = leads.find((l) => l.subStatus !== undefined && l.status !== 'DELETED');
    const bySub = (
      await send(app, admin, 'GET', `/v2/leads?subStatus=${withSub.subStatus}&limit=1000`)
    ).body.data;
    assert.deepEqual(
      ids(bySub),
      ids(leads.filter((l) => l.subStatus === withSub.subStatus && l.status !== 'DELETED')),
    );

    // Sorted by createdOn, newest first, as a benchmark pages through them.
    const newest = (
      await send(app, admin, 'GET', '/v2/leads?sortBy=createdOn&sortOrder=DESC&limit=50')
    ).body.data.map((l: any) => instant(l.createdOn));
    assert.deepEqual(
      newest,
      [...newest].sort((a, b) => b - a),
    );
  });

  it('appends to an existing org: ids continue, the hierarchy is reused, totals add up', async () => {
    const name = unique('Seed Append');
    const options = ['--stores', '2', '--owners', '3', '--batch-size', '70'];
    const first = summaryOf(await cli('seed', '--org', name, '--leads', '150', ...options));
    const admin = await adminOf(name);
    const entitiesBefore = (await send(app, admin, 'GET', '/v2/admin/entities?limit=1000')).body
      .data;

    const second = summaryOf(
      await cli('seed', '--org', name, '--leads', '90', '--customers', '12', ...options),
    );
    assert.equal(second.org.id, first.org.id);
    assert.equal(second.leads, 90);
    assert.equal(second.customers, 12);
    assert.ok(second.firstLeadId > first.lastLeadId, 'ids continue after the first run');
    assert.deepEqual(
      [second.stores, second.tills, second.owners],
      [first.stores, first.tills, first.owners],
    );
    const entitiesAfter = (await send(app, admin, 'GET', '/v2/admin/entities?limit=1000')).body
      .data;
    assert.deepEqual(entitiesAfter, entitiesBefore, 'no entity was added the second time');

    const leads = await allLeads(app, admin);
    assert.equal(leads.length, 240);
    const added = leads.filter((l) => l.id >= second.firstLeadId);
    assert.equal(added.length, 90);
    assert.equal(new Set(added.map((l) => l.userId)).size <= 12, true);
    assert.ok(
      added.every((l) => !leads.some((o) => o.id < second.firstLeadId && o.userId === l.userId)),
      'the second run spread its leads over the customers it created',
    );
    // The service goes on numbering after the seeded ids (PostgreSQL's identity sequence, SQLite's
    // AUTOINCREMENT counter), so a lead made through the API never collides with one.
    const created = await send(app, admin, 'POST', '/v2/leads', {
      leadFor: 'JKT-0192-M',
      idType: 'EMAIL',
      identifier: `${unique('after-seed')}@example.com`,
    });
    assert.equal(created.status, 200, created.raw);
    assert.ok(created.body.id > second.lastLeadId);

    const logs = leads.reduce((n, l) => n + l.statusLogDetails.length, 0);
    const followUps = leads.reduce((n, l) => n + l.followUpDetails.length, 0);
    assert.equal(logs, first.statusLogs + second.statusLogs);
    assert.equal(followUps, first.followUps + second.followUps);
  });

  it('reproduces the same leads from the same random seed, and others from another', async () => {
    const shape = async (name: string) => {
      const leads = (await allLeads(app, await adminOf(name))).sort((a, b) => a.id - b.id);
      return leads.map((l) => [
        l.status,
        l.subStatus,
        l.type,
        l.leadFor,
        l.statusLogDetails.length,
        l.followUpDetails.length,
        l.extendedFields,
      ]);
    };
    const names = [unique('Seed Same'), unique('Seed Same'), unique('Seed Other')];
    const seeds = ['42', '42', '43'];
    for (const [i, name] of names.entries()) {
      summaryOf(
        await cli('seed', '--org', name, '--leads', '60', '--random-seed', seeds[i] as string),
      );
    }
    const [a, b, c] = await Promise.all(names.map(shape));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('fills the fields an org defines, with values its definitions accept', async () => {
    const name = unique('Seed Fields');
    assert.equal((await cli('org', 'create', '--name', name)).code, 0);
    const field = await cli(
      ...['field', 'create', '--org', name, '--entity', 'LEAD', '--name', 'colour'],
      ...['--type', 'ENUM', '--values', 'RED,NAVY,OLIVE', '--required'],
    );
    assert.equal(field.code, 0, field.stderr);
    summaryOf(await cli('seed', '--org', name, '--leads', '80', '--stores', '1'));
    const leads = await allLeads(app, await adminOf(name));
    assert.equal(leads.length, 80);
    for (const lead of leads) {
      assert.deepEqual(Object.keys(lead.extendedFields), ['colour']);
      assert.ok(['RED', 'NAVY', 'OLIVE'].includes(lead.extendedFields.colour));
    }
  });

  it('refuses bad options with a usage error naming the option, and changes nothing', async () => {
    const name = unique('Seed Refused');
    const cases: Array<[string[], string]> = [
      [['--leads', '0'], '--leads'],
      [['--leads', 'many'], '--leads'],
      [['--leads', '10000001'], '--leads'],
      [['--leads', '2.5'], '--leads'],
      [['--leads', '10', '--stores', '0'], '--stores'],
      [['--leads', '10', '--owners', 'x'], '--owners'],
      [['--leads', '10', '--customers=-1'], '--customers'],
      [['--leads', '10', '--random-seed', '4294967296'], '--random-seed'],
      [['--leads', '10', '--batch-size', '0'], '--batch-size'],
      [['--leads', '10', '--colour', 'red'], '--colour'],
    ];
    // A few at a time: each is a process of its own on a machine of two cores.
    for (let i = 0; i < cases.length; i += 5) {
      const wave = cases.slice(i, i + 5);
      const runs = await Promise.all(wave.map(([args]) => cli('seed', '--org', name, ...args)));
      runs.forEach((run, j) => usageError(run, (wave[j] as [string[], string])[1]));
    }
    usageError(await cli('seed', '--org', name), '--leads');
    usageError(await cli('seed', '--leads', '10'), '--org');
    usageError(await cli('seed', '--org', '  ', '--leads', '10'), '--org');
    assert.equal(await findOrgByName(ctx.store.db, name), undefined, 'no org was created');
  });

  it("leaves every other org's data as it was", async () => {
    const other = await newOrg(ctx);
    const lead = await newLead(app, other.till, { owner: other.associate.code });
    const snapshot = async () => ({
      leads: await allLeads(app, other.admin),
      entities: (await send(app, other.admin, 'GET', '/v2/admin/entities?limit=1000')).body.data,
      reasons: (await send(app, other.admin, 'GET', '/v2/leads/reasons')).body.data,
      subStatuses: (await send(app, other.admin, 'GET', '/v2/leads/substatuses')).body.data,
      customer: (await send(app, other.admin, 'GET', `/v2/customers/${lead.userId}`)).body,
    });
    const before = await snapshot();

    const name = unique('Seed Neighbour');
    const summary = summaryOf(await cli('seed', '--org', name, '--leads', '200'));
    assert.deepEqual(await snapshot(), before);

    // Nothing the seeded org got refers to the other org: its customers are its own.
    const seeded = await adminOf(name);
    const leads = await allLeads(app, seeded);
    assert.equal(leads.length, summary.leads);
    const foreign = await send(app, seeded, 'GET', `/v2/customers/${lead.userId}`);
    assert.equal(foreign.status, 404);
    for (const userId of new Set(leads.slice(0, 30).map((l) => l.userId))) {
      assert.equal((await send(app, seeded, 'GET', `/v2/customers/${userId}`)).status, 200);
    }
  });
});
