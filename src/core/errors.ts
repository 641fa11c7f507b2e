// Longer than 300 lines because the catalogue is one table: every code a client can see, side by
// side, so a new one is added where its neighbours show what is taken.
/**
 * The one error type of Leadline and its closed catalogue of codes.
 *
 * Every error or warning a client can see has an entry here; `docs/errors.md` is generated from
 * this table (`npm run docs:errors`) and a test fails when the two disagree. Codes are stable:
 * never renumber an entry, only add new ones.
 */

export type CatalogueEntry = {
  /** Stable numeric code sent to clients. */
  code: number;
  /** HTTP status the error answers with (warnings ride on a successful response: 200). */
  status: number;
  /** When it happens, for the catalogue document. */
  when: string;
};

export const ErrorCatalogue = {
  INTERNAL: {
    code: 1000,
    status: 500,
    when: 'An unexpected failure inside the server. The message never carries internals.',
  },
  ROUTE_NOT_FOUND: { code: 1001, status: 404, when: 'No route has this path.' },
  METHOD_NOT_ALLOWED: {
    code: 1002,
    status: 405,
    when: 'The path exists but not with this method; the `Allow` header lists the methods it has.',
  },
  UNAUTHORIZED: {
    code: 1003,
    status: 401,
    when: 'Credentials are missing, malformed, unknown, wrong, expired, revoked or disabled. Every case answers the same.',
  },
  FORBIDDEN: {
    code: 1004,
    status: 403,
    when: 'The caller is authenticated but its entity type may not use this route: `/v2/admin/*` routes are for ADMIN_USER entities only.',
  },
  CONFLICT_IN_PROGRESS: {
    code: 1009,
    status: 409,
    when: 'A request with the same `Idempotency-Key` from the same credential is still being processed; retry later.',
  },
  PRECONDITION_FAILED: {
    code: 1010,
    status: 412,
    when: "`If-Match` does not match the lead's current `ETag`: someone changed it since it was read.",
  },
  PRECONDITION_REQUIRED: {
    code: 1011,
    status: 428,
    when: 'The org requires `If-Match` on lead updates and status changes, and the request has none.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    code: 1012,
    status: 422,
    when: 'The `Idempotency-Key` was used before by this credential for a different request (method, path or body).',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    code: 1005,
    status: 415,
    when: 'A request body was sent with a `Content-Type` other than `application/json`.',
  },
  PAYLOAD_TOO_LARGE: {
    code: 1006,
    status: 413,
    when: 'The request body is larger than the configured limit (`BODY_LIMIT_BYTES`).',
  },
  MALFORMED_JSON: {
    code: 1007,
    status: 400,
    when: 'The body is not valid JSON, or is empty while its content type says JSON.',
  },
  BAD_REQUEST: {
    code: 1008,
    status: 400,
    when: 'The request is malformed below the JSON level: a bad URL encoding, a bad `Content-Length`.',
  },
  JSON_TOO_DEEP: {
    code: 1030,
    status: 400,
    when: 'The JSON body nests objects and arrays deeper than the server accepts (32 levels).',
  },
  FIELD_REQUIRED: {
    code: 1101,
    status: 400,
    when: 'A required field (named in the message) is missing.',
  },
  FIELD_INVALID_TYPE: {
    code: 1102,
    status: 400,
    when: 'A field (named in the message) has the wrong JSON type, e.g. a string where an integer belongs.',
  },
  FIELD_INVALID_VALUE: {
    code: 1103,
    status: 400,
    when: 'A field (named in the message) has the right type but a value outside what it accepts: not one of its enum values, out of range, too long, empty.',
  },
  FIELD_INVALID_DATE_TIME: {
    code: 1104,
    status: 400,
    when: 'A date-time field (named in the message) is not ISO 8601 with an offset, or not a real calendar instant.',
  },
  FIELD_UNKNOWN_REFERENCE: {
    code: 1105,
    status: 400,
    when: "A field (named in the message) refers to something that does not exist in the caller's org: a customer (`userId`), an entity (`createdBy`, `followedUpBy`, `owner`), a reason (`reasonId`) or a channel (`orgSourceId`).",
  },
  FIELD_CONFLICT: {
    code: 1106,
    status: 400,
    when: 'Fields that exclude each other were given together (e.g. `userId` with `idType`/`identifier`, `cursor` with a non-zero `offset`), or one was given without its partner (`idType` without `identifier`, `entityCode` without `entityType`).',
  },
  FIELD_INVALID_EMAIL: {
    code: 1107,
    status: 400,
    when: '`identifier` with `idType: EMAIL` is not a well-formed email address.',
  },
  FIELD_INVALID_MOBILE: {
    code: 1108,
    status: 400,
    when: "`identifier` with `idType: MOBILE` is not a valid phone number for its country (read with `+`/`00` as international, else in the org's `countryCode`, else as digits including the country code).",
  },
  SUB_STATUS_NOT_CONFIGURED: {
    code: 1109,
    status: 400,
    when: '`subStatus` is not configured for the status it is given with (see `POST /v2/leads/substatus`).',
  },
  FIELD_INVALID_CURSOR: {
    code: 1110,
    status: 400,
    when: '`cursor` of `GET /v2/leads` is not a `nextCursor` Leadline issued, or was issued for another `sortBy`/`sortOrder` or other filters than the request has. List again without `cursor` (see docs/api.md, Listing).',
  },
  LEAD_NOT_FOUND: {
    code: 1201,
    status: 404,
    when: "No lead has this id in the caller's org (it does not exist, or it belongs to another org: both answer alike).",
  },
  CUSTOMER_NOT_FOUND: {
    code: 1204,
    status: 404,
    when: "No customer has this id (or identifier) in the caller's org; another org's customer answers alike.",
  },
  FIELD_NOT_FOUND: {
    code: 1205,
    status: 404,
    when: 'No extended field of this name is defined for the entity type in the org.',
  },
  OAUTH_CLIENT_NOT_FOUND: {
    code: 1206,
    status: 404,
    when: "No OAuth client has this key in the caller's org.",
  },
  WEBHOOK_NOT_FOUND: {
    code: 1207,
    status: 404,
    when: "No webhook endpoint has this id in the caller's org (admin routes; CLI `--id`).",
  },
  REASON_NOT_FOUND: {
    code: 1208,
    status: 404,
    when: "No reason has this id in the caller's org (admin routes; CLI `--id`); another org's reason answers alike.",
  },
  ORG_NOT_FOUND: { code: 1202, status: 404, when: 'CLI: no org has this name.' },
  ENTITY_NOT_FOUND: {
    code: 1203,
    status: 404,
    when: 'No entity has this code in the org (admin routes; CLI `--parent`, `--entity`, `--code`).',
  },
  ORG_EXISTS: { code: 1301, status: 409, when: 'CLI: an org with this name exists already.' },
  ENTITY_EXISTS: {
    code: 1302,
    status: 409,
    when: 'CLI: an entity with this code exists already in the org.',
  },
  USERNAME_TAKEN: {
    code: 1303,
    status: 409,
    when: 'CLI: another entity of the deployment already logs in with this code as its username.',
  },
  FIELD_EXISTS: {
    code: 1305,
    status: 409,
    when: 'An extended field of this name is already defined for the entity type in the org.',
  },
  LEAD_HISTORY_FULL: {
    code: 1310,
    status: 409,
    when: 'The lead already holds the most follow-ups, or status-log rows, one lead may have (`LEAD_HISTORY_MAX`, 10,000 by default); nothing was added. Record further contact on a new lead.',
  },
  LOGIN_ENTITY_LIMIT: {
    code: 1311,
    status: 409,
    when: 'The org already has the most entities that can log in (`ORG_MAX_LOGIN_ENTITIES`, 2,000 by default): each has its own rate-limit budget, so their number is bounded by the operator. Nothing was changed.',
  },
  // Backup and restore (src/backup, docs/backup.md); the CLI exits 1 with these.
  BACKUP_FILE_EXISTS: {
    code: 1330,
    status: 409,
    when: 'CLI `backup`: the `--to` file exists already; a backup never overwrites a file. Nothing was written.',
  },
  BACKUP_SOURCE_MISSING: {
    code: 1331,
    status: 404,
    when: 'CLI `backup`: the configured store holds no Leadline data (no `leadline.db` in `DATA_DIR`, or no Leadline tables in the `DATABASE_URL` database). Nothing was written.',
  },
  BACKUP_FAILED: {
    code: 1332,
    status: 500,
    when: 'CLI `backup` or `restore`: the copy could not be made: `pg_dump` or `pg_restore` is missing or failed (its message is quoted), or a file could not be written. No backup file is left under the `--to` name; a failed restore changed nothing.',
  },
  RESTORE_TARGET_NOT_EMPTY: {
    code: 1333,
    status: 409,
    when: 'CLI `restore`: the store to restore into is not empty (`DATA_DIR` holds a `leadline.db`, or the `DATABASE_URL` database has tables the backup would create). Nothing was changed.',
  },
  BACKUP_WRONG_STORE: {
    code: 1334,
    status: 409,
    when: 'CLI `restore`: the backup is of the other store (a SQLite file with `DATABASE_URL` set, or a PostgreSQL archive without it). Nothing was changed.',
  },
  BACKUP_NOT_RECOGNISED: {
    code: 1335,
    status: 422,
    when: "CLI `restore`: the `--from` file is not a Leadline backup (neither a SQLite file nor a `pg_dump` custom archive, or one without Leadline's migration table). Nothing was changed.",
  },
  BACKUP_CORRUPT: {
    code: 1336,
    status: 422,
    when: 'CLI `restore`: the backup is damaged (SQLite: `PRAGMA integrity_check` or `foreign_key_check` finds a fault; PostgreSQL: `pg_restore` cannot read the archive). Nothing was changed.',
  },
  BACKUP_SCHEMA_NEWER: {
    code: 1337,
    status: 409,
    when: 'CLI `restore`: the backup was taken by a newer Leadline (it holds migrations this version does not know); restore it with that version. Nothing was changed.',
  },
  INVALID_ARGUMENT: {
    code: 1304,
    status: 400,
    when: 'CLI: a command line argument is missing or invalid (named in the message).',
  },
  UNKNOWN_FIELD_IGNORED: {
    code: 2001,
    status: 200,
    when: 'Warning: a body field (named in the message) is not part of the contract; it was ignored and not stored.',
  },
  REASON_EXISTS: {
    code: 2002,
    status: 200,
    when: 'Warning: a reason given to `POST /v2/leads/reasons` exists already (compared without case); it was not added again.',
  },
  SUB_STATUS_EXISTS: {
    code: 2003,
    status: 200,
    when: 'Warning: the status/sub-status pair given to `POST /v2/leads/substatus` exists already.',
  },
  EXTENDED_FIELD_IGNORED: {
    code: 2004,
    status: 200,
    when: 'Warning: an `extendedFields` key (named in the message) is not defined by the org; it was dropped and the lead saved without it.',
  },
  // Faults of the store and the network (docs/reliability.md, Faults).
  STORE_UNAVAILABLE: {
    code: 1040,
    status: 503,
    when: 'The store cannot be reached or did not answer in time (PostgreSQL down, restarting, hung or out of connections; SQLite locked by another process for too long). Nothing was changed; retry after `Retry-After` seconds.',
  },
  STORE_FULL: {
    code: 1041,
    status: 507,
    when: "The store has no room for the write (the disk or the database's size limit is full). Nothing was changed; reads keep working, and `/health` says `full` until a write succeeds again.",
  },
  REQUEST_TIMEOUT: {
    code: 1042,
    status: 408,
    when: 'The client did not send the whole request (headers within `HEADERS_TIMEOUT_MS`, the whole request within `REQUEST_BODY_TIMEOUT_MS`) in time; the connection is closed.',
  },
  SERVER_TIMEOUT: {
    code: 1043,
    status: 503,
    when: 'The server could not finish the request within `REQUEST_TIMEOUT_MS` (a slow or hung store). The request may or may not have been applied: retry with the same `Idempotency-Key`.',
  },
  HEADERS_TOO_LARGE: {
    code: 1044,
    status: 431,
    when: 'The request line and headers together are larger than the server accepts (16 KiB).',
  },
  SHUTTING_DOWN: {
    code: 1045,
    status: 503,
    when: 'The server is shutting down and takes no new requests; retry (another process, or this one once restarted) after `Retry-After` seconds.',
  },
  STARTING_UP: {
    code: 1047,
    status: 503,
    when: 'The server has just started and is still applying migrations to the store; it takes no requests until they are done (`/health/ready` says `migrating` meanwhile). Retry after `Retry-After` seconds.',
  },
  CONFIG_INVALID: {
    code: 1046,
    status: 500,
    when: 'Start-up (server or CLI): an environment variable (named in the message, with the values it accepts) is not valid; nothing was started. The CLI exits 1.',
  },
  // Rate limits (src/rate-limit, docs/rate-limits.md).
  TOO_MANY_REQUESTS: {
    code: 1020,
    status: 429,
    when: 'Too many requests: more than the per-minute limit of this credential (`RATE_LIMIT_PER_MINUTE` or the org setting `rateLimitPerMinute`), or too many failed log-ins for this username, OAuth client key or client address. `Retry-After` gives the seconds to wait; see docs/rate-limits.md.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorName = keyof typeof ErrorCatalogue;

/** One item of the `errors` or `warnings` array of the response envelope. */
export type EnvelopeItem = { status: false; code: number; message: string };

export function envelopeItem(name: ErrorName, message: string): EnvelopeItem {
  return { status: false, code: ErrorCatalogue[name].code, message };
}

/**
 * The application's one error type. Several items travel together when a request has several
 * bad fields; the HTTP status is that of the first item (they share one in practice).
 *
 * @example throw AppError.of('LEAD_NOT_FOUND', 'lead 42 does not exist');
 */
/** The error envelope of the contract. */
export function errorEnvelope(errors: EnvelopeItem[], warnings: EnvelopeItem[] = []) {
  return { data: null, warnings, errors };
}

export class AppError extends Error {
  readonly statusCode: number;
  readonly items: EnvelopeItem[];
  readonly headers: Record<string, string>;

  constructor(
    items: Array<{ name: ErrorName; message: string }>,
    headers: Record<string, string> = {},
  ) {
    const first = items[0];
    if (!first) throw new TypeError('AppError needs at least one item');
    super(first.message);
    this.name = 'AppError';
    this.statusCode = ErrorCatalogue[first.name].status;
    this.items = items.map((item) => envelopeItem(item.name, item.message));
    this.headers = headers;
  }

  static of(name: ErrorName, message: string, headers?: Record<string, string>): AppError {
    return new AppError([{ name, message }], headers);
  }

  /** The first item's code, handy for the CLI and tests. */
  get code(): number {
    return this.items[0]?.code ?? ErrorCatalogue.INTERNAL.code;
  }
}

/** Collects field errors so one response can list every bad field. */
export class FieldErrors {
  private readonly items: Array<{ name: ErrorName; message: string }> = [];

  add(name: ErrorName, message: string): void {
    this.items.push({ name, message });
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw new AppError(this.items);
  }
}
