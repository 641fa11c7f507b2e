import { AppError } from '../core/errors.js';
import { MIGRATION_NAMES } from '../db/migrate.js';

/** Where a backup's schema stands against this version's migrations. */
export type BackupSchema = {
  /** The newest migration the backup holds. */
  migration: string;
  /** Migrations this version applies when it next opens the restored store (an older backup). */
  pending: string[];
};

/** The newest of the applied migrations `applied` (names sort in the order they apply). */
export function newestOf(applied: string[]): string {
  return [...applied].sort().at(-1) ?? '';
}

/**
 * The schema of a backup whose migration table lists `applied`. A backup taken by a newer
 * version is refused: this version's migrator would stop on the migrations it does not know, so
 * the restored store could not be opened.
 *
 * @example schemaOf(['0001-initial'], file) // { migration: '0001-initial', pending: [...] }
 */
export function schemaOf(applied: string[], file: string): BackupSchema {
  if (applied.length === 0) {
    throw AppError.of('BACKUP_NOT_RECOGNISED', `${file} holds no applied Leadline migration`);
  }
  const unknown = applied.filter((name) => !MIGRATION_NAMES.includes(name));
  if (unknown.length > 0) {
    throw AppError.of(
      'BACKUP_SCHEMA_NEWER',
      `${file} was taken by a newer Leadline: it holds migrations this version does not know (${unknown.join(', ')}); restore it with that version`,
    );
  }
  const done = new Set(applied);
  return {
    migration: newestOf(applied),
    pending: MIGRATION_NAMES.filter((name) => !done.has(name)),
  };
}
