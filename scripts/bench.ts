// `npm run bench` (issue #5): loads the built server with autocannon, scenario by scenario, and
// compares it with baselines measured in the same run. docs/benchmarks.md describes the
// harness, the scenarios, the baselines and the targets.
//
//   npm run bench -- [--mode short|full] [--store sqlite|postgres|both] [--connections N]
//     [--seconds N] [--warmup N] [--repeat N] [--leads N] [--large-leads N] [--tills N]
//     [--admin-url URL] [--workers N] [--no-write]
//
// For each store: a fresh store (SQLite: a temporary DATA_DIR; PostgreSQL: a database beside
// --admin-url, default TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test), both
// removed at the end; an org filled by `leadline seed` to --leads leads, measured, then (with
// --large-leads) grown to that many and measured again with the same filters. Two scenarios are
// measured again against `leadline serve --workers N` (default: the cores, at least 2; 1: not).
//
// Prints the tables and the targets on stdout (progress on stderr) and writes them into
// docs/benchmarks.md between the BENCH:<mode> markers unless --no-write. Exits 1 when any load
// had an error (non-2xx answer, socket error or timeout), 2 on a usage error.
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { cliJson, cliJsonStreaming } from '../toolbox/cli.js';
import { basicAuthorization, okJson } from '../toolbox/http.js';
import {
  ROOT,
  TSX,
  childEnv,
  killAll,
  killChildrenOnSignals,
  spawnTracked,
  startServer,
  stopGracefully,
  type RunningServer,
  type StoreEnv,
  type TrackedChild,
} from '../toolbox/processes.js';
import { openBuiltStore, prepareStore, type StoreKind } from '../toolbox/stores.js';
import { runLoad, type LoadRequest, type LoadResult, type RequestParts } from './bench/load.js';
import {
  describeRun,
  renderReport,
  writeReport,
  type BenchSettings,
  type ListFilter,
  type Measurement,
  type ScenarioKey,
  type ScenarioRuns,
  type SizeResult,
  type StoreResult,
} from './bench/report.js';
import type * as LeadSchemasModule from '../src/leads/lead.schemas.js';

const CEILINGS = [...TSX, path.join(ROOT, 'scripts', 'bench-ceilings.ts')];
const BENCH_SERVER = [...TSX, path.join(ROOT, 'scripts', 'bench-server.ts')];
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');

// ---------------------------------------------------------------------------------------------
// Options

const { values: opts } = parseArgs({
  options: {
    mode: { type: 'string', default: 'short' },
    store: { type: 'string', default: 'both' },
    connections: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    repeat: { type: 'string' },
    leads: { type: 'string' },
    'large-leads': { type: 'string' },
    tills: { type: 'string' },
    'admin-url': { type: 'string' },
    workers: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
  strict: true,
});

function usageError(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}
const mode = opts.mode;
if (mode !== 'short' && mode !== 'full') usageError('--mode short|full');
const storeOption = opts.store;
if (storeOption !== 'sqlite' && storeOption !== 'postgres' && storeOption !== 'both') {
  usageError('--store sqlite|postgres|both');
}
const FULL = mode === 'full';
type NumberOption =
  'connections' | 'seconds' | 'warmup' | 'repeat' | 'leads' | 'large-leads' | 'tills' | 'workers';
function numberOpt(name: NumberOption, fallback: number, { min = 1, integer = true } = {}): number {
  const given = opts[name];
  if (given === undefined) return fallback;
  const n = Number(given);
  if ((integer && !Number.isInteger(n)) || !(n >= min)) {
    usageError(`--${name} must be ${integer ? 'an integer' : 'a number'} of at least ${min}`);
  }
  return n;
}

const SETTINGS: BenchSettings = {
  mode,
  connections: numberOpt('connections', FULL ? 50 : 10),
  seconds: numberOpt('seconds', FULL ? 20 : 2, { integer: false, min: 0.5 }),
  warmup: numberOpt('warmup', FULL ? 5 : 0.5, { integer: false, min: 0 }),
  repeat: numberOpt('repeat', FULL ? 3 : 1),
  tills: numberOpt('tills', 4),
  sizes: [numberOpt('leads', FULL ? 10_000 : 2_000)],
  stores: storeOption === 'both' ? ['sqlite', 'postgres'] : [storeOption],
  adminUrl: opts['admin-url'],
  /** The status-change scenario sends these in turn, each with the bench reason. */
  changes: [
    { status: 'ON_HOLD', subStatus: 'BenchAwaitingStock' },
    { status: 'OPEN', subStatus: 'BenchCalledBack' },
  ],
  pageSize: 10,
  workers: numberOpt('workers', Math.max(2, availableParallelism())),
};
const large = numberOpt('large-leads', FULL ? 1_000_000 : 0, { min: 0 });
if (large > 0) {
  if (large <= (SETTINGS.sizes[0] ?? 0)) usageError('--large-leads must be more than --leads');
  SETTINGS.sizes.push(large);
}

const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);
function pick<T>(list: readonly T[]): T {
  const item = list[Math.floor(Math.random() * list.length)];
  if (item === undefined) throw new Error('picking from an empty list');
  return item;
}

