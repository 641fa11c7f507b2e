import { spawn } from 'node:child_process';
import pg from 'pg';
import { AppError } from '../core/errors.js';
import { writableHostUrl } from '../db/postgres-hosts.js';
import { placeFile, removeTemporary, temporaryBeside } from './backup.file.js';
import { newestOf, schemaOf, type BackupSchema } from './backup.schema.js';

/**
 * How the PostgreSQL client tools reach `DATABASE_URL`: the URL without its password (it is an
 * argument, which `ps` shows to every user), the password in `PGPASSWORD`, and a label for
 * messages that never carries the password.
 */
type ToolTarget = { url: string; env: Record<string, string>; label: string };

/**
 * The one host the tools work on: of a `DATABASE_URL` naming several, the one that accepts
 * writes (a standby refuses a restore, and a backup of the primary is the newest).
 */
async function oneHost(databaseUrl: string, connectTimeoutMs: number): Promise<string> {
  const url = await writableHostUrl(databaseUrl, connectTimeoutMs);
  if (url === undefined) {
    throw AppError.of(
      'STORE_UNAVAILABLE',
      'none of the PostgreSQL hosts of DATABASE_URL accepts writes',
    );
  }
  return url;
}

function toolTarget(databaseUrl: string, connectTimeoutMs: number): ToolTarget {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return {
    url: url.toString(),
    env: {
      ...(password ? { PGPASSWORD: password } : {}),
      // libpq's connect timeout is whole seconds, and below 2 it means 2.
      PGCONNECT_TIMEOUT: String(Math.max(2, Math.ceil(connectTimeoutMs / 1000))),
    },
    label: `${url.host}${url.pathname}`,
  };
}

/** The advice when a client tool is not installed. */
const INSTALL_HINT =
  'install the PostgreSQL client tools of the server version or newer (Debian: postgresql-client-15) and put them on PATH';

type ToolRun = { code: number | null; stdout: string; stderr: string };

/** The end of a tool's stderr for a message: the error is at the end, and the start is noise. */
const tailOf = (text: string) => text.trim().slice(-1500);

/**
 * Runs `pg_dump` or `pg_restore` to its end and answers its exit and output. A missing binary is
 * BACKUP_FAILED saying what to install.
 */
function runTool(tool: string, args: string[], env: Record<string, string>): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on(
      'data',
      (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-20_000)),
    );
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? AppError.of('BACKUP_FAILED', `${tool} was not found: ${INSTALL_HINT}`)
          : error,
      );
    });
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `work` on one connection to `databaseUrl`; an unreachable server is STORE_UNAVAILABLE. */
async function withClient<T>(
  databaseUrl: string,
  target: ToolTarget,
  connectTimeoutMs: number,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: connectTimeoutMs,
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    // Refused, timed out, a wrong password or no such database: all say the store is not there.
    throw AppError.of(
      'STORE_UNAVAILABLE',
      `cannot reach PostgreSQL at ${target.label}: ${(error as Error).message}`,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A relation an archive creates: a table, a sequence or an index. */
type Relation = { schema: string; name: string; kind: string };

/**
 * The relations a custom archive creates, from `pg_restore --list`: lines such as
 * `231; 1259 16529 TABLE public leads postgres` (`TABLE DATA` and `SEQUENCE SET` lines load
 * rows and values into those, and create nothing).
 */
function relationsOf(list: string): Relation[] {
  const relations: Relation[] = [];
  for (const line of list.split('\n')) {
    const match = /^\d+; \d+ \d+ (TABLE|SEQUENCE|INDEX) (?!DATA |SET |OWNED BY )(\S+) (\S+) /.exec(
      line,
    );
    if (match) relations.push({ kind: match[1]!, schema: match[2]!, name: match[3]! });
  }
  return relations;
}

/** The migration names an archive's `kysely_migration` rows hold (its COPY block's first column). */
async function archivedMigrations(file: string): Promise<string[]> {
  const run = await runTool(
    'pg_restore',
    ['--data-only', '--table=kysely_migration', '--file=-', file],
    {},
  );
  if (run.code !== 0) {
    throw AppError.of('BACKUP_CORRUPT', `pg_restore cannot read ${file}: ${tailOf(run.stderr)}`);
  }
  const lines = run.stdout.split('\n');
  const start = lines.findIndex((line) => /^COPY \S*kysely_migration /.test(line));
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === '\\.') break;
    names.push(line.split('\t')[0] ?? '');
  }
  return names;
}

