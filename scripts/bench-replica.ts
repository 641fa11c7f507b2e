// `npm run bench:replica` (docs/deploy.md, "Read routing"): what DATABASE_REPLICA_URL costs and
// saves a list read. Builds a PostgreSQL primary and an asynchronous streaming standby on this
// machine (toolbox/pg-clusters.ts), seeds one org, and loads the first page of a list against
// two servers side by side, one with the replica and one without, alternating rounds; prints
// one JSON line of medians and the share of reads the replica served.
//
//   npx tsx scripts/bench-replica.ts [--leads N] [--seconds N] [--rounds N] [--connections N]
import { parseArgs } from 'node:util';
import { cliJsonStreaming, orgWithTill } from '../toolbox/cli.js';
import {
  freePort,
  killAll,
  killChildrenOnSignals,
  startServer,
  stopGracefully,
  type RunningServer,
} from '../toolbox/processes.js';
import { startPrimaryAndStandby, type PrimaryAndStandby } from '../toolbox/pg-clusters.js';
import { median } from '../toolbox/stats.js';
import { runLoad } from './bench/load.js';

const { values: opts } = parseArgs({
  options: {
    leads: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '10' },
  },
  strict: true,
});
const positive = (name: keyof typeof opts): number => {
  const n = Number(opts[name]);
  if (!(n > 0)) {
    process.stderr.write(`bench-replica: --${name} must be a positive number\n`);
    process.exit(2);
  }
  return n;
};
const LEADS = positive('leads');
const SECONDS = positive('seconds');
const ROUNDS = positive('rounds');
const CONNECTIONS = positive('connections');
const log = (message: string) => void process.stderr.write(`bench-replica: ${message}\n`);

const SERVER_ENV = {
  RATE_LIMIT_PER_MINUTE: '0',
  AUTO_CLOSE_INTERVAL_SECONDS: '0',
  CREDENTIAL_CACHE_SECONDS: '3600',
};

/** Routed reads so far on a METRICS_PORT, by where they were served. */
async function routed(port: number): Promise<{ replica: number; primary: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const count = (target: string) =>
    Number(
      new RegExp(`^leadline_store_routed_reads_total\\{served_by="${target}"\\} (\\d+)`, 'm').exec(
        text,
      )?.[1] ?? 0,
    );
  return { replica: count('replica'), primary: count('primary') };
}

async function main(): Promise<void> {
  let clusters: PrimaryAndStandby | undefined;
  const servers: RunningServer[] = [];
  try {
    clusters = await startPrimaryAndStandby({ synchronous: false });
    const storeEnv = { DATABASE_URL: clusters.urlOn(clusters.primaryPort) };
    const authorization = orgWithTill(storeEnv, 'Replica bench', 'replica-bench-till');
    log(`seeding ${LEADS} leads`);
    await cliJsonStreaming(storeEnv, ['seed', '--org', 'Replica bench', '--leads', String(LEADS)]);
    const metricsPort = await freePort();
    const plain = await startServer({ storeEnv, env: SERVER_ENV, logLevel: 'warn' });
    servers.push(plain);
    const withReplica = await startServer({
      storeEnv,
      env: {
        ...SERVER_ENV,
        DATABASE_REPLICA_URL: clusters.urlOn(clusters.standbyPort),
        METRICS_PORT: String(metricsPort),
      },
      logLevel: 'warn',
    });
    servers.push(withReplica);
    const list = (base: string) =>
      runLoad({
        base,
        request: {
          method: 'GET',
          setupRequest: (request) => ({
            ...request,
            path: '/v2/leads?status=OPEN&limit=10',
            headers: { authorization },
          }),
        },
        connections: CONNECTIONS,
        seconds: SECONDS,
      });
    await list(plain.base);
    await list(withReplica.base);
    const before = await routed(metricsPort);
    const plainRps: number[] = [];
    const replicaRps: number[] = [];
    const plainP99: number[] = [];
    const replicaP99: number[] = [];
    let errors = 0;
    for (let round = 1; round <= ROUNDS; round += 1) {
      log(`round ${round} of ${ROUNDS}`);
      const order = round % 2 === 1 ? [plain, withReplica] : [withReplica, plain];
      for (const server of order) {
        const result = await list(server.base);
        errors += result.errors;
        if (server === plain) {
          plainRps.push(result.rps);
          plainP99.push(result.p99 ?? Number.NaN);
        } else {
          replicaRps.push(result.rps);
          replicaP99.push(result.p99 ?? Number.NaN);
        }
      }
    }
    const after = await routed(metricsPort);
    const servedByReplica = after.replica - before.replica;
    const servedByPrimary = after.primary - before.primary;
    process.stdout.write(
      `${JSON.stringify({
        leads: LEADS,
        connections: CONNECTIONS,
        rounds: ROUNDS,
        withoutReplicaRps: Math.round(median(plainRps) ?? 0),
        withReplicaRps: Math.round(median(replicaRps) ?? 0),
        withoutReplicaP99Ms: median(plainP99),
        withReplicaP99Ms: median(replicaP99),
        replicaShare: servedByReplica / Math.max(1, servedByReplica + servedByPrimary),
        errors,
      })}\n`,
    );
  } finally {
    for (const server of servers) await stopGracefully(server.child);
    clusters?.remove();
  }
}

killChildrenOnSignals();
main().then(
  () => process.exit(0),
  (error: Error) => {
    log(`failed: ${error.stack ?? String(error)}`);
    killAll();
    process.exit(1);
  },
);
