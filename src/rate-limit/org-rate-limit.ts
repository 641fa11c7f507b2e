import type { AppContext } from '../context.js';

/**
 * The requests per minute allowed to each credential of the org: its own setting, else
 * `RATE_LIMIT_PER_MINUTE`. 0 means no limit.
 *
 * Read on every authenticated request (a primary-key look-up) rather than cached, so a change
 * applies at once in every server process and a request's queries do not depend on a cache.
 *
 * @example const limit = await orgRateLimit(ctx, caller.orgId); // 600
 */
export async function orgRateLimit(ctx: AppContext, orgId: number): Promise<number> {
  const row = await ctx.store.db
    .selectFrom('orgs')
    .select('rate_limit_per_minute')
    .where('id', '=', orgId)
    .executeTakeFirst();
  return row?.rate_limit_per_minute ?? ctx.config.rateLimit.perMinute;
}
