// `npm run bench:webhooks` (issue 11, point 8): what the outbox and webhooks cost, in separate
// processes, as ratios within one run.
//
// 1. Status-change throughput of one server with no enabled webhook endpoint, and with one
//    enabled endpoint whose deliveries go to a receiver in a process of its own (answering 204), in
//    rounds of one load each way, the order flipping every round (without then with, with then
//    without, …) so a drift of the machine weighs on both sides alike. The figure is the median
//    of the rounds' with/without ratios: on this machine throughput swings by a third from one
//    load to the next (the commits' fsyncs on a shared virtual disk), far more than between the
//    two loads of one round. Every status change writes its event either way (the outbox is
//    always on): the ratio is what an endpoint adds — fan-out and delivery in the same process.
//    Beside it, the server's CPU time per status change (from /proc, counted until the load's
//    deliveries reached the receiver, so their sending is in it), as the median of the rounds'
//    without/with ratios: the throughput ratio a server bound by its CPU would show.
// 2. Delivery rate: a backlog of events made with the dispatcher off, then a server with the
//    dispatcher on; the time from its start until the receiver has every event gives events/s.
//
// The status changes flip OPEN and ON_HOLD leads of a seeded store (`--leads N`, 200,000 by
// default, of which about a third are open) in turn, so that a lead changes about once in a run
// and its events are the size a lead's events are in a store's life (a few KB: the lead with its
// few status-log rows). `--pool N` changes only the first N open leads instead: with
// `--leads 2000 --pool 1000`, the bench of 2026-12-03 to 2026-12-07, each lead gathers about a
// hundred status changes, and the events it publishes (the whole lead with its history) grow to
// about 15 KB.
//
//   npm run bench:webhooks -- [--store sqlite|postgres|both] [--seconds N] [--rounds N]
//     [--connections N] [--backlog-seconds N] [--leads N] [--pool N]
//
// Prints one JSON line per store, then a markdown table (docs/benchmarks.md, "Webhooks").
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { cliJson, cliJsonStreaming } from '../toolbox/cli.js';
import { basicAuthorization, okJson } from '../toolbox/http.js';
import {
  killChildrenOnSignals,
  readCpuSeconds,
  sleep,
  spawnTracked,
  startServer,
  stopGracefully,
  type RunningServer,
  type StoreEnv,
  TSX,
} from '../toolbox/processes.js';
import { openBuiltStore, prepareStore, type StoreKind } from '../toolbox/stores.js';
import { median } from '../toolbox/stats.js';
import { runLoad, type LoadRequest, type RequestParts } from './bench/load.js';

const { values: opts } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '10' },
    'backlog-seconds': { type: 'string', default: '8' },
    leads: { type: 'string', default: '200000' },
    pool: { type: 'string' },
  },
  strict: true,
});
if (!['sqlite', 'postgres', 'both'].includes(opts.store)) {
  process.stderr.write('bench-webhooks: --store sqlite|postgres|both\n');
  process.exit(2);
}
const stores: StoreKind[] =
  opts.store === 'both' ? ['sqlite', 'postgres'] : [opts.store as StoreKind];
const seconds = Number(opts.seconds);
const rounds = Number(opts.rounds);
const connections = Number(opts.connections);
const backlogSeconds = Number(opts['backlog-seconds']);
const seededLeads = Number(opts.leads);
const pool = opts.pool === undefined ? undefined : Number(opts.pool);
const log = (message: string) => void process.stderr.write(`bench-webhooks: ${message}\n`);
killChildrenOnSignals();

/** The receiving endpoint (scripts/bench/webhook-receiver.ts), in its own process. */
const receiverProcess = spawnTracked([...TSX, 'scripts/bench/webhook-receiver.ts'], process.env);
const receiverPort = await new Promise<string>((resolve, reject) => {
  receiverProcess.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
  receiverProcess.once('exit', () => reject(new Error(receiverProcess.stderrTail())));
});
const receiverBase = `http://127.0.0.1:${receiverPort}`;
const receiverUrl = `${receiverBase}/leadline`;
/** How many distinct events the receiver has had since its last reset. */
async function receivedCount(): Promise<number> {
  return Number(await (await fetch(`${receiverBase}/count`)).text());
}
async function resetReceiver(): Promise<void> {
  await fetch(`${receiverBase}/reset`, { method: 'POST' });
}

function serve(storeEnv: StoreEnv, dispatchSeconds: string): Promise<RunningServer> {
  return startServer({
    storeEnv,
    env: {
      RATE_LIMIT_PER_MINUTE: '0',
      AUTO_CLOSE_INTERVAL_SECONDS: '0',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_DISPATCH_INTERVAL_SECONDS: dispatchSeconds,
    },
    logLevel: 'warn',
  });
}

