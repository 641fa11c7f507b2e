// Throw-away stores for scripts and tests: a fresh SQLite data folder, or a fresh PostgreSQL
// database beside an admin connection, each with its cleanup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ROOT, type StoreEnv } from './processes.js';
import type * as DatabaseModule from '../src/db/database.js';

export type StoreKind = 'sqlite' | 'postgres';

/** The database that fresh ones are created beside: `given`, else TEST_DATABASE_URL, else local. */
export function adminUrlOf(given?: string): string {
  return given ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export type PreparedStore = {
  store: StoreKind;
  /** Points the CLI and the server at it. */
  env: StoreEnv;
  /** Its folder or database name, for the log. */
  describe: string;
  /** Removes it (unless it was kept or given). */
  cleanup(): Promise<void>;
};

export type PrepareOptions = {
  /** Names the folder or the database: `<prefix>_<pid>_<ms>`. */
  prefix: string;
  adminUrl?: string | undefined;
  /** An existing database to use as it is (neither created nor dropped). */
  databaseUrl?: string | undefined;
  keep?: boolean;
};

/**
 * A fresh store. SQLite: a new folder in the temporary folder. PostgreSQL: a new database beside
 * `adminUrl`, dropped by cleanup; or, with `databaseUrl`, that database as it is.
 *
 * @example const { env, cleanup } = await prepareStore('sqlite', { prefix: 'leadline_bench' });
 */
export async function prepareStore(
  store: StoreKind,
  { prefix, adminUrl, databaseUrl, keep = false }: PrepareOptions,
): Promise<PreparedStore> {
  if (store === 'sqlite') {
    const dataDir = mkdtempSync(path.join(tmpdir(), `${prefix.replaceAll('_', '-')}-`));
    return {
      store,
      env: { DATA_DIR: dataDir },
      describe: dataDir,
      cleanup: async () => {
        if (!keep) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  if (databaseUrl) {
    return {
      store,
      env: { DATABASE_URL: databaseUrl },
      describe: 'given',
      cleanup: async () => {},
    };
  }
  const admin = adminUrlOf(adminUrl);
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  await withAdmin(admin, (client) => client.query(`create database ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    store,
    env: { DATABASE_URL: url.toString() },
    describe: name,
    cleanup: async () => {
      if (keep) return;
      await withAdmin(admin, (client) =>
        client.query(`drop database if exists ${name} with (force)`),
      );
    },
  };
}

/** PostgreSQL's `server_version` at `adminUrl`, or 'unreachable'. */
export async function postgresVersion(adminUrl?: string): Promise<string> {
  try {
    return await withAdmin(adminUrlOf(adminUrl), async (client) => {
      const { rows } = await client.query<{ server_version: string }>('show server_version');
      return rows[0]?.server_version ?? 'unknown';
    });
  } catch {
    return 'unreachable';
  }
}

/** The data directory of the PostgreSQL at `adminUrl`, or undefined when it cannot be read. */
export async function postgresDataDirectory(adminUrl?: string): Promise<string | undefined> {
  try {
    return await withAdmin(adminUrlOf(adminUrl), async (client) => {
      const { rows } = await client.query<{ data_directory: string }>('show data_directory');
      return rows[0]?.data_directory;
    });
  } catch {
    return undefined;
  }
}

/**
 * Opens the store `env` names through the build's own `openStore` (same pragmas, same pool), for
 * look-ups the CLI does not offer; close it with `store.close()`.
 */
export async function openBuiltStore(
  env: StoreEnv,
  { pgPoolSize = 2 } = {},
): Promise<ReturnType<typeof DatabaseModule.openStore>> {
  const { openStore } = (await import(
    path.join(ROOT, 'dist', 'db', 'database.js')
  )) as typeof DatabaseModule;
  return openStore({
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR ?? '',
    pgPoolSize,
  });
}
