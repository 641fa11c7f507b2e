import { autoClose } from '../../auto-close/auto-close.service.js';
import { findAutoCloseDays, listAutoCloseOrgs } from '../../auto-close/auto-close.repository.js';
import type { AppContext } from '../../core/context.js';
import { formatDateTime, isDateTime, parseDateTime } from '../../core/date-time.js';
import { AppError } from '../../core/errors.js';
import { requireOrg } from '../../orgs/org.service.js';
import { optStr, type Command } from '../command.js';

/** How many lead ids a report lists; the count is always exact. */
export const LISTED_IDS = 100;

type OrgReport = {
  org: string;
  autoCloseDays: number | null;
  count: number;
  leadIds: number[];
  leadIdsOmitted: number;
};

async function runForOrg(
  ctx: AppContext,
  org: { id: number; name: string },
  asOf: number,
  dryRun: boolean,
): Promise<OrgReport> {
  const { closed } = await autoClose(ctx, { orgId: org.id, asOf, dryRun });
  return {
    org: org.name,
    autoCloseDays: await findAutoCloseDays(ctx.store.db, org.id),
    count: closed.length,
    leadIds: closed.slice(0, LISTED_IDS),
    leadIdsOmitted: Math.max(0, closed.length - LISTED_IDS),
  };
}

/** Auto-close on demand, beside (or instead of) the server's schedule. */
export const autoCloseCommands: Record<string, Command> = {
  'auto-close': {
    usage: 'leadline auto-close --org NAME|--all-orgs [--dry-run] [--as-of ISO-DATE-TIME]',
    options: {
      org: { type: 'string' },
      'all-orgs': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'as-of': { type: 'string' },
    },
    required: [],
    // Counts come first and at most LISTED_IDS ids are listed: a run over a large org must not
    // print tens of thousands of ids on one line. A dry run says it is one.
    run: async (ctx, v) => {
      const name = optStr(v.org);
      const allOrgs = v['all-orgs'] === true;
      if ((name === undefined) === !allOrgs) {
        throw AppError.of(
          'INVALID_ARGUMENT',
          'give exactly one of --org NAME and --all-orgs; usage: leadline auto-close --org NAME|--all-orgs [--dry-run] [--as-of ISO-DATE-TIME]',
        );
      }
      const asOfText = optStr(v['as-of']);
      if (asOfText !== undefined && !isDateTime(asOfText)) {
        throw AppError.of(
          'INVALID_ARGUMENT',
          '--as-of must be an ISO 8601 date-time with an offset, e.g. 2026-03-05T00:00:00Z',
        );
      }
      const asOf = asOfText === undefined ? ctx.clock.now() : parseDateTime(asOfText);
      const dryRun = v['dry-run'] === true;
      const head = { dryRun, asOf: formatDateTime(asOf) };
      if (name !== undefined) {
        // An org without auto-close days closes nothing, as a pass of the server's schedule
        // would, so a script can run it over every org.
        const org = await requireOrg(ctx, name);
        const report = await runForOrg(ctx, org, asOf, dryRun);
        return { ...head, ...report };
      }
      const orgs: OrgReport[] = [];
      for (const org of await listAutoCloseOrgs(ctx.store.db)) {
        orgs.push(await runForOrg(ctx, org, asOf, dryRun));
      }
      return { ...head, count: orgs.reduce((sum, r) => sum + r.count, 0), orgs };
    },
  },
};
