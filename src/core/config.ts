import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AppError } from './errors.js';
import { Value } from '@sinclair/typebox/value';
import { parseAllowList, type AllowList } from './network-targets.js';
import { RateLimitEnv, rateLimitConfig, type RateLimitConfig } from './rate-limit-config.js';
import { postgresHostUrls } from '../db/postgres-url.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';

/**
 * The process environment Leadline reads, validated once at start-up so a typo fails loudly
 * instead of falling back to a default silently.
 */
const EnvSchema = Type.Object({
  HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description:
        'a PostgreSQL URL, postgres://user@host:5432/database, or of several hosts, postgres://user@db1:5432,db2:5432/database',
    }),
  ),
  DATABASE_REPLICA_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://[^,]*$',
      description: 'a PostgreSQL URL of one host, a streaming standby of DATABASE_URL',
    }),
  ),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  TOKEN_TTL_SECONDS: Type.Integer({ default: 300, minimum: 10, maximum: 86400 }),
  BODY_LIMIT_BYTES: Type.Integer({ default: 262144, minimum: 1024, maximum: 16777216 }),
  CREDENTIAL_CACHE_SECONDS: Type.Integer({ default: 300, minimum: 0, maximum: 3600 }),
  PG_POOL_SIZE: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  PG_CONNECT_TIMEOUT_MS: Type.Integer({ default: 3000, minimum: 100, maximum: 60_000 }),
  PG_STATEMENT_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 0, maximum: 3_600_000 }),
  // SQLite: threads for the analytics reports (docs/analytics.md, Speed); 0 reads them inline.
  SQLITE_REPORT_THREADS: Type.Integer({ default: 2, minimum: 0, maximum: 16 }),
  // Time bounds of a request (docs/reliability.md, Faults).
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 15_000, minimum: 100, maximum: 600_000 }),
  HEADERS_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 600_000 }),
  REQUEST_BODY_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 100, maximum: 600_000 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 600_000 }),
  HEALTH_TIMEOUT_MS: Type.Integer({ default: 2000, minimum: 50, maximum: 60_000 }),
  // The most follow-ups, and the most status-log rows, one lead may hold.
  LEAD_HISTORY_MAX: Type.Integer({ default: 10_000, minimum: 1, maximum: 1_000_000 }),
  // Fairness between orgs: list units (100 leads each) one org may have in progress; 0: off.
  ORG_READ_BUDGET: Type.Integer({ default: 10, minimum: 0, maximum: 10_000 }),
  // The most entities that can log in (tills, staff, …) one org may have; 0: no cap.
  ORG_MAX_LOGIN_ENTITIES: Type.Integer({ default: 2000, minimum: 0, maximum: 10_000_000 }),
  // Fractions are allowed so tests can run the schedule quickly; 0 turns it off.
  AUTO_CLOSE_INTERVAL_SECONDS: Type.Number({ default: 300, minimum: 0, maximum: 86400 }),
  // At most 2000: one batch's status-log insert stays below SQLite's 32766 bound parameters.
  AUTO_CLOSE_BATCH_SIZE: Type.Integer({ default: 500, minimum: 1, maximum: 2000 }),
  // Webhook targets allowed although internal, or over plain HTTP (docs/webhooks.md).
  WEBHOOK_ALLOWED_HOSTS: Type.String({ default: '', maxLength: 4000 }),
  // Seconds between a failed delivery's attempts (docs/webhooks.md); fractions for tests.
  WEBHOOK_RETRY_SECONDS: Type.String({
    default: '5,300,1800,7200,18000,36000,50400,72000,86400',
    pattern: '^\\s*\\d+(\\.\\d+)?\\s*(,\\s*\\d+(\\.\\d+)?\\s*){0,29}$',
    description: 'comma-separated seconds, at most 30',
  }),
  // How long an endpoint has to answer a delivery.
  WEBHOOK_TIMEOUT_SECONDS: Type.Number({ default: 15, minimum: 0.1, maximum: 120 }),
  // Seconds between the server's dispatcher rounds (fractions allowed); 0 turns delivery off.
  WEBHOOK_DISPATCH_INTERVAL_SECONDS: Type.Number({ default: 1, minimum: 0, maximum: 3600 }),
  // The web app's sessions (docs/web.md): ended after this long unused, and after this long at all.
  WEB_SESSION_IDLE_MINUTES: Type.Integer({ default: 60, minimum: 1, maximum: 1440 }),
  WEB_SESSION_HOURS: Type.Integer({ default: 12, minimum: 1, maximum: 720 }),
  // The proxies believed about the client's address and scheme (docs/deploy.md): hops or CIDRs.
  TRUST_PROXY: Type.String({ default: '', maxLength: 4000 }),
  // Prometheus metrics (docs/deploy.md): on a port of their own, and/or behind a bearer token.
  METRICS_PORT: Type.Integer({ default: 0, minimum: 0, maximum: 65535 }),
  METRICS_HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  METRICS_TOKEN: Type.String({
    default: '',
    pattern: '^([A-Za-z0-9._~+/=-]{16,200})?$',
    description: 'a token of 16 to 200 letters, digits or ._~+/=-',
  }),
  // Rate limits (src/rate-limit): RATE_LIMIT_PER_MINUTE, LOGIN_FAILURES_*, REDIS_URL, ...
  ...RateLimitEnv,
});

