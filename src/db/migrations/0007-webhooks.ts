import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { idColumn } from './columns.js';

/**
 * Webhooks (docs/webhooks.md): an org's endpoints, one delivery per event and endpoint, and every
 * attempt of a delivery.
 *
 * - The signing secret is kept as issued, since signing needs it; after a rotation the previous
 *   one keeps signing until `previous_secret_until`.
 * - `last_position` is how far in the event feed the endpoint's deliveries were created: the
 *   dispatcher turns the events after it into deliveries, in feed order.
 * - A delivery held a copy of its payload (0008 drops it: the event's row is read instead).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await idColumn(db.schema.createTable('webhook_endpoints'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    // JSON array of event types; null: every type.
    .addColumn('event_types', 'text')
    .addColumn('description', 'text')
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_until', 'bigint')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('last_position', 'bigint', (c) => c.notNull())
    // Since when every attempt failed (null: the last one succeeded, or none was made).
    .addColumn('failing_since', 'bigint')
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addColumn('updated_on', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_endpoints_org_idx')
    .on('webhook_endpoints')
    .columns(['org_id', 'id'])
    .execute();

  await idColumn(db.schema.createTable('webhook_deliveries'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull())
    .addColumn('endpoint_id', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('lead_id', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // pending, delivered, failed (given up).
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    // 1: made by a replay.
    .addColumn('replay', 'integer', (c) => c.notNull())
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addColumn('completed_on', 'bigint')
    .execute();
  // The dispatcher's work list, and the per-lead order check (an earlier pending delivery of
  // the same lead to the same endpoint holds the later ones back).
  await db.schema
    .createIndex('webhook_deliveries_due_idx')
    .on('webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_lead_order_idx')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'lead_id', 'status', 'id'])
    .execute();
  // The delivery log's filters.
  await db.schema
    .createIndex('webhook_deliveries_endpoint_idx')
    .on('webhook_deliveries')
    .columns(['org_id', 'endpoint_id', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_event_idx')
    .on('webhook_deliveries')
    .columns(['org_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_lead_idx')
    .on('webhook_deliveries')
    .columns(['org_id', 'lead_id'])
    .execute();

  await idColumn(db.schema.createTable('webhook_attempts'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull())
    .addColumn('delivery_id', 'bigint', (c) => c.notNull())
    .addColumn('endpoint_id', 'bigint', (c) => c.notNull())
    .addColumn('attempted_on', 'bigint', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    // The first 1 KB of the response body.
    .addColumn('response_body', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_attempts_delivery_idx')
    .on('webhook_attempts')
    .columns(['delivery_id', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_attempts_endpoint_idx')
    .on('webhook_attempts')
    .columns(['endpoint_id', 'attempted_on'])
    .execute();
}
