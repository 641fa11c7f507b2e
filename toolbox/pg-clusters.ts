import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, sleep } from './processes.js';

/**
 * A PostgreSQL primary and its streaming standby, built on this machine for a failover drill
 * (docs/deploy.md, "PostgreSQL that fails over"): two clusters of their own in a temporary
 * folder, on free ports of 127.0.0.1, so that stopping the primary touches nothing else. The
 * primary waits for the standby on every commit (`synchronous_standby_names = '*'`, and
 * Leadline's sessions ask for `synchronous_commit = on`): an acknowledged write is on both.
 */
export type PrimaryAndStandby = {
  primaryPort: number;
  standbyPort: number;
  /** `postgres://postgres@127.0.0.1:P1,127.0.0.1:P2/leadline`: both, the primary first. */
  databaseUrl: string;
  /** A one-host URL of the database `leadline` on `port`. */
  urlOn(port: number): string;
  /** The primary dies as in a crash (`pg_ctl stop -m immediate`). */
  crashPrimary(): void;
  /** `pg_ctl promote` on the standby; resolves once it accepts writes. */
  promoteStandby(): Promise<void>;
  /**
   * Starts the crashed primary again as it was, a primary on the old timeline: the split brain
   * an operator must prevent, which a client choosing between the two must survive.
   */
  restartOldPrimary(): Promise<void>;
  /** Stops the standby (`pg_ctl stop -m fast`). */
  stopStandby(): void;
  /** Stops both (whichever run) and removes their folder. */
  remove(): void;
};

/** The folder of the server's programs (initdb, pg_ctl, pg_basebackup): Debian's newest. */
function binDirectory(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(path.join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors[0]) throw new Error(`no PostgreSQL server programs under ${root}`);
  return path.join(root, majors[0], 'bin');
}

/** A server program run as the `postgres` user (initdb refuses root), or as ourselves. */
function postgresCommand(program: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', program, ...args]]
    : [program, args];
}

function asPostgres(program: string, args: string[]): string {
  const [command, argv] = postgresCommand(program, args);
  return execFileSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Polls `query` on `url` until it answers a row whose `ok` is true, or fails after `ms`. */
async function until(url: string, query: string, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      const { rows } = await client.query<{ ok: boolean }>(query);
      if (rows[0]?.ok) return;
    } catch {
      // Not up yet.
    } finally {
      await client.end().catch(() => {});
    }
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await sleep(100);
  }
}

/**
 * `synchronous` (default true): the primary waits for the standby on every commit. A drill that
 * stops the standby wants it false, or the primary would wait for it forever.
 */
export async function startPrimaryAndStandby({
  synchronous = true,
}: { synchronous?: boolean } = {}): Promise<PrimaryAndStandby> {
  const bin = binDirectory();
  const root = mkdtempSync(path.join(tmpdir(), 'leadline-failover-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  const primaryDir = path.join(root, 'primary');
  const standbyDir = path.join(root, 'standby');
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const serverOptions = (port: number, extra: string[] = []) =>
    [
      `-p ${port}`,
      `-k ${root}`,
      '-c listen_addresses=127.0.0.1',
      '-c shared_buffers=32MB',
      '-c max_connections=60',
      ...extra,
    ].join(' ');
  const pgCtl = (args: string[]) => asPostgres(path.join(bin, 'pg_ctl'), args);
  const stopQuietly = (dir: string) =>
    spawnSync(...postgresCommand(path.join(bin, 'pg_ctl'), ['-D', dir, '-m', 'fast', 'stop']), {
      stdio: 'ignore',
    });

  asPostgres(path.join(bin, 'initdb'), ['-D', primaryDir, '--auth=trust', '-U', 'postgres']);
  pgCtl([
    ...['-D', primaryDir, '-l', path.join(root, 'primary.log'), '-w', 'start'],
    ...['-o', serverOptions(primaryPort, synchronous ? ["-c synchronous_standby_names='*'"] : [])],
  ]);
  const urlOn = (port: number, database = 'leadline') =>
    `postgres://postgres@127.0.0.1:${port}/${database}`;
  asPostgres(path.join(bin, 'pg_basebackup'), [
    ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'],
    ...['-D', standbyDir, '-R', '-X', 'stream', '-c', 'fast'],
  ]);
  // The standby's own options leave out synchronous_standby_names: once promoted it has no
  // standby, and would otherwise wait for one on every commit.
  pgCtl([
    ...['-D', standbyDir, '-l', path.join(root, 'standby.log'), '-w', 'start'],
    ...['-o', serverOptions(standbyPort)],
  ]);
  await until(
    urlOn(primaryPort, 'postgres'),
    `select exists (select 1 from pg_stat_replication where sync_state = '${synchronous ? 'sync' : 'async'}') as ok`,
    20_000,
    'the standby did not stream',
  );
  const admin = new pg.Client({ connectionString: urlOn(primaryPort, 'postgres') });
  await admin.connect();
  await admin.query('create database leadline');
  await admin.end();

  return {
    primaryPort,
    standbyPort,
    databaseUrl: `postgres://postgres@127.0.0.1:${primaryPort},127.0.0.1:${standbyPort}/leadline`,
    urlOn: (port) => urlOn(port),
    crashPrimary: () => {
      pgCtl(['-D', primaryDir, '-m', 'immediate', 'stop']);
    },
    promoteStandby: async () => {
      pgCtl(['-D', standbyDir, '-w', 'promote']);
      await until(
        urlOn(standbyPort),
        'select not pg_is_in_recovery() as ok',
        20_000,
        'the promoted standby did not accept writes',
      );
    },
    restartOldPrimary: async () => {
      pgCtl([
        ...['-D', primaryDir, '-l', path.join(root, 'primary.log'), '-w', 'start'],
        ...['-o', serverOptions(primaryPort)],
      ]);
      await until(
        urlOn(primaryPort),
        'select not pg_is_in_recovery() as ok',
        20_000,
        'the old primary did not start',
      );
    },
    stopStandby: () => {
      pgCtl(['-D', standbyDir, '-m', 'fast', 'stop']);
    },
    remove: () => {
      stopQuietly(standbyDir);
      stopQuietly(primaryDir);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