/**
 * Dumps the `DATABASE_URL` database to `to` as a `pg_dump` custom archive (compressed, and
 * restorable table by table). `pg_dump` reads every table in one repeatable-read transaction, so
 * the archive is the database as of one instant, and it takes only ACCESS SHARE locks, which no
 * insert, update or delete waits for: the server keeps writing.
 */
export async function backupPostgres(
  givenUrl: string,
  to: string,
  connectTimeoutMs: number,
): Promise<{ migration: string }> {
  const databaseUrl = await oneHost(givenUrl, connectTimeoutMs);
  const target = toolTarget(databaseUrl, connectTimeoutMs);
  const hasStore = await withClient(databaseUrl, target, connectTimeoutMs, async (client) => {
    const { rows } = await client.query<{ present: boolean }>(
      "select to_regclass('kysely_migration') is not null as present",
    );
    return rows[0]?.present === true;
  });
  if (!hasStore) {
    throw AppError.of('BACKUP_SOURCE_MISSING', `${target.label} holds no Leadline tables`);
  }
  const temporary = temporaryBeside(to);
  try {
    const run = await runTool(
      'pg_dump',
      ['--format=custom', '--no-password', `--file=${temporary}`, `--dbname=${target.url}`],
      target.env,
    );
    if (run.code !== 0) {
      throw AppError.of(
        'BACKUP_FAILED',
        `pg_dump failed (exit ${run.code}): ${tailOf(run.stderr)}`,
      );
    }
    // Read back from the archive itself, so the summary names what the file holds.
    const migration = newestOf(await archivedMigrations(temporary));
    placeFile(temporary, to, 'BACKUP_FILE_EXISTS');
    return { migration };
  } finally {
    removeTemporary(temporary);
  }
}

/**
 * Restores the custom archive `from` into the `DATABASE_URL` database, which must hold none of
 * the relations the archive creates. `pg_restore` runs as one transaction that stops at the
 * first error, so a failed restore leaves the database as it was; owners and grants are left
 * out, so the archive restores under any role that may create tables there.
 */
export async function restorePostgres(
  givenUrl: string,
  from: string,
  connectTimeoutMs: number,
): Promise<BackupSchema & { target: string }> {
  const databaseUrl = await oneHost(givenUrl, connectTimeoutMs);
  const target = toolTarget(databaseUrl, connectTimeoutMs);
  const list = await runTool('pg_restore', ['--list', '--file=-', from], {});
  if (list.code !== 0) {
    throw AppError.of('BACKUP_CORRUPT', `pg_restore cannot read ${from}: ${tailOf(list.stderr)}`);
  }
  const relations = relationsOf(list.stdout);
  if (!relations.some((r) => r.kind === 'TABLE' && r.name === 'kysely_migration')) {
    throw AppError.of('BACKUP_NOT_RECOGNISED', `${from} is a pg_dump archive, not of Leadline`);
  }
  const schema = schemaOf(await archivedMigrations(from), from);
  await withClient(databaseUrl, target, connectTimeoutMs, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `select n.nspname || '.' || c.relname as name
         from pg_class c
         join pg_namespace n on n.oid = c.relnamespace
         join unnest($1::text[], $2::text[]) as r (schema, name)
           on r.schema = n.nspname and r.name = c.relname
        order by 1`,
      [relations.map((r) => r.schema), relations.map((r) => r.name)],
    );
    if (rows.length > 0) {
      const names = rows.slice(0, 5).map((r) => r.name);
      throw AppError.of(
        'RESTORE_TARGET_NOT_EMPTY',
        `${target.label} already has ${rows.length} of the backup's tables, sequences and indexes (${names.join(', ')}${rows.length > 5 ? ', …' : ''}): restore into an empty database`,
      );
    }
  });
  const run = await runTool(
    'pg_restore',
    [
      '--single-transaction',
      '--exit-on-error',
      '--no-owner',
      '--no-privileges',
      '--no-password',
      `--dbname=${target.url}`,
      from,
    ],
    target.env,
  );
  if (run.code !== 0) {
    throw AppError.of(
      'BACKUP_FAILED',
      `pg_restore failed (exit ${run.code}); nothing was restored: ${tailOf(run.stderr)}`,
    );
  }
  // A restored database has no planner statistics until autovacuum gets to it; the first
  // requests should not run on guesses.
  await withClient(databaseUrl, target, connectTimeoutMs, (client) => client.query('analyze'));
  return { ...schema, target: target.label };
}
