import type { AppContext } from '../core/context.js';
import { isUniqueViolation } from '../db/errors.js';
import { AppError } from '../core/errors.js';
import { DEFAULT_CHANNELS, insertChannels } from '../channels/index.js';
import { insertReason, SYSTEM_REASONS } from '../reasons/index.js';
import { findOrgByName, insertOrg, type OrgRow } from './org.repository.js';
import { cliActor } from '../core/actor.js';
import { recordAudit } from '../audit/index.js';

/**
 * Creates an org with what every org has from the start: the system reasons `APICALL` and
 * `AUTO_CLOSE` and the default channels.
 *
 * @example const org = await createOrg(ctx, 'Acme Retail'); // { id: 1, name: 'Acme Retail' }
 */
export async function createOrg(ctx: AppContext, name: string): Promise<OrgRow> {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200) {
    throw AppError.of('INVALID_ARGUMENT', '--name must be 1 to 200 characters');
  }
  const now = ctx.clock.now();
  try {
    return await ctx.store.transaction(async (trx) => {
      const org = await insertOrg(trx, trimmed, now);
      await insertReason(trx, org.id, SYSTEM_REASONS.APICALL, now);
      await insertReason(trx, org.id, SYSTEM_REASONS.AUTO_CLOSE, now);
      await insertChannels(trx, org.id, DEFAULT_CHANNELS);
      await recordAudit(trx, cliActor(org.id), 'org.create', org.name, {}, now);
      return org;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw AppError.of('ORG_EXISTS', `org ${trimmed} exists already`);
    throw error;
  }
}

/** The org named `name`, or ORG_NOT_FOUND. */
export async function requireOrg(ctx: AppContext, name: string): Promise<OrgRow> {
  const org = await findOrgByName(ctx.store.db, name);
  if (!org) throw AppError.of('ORG_NOT_FOUND', `no org is named ${name}`);
  return org;
}
