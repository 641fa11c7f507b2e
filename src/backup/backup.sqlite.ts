import { constants, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { AppError } from '../core/errors.js';
import { placeFile, removeTemporary, temporaryBeside } from './backup.file.js';
import { newestOf, schemaOf, type BackupSchema } from './backup.schema.js';

/** The store's file in its data folder, as `openStore` names it. */
const storeFile = (dataDir: string) => path.resolve(dataDir, 'leadline.db');

/** How long the backup waits for a lock the server holds (a checkpoint, WAL recovery). */
const BUSY_TIMEOUT_MS = 5000;

/** The migrations a SQLite database records as applied; empty when it has no migration table. */
function appliedMigrations(db: SqliteDatabase.Database): string[] {
  const table = db
    .prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'")
    .get();
  if (table === undefined) return [];
  return (db.prepare('select name from kysely_migration').all() as Array<{ name: string }>).map(
    (row) => row.name,
  );
}

/** What SQLite's `integrity_check` or `quick_check` finds wrong; empty when it answers `ok`. */
function pageFaultsOf(
  db: SqliteDatabase.Database,
  check: 'integrity_check' | 'quick_check',
): string[] {
  const rows = (db.pragma(check) as Array<Record<string, string>>).map((row) => String(row[check]));
  return rows.length === 1 && rows[0] === 'ok' ? [] : rows;
}

/**
 * Everything wrong with a database about to become the store: `integrity_check` reads every page
 * and checks every index against its table; `foreign_key_check` finds rows pointing at missing
 * parents, which SQLite does not check on connections where `foreign_keys` is off.
 */
function faultsOf(db: SqliteDatabase.Database): string[] {
  const orphans = db.pragma('foreign_key_check') as Array<{ table: string; parent: string }>;
  return [
    ...pageFaultsOf(db, 'integrity_check'),
    ...orphans.map((row) => `a row of ${row.table} points at a missing ${row.parent}`),
  ];
}

/** SQLite's answer to a file whose header is SQLite's but whose pages are not. */
function isDamaged(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(NOTADB|CORRUPT)/.test(code);
}

/**
 * Copies the SQLite store of `dataDir` to `to` while the server keeps writing.
 *
 * `VACUUM INTO` rather than the online-backup API (`db.backup()`): it copies inside one read
 * transaction, so the copy is the database as of one instant, and in WAL mode the server's
 * writes go on beside it (readers never block the writer). The backup API copies in steps and
 * starts over whenever another process writes between two steps, so under a steady load it
 * might never finish. `VACUUM INTO` also writes one compact file, without the `-wal` beside it:
 * the backup is a single, self-contained SQLite database.
 */
export function backupSqlite(dataDir: string, to: string): { migration: string } {
  const source = storeFile(dataDir);
  if (!existsSync(source)) {
    throw AppError.of('BACKUP_SOURCE_MISSING', `no store to back up: ${source} does not exist`);
  }
  const temporary = temporaryBeside(to);
  try {
    // Read-only: the backup can never change the store, whatever goes wrong.
    const db = new SqliteDatabase(source, { readonly: true, fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.prepare('VACUUM INTO ?').run(temporary);
    } finally {
      db.close();
    }
    const copy = new SqliteDatabase(temporary, { readonly: true, fileMustExist: true });
    let migration: string;
    try {
      // Checked now, so a damaged copy is known the day it is taken, not the day it is needed.
      // `quick_check` (a tenth of `integrity_check`'s time on 100,000 leads): what the full check
      // adds, every index against its table, holds by construction here, since VACUUM INTO
      // built each index afresh from its table. A restore runs the full check.
      const faults = pageFaultsOf(copy, 'quick_check');
      if (faults.length > 0) {
        throw AppError.of(
          'BACKUP_FAILED',
          `the copy fails its check: ${faults.slice(0, 5).join('; ')}`,
        );
      }
      const applied = appliedMigrations(copy);
      if (applied.length === 0) {
        throw AppError.of('BACKUP_SOURCE_MISSING', `${source} holds no Leadline tables`);
      }
      migration = newestOf(applied);
    } finally {
      copy.close();
    }
    placeFile(temporary, to, 'BACKUP_FILE_EXISTS');
    return { migration };
  } finally {
    removeTemporary(temporary);
  }
}

/**
 * Restores the SQLite backup `from` into `dataDir`, which must hold no store. The backup is
 * copied beside the store's name and checked there (integrity, foreign keys, schema version)
 * before it takes the name, so a refused or failed restore leaves the folder as it was.
 */
export function restoreSqlite(dataDir: string, from: string): BackupSchema & { target: string } {
  const target = storeFile(dataDir);
  // A -wal left without its database would be replayed into the restored file at next open.
  const present = [target, `${target}-wal`, `${target}-shm`].filter((file) => existsSync(file));
  if (present.length > 0) {
    throw AppError.of(
      'RESTORE_TARGET_NOT_EMPTY',
      `${dataDir} holds a store already (${present.map((file) => path.basename(file)).join(', ')}): restore into a DATA_DIR without one`,
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const temporary = temporaryBeside(target);
  try {
    copyFileSync(from, temporary, constants.COPYFILE_EXCL);
    let schema: BackupSchema;
    try {
      const db = new SqliteDatabase(temporary, { readonly: true, fileMustExist: true });
      try {
        const faults = faultsOf(db);
        if (faults.length > 0) {
          throw AppError.of('BACKUP_CORRUPT', `${from}: ${faults.slice(0, 5).join('; ')}`);
        }
        schema = schemaOf(appliedMigrations(db), from);
      } finally {
        db.close();
      }
    } catch (error) {
      if (isDamaged(error)) {
        throw AppError.of(
          'BACKUP_CORRUPT',
          `${from} is not a readable SQLite database: ${(error as Error).message}`,
        );
      }
      throw error;
    }
    placeFile(temporary, target, 'RESTORE_TARGET_NOT_EMPTY');
    return { ...schema, target };
  } finally {
    removeTemporary(temporary);
  }
}
