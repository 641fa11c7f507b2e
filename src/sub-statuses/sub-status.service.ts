import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import { AppError, envelopeItem, type EnvelopeItem } from '../core/errors.js';
import { insertSubStatus, listSubStatuses } from './sub-status.repository.js';
import { SUB_STATUS_MAX_LENGTH, type SubStatus, type SubStatusBody } from './sub-status.schemas.js';

export async function getSubStatuses(ctx: AppContext, caller: Caller): Promise<SubStatus[]> {
  const rows = await listSubStatuses(ctx.store.db, caller.orgId);
  return rows.map((r) => ({ status: r.status, subStatus: r.sub_status }));
}

/** Adds a sub-status of a status; an existing pair is a warning, not an error. */
export async function addSubStatus(
  ctx: AppContext,
  caller: Caller,
  body: SubStatusBody,
): Promise<SubStatus & { warnings: EnvelopeItem[] }> {
  const subStatus = body.subStatus.trim();
  if (subStatus === '') throw AppError.of('FIELD_INVALID_VALUE', 'subStatus must not be blank');
  // The API's schema refuses these before; the web app's form reaches here unchecked.
  if (subStatus.length > SUB_STATUS_MAX_LENGTH) {
    throw AppError.of(
      'FIELD_INVALID_VALUE',
      `subStatus must not be longer than ${SUB_STATUS_MAX_LENGTH} characters`,
    );
  }
  const added = await ctx.store.transaction((trx) =>
    insertSubStatus(trx, caller.orgId, body.status, subStatus, ctx.clock.now()),
  );
  const warnings = added
    ? []
    : [
        envelopeItem(
          'SUB_STATUS_EXISTS',
          `sub-status ${subStatus} of ${body.status} exists already`,
        ),
      ];
  return { status: body.status, subStatus, warnings };
}
