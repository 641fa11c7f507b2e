import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import { formatDateTime } from '../core/date-time.js';
import { LEAD_TYPES, type LeadStatus, type LeadType } from '../db/schema.js';
import { lookUpCustomer } from '../customers/index.js';
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
  openLeadsFragment,
  type LeadFilters,
  type LeadPageContext,
} from './leads.pages.js';
import { BOARD_STATUSES, boardPage } from './board.pages.js';
import type { WebSession } from './session.service.js';
import { instantOfLocal } from './time.js';
import { translator, type Text, type Translate } from './i18n.js';
import { field, isLeadStatus, messagesOf, sameToken, sendPage, sessionOr } from './web.http.js';

/**
 * The associate's lead pages (docs/web.md): the list with the API's filters and cursor paging,
 * and one lead with its history and the forms that change it. Every read and write goes through
 * the API's use cases as the session's caller, so validation, tenancy, ETags, events and the
 * audit apply as they do to the API.
 */

const PAGE_SIZE = 25;
/** Cards per column of the board: the most recently changed leads of each status. */
const BOARD_COLUMN_SIZE = 20;

/** What the lead page says after the form that led to it. */
const NOTICES: Record<string, Text> = {
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

const isType = (value: string): value is LeadType =>
  (LEAD_TYPES as readonly string[]).includes(value);

/** The lead id of a path, or undefined when it is not one. */
function leadIdOf(raw: string): number | undefined {
  return /^\d{1,15}$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined;
}

/** The first message of an error a use case threw, for a person to read. */
function problemOf(error: AppError, t: Translate): string {
  if (error.statusCode === 412) {
    return t('Someone changed this lead since you opened it: check its status and try again.');
  }
  return messagesOf(error);
}

/** The statuses of a lead still being worked: what "open leads" means on New lead. */
const WORKED_STATUSES: readonly LeadStatus[] = ['OPEN', 'ON_HOLD'];
/** At most this many of a shopper's leads of each worked status on New lead. */
const OPEN_LEADS_SHOWN = 10;

/** How a search box's text is read (docs/web.md, "Leads"). */
type SearchTarget = { leadId: number } | { idType: 'EMAIL' | 'MOBILE'; identifier: string };

/**
 * What a search names: `#123` a lead's number, text with `@` a shopper's email, anything else a
 * shopper's mobile (which, when it is only digits and no shopper has it, may still be a lead's
 * number: see the route).
 */
function searchTarget(text: string): SearchTarget {
  const number = /^#\s*(\d{1,15})$/.exec(text)?.[1];
  if (number !== undefined) return { leadId: Number(number) };
  return text.includes('@')
    ? { idType: 'EMAIL', identifier: text }
    : { idType: 'MOBILE', identifier: text };
}

export async function leadRoutes(web: FastifyInstance): Promise<void> {
  const { ctx } = web;

  /**
   * The customer id of a shopper's mobile or email in the caller's org, or why there is none
   * (not one, or malformed), in words for the page.
   */
  const shopperOf = async (
    session: WebSession,
    target: { idType: 'EMAIL' | 'MOBILE'; identifier: string },
  ): Promise<{ userId: number } | { problem: string; malformed: boolean }> => {
    try {
      return { userId: (await lookUpCustomer(ctx, session.caller, target)).id };
    } catch (error) {
      if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
      const t = translator(session.language);
      const email = target.idType === 'EMAIL';
      if (error.statusCode === 404) {
        const problem = email ? t('No shopper has this email.') : t('No shopper has this mobile.');
        return { problem, malformed: false };
      }
      const why = problemOf(error, t);
      const problem = email
        ? t('This is not an email we can read: {why}.', { why })
        : t('This is not a mobile we can read: {why}.', { why });
      return { problem, malformed: true };
    }
  };

  /** Whether the caller can see lead `id` (another org's lead answers as a missing one). */
  const leadVisible = async (session: WebSession, id: number) => {
    try {
      await getLead(ctx, session.caller, { id });
      return true;
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 404) return false;
      throw error;
    }
  };

  web.get('/leads', { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOr(request, reply);
    if (!session) return reply;
    const query = request.query as Record<string, string | undefined>;
    const status = query.status ?? '';
    const type = query.type ?? '';
    const filters: LeadFilters = {
      ...(isLeadStatus(status) ? { status } : {}),
      ...(isType(type) ? { type } : {}),
      mine: query.mine === '1',
    };
    const cursor =
      typeof query.cursor === 'string' && query.cursor !== '' ? query.cursor : undefined;
    const q = (query.q ?? '').trim().slice(0, 254);
    let userId: number | undefined;
    if (q !== '') {
      filters.q = q;
      const target = searchTarget(q);
      if ('leadId' in target) {
        if (await leadVisible(session, target.leadId)) {
          return reply.redirect(`/app/leads/${target.leadId}`, 303);
        }
        return sendPage(
          reply,
          leadsPage(session, {
            leads: [],
            filters,
            problem: translator(session.language)('There is no lead {number}.', { number: q }),
          }),
        );
      }
      const shopper = await shopperOf(session, target);
      if ('problem' in shopper) {
        // Digits no shopper has may be a lead's number typed without its '#'.
        const asNumber = /^\d{1,15}$/.test(q) ? Number(q) : undefined;
        if (asNumber !== undefined && (await leadVisible(session, asNumber))) {
          return reply.redirect(`/app/leads/${asNumber}`, 303);
        }
        return sendPage(
          reply,
          leadsPage(session, { leads: [], filters, problem: shopper.problem }),
        );
      }
      userId = shopper.userId;
    }
    const page = await searchLeads(ctx, session.caller, {
      query: {
        ...(userId === undefined ? {} : { userId }),
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
    if (filters.q) next.set('q', filters.q);
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
        problem: undefined,
      }),
    );
  });

  web.get('/board', { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOr(request, reply);
    if (!session) return reply;
    const query = request.query as Record<string, string | undefined>;
    const mine = query.mine === '1';
    const [reasons, subStatuses, ...pages] = await Promise.all([
      getReasons(ctx, session.caller),
      getSubStatuses(ctx, session.caller),
      ...BOARD_STATUSES.map((status) =>
        searchLeads(ctx, session.caller, {
          query: {
            status,
            ...(mine ? { owner: session.caller.entityId } : {}),
            sortBy: 'lastUpdatedOn',
            sortOrder: 'DESC',
            limit: BOARD_COLUMN_SIZE,
            offset: 0,
          },
        }),
      ),
    ]);
    const moved = leadIdOf(query.moved ?? '');
    return sendPage(
      reply,
      boardPage(session, {
        columns: BOARD_STATUSES.map((status, i) => ({
          status,
          leads: pages[i]!.leads,
          more: pages[i]!.nextCursor !== undefined,
        })),
        mine,
        reasons,
        subStatuses,
        moved,
      }),
    );
  });

  const newLeadForm = async (session: WebSession) =>
    getDefinitions(ctx, session.caller.orgId, 'LEAD', session.language);

  web.get('/leads/new', { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOr(request, reply);
    if (!session) return reply;
    return sendPage(reply, newLeadPage(session, { fields: await newLeadForm(session) }));
  });

  // A fragment for New lead's script: the shopper's open leads as the identifier is typed.
  web.get('/shoppers/open-leads', { schema: { hide: true } }, async (request, reply) => {
    const session = sessionOr(request, reply);
    if (!session) return reply;
    const identifier = field(request.query, 'identifier').trim().slice(0, 254);
    const target = searchTarget(identifier);
    const t = translator(session.language);
    if (identifier === '' || 'leadId' in target) return sendPage(reply, openLeadsFragment(t));
    const shopper = await shopperOf(session, target);
    if ('problem' in shopper) {
      return sendPage(
        reply,
        openLeadsFragment(t, shopper.malformed ? undefined : { leads: [], zone: session.timeZone }),
      );
    }
    const pages = await Promise.all(
      WORKED_STATUSES.map((status) =>
        searchLeads(ctx, session.caller, {
          query: {
            userId: shopper.userId,
            status,
            sortBy: 'lastUpdatedOn',
            sortOrder: 'DESC',
            limit: OPEN_LEADS_SHOWN,
            offset: 0,
          },
        }),
      ),
    );
    const open = pages.flatMap((page) => page.leads);
    return sendPage(reply, openLeadsFragment(t, { leads: open, zone: session.timeZone }));
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
      return again(translator(session.language)('The form had expired. Please try again.'), 403);
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
      return again(problemOf(error, translator(session.language)), error.statusCode);
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
    return showLead(session, reply, id, {
      notice: notice && translator(session.language)(notice),
    });
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
        const problem = translator(session.language)('The form had expired. Please try again.');
        return showLead(session, reply, id, { problem, form }, 403);
      }
      try {
        await change(session, id, request.body);
      } catch (error) {
        if (!(error instanceof AppError) || error.statusCode === 404) throw error;
        const problem = problemOf(error, translator(session.language));
        return showLead(session, reply, id, { problem, form }, error.statusCode);
      }
      // The board's dialog goes back to the board; every other form to the lead.
      const back =
        field(request.body, 'back') === 'board'
          ? `/app/board?moved=${id}`
          : `/app/leads/${id}?done=${done}`;
      return reply.redirect(back, 303);
    };

  web.post(
    '/leads/:id/status',
    { schema: { hide: true } },
    leadForm('status', async (session, id, body) => {
      const status = field(body, 'status');
      const reasonId = Number(field(body, 'reasonId'));
      const subStatus = field(body, 'subStatus');
      const version = Number(field(body, 'version'));
      if (!isLeadStatus(status))
        throw AppError.of('FIELD_INVALID_VALUE', 'status: choose a status');
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
