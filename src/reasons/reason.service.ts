import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import { AppError, envelopeItem, type EnvelopeItem } from '../core/errors.js';
import { findReasonByText, insertReason, listReasons, reasonKey } from './reason.repository.js';
import type { Reason, ReasonsBody } from './reason.schemas.js';

export function getReasons(ctx: AppContext, caller: Caller): Promise<Reason[]> {
  return listReasons(ctx.store.db, caller.orgId);
}

/**
 * Adds the reasons the org does not have yet (compared without case, blanks trimmed). Each one
 * that exists already, or repeats an earlier one of the same request, becomes a warning.
 *
 * @example await addReasons(ctx, caller, [{ reason: 'Size not in stock' }]);
 */
export async function addReasons(
  ctx: AppContext,
  caller: Caller,
  body: ReasonsBody,
): Promise<{ reasons: Reason[]; warnings: EnvelopeItem[] }> {
  const blank = body.findIndex((r) => r.reason.trim() === '');
  if (blank >= 0) throw AppError.of('FIELD_INVALID_VALUE', `[${blank}].reason must not be blank`);
  const warnings: EnvelopeItem[] = [];
  const now = ctx.clock.now();
  await ctx.store.transaction(async (trx) => {
    const seen = new Set<string>();
    for (const { reason } of body) {
      const text = reason.trim();
      const key = reasonKey(text);
      if (seen.has(key) || (await findReasonByText(trx, caller.orgId, text))) {
        warnings.push(envelopeItem('REASON_EXISTS', `reason ${text} exists already`));
      } else {
        await insertReason(trx, caller.orgId, text, now);
      }
      seen.add(key);
    }
  });
  return { reasons: await listReasons(ctx.store.db, caller.orgId), warnings };
}
