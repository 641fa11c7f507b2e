import type { AppContext } from '../../core/context.js';
import type { Caller } from '../../core/caller.js';
import type { LeadStatus } from '../../db/schema.js';
import { FieldErrors, type EnvelopeItem } from '../../core/errors.js';
import { parseDateTime } from '../../core/date-time.js';
import { checkLeadFieldsOnCreate } from '../../extended-fields/index.js';
import { IN_STORE_SOURCE_ID, channelExists } from '../../channels/index.js';
import { findOrCreateCustomer } from '../../customers/index.js';
import { findReasonByText, SYSTEM_REASONS } from '../../reasons/index.js';
import { insertFollowUps, insertStatusLogs } from '../history.repository.js';
import { statusFactsAfter } from '../status-facts.js';
import { findLead, insertLead } from '../lead.repository.js';
import { loadLeads } from '../lead.loader.js';
import { recordLeadChange } from '../lead.events.js';
import type { VersionedLead } from '../lead.mapper.js';
import type { LeadCreateBody } from '../lead.schemas.js';
import {
  checkEntities,
  checkReasons,
  checkSubStatus,
  resolveCustomerRef,
  resolveOwner,
} from '../lead.references.js';
import { showLead, type LeadView } from '../lead.view.js';

/**
 * Adds a lead with its optional history, creating its customer from an identifier when needed.
 *
 * @example await createLead(ctx, caller, { leadFor: 'JKT-0192-M', idType: 'EMAIL', identifier: 'a@b.co' });
 */
export async function createLead(
  ctx: AppContext,
  caller: Caller,
  input: {
    body: LeadCreateBody;
    /** Where notes about accepted-but-odd values go. */
    warnings: EnvelopeItem[];
    view?: LeadView;
  },
): Promise<VersionedLead> {
  const { body, warnings } = input;
  const { db } = ctx.store;
  const orgId = caller.orgId;
  const errors = new FieldErrors();
  const followUps = body.followUpDetails ?? [];
  const history = body.statusLogDetails ?? [];
  const createdBy = body.createdBy ?? caller.entityId;

  const customer = await resolveCustomerRef(db, orgId, body, errors);
  await checkEntities(
    db,
    orgId,
    [
      ['createdBy', body.createdBy],
      ...followUps.flatMap((f, i): Array<[string, number | undefined]> => [
        [`followUpDetails[${i}].createdBy`, f.createdBy],
        [`followUpDetails[${i}].followedUpBy`, f.followedUpBy],
      ]),
      ...history.map((h, i): [string, number | undefined] => [
        `statusLogDetails[${i}].createdBy`,
        h.createdBy,
      ]),
    ],
    errors,
  );
  await checkReasons(
    db,
    orgId,
    history.map((h, i): [string, number] => [`statusLogDetails[${i}].reasonId`, h.reasonId]),
    errors,
  );
  const ownerId =
    body.owner === undefined ? undefined : await resolveOwner(db, orgId, body.owner, errors);
  const orgSourceId = body.orgSourceId ?? IN_STORE_SOURCE_ID;
  if (!(await channelExists(db, orgId, orgSourceId))) {
    errors.add('FIELD_UNKNOWN_REFERENCE', `orgSourceId: no channel ${orgSourceId} in this org`);
  }
  const status: LeadStatus = body.status ?? history.at(-1)?.status ?? 'OPEN';
  await checkSubStatus(db, orgId, status, body.subStatus, errors);
  const extendedFields = await checkLeadFieldsOnCreate(
    db,
    orgId,
    body.extendedFields,
    errors,
    warnings,
  );
  const apiCall = await findReasonByText(db, orgId, SYSTEM_REASONS.APICALL);
  errors.throwIfAny();
  if (!customer || !apiCall)
    throw new Error('lead validation passed without a customer or APICALL');

  const now = ctx.clock.now();
  const createdOn = body.createdOn === undefined ? now : parseDateTime(body.createdOn);
  const followedUpOns = followUps.map((f) => parseDateTime(f.followedUpOn));
  const nextFollowUp =
    body.nextFollowUp ?? followUps.findLast((f) => f.nextFollowUp !== undefined)?.nextFollowUp;
  const statusRows = history.map((h) => ({
    status: h.status,
    sub_status: null as string | null,
    created_by: h.createdBy ?? createdBy,
    reason_id: h.reasonId,
  }));
  // Every lead's newest status-log row carries its current status and sub-status.
  const last = statusRows.at(-1);
  if (last?.status === status) {
    last.sub_status = body.subStatus ?? null;
  } else {
    statusRows.push({
      status,
      sub_status: body.subStatus ?? null,
      created_by: createdBy,
      reason_id: apiCall.id,
    });
  }

  const lead = await ctx.store.transaction(async (trx) => {
    const userId =
      'userId' in customer
        ? customer.userId
        : await findOrCreateCustomer(trx, orgId, customer.column, customer.value, now);
    const leadId = await insertLead(trx, {
      org_id: orgId,
      user_id: userId,
      type: body.type ?? 'SKU',
      lead_for: body.leadFor,
      status,
      sub_status: body.subStatus ?? null,
      owner_id: ownerId ?? null,
      next_follow_up: nextFollowUp === undefined ? null : parseDateTime(nextFollowUp),
      last_follow_up: followedUpOns.length === 0 ? null : Math.max(...followedUpOns),
      created_on: createdOn,
      created_by: createdBy,
      last_updated_on: now,
      last_updated_by: caller.entityId,
      org_source_id: orgSourceId,
      extended_fields: JSON.stringify(extendedFields),
      ...statusFactsAfter(
        undefined,
        statusRows.map((r) => ({ ...r, created_on: createdOn })),
      ),
      first_followed_up_on: followedUpOns.length === 0 ? null : Math.min(...followedUpOns),
    });
    await insertFollowUps(
      trx,
      followUps.map((f, i) => {
        const by = f.createdBy ?? caller.entityId;
        return {
          org_id: orgId,
          lead_id: leadId,
          user_id: userId,
          notes: f.notes ?? null,
          created_by: by,
          created_on: now,
          followed_up_by: f.followedUpBy ?? by,
          followed_up_on: followedUpOns[i] ?? now,
          scheduled_follow_up:
            f.scheduledFollowUp === undefined ? null : parseDateTime(f.scheduledFollowUp),
          lead_created_by: createdBy,
          lead_created_on: createdOn,
        };
      }),
    );
    await insertStatusLogs(
      trx,
      statusRows.map((r) => ({
        ...r,
        org_id: orgId,
        lead_id: leadId,
        user_id: userId,
        created_on: createdOn,
      })),
    );
    // Read back in the transaction: the event carries the lead as the API returns it.
    const row = await findLead(trx, orgId, leadId);
    const [created] = row ? await loadLeads(trx, orgId, [row]) : [];
    if (!created) throw new Error(`lead ${leadId} not found in the transaction that created it`);
    await recordLeadChange(trx, orgId, { type: 'lead.created', after: created, at: now });
    return created;
  });
  return showLead(ctx, orgId, lead, input.view);
}