// ---------------------------------------------------------------------------------------------
// Seeding and what the bench needs to know of the seeded org

/** Grows org `orgName` to `target` leads (it has `current`); the servers must be stopped. */
async function seedTo(storeEnv: StoreEnv, orgName: string, current: number, target: number) {
  const add = target - current;
  if (add <= 0) return;
  const started = Date.now();
  const summary = await cliJsonStreaming(
    storeEnv,
    ['seed', '--org', orgName, '--leads', String(add)],
    { onProgress: (line) => log(`  seed: ${line}`) },
  );
  log(`  seed: ${JSON.stringify(summary).slice(0, 300)}`);
  log(`  ${add.toLocaleString('en-US')} leads added in ${(Date.now() - started) / 1000} s`);
}

type Till = { id: number; code: string; type: string };
type Login = Till & { authorization: string };
type StatusOwnerCount = { status: string; ownerId: number | null; n: number };

/** What the bench knows of the seeded org. */
type OrgFacts = {
  orgId: number;
  tills: Till[];
  total: number;
  filter: ListFilter;
  matching: number;
  otherOwnerCodes: string[];
  readIds: number[];
  writeIds: number[];
};

/**
 * What the bench reads from the store after seeding (the seed's summary is not relied on, so
 * its shape may change): the org, its tills, its leads per status and owner, and samples of
 * lead ids to read and to write.
 *
 * `filter` (status, ownerId): the read filter chosen at the first size. Writes go to leads
 * outside it (and add leads outside it), so repeated rounds never change what the lists read.
 */
