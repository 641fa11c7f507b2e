import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { idColumn } from './columns.js';

/**
 * The org model: settings (auto-close, default country), extended-field definitions with their
 * translations, and the audit log of administrative changes.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('orgs').addColumn('auto_close_days', 'integer').execute();
  await db.schema.alterTable('orgs').addColumn('country_code', 'text').execute();

  await idColumn(db.schema.createTable('extended_fields'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull().references('orgs.id'))
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('data_type', 'text', (c) => c.notNull())
    .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0))
    // JSON array of the allowed stored values, for ENUM fields.
    .addColumn('enum_values', 'text')
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('extended_fields_org_name_key', ['org_id', 'entity_type', 'name'])
    .execute();

  await db.schema
    .createTable('extended_field_translations')
    .addColumn('field_id', 'bigint', (c) => c.notNull().references('extended_fields.id'))
    .addColumn('org_id', 'bigint', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    // JSON object: stored enum value -> value shown in this language.
    .addColumn('value_labels', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('extended_field_translations_pkey', ['field_id', 'language'])
    .execute();

  await idColumn(db.schema.createTable('audit_log'), dialect)
    .addColumn('org_id', 'bigint', (c) => c.notNull().references('orgs.id'))
    // The admin entity that acted, or -1 for the command line.
    .addColumn('actor_id', 'bigint', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    // JSON object of what changed; never a secret.
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_log_org_idx')
    .on('audit_log')
    .columns(['org_id', 'id'])
    .execute();

  // Auto-close looks for the org's OPEN and ON_HOLD leads by age of their last change.
  await db.schema
    .createIndex('leads_org_status_updated_idx')
    .on('leads')
    .columns(['org_id', 'status', 'last_updated_on'])
    .execute();

  // Mobiles were stored as bare digits including the country code; E.164 writes them with `+`.
  await sql`update customers set mobile = '+' || mobile where mobile is not null and mobile not like '+%'`.execute(
    db,
  );
}
