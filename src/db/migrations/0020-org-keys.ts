import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Tables whose rows are one org's and numbered by `id`: their primary key becomes
 * `(org_id, id)`. `id` stays unique on its own on one server (an identity column), the key only
 * adds the column.
 */
const ORG_TABLES = [
  'entities',
  'oauth_clients',
  'customers',
  'reasons',
  'sub_statuses',
  'leads',
  'follow_ups',
  'status_logs',
  'extended_fields',
  'audit_log',
  'lead_events',
  'webhook_endpoints',
  'webhook_deliveries',
  'webhook_attempts',
] as const;

/** Indexes on `(org_id, id)` that the new primary keys make redundant. */
const REDUNDANT_INDEXES = [
  'leads_org_id_idx',
  'audit_log_org_idx',
  'webhook_endpoints_org_idx',
  'oauth_clients_org_idx',
] as const;

/** The references from one org's row to another row, and the key each now goes through. */
const ORG_REFERENCES: ReadonlyArray<{
  table: string;
  old: string;
  name: string;
  column: string;
  target: string;
}> = [
  {
    table: 'entities',
    old: 'entities_parent_id_fkey',
    name: 'entities_parent_fkey',
    column: 'parent_id',
    target: 'entities',
  },
  {
    table: 'oauth_clients',
    old: 'oauth_clients_entity_id_fkey',
    name: 'oauth_clients_entity_fkey',
    column: 'entity_id',
    target: 'entities',
  },
  {
    table: 'oauth_tokens',
    old: 'oauth_tokens_client_id_fkey',
    name: 'oauth_tokens_client_fkey',
    column: 'client_id',
    target: 'oauth_clients',
  },
  {
    table: 'leads',
    old: 'leads_user_id_fkey',
    name: 'leads_customer_fkey',
    column: 'user_id',
    target: 'customers',
  },
  {
    table: 'leads',
    old: 'leads_owner_id_fkey',
    name: 'leads_owner_fkey',
    column: 'owner_id',
    target: 'entities',
  },
  {
    table: 'follow_ups',
    old: 'follow_ups_lead_id_fkey',
    name: 'follow_ups_lead_fkey',
    column: 'lead_id',
    target: 'leads',
  },
  {
    table: 'status_logs',
    old: 'status_logs_lead_id_fkey',
    name: 'status_logs_lead_fkey',
    column: 'lead_id',
    target: 'leads',
  },
  {
    table: 'status_logs',
    old: 'status_logs_reason_id_fkey',
    name: 'status_logs_reason_fkey',
    column: 'reason_id',
    target: 'reasons',
  },
  {
    table: 'extended_field_translations',
    old: 'extended_field_translations_field_id_fkey',
    name: 'extended_field_translations_field_fkey',
    column: 'field_id',
    target: 'extended_fields',
  },
];

/**
 * Every key of an org's rows includes `org_id` (docs/scale-out.md): the primary keys become
 * `(org_id, id)`, references between an org's rows go through `(org_id, …)` (so the store itself
 * refuses a lead whose owner, customer or reason is another org's), and an event's id is unique
 * within its org. Citus enforces a key on a distributed table only when it includes the
 * distribution column; rebuilding keys is cheap while the tables are small and slow once they
 * are not, hence now.
 *
 * PostgreSQL only, apart from one unique index: SQLite's `id` is the table's rowid alias, and a
 * composite primary key would make every table keep a second b-tree beside its rows. SQLite gets
 * the translations' `(org_id, field_id, language)` key so that one upsert names one key on both
 * stores. The usernames', client keys' and tokens' keys stay as they are (docs/scale-out.md says
 * why and what happens to them on Citus).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') {
    await sql`create unique index extended_field_translations_org_key
                on extended_field_translations (org_id, field_id, language)`.execute(db);
    return;
  }
  for (const ref of ORG_REFERENCES) {
    await sql`alter table ${sql.table(ref.table)} drop constraint ${sql.ref(ref.old)}`.execute(db);
  }
  for (const table of ORG_TABLES) {
    await sql`alter table ${sql.table(table)}
                drop constraint ${sql.ref(`${table}_pkey`)},
                add constraint ${sql.ref(`${table}_pkey`)} primary key (org_id, id)`.execute(db);
  }
  for (const index of REDUNDANT_INDEXES) await sql`drop index ${sql.ref(index)}`.execute(db);
  await sql`alter table extended_field_translations
              drop constraint extended_field_translations_pkey,
              add constraint extended_field_translations_pkey
                primary key (org_id, field_id, language)`.execute(db);
  await sql`alter table idempotency_keys
              drop constraint idempotency_keys_pkey,
              add constraint idempotency_keys_pkey primary key (org_id, entity_id, idem_key)`.execute(
    db,
  );
  await sql`alter table lead_events
              drop constraint lead_events_event_id_key,
              add constraint lead_events_org_event_key unique (org_id, event_id)`.execute(db);
  for (const ref of ORG_REFERENCES) {
    await sql`alter table ${sql.table(ref.table)}
                add constraint ${sql.ref(ref.name)}
                foreign key (org_id, ${sql.ref(ref.column)})
                references ${sql.table(ref.target)} (org_id, id)`.execute(db);
  }
}
