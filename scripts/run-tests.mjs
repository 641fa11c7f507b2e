#!/usr/bin/env node
// Runs the whole test suite once per store: the embedded SQLite, then PostgreSQL.
//
//   node scripts/run-tests.mjs [--store sqlite|postgres|both] [test files...]
//
// PostgreSQL: each run creates a fresh database beside TEST_DATABASE_URL's (default
// postgres://postgres@127.0.0.1:5432/test), migrates it with `leadline migrate`, runs the suite
// against it and drops it. No PostgreSQL is a failure, never a skip.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values, positionals } = parseArgs({
  options: { store: { type: 'string', default: 'both' } },
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
const files = positionals.length > 0 ? positionals : testFiles('test').sort();

function runSuite(store, env) {
  console.log(`\n=== tests on ${store} ===`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
    { stdio: 'inherit', env: { ...process.env, ...env, LEADLINE_TEST_STORE: store } },
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
for (const store of stores) {
  const status =
    store === 'sqlite'
      ? runSuite(store, {})
      : await withPostgresDatabase((env) => runSuite(store, env));
  if (status !== 0) {
    console.error(`\ntests on ${store} failed (exit ${status})`);
    failed += 1;
  }
}
process.exit(failed === 0 ? 0 : 1);
