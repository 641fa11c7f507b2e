// Throw-away stores for the scripts: a fresh SQLite data folder, or a fresh PostgreSQL database
// beside an admin connection, each with its cleanup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ROOT } from './processes.mjs';

/** The database the scripts create theirs beside: `given`, else TEST_DATABASE_URL, else local. */
export function adminUrlOf(given) {
  return given ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

async function withAdmin(adminUrl, work) {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh store: `{store, env, describe, cleanup}`, where `env` points the CLI and the server at
 * it (DATA_DIR or DATABASE_URL) and `cleanup()` removes it (unless `keep`).
 *
 * SQLite: a new folder in the temporary folder. PostgreSQL: a new database named
 * `<prefix>_<pid>_<ms>` beside `adminUrl`, dropped by cleanup; or, with `databaseUrl`, that
 * existing database as it is (neither created nor dropped).
 *
 * @example const { env, cleanup } = await prepareStore('sqlite', { prefix: 'leadline_bench' });
 */
export async function prepareStore(store, { prefix, adminUrl, databaseUrl, keep = false }) {
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
export async function postgresVersion(adminUrl) {
  try {
    return await withAdmin(adminUrlOf(adminUrl), async (client) => {
      const { rows } = await client.query('show server_version');
      return rows[0].server_version;
    });
  } catch {
    return 'unreachable';
  }
}

/**
 * Opens the store `env` names through the build's own `openStore` (same pragmas, same pool),
 * for look-ups the CLI does not offer; close it with `store.close()`.
 */
export async function openBuiltStore(env, { pgPoolSize = 2 } = {}) {
  const { openStore } = await import(path.join(ROOT, 'dist', 'db', 'database.js'));
  return openStore({
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR ?? '',
    pgPoolSize,
  });
}
