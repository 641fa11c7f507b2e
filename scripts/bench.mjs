#!/usr/bin/env node
// `npm run bench`: loads the built server with autocannon and compares it with two ceilings
// measured in the same run (see scripts/bench-ceilings.mjs). First cut: see docs/benchmarks.md.
//
//   npm run bench -- [--store sqlite|postgres|both] [--mode short|full] [--connections N]
//     [--seconds N] [--leads N] [--admin-url URL] [--no-write]
//
// SQLite: a fresh DATA_DIR in the temporary folder, removed at the end. PostgreSQL: a fresh
// database beside --admin-url (default TEST_DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/test), dropped at the end.
//
// Prints one markdown table per store and writes them into docs/benchmarks.md (between the
// BENCH:BEGIN/END markers) unless --no-write. Exits 1 when any scenario had an error.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const CEILINGS = path.join(ROOT, 'scripts', 'bench-ceilings.mjs');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');

const { values: opts } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    mode: { type: 'string', default: 'short' },
    connections: { type: 'string' },
    seconds: { type: 'string' },
    leads: { type: 'string' },
    'admin-url': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
  strict: true,
});

function usageError(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}
if (!['sqlite', 'postgres', 'both'].includes(opts.store))
  usageError('--store sqlite|postgres|both');
if (!['short', 'full'].includes(opts.mode)) usageError('--mode short|full');
const FULL = opts.mode === 'full';
const intOpt = (name, fallback) => {
  if (opts[name] === undefined) return fallback;
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < 1) usageError(`--${name} must be a positive integer`);
  return n;
};
const CONNECTIONS = intOpt('connections', FULL ? 50 : 10);
const SECONDS = intOpt('seconds', FULL ? 20 : 3);
const SEED_LEADS = intOpt('leads', FULL ? 20_000 : 1_000);
const TILLS = 4;
const STORES = opts.store === 'both' ? ['sqlite', 'postgres'] : [opts.store];
const ADMIN_URL =
  opts['admin-url'] ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const log = (message) => process.stderr.write(`bench: ${message}\n`);
const md5Hex = (text) => createHash('md5').update(text).digest('hex');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const alive = new Set();

