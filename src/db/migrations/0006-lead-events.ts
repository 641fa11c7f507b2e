import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { idColumn } from './columns.js';

/**
 * The outbox of lead events (docs/events.md): one row per lead change, written in the change's
 * own transaction. `position` orders the event feed: on SQLite it is set at insert (one writer, so
 * insert order is commit order); on PostgreSQL it is set after commit by the sequencer, in id
 * order, so a position is never given to an event that a reader could see after a later one.
 * An org may keep its events a number of days of its own (null: the default of 7).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('orgs').addColumn('event_retention_days', 'integer').execute();
  await idColumn(db.schema.createTable('lead_events'), dialect)
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('org_id', 'bigint', (c) => c.notNull())
    .addColumn('lead_id', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('position', 'bigint')
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    // The Standard Webhooks envelope `{type, timestamp, data}`, as JSON text.
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  // The last position given: positions only grow, even after retention deleted every event, so
  // a consumer's cursor never points past positions that are still to come.
  await db.schema
    .createTable('lead_event_positions')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_position', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into lead_event_positions (name, last_position) values ('feed', 0)`.execute(db);
  await db.schema
    .createIndex('lead_events_org_position_idx')
    .on('lead_events')
    .columns(['org_id', 'position'])
    .execute();
  // One lead's events (`leadId` filter), in feed order.
  await db.schema
    .createIndex('lead_events_lead_position_idx')
    .on('lead_events')
    .columns(['org_id', 'lead_id', 'position'])
    .execute();
  await db.schema
    .createIndex('lead_events_created_idx')
    .on('lead_events')
    .column('created_on')
    .execute();
  if (dialect === 'postgres') {
    // The sequencer's work list: events committed but not yet given a position.
    await sql`create index lead_events_unpositioned_idx on lead_events (id) where position is null`.execute(
      db,
    );
  }
}
