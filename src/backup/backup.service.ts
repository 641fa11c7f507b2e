import type { Config } from '../core/config.js';
import { AppError } from '../core/errors.js';
import {
  backupSource,
  backupTarget,
  bytesOf,
  kindOfFile,
  secondsSince,
  type BackupKind,
} from './backup.file.js';
import { backupPostgres, restorePostgres } from './backup.postgres.js';
import { backupSqlite, restoreSqlite } from './backup.sqlite.js';

/**
 * `leadline backup` and `leadline restore` (docs/backup.md). Both work on the store the
 * configuration names, chosen as `openStore` chooses it (`DATABASE_URL`, else `DATA_DIR`), and
 * neither opens it through `openStore` nor migrates it: a backup copies the store as it is (the
 * copy taken before an upgrade must not be of the upgraded schema), and a restore needs the
 * target empty.
 */

/** What `leadline backup` prints. */
export type BackupSummary = {
  store: BackupKind;
  /** The backup file, absolute. */
  file: string;
  bytes: number;
  seconds: number;
  /** The newest migration the backup holds. */
  migration: string;
};

/** What `leadline restore` prints. */
export type RestoreSummary = BackupSummary & {
  /** The restored store: the SQLite file, or PostgreSQL's `host:port/database`. */
  target: string;
  /** Migrations the next start (or `leadline migrate`) applies: the backup is older. */
  pending: string[];
};

const storeOf = (config: Config): BackupKind => (config.databaseUrl ? 'postgres' : 'sqlite');

/**
 * Copies the configured store to the new file `to`, consistently, while a server writes to it.
 *
 * @example await backupStore(loadConfig(), { to: '/backups/leadline-2026-03-01.db' })
 */
export async function backupStore(config: Config, { to }: { to: string }): Promise<BackupSummary> {
  const started = performance.now();
  const file = backupTarget(to);
  const store = storeOf(config);
  const { migration } = config.databaseUrl
    ? await backupPostgres(config.databaseUrl, file, config.pgConnectTimeoutMs)
    : backupSqlite(config.dataDir, file);
  return { store, file, bytes: bytesOf(file), seconds: secondsSince(started), migration };
}

/**
 * Restores the backup `from` into the configured store, which must be empty; a refused or failed
 * restore changes nothing.
 *
 * @example await restoreStore(loadConfig(), { from: '/backups/leadline-2026-03-01.db' })
 */
export async function restoreStore(
  config: Config,
  { from }: { from: string },
): Promise<RestoreSummary> {
  const started = performance.now();
  const file = backupSource(from);
  const store = storeOf(config);
  const kind = kindOfFile(file);
  if (kind === undefined) {
    throw AppError.of(
      'BACKUP_NOT_RECOGNISED',
      `${file} is neither a SQLite database nor a pg_dump custom archive`,
    );
  }
  if (kind !== store) {
    throw AppError.of(
      'BACKUP_WRONG_STORE',
      kind === 'sqlite'
        ? `${file} is a SQLite backup and DATABASE_URL names PostgreSQL: restore it with DATA_DIR (and no DATABASE_URL)`
        : `${file} is a PostgreSQL backup (a pg_dump archive) and no DATABASE_URL is set: restore it with DATABASE_URL naming an empty database`,
    );
  }
  const restored = config.databaseUrl
    ? await restorePostgres(config.databaseUrl, file, config.pgConnectTimeoutMs)
    : restoreSqlite(config.dataDir, file);
  return {
    store,
    file,
    bytes: bytesOf(file),
    seconds: secondsSince(started),
    migration: restored.migration,
    target: restored.target,
    pending: restored.pending,
  };
}
