// Crash test: write load against the built server, SIGKILL at random moments, restart, and check
// that every acknowledged write is present exactly once and nothing is doubled.
//
//   npm run build
//   npx tsx scripts/crash-test.ts --store sqlite|postgres [--kills N] [--workers N]
//     [--server-workers N]
//     [--min-delay-ms 50] [--max-delay-ms 500] [--tail-ms 300] [--seed N]
//     [--database-url URL] [--admin-url URL] [--keep] [--inject-fault lose|double]
//
// It drives the build (`node dist/cli/main.js`) exactly as an operator would; only this script
// runs through tsx.
//
// SQLite: a fresh DATA_DIR in the temporary folder, removed at the end (kept with --keep).
// PostgreSQL: a fresh database created beside --admin-url (default TEST_DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/test) and dropped at the end; or --database-url to run
// against an existing, already reachable database (it is neither migrated nor dropped here; the
// server migrates it at start).
//
// Writers never retry a request that failed mid-flight: without an idempotency key a retry could
// legitimately double a write. A request is "acknowledged" only when its HTTP 200 was received.
//
// --server-log FILE appends every server's output (the JSON log) to FILE.
//
// --inject-fault proves the checker: `double` sends one acknowledged follow-up a second time
// after the load (as a server that doubled it would have stored it), `lose` records a write that
// was never sent as acknowledged (as if the server had lost it); the run must then fail.
//
// Webhooks: a receiver in this process on 127.0.0.1 is the org's webhook endpoint (created with
// the CLI) and answers 5 % of deliveries 500. After the load, every acknowledged write's event
// must reach it at least once, signed (checked with the `standardwebhooks` package), and every
// copy of one `webhook-id` must carry the same body.
//
// Prints one JSON line `{store, kills, requests, acknowledged, checked, lost, doubled, ...}` on
// stdout; progress goes to stderr. Exits 1 on any lost or doubled write or any event that did not
// arrive, 2 on a usage error.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { parseArgs } from 'node:util';
import { cliJson } from '../toolbox/cli.js';
import { basicAuthorization, sendJson, type Answer } from '../toolbox/http.js';
import {
  killAll,
  killChildrenOnSignals,
  killGroup,
  sleep,
  startServer as startBuiltServer,
  stopGracefully,
  type RunningServer,
  type StoreEnv,
} from '../toolbox/processes.js';
import { prepareStore } from '../toolbox/stores.js';

const { values: opts } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    kills: { type: 'string', default: '10' },
    workers: { type: 'string', default: '8' },
    // `leadline serve --workers N`: processes of the server; a kill SIGKILLs all of them at once.
    'server-workers': { type: 'string', default: '1' },
    tills: { type: 'string', default: '3' },
    'min-delay-ms': { type: 'string', default: '50' },
    'max-delay-ms': { type: 'string', default: '500' },
    'tail-ms': { type: 'string', default: '300' },
    'request-timeout-ms': { type: 'string', default: '10000' },
    'start-timeout-ms': { type: 'string', default: '20000' },
    seed: { type: 'string' },
    'database-url': { type: 'string' },
    'admin-url': { type: 'string' },
    keep: { type: 'boolean', default: false },
    'inject-fault': { type: 'string' },
    'server-log': { type: 'string' },
    'events-timeout-ms': { type: 'string', default: '120000' },
  },
  strict: true,
});

function usageError(message: string): never {
  process.stderr.write(`crash-test: ${message}\n`);
  process.exit(2);
}
type IntOption =
  | 'kills'
  | 'workers'
  | 'server-workers'
  | 'tills'
  | 'min-delay-ms'
  | 'max-delay-ms'
  | 'tail-ms'
  | 'request-timeout-ms'
  | 'start-timeout-ms'
  | 'events-timeout-ms'
  | 'seed';
function intOpt(name: IntOption, min: number, max: number): number {
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < min || n > max) {
    usageError(`--${name} must be an integer from ${min} to ${max}`);
  }
  return n;
}