// ---------------------------------------------------------------------------------------------
// Processes

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function cli(env, args) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) {
    throw new Error(`leadline ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

function track(child) {
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.stderrTail = () => stderr;
  return child;
}

/** `leadline serve` on a free port, LOG_LEVEL=warn (so no "listening" line): polled until up. */
async function startServer(storeEnv) {
  const port = await freePort();
  const child = track(
    spawn(process.execPath, [CLI, 'serve'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...storeEnv,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: '0',
        LOGIN_FAILURES_PER_5_MINUTES: '0',
        LOGIN_FAILURES_PER_IP_PER_5_MINUTES: '0',
        AUTO_CLOSE_INTERVAL_SECONDS: '0',
        // A full run lasts longer than the default 300 s; a cache expiry would put one Argon2
        // verification per till in the middle of a scenario.
        CREDENTIAL_CACHE_SECONDS: '3600',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  child.stdout.resume();
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) {
      throw new Error(`server exited (${child.exitCode}): ${child.stderrTail()}`);
    }
    try {
      const response = await fetch(`${base}/v2/leads`);
      await response.arrayBuffer();
      return { child, base };
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`server did not listen: ${child.stderrTail()}`);
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

function readRssMb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// The store

async function prepareStore(store) {
  if (store === 'sqlite') {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leadline-bench-'));
    return {
      env: { DATA_DIR: dataDir },
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `leadline_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 10_000 });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    cleanup: async () => {
      const again = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 10_000 });
      await again.connect();
      try {
        await again.query(`drop database if exists ${name} with (force)`);
      } finally {
        await again.end();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Setup through the CLI and the API

async function api(base, login, method, url, body) {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: login.authorization,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return JSON.parse(text);
}

function createOrg(storeEnv) {
  const run = randomUUID().slice(0, 8);
  const orgName = `Bench ${run}`;
  const org = cli(storeEnv, ['org', 'create', '--name', orgName]);
  const storeCode = `bench-store-${run}`;
  cli(storeEnv, ['entity', 'create', '--org', orgName, '--type', 'STORE', '--code', storeCode]);
  const tills = [];
  for (let i = 0; i < TILLS; i += 1) {
    const code = `bench-till-${run}-${i}`;
    const password = `pw-${randomUUID()}`;
    const till = cli(storeEnv, [
      ...['entity', 'create', '--org', orgName, '--type', 'TILL', '--code', code],
      ...['--parent', storeCode, '--password', password],
    ]);
    tills.push({
      id: till.id,
      code,
      authorization: `Basic ${Buffer.from(`${code}:${md5Hex(password)}`).toString('base64')}`,
    });
  }
  return { orgId: org.id, tills };
}

/** Seeds leads through POST /v2/leads, `parallel` at a time; returns [{id, till}]. */
async function seedLeads(base, tills, count, parallel = 16) {
  const leads = [];
  let next = 0;
  const started = Date.now();
  async function worker() {
    while (next < count) {
      const i = (next += 1);
      const till = tills[i % tills.length];
      const owner = tills[(i >> 2) % tills.length];
      const lead = await api(base, till, 'POST', '/v2/leads', leadBody(`seed-${i}`, owner.code));
      leads.push({ id: lead.id, till });
      if (leads.length % 5000 === 0) log(`  ${leads.length} leads seeded`);
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker));
  log(`  ${count} leads seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return leads;
}

function leadBody(tag, ownerCode) {
  return {
    leadFor: `Bench lead ${tag}`,
    idType: 'EMAIL',
    identifier: `${tag}@bench.example.com`,
    owner: ownerCode,
    extendedFields: { bench_tag: tag, source: 'bench' },
  };
}

// ---------------------------------------------------------------------------------------------
// Load

async function runLoad(url, serverPid, options) {
  const samples = [];
  const timer = serverPid ? setInterval(() => samples.push(readRssMb(serverPid)), 200) : undefined;
  if (serverPid) samples.push(readRssMb(serverPid));
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    timeout: 30,
    ...options,
  });
  if (timer) clearInterval(timer);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    rssMb: samples.length ? Math.max(...samples) : undefined,
  };
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];

function scenarios(ctx) {
  const { tills, leads, reasonId, deepOffset } = ctx;
  const json = { 'content-type': 'application/json' };
  let sequence = 0;
  const owner = tills[0];
  return [
    {
      name: 'add lead',
      baseline: 'http',
      method: 'POST',
      path: '/v2/leads',
      setupRequest: (req) => {
        const till = pick(tills);
        sequence += 1;
        return {
          ...req,
          headers: { ...json, authorization: till.authorization },
          body: JSON.stringify(leadBody(`load-${sequence}`, pick(tills).code)),
        };
      },
    },
    {
      name: 'change status (with reason)',
      baseline: 'storage',
      method: 'PUT',
      setupRequest: (req) => {
        const lead = pick(leads);
        sequence += 1;
        return {
          ...req,
          path: `/v2/leads/${lead.id}/status`,
          headers: { ...json, authorization: lead.till.authorization },
          body: JSON.stringify({ status: sequence % 2 ? 'ON_HOLD' : 'OPEN', reasonId }),
        };
      },
    },
    {
      name: 'add follow-up',
      baseline: 'http',
      method: 'POST',
      setupRequest: (req) => {
        const lead = pick(leads);
        sequence += 1;
        return {
          ...req,
          path: `/v2/leads/${lead.id}/followup`,
          headers: { ...json, authorization: lead.till.authorization },
          body: JSON.stringify({
            followedUpOn: new Date().toISOString(),
            createdBy: lead.till.id,
            notes: `bench follow-up ${sequence}`,
          }),
        };
      },
    },
    {
      name: 'get status log',
      baseline: 'http',
      method: 'GET',
      setupRequest: (req) => {
        const lead = pick(leads);
        return {
          ...req,
          path: `/v2/leads/${lead.id}/statusLog`,
          headers: { authorization: lead.till.authorization },
        };
      },
    },
    {
      name: 'list OPEN by owner, first page',
      baseline: 'http',
      method: 'GET',
      setupRequest: (req) => ({
        ...req,
        path: `/v2/leads?status=OPEN&owner=${owner.id}`,
        headers: { authorization: pick(tills).authorization },
      }),
    },
    {
      name: `list OPEN by owner, deep page (offset ${deepOffset})`,
      baseline: 'http',
      method: 'GET',
      setupRequest: (req) => ({
        ...req,
        path: `/v2/leads?status=OPEN&owner=${owner.id}&offset=${deepOffset}`,
        headers: { authorization: pick(tills).authorization },
      }),
    },
    {
      name: 'search sorted by lastUpdatedOn DESC',
      baseline: 'http',
      method: 'GET',
      setupRequest: (req) => ({
        ...req,
        path: '/v2/leads?sortBy=lastUpdatedOn&sortOrder=DESC',
        headers: { authorization: pick(tills).authorization },
      }),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Baselines

async function httpCeiling() {
  const child = track(
    spawn(process.execPath, [CEILINGS, 'http'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      const match = /\{"port":(\d+)\}/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`http ceiling exited (${code})`)));
  });
  let sequence = 0;
  const result = await runLoad(`http://127.0.0.1:${port}/v2/leads`, child.pid, {
    method: 'POST',
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(leadBody(`ceiling-${(sequence += 1)}`, 'bench-till')),
        }),
      },
    ],
  });
  await stop(child);
  return result;
}