async function inspectOrg(
  storeEnv: StoreEnv,
  orgName: string,
  filter: ListFilter | undefined,
): Promise<OrgFacts> {
  const store = await openBuiltStore(storeEnv);
  try {
    const { db } = store;
    const org = await db
      .selectFrom('orgs')
      .select(['id'])
      .where('name', '=', orgName)
      .executeTakeFirstOrThrow();
    const tills = await db
      .selectFrom('entities')
      .select(['id', 'code', 'type'])
      .where('org_id', '=', org.id)
      .where('type', '=', 'TILL')
      .where('disabled', '=', 0)
      .orderBy('id')
      .limit(SETTINGS.tills)
      .execute();
    if (tills.length === 0) throw new Error(`the seeded org ${orgName} has no till`);
    const groups = await db
      .selectFrom('leads')
      .select(['status', 'owner_id', (eb) => eb.fn.countAll().as('n')])
      .where('org_id', '=', org.id)
      .groupBy(['status', 'owner_id'])
      .execute();
    const counts: StatusOwnerCount[] = groups.map((g) => ({
      status: g.status,
      ownerId: g.owner_id,
      n: Number(g.n),
    }));
    const total = counts.reduce((sum, g) => sum + g.n, 0);
    const chosen = filter ?? chooseFilter(counts);
    const matching = counts
      .filter((g) => g.status === chosen.status && g.ownerId === chosen.ownerId)
      .reduce((sum, g) => sum + g.n, 0);
    const ownerIds = [...new Set(counts.map((g) => g.ownerId))].filter(
      (id): id is number => id !== null && id !== chosen.ownerId,
    );
    const owners = ownerIds.length
      ? await db.selectFrom('entities').select(['id', 'code']).where('id', 'in', ownerIds).execute()
      : [];
    const ownerCode = await db
      .selectFrom('entities')
      .select('code')
      .where('id', '=', chosen.ownerId)
      .executeTakeFirstOrThrow();
    const sample = async (size: number, outsideFilter: boolean): Promise<number[]> => {
      let query = db.selectFrom('leads').select('id').where('org_id', '=', org.id);
      if (outsideFilter) {
        query = query.where((eb) =>
          eb.or([eb('owner_id', 'is', null), eb('owner_id', '<>', chosen.ownerId)]),
        );
      }
      const rows = await query
        .orderBy(sql`random()`)
        .limit(size)
        .execute();
      return rows.map((r) => r.id);
    };
    const readIds = await sample(5_000, false);
    let writeIds = await sample(5_000, true);
    if (writeIds.length === 0) writeIds = readIds;
    return {
      orgId: org.id,
      tills,
      total,
      filter: { ...chosen, ownerCode: ownerCode.code },
      matching,
      otherOwnerCodes: owners.map((o) => o.code),
      readIds,
      writeIds,
    };
  } finally {
    await store.close();
  }
}

/**
 * The read filter: the more common of the statuses a till works on (OPEN, ON_HOLD; any status
 * if the seed made neither), and among its leads the owner with the most, so the list is one
 * associate's real backlog and its deep page is as deep as the seed allows.
 */
function chooseFilter(counts: StatusOwnerCount[]): { status: string; ownerId: number } {
  const byStatus = new Map<string, number>();
  for (const g of counts) byStatus.set(g.status, (byStatus.get(g.status) ?? 0) + g.n);
  const ranked = [...byStatus].sort((a, b) => b[1] - a[1]);
  const [status] = ranked.find(([s]) => s === 'OPEN' || s === 'ON_HOLD') ?? ranked[0] ?? [];
  const owned = counts
    .filter((g) => g.status === status && g.ownerId !== null)
    .sort((a, b) => b.n - a.n);
  const top = owned[0];
  if (status === undefined || top?.ownerId == null) {
    throw new Error('the seeded leads have no owner to filter by');
  }
  return { status, ownerId: top.ownerId };
}

// ---------------------------------------------------------------------------------------------
// Servers

const SERVER_ENV = {
  RATE_LIMIT_PER_MINUTE: '0',
  LOGIN_FAILURES_PER_5_MINUTES: '0',
  LOGIN_FAILURES_PER_IP_PER_5_MINUTES: '0',
  AUTO_CLOSE_INTERVAL_SECONDS: '0',
  // The longest allowed: a server lives for one data size, longer than the default 300 s in a
  // full run, and an expiry puts one Argon2id verification per till in a measurement.
  CREDENTIAL_CACHE_SECONDS: '3600',
};

/** `leadline serve --workers N`, as deployed, logging at warn like every other process of the bench. */
function startLeadline(storeEnv: StoreEnv, workers = 1): Promise<RunningServer> {
  return startServer({ storeEnv, env: SERVER_ENV, logLevel: 'warn', timeoutMs: 120_000, workers });
}

