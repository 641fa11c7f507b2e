import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import type { Actor } from '../core/actor.js';
import { AppError, envelopeItem, type EnvelopeItem } from '../core/errors.js';
import { recordAudit } from '../audit/index.js';
import { onOffOption, positiveIdOption } from '../core/cli-options.js';
import {
  findReasonById,
  findReasonByText,
  insertReason,
  listAdminReasons,
  listReasons,
  reasonKey,
  SYSTEM_REASONS,
  updateReasonNotAvailable,
  type AdminReasonRow,
} from './reason.repository.js';
import {
  REASON_MAX_LENGTH,
  type AdminReason,
  type Reason,
  type ReasonChangeBody,
  type ReasonsBody,
} from './reason.schemas.js';

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
  // The API's schema refuses these before; the web app's form reaches here unchecked.
  const long = body.findIndex((r) => r.reason.trim().length > REASON_MAX_LENGTH);
  if (long >= 0) {
    throw AppError.of(
      'FIELD_INVALID_VALUE',
      `[${long}].reason must not be longer than ${REASON_MAX_LENGTH} characters`,
    );
  }
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

function isSystemReason(reason: string): boolean {
  return (Object.values(SYSTEM_REASONS) as string[]).includes(reason);
}

function adminViewOf(row: AdminReasonRow): AdminReason {
  return { id: row.id, reason: row.reason, notAvailable: row.not_available === 1 };
}

export function reasonNotFound(id: number): AppError {
  return AppError.of('REASON_NOT_FOUND', `no reason ${id} in this org`);
}

/** The org's reasons with their flags, oldest first (administrators). */
export async function getAdminReasons(ctx: AppContext, orgId: number): Promise<AdminReason[]> {
  return (await listAdminReasons(ctx.store.db, orgId)).map(adminViewOf);
}

/**
 * Marks a reason as meaning "not available" (a lead lost for it is unfulfilled demand) or not,
 * and records the change in the audit log with the flag before and after. Another org's reason
 * answers as one that does not exist.
 *
 * @example await changeReason(ctx, actor, 12, { notAvailable: true });
 */
export async function changeReason(
  ctx: AppContext,
  actor: Actor,
  id: number,
  change: ReasonChangeBody,
): Promise<AdminReason> {
  return ctx.store.transaction(async (trx) => {
    const before = await findReasonById(trx, actor.orgId, id);
    if (!before) throw reasonNotFound(id);
    // Leads close with these for what happened to them, never for what a store lacked: auto-close
    // marked "not available" would count every lead left alone as unfulfilled demand.
    if (change.notAvailable && isSystemReason(before.reason)) {
      throw AppError.of(
        'FIELD_INVALID_VALUE',
        `id: reason ${id} (${before.reason}) is a system reason, which cannot be marked not available`,
      );
    }
    const after = await updateReasonNotAvailable(trx, actor.orgId, id, change.notAvailable);
    if (!after) throw reasonNotFound(id);
    await recordAudit(
      trx,
      actor,
      'reason.update',
      String(id),
      {
        reason: after.reason,
        before: { notAvailable: before.not_available === 1 },
        after: { notAvailable: change.notAvailable },
      },
      ctx.clock.now(),
    );
    return adminViewOf(after);
  });
}

/** The CLI's `reason set`: `--id` and `--not-available on|off` parsed, then {@link changeReason}. */
export async function changeReasonFromCli(
  ctx: AppContext,
  actor: Actor,
  input: { id: string; notAvailable: string },
): Promise<AdminReason> {
  const id = positiveIdOption(input.id, 'id', 'a reason id');
  const notAvailable = onOffOption(input.notAvailable, 'not-available');
  return changeReason(ctx, actor, id, { notAvailable });
}
