import type { AppContext } from '../../core/context.js';
import type { Caller } from '../../core/caller.js';
import type { Db } from '../../db/database.js';
import { AppError, FieldErrors } from '../../core/errors.js';
import { formatDateTime, parseDateTime } from '../../core/date-time.js';
import { insertStatusLogs, latestStatusLogOn } from '../history.repository.js';
import { statusFactsAfter } from '../status-facts.js';
import type { LeadRow } from '../lead.repository.js';
import type { VersionedLead } from '../lead.mapper.js';
import type { StatusChangeBody } from '../lead.schemas.js';
import { checkEntities, checkReasons, checkSubStatus } from '../lead.references.js';
import { changeLead, nextUpdatedOn, requireHistoryRoom } from '../lead.change.js';
import { showLead, type LeadView } from '../lead.view.js';

/** How far apart the clocks of tills and server may be when a till dates a status change. */
export const STATUS_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The instant a status change is logged at. The status log stays in time order, so that its
 * newest row is the lead's current status: a `createdOn` may not precede the newest row of the
 * log (whose first row is at the lead's own `createdOn`) by more than {@link STATUS_CLOCK_SKEW_MS},
 * nor run more than that ahead of the server. Within the skew before the newest row it is
 * recorded at that row's instant (two tills whose clocks differ by a second must both be able to
 * change a lead in turn). Without a `createdOn` the change is dated now, or at the newest row
 * when a till dated that one a little ahead.
 */
async function statusChangeDate(
  trx: Db,
  row: LeadRow,
  now: number,
  requested: string | undefined,
): Promise<number> {
  const latest = Math.max(row.created_on, (await latestStatusLogOn(trx, row.org_id, row.id)) ?? 0);
  if (requested === undefined) return Math.max(now, latest);
  const createdOn = parseDateTime(requested);
  if (createdOn < latest - STATUS_CLOCK_SKEW_MS) {
    throw AppError.of(
      'FIELD_INVALID_VALUE',
      `createdOn: must not be earlier than the lead's latest status change or creation (${formatDateTime(latest)}); a status change can be back-dated only that far`,
    );
  }
  if (createdOn > now + STATUS_CLOCK_SKEW_MS) {
    throw AppError.of(
      'FIELD_INVALID_VALUE',
      `createdOn: must not be more than 5 minutes after the server's time (${formatDateTime(now)})`,
    );
  }
  return Math.max(createdOn, latest);
}

/** Appends one status-log row and moves the lead to that status, in one transaction. */
export async function changeStatus(
  ctx: AppContext,
  caller: Caller,
  input: { id: number; body: StatusChangeBody; ifMatch?: string | undefined; view?: LeadView },
): Promise<VersionedLead> {
  const { id, body } = input;
  const lead = await changeLead(ctx, caller, id, {
    event: 'lead.status_changed',
    concurrency: { ifMatch: input.ifMatch },
    async validate(trx) {
      const errors = new FieldErrors();
      await checkReasons(trx, caller.orgId, [['reasonId', body.reasonId]], errors);
      await checkSubStatus(trx, caller.orgId, body.status, body.subStatus, errors);
      await checkEntities(trx, caller.orgId, [['createdBy', body.createdBy]], errors);
      errors.throwIfAny();
    },
    async apply(trx, row, now) {
      await requireHistoryRoom(ctx, trx, caller.orgId, id, 'statusLogs');
      const createdOn = await statusChangeDate(trx, row, now, body.createdOn);
      const logRow = {
        org_id: caller.orgId,
        lead_id: id,
        user_id: row.user_id,
        status: body.status,
        sub_status: body.subStatus ?? null,
        created_by: body.createdBy ?? caller.entityId,
        created_on: createdOn,
        reason_id: body.reasonId,
      };
      await insertStatusLogs(trx, [logRow]);
      return {
        ...statusFactsAfter(row, [logRow]),
        status: body.status,
        sub_status: body.subStatus ?? null,
        last_updated_on: nextUpdatedOn(row, now),
        last_updated_by: caller.entityId,
      };
    },
  });
  return showLead(ctx, caller.orgId, lead, input.view);
}