/** scripts/bench-server.ts: the same server, every request acting as `till` unauthenticated. */
function startAuthOff(storeEnv: StoreEnv, orgId: number, till: Till): Promise<RunningServer> {
  return startServer({
    storeEnv,
    env: SERVER_ENV,
    logLevel: 'warn',
    timeoutMs: 120_000,
    argv: [
      ...BENCH_SERVER,
      ...['--org-id', String(orgId), '--entity-id', String(till.id)],
      ...['--entity-type', till.type, '--code', till.code],
    ],
  });
}

type Target = { child: TrackedChild; base: string };

/** The HTTP ceiling's process, started once per store and left idle between its loads. */
async function startHttpCeiling(): Promise<Target> {
  const child = spawnTracked([...CEILINGS, 'http'], childEnv({}, { LOG_LEVEL: 'warn' }));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /\{"port":(\d+)\}/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) =>
      reject(new Error(`http ceiling exited (${code}): ${child.stderrTail()}`)),
    );
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const JSON_TYPE = { 'content-type': 'application/json' };

function leadBody(sequence: number, ownerCodes: string[]): Record<string, string> {
  return {
    leadFor: `SKU-${sequence % 997}`,
    type: 'SKU',
    idType: 'EMAIL',
    // Returning shoppers: a few thousand customers, each created by their first lead.
    identifier: `shopper-${sequence % 5000}@bench.example.com`,
    ...(ownerCodes.length ? { owner: ownerCodes[sequence % ownerCodes.length]! } : {}),
  };
}

type DeepCursor = { cursor: string; after: number };

/** What the scenarios of one data size are built from. */
type ScenarioContext = OrgFacts & {
  tills: Login[];
  reasonId: number;
  deepOffset: number;
  deepCursor: DeepCursor | undefined;
};

type Scenario = {
  key: ScenarioKey;
  name: string;
  kind: 'read' | 'write';
  baseline: 'http' | 'storage';
  /** A fresh autocannon request (its own sequence of bodies). */
  request(): LoadRequest;
};

const WRITES: ScenarioKey[] = ['addLead', 'changeStatus', 'addFollowUp'];

/**
 * The scenarios; `request()` builds autocannon's request (method, path, a `setupRequest` per
 * request). Every request carries one of the bench tills' Basic authorization, exactly as a till
 * sends it (the auth-off server ignores it).
 */