const store = opts.store === 'postgres' ? 'postgres' : 'sqlite';
if (opts.store !== store) usageError('--store must be sqlite or postgres');
const KILLS = intOpt('kills', 0, 100_000);
const WORKERS = intOpt('workers', 1, 256);
const SERVER_WORKERS = intOpt('server-workers', 1, 16);
const TILLS = intOpt('tills', 1, 32);
const MIN_DELAY = intOpt('min-delay-ms', 0, 600_000);
const MAX_DELAY = intOpt('max-delay-ms', MIN_DELAY, 600_000);
const TAIL_MS = intOpt('tail-ms', 0, 600_000);
const REQUEST_TIMEOUT = intOpt('request-timeout-ms', 100, 600_000);
const START_TIMEOUT = intOpt('start-timeout-ms', 1000, 600_000);
const FAULT = opts['inject-fault'];
const EVENTS_TIMEOUT = intOpt('events-timeout-ms', 1000, 3_600_000);
if (FAULT !== undefined && FAULT !== 'lose' && FAULT !== 'double') {
  usageError('--inject-fault must be lose or double');
}
const SEED = opts.seed === undefined ? Date.now() % 2 ** 31 : intOpt('seed', 0, 2 ** 31 - 1);

/** mulberry32: a small seeded generator, so a failing run's schedule can be replayed. */
function makeRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = makeRandom(SEED);
const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
const log = (message: string): void => void process.stderr.write(`crash-test: ${message}\n`);

// ---------------------------------------------------------------------------------------------
// The CLI and the server

let storeEnv: StoreEnv = {};
const serverLog = opts['server-log']
  ? createWriteStream(opts['server-log'], { flags: 'a' })
  : undefined;

const cli = <T = unknown>(args: string[]): T => cliJson<T>(storeEnv, args, { timeoutMs: 60_000 });

