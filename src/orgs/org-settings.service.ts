import { isSupportedCountry } from 'libphonenumber-js/max';
import type { AppContext } from '../core/context.js';
import { AppError, FieldErrors } from '../core/errors.js';
import { cliActor, type Actor } from '../core/actor.js';
import { recordAudit } from '../audit/index.js';
import { requireOrg } from './org.service.js';

import { checkInput } from '../http/validation.js';
import {
  RATE_LIMIT_PER_MINUTE_MAX,
  SettingsBody,
  type OrgSettings,
} from './org-settings.schemas.js';

export async function getOrgSettings(ctx: AppContext, orgId: number): Promise<OrgSettings> {
  const row = await ctx.store.db
    .selectFrom('orgs')
    .select(['auto_close_days', 'country_code', 'rate_limit_per_minute', 'require_if_match'])
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  return {
    autoCloseDays: row.auto_close_days,
    countryCode: row.country_code,
    rateLimitPerMinute: row.rate_limit_per_minute,
    requireIfMatch: row.require_if_match === 1,
  };
}

/**
 * Changes the given settings (absent ones stay; `null` clears one) and records the change with
 * its before and after values in the audit log. The change's shape is the schema's (the route
 * and the CLI check it); here are the rules a schema cannot state.
 *
 * @example await updateOrgSettings(ctx, actor, { autoCloseDays: 30, countryCode: 'IN' });
 */
export async function updateOrgSettings(
  ctx: AppContext,
  actor: Actor,
  change: SettingsBody,
): Promise<OrgSettings> {
  const errors = new FieldErrors();
  const days = change.autoCloseDays;
  const country =
    change.countryCode === undefined || change.countryCode === null
      ? change.countryCode
      : change.countryCode.toUpperCase();
  if (typeof country === 'string' && !isSupportedCountry(country)) {
    errors.add(
      'FIELD_INVALID_VALUE',
      'countryCode must be an ISO 3166-1 alpha-2 country code, e.g. IN, or null',
    );
  }
  const rateLimit = change.rateLimitPerMinute;
  // The operator's ceiling bounds what an org may choose, so no org can buy itself a bigger
  // share of a server than the operator allows.
  const ceiling = ctx.config.rateLimit.orgMaxPerMinute || RATE_LIMIT_PER_MINUTE_MAX;
  if (typeof rateLimit === 'number' && rateLimit > ceiling) {
    errors.add(
      'FIELD_INVALID_VALUE',
      `rateLimitPerMinute must be an integer from 1 to ${ceiling} (this deployment's ceiling), or null`,
    );
  }
  const ifMatch = change.requireIfMatch;
  if (
    days === undefined &&
    country === undefined &&
    rateLimit === undefined &&
    ifMatch === undefined
  ) {
    errors.add(
      'FIELD_REQUIRED',
      'autoCloseDays or countryCode or rateLimitPerMinute or requireIfMatch is required',
    );
  }
  errors.throwIfAny();
  return ctx.store.transaction(async (trx) => {
    const before = await trx
      .selectFrom('orgs')
      .select(['auto_close_days', 'country_code', 'rate_limit_per_minute', 'require_if_match'])
      .where('id', '=', actor.orgId)
      .executeTakeFirstOrThrow();
    const after = {
      auto_close_days: days === undefined ? before.auto_close_days : days,
      country_code: country === undefined ? before.country_code : country,
      rate_limit_per_minute: rateLimit === undefined ? before.rate_limit_per_minute : rateLimit,
      require_if_match: ifMatch === undefined ? before.require_if_match : ifMatch ? 1 : 0,
    };
    await trx.updateTable('orgs').set(after).where('id', '=', actor.orgId).execute();
    await recordAudit(
      trx,
      actor,
      'org.settings',
      'settings',
      {
        // The rate limit is recorded only when the change names it.
        before: {
          autoCloseDays: before.auto_close_days,
          countryCode: before.country_code,
          ...(rateLimit === undefined ? {} : { rateLimitPerMinute: before.rate_limit_per_minute }),
          ...(ifMatch === undefined ? {} : { requireIfMatch: before.require_if_match === 1 }),
        },
        after: {
          autoCloseDays: after.auto_close_days,
          countryCode: after.country_code,
          ...(rateLimit === undefined ? {} : { rateLimitPerMinute: after.rate_limit_per_minute }),
          ...(ifMatch === undefined ? {} : { requireIfMatch: after.require_if_match === 1 }),
        },
      },
      ctx.clock.now(),
    );
    return {
      autoCloseDays: after.auto_close_days,
      countryCode: after.country_code,
      rateLimitPerMinute: after.rate_limit_per_minute,
      requireIfMatch: after.require_if_match === 1,
    };
  });
}

/** The CLI's `org set`: parses the option text, then {@link updateOrgSettings}. */
export async function setOrgSettingsByName(
  ctx: AppContext,
  input: {
    org: string;
    autoCloseDays?: string | undefined;
    countryCode?: string | undefined;
    rateLimit?: string | undefined;
    requireIfMatch?: string | undefined;
  },
): Promise<OrgSettings & { org: string }> {
  const org = await requireOrg(ctx, input.org);
  let autoCloseDays: number | null | undefined;
  if (input.autoCloseDays !== undefined) {
    // `off` (or 0) clears the setting from the command line.
    autoCloseDays =
      input.autoCloseDays === 'off' || input.autoCloseDays === '0'
        ? null
        : Number(input.autoCloseDays);
    if (autoCloseDays !== null && !/^\d+$/.test(input.autoCloseDays)) {
      throw AppError.of(
        'INVALID_ARGUMENT',
        '--auto-close-days must be a whole number of days, or off',
      );
    }
  }
  const countryCode =
    input.countryCode === undefined
      ? undefined
      : input.countryCode === 'none'
        ? null
        : input.countryCode;
  let rateLimitPerMinute: number | null | undefined;
  if (input.rateLimit !== undefined) {
    // `default` clears the org's own limit: RATE_LIMIT_PER_MINUTE applies again.
    if (input.rateLimit !== 'default' && !/^\d+$/.test(input.rateLimit)) {
      throw AppError.of(
        'INVALID_ARGUMENT',
        '--rate-limit must be a whole number of requests per minute, or default',
      );
    }
    rateLimitPerMinute = input.rateLimit === 'default' ? null : Number(input.rateLimit);
  }
  if (input.requireIfMatch !== undefined && !['on', 'off'].includes(input.requireIfMatch)) {
    throw AppError.of('INVALID_ARGUMENT', '--require-if-match must be on or off');
  }
  const change = {
    ...(autoCloseDays === undefined ? {} : { autoCloseDays }),
    ...(countryCode === undefined ? {} : { countryCode }),
    ...(rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute }),
    ...(input.requireIfMatch === undefined
      ? {}
      : { requireIfMatch: input.requireIfMatch === 'on' }),
  };
  // The API's own schema: the command line meets the same limits as the API.
  checkInput(SettingsBody, change);
  const settings = await updateOrgSettings(ctx, cliActor(org.id), change);
  return { org: org.name, ...settings };
}