function scenarios(ctx: ScenarioContext): Scenario[] {
  const { tills, filter, deepOffset, deepCursor, readIds, writeIds, reasonId } = ctx;
  const { pageSize, changes } = SETTINGS;
  const list = `status=${filter.status}&owner=${filter.ownerId}&limit=${pageSize}`;
  const of = `of ${ctx.matching.toLocaleString('en-US')}`;
  const get = (pathFor: () => string) => (): LoadRequest => ({
    method: 'GET',
    setupRequest: (req: RequestParts) => ({
      ...req,
      path: pathFor(),
      headers: { authorization: pick(tills).authorization },
    }),
  });
  let sequence = 0;
  const write =
    (method: 'POST' | 'PUT', pathFor: () => string, bodyFor: (till: Login, n: number) => object) =>
    (): LoadRequest => ({
      method,
      setupRequest: (req: RequestParts) => {
        sequence += 1;
        const till = pick(tills);
        return {
          ...req,
          method,
          path: pathFor(),
          headers: { ...JSON_TYPE, authorization: till.authorization },
          body: JSON.stringify(bodyFor(till, sequence)),
        };
      },
    });
  const all: Array<Omit<Scenario, 'kind' | 'baseline'> | undefined> = [
    {
      key: 'statusLog',
      name: "get one lead's status log",
      request: get(() => `/v2/leads/${pick(readIds)}/statusLog`),
    },
    {
      key: 'listFirst',
      name: `list ${filter.status} of one owner, first page`,
      request: get(() => `/v2/leads?${list}`),
    },
    {
      key: 'listDeepOffset',
      name: `list ${filter.status} of one owner, deep page (offset ${deepOffset.toLocaleString('en-US')} ${of})`,
      request: get(() => `/v2/leads?${list}&offset=${deepOffset}`),
    },
    deepCursor && {
      key: 'listDeepCursor',
      name: `list ${filter.status} of one owner, deep page by cursor (after ${deepCursor.after.toLocaleString('en-US')} ${of})`,
      request: get(() => `/v2/leads?${list}&cursor=${encodeURIComponent(deepCursor.cursor)}`),
    },
    {
      key: 'search',
      name: `search ${filter.status} sorted by lastUpdatedOn DESC, first page`,
      request: get(
        () =>
          `/v2/leads?status=${filter.status}&sortBy=lastUpdatedOn&sortOrder=DESC&limit=${pageSize}`,
      ),
    },
    {
      key: 'addLead',
      name: 'add lead',
      request: write(
        'POST',
        () => '/v2/leads',
        (_till, n) => leadBody(n, ctx.otherOwnerCodes),
      ),
    },
    {
      key: 'changeStatus',
      name: 'change status (reason and sub-status)',
      request: write(
        'PUT',
        () => `/v2/leads/${pick(writeIds)}/status`,
        (_till, n) => ({ ...changes[n % changes.length], reasonId }),
      ),
    },
    {
      key: 'addFollowUp',
      name: 'add follow-up',
      request: write(
        'POST',
        () => `/v2/leads/${pick(writeIds)}/followup`,
        (till, n) => ({
          followedUpOn: new Date().toISOString(),
          createdBy: till.id,
          notes: `bench follow-up ${n}`,
        }),
      ),
    },
  ];
  return all
    .filter((s) => s !== undefined)
    .map((s) => ({
      ...s,
      kind: WRITES.includes(s.key) ? 'write' : 'read',
      baseline: s.key === 'changeStatus' ? 'storage' : 'http',
    }));
}

/** The API's largest `offset`, from the build's own list schema. */
async function maxOffset(): Promise<number> {
  const { LeadListQuery } = (await import(
    path.join(ROOT, 'dist', 'leads', 'lead.schemas.js')
  )) as typeof LeadSchemasModule;
  return LeadListQuery.properties.offset.maximum ?? Number.MAX_SAFE_INTEGER;
}

type ListPage = { data: unknown[]; nextCursor?: string };

/**
 * A `cursor` whose page starts `after` matching leads in, or undefined when this build issues
 * no cursors. The offset page just before that point carries it as `nextCursor` when the API
 * issues one on offset pages; else the pages are walked by cursor, 1,000 at a time.
 */
async function findDeepCursor(
  base: string,
  authorization: string,
  filterQuery: string,
  after: number,
): Promise<DeepCursor | undefined> {
  const page = (query: string): Promise<ListPage> =>
    okJson<ListPage>(base, authorization, 'GET', `/v2/leads?${filterQuery}&${query}`);
  const probe = await page('limit=1');
  if (probe.nextCursor === undefined) return undefined;
  if (after === 0) return undefined;
  const before = await page(`limit=1&offset=${after - 1}`);
  let cursor = before.nextCursor;
  if (cursor === undefined) {
    let seen = 0;
    while (seen < after) {
      const limit = Math.min(1000, after - seen);
      const from = cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const next = await page(`limit=${limit}${from}`);
      seen += next.data.length;
      cursor = next.nextCursor;
      if (cursor === undefined) return undefined;
    }
  }
  if (cursor === undefined) return undefined;
  const check = await page(`limit=1&cursor=${encodeURIComponent(cursor)}`);
  if (check.data.length === 0) throw new Error('the deep cursor answers an empty page');
  return { cursor, after };
}

// ---------------------------------------------------------------------------------------------
// Measurements

