import type { AppContext } from '../../core/context.js';
import type { Caller } from '../../core/caller.js';
import { FieldErrors, type EnvelopeItem } from '../../core/errors.js';
import { checkLeadFieldsOnUpdate } from '../../extended-fields/index.js';
import type { VersionedLead } from '../lead.mapper.js';
import type { LeadUpdateBody } from '../lead.schemas.js';
import { resolveOwner } from '../lead.references.js';
import { changeLead, nextUpdatedOn } from '../lead.change.js';
import { showLead, type LeadView } from '../lead.view.js';

/** Merges extended fields (null removes a key) and/or assigns the owner (null unassigns). */
export async function updateLeadFields(
  ctx: AppContext,
  caller: Caller,
  input: {
    id: number;
    body: LeadUpdateBody;
    /** Where notes about accepted-but-odd values go. */
    warnings: EnvelopeItem[];
    ifMatch?: string | undefined;
    view?: LeadView;
  },
): Promise<VersionedLead> {
  const { id, body, warnings } = input;
  const lead = await changeLead(ctx, caller, id, {
    event: 'lead.updated',
    concurrency: { ifMatch: input.ifMatch },
    ...(body.owner === undefined ? {} : { ownerCode: body.owner }),
    async validate(trx) {
      const errors = new FieldErrors();
      if (body.extendedFields === undefined && body.owner === undefined) {
        errors.add('FIELD_REQUIRED', 'extendedFields or owner is required');
      }
      const ownerId =
        typeof body.owner === 'string'
          ? await resolveOwner(trx, caller.orgId, body.owner, errors)
          : null;
      const patch = await checkLeadFieldsOnUpdate(
        trx,
        caller.orgId,
        body.extendedFields ?? {},
        errors,
        warnings,
      );
      errors.throwIfAny();
      return { ownerId: ownerId ?? null, patch };
    },
    async apply(_trx, row, now, { ownerId, patch }) {
      const fields = JSON.parse(row.extended_fields) as Record<string, unknown>;
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete fields[key];
        else fields[key] = value;
      }
      return {
        extended_fields: JSON.stringify(fields),
        ...(body.owner === undefined ? {} : { owner_id: ownerId }),
        last_updated_on: nextUpdatedOn(row, now),
        last_updated_by: caller.entityId,
      };
    },
  });
  return showLead(ctx, caller.orgId, lead, input.view);
}
