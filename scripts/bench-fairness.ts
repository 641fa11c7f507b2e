// `npm run bench:fairness` (issue 9, point 3): does one org's load move another org's write
// latency? Org A runs `--readers` concurrent lists of 1,000 leads; org B adds leads on
// `--writers` connections. B's p50/p99 are measured alone (the baseline) and beside A's load,
// in the same run and the same server process, with the per-org read budget on
// (ORG_READ_BUDGET, default 10) and off (0). The ratio contended/alone is the figure.
//
//   npm run bench:fairness -- [--store sqlite|postgres|both] [--seconds N] [--leads N]
//     [--readers N] [--writers N]
//
// Prints one JSON line per store and budget, then a markdown table (docs/benchmarks.md,
// "Fairness between orgs").
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { cliJson, cliJsonStreaming } from '../toolbox/cli.js';
import { basicAuthorization } from '../toolbox/http.js';
import { killChildrenOnSignals, startServer, stopGracefully } from '../toolbox/processes.js';
import { prepareStore, type StoreKind } from '../toolbox/stores.js';
import { runLoad, type LoadRequest, type RequestParts } from './bench/load.js';

const { values: opts } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    seconds: { type: 'string', default: '8' },
    leads: { type: 'string', default: '20000' },
    readers: { type: 'string', default: '16' },
    writers: { type: 'string', default: '2' },
  },
  strict: true,
});
if (!['sqlite', 'postgres', 'both'].includes(opts.store)) {
  process.stderr.write('bench-fairness: --store sqlite|postgres|both\n');
  process.exit(2);
}
const stores: StoreKind[] =
  opts.store === 'both' ? ['sqlite', 'postgres'] : [opts.store as StoreKind];
const seconds = Number(opts.seconds);
const readers = Number(opts.readers);
const writers = Number(opts.writers);
killChildrenOnSignals();

function jsonRequest(
  authorization: string,
  method: 'POST',
  path: string,
  body: () => object,
): LoadRequest {
  return {
    method,
    path,
    setupRequest: (request: RequestParts) => ({
      ...request,
      method,
      path,
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body()),
    }),
  };
}

type ListsResult = { rps: number; errors: number };

/** `connections` concurrent lists of 1,000 leads for `seconds`, from a worker thread. */
function listsInWorker(
  base: string,
  authorization: string,
  connections: number,
  duration: number,
): Promise<ListsResult> {
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    const autocannon = require(workerData.autocannon);
    autocannon({
      url: workerData.base + '/v2/leads?limit=1000',
      connections: workerData.connections,
      duration: workerData.duration,
      headers: { authorization: workerData.authorization },
    }).then((r) => parentPort.postMessage({
      rps: (r['2xx'] ?? 0) / workerData.duration,
      errors: r.non2xx + r.errors + r.timeouts,
    }));`;
  const worker = new Worker(source, {
    eval: true,
    workerData: {
      autocannon: createRequire(import.meta.url).resolve('autocannon'),
      base,
      authorization,
      connections,
      duration,
    },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (result: ListsResult) => {
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', reject);
  });
}

type Row = {
  writeMax: number;
  store: StoreKind;
  budget: number;
  writeAlone: { p50?: number | undefined; p99?: number | undefined; rps: number };
  writeBesideLists: { p50?: number | undefined; p99?: number | undefined; rps: number };
  p99Ratio: number;
  listsPerSecond: number;
  listErrors: number;
  writeErrors: number;
};
const rows: Row[] = [];
for (const store of stores) {
  const prepared = await prepareStore(store, { prefix: 'leadline_fair' });
  try {
    const env = prepared.env;
    const orgs = new Map<string, string>();
    for (const name of ['Fair A', 'Fair B']) {
      cliJson(env, ['org', 'create', '--name', name]);
      const code = `${name.replace(' ', '-').toLowerCase()}-till`;
      cliJson(env, [
        'entity',
        'create',
        '--org',
        name,
        '--type',
        'TILL',
        '--code',
        code,
        '--password',
        'bench-password',
      ]);
      orgs.set(name, basicAuthorization(code, 'bench-password'));
    }
    process.stderr.write(`${store}: seeding ${opts.leads} leads into org A\n`);
    await cliJsonStreaming(env, ['seed', '--org', 'Fair A', '--leads', opts.leads]);
    for (const budget of (process.env.FAIR_BUDGETS ?? '10,0').split(',')) {
      const server = await startServer({
        storeEnv: env,
        env: {
          RATE_LIMIT_PER_MINUTE: '0',
          ORG_READ_BUDGET: budget,
          AUTO_CLOSE_INTERVAL_SECONDS: '0',
        },
        logLevel: 'warn',
      });
      try {
        let n = 0;
        const write = jsonRequest(orgs.get('Fair B')!, 'POST', '/v2/leads', () => ({
          leadFor: `SKU-${n % 97}`,
          idType: 'EMAIL',
          identifier: `fair-${n++ % 500}@bench.example.com`,
        }));
        const load = (request: LoadRequest, connections: number) =>
          runLoad({ base: server.base, request, connections, seconds, pid: server.child.pid });
        await load(write, writers); // warm-up
        const alone = await load(write, writers);
        // Org A's load runs in a thread of its own: parsing megabytes of lists in this thread
        // would delay the handling of B's answers and be measured as B's latency.
        const [contended, lists] = await Promise.all([
          load(write, writers),
          listsInWorker(server.base, orgs.get('Fair A')!, readers, seconds),
        ]);
        const row = {
          writeMax: contended.max,
          store,
          budget: Number(budget),
          writeAlone: { p50: alone.p50, p99: alone.p99, rps: alone.rps },
          writeBesideLists: { p50: contended.p50, p99: contended.p99, rps: contended.rps },
          p99Ratio: (contended.p99 ?? NaN) / (alone.p99 ?? NaN),
          listsPerSecond: lists.rps,
          listErrors: lists.errors,
          writeErrors: alone.errors + contended.errors,
        };
        rows.push(row);
        console.log(JSON.stringify(row));
      } finally {
        await stopGracefully(server.child);
      }
    }
  } finally {
    await prepared.cleanup();
  }
}

const ms = (v: number | undefined): string => (v === undefined ? 'n/a' : v.toFixed(1));
console.log(
  '\n| store | read budget | B write p50 / p99 alone (ms) | beside A’s lists | p99 ratio | A lists/s |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.store} | ${r.budget === 0 ? 'off' : r.budget} | ${ms(r.writeAlone.p50)} / ${ms(r.writeAlone.p99)} | ${ms(r.writeBesideLists.p50)} / ${ms(r.writeBesideLists.p99)} | ${r.p99Ratio.toFixed(1)} | ${r.listsPerSecond.toFixed(0)} |`,
  );
}
if (rows.some((r) => r.writeErrors > 0)) process.exitCode = 1;
