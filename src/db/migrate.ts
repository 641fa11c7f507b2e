import { Migrator, type Migration, type MigrationResult, type MigrationResultSet } from 'kysely';
import type { Store } from './database.js';
import * as initial from './migrations/0001-initial.js';
import * as orgModel from './migrations/0002-org-model.js';
import * as rateLimits from './migrations/0003-rate-limits.js';
import * as concurrency from './migrations/0004-concurrency.js';
import * as statusSortIndex from './migrations/0005-status-sort-index.js';
import * as leadEvents from './migrations/0006-lead-events.js';
import * as webhooks from './migrations/0007-webhooks.js';
import * as deliveryPayloadByReference from './migrations/0008-delivery-payload-by-reference.js';
import * as analyticsSettings from './migrations/0009-analytics-settings.js';
import * as leadStatusFacts from './migrations/0010-lead-status-facts.js';
import * as pendingDeliveryIndexes from './migrations/0011-pending-delivery-indexes.js';
import * as expiryPurgeByOrg from './migrations/0012-expiry-purge-by-org.js';
import * as leadStayFacts from './migrations/0013-lead-stay-facts.js';
import * as followUpsCoveringIndex from './migrations/0014-follow-ups-covering-index.js';
import * as webSessions from './migrations/0015-web-sessions.js';
import * as workedFollowUpIndex from './migrations/0016-worked-follow-up-index.js';
import * as ownerSortIndex from './migrations/0017-owner-sort-index.js';
import * as oauthClientsByOrg from './migrations/0018-oauth-clients-by-org.js';
import * as statusLogOrgIndex from './migrations/0019-status-log-org-index.js';
import * as orgKeys from './migrations/0020-org-keys.js';
import * as orgEventPositions from './migrations/0021-org-event-positions.js';
import * as analyticsIndexByCreation from './migrations/0022-analytics-index-by-creation.js';
import * as followUpsByCreator from './migrations/0023-follow-ups-by-creator.js';

/** The ordered migrations. Append new ones; never edit or reorder one that has shipped. */
const MIGRATIONS: Record<string, { up: typeof initial.up }> = {
  '0001-initial': initial,
  '0002-org-model': orgModel,
  '0003-rate-limits': rateLimits,
  '0004-concurrency': concurrency,
  '0005-status-sort-index': statusSortIndex,
  '0006-lead-events': leadEvents,
  '0007-webhooks': webhooks,
  '0008-delivery-payload-by-reference': deliveryPayloadByReference,
  '0009-analytics-settings': analyticsSettings,
  '0010-lead-status-facts': leadStatusFacts,
  '0011-pending-delivery-indexes': pendingDeliveryIndexes,
  '0012-expiry-purge-by-org': expiryPurgeByOrg,
  '0013-lead-stay-facts': leadStayFacts,
  '0014-follow-ups-covering-index': followUpsCoveringIndex,
  '0015-web-sessions': webSessions,
  '0016-worked-follow-up-index': workedFollowUpIndex,
  '0017-owner-sort-index': ownerSortIndex,
  '0018-oauth-clients-by-org': oauthClientsByOrg,
  '0019-status-log-org-index': statusLogOrgIndex,
  '0020-org-keys': orgKeys,
  '0021-org-event-positions': orgEventPositions,
  '0022-analytics-index-by-creation': analyticsIndexByCreation,
  '0023-follow-ups-by-creator': followUpsByCreator,
};

/**
 * The names of the migrations this version knows, in order: a restore compares a backup's
 * applied migrations with them (a backup from a newer version holds names missing here).
 */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

/**
 * Applies every pending migration in order. Safe to call from several processes at once:
 * Kysely's migrator takes a lock row first, and a finished migration is never run twice.
 *
 * @example const applied = await migrateToLatest(store); // ['0001-initial']
 */
export async function migrateToLatest(store: Store): Promise<string[]> {
  return appliedBy(await migratorOf(store).migrateToLatest());
}

/**
 * Applies the pending migrations up to `target` (one of {@link MIGRATION_NAMES}) and no further:
 * what a store that an older version made looks like, for tests of the migrations that follow.
 */
export async function migrateTo(store: Store, target: string): Promise<string[]> {
  return appliedBy(await migratorOf(store).migrateTo(target));
}

function migratorOf(store: Store): Migrator {
  const migrations: Record<string, Migration> = {};
  for (const [name, migration] of Object.entries(MIGRATIONS)) {
    migrations[name] = { up: (db) => migration.up(db, store.dialect) };
  }
  return new Migrator({
    db: store.schemaDb,
    provider: { getMigrations: async () => migrations },
  });
}

function appliedBy({ error, results }: MigrationResultSet): string[] {
  if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
  return (results ?? [])
    .filter((r: MigrationResult) => r.status === 'Success')
    .map((r) => r.migrationName);
}
