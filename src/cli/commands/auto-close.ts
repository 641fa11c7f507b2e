import { autoClose } from '../../auto-close/auto-close.service.js';
import { isDateTime, parseDateTime } from '../../http/date-time.js';
import { AppError } from '../../http/errors.js';
import { requireOrg } from '../../orgs/org.service.js';
import { optStr, str, type Command } from '../command.js';

/** Auto-close on demand, beside (or instead of) the server's schedule. */
export const autoCloseCommands: Record<string, Command> = {
  'auto-close': {
    usage: 'leadline auto-close --org NAME [--dry-run] [--as-of ISO-DATE-TIME]',
    options: {
      org: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'as-of': { type: 'string' },
    },
    required: ['org'],
    // An org without auto-close days closes nothing: {"closed": []}, as a pass of the server's
    // schedule would, so a script can run it over every org.
    run: async (ctx, v) => {
      const asOf = optStr(v['as-of']);
      if (asOf !== undefined && !isDateTime(asOf)) {
        throw AppError.of(
          'INVALID_ARGUMENT',
          '--as-of must be an ISO 8601 date-time with an offset, e.g. 2026-03-05T00:00:00Z',
        );
      }
      const org = await requireOrg(ctx, str(v.org));
      return autoClose(ctx, {
        orgId: org.id,
        asOf: asOf === undefined ? ctx.clock.now() : parseDateTime(asOf),
        dryRun: v['dry-run'] === true,
      });
    },
  },
};
