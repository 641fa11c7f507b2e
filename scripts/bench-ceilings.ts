// The two baselines of `npm run bench`, each run in its own process by scripts/bench.ts.
//
//   node --import tsx scripts/bench-ceilings.ts http
//     A bare Fastify app (same Fastify, same logger level as the server) whose POST /v2/leads
//     validates the body with the lead-create schema from dist/ and returns it. Prints
//     `{"port": N}` once it listens; stops on SIGTERM.
//
//   node --import tsx scripts/bench-ceilings.ts storage   (configured by BENCH_* variables)
//     The status-change transaction of the server (read the lead, locked on PostgreSQL; insert a
//     status_logs row; update the lead and its version), with the server's own repository
//     functions from dist/, one per change, in a loop against the same store through openStore
//     (same durability settings), without HTTP. BENCH_INFLIGHT transactions in flight (1 on
//     SQLite). Each change takes the next of BENCH_CHANGES (JSON [{status, subStatus}], the
//     changes the status-change scenario sends) on the next of BENCH_LEAD_IDS. Prints one JSON
//     line `{count, seconds, p50, p99}` (milliseconds).
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../toolbox/processes.js';
import { percentile } from '../toolbox/stats.js';
import type { LeadStatus } from '../src/db/schema.js';
import type * as LeadSchemasModule from '../src/leads/lead.schemas.js';
import type * as DatabaseModule from '../src/db/database.js';
import type * as LeadRepositoryModule from '../src/leads/lead.repository.js';
import type * as HistoryRepositoryModule from '../src/leads/history.repository.js';

const dist = (file: string): string => path.join(ROOT, 'dist', file);

async function httpCeiling(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { LeadCreateBody } = (await import(
    dist('leads/lead.schemas.js')
  )) as typeof LeadSchemasModule;
  const app = Fastify({
    logger: { level: process.env.LOG_LEVEL ?? 'warn' },
    ajv: { customOptions: { allErrors: true, coerceTypes: false } },
  });
  app.post('/v2/leads', { schema: { body: LeadCreateBody } }, async (request) => request.body);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

async function storageCeiling(): Promise<void> {
  const { openStore } = (await import(dist('db/database.js'))) as typeof DatabaseModule;
  const { findLead, updateLeadVersioned } = (await import(
    dist('leads/lead.repository.js')
  )) as typeof LeadRepositoryModule;
  const { insertStatusLogs } = (await import(
    dist('leads/history.repository.js')
  )) as typeof HistoryRepositoryModule;
  const env = process.env;
  const inflight = Number(env.BENCH_INFLIGHT ?? '1');
  const store = openStore({
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR ?? '',
    pgPoolSize: inflight,
  });
  const orgId = Number(required('BENCH_ORG_ID'));
  const actor = Number(required('BENCH_ACTOR_ID'));
  const reasonId = Number(required('BENCH_REASON_ID'));
  const leadIds = JSON.parse(required('BENCH_LEAD_IDS')) as number[];
  const durationMs = Number(required('BENCH_SECONDS')) * 1000;
  const changes = JSON.parse(required('BENCH_CHANGES')) as Array<{
    status: LeadStatus;
    subStatus?: string;
  }>;
  if (leadIds.length === 0 || changes.length === 0) throw new Error('no lead or no change');
  const latencies: number[] = [];
  let count = 0;
  let n = 0;
  const started = performance.now();
  const deadline = started + durationMs;

  async function one(): Promise<void> {
    n += 1;
    const id = leadIds[n % leadIds.length]!;
    const { status, subStatus } = changes[n % changes.length]!;
    const t0 = performance.now();
    // The server's own repository functions, so the ceiling runs the very statements (prepared
    // the same way) the server's status change writes with.
    await store.transaction(async (trx) => {
      const row = await findLead(trx, orgId, id, true);
      if (!row) throw new Error(`lead ${id} not found`);
      const now = Date.now();
      await insertStatusLogs(trx, [
        {
          org_id: orgId,
          lead_id: id,
          user_id: row.user_id,
          status,
          sub_status: subStatus ?? null,
          created_by: actor,
          created_on: now,
          reason_id: reasonId,
        },
      ]);
      await updateLeadVersioned(trx, orgId, id, {
        status,
        sub_status: subStatus ?? null,
        last_updated_on: Math.max(now, row.last_updated_on),
        last_updated_by: actor,
      });
    });
    latencies.push(performance.now() - t0);
    count += 1;
  }

  async function loop(): Promise<void> {
    while (performance.now() < deadline) await one();
  }
  await Promise.all(Array.from({ length: inflight }, loop));
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  latencies.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({ count, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) })}\n`,
  );
}

const which = process.argv[2];
if (which === 'http') await httpCeiling();
else if (which === 'storage') await storageCeiling();
else {
  process.stderr.write('usage: bench-ceilings.ts http|storage\n');
  process.exit(2);
}
