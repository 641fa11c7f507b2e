import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/core/config.js';
import { createContext, type AppContext } from '../../src/core/context.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Clock } from '../../src/core/clock.js';

/** Which store this test process runs against, set by scripts/run-tests.ts. */
export const TEST_STORE = process.env.LEADLINE_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export type TestApp = {
  app: FastifyInstance;
  ctx: AppContext;
  config: Config;
  close(): Promise<void>;
};

/** A settable clock for tests of time-dependent behaviour. */
export class TestClock implements Clock {
  constructor(public ms = Date.parse('2026-03-01T12:00:00Z')) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * Builds the real app on a real, migrated store: a fresh SQLite file in a temporary folder, or
 * the run's PostgreSQL database. Tests isolate themselves by each creating their own org.
 */
export async function createTestApp(
  options: { clock?: Clock; env?: Record<string, string>; app?: BuildAppOptions } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'leadline-test-'));
  const databaseUrl =
    TEST_STORE === 'postgres' ? process.env.LEADLINE_TEST_DATABASE_URL : undefined;
  if (TEST_STORE === 'postgres' && !databaseUrl) {
    throw new Error('LEADLINE_TEST_DATABASE_URL is not set: run the tests through npm test');
  }
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PG_POOL_SIZE: '4',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  });
  const ctx = createContext(config, options.clock);
  await migrateToLatest(ctx.store);
  const app = await buildApp(ctx, { logger: false, ...options.app });
  await app.ready();
  return {
    app,
    ctx,
    config,
    async close() {
      await app.close();
      await ctx.store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The suite's app, for the `describe` it is called in: built before the suite's first test and
 * closed after its last. Its fields are there once the tests run.
 *
 * @example const t = useTestApp(); it('…', async () => { await send(t.app, …); });
 */
export function useTestApp(options: Parameters<typeof createTestApp>[0] = {}): TestApp {
  const suite = {} as TestApp;
  before(async () => {
    Object.assign(suite, await createTestApp(options));
  });
  after(async () => {
    // Absent when the build itself failed: that failure is the one to report.
    if ('close' in suite) await suite.close();
  });
  return suite;
}
