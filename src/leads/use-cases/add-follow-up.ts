import type { AppContext } from '../../core/context.js';
import type { Caller } from '../../core/caller.js';
import { FieldErrors } from '../../core/errors.js';
import { parseDateTime } from '../../core/date-time.js';
import { insertFollowUps } from '../history.repository.js';
import type { VersionedLead } from '../lead.mapper.js';
import type { FollowUpBody } from '../lead.schemas.js';
import { checkEntities } from '../lead.references.js';
import { changeLead, nextUpdatedOn, requireHistoryRoom } from '../lead.change.js';
import { showLead, type LeadView } from '../lead.view.js';

/** Appends a follow-up; `lastFollowUp` only moves forward, `nextFollowUp` is replaced when given. */
export async function addFollowUp(
  ctx: AppContext,
  caller: Caller,
  input: { id: number; body: FollowUpBody; view?: LeadView },
): Promise<VersionedLead> {
  const { id, body } = input;
  const followedUpOn = parseDateTime(body.followedUpOn);
  const lead = await changeLead(ctx, caller, id, {
    event: 'lead.follow_up_added',
    concurrency: 'append-only',
    async validate(trx) {
      const errors = new FieldErrors();
      await checkEntities(
        trx,
        caller.orgId,
        [
          ['createdBy', body.createdBy],
          ['followedUpBy', body.followedUpBy],
        ],
        errors,
      );
      errors.throwIfAny();
    },
    async apply(trx, row, now) {
      await requireHistoryRoom(ctx, trx, caller.orgId, id, 'followUps');
      await insertFollowUps(trx, [
        {
          org_id: caller.orgId,
          lead_id: id,
          user_id: row.user_id,
          notes: body.notes ?? null,
          created_by: body.createdBy,
          created_on: now,
          followed_up_by: body.followedUpBy ?? body.createdBy,
          followed_up_on: followedUpOn,
          scheduled_follow_up:
            body.scheduledFollowUp === undefined ? null : parseDateTime(body.scheduledFollowUp),
          lead_created_by: row.created_by,
          lead_created_on: row.created_on,
        },
      ]);
      return {
        last_follow_up: Math.max(row.last_follow_up ?? followedUpOn, followedUpOn),
        first_followed_up_on: Math.min(row.first_followed_up_on ?? followedUpOn, followedUpOn),
        ...(body.nextFollowUp === undefined
          ? {}
          : { next_follow_up: parseDateTime(body.nextFollowUp) }),
        last_updated_on: nextUpdatedOn(row, now),
        last_updated_by: caller.entityId,
      };
    },
  });
  return showLead(ctx, caller.orgId, lead, input.view);
}
