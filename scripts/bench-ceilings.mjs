#!/usr/bin/env node
// The two baselines of `npm run bench`, each run in its own process by scripts/bench.mjs.
//
//   node scripts/bench-ceilings.mjs http
//     A bare Fastify app (same Fastify, same logger level as the server) whose POST /v2/leads
//     validates the body with the lead-create schema from dist/ and returns it. Prints
//     `{"port": N}` once it listens; stops on SIGTERM.
//
//   node scripts/bench-ceilings.mjs storage   (configured through BENCH_* environment variables)
//     The status-change transaction of the server (read the lead, locked on PostgreSQL; insert a
//     status_logs row; update the lead and its version), with the server's own repository
//     functions, one per change, in a loop against the same store through openStore (same durability settings), without HTTP. BENCH_INFLIGHT
//     transactions in flight (1 on SQLite). Each change takes the next of BENCH_CHANGES (JSON
//     [{status, subStatus}], the changes the status-change scenario sends) on the next of
//     BENCH_LEAD_IDS. Prints one JSON line `{count, seconds, p50, p99}` (milliseconds).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from './lib/processes.mjs';
import { percentile } from './lib/stats.mjs';

const dist = (file) => path.join(ROOT, 'dist', file);

async function httpCeiling() {
  const { default: Fastify } = await import('fastify');
  const { LeadCreateBody } = await import(dist('leads/lead.schemas.js'));
  const app = Fastify({
    logger: { level: process.env.LOG_LEVEL ?? 'warn' },
    ajv: { customOptions: { allErrors: true, coerceTypes: false } },
  });
  app.post('/v2/leads', { schema: { body: LeadCreateBody } }, async (request) => request.body);
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${JSON.stringify({ port: app.server.address().port })}\n`);
  process.once('SIGTERM', () => {
    app.close().then(() => process.exit(0));
  });
}

async function storageCeiling() {
  const { openStore } = await import(dist('db/database.js'));
  const { findLead, updateLeadVersioned } = await import(dist('leads/lead.repository.js'));
  const { insertStatusLogs } = await import(dist('leads/history.repository.js'));
  const env = process.env;
  const inflight = Number(env.BENCH_INFLIGHT ?? '1');
  const store = openStore({
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR ?? '',
    pgPoolSize: inflight,
  });
  const orgId = Number(env.BENCH_ORG_ID);
  const actor = Number(env.BENCH_ACTOR_ID);
  const reasonId = Number(env.BENCH_REASON_ID);
  const leadIds = JSON.parse(env.BENCH_LEAD_IDS);
  const durationMs = Number(env.BENCH_SECONDS) * 1000;
  const changes = JSON.parse(env.BENCH_CHANGES);
  const latencies = [];
  let count = 0;
  let n = 0;
  const started = performance.now();
  const deadline = started + durationMs;

  async function one() {
    const id = leadIds[(n += 1) % leadIds.length];
    const { status, subStatus } = changes[n % changes.length];
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

  async function loop() {
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
  process.stderr.write('usage: bench-ceilings.mjs http|storage\n');
  process.exit(2);
}
