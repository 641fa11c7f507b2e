#!/usr/bin/env node
// Runs the test suite by tier (docs/testing.md):
//
//   unit  test/unit/   no store, no process: run once, first
//   http  test/http/   the app through app.inject on a real store: once per store
//   ops   test/ops/    spawns processes (the built CLI and server, tsc, Prism, a second
//                      PostgreSQL): once per store
//
//   node scripts/run-tests.mjs [--store sqlite|postgres|both] [--tier unit|http|ops|all] [files...]
//
// Files given by name run once per store, whatever their tier.
// PostgreSQL: each run creates a fresh database beside TEST_DATABASE_URL's (default
// postgres://postgres@127.0.0.1:5432/test), migrates it with `leadline migrate`, runs the suite
// against it and drops it. No PostgreSQL is a failure, never a skip.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values, positionals } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    tier: { type: 'string', default: 'all' },
  },
  allowPositionals: true,
});
const stores = values.store === 'both' ? ['sqlite', 'postgres'] : [values.store];
for (const store of stores) {
  if (store !== 'sqlite' && store !== 'postgres') {
    console.error(`unknown store ${store}`);
    process.exit(2);
  }
}

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}
const TIERS = ['unit', 'http', 'ops'];
if (values.tier !== 'all' && !TIERS.includes(values.tier)) {
  console.error(`unknown tier ${values.tier}`);
  process.exit(2);
}
const wanted = (tier) => values.tier === 'all' || values.tier === tier;
const unitFiles = positionals.length === 0 && wanted('unit') ? testFiles('test/unit').sort() : [];
const storeFiles =
  positionals.length > 0
    ? positionals
    : ['http', 'ops'].filter(wanted).flatMap((tier) => testFiles(`test/${tier}`).sort());

function runSuite(label, files, env) {
  console.log(`\n=== ${label} ===`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  );
  return result.status ?? 1;
}

async function withPostgresDatabase(run) {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `leadline_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    console.error(`PostgreSQL is not reachable at ${adminUrl}: ${error.message}`);
    return 1;
  }
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    const migrate = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'migrate'], {
      stdio: 'inherit',
      env: { ...process.env, DATABASE_URL: url.toString(), LOG_LEVEL: 'silent' },
    });
    if (migrate.status !== 0) return migrate.status ?? 1;
    return run({ LEADLINE_TEST_DATABASE_URL: url.toString() });
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

// Tests that spawn the CLI or the server run the build, exactly as a user would (and a built
// CLI starts in a fraction of the time tsx needs).
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let failed = 0;
if (unitFiles.length > 0 && runSuite('unit tests', unitFiles, {}) !== 0) {
  console.error('\nunit tests failed');
  failed += 1;
}
for (const store of storeFiles.length > 0 ? stores : []) {
  const label = `tests on ${store}`;
  const status =
    store === 'sqlite'
      ? runSuite(label, storeFiles, { LEADLINE_TEST_STORE: store })
      : await withPostgresDatabase((env) =>
          runSuite(label, storeFiles, { ...env, LEADLINE_TEST_STORE: store }),
        );
  if (status !== 0) {
    console.error(`\n${label} failed (exit ${status})`);
    failed += 1;
  }
}
process.exit(failed === 0 ? 0 : 1);
