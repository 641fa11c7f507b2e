import { isSupportedCountry } from 'libphonenumber-js/max';
import type { AppContext } from '../core/context.js';
import { AppError, FieldErrors } from '../core/errors.js';
import { cliActor, type Actor } from '../core/actor.js';
import { recordAudit } from '../audit/index.js';
import { onOffOption } from '../core/cli-options.js';
import { requireOrg } from './org.service.js';

import { checkInput } from '../http/validation.js';
import type { Row } from '../db/schema.js';
import {
  RATE_LIMIT_PER_MINUTE_MAX,
  SETTINGS_NAMES,
  SettingsBody,
  type OrgSettings,
} from './org-settings.schemas.js';

const SETTINGS_COLUMNS = [
  'auto_close_days',
  'country_code',
  'rate_limit_per_minute',
  'require_if_match',
  'event_retention_days',
  'time_zone',
] as const;

function settingsOf(row: Pick<Row<'orgs'>, (typeof SETTINGS_COLUMNS)[number]>): OrgSettings {
  return {
    autoCloseDays: row.auto_close_days,
    countryCode: row.country_code,
    rateLimitPerMinute: row.rate_limit_per_minute,
    requireIfMatch: row.require_if_match === 1,
    eventRetentionDays: row.event_retention_days,
    timeZone: row.time_zone,
  };
}

/**
 * Whether the runtime knows `zone` as an IANA time zone (any case, aliases too). The name is
 * kept as given: how the runtime spells one (`Asia/Kolkata` or `Asia/Calcutta`) differs between
 * Node's ICU versions, and every use of it goes through `Intl`, which takes either.
 */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export async function getOrgSettings(ctx: AppContext, orgId: number): Promise<OrgSettings> {
  const row = await ctx.store.db
    .selectFrom('orgs')
    .select(SETTINGS_COLUMNS)
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  return settingsOf(row);
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
  const retention = change.eventRetentionDays;
  const zone = change.timeZone;
  if (typeof zone === 'string' && !isTimeZone(zone)) {
    errors.add(
      'FIELD_INVALID_VALUE',
      'timeZone must be an IANA time zone name, e.g. Asia/Kolkata or Europe/London, or null',
    );
  }
  if (
    days === undefined &&
    country === undefined &&
    rateLimit === undefined &&
    ifMatch === undefined &&
    retention === undefined &&
    zone === undefined
  ) {
    errors.add('FIELD_REQUIRED', `${SETTINGS_NAMES.join(' or ')} is required`);
  }
  errors.throwIfAny();
  return ctx.store.transaction(async (trx) => {
    const before = await trx
      .selectFrom('orgs')
      .select(SETTINGS_COLUMNS)
      .where('id', '=', actor.orgId)
      .executeTakeFirstOrThrow();
    const after = {
      auto_close_days: days === undefined ? before.auto_close_days : days,
      country_code: country === undefined ? before.country_code : country,
      rate_limit_per_minute: rateLimit === undefined ? before.rate_limit_per_minute : rateLimit,
      require_if_match: ifMatch === undefined ? before.require_if_match : ifMatch ? 1 : 0,
      event_retention_days: retention === undefined ? before.event_retention_days : retention,
      time_zone: zone === undefined ? before.time_zone : zone,
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
          ...(retention === undefined ? {} : { eventRetentionDays: before.event_retention_days }),
          ...(zone === undefined ? {} : { timeZone: before.time_zone }),
        },
        after: {
          autoCloseDays: after.auto_close_days,
          countryCode: after.country_code,
          ...(rateLimit === undefined ? {} : { rateLimitPerMinute: after.rate_limit_per_minute }),
          ...(ifMatch === undefined ? {} : { requireIfMatch: after.require_if_match === 1 }),
          ...(retention === undefined ? {} : { eventRetentionDays: after.event_retention_days }),
          ...(zone === undefined ? {} : { timeZone: after.time_zone }),
        },
      },
      ctx.clock.now(),
    );
    return settingsOf(after);
  });
}

/**
 * A whole-number option's value: absent stays absent, one of `clearWords` clears the setting
 * (null); the range is the API schema's to check.
 */
function wholeNumberOr(
  text: string | undefined,
  option: string,
  unit: string,
  clearWords: string[],
): number | null | undefined {
  if (text === undefined) return undefined;
  if (clearWords.includes(text)) return null;
  if (!/^\d+$/.test(text)) {
    throw AppError.of(
      'INVALID_ARGUMENT',
      `--${option} must be a whole number of ${unit}, or ${clearWords[0]}`,
    );
  }
  return Number(text);
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
    eventRetentionDays?: string | undefined;
    timeZone?: string | undefined;
  },
): Promise<OrgSettings & { org: string }> {
  const org = await requireOrg(ctx, input.org);
  // `off` (or 0) turns auto-close off; `default` clears the org's own rate limit or retention.
  const autoCloseDays = wholeNumberOr(input.autoCloseDays, 'auto-close-days', 'days', ['off', '0']);
  const countryCode =
    input.countryCode === undefined
      ? undefined
      : input.countryCode === 'none'
        ? null
        : input.countryCode;
  const rateLimitPerMinute = wholeNumberOr(input.rateLimit, 'rate-limit', 'requests per minute', [
    'default',
  ]);
  const requireIfMatch = onOffOption(input.requireIfMatch, 'require-if-match');
  const eventRetentionDays = wholeNumberOr(
    input.eventRetentionDays,
    'event-retention-days',
    'days',
    ['default'],
  );
  const change = {
    ...(autoCloseDays === undefined ? {} : { autoCloseDays }),
    ...(countryCode === undefined ? {} : { countryCode }),
    ...(rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute }),
    ...(requireIfMatch === undefined ? {} : { requireIfMatch }),
    ...(eventRetentionDays === undefined ? {} : { eventRetentionDays }),
    // `default` goes back to UTC.
    ...(input.timeZone === undefined
      ? {}
      : { timeZone: input.timeZone === 'default' ? null : input.timeZone }),
  };
  // The API's own schema: the command line meets the same limits as the API.
  checkInput(SettingsBody, change);
  const settings = await updateOrgSettings(ctx, cliActor(org.id), change);
  return { org: org.name, ...settings };
}