/** The storage ceiling, in its own process against the same store; one measurement. */
async function storageCeiling(
  store: StoreKind,
  storeEnv: StoreEnv,
  ctx: ScenarioContext,
): Promise<Measurement> {
  const inflight = store === 'sqlite' ? 1 : SETTINGS.connections;
  const child = spawnTracked(
    [...CEILINGS, 'storage'],
    childEnv(storeEnv, {
      BENCH_INFLIGHT: String(inflight),
      BENCH_ORG_ID: String(ctx.orgId),
      BENCH_ACTOR_ID: String(ctx.tills[0]?.id),
      BENCH_REASON_ID: String(ctx.reasonId),
      BENCH_CHANGES: JSON.stringify(SETTINGS.changes),
      BENCH_LEAD_IDS: JSON.stringify(ctx.writeIds),
      BENCH_SECONDS: String(SETTINGS.seconds),
    }),
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`storage ceiling failed (${code}): ${child.stderrTail()}`);
  const result = JSON.parse(out.trim().split('\n').pop() ?? '') as {
    count: number;
    seconds: number;
    p50?: number;
    p99?: number;
  };
  return {
    rps: result.count / result.seconds,
    p50: result.p50,
    p99: result.p99,
    errors: 0,
    rssMb: undefined,
  };
}

/** A target whose RSS is not sampled: a cluster, whose primary's RSS is not the server's. */
type Unsampled = { base: string; child?: undefined };

function load(
  target: Target | Unsampled,
  request: LoadRequest,
  seconds = SETTINGS.seconds,
): Promise<LoadResult> {
  return runLoad({
    base: target.base,
    request,
    connections: SETTINGS.connections,
    seconds,
    pid: target.child?.pid,
  });
}

type MeasuredSize = Pick<SizeResult, 'rows' | 'http' | 'storage'>;

/**
 * One data size: warm-up, then `repeat` rounds of the reads (each against Leadline and against
 * the auth-off build) with an HTTP-ceiling load in every round, then `repeat` rounds of the
 * writes with a storage-ceiling run in every round. Interleaving puts a slow patch of the
 * machine on a scenario and on its baseline alike; the report takes medians.
 */