async function storageCeiling(store, storeEnv, ctx) {
  const inflight = store === 'sqlite' ? 1 : CONNECTIONS;
  const child = track(
    spawn(process.execPath, [CEILINGS, 'storage'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...storeEnv,
        BENCH_INFLIGHT: String(inflight),
        BENCH_ORG_ID: String(ctx.orgId),
        BENCH_ACTOR_ID: String(ctx.tills[0].id),
        BENCH_REASON_ID: String(ctx.reasonId),
        BENCH_LEAD_IDS: JSON.stringify(ctx.leads.slice(0, 5000).map((l) => l.id)),
        BENCH_SECONDS: String(SECONDS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk.toString();
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`storage ceiling failed (${code}): ${child.stderrTail()}`);
  const result = JSON.parse(out.trim().split('\n').pop());
  return {
    rps: result.count / result.seconds,
    p50: result.p50,
    p99: result.p99,
    errors: 0,
    rssMb: undefined,
    inflight,
  };
}

// ---------------------------------------------------------------------------------------------
// One store

async function benchStore(store) {
  log(`${store}: preparing`);
  const prepared = await prepareStore(store);
  let server;
  try {
    const { orgId, tills } = createOrg(prepared.env);
    server = await startServer(prepared.env);
    // Each till's first request pays its Argon2 verification; later ones hit the cache.
    for (const till of tills) await api(server.base, till, 'GET', '/v2/leads/reasons');
    const reasons = await api(server.base, tills[0], 'POST', '/v2/leads/reasons', [
      { reason: 'Bench' },
    ]);
    const reasonId = reasons.data.find((r) => r.reason === 'Bench').id;
    log(`${store}: seeding ${SEED_LEADS} leads through the API`);
    const leads = await seedLeads(server.base, tills, SEED_LEADS);
    // Leads owned by tills[0] (all OPEN before the write scenarios run).
    const owned = Math.ceil(SEED_LEADS / tills.length);
    const deepOffset = Math.max(0, owned - 20);
    const ctx = { orgId, tills, leads, reasonId, deepOffset };

    const rows = [];
    // Reads first, so the status filter sees the seeded state; then writes.
    const list = scenarios(ctx);
    const order = [
      ...list.filter((s) => s.method === 'GET'),
      ...list.filter((s) => s.method !== 'GET'),
    ];
    for (const scenario of order) {
      log(`${store}: ${scenario.name}`);
      const result = await runLoad(
        `${server.base}${scenario.path ?? '/v2/leads'}`,
        server.child.pid,
        {
          method: scenario.method,
          requests: [{ setupRequest: scenario.setupRequest }],
        },
      );
      rows.push({ name: scenario.name, baseline: scenario.baseline, ...result });
    }
    await stop(server.child);
    server = undefined;

    log(`${store}: HTTP ceiling`);
    const http = await httpCeiling();
    log(`${store}: storage ceiling`);
    const storage = await storageCeiling(store, prepared.env, ctx);
    return { store, rows, http, storage };
  } finally {
    if (server) await stop(server.child);
    await prepared.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const f0 = (n) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const f1 = (n) => (n === undefined ? 'n/a' : n.toFixed(1));
const f2 = (n) => n.toFixed(2);

function table({ store, rows, http, storage }) {
  const lines = [
    `### ${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
    '',
    '| Scenario | req/s | p50 ms | p99 ms | errors | max server RSS MB | × baseline |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const row of rows) {
    const base = row.baseline === 'storage' ? storage : http;
    lines.push(
      `| ${row.name} | ${f0(row.rps)} | ${f1(row.p50)} | ${f1(row.p99)} | ${row.errors} | ${f1(row.rssMb)} | ${f2(row.rps / base.rps)} × ${row.baseline} ceiling |`,
    );
  }
  lines.push(
    `| _HTTP ceiling: bare Fastify, POST validating LeadCreateBody_ | ${f0(http.rps)} | ${f1(http.p50)} | ${f1(http.p99)} | ${http.errors} | ${f1(http.rssMb)} | 1.00 |`,
    `| _storage ceiling: status-change transaction, no HTTP, ${storage.inflight} in flight_ | ${f0(storage.rps)} | ${f1(storage.p50)} | ${f1(storage.p99)} | 0 | n/a | 1.00 |`,
  );
  return lines.join('\n');
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const sqlite = spawnSync(
    process.execPath,
    [
      '-e',
      "const D=require('better-sqlite3');console.log(new D(':memory:').prepare('select sqlite_version() v').get().v)",
    ],
    { cwd: ROOT, encoding: 'utf8' },
  ).stdout.trim();
  return {
    cpu: model,
    nproc: os.availableParallelism(),
    memGb: (os.totalmem() / 1024 ** 3).toFixed(1),
    node: process.version,
    sqlite,
  };
}

async function postgresVersion() {
  try {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
    await client.connect();
    const { rows } = await client.query('show server_version');
    await client.end();
    return rows[0].server_version;
  } catch {
    return 'unreachable';
  }
}

function writeDoc(section) {
  const begin = `<!-- BENCH:${opts.mode}:BEGIN -->`;
  const end = `<!-- BENCH:${opts.mode}:END -->`;
  let doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n';
  const block = `${begin}\n${section}\n${end}`;
  const at = doc.indexOf(begin);
  const until = doc.indexOf(end);
  doc =
    at >= 0 && until > at
      ? doc.slice(0, at) + block + doc.slice(until + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, doc);
}

async function main() {
  const results = [];
  for (const store of STORES) results.push(await benchStore(store));
  const m = machine();
  const pgVersion = STORES.includes('postgres') ? await postgresVersion() : 'not run';
  const header = [
    `## ${FULL ? 'Full' : 'Short'} mode (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${m.cpu}, ${m.nproc} CPUs, ${m.memGb} GB memory. Node ${m.node}, SQLite ${m.sqlite}` +
      `, PostgreSQL ${pgVersion}. ${CONNECTIONS} connections, ${SECONDS} s per scenario, ` +
      `${SEED_LEADS.toLocaleString('en-US')} seeded leads, ${TILLS} tills.`,
  ].join('\n');
  const section = [header, ...results.map(table)].join('\n\n');
  process.stdout.write(`${section}\n`);
  if (!opts['no-write']) writeDoc(section);
  const errors = results.flatMap((r) => r.rows).filter((row) => row.errors > 0);
  for (const row of errors) log(`ERRORS: ${row.name}: ${row.errors}`);
  return errors.length > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of alive) child.kill('SIGKILL');
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(`failed: ${error.stack ?? error}`);
    for (const child of alive) child.kill('SIGKILL');
    process.exit(1);
  },
);
