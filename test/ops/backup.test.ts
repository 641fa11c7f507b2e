import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { TEST_STORE } from '../helpers/app.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { unique } from '../helpers/factories.js';
import { startBuiltServer, type BuiltServer } from '../helpers/server.js';
import { basicAuthorization } from '../../toolbox/http.js';
import { openBuiltStore, prepareStore, type PreparedStore } from '../../toolbox/stores.js';
import type { StoreEnv } from '../../toolbox/processes.js';
import { MIGRATION_NAMES } from '../../src/db/migrate.js';
import { ErrorCatalogue } from '../../src/core/errors.js';

/**
 * `leadline backup` and `leadline restore` as an operator runs them (the built CLI) beside the
 * built server: a backup taken while clients keep creating leads holds every lead acknowledged
 * before it started, restores into an empty store that passes its integrity checks and opens,
 * and every refusal exits with its code and changes nothing.
 */

const LATEST = MIGRATION_NAMES.at(-1);
/** Leads in the store before the load, so the copy takes long enough for writes to land during it. */
const SEEDED_LEADS = 10_000;
/** Concurrent clients creating leads. */
const WRITERS = 4;

const code = (name: keyof typeof ErrorCatalogue) => ErrorCatalogue[name].code;

/** A fresh store of this run's kind: a SQLite folder, or a PostgreSQL database beside the run's. */
function freshStore(prefix: string): Promise<PreparedStore> {
  return prepareStore(TEST_STORE, {
    prefix,
    adminUrl: process.env.LEADLINE_TEST_DATABASE_URL,
  });
}