export type Config = {
  host: string;
  port: number;
  /** Where the embedded SQLite file lives when no `DATABASE_URL` is set. */
  dataDir: string;
  /** PostgreSQL connection string; when set, PostgreSQL is the store. */
  databaseUrl: string | undefined;
  /** PostgreSQL: a streaming standby serving list and report reads (docs/deploy.md). */
  databaseReplicaUrl: string | undefined;
  logLevel: string;
  tokenTtlSeconds: number;
  bodyLimitBytes: number;
  credentialCacheSeconds: number;
  pgPoolSize: number;
  sqliteReportThreads: number;
  /** PostgreSQL: the wait for a connection, and the longest a statement may run (0: none). */
  pgConnectTimeoutMs: number;
  pgStatementTimeoutMs: number;
  /** The longest the server works on one request before answering 503 SERVER_TIMEOUT. */
  requestTimeoutMs: number;
  /** How long a client may take to send its headers, and its whole request. */
  headersTimeoutMs: number;
  requestBodyTimeoutMs: number;
  /** How long a shutdown waits for in-flight requests before closing their connections. */
  shutdownTimeoutMs: number;
  /** How long `/health` waits for the store before reporting it unavailable. */
  healthTimeoutMs: number;
  /** The most follow-ups, and the most status-log rows, one lead may hold. */
  leadHistoryMax: number;
  /** List units (100 leads each) one org may have in progress per process; 0: no budget. */
  orgReadBudget: number;
  /** The most log-in entities one org may have; 0: no cap. */
  orgMaxLoginEntities: number;
  /** Webhook targets allowed although internal, or over plain HTTP. */
  webhookAllowedHosts: AllowList;
  /** Delays (ms) before a failed delivery's 2nd, 3rd, … attempt; after the last, it is given up. */
  webhookRetryDelaysMs: number[];
  webhookTimeoutMs: number;
  /** Ms between dispatcher rounds; 0: the server delivers nothing. */
  webhookDispatchIntervalMs: number;
  /** Seconds between the server's auto-close passes (fractions allowed); 0: no schedule. */
  autoCloseIntervalSeconds: number;
  /** Leads closed per auto-close transaction. */
  autoCloseBatchSize: number;
  /** Per-credential and failed-log-in limits, and where their counters live. */
  rateLimit: RateLimitConfig;
  /** The proxies believed about the client's address and scheme (`X-Forwarded-*`). */
  trustProxy: TrustProxy;
  /** A port serving only `GET /metrics` (0: none), and the address it listens on. */
  metricsPort: number;
  metricsHost: string;
  /** A bearer token that opens `GET /metrics` on the main port (empty: not served there). */
  metricsToken: string;
  /** A web session ends after this many ms unused… */
  webSessionIdleMs: number;
  /** …and this many ms after it began, used or not. */
  webSessionMaxMs: number;
};

/** What an environment variable accepts, in words, from its schema. */
function expectation(schema: TSchema): string {
  const s = schema as TSchema & {
    anyOf?: Array<{ const?: unknown }>;
    minimum?: number;
    maximum?: number;
    description?: string;
    minLength?: number;
  };
  if (s.anyOf) return `must be one of ${s.anyOf.map((option) => String(option.const)).join(', ')}`;
  if (s.type === 'integer') return `must be a whole number from ${s.minimum} to ${s.maximum}`;
  if (s.type === 'number') return `must be a number from ${s.minimum} to ${s.maximum}`;
  if (s.description) return `must be ${s.description}`;
  return 'must not be empty';
}

