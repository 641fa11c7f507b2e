import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  RateLimitEnv,
  rateLimitConfig,
  type RateLimitConfig,
} from './rate-limit/rate-limit.config.js';

/**
 * The process environment Leadline reads, validated once at start-up so a typo fails loudly
 * instead of falling back to a default silently.
 */
const EnvSchema = Type.Object({
  HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  TOKEN_TTL_SECONDS: Type.Integer({ default: 300, minimum: 10, maximum: 86400 }),
  BODY_LIMIT_BYTES: Type.Integer({ default: 262144, minimum: 1024, maximum: 16777216 }),
  CREDENTIAL_CACHE_SECONDS: Type.Integer({ default: 300, minimum: 0, maximum: 3600 }),
  PG_POOL_SIZE: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  // Fractions are allowed so tests can run the schedule quickly; 0 turns it off.
  AUTO_CLOSE_INTERVAL_SECONDS: Type.Number({ default: 300, minimum: 0, maximum: 86400 }),
  // At most 2000: one batch's status-log insert stays below SQLite's 32766 bound parameters.
  AUTO_CLOSE_BATCH_SIZE: Type.Integer({ default: 500, minimum: 1, maximum: 2000 }),
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
  logLevel: string;
  tokenTtlSeconds: number;
  bodyLimitBytes: number;
  credentialCacheSeconds: number;
  pgPoolSize: number;
  /** Seconds between the server's auto-close passes (fractions allowed); 0: no schedule. */
  autoCloseIntervalSeconds: number;
  /** Leads closed per auto-close transaction. */
  autoCloseBatchSize: number;
  /** Per-credential and failed-log-in limits, and where their counters live. */
  rateLimit: RateLimitConfig;
};

/**
 * Reads and validates the configuration from an environment (default: `process.env`).
 *
 * @example const config = loadConfig({ PORT: '9000' });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, schema] of Object.entries(EnvSchema.properties)) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    // Value.Convert would read "2.5" as the integer 2; numbers must be written as numbers.
    const { type } = schema as { type?: string };
    if (type === 'integer' && !/^-?\d+$/.test(value)) problems.push(`${key}: must be an integer`);
    if (type === 'number' && !/^-?\d+(\.\d+)?$/.test(value))
      problems.push(`${key}: must be a number`);
    raw[key] = value;
  }
  const withDefaults = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw));
  problems.push(
    ...[...Value.Errors(EnvSchema, withDefaults)].map((e) => `${e.path.slice(1)}: ${e.message}`),
  );
  if (problems.length > 0) throw new Error(`invalid environment: ${problems.join('; ')}`);
  const env2 = withDefaults as Static<typeof EnvSchema>;
  return {
    host: env2.HOST,
    port: env2.PORT,
    dataDir: env2.DATA_DIR,
    databaseUrl: env2.DATABASE_URL,
    logLevel: env2.LOG_LEVEL,
    tokenTtlSeconds: env2.TOKEN_TTL_SECONDS,
    bodyLimitBytes: env2.BODY_LIMIT_BYTES,
    credentialCacheSeconds: env2.CREDENTIAL_CACHE_SECONDS,
    pgPoolSize: env2.PG_POOL_SIZE,
    autoCloseIntervalSeconds: env2.AUTO_CLOSE_INTERVAL_SECONDS,
    autoCloseBatchSize: env2.AUTO_CLOSE_BATCH_SIZE,
    rateLimit: rateLimitConfig(env2),
  };
}
