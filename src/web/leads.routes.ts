import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import { formatDateTime } from '../core/date-time.js';
import { LEAD_STATUSES, LEAD_TYPES, type LeadStatus, type LeadType } from '../db/schema.js';
import { findEntitiesByIds } from '../entities/index.js';
import {
  addFollowUp,
  changeStatus,
  createLead,
  etagOf,
  getLead,
  searchLeads,
  updateLeadFields,
} from '../leads/index.js';
import { getDefinitions, type FieldDefinition } from '../extended-fields/index.js';
import { getReasons } from '../reasons/index.js';
import { getSubStatuses } from '../sub-statuses/index.js';
import {
  extendedInputName,
  leadPage,
  leadsPage,
  newLeadPage,
  type LeadFilters,
  type LeadPageContext,
} from './leads.pages.js';
import type { WebSession } from './session.service.js';
import { instantOfLocal } from './time.js';
import { field, sameToken, sendPage } from './web.http.js';

/**
 * The associate's lead pages (docs/web.md): the list with the API's filters and cursor paging,
 * and one lead with its history and the forms that change it. Every read and write goes through
 * the API's use cases as the session's caller, so validation, tenancy, ETags, events and the
 * audit apply as they do to the API.
 */

const PAGE_SIZE = 25;

/** What the lead page says after the form that led to it. */
const NOTICES: Record<string, string> = {
  created: 'Lead saved.',
  status: 'Status changed.',
  'follow-up': 'Follow-up added.',
  owner: 'Owner changed.',
};

/**
 * An extended field's form text as the API takes it: numbers and booleans as such, a date-time
 * read in the org's time zone; what does not parse is passed on as text for the use case to
 * refuse with its own message.
 */
function extendedValue(
  definition: FieldDefinition,
  raw: string,
  timeZone: string,
): string | number | boolean {
  switch (definition.dataType) {
    case 'INTEGER':
      return /^-?\d{1,15}$/.test(raw) ? Number(raw) : raw;
    case 'DOUBLE':
      return raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case 'BOOLEAN':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'DATETIME': {
      const ms = instantOfLocal(raw, timeZone);
      return ms === undefined ? raw : formatDateTime(ms);
    }
    default:
      return raw;
  }
}

const isStatus = (value: string): value is LeadStatus =>
  (LEAD_STATUSES as readonly string[]).includes(value);
const isType = (value: string): value is LeadType =>
  (LEAD_TYPES as readonly string[]).includes(value);

/** The session, or a redirect to the sign-in form (answered) when there is none. */
function sessionOr(request: FastifyRequest, reply: FastifyReply): WebSession | undefined {
  if (!request.webSession) void reply.redirect('/app/login');
  return request.webSession;
}

/** The lead id of a path, or undefined when it is not one. */
function leadIdOf(raw: string): number | undefined {
  return /^\d{1,15}$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined;
}

/** The first message of an error a use case threw, for a person to read. */
function problemOf(error: AppError): string {
  if (error.statusCode === 412) {
    return 'Someone changed this lead since you opened it: check its status and try again.';
  }
  return error.items.map((item) => item.message).join('; ');
}

