import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { idColumn } from './columns.js';

/** Orgs, entities, credentials, customers, reasons, sub-statuses, channels, leads and history. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await idColumn(db.schema.createTable('orgs'), dialect)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .execute();

  await idColumn(db.schema.createTable('entities'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull().references('orgs.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'bigint', (c) => c.references('entities.id'))
    .addColumn('username', 'text', (c) => c.unique())
    .addColumn('password_hash', 'text')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('entities_org_code_key', ['org_id', 'code'])
    .execute();
  await db.schema
    .createIndex('entities_org_parent_idx')
    .on('entities')
    .columns(['org_id', 'parent_id'])
    .execute();

  await idColumn(db.schema.createTable('oauth_clients'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull().references('orgs.id'))
    .addColumn('entity_id', 'bigint', (c) => c.notNull().references('entities.id'))
    .addColumn('client_key', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('oauth_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'bigint', (c) => c.notNull())
    .addColumn('client_id', 'bigint', (c) => c.notNull().references('oauth_clients.id'))
    .addColumn('entity_id', 'bigint', (c) => c.notNull())
    .addColumn('expires_on', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('oauth_tokens_expires_idx')
    .on('oauth_tokens')
    .column('expires_on')
    .execute();

  await idColumn(db.schema.createTable('customers'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull().references('orgs.id'))
    .addColumn('email', 'text')
    .addColumn('mobile', 'text')
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('customers_org_email_key', ['org_id', 'email'])
    .addUniqueConstraint('customers_org_mobile_key', ['org_id', 'mobile'])
    .execute();

  await idColumn(db.schema.createTable('reasons'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull().references('orgs.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reason_key', 'text', (c) => c.notNull())
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('reasons_org_key_key', ['org_id', 'reason_key'])
    .execute();

  await idColumn(db.schema.createTable('sub_statuses'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull().references('orgs.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sub_status', 'text', (c) => c.notNull())
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('sub_statuses_org_pair_key', ['org_id', 'status', 'sub_status'])
    .execute();

  await db.schema
    .createTable('channels')
    .addColumn('org_id', 'bigint', (c) => c.notNull().references('orgs.id'))
    .addColumn('source_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('channels_pkey', ['org_id', 'source_id'])
    .execute();

  await idColumn(db.schema.createTable('leads'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull().references('orgs.id'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('customers.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('lead_for', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sub_status', 'text')
    .addColumn('owner_id', 'bigint', (c) => c.references('entities.id'))
    .addColumn('next_follow_up', 'bigint')
    .addColumn('last_follow_up', 'bigint')
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'bigint', (c) => c.notNull())
    .addColumn('last_updated_on', 'bigint', (c) => c.notNull())
    .addColumn('last_updated_by', 'bigint', (c) => c.notNull())
    .addColumn('org_source_id', 'integer', (c) => c.notNull())
    .addColumn('extended_fields', 'text', (c) => c.notNull())
    .execute();
  // One index per list filter and sort of GET /v2/leads, each led by org_id and ending in id so
  // the default order (and every tie-break) is served by the index too.
  const leadIndexes: Array<[string, string[]]> = [
    ['leads_org_id_idx', ['org_id', 'id']],
    ['leads_org_status_idx', ['org_id', 'status', 'id']],
    ['leads_org_sub_status_idx', ['org_id', 'sub_status', 'id']],
    ['leads_org_owner_idx', ['org_id', 'owner_id', 'id']],
    ['leads_org_user_idx', ['org_id', 'user_id', 'id']],
    ['leads_org_created_by_idx', ['org_id', 'created_by', 'id']],
    ['leads_org_source_idx', ['org_id', 'org_source_id', 'id']],
    ['leads_org_type_idx', ['org_id', 'type', 'id']],
    ['leads_org_created_on_idx', ['org_id', 'created_on', 'id']],
    ['leads_org_last_updated_idx', ['org_id', 'last_updated_on', 'id']],
  ];
  for (const [name, columns] of leadIndexes) {
    await db.schema.createIndex(name).on('leads').columns(columns).execute();
  }

  await idColumn(db.schema.createTable('follow_ups'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull())
    .addColumn('lead_id', 'bigint', (c) => c.notNull().references('leads.id'))
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('created_by', 'bigint', (c) => c.notNull())
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addColumn('followed_up_by', 'bigint', (c) => c.notNull())
    .addColumn('followed_up_on', 'bigint', (c) => c.notNull())
    .addColumn('scheduled_follow_up', 'bigint')
    .execute();
  await db.schema
    .createIndex('follow_ups_lead_idx')
    .on('follow_ups')
    .columns(['lead_id', 'id'])
    .execute();

  await idColumn(db.schema.createTable('status_logs'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull())
    .addColumn('lead_id', 'bigint', (c) => c.notNull().references('leads.id'))
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sub_status', 'text')
    .addColumn('created_by', 'bigint', (c) => c.notNull())
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addColumn('reason_id', 'bigint', (c) => c.notNull().references('reasons.id'))
    .execute();
  await db.schema
    .createIndex('status_logs_lead_idx')
    .on('status_logs')
    .columns(['lead_id', 'id'])
    .execute();
}