type OpenLead = { id: number; status: 'OPEN' | 'ON_HOLD' };
/** A store's open leads and the next one to change. */
type LeadTurns = { leads: OpenLead[]; next: number };

/**
 * Status changes of the open leads in turn, each to the status it is not in (OPEN ↔ ON_HOLD),
 * with the bench reason. `turns` is shared by every load of a store, so each load goes on where
 * the previous one stopped and knows the statuses it left.
 */
function statusChanges(authorization: string, turns: LeadTurns, reasonId: number): LoadRequest {
  return {
    method: 'PUT',
    setupRequest: (request: RequestParts) => {
      const lead = turns.leads[turns.next % turns.leads.length]!;
      turns.next += 1;
      lead.status = lead.status === 'OPEN' ? 'ON_HOLD' : 'OPEN';
      return {
        ...request,
        method: 'PUT',
        path: `/v2/leads/${lead.id}/status`,
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ status: lead.status, reasonId }),
      };
    },
  };
}

/** The org's OPEN and ON_HOLD leads, oldest first (at most `limit`). */
async function openLeads(
  store: Awaited<ReturnType<typeof openBuiltStore>>,
  limit: number | undefined,
): Promise<OpenLead[]> {
  let query = store.db
    .selectFrom('leads')
    .select(['id', 'status'])
    .where('status', 'in', ['OPEN', 'ON_HOLD'])
    .orderBy('id');
  if (limit !== undefined) query = query.limit(limit);
  const rows = await query.execute();
  return rows.map((row) => ({ id: Number(row.id), status: row.status as OpenLead['status'] }));
}

async function eventCount(storeEnv: StoreEnv): Promise<number> {
  const store = await openBuiltStore(storeEnv);
  try {
    return await countEvents(store);
  } finally {
    await store.close();
  }
}

