import { Type, type Static, type TObject } from '@sinclair/typebox';

/**
 * The environment of the rate limits, spread into the validated environment of `config.ts`.
 * `0` turns a limit off.
 */
export const RateLimitEnv = {
  RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 600, minimum: 0, maximum: 1_000_000 }),
  // The most an org's own `rateLimitPerMinute` may be; unset: RATE_LIMIT_PER_MINUTE itself.
  RATE_LIMIT_ORG_MAX_PER_MINUTE: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  LOGIN_FAILURES_PER_5_MINUTES: Type.Integer({ default: 10, minimum: 0, maximum: 1_000_000 }),
  LOGIN_FAILURES_PER_USERNAME_PER_5_MINUTES: Type.Integer({
    default: 100,
    minimum: 0,
    maximum: 1_000_000,
  }),
  LOGIN_FAILURES_PER_IP_PER_5_MINUTES: Type.Integer({
    default: 100,
    minimum: 0,
    maximum: 1_000_000,
  }),
  REDIS_URL: Type.Optional(
    Type.String({ pattern: '^rediss?://', description: 'a Redis URL, redis://host:6379' }),
  ),
  RATE_LIMIT_REDIS_PREFIX: Type.String({
    default: 'leadline:rl:',
    minLength: 1,
    maxLength: 100,
    description: '1 to 100 characters',
  }),
};

export type RateLimitConfig = {
  /** Requests per minute per credential, unless the org sets its own; 0: no limit. */
  perMinute: number;
  /**
   * The most an org may set as its own limit (an org may lower its limit, and raise it only this
   * far); 0: orgs may set any value.
   */
  orgMaxPerMinute: number;
  /**
   * Failed log-ins per presented username (or OAuth client key) from one client address, per 5
   * minutes; 0: no limit.
   */
  loginFailuresPerUsername: number;
  /**
   * Failed log-ins per username from all addresses together, per 5 minutes, which blocks only
   * addresses that have not logged in as that username in the last 30 days; 0: no limit.
   */
  loginFailuresPerUsernameAllAddresses: number;
  /** Failed log-ins per client IP per 5 minutes; 0: no limit. */
  loginFailuresPerIp: number;
  /** When set, counters live in this Redis, shared by every server process. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key, so deployments (or test runs) can share one Redis. */
  redisPrefix: string;
};

/** Picks the rate-limit settings out of the validated environment. */
export function rateLimitConfig(env: Static<TObject<typeof RateLimitEnv>>): RateLimitConfig {
  return {
    perMinute: env.RATE_LIMIT_PER_MINUTE,
    orgMaxPerMinute: env.RATE_LIMIT_ORG_MAX_PER_MINUTE ?? env.RATE_LIMIT_PER_MINUTE,
    loginFailuresPerUsername: env.LOGIN_FAILURES_PER_5_MINUTES,
    loginFailuresPerIp: env.LOGIN_FAILURES_PER_IP_PER_5_MINUTES,
    loginFailuresPerUsernameAllAddresses: env.LOGIN_FAILURES_PER_USERNAME_PER_5_MINUTES,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.RATE_LIMIT_REDIS_PREFIX,
  };
}

/**
 * The per-minute limit of a credential: its org's setting, bounded by the operator's ceiling
 * (which may have been lowered after the org chose its value), else the deployment's default.
 * 0: no limit.
 */
export function effectivePerMinute(orgSetting: number | null, config: RateLimitConfig): number {
  if (orgSetting === null) return config.perMinute;
  return config.orgMaxPerMinute === 0 ? orgSetting : Math.min(orgSetting, config.orgMaxPerMinute);
}