export async function leadRoutes(web: FastifyInstance): Promise<void> {
  const { ctx } = web;

  web.get('/leads', { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOr(request, reply);
    if (!session) return reply;
    const query = request.query as Record<string, string | undefined>;
    const status = query.status ?? '';
    const type = query.type ?? '';
    const filters: LeadFilters = {
      ...(isStatus(status) ? { status } : {}),
      ...(isType(type) ? { type } : {}),
      mine: query.mine === '1',
    };
    const cursor =
      typeof query.cursor === 'string' && query.cursor !== '' ? query.cursor : undefined;
    const page = await searchLeads(ctx, session.caller, {
      query: {
        ...(filters.status ? { status: filters.status } : {}),
        ...(filters.type ? { type: filters.type as LeadType } : {}),
        ...(filters.mine ? { owner: session.caller.entityId } : {}),
        sortBy: 'lastUpdatedOn',
        sortOrder: 'DESC',
        limit: PAGE_SIZE,
        offset: 0,
        ...(cursor ? { cursor } : {}),
      },
    });
    const next = new URLSearchParams();
    if (filters.status) next.set('status', filters.status);
    if (filters.type) next.set('type', filters.type);
    if (filters.mine) next.set('mine', '1');
    if (page.nextCursor) next.set('cursor', page.nextCursor);
    return sendPage(
      reply,
      leadsPage(session, {
        leads: page.leads,
        filters,
        nextHref: page.nextCursor ? `/app/leads?${next.toString()}` : undefined,
      }),
    );
  });

  const newLeadForm = async (session: WebSession) =>
    getDefinitions(ctx, session.caller.orgId, 'LEAD', undefined);

  web.get('/leads/new', { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOr(request, reply);
    if (!session) return reply;
    return sendPage(reply, newLeadPage(session, { fields: await newLeadForm(session) }));
  });

  web.post('/leads/new', { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOr(request, reply);
    if (!session) return reply;
    const fields = await newLeadForm(session);
    const names = [
      'identifier',
      'leadFor',
      'type',
      ...fields.map((f) => extendedInputName(f.name)),
    ];
    const form = Object.fromEntries(names.map((name) => [name, field(request.body, name).trim()]));
    const again = (problem: string, status: number) =>
      sendPage(reply, newLeadPage(session, { fields, form, problem }), status);
    if (!sameToken(session.csrfToken, field(request.body, '_csrf'))) {
      return again('The form had expired. Please try again.', 403);
    }
    const identifier = form.identifier ?? '';
    const type = form.type ?? 'SKU';
    const extendedFields = Object.fromEntries(
      fields
        .filter((definition) => (form[extendedInputName(definition.name)] ?? '') !== '')
        .map((definition) => [
          definition.name,
          extendedValue(
            definition,
            form[extendedInputName(definition.name)] ?? '',
            session.timeZone,
          ),
        ]),
    );
    let id: number;
    try {
      ({ id } = await createLead(ctx, session.caller, {
        body: {
          leadFor: form.leadFor ?? '',
          ...(identifier === ''
            ? {}
            : { idType: identifier.includes('@') ? 'EMAIL' : 'MOBILE', identifier }),
          type: isType(type) ? type : 'SKU',
          ...(Object.keys(extendedFields).length > 0 ? { extendedFields } : {}),
        },
        warnings: [],
      }));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return again(problemOf(error), error.statusCode);
    }
    return reply.redirect(`/app/leads/${id}?done=created`, 303);
  });

  /** The lead page, with a problem or a notice from the last form. */
  const showLead = async (
    session: WebSession,
    reply: FastifyReply,
    id: number,
    extra: Pick<LeadPageContext, 'problem' | 'notice' | 'form'> = {},
    status = 200,
  ) => {
    const lead = await getLead(ctx, session.caller, { id });
    const [reasons, subStatuses] = await Promise.all([
      getReasons(ctx, session.caller),
      getSubStatuses(ctx, session.caller),
    ]);
    const ids = [
      lead.createdBy,
      ...lead.statusLogDetails.map((row) => row.createdBy),
      ...lead.followUpDetails.map((row) => row.followedUpBy),
    ].filter((entityId) => entityId > 0);
    const entities = await findEntitiesByIds(ctx.store.db, session.caller.orgId, ids);
    const codes = new Map([...entities].map(([entityId, row]) => [entityId, row.code]));
    return sendPage(
      reply,
      leadPage(session, lead, { reasons, subStatuses, codes, ...extra }),
      status,
    );
  };

  web.get('/leads/:id', { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOr(request, reply);
    if (!session) return reply;
    const id = leadIdOf((request.params as { id: string }).id);
    if (id === undefined) throw AppError.of('LEAD_NOT_FOUND', 'there is no such lead');
    const done = (request.query as { done?: string }).done;
    const notice = NOTICES[done ?? ''];
    return showLead(session, reply, id, { notice });
  });

  /**
   * A form post on a lead: refused without the session's form token (403, nothing changed);
   * the change through `change`; then back to the lead page (303), or the page again with what
   * the use case refused (its status, the form's values kept).
   */
  const leadForm =
    (done: string, change: (session: WebSession, id: number, body: unknown) => Promise<unknown>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const session = sessionOr(request, reply);
      if (!session) return reply;
      const id = leadIdOf((request.params as { id: string }).id);
      if (id === undefined) throw AppError.of('LEAD_NOT_FOUND', 'there is no such lead');
      const form = Object.fromEntries(
        ['status', 'subStatus', 'reasonId', 'notes', 'nextFollowUp', 'owner'].map((name) => [
          name,
          field(request.body, name),
        ]),
      );
      if (!sameToken(session.csrfToken, field(request.body, '_csrf'))) {
        const problem = 'The form had expired. Please try again.';
        return showLead(session, reply, id, { problem, form }, 403);
      }
      try {
        await change(session, id, request.body);
      } catch (error) {
        if (!(error instanceof AppError) || error.statusCode === 404) throw error;
        return showLead(session, reply, id, { problem: problemOf(error), form }, error.statusCode);
      }
      return reply.redirect(`/app/leads/${id}?done=${done}`, 303);
    };

  web.post(
    '/leads/:id/status',
    { schema: { hide: true } },
    leadForm('status', async (session, id, body) => {
      const status = field(body, 'status');
      const reasonId = Number(field(body, 'reasonId'));
      const subStatus = field(body, 'subStatus');
      const version = Number(field(body, 'version'));
      if (!isStatus(status)) throw AppError.of('FIELD_INVALID_VALUE', 'status: choose a status');
      if (!Number.isSafeInteger(reasonId) || reasonId <= 0) {
        throw AppError.of('FIELD_REQUIRED', 'reason: choose a reason');
      }
      await changeStatus(ctx, session.caller, {
        id,
        body: { status, reasonId, ...(subStatus ? { subStatus } : {}) },
        // The version the page showed: a change made since is not overwritten unseen.
        ...(Number.isSafeInteger(version) ? { ifMatch: etagOf({ id, version }) } : {}),
      });
    }),
  );

  web.post(
    '/leads/:id/follow-ups',
    { schema: { hide: true } },
    leadForm('follow-up', async (session, id, body) => {
      const notes = field(body, 'notes').trim();
      const nextLocal = field(body, 'nextFollowUp');
      const next = nextLocal === '' ? undefined : instantOfLocal(nextLocal, session.timeZone);
      if (nextLocal !== '' && next === undefined) {
        throw AppError.of('FIELD_INVALID_VALUE', 'next follow-up: not a date and time');
      }
      await addFollowUp(ctx, session.caller, {
        id,
        body: {
          followedUpOn: formatDateTime(ctx.clock.now()),
          createdBy: session.caller.entityId,
          ...(notes ? { notes } : {}),
          ...(next === undefined ? {} : { nextFollowUp: formatDateTime(next) }),
        },
      });
    }),
  );

  web.post(
    '/leads/:id/owner',
    { schema: { hide: true } },
    leadForm('owner', async (session, id, body) => {
      const owner = field(body, 'owner').trim();
      const version = Number(field(body, 'version'));
      await updateLeadFields(ctx, session.caller, {
        id,
        // Left empty: the lead has no owner any more.
        body: { owner: owner === '' ? null : owner },
        warnings: [],
        ...(Number.isSafeInteger(version) ? { ifMatch: etagOf({ id, version }) } : {}),
      });
    }),
  );
}