async function countEvents(store: Awaited<ReturnType<typeof openBuiltStore>>): Promise<number> {
  const row = await store.db
    .selectFrom('lead_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

type Row = {
  store: StoreKind;
  withoutRps: number[];
  withRps: number[];
  ratio: number;
  /** Server CPU milliseconds per status change, without and with the endpoint, each round. */
  withoutCpuMs: number[];
  withCpuMs: number[];
  cpuRatio: number;
  errors: number;
  backlog: number;
  deliveredPerSecond: number;
  /** The open leads changed in turn, and the mean size of the status-change events, in chars. */
  leadsChanged: number;
  meanEventChars: number;
};
const rows: Row[] = [];

for (const store of stores) {
  const prepared = await prepareStore(store, { prefix: 'leadline_hooks' });
  const env = prepared.env;
  let server: RunningServer | undefined;
  let reader: Awaited<ReturnType<typeof openBuiltStore>> | undefined;
  try {
    const org = 'Hooks Bench';
    cliJson(env, ['org', 'create', '--name', org]);
    cliJson(env, [
      ...['entity', 'create', '--org', org, '--type', 'TILL'],
      ...['--code', 'hooks-till', '--password', 'bench-password'],
    ]);
    const authorization = basicAuthorization('hooks-till', 'bench-password');
    log(`${store}: seeding ${seededLeads} leads`);
    await cliJsonStreaming(env, ['seed', '--org', org, '--leads', String(seededLeads)]);
    const endpoint = cliJson<{ id: number }>(
      env,
      [
        ...['webhook', 'create', '--org', org, '--url', receiverUrl],
        ...['--events', 'lead.status_changed'],
      ],
      { env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } },
    );
    const toggle = (on: boolean) =>
      cliJson(env, [
        'webhook',
        on ? 'enable' : 'disable',
        '--org',
        org,
        '--id',
        String(endpoint.id),
      ]);

    server = await serve(env, '1');
    const eventStore = await openBuiltStore(env);
    reader = eventStore;
    const turns: LeadTurns = { leads: await openLeads(eventStore, pool), next: 0 };
    log(`${store}: changing ${turns.leads.length} open leads in turn`);
    const reasons = await okJson<{ data: Array<{ id: number; reason: string }> }>(
      server.base,
      authorization,
      'POST',
      '/v2/leads/reasons',
      [{ reason: 'Bench' }],
    );
    const reasonId = reasons.data.find((r) => r.reason === 'Bench')!.id;
    const load = () =>
      runLoad({
        base: server!.base,
        request: statusChanges(authorization, turns, reasonId),
        connections,
        seconds,
      });
    /** A load, and the server's CPU per status change (with its deliveries, when `delivered`). */
    const measured = async (delivered: boolean) => {
      const pid = server!.child.pid!;
      const cpuBefore = readCpuSeconds(pid)!;
      const receivedBefore = await receivedCount();
      const eventsBefore = await countEvents(eventStore);
      const result = await load();
      const changes = result.requests - result.errors;
      if (delivered) {
        const events = (await countEvents(eventStore)) - eventsBefore;
        const started = performance.now();
        while ((await receivedCount()) - receivedBefore < events) {
          if (performance.now() - started > 60_000) throw new Error('deliveries fell behind');
          await sleep(20);
        }
      }
      const cpuMs = ((readCpuSeconds(pid)! - cpuBefore) * 1000) / changes;
      return { ...result, cpuMs };
    };

    // 1. Throughput without and with an enabled endpoint, alternating.
    toggle(false);
    await load(); // warm-up
    const withoutRps: number[] = [];
    const withRps: number[] = [];
    const withoutCpuMs: number[] = [];
    const withCpuMs: number[] = [];
    let errors = 0;
    for (let round = 1; round <= rounds; round += 1) {
      log(`${store}: round ${round} of ${rounds}`);
      const measureEach = async (on: boolean) => {
        toggle(on);
        return measured(on);
      };
      let without;
      let withEndpoint;
      if (round % 2 === 1) {
        without = await measureEach(false);
        withEndpoint = await measureEach(true);
      } else {
        withEndpoint = await measureEach(true);
        without = await measureEach(false);
      }
      withoutRps.push(without.rps);
      withRps.push(withEndpoint.rps);
      withoutCpuMs.push(without.cpuMs);
      withCpuMs.push(withEndpoint.cpuMs);
      errors += without.errors + withEndpoint.errors;
    }
    toggle(false);
    const eventSize = await eventStore.db
      .selectFrom('lead_events')
      .select(sql<number>`avg(length(payload))`.as('chars'))
      .where('type', '=', 'lead.status_changed')
      .executeTakeFirstOrThrow();
    await reader.close();
    reader = undefined;
    await stopGracefully(server.child);
    server = undefined;

    // 2. A backlog made with the dispatcher off, then delivered by one process.
    toggle(true);
    const before = await eventCount(env);
    server = await serve(env, '0');
    const backlogLoad = await runLoad({
      base: server.base,
      request: statusChanges(authorization, turns, reasonId),
      connections,
      seconds: backlogSeconds,
    });
    errors += backlogLoad.errors;
    await stopGracefully(server.child);
    server = undefined;
    const backlog = (await eventCount(env)) - before;
    await resetReceiver();
    log(`${store}: delivering a backlog of ${backlog} events`);
    server = await serve(env, '0.05');
    const started = performance.now();
    while ((await receivedCount()) < backlog) {
      if (performance.now() - started > 300_000) throw new Error('the backlog did not drain');
      await sleep(20);
    }
    const deliveredPerSecond = backlog / ((performance.now() - started) / 1000);
    const row: Row = {
      store,
      withoutRps,
      withRps,
      ratio: median(withRps.map((rps, i) => rps / withoutRps[i]!))!,
      withoutCpuMs,
      withCpuMs,
      cpuRatio: median(withoutCpuMs.map((ms, i) => ms / withCpuMs[i]!))!,
      errors,
      backlog,
      deliveredPerSecond,
      leadsChanged: turns.leads.length,
      meanEventChars: Number(eventSize.chars),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  } finally {
    await reader?.close();
    if (server) await stopGracefully(server.child);
    await prepared.cleanup();
  }
}
receiverProcess.kill();

console.log(
  '\n| store | open leads changed | mean event, chars | status changes/s, no endpoint | with one endpoint | ratio | server CPU ms per change, no endpoint | with one endpoint | CPU ratio (without/with) | backlog | delivered/s (one process) |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.store} | ${r.leadsChanged} | ${r.meanEventChars.toFixed(0)} | ${median(r.withoutRps)!.toFixed(0)} | ${median(r.withRps)!.toFixed(0)} | ${r.ratio.toFixed(2)} | ${median(r.withoutCpuMs)!.toFixed(3)} | ${median(r.withCpuMs)!.toFixed(3)} | ${r.cpuRatio.toFixed(2)} | ${r.backlog} | ${r.deliveredPerSecond.toFixed(0)} |`,
  );
}
if (rows.some((r) => r.errors > 0)) process.exitCode = 1;
