import type { Generated, Kysely, Selectable } from 'kysely';

/**
 * Row types of every table, snake_case as stored. API types are camelCase and live beside each
 * domain's schemas; exactly one function per domain maps a row to its API shape.
 *
 * Instants are stored as integer milliseconds since the Unix epoch (UTC) in both stores, so
 * comparisons, sorting and indexes behave the same on SQLite and PostgreSQL.
 */

export type OrgTable = {
  id: Generated<number>;
  name: string;
  created_on: number;
  /** OPEN and ON_HOLD leads unchanged for this many days are closed as LOST; null: never. */
  auto_close_days: number | null;
  /** ISO 3166-1 alpha-2 country of mobile numbers given without an international prefix. */
  country_code: string | null;
  /** Requests per minute per credential; null: the deployment's `RATE_LIMIT_PER_MINUTE`. */
  rate_limit_per_minute: Generated<number | null>;
  /** 1: lead writes must carry `If-Match`. */
  require_if_match: Generated<number>;
  /** Days the org's lead events stay in the feed; null: the default (7). */
  event_retention_days: Generated<number | null>;
  /** IANA time zone that analytics' weeks, months and "today" follow; null: UTC. */
  time_zone: Generated<string | null>;
};

export const ENTITY_TYPES = [
  'ZONE',
  'CONCEPT',
  'STORE',
  'TILL',
  'STR_SERVER',
  'ADMIN_USER',
  'ASSOCIATE',
  'STAFF',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** Entity types that may carry credentials and call the API. */
export const LOGIN_ENTITY_TYPES = [
  'TILL',
  'STR_SERVER',
  'ADMIN_USER',
  'ASSOCIATE',
  'STAFF',
] as const satisfies readonly EntityType[];

export type EntityTable = {
  id: Generated<number>;
  org_id: number;
  type: EntityType;
  code: string;
  parent_id: number | null;
  /** Set only for entities that can log in; unique across the deployment. */
  username: string | null;
  /** Argon2id hash of the MD5 hex of the password (the form clients send). */
  password_hash: string | null;
  disabled: number;
  created_on: number;
};

export type OauthClientTable = {
  id: Generated<number>;
  org_id: number;
  entity_id: number;
  client_key: string;
  secret_hash: string;
  revoked: number;
  created_on: number;
};

export type OauthTokenTable = {
  /** SHA-256 hex of the token: the token is 256 random bits, so a fast hash is enough. */
  token_hash: string;
  org_id: number;
  client_id: number;
  entity_id: number;
  expires_on: number;
};

export type CustomerTable = {
  id: Generated<number>;
  org_id: number;
  email: string | null;
  mobile: string | null;
  created_on: number;
};

export type ReasonTable = {
  id: Generated<number>;
  org_id: number;
  reason: string;
  /** Lower-cased reason: uniqueness is without case. */
  reason_key: string;
  created_on: number;
  /** 1: a lead lost for this reason is unfulfilled demand (the store could not sell it). */
  not_available: Generated<number>;
};

export const LEAD_STATUSES = ['OPEN', 'WON', 'LOST', 'ON_HOLD', 'DELETED'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

/** Each status's bit in a lead's `reached_statuses` (migration 0010). */
export const STATUS_BITS: Readonly<Record<LeadStatus, number>> = {
  OPEN: 1,
  WON: 2,
  LOST: 4,
  ON_HOLD: 8,
  DELETED: 16,
};

export const LEAD_TYPES = ['SKU', 'BRAND', 'CATEGORY', 'CUSTOM'] as const;
export type LeadType = (typeof LEAD_TYPES)[number];

export type SubStatusTable = {
  id: Generated<number>;
  org_id: number;
  status: LeadStatus;
  sub_status: string;
  created_on: number;
};

export type ChannelTable = {
  org_id: number;
  /** The `orgSourceId` clients send; `-1` is in-store. Stable per channel name. */
  source_id: number;
  name: string;
};

export type LeadTable = {
  id: Generated<number>;
  org_id: number;
  user_id: number;
  type: LeadType;
  lead_for: string;
  status: LeadStatus;
  sub_status: string | null;
  owner_id: number | null;
  next_follow_up: number | null;
  last_follow_up: number | null;
  created_on: number;
  created_by: number;
  last_updated_on: number;
  last_updated_by: number;
  org_source_id: number;
  /** JSON object text of scalar values. */
  extended_fields: string;
  /** Bumped by every change; the lead's ETag. */
  version: Generated<number>;
  /** Every status the lead's log holds, one bit each (src/leads/status-facts.ts). */
  reached_statuses: Generated<number>;
  /** The reason of the lead's newest status-log row. */
  status_reason_id: number | null;
  /** Who wrote the lead's newest status-log row; -1: the system (auto-close). */
  status_changed_by: number | null;
  /**
   * When the lead's current stay in its status began (src/db/status-stays.ts). Null in the
   * database only before migration 0013 filled it in; every write sets it.
   */
  status_since: number;
  /** The total length of the lead's finished stays in each status; null: none. */
  stayed_open_ms: number | null;
  stayed_on_hold_ms: number | null;
  stayed_won_ms: number | null;
  stayed_lost_ms: number | null;
  stayed_deleted_ms: number | null;
  /** Its earliest follow-up's `followed_up_on`; null: never followed up. */
  first_followed_up_on: number | null;
};

export type FollowUpTable = {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  user_id: number;
  notes: string | null;
  created_by: number;
  created_on: number;
  followed_up_by: number;
  followed_up_on: number;
  scheduled_follow_up: number | null;
  /** The lead's `created_by` and `created_on`, copied for follow-up discipline (migration 0023). */
  lead_created_by: number;
  lead_created_on: number;
};

export type StatusLogTable = {
  id: Generated<number>;
  org_id: number;
  lead_id: number;
  user_id: number;
  status: LeadStatus;
  sub_status: string | null;
  /** An entity id, or -1 for the system. */
  created_by: number;
  created_on: number;
  reason_id: number;
};

export const FIELD_DATA_TYPES = [
  'STRING',
  'INTEGER',
  'DOUBLE',
  'BOOLEAN',
  'DATE',
  'DATETIME',
  'ENUM',
] as const;
export type FieldDataType = (typeof FIELD_DATA_TYPES)[number];

/** Entity types that can carry extended fields; leads for now. */
export const FIELD_ENTITY_TYPES = ['LEAD'] as const;
export type FieldEntityType = (typeof FIELD_ENTITY_TYPES)[number];

export type ExtendedFieldTable = {
  id: Generated<number>;
  org_id: number;
  entity_type: FieldEntityType;
  name: string;
  label: string;
  data_type: FieldDataType;
  required: number;
  /** JSON array of allowed values (ENUM only). */
  enum_values: string | null;
  created_on: number;
};

export type ExtendedFieldTranslationTable = {
  field_id: number;
  org_id: number;
  /** ISO 639-1 code, lower case. */
  language: string;
  label: string | null;
  /** JSON object: stored enum value -> shown value. */
  value_labels: string;
};

export type AuditLogTable = {
  id: Generated<number>;
  org_id: number;
  /** The admin entity that acted, or -1 for the command line. */
  actor_id: number;
  action: string;
  target: string;
  /** JSON object; never holds a secret. */
  details: string;
  created_on: number;
};

export type IdempotencyKeyTable = {
  entity_id: number;
  idem_key: string;
  org_id: number;
  /** SHA-256 of the method, path and body of the first request. */
  request_hash: string;
  status_code: number;
  response_body: string;
  etag: string | null;
  created_on: number;
};

/** The outbox: one row per lead change, written in the change's transaction (docs/events.md). */
export type LeadEventTable = {
  id: Generated<number>;
  /** `evt_…`: unique, the id a consumer deduplicates on. */
  event_id: string;
  org_id: number;
  lead_id: number;
  type: string;
  /** The event's place in its org's feed; null until the sequencer gives it one (PostgreSQL). */
  position: number | null;
  created_on: number;
  /** JSON `{type, timestamp, data}`. */
  payload: string;
};

/** An org's feed counter: the last position given to one of its events (migration 0021). */
export type OrgEventPositionTable = {
  org_id: number;
  last_position: number;
};

/** An org's webhook endpoint (docs/webhooks.md). */
export type WebhookEndpointTable = {
  id: Generated<number>;
  org_id: number;
  url: string;
  /** JSON array of event types; null: every type. */
  event_types: string | null;
  description: string | null;
  /** `whsec_…`, as issued: signing needs it. */
  secret: string;
  /** The secret before the last rotation, still signing until `previous_secret_until`. */
  previous_secret: string | null;
  previous_secret_until: number | null;
  enabled: number;
  /** How far in the event feed this endpoint's deliveries were created. */
  last_position: number;
  /** Since when every attempt failed; null after a success. */
  failing_since: number | null;
  created_on: number;
  updated_on: number;
};

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event to deliver to one endpoint (docs/webhooks.md). */
export type WebhookDeliveryTable = {
  id: Generated<number>;
  org_id: number;
  endpoint_id: number;
  event_id: string;
  event_type: string;
  lead_id: number;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt is due; while one is in flight, when its lease ends. */
  next_attempt_at: number;
  replay: number;
  created_on: number;
  completed_on: number | null;
};

/** One attempt of a delivery: what the endpoint answered, or why there was no answer. */
export type WebhookAttemptTable = {
  id: Generated<number>;
  org_id: number;
  delivery_id: number;
  endpoint_id: number;
  attempted_on: number;
  status_code: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
};

/** A signed-in person's session in the web app (migration 0015, docs/web.md). */
export type WebSessionTable = {
  /** SHA-256 hex of the session cookie's token. */
  token_hash: string;
  org_id: number;
  entity_id: number;
  /** SHA-256 hex of the entity's password hash when the session began. */
  credential_stamp: string;
  csrf_token: string;
  created_on: number;
  last_seen_on: number;
  expires_on: number;
};

export type Database = {
  orgs: OrgTable;
  entities: EntityTable;
  oauth_clients: OauthClientTable;
  oauth_tokens: OauthTokenTable;
  customers: CustomerTable;
  reasons: ReasonTable;
  sub_statuses: SubStatusTable;
  channels: ChannelTable;
  leads: LeadTable;
  follow_ups: FollowUpTable;
  status_logs: StatusLogTable;
  extended_fields: ExtendedFieldTable;
  extended_field_translations: ExtendedFieldTranslationTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeyTable;
  lead_events: LeadEventTable;
  org_event_positions: OrgEventPositionTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  web_sessions: WebSessionTable;
};

/**
 * A row of `table` as a query reads it, derived from the table type (generated columns become
 * plain values). Repositories pick the columns they select from it rather than copy them.
 *
 * @example type ReasonRow = Pick<Row<'reasons'>, 'id' | 'reason'>;
 */
export type Row<T extends keyof Database> = Selectable<Database[T]>;

/** A Kysely handle on the store: the database itself or a transaction. */
export type Db = Kysely<Database>;