async function measureSize(
  store: StoreKind,
  storeEnv: StoreEnv,
  ctx: ScenarioContext,
  servers: { leadline: Target; authOff: Target; httpCeiling: Target; cluster?: Unsampled },
): Promise<MeasuredSize> {
  const { leadline, authOff, httpCeiling, cluster } = servers;
  const list = scenarios(ctx);
  const reads = list.filter((s) => s.kind === 'read');
  const writes = list.filter((s) => s.kind === 'write');
  // The --workers rows: the first page and add lead again, against the cluster, in the same
  // rounds as their one-process rows.
  const onCluster = (key: ScenarioKey, of: ScenarioKey): Scenario & { of: ScenarioKey } => {
    const scenario = list.find((s) => s.key === of)!;
    return {
      ...scenario,
      key,
      of,
      name: `${scenario.name}, \`--workers ${SETTINGS.workers}\``,
    };
  };
  const clusterReads = cluster ? [onCluster('listFirstWorkers', 'listFirst')] : [];
  const clusterWrites = cluster ? [onCluster('addLeadWorkers', 'addLead')] : [];
  const rows = new Map<ScenarioKey, ScenarioRuns>(
    list.map((s) => [
      s.key,
      { key: s.key, name: s.name, kind: s.kind, baseline: s.baseline, runs: [], authOffRuns: [] },
    ]),
  );
  for (const s of [...clusterReads, ...clusterWrites]) {
    rows.set(s.key, {
      key: s.key,
      name: s.name,
      kind: s.kind,
      baseline: s.baseline,
      runs: [],
      authOffRuns: [],
      workers: SETTINGS.workers,
      comparedWith: s.of,
    });
  }
  const row = (key: ScenarioKey): ScenarioRuns => rows.get(key)!;
  const http: MeasuredSize['http'] = { runs: [] };
  const storage: MeasuredSize['storage'] = {
    runs: [],
    inflight: store === 'sqlite' ? 1 : SETTINGS.connections,
  };
  const ceilingRequest = (): LoadRequest => {
    let n = 0;
    return {
      method: 'POST',
      setupRequest: (req) => ({
        ...req,
        method: 'POST',
        path: '/v2/leads',
        headers: { ...JSON_TYPE, authorization: pick(ctx.tills).authorization },
        body: JSON.stringify(leadBody((n += 1), ctx.otherOwnerCodes)),
      }),
    };
  };

  if (SETTINGS.warmup > 0) {
    log(`${store}: warm-up, ${SETTINGS.warmup} s per scenario`);
    await load(httpCeiling, ceilingRequest(), SETTINGS.warmup);
    for (const s of reads) {
      await load(leadline, s.request(), SETTINGS.warmup);
      await load(authOff, s.request(), SETTINGS.warmup);
    }
    // Every worker verifies each till once (its own credential cache) during its warm-up.
    for (const s of clusterReads) await load(cluster!, s.request(), SETTINGS.warmup);
  }
  for (let round = 1; round <= SETTINGS.repeat; round += 1) {
    log(`${store}: reads, round ${round} of ${SETTINGS.repeat}`);
    http.runs.push(await load(httpCeiling, ceilingRequest()));
    for (const s of reads) {
      row(s.key).runs.push(await load(leadline, s.request()));
      row(s.key).authOffRuns.push(await load(authOff, s.request()));
    }
    for (const s of clusterReads) row(s.key).runs.push(await load(cluster!, s.request()));
  }
  // The auth-off server holds a pool of its own; the PostgreSQL storage ceiling needs as many
  // connections as the load has.
  await stopGracefully(authOff.child);

  if (SETTINGS.warmup > 0) {
    for (const s of writes) await load(leadline, s.request(), SETTINGS.warmup);
    for (const s of clusterWrites) await load(cluster!, s.request(), SETTINGS.warmup);
  }
  for (let round = 1; round <= SETTINGS.repeat; round += 1) {
    log(`${store}: writes, round ${round} of ${SETTINGS.repeat}`);
    storage.runs.push(await storageCeiling(store, storeEnv, ctx));
    for (const s of writes) row(s.key).runs.push(await load(leadline, s.request()));
    for (const s of clusterWrites) row(s.key).runs.push(await load(cluster!, s.request()));
  }
  return { rows: [...rows.values()], http, storage };
}

// ---------------------------------------------------------------------------------------------
// One store

