// `npm run bench:pages` (issue 13): how long the web app takes to produce each page for a till
// of the largest store in a seeded org, as p50/p99 at one connection, next to a baseline measured
// in the same run and server (the first page of the API's lead list). The target: every page's
// HTML in under 50 ms of server time over 1,000,000 leads (judged on p99, from the client on
// the same machine, so a little above the server's own time).
//
//   npm run bench:pages -- [--store sqlite|postgres|both] [--leads N] [--seconds N]
//
// Prints one JSON line per page, then a markdown table (docs/web.md, "Page speed").
import { parseArgs } from 'node:util';
import { cliJson, cliJsonStreaming } from '../toolbox/cli.js';
import { basicAuthorization, okJson } from '../toolbox/http.js';
import { killChildrenOnSignals, startServer, stopGracefully } from '../toolbox/processes.js';
import { prepareStore, type StoreKind } from '../toolbox/stores.js';
import { largestStore } from './bench/seeded-org.js';
import { runLoad, type LoadRequest } from './bench/load.js';

const { values: opts } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    leads: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '5' },
  },
  strict: true,
});
function usage(message: string): never {
  process.stderr.write(`bench-pages: ${message}\n`);
  process.exit(2);
}
if (!['sqlite', 'postgres', 'both'].includes(opts.store)) usage('--store sqlite|postgres|both');
const stores: StoreKind[] =
  opts.store === 'both' ? ['sqlite', 'postgres'] : [opts.store as StoreKind];
const positive = (text: string, option: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) usage(`--${option} takes a positive whole number`);
  return value;
};
const leads = positive(opts.leads, 'leads');
const seconds = positive(opts.seconds, 'seconds');
killChildrenOnSignals();

const ORG = 'Pages bench';
const TILL = 'pages-bench-till';
const PASSWORD = 'pages-bench-password';
/** The server-time budget of a page (issue 13). */
const TARGET_MS = 50;

/** The cookies a response sets, as one `Cookie` header's worth (`name=value; …`). */
function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';', 1)[0]!)
    .join('; ');
}

/** Signs in on the form as a browser does; answers the session's `Cookie` header. */
async function signIn(base: string): Promise<string> {
  const form = await fetch(`${base}/app/login`);
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!token) throw new Error('the sign-in form has no form token');
  const answer = await fetch(`${base}/app/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie: cookiesOf(form),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ _csrf: token, username: TILL, password: PASSWORD }).toString(),
  });
  const session = cookiesOf(answer);
  if (answer.status !== 303 || !session.includes('leadline_session=')) {
    throw new Error(`sign-in answered ${answer.status}`);
  }
  return session;
}

function get(path: string, headers: Record<string, string>): LoadRequest {
  return { method: 'GET', path, setupRequest: (request) => ({ ...request, path, headers }) };
}

type Row = {
  store: StoreKind;
  leads: number;
  page: string;
  p50: number | undefined;
  p99: number | undefined;
  requests: number;
  errors: number;
  ratio: number;
};
const rows: Row[] = [];

for (const store of stores) {
  const prepared = await prepareStore(store, { prefix: 'leadline_pages' });
  try {
    const env = prepared.env;
    process.stderr.write(`${store}: seeding ${leads.toLocaleString('en-US')} leads\n`);
    await cliJsonStreaming(env, ['seed', '--org', ORG, '--leads', String(leads)]);
    const { code: storeCode } = await largestStore(env, ORG);
    cliJson(env, [
      ...['entity', 'create', '--org', ORG, '--type', 'TILL', '--parent', storeCode],
      ...['--code', TILL, '--password', PASSWORD],
    ]);
    const server = await startServer({
      storeEnv: env,
      env: { RATE_LIMIT_PER_MINUTE: '0', AUTO_CLOSE_INTERVAL_SECONDS: '0' },
      logLevel: 'warn',
      timeoutMs: 120_000,
    });
    try {
      const authorization = basicAuthorization(TILL, PASSWORD);
      const first = await okJson<{ data: Array<{ id: number }> }>(
        server.base,
        authorization,
        'GET',
        '/v2/leads?limit=1',
      );
      const leadId = first.data[0]?.id;
      if (leadId === undefined) throw new Error('the seeded org has no lead');
      const cookie = await signIn(server.base);
      const pages: Array<[string, LoadRequest]> = [
        ['baseline: API list, first page', get('/v2/leads?limit=10', { authorization })],
        ['Today', get('/app', { cookie })],
        ['Leads', get('/app/leads', { cookie })],
        ['Leads, only mine', get('/app/leads?mine=1', { cookie })],
        ['A lead', get(`/app/leads/${leadId}`, { cookie })],
        ['New lead', get('/app/leads/new', { cookie })],
        ['Board', get('/app/board', { cookie })],
        ['Dashboard (the till’s store)', get('/app/dashboard', { cookie })],
      ];
      let baseline: number | undefined;
      for (const [page, request] of pages) {
        const base = server.base;
        // About `seconds` worth of requests, from three probes' median (at least 5, at most 500).
        const probe = await runLoad({ base, request, connections: 1, seconds, amount: 3 });
        const wanted = Math.ceil((seconds * 1000) / Math.max(probe.p50 ?? probe.max, 1));
        const result = await runLoad({
          base,
          request,
          connections: 1,
          seconds,
          amount: Math.min(500, Math.max(5, wanted)),
          timeoutSeconds: 120,
          pid: server.child.pid,
        });
        baseline ??= result.p50;
        const row: Row = {
          store,
          leads,
          page,
          p50: result.p50,
          p99: result.p99,
          requests: result.requests,
          errors: result.errors,
          ratio: (result.p50 ?? NaN) / (baseline ?? NaN),
        };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    } finally {
      await stopGracefully(server.child);
    }
  } finally {
    await prepared.cleanup();
  }
}

const ms = (v: number | undefined): string =>
  v === undefined ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toFixed(1);
console.log('\n| store | page | p50 (ms) | p99 (ms) | requests | × baseline p50 | target (p99) |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const target = r.page.startsWith('baseline')
    ? ''
    : `< ${TARGET_MS} ms: ${r.p99 !== undefined && r.p99 < TARGET_MS ? 'met' : 'missed'}`;
  console.log(
    `| ${r.store} | ${r.page} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.requests} | ${r.ratio.toFixed(1)} | ${target} |`,
  );
}
if (rows.some((r) => r.errors > 0)) process.exitCode = 1;
