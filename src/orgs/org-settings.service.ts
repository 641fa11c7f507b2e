import { isSupportedCountry } from 'libphonenumber-js/max';
import type { AppContext } from '../context.js';
import { AppError, FieldErrors } from '../http/errors.js';
import { cliActor, type Actor } from '../admin/actor.js';
import { recordAudit } from '../audit/audit.repository.js';
import { requireOrg } from './org.service.js';

/** What an org's administrators configure. `null` means "not set". */
export type OrgSettings = {
  /** OPEN and ON_HOLD leads unchanged this many days are closed as LOST; null: never. */
  autoCloseDays: number | null;
  /** ISO 3166-1 alpha-2 country of mobile numbers given without an international prefix. */
  countryCode: string | null;
};

export const AUTO_CLOSE_DAYS_MAX = 3650;

export async function getOrgSettings(ctx: AppContext, orgId: number): Promise<OrgSettings> {
  const row = await ctx.store.db
    .selectFrom('orgs')
    .select(['auto_close_days', 'country_code'])
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  return { autoCloseDays: row.auto_close_days, countryCode: row.country_code };
}

/**
 * Changes the given settings (absent ones stay; `null` clears one) and records the change with
 * its before and after values in the audit log.
 *
 * @example await updateOrgSettings(ctx, actor, { autoCloseDays: 30, countryCode: 'IN' });
 */
export async function updateOrgSettings(
  ctx: AppContext,
  actor: Actor,
  change: Partial<OrgSettings>,
): Promise<OrgSettings> {
  const errors = new FieldErrors();
  const days = change.autoCloseDays;
  if (
    days !== undefined &&
    days !== null &&
    (!Number.isInteger(days) || days < 1 || days > AUTO_CLOSE_DAYS_MAX)
  ) {
    errors.add(
      'FIELD_INVALID_VALUE',
      `autoCloseDays must be an integer from 1 to ${AUTO_CLOSE_DAYS_MAX}, or null`,
    );
  }
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
  if (days === undefined && country === undefined) {
    errors.add('FIELD_REQUIRED', 'autoCloseDays or countryCode is required');
  }
  errors.throwIfAny();
  return ctx.store.transaction(async (trx) => {
    const before = await trx
      .selectFrom('orgs')
      .select(['auto_close_days', 'country_code'])
      .where('id', '=', actor.orgId)
      .executeTakeFirstOrThrow();
    const after = {
      auto_close_days: days === undefined ? before.auto_close_days : days,
      country_code: country === undefined ? before.country_code : country,
    };
    await trx.updateTable('orgs').set(after).where('id', '=', actor.orgId).execute();
    await recordAudit(
      trx,
      actor,
      'org.settings',
      'settings',
      {
        before: { autoCloseDays: before.auto_close_days, countryCode: before.country_code },
        after: { autoCloseDays: after.auto_close_days, countryCode: after.country_code },
      },
      ctx.clock.now(),
    );
    return { autoCloseDays: after.auto_close_days, countryCode: after.country_code };
  });
}

/** The CLI's `org set`: parses the option text, then {@link updateOrgSettings}. */
export async function setOrgSettingsByName(
  ctx: AppContext,
  input: { org: string; autoCloseDays?: string | undefined; countryCode?: string | undefined },
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
  const settings = await updateOrgSettings(ctx, cliActor(org.id), { autoCloseDays, countryCode });
  return { org: org.name, ...settings };
}