/** A successful command: exit 0 and its JSON summary. */
function summaryOf(run: CliRun): any {
  assert.equal(run.code, 0, `exit ${run.code}; stderr: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** A refused command: `exit`, nothing on stdout, the error `name` on stderr. */
function refusal(run: CliRun, exit: number, name: keyof typeof ErrorCatalogue): string {
  assert.equal(run.code, exit, `stdout ${run.stdout}; stderr ${run.stderr}`);
  assert.equal(run.stdout, '');
  const { error } = JSON.parse(run.stderr);
  assert.equal(error.code, code(name), run.stderr);
  return error.message as string;
}

/** The folder's entries, to show a refused command left no file (not even a temporary one). */
const entries = (folder: string) => readdirSync(folder).sort();

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Ids of the org's leads in the store `env` names, read through the build's own store. */
async function leadIdsOf(env: StoreEnv, orgId: number): Promise<Set<number>> {
  const store = await openBuiltStore(env);
  try {
    const { rows } = await sql<{
      id: number;
    }>`select id from leads where org_id = ${orgId}`.execute(store.db);
    return new Set(rows.map((row) => Number(row.id)));
  } finally {
    await store.close();
  }
}

/** Runs `work` on one plain connection to a PostgreSQL store. */
async function withPg<T>(env: StoreEnv, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The relations (tables, indexes, sequences) in a PostgreSQL store's public schema. */
function pgRelations(env: StoreEnv): Promise<string[]> {
  return withPg(env, async (client) => {
    const { rows } = await client.query<{ relname: string }>(
      `select relname from pg_class where relnamespace = 'public'::regnamespace order by 1`,
    );
    return rows.map((row) => row.relname);
  });
}

/** A PostgreSQL store's constraints and indexes, as definitions to compare between two stores. */
function pgSchema(env: StoreEnv): Promise<{ constraints: string[]; indexes: string[] }> {
  return withPg(env, async (client) => {
    const constraints = await client.query<{ line: string }>(
      `select conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) as line
         from pg_constraint where connamespace = 'public'::regnamespace order by 1`,
    );
    const indexes = await client.query<{ line: string }>(
      `select indexdef as line from pg_indexes where schemaname = 'public' order by 1`,
    );
    return {
      constraints: constraints.rows.map((row) => row.line),
      indexes: indexes.rows.map((row) => row.line),
    };
  });
}

/** The SQLite file of a store's folder. */
const sqliteFile = (env: StoreEnv) => path.join(String(env.DATA_DIR), 'leadline.db');

/** What a refused restore must leave unchanged: the store's file, or its relations and leads. */
async function fingerprintOf(env: StoreEnv): Promise<unknown> {
  if (TEST_STORE === 'sqlite') {
    const folder = String(env.DATA_DIR);
    // What the store holds: the database file, and the WAL when it has frames. SQLite's shared
    // memory file, and an empty WAL, come and go as connections open and close (the last one
    // to close removes them; in CI on Node 24 they vanished between two fingerprints with the
    // database unchanged): they are no part of what a refused restore must leave alone.
    const wal = path.join(folder, 'leadline.db-wal');
    const walHolds = entries(folder).includes('leadline.db-wal') && statSync(wal).size > 0;
    return {
      files: entries(folder).filter(
        (file) => !file.endsWith('-shm') && (file !== 'leadline.db-wal' || walHolds),
      ),
      db: entries(folder).includes('leadline.db') ? sha256(sqliteFile(env)) : undefined,
      wal: walHolds ? sha256(wal) : undefined,
    };
  }
  const relations = await pgRelations(env);
  const leads = relations.includes('leads')
    ? await withPg(env, (client) => client.query('select count(*)::int as n from leads'))
    : undefined;
  return { relations, leads: leads?.rows[0] };
}

type Ack = { id: number; at: number };

/** Creates one lead; answers the response's status and, on a 200, the acknowledged lead. */
async function createLead(
  base: string,
  authorization: string,
  n: number,
): Promise<{ status: number; text: string; ack?: Ack }> {
  const response = await fetch(`${base}/v2/leads`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({
      leadFor: `SKU-${n}`,
      idType: 'EMAIL',
      identifier: `shopper-${n % 40}@example.com`,
    }),
  });
  const text = await response.text();
  if (response.status !== 200) return { status: response.status, text };
  const ack = { id: (JSON.parse(text) as { id: number }).id, at: performance.now() };
  return { status: response.status, text, ack };
}

/**
 * Creates leads through the server from `WRITERS` clients at once until `stop()` is called:
 * every acknowledged lead with the instant its answer arrived, and every answer that was not a
 * 200 (or a request that got no answer). It starts once the server has taken a first write: a
 * server may listen before it has finished applying migrations.
 */
async function writeLoad(base: string, authorization: string) {
  const acks: Ack[] = [];
  const failures: string[] = [];
  let sent = 0;
  for (const deadline = Date.now() + 20_000; acks.length === 0;) {
    const first = await createLead(base, authorization, (sent += 1));
    if (first.ack) acks.push(first.ack);
    else if (Date.now() > deadline) throw new Error(`the server takes no write: ${first.text}`);
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let running = true;
  const writer = async () => {
    while (running) {
      try {
        const answer = await createLead(base, authorization, (sent += 1));
        if (answer.ack) acks.push(answer.ack);
        else failures.push(`${answer.status} ${answer.text.slice(0, 200)}`);
      } catch (error) {
        failures.push(`no answer: ${(error as Error).message}`);
      }
    }
  };
  const writers = Array.from({ length: WRITERS }, writer);
  return {
    acks,
    failures,
    async stop() {
      running = false;
      await Promise.all(writers);
    },
  };
}

describe(`leadline backup and restore (${TEST_STORE})`, () => {
  const backupDir = mkdtempSync(path.join(tmpdir(), 'leadline-backups-'));
  const stores: PreparedStore[] = [];
  let source: PreparedStore;
  /** Filled by the first test: the backup taken under load. */
  let backupFile = '';

  before(async () => {
    source = await freshStore('leadline_backup');
    stores.push(source);
    summaryOf(await runCli(source.env, ['migrate']));
    const seeded = summaryOf(
      await runCli(source.env, [
        'seed',
        '--org',
        unique('Backup Seed'),
        '--leads',
        `${SEEDED_LEADS}`,
      ]),
    );
    assert.equal(seeded.leads, SEEDED_LEADS);
  });

  after(async () => {
    for (const store of stores) await store.cleanup();
    rmSync(backupDir, { recursive: true, force: true });
  });

  it('backs up under write load: every lead acknowledged before the backup started is restored, and the restored store passes its checks', async (t) => {
    const org = summaryOf(
      await runCli(source.env, ['org', 'create', '--name', unique('Backup Org')]),
    );
    const storeCode = unique('backup-store');
    summaryOf(
      await runCli(source.env, [
        'entity',
        'create',
        '--org',
        org.name,
        '--type',
        'STORE',
        '--code',
        storeCode,
      ]),
    );
    const till = unique('backup-till');
    summaryOf(
      await runCli(source.env, [
        'entity',
        'create',
        '--org',
        org.name,
        '--type',
        'TILL',
        '--code',
        till,
        '--parent',
        storeCode,
        '--password',
        'till-password',
      ]),
    );

    const server: BuiltServer = await startBuiltServer({
      ...source.env,
      RATE_LIMIT_PER_MINUTE: '0',
      AUTO_CLOSE_INTERVAL_SECONDS: '0',
      WEBHOOK_DISPATCH_INTERVAL_SECONDS: '0',
      PG_POOL_SIZE: '4',
    });
    let load: Awaited<ReturnType<typeof writeLoad>> | undefined;
    let run: CliRun;
    let started: number;
    let ended: number;
    try {
      load = await writeLoad(server.base, basicAuthorization(till, 'till-password'));
      // Under way first: the backup must start while leads are being written.
      while (load.acks.length < 100 && load.failures.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      backupFile = path.join(backupDir, `leadline-${TEST_STORE}.backup`);
      started = performance.now();
      run = await runCli(source.env, ['backup', '--to', backupFile]);
      ended = performance.now();
      // And on a little after it, to see that the server still writes.
      const afterBackup = load.acks.length;
      while (load.acks.length < afterBackup + 20 && load.failures.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await load?.stop();
      await server.stop();
    }

    const summary = summaryOf(run);
    assert.equal(summary.store, TEST_STORE);
    assert.equal(summary.file, backupFile);
    assert.equal(summary.migration, LATEST);
    assert.ok(summary.bytes > 0 && typeof summary.seconds === 'number', run.stdout);
    assert.deepEqual(entries(backupDir), [path.basename(backupFile)], 'no temporary file is left');

    assert.deepEqual(load.failures, [], 'every write during the backup succeeded');
    const before = load.acks.filter((ack) => ack.at < started);
    const during = load.acks.filter((ack) => ack.at >= started && ack.at <= ended);
    assert.ok(before.length >= 100, `${before.length} leads acknowledged before the backup`);
    assert.ok(during.length > 0, 'leads were acknowledged while the backup ran');
    t.diagnostic(
      `${before.length} leads acknowledged before the backup, ${during.length} during its ${Math.round(ended - started)} ms (the command's start included), ${load.acks.length - before.length - during.length} after`,
    );

    const target = await freshStore('leadline_restore');
    stores.push(target);
    const restored = summaryOf(await runCli(target.env, ['restore', '--from', backupFile]));
    assert.equal(restored.store, TEST_STORE);
    assert.equal(restored.migration, LATEST);
    assert.deepEqual(restored.pending, []);
    // The restored store opens and is at the latest migration: nothing left to apply.
    assert.deepEqual(summaryOf(await runCli(target.env, ['migrate'])).applied, []);

    const ids = await leadIdsOf(target.env, org.id);
    const missing = before.filter((ack) => !ids.has(ack.id)).map((ack) => ack.id);
    assert.deepEqual(missing, [], 'leads acknowledged before the backup started are restored');
    const acknowledged = new Set(load.acks.map((ack) => ack.id));
    const unknown = [...ids].filter((id) => !acknowledged.has(id));
    assert.deepEqual(unknown, [], 'the restored store holds no lead nobody was answered for');

    if (TEST_STORE === 'sqlite') {
      const db = new SqliteDatabase(sqliteFile(target.env), {
        readonly: true,
        fileMustExist: true,
      });
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        assert.deepEqual(db.pragma('foreign_key_check'), []);
        const top = db.prepare('select max(id) as id from leads').get() as { id: number };
        const next = db.prepare("select seq from sqlite_sequence where name = 'leads'").get() as {
          seq: number;
        };
        assert.ok(next.seq >= top.id, 'ids are never reused after a restore');
        const seeded = db
          .prepare('select count(*) as n from leads where org_id <> ?')
          .get(org.id) as { n: number };
        assert.equal(seeded.n, SEEDED_LEADS);
      } finally {
        db.close();
      }
    } else {
      assert.deepEqual(await pgSchema(target.env), await pgSchema(source.env));
      const checks = await withPg(target.env, async (client) => {
        const migration = await client.query<{ name: string }>(
          'select max(name) as name from kysely_migration',
        );
        const sequence = await client.query<{ last: number; top: number }>(
          'select (select last_value from leads_id_seq)::int as last, (select max(id) from leads)::int as top',
        );
        const seeded = await client.query<{ n: number }>(
          'select count(*)::int as n from leads where org_id <> $1',
          [org.id],
        );
        return {
          migration: migration.rows[0]?.name,
          sequence: sequence.rows[0],
          seeded: seeded.rows[0]?.n,
        };
      });
      assert.equal(checks.migration, LATEST);
      assert.ok(
        Number(checks.sequence?.last) >= Number(checks.sequence?.top),
        'ids are never reused',
      );
      assert.equal(checks.seeded, SEEDED_LEADS);
    }

    // A store with data is never a restore target: refused, and left exactly as it was.
    const fingerprint = await fingerprintOf(target.env);
    refusal(
      await runCli(target.env, ['restore', '--from', backupFile]),
      1,
      'RESTORE_TARGET_NOT_EMPTY',
    );
    assert.deepEqual(await fingerprintOf(target.env), fingerprint);
  });

  it('refuses an existing --to file, leaving it as it was', async () => {
    const existing = path.join(backupDir, 'existing.backup');
    writeFileSync(existing, 'an older backup');
    const message = refusal(
      await runCli(source.env, ['backup', '--to', existing]),
      1,
      'BACKUP_FILE_EXISTS',
    );
    assert.ok(message.includes(existing), message);
    assert.equal(readFileSync(existing, 'utf8'), 'an older backup');
    rmSync(existing);
  });

  it('refuses a missing option as a usage error naming it', async () => {
    assert.ok(
      refusal(await runCli(source.env, ['backup']), 2, 'INVALID_ARGUMENT').includes('--to'),
    );
    assert.ok(
      refusal(await runCli(source.env, ['restore']), 2, 'INVALID_ARGUMENT').includes('--from'),
    );
    const nowhere = path.join(backupDir, 'no-such-folder', 'x.backup');
    assert.ok(
      refusal(
        await runCli(source.env, ['backup', '--to', nowhere]),
        2,
        'INVALID_ARGUMENT',
      ).includes('--to'),
    );
  });

  it('refuses a backup of an empty store, and every restore of a wrong, foreign or damaged file, changing nothing', async () => {
    assert.ok(backupFile, 'the first test took a backup');
    const empty = await freshStore('leadline_restore_refused');
    stores.push(empty);
    const untouched = await fingerprintOf(empty.env);
    const files = mkdtempSync(path.join(tmpdir(), 'leadline-backup-files-'));
    try {
      // Nothing to back up: no file is written, and no store is created to copy.
      const nothing = path.join(files, 'nothing.backup');
      refusal(await runCli(empty.env, ['backup', '--to', nothing]), 1, 'BACKUP_SOURCE_MISSING');
      assert.deepEqual(entries(files), []);

      // The other store's backup.
      const foreign = path.join(files, 'foreign.backup');
      if (TEST_STORE === 'sqlite') {
        // A pg_dump custom archive starts with PGDMP; its header says what it is.
        writeFileSync(foreign, Buffer.concat([Buffer.from('PGDMP'), Buffer.alloc(2000, 1)]));
      } else {
        const db = new SqliteDatabase(foreign);
        db.exec('create table kysely_migration (name text primary key, timestamp text)');
        db.close();
      }
      const wrong = refusal(
        await runCli(empty.env, ['restore', '--from', foreign]),
        1,
        'BACKUP_WRONG_STORE',
      );
      assert.ok(wrong.includes(TEST_STORE === 'sqlite' ? 'PostgreSQL' : 'SQLite'), wrong);

      // Not a backup at all.
      const text = path.join(files, 'notes.txt');
      writeFileSync(text, 'not a backup\n'.repeat(100));
      refusal(await runCli(empty.env, ['restore', '--from', text]), 1, 'BACKUP_NOT_RECOGNISED');

      // A damaged backup: SQLite's integrity check, or pg_restore reading the archive, finds it.
      const damaged = path.join(files, 'damaged.backup');
      if (TEST_STORE === 'sqlite') {
        copyFileSync(backupFile, damaged);
        const bytes = readFileSync(damaged);
        // Past the first pages (the schema), over table and index pages.
        bytes.fill(0x5a, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 64 * 1024);
        writeFileSync(damaged, bytes);
      } else {
        writeFileSync(damaged, readFileSync(backupFile).subarray(0, 4096));
      }
      refusal(await runCli(empty.env, ['restore', '--from', damaged]), 1, 'BACKUP_CORRUPT');

      assert.deepEqual(await fingerprintOf(empty.env), untouched, 'the target was not changed');
    } finally {
      rmSync(files, { recursive: true, force: true });
    }
  });
});
