import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { AppError, type ErrorName } from '../core/errors.js';

/** Which store a backup file is of, read from its first bytes. */
export type BackupKind = 'sqlite' | 'postgres';

/** Every SQLite database file starts with these 16 bytes. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** `pg_dump --format=custom` archives start with these 5 bytes. */
const PG_DUMP_HEADER = Buffer.from('PGDMP', 'latin1');

/**
 * The store a backup file is of, by its header: a SQLite database, or a `pg_dump` custom
 * archive; undefined for anything else.
 *
 * @example kindOfFile('/backups/leadline.db') // 'sqlite'
 */
export function kindOfFile(file: string): BackupKind | undefined {
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, 'r');
  let read: number;
  try {
    read = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read === SQLITE_HEADER.length && head.equals(SQLITE_HEADER)) return 'sqlite';
  if (
    read >= PG_DUMP_HEADER.length &&
    head.subarray(0, PG_DUMP_HEADER.length).equals(PG_DUMP_HEADER)
  )
    return 'postgres';
  return undefined;
}

/** The size of `file` in bytes. */
export function bytesOf(file: string): number {
  return statSync(file).size;
}

/**
 * `--to FILE` as an absolute path, refused when the file exists already (a backup never
 * overwrites: the file it would replace may be the only good copy) or its folder does not.
 */
export function backupTarget(to: string): string {
  if (to.trim() === '') throw AppError.of('INVALID_ARGUMENT', '--to must name a file');
  const file = path.resolve(to);
  if (existsSync(file)) {
    throw AppError.of('BACKUP_FILE_EXISTS', `--to ${file} exists already; choose a new name`);
  }
  const folder = path.dirname(file);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw AppError.of('INVALID_ARGUMENT', `--to: the folder ${folder} does not exist`);
  }
  return file;
}

/** `--from FILE` as an absolute path, refused unless it is a readable file. */
export function backupSource(from: string): string {
  if (from.trim() === '') throw AppError.of('INVALID_ARGUMENT', '--from must name a file');
  const file = path.resolve(from);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw AppError.of('INVALID_ARGUMENT', `--from: no file ${file}`);
  }
  return file;
}

/**
 * A name beside `target` for the file being written, so it is renamed within one folder (one
 * file system) and a half-written copy is recognisable by its name if the process dies.
 */
export function temporaryBeside(target: string): string {
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${suffix}.partial`);
}

function fsyncPath(file: string, flags: 'r' | 'r+'): void {
  const fd = openSync(file, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Puts the finished file `temporary` under the name `target`, durably, and never over an
 * existing file: the bytes are synced first, then hard-linked to the target name (which fails
 * when the name was taken meanwhile, unlike a rename) and the temporary name removed; the folder
 * is synced so the new name survives a power cut. Backups hold password hashes and customers'
 * contacts, so the file is readable by its owner only.
 *
 * `taken` names the error when `target` exists by the time the copy is done.
 */
export function placeFile(temporary: string, target: string, taken: ErrorName): void {
  chmodSync(temporary, 0o600);
  fsyncPath(temporary, 'r+');
  try {
    linkSync(temporary, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw AppError.of(taken, `${target} appeared while the copy was made; nothing was replaced`);
    }
    throw error;
  }
  rmSync(temporary, { force: true });
  fsyncPath(path.dirname(target), 'r');
}

/** Removes a temporary file left by a failed run; a missing one is fine. */
export function removeTemporary(file: string): void {
  rmSync(file, { force: true });
}

/** Seconds since `started` (a `performance.now()`), to the hundredth. */
export function secondsSince(started: number): number {
  return Math.round((performance.now() - started) / 10) / 100;
}