/** Starts `leadline serve` on a free port of 127.0.0.1; resolves when it listens. */
function startServer(): Promise<RunningServer> {
  return startBuiltServer({
    storeEnv,
    logLevel: 'info',
    workers: SERVER_WORKERS,
    // Its own process group: a kill takes the primary and every worker down at once.
    detached: true,
    env: {
      PG_POOL_SIZE: '8',
      // Deliveries to this script's receiver, quickly and with quick retries.
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_DISPATCH_INTERVAL_SECONDS: '0.1',
      WEBHOOK_TIMEOUT_SECONDS: '2',
      WEBHOOK_RETRY_SECONDS: '0.2,0.5,1,1,1,1,1,1,1,1,1,1',
      // The load is deliberately far above any per-credential rate limit; limits are not what
      // this script tests (0 turns them off).
      RATE_LIMIT_PER_MINUTE: '0',
    },
    timeoutMs: START_TIMEOUT,
    ...(serverLog ? { onOutput: (chunk: Buffer) => void serverLog.write(chunk) } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP (fetch keeps connections alive by default)

/** The current server, or undefined while it is down. */
let server: RunningServer | undefined;
/** Resolved when a server is up again. */
let serverUp: Promise<void> = Promise.resolve();
let markUp = (): void => {};

function expectDown(): void {
  server = undefined;
  serverUp = new Promise((resolve) => {
    markUp = resolve;
  });
}

type Login = { id: number; authorization: string };

function request<T = unknown>(
  login: Login,
  method: string,
  url: string,
  body?: unknown,
): Promise<Answer<T>> {
  const current = server;
  if (!current) throw new Error('server down');
  return sendJson<T>(current.base, login.authorization, method, url, body, {
    timeoutMs: REQUEST_TIMEOUT,
  });
}

/** The parts of a lead, and of its embedded history, that the checker reads. */
type LeadItem = {
  id: number;
  leadFor: string;
  status: string;
  subStatus?: string | null;
  statusLogsOmitted?: boolean;
  followUpsOmitted?: boolean;
  statusLogDetails?: Array<{
    id: number;
    status: string;
    subStatus?: string | null;
    reason?: string;
  }>;
  followUpDetails?: Array<{ notes?: string }>;
};

// ---------------------------------------------------------------------------------------------
// The load and its ledger

const ledger = {
  /** By marker. */
  creates: new Map<string, { acked: boolean; tillIndex: number; id?: number }>(),
  /** By reason text (unique per change). */
  statuses: new Map<string, { acked: boolean; leadId: number; status: string }>(),
  /** By note. */
  followUps: new Map<string, { acked: boolean; leadId: number }>(),
};
/** Acknowledged creates: the targets of changes. */
const ackedLeads: Array<{ id: number; tillIndex: number }> = [];
let requests = 0;
let acknowledged = 0;
/** 4xx/5xx answers the load should never get. */
const unexpected: Array<{ kind: string; status: number; body: string }> = [];
const runId = randomUUID().slice(0, 8);
let sequence = 0;
// Each status change carries a reason of its own, so its status-log row can be found again (a
// status change may not be back-dated before the lead's newest row, so dates cannot serve).
const STATUSES = ['OPEN', 'ON_HOLD', 'WON', 'LOST'];
/** Unused reasons of the org, `{id, reason}`, topped up 100 at a time (the API's most per call). */
const reasonPool: Array<{ id: number; reason: string }> = [];
let reasonsAdded = 0;
let toppingUp: Promise<void> | undefined;
async function topUpReasons(login: Login): Promise<void> {
  toppingUp ??= (async () => {
    const batch = Array.from({ length: 100 }, () => ({
      reason: `crash-${runId}-status-${(reasonsAdded += 1)}`,
    }));
    const response = await request<{ data: typeof reasonPool }>(
      login,
      'POST',
      '/v2/leads/reasons',
      batch,
    );
    if (response.status !== 200 || !response.json) {
      throw new Error(`adding reasons: ${response.status}`);
    }
    const wanted = new Set(batch.map((r) => r.reason));
    reasonPool.push(...response.json.data.filter((r) => wanted.has(r.reason)));
  })().finally(() => {
    toppingUp = undefined;
  });
  return toppingUp;
}

async function oneWrite(worker: number, logins: Login[]): Promise<void> {
  const choice = random();
  if (ackedLeads.length < 5 || choice < 0.4) {
    const tillIndex = worker % logins.length;
    const marker = `crash-${runId}-${(sequence += 1)}`;
    const entry: { acked: boolean; tillIndex: number; id?: number } = { acked: false, tillIndex };
    ledger.creates.set(marker, entry);
    requests += 1;
    const response = await request<{ id: number }>(logins[tillIndex]!, 'POST', '/v2/leads', {
      leadFor: marker,
      idType: 'EMAIL',
      identifier: `${marker}@example.com`,
      extendedFields: { crash_marker: marker },
    });
    if (response.status === 200 && response.json) {
      entry.acked = true;
      entry.id = response.json.id;
      acknowledged += 1;
      ackedLeads.push({ id: response.json.id, tillIndex });
    } else unexpected.push({ kind: 'create', status: response.status, body: response.text });
    return;
  }
  const lead = ackedLeads[Math.floor(random() * ackedLeads.length)]!;
  const login = logins[lead.tillIndex]!;
  if (choice < 0.7) {
    if (reasonPool.length < 20) await topUpReasons(login);
    const reason = reasonPool.shift();
    if (!reason) return;
    const status = STATUSES[Math.floor(random() * STATUSES.length)]!;
    const entry = { acked: false, leadId: lead.id, status };
    ledger.statuses.set(reason.reason, entry);
    requests += 1;
    const response = await request(login, 'PUT', `/v2/leads/${lead.id}/status`, {
      status,
      reasonId: reason.id,
    });
    if (response.status === 200) {
      entry.acked = true;
      acknowledged += 1;
    } else unexpected.push({ kind: 'status', status: response.status, body: response.text });
    return;
  }
  const note = `note-${runId}-${(sequence += 1)}`;
  const entry = { acked: false, leadId: lead.id };
  ledger.followUps.set(note, entry);
  requests += 1;
  const response = await request(login, 'POST', `/v2/leads/${lead.id}/followup`, {
    followedUpOn: new Date().toISOString(),
    createdBy: login.id,
    notes: note,
  });
  if (response.status === 200) {
    entry.acked = true;
    acknowledged += 1;
  } else unexpected.push({ kind: 'followup', status: response.status, body: response.text });
}

let stopping = false;
let failedMidFlight = 0;

async function worker(index: number, logins: Login[]): Promise<void> {
  while (!stopping) {
    if (!server) {
      await Promise.race([serverUp, sleep(START_TIMEOUT)]);
      continue;
    }
    try {
      await oneWrite(index, logins);
    } catch {
      // Connection refused, reset or timed out: not acknowledged, and never retried.
      failedMidFlight += 1;
      if (server) await sleep(5);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Verification, through the API

async function readAllLeads(login: Login): Promise<LeadItem[]> {
  const leads: LeadItem[] = [];
  for (let offset = 0; offset < 10_000_000; offset += 1000) {
    const page = await request<{ data: LeadItem[] }>(
      login,
      'GET',
      `/v2/leads?limit=1000&offset=${offset}`,
    );
    if (page.status !== 200 || !page.json) {
      throw new Error(`GET /v2/leads answered ${page.status}: ${page.text}`);
    }
    leads.push(...page.json.data);
    if (page.json.data.length < 1000) return leads;
  }
  throw new Error('too many leads');
}

async function verify(logins: Login[]) {
  const problems: string[] = [];
  let lost = 0;
  let doubled = 0;
  let checked = 0;
  let unackedApplied = 0;
  // One org: any till reads all of it. List items carry the follow-ups and status log.
  const login0 = logins[0]!;
  const leads = await readAllLeads(login0);

  // Leads, by marker.
  const byMarker = new Map<string, LeadItem[]>();
  for (const lead of leads) {
    const list = byMarker.get(lead.leadFor) ?? [];
    list.push(lead);
    byMarker.set(lead.leadFor, list);
  }
  for (const [marker, entry] of ledger.creates) {
    const found = byMarker.get(marker) ?? [];
    checked += 1;
    if (entry.acked && found.length === 0) {
      lost += 1;
      problems.push(`lead ${marker} acknowledged but missing`);
    }
    if (found.length > 1) {
      doubled += 1;
      problems.push(`lead ${marker} present ${found.length} times`);
    }
    if (!entry.acked && found.length === 1) unackedApplied += 1;
    if (entry.acked && found.length === 1 && found[0]?.id !== entry.id) {
      problems.push(`lead ${marker} has id ${found[0]?.id}, acknowledged as ${entry.id}`);
    }
  }
  for (const marker of byMarker.keys()) {
    if (!ledger.creates.has(marker)) problems.push(`lead ${marker} was never attempted`);
  }

  // Status-log rows and follow-ups, from each lead's full read.
  /** By reason: the rows that carry it. */
  const statusRows = new Map<string, Array<{ leadId: number; status: string }>>();
  /** By note: the leads that carry it. */
  const followUpRows = new Map<string, number[]>();
  for (const lead of leads) {
    // A list item embeds only its newest rows: read the whole history when some are omitted.
    const full = { ...lead };
    if (lead.statusLogsOmitted) {
      const page = await request<{ data: LeadItem['statusLogDetails'] }>(
        login0,
        'GET',
        `/v2/leads/${lead.id}/statusLog`,
      );
      full.statusLogDetails = page.json?.data;
    }
    if (lead.followUpsOmitted) {
      const page = await request<{ data: LeadItem['followUpDetails'] }>(
        login0,
        'GET',
        `/v2/leads/${lead.id}/followups`,
      );
      full.followUpDetails = page.json?.data;
    }
    const logs = full.statusLogDetails ?? [];
    if (logs.length === 0) problems.push(`lead ${lead.id} has no status-log row`);
    const ids = logs.map((row) => row.id);
    const newest = logs.reduce<(typeof logs)[number] | undefined>(
      (a, b) => (a === undefined || b.id > a.id ? b : a),
      undefined,
    );
    if (
      newest &&
      (newest.status !== full.status || (newest.subStatus ?? null) !== (full.subStatus ?? null))
    ) {
      problems.push(
        `lead ${lead.id} is ${full.status} but its newest status-log row (${newest.id}) is ${newest.status}`,
      );
    }
    if (ids.some((id, i) => i > 0 && id <= ids[i - 1]!)) {
      problems.push(`lead ${lead.id}: status-log rows not in recorded order`);
    }
    // The first row is the create's own APICALL row; every later one is a change of the load.
    for (const row of logs.slice(1)) {
      const reason = row.reason ?? '';
      const list = statusRows.get(reason) ?? [];
      list.push({ leadId: lead.id, status: row.status });
      statusRows.set(reason, list);
    }
    for (const row of full.followUpDetails ?? []) {
      const notes = row.notes ?? '';
      const list = followUpRows.get(notes) ?? [];
      list.push(lead.id);
      followUpRows.set(notes, list);
    }
  }
  for (const [reason, entry] of ledger.statuses) {
    const found = statusRows.get(reason) ?? [];
    checked += 1;
    if (entry.acked && found.length === 0) {
      lost += 1;
      problems.push(`status change ${reason} on lead ${entry.leadId} acknowledged but missing`);
    }
    if (found.length > 1) {
      doubled += 1;
      problems.push(`status change ${reason} present ${found.length} times`);
    }
    if (
      found.length === 1 &&
      (found[0]?.leadId !== entry.leadId || found[0]?.status !== entry.status)
    ) {
      problems.push(`status change ${reason} recorded on the wrong lead or with the wrong status`);
    }
    if (!entry.acked && found.length === 1) unackedApplied += 1;
  }
  for (const reason of statusRows.keys()) {
    if (!ledger.statuses.has(reason)) problems.push(`status-log row ${reason} never attempted`);
  }
  for (const [note, entry] of ledger.followUps) {
    const found = followUpRows.get(note) ?? [];
    checked += 1;
    if (entry.acked && found.length === 0) {
      lost += 1;
      problems.push(`follow-up ${note} on lead ${entry.leadId} acknowledged but missing`);
    }
    if (found.length > 1) {
      doubled += 1;
      problems.push(`follow-up ${note} present ${found.length} times`);
    }
    if (found.length === 1 && found[0] !== entry.leadId) {
      problems.push(
        `follow-up ${note} recorded on lead ${String(found[0])}, sent to ${entry.leadId}`,
      );
    }
    if (!entry.acked && found.length === 1) unackedApplied += 1;
  }
  for (const note of followUpRows.keys()) {
    if (!ledger.followUps.has(note)) problems.push(`follow-up ${note} never attempted`);
  }
  return { lost, doubled, checked, unackedApplied, leadsRead: leads.length, problems };
}

// ---------------------------------------------------------------------------------------------
// Webhooks: the receiving endpoint and the check that every acknowledged write's event arrived

type Delivered = {
  id: string;
  type: string;
  data: {
    leadId: number;
    lead: {
      leadFor: string;
      statusLogDetails?: Array<{ id: number; reason?: string }>;
      followUpDetails?: Array<{ id: number; notes?: string }>;
    };
  };
};

const receiver = {
  secret: '',
  /** Bodies received, by webhook-id. */
  bodies: new Map<string, string[]>(),
  deliveries: 0,
  refused: 0,
  badSignatures: 0,
};
const receiverServer = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    // Some deliveries fail, so retries happen under the kills too.
    if (random() < 0.05) {
      receiver.refused += 1;
      response.writeHead(500).end();
      return;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      new Webhook(receiver.secret).verify(body, request.headers as Record<string, string>);
    } catch {
      receiver.badSignatures += 1;
    }
    const id = String(request.headers['webhook-id']);
    receiver.bodies.set(id, [...(receiver.bodies.get(id) ?? []), body]);
    receiver.deliveries += 1;
    response.writeHead(204).end();
  });
});

/** The key of the acknowledged write an event stands for (one event per write). */
function writeKeyOf(event: Delivered): string | undefined {
  const newest = <T extends { id: number }>(rows: T[] | undefined): T | undefined =>
    (rows ?? []).reduce<T | undefined>(
      (a, b) => (a === undefined || b.id > a.id ? b : a),
      undefined,
    );
  switch (event.type) {
    case 'lead.created':
      return `create ${event.data.lead.leadFor}`;
    case 'lead.status_changed':
      return `status ${newest(event.data.lead.statusLogDetails)?.reason ?? ''}`;
    case 'lead.follow_up_added':
      return `follow-up ${newest(event.data.lead.followUpDetails)?.notes ?? ''}`;
    default:
      return undefined;
  }
}

/** Waits until every acknowledged write's event arrived, or the time is up; answers the check. */
async function verifyEvents() {
  const expected = new Set<string>();
  for (const [marker, entry] of ledger.creates) {
    // --inject-fault lose records a create that was never sent: it has no event to wait for.
    if (entry.acked && entry.id !== -1) expected.add(`create ${marker}`);
  }
  for (const [reason, entry] of ledger.statuses) if (entry.acked) expected.add(`status ${reason}`);
  for (const [note, entry] of ledger.followUps) if (entry.acked) expected.add(`follow-up ${note}`);
  const deadline = Date.now() + EVENTS_TIMEOUT;
  let missing: string[];
  for (;;) {
    const arrived = new Set<string>();
    for (const bodies of receiver.bodies.values()) {
      const key = writeKeyOf(JSON.parse(bodies[0]!) as Delivered);
      if (key) arrived.add(key);
    }
    missing = [...expected].filter((key) => !arrived.has(key));
    if (missing.length === 0 || Date.now() > deadline) break;
    await sleep(250);
  }
  const repeated = [...receiver.bodies.values()].filter((bodies) => bodies.length > 1);
  const differing = repeated.filter((bodies) => bodies.some((body) => body !== bodies[0]));
  return {
    eventsExpected: expected.size,
    eventsMissing: missing.length,
    missing: missing.slice(0, 20),
    deliveries: receiver.deliveries,
    duplicateIds: repeated.length,
    differingDuplicates: differing.length,
    refusedByReceiver: receiver.refused,
    badSignatures: receiver.badSignatures,
  };
}

// ---------------------------------------------------------------------------------------------
// The run

async function main(): Promise<number> {
  const started = Date.now();
  const prepared = await prepareStore(store, {
    prefix: 'leadline_crash',
    adminUrl: opts['admin-url'],
    databaseUrl: opts['database-url'],
    keep: opts.keep,
  });
  storeEnv = prepared.env;
  log(
    `store ${store} (${prepared.describe}), seed ${SEED}, kills ${KILLS}, workers ${WORKERS}, server processes ${SERVER_WORKERS}`,
  );
  let exitCode: number;
  try {
    // The org and its tills, through the CLI.
    const orgName = `Crash ${runId}`;
    cli(['org', 'create', '--name', orgName]);
    cli([
      'entity',
      'create',
      '--org',
      orgName,
      '--type',
      'STORE',
      '--code',
      `crash-store-${runId}`,
    ]);
    const logins: Login[] = [];
    for (let i = 0; i < TILLS; i += 1) {
      const code = `crash-till-${runId}-${i}`;
      const password = `pw-${randomUUID()}`;
      const till = cli<{ id: number }>([
        'entity',
        'create',
        '--org',
        orgName,
        '--type',
        'TILL',
        '--code',
        code,
        '--parent',
        `crash-store-${runId}`,
        '--password',
        password,
      ]);
      logins.push({ id: till.id, authorization: basicAuthorization(code, password) });
    }
    await new Promise<void>((resolve) => receiverServer.listen(0, '127.0.0.1', resolve));
    const receiverPort = (receiverServer.address() as AddressInfo).port;
    receiver.secret = cliJson<{ secret: string }>(
      storeEnv,
      ['webhook', 'create', '--org', orgName, '--url', `http://127.0.0.1:${receiverPort}/leadline`],
      { env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } },
    ).secret;

    // Each new server first verifies every till once (Argon2id, deliberately slow), so that the
    // random kill delay is spent on writes rather than on log-ins.
    const restart = async () => {
      const next = await startServer();
      for (const login of logins) {
        const response = await fetch(`${next.base}/v2/leads/reasons`, {
          headers: { authorization: login.authorization },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT),
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`warming a log-in: ${response.status}`);
      }
      server = next;
      markUp();
    };
    expectDown();
    await restart();
    await topUpReasons(logins[0]!);

    const workers = Array.from({ length: WORKERS }, (_, i) => worker(i, logins));
    let kills = 0;
    for (let i = 0; i < KILLS; i += 1) {
      await sleep(between(MIN_DELAY, MAX_DELAY));
      const victim = server;
      if (!victim) throw new Error('no server to kill');
      expectDown();
      const { signal } = await killGroup(victim);
      if (signal !== 'SIGKILL') throw new Error(`server exited with ${signal} instead of SIGKILL`);
      kills += 1;
      await restart();
      if (kills % 10 === 0)
        log(`${kills} kills, ${requests} requests, ${acknowledged} acknowledged`);
    }
    await sleep(TAIL_MS);
    // The doubling check needs one acknowledged follow-up: on a loaded machine the tail may end
    // before the first (a lead is created first), so the load goes on until there is one.
    const doublingDeadline = Date.now() + 60_000;
    while (
      FAULT === 'double' &&
      ![...ledger.followUps.values()].some((entry) => entry.acked) &&
      Date.now() < doublingDeadline
    ) {
      await sleep(100);
    }
    stopping = true;
    await Promise.all(workers);

    if (FAULT === 'double') {
      const [note, entry] = [...ledger.followUps].find(([, e]) => e.acked) ?? [];
      if (!note || !entry) throw new Error('no acknowledged follow-up to double');
      const tillIndex = ackedLeads.find((l) => l.id === entry.leadId)?.tillIndex ?? 0;
      const login = logins[tillIndex]!;
      const again = await request(login, 'POST', `/v2/leads/${entry.leadId}/followup`, {
        followedUpOn: new Date().toISOString(),
        createdBy: login.id,
        notes: note,
      });
      if (again.status !== 200) throw new Error(`doubling a follow-up: ${again.status}`);
    } else if (FAULT === 'lose') {
      ledger.creates.set(`crash-${runId}-never-sent`, { acked: true, tillIndex: 0, id: -1 });
    }

    const result = await verify(logins);
    const events = await verifyEvents();
    const summary = {
      store,
      serverWorkers: SERVER_WORKERS,
      kills,
      requests,
      acknowledged,
      checked: result.checked,
      lost: result.lost,
      doubled: result.doubled,
      durationMs: Date.now() - started,
      unacknowledged: requests - acknowledged,
      unacknowledgedApplied: result.unackedApplied,
      failedMidFlight,
      unexpectedAnswers: unexpected.length,
      leadsRead: result.leadsRead,
      webhooks: events,
      seed: SEED,
    };
    for (const problem of result.problems.slice(0, 50)) log(`PROBLEM: ${problem}`);
    for (const answer of unexpected.slice(0, 10))
      log(`unexpected answer: ${JSON.stringify(answer)}`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    exitCode =
      result.lost === 0 &&
      result.doubled === 0 &&
      result.problems.length === 0 &&
      unexpected.length === 0 &&
      events.eventsMissing === 0 &&
      events.differingDuplicates === 0 &&
      events.badSignatures === 0
        ? 0
        : 1;
    for (const key of events.missing) log(`PROBLEM: no event arrived for the acknowledged ${key}`);

    // The last server closes gracefully.
    const last = server;
    server = undefined;
    if (!last) throw new Error('no server to stop');
    const closed = await stopGracefully(last.child, 15_000);
    if (!closed) throw new Error('the last server did not exit within 15 s of SIGTERM');
    if (closed.code !== 0) throw new Error(`the last server exited with ${closed.code} on SIGTERM`);
  } finally {
    killAll();
    receiverServer.closeAllConnections();
    receiverServer.close();
    await prepared.cleanup();
  }
  return exitCode;
}

// Interrupted: take the current server down with us (the temporary store is left behind).
killChildrenOnSignals();

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    log(`failed: ${error.stack ?? String(error)}`);
    process.exit(1);
  },
);