async function benchStore(store: StoreKind): Promise<StoreResult> {
  log(`${store}: preparing`);
  const prepared = await prepareStore(store, {
    prefix: 'leadline_bench',
    adminUrl: SETTINGS.adminUrl,
  });
  const orgName = `Bench ${randomUUID().slice(0, 8)}`;
  const result: StoreResult = { store, sizes: [] };
  const limit = await maxOffset();
  let httpCeiling: Target | undefined;
  let leadline: RunningServer | undefined;
  let authOff: RunningServer | undefined;
  let cluster: RunningServer | undefined;
  let filter: ListFilter | undefined;
  let logins: Login[] | undefined;
  let reasonId: number | undefined;
  let leadsNow = 0;
  try {
    httpCeiling = await startHttpCeiling();
    for (const size of SETTINGS.sizes) {
      log(`${store}: seeding to ${size.toLocaleString('en-US')} leads`);
      await seedTo(prepared.env, orgName, leadsNow, size);
      const org = await inspectOrg(prepared.env, orgName, filter);
      leadsNow = org.total;
      filter ??= org.filter;
      // The tills' passwords are the bench's own: set through the CLI, as an operator would.
      logins ??= org.tills.map((till) => {
        const password = `bench-${randomUUID()}`;
        cliJson(prepared.env, [
          ...['entity', 'password', '--org', orgName, '--code', till.code],
          ...['--password', password],
        ]);
        return { ...till, authorization: basicAuthorization(till.code, password) };
      });
      const first = logins[0];
      if (!first) throw new Error('no till to log in with');

      leadline = await startLeadline(prepared.env);
      authOff = await startAuthOff(prepared.env, org.orgId, first);
      if (SETTINGS.workers > 1) cluster = await startLeadline(prepared.env, SETTINGS.workers);
      // Each till's first request pays its Argon2id verification; every later one hits the
      // cache, which is the steady state a till lives in.
      for (const till of logins) {
        await okJson(leadline.base, till.authorization, 'GET', '/v2/leads/reasons');
      }
      if (reasonId === undefined) {
        const reasons = await okJson<{ data: Array<{ id: number; reason: string }> }>(
          leadline.base,
          first.authorization,
          'POST',
          '/v2/leads/reasons',
          [{ reason: 'Bench' }],
        );
        reasonId = reasons.data.find((r) => r.reason === 'Bench')?.id;
        if (reasonId === undefined) throw new Error('the bench reason was not added');
        for (const change of SETTINGS.changes) {
          await okJson(leadline.base, first.authorization, 'POST', '/v2/leads/substatus', change);
        }
      }
      const deepOffset = Math.min(Math.floor(org.matching * 0.9), limit);
      const filterQuery = `status=${org.filter.status}&owner=${org.filter.ownerId}`;
      const deepCursor = await findDeepCursor(
        leadline.base,
        first.authorization,
        filterQuery,
        deepOffset,
      );
      if (!deepCursor) log(`${store}: no keyset cursor in this build; that scenario is skipped`);
      const ctx: ScenarioContext = { ...org, tills: logins, reasonId, deepOffset, deepCursor };
      log(
        `${store}: ${org.total.toLocaleString('en-US')} leads; lists: ${filterQuery} ` +
          `(${org.matching.toLocaleString('en-US')} match), deep offset ${deepOffset}`,
      );
      const measured = await measureSize(store, prepared.env, ctx, {
        leadline,
        authOff,
        httpCeiling,
        ...(cluster ? { cluster: { base: cluster.base } } : {}),
      });
      result.sizes.push({
        size,
        leads: org.total,
        matching: org.matching,
        filter: org.filter,
        deepOffset,
        deepCursorAfter: deepCursor?.after,
        ...measured,
      });
      await stopGracefully(leadline.child);
      if (cluster) await stopGracefully(cluster.child);
      leadline = undefined;
      authOff = undefined;
      cluster = undefined;
      // Writes added leads; the next size is counted from what the org holds now.
      leadsNow = (await inspectOrgTotal(prepared.env, org.orgId)) ?? leadsNow;
    }
  } finally {
    for (const running of [cluster, authOff, leadline, httpCeiling]) {
      if (running) await stopGracefully(running.child);
    }
    await prepared.cleanup();
  }
  return result;
}

async function inspectOrgTotal(storeEnv: StoreEnv, orgId: number): Promise<number | undefined> {
  const store = await openBuiltStore(storeEnv);
  try {
    const row = await store.db
      .selectFrom('leads')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.n);
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = Date.now();
  const results: StoreResult[] = [];
  for (const store of SETTINGS.stores) results.push(await benchStore(store));
  const run = await describeRun(SETTINGS);
  const report = await renderReport(results, SETTINGS, run);
  process.stdout.write(`${report.markdown}\n`);
  if (!opts['no-write']) writeReport(DOC, SETTINGS.mode, report.markdown);
  log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  for (const failure of report.errors) log(`ERRORS: ${failure}`);
  return report.errors.length > 0 ? 1 : 0;
}

killChildrenOnSignals();
main().then(
  (code) => process.exit(code),
  (error: Error) => {
    log(`failed: ${error.stack ?? String(error)}`);
    killAll();
    process.exit(1);
  },
);