/**
 * Reads and validates the configuration from an environment (default: `process.env`).
 *
 * @example const config = loadConfig({ PORT: '9000' });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  const bad = new Set<string>();
  for (const [key, schema] of Object.entries(EnvSchema.properties)) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    // Value.Convert would read "2.5" as the integer 2; numbers must be written as numbers.
    const { type } = schema as { type?: string };
    if (type === 'integer' && !/^-?\d+$/.test(value)) bad.add(key);
    if (type === 'number' && !/^-?\d+(\.\d+)?$/.test(value)) bad.add(key);
    raw[key] = value;
  }
  const withDefaults = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw));
  for (const error of Value.Errors(EnvSchema, withDefaults)) bad.add(error.path.slice(1));
  for (const key of bad) {
    const schema = (EnvSchema.properties as Record<string, TSchema>)[key];
    const got = JSON.stringify(env[key] ?? '');
    problems.push(`${key} ${schema ? expectation(schema) : 'is not valid'} (got ${got})`);
  }
  const allowList = parseAllowList(String(env.WEBHOOK_ALLOWED_HOSTS ?? ''));
  if ('problem' in allowList) problems.push(`WEBHOOK_ALLOWED_HOSTS: ${allowList.problem}`);
  const trustProxy = parseTrustProxy(String(env.TRUST_PROXY ?? ''));
  if ('problem' in trustProxy) problems.push(`TRUST_PROXY: ${trustProxy.problem}`);
  if (env.DATABASE_REPLICA_URL && !env.DATABASE_URL) {
    problems.push('DATABASE_REPLICA_URL needs DATABASE_URL: a replica is of a PostgreSQL store');
  }
  if (env.DATABASE_URL && !bad.has('DATABASE_URL')) {
    try {
      postgresHostUrls(env.DATABASE_URL);
    } catch (error) {
      problems.push(`DATABASE_URL ${(error as Error).message}`);
    }
  }
  if (problems.length > 0 || 'problem' in allowList || 'problem' in trustProxy) {
    throw AppError.of('CONFIG_INVALID', `invalid environment: ${problems.join('; ')}`);
  }
  const env2 = withDefaults as Static<typeof EnvSchema>;
  return {
    host: env2.HOST,
    port: env2.PORT,
    dataDir: env2.DATA_DIR,
    databaseUrl: env2.DATABASE_URL,
    databaseReplicaUrl: env2.DATABASE_REPLICA_URL,
    logLevel: env2.LOG_LEVEL,
    tokenTtlSeconds: env2.TOKEN_TTL_SECONDS,
    bodyLimitBytes: env2.BODY_LIMIT_BYTES,
    credentialCacheSeconds: env2.CREDENTIAL_CACHE_SECONDS,
    pgPoolSize: env2.PG_POOL_SIZE,
    sqliteReportThreads: env2.SQLITE_REPORT_THREADS,
    pgConnectTimeoutMs: env2.PG_CONNECT_TIMEOUT_MS,
    pgStatementTimeoutMs: env2.PG_STATEMENT_TIMEOUT_MS,
    requestTimeoutMs: env2.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: env2.HEADERS_TIMEOUT_MS,
    requestBodyTimeoutMs: env2.REQUEST_BODY_TIMEOUT_MS,
    shutdownTimeoutMs: env2.SHUTDOWN_TIMEOUT_MS,
    healthTimeoutMs: env2.HEALTH_TIMEOUT_MS,
    leadHistoryMax: env2.LEAD_HISTORY_MAX,
    orgReadBudget: env2.ORG_READ_BUDGET,
    orgMaxLoginEntities: env2.ORG_MAX_LOGIN_ENTITIES,
    autoCloseIntervalSeconds: env2.AUTO_CLOSE_INTERVAL_SECONDS,
    autoCloseBatchSize: env2.AUTO_CLOSE_BATCH_SIZE,
    rateLimit: rateLimitConfig(env2),
    webhookAllowedHosts: allowList,
    webhookRetryDelaysMs: env2.WEBHOOK_RETRY_SECONDS.split(',').map((seconds) =>
      Math.round(Number(seconds.trim()) * 1000),
    ),
    webhookTimeoutMs: Math.round(env2.WEBHOOK_TIMEOUT_SECONDS * 1000),
    webhookDispatchIntervalMs: Math.round(env2.WEBHOOK_DISPATCH_INTERVAL_SECONDS * 1000),
    trustProxy: trustProxy.trustProxy,
    metricsPort: env2.METRICS_PORT,
    metricsHost: env2.METRICS_HOST,
    metricsToken: env2.METRICS_TOKEN,
    webSessionIdleMs: env2.WEB_SESSION_IDLE_MINUTES * 60_000,
    webSessionMaxMs: env2.WEB_SESSION_HOURS * 3_600_000,
  };
}
