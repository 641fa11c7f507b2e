// Runs the test suite by tier (docs/testing.md):
//
//   unit  test/unit/   no store, no process: run once, first
//   http  test/http/   the app through app.inject on a real store: once per store
//   ops   test/ops/    spawns processes (the built CLI and server, tsc, Prism, a second
//                      PostgreSQL): once per store
//
//   npx tsx scripts/run-tests.ts [--store sqlite|postgres|both] [--tier unit|http|ops|all] [files...]
//
// Files given by name run once per store, whatever their tier.
// PostgreSQL: each run creates a fresh database beside TEST_DATABASE_URL's (default
// postgres://postgres@127.0.0.1:5432/test), migrates it with `leadline migrate`, runs the suite
// against it and drops it. No PostgreSQL is a failure, never a skip.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLI, TSX } from '../toolbox/processes.js';
import { adminUrlOf, prepareStore, type StoreKind } from '../toolbox/stores.js';

const { values, positionals } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    tier: { type: 'string', default: 'all' },
  },
  allowPositionals: true,
});

function usageError(message: string): never {
  console.error(message);
  process.exit(2);
}
const isStore = (store: string): store is StoreKind => store === 'sqlite' || store === 'postgres';
const stores = values.store === 'both' ? ['sqlite', 'postgres'] : [values.store];
const unknownStore = stores.find((store) => !isStore(store));
if (unknownStore !== undefined) usageError(`unknown store ${unknownStore}`);

const TIERS = ['unit', 'http', 'ops'] as const;
type Tier = (typeof TIERS)[number];
if (values.tier !== 'all' && !(TIERS as readonly string[]).includes(values.tier)) {
  usageError(`unknown tier ${values.tier}`);
}
const wanted = (tier: Tier): boolean => values.tier === 'all' || values.tier === tier;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}
const unitFiles = positionals.length === 0 && wanted('unit') ? testFiles('test/unit').sort() : [];
const storeFiles =
  positionals.length > 0
    ? positionals
    : (['http', 'ops'] as const).filter(wanted).flatMap((tier) => testFiles(`test/${tier}`).sort());

function runSuite(label: string, files: string[], env: Record<string, string>): number {
  console.log(`\n=== ${label} ===`);
  const result = spawnSync(
    process.execPath,
    [...TSX, '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  );
  return result.status ?? 1;
}

/** Runs `run` against a fresh, migrated PostgreSQL database, dropped afterwards. */
async function withPostgresDatabase(run: (env: Record<string, string>) => number): Promise<number> {
  let prepared;
  try {
    prepared = await prepareStore('postgres', { prefix: 'leadline_test' });
  } catch (error) {
    console.error(`PostgreSQL is not reachable at ${adminUrlOf()}: ${(error as Error).message}`);
    return 1;
  }
  const url = prepared.env.DATABASE_URL ?? '';
  try {
    const migrate = spawnSync(process.execPath, [CLI, 'migrate'], {
      stdio: 'inherit',
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
    });
    if (migrate.status !== 0) return migrate.status ?? 1;
    return run({ LEADLINE_TEST_DATABASE_URL: url });
  } finally {
    await prepared.cleanup();
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
