import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import { ENTITY_TYPES } from '../db/schema.js';
import {
  addReasons,
  changeReason,
  getAdminReasons,
  REASON_MAX_LENGTH,
  SYSTEM_REASONS,
} from '../reasons/index.js';
import { addSubStatus, getSubStatuses, SUB_STATUS_MAX_LENGTH } from '../sub-statuses/index.js';
import {
  adminPage,
  auditPage,
  peoplePage,
  reasonsPage,
  subStatusesPage,
  type AdminOutcome,
} from './admin.pages.js';
import { listAuditEntries } from '../audit/index.js';
import {
  addEntityChecked,
  changeEntityChecked,
  findEntitiesByIds,
  listEntities,
  type EntityChangeBody,
  type EntityCreateBody,
} from '../entities/index.js';
import type { WebSession } from './session.service.js';
import { translator, type Text } from './i18n.js';
import { field, isLeadStatus, messagesOf, sameToken, sendPage, sessionOr } from './web.http.js';

/**
 * The administrator's pages under `/app/admin` (docs/web.md): the same use cases as the admin
 * API, for the org's ADMIN_USERs only. Every other signed-in person gets 403, as the API's admin
 * guard answers.
 */

/** What a page says after the change that led to it (`?done=`). */
const NOTICES: Record<string, Text> = {
  'reason-added': 'Reason added.',
  'reason-exists': 'The org has this reason already.',
  'reason-changed': 'Reason changed.',
  'sub-status-added': 'Sub-status added: associates can choose it now.',
  'sub-status-exists': 'The org has this sub-status already.',
  'people-added': 'Added.',
  'people-disabled': 'Disabled: its sessions have ended.',
  'people-enabled': 'Enabled.',
  'people-password': 'Password set: its sessions have ended.',
};

/** Entities per page of the people page (the API's largest page). */
const PEOPLE_PAGE_SIZE = 100;

/** Entries per page of the audit log (the API's largest page is 100). */
const AUDIT_PAGE_SIZE = 50;

const SYSTEM_REASON_TEXTS = new Set<string>(Object.values(SYSTEM_REASONS));

/** The session when it is an administrator's; 403 (as a page) for anyone else signed in. */
function adminOr(request: FastifyRequest, reply: FastifyReply): WebSession | undefined {
  const session = sessionOr(request, reply);
  if (session && session.caller.entityType !== 'ADMIN_USER') {
    const t = translator(session.language);
    throw AppError.of('FORBIDDEN', t('Only an administrator of the org may use this page.'));
  }
  return session;
}

/** The `page` a list's link asks for: a whole number from 1, else the first. */
function pageOf(request: FastifyRequest): number {
  const raw = field(request.query, 'page');
  return /^\d{1,6}$/.test(raw) && Number(raw) > 0 ? Number(raw) : 1;
}

/** A form post's token checked: a mismatch is refused as a 403 page, nothing changed. */
function checkToken(session: WebSession, body: unknown): void {
  if (!sameToken(session.csrfToken, field(body, '_csrf'))) {
    const t = translator(session.language);
    throw AppError.of('FORBIDDEN', t('The form had expired. Please try again.'));
  }
}

/** Runs `change`; a refusal the use case explains comes back as the page's problem. */
async function attempt<T>(change: () => Promise<T>): Promise<{ done: T } | { error: AppError }> {
  try {
    return { done: await change() };
  } catch (error) {
    if (!(error instanceof AppError) || error.statusCode >= 500 || error.statusCode === 404) {
      throw error;
    }
    return { error };
  }
}

export async function adminRoutes(web: FastifyInstance): Promise<void> {
  const { ctx } = web;
  const notice = (request: FastifyRequest, session: WebSession) => {
    const text = NOTICES[field(request.query, 'done')];
    return text && translator(session.language)(text);
  };

  const showReasons = async (
    session: WebSession,
    reply: FastifyReply,
    view: AdminOutcome,
    status = 200,
  ) => {
    const reasons = (await getAdminReasons(ctx, session.caller.orgId)).map((reason) => ({
      ...reason,
      system: SYSTEM_REASON_TEXTS.has(reason.reason),
    }));
    return sendPage(
      reply,
      reasonsPage(session, { ...view, reasons, maxLength: REASON_MAX_LENGTH }),
      status,
    );
  };

  const showSubStatuses = async (
    session: WebSession,
    reply: FastifyReply,
    view: AdminOutcome,
    status = 200,
  ) => {
    const subStatuses = await getSubStatuses(ctx, session.caller);
    return sendPage(
      reply,
      subStatusesPage(session, { ...view, subStatuses, maxLength: SUB_STATUS_MAX_LENGTH }),
      status,
    );
  };

  web.get('/admin', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    return sendPage(reply, adminPage(session));
  });

  web.get('/admin/reasons', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    return showReasons(session, reply, { notice: notice(request, session) });
  });

  web.post('/admin/reasons', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    checkToken(session, request.body);
    const reason = field(request.body, 'reason');
    const result = await attempt(() => addReasons(ctx, session.caller, [{ reason }]));
    if ('error' in result) {
      const problem = messagesOf(result.error).replace(/^\[0\]\./, '');
      return showReasons(session, reply, { problem, form: { reason } }, result.error.statusCode);
    }
    const done = result.done.warnings.length > 0 ? 'reason-exists' : 'reason-added';
    return reply.redirect(`/app/admin/reasons?done=${done}`, 303);
  });

  web.post('/admin/reasons/:id', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    checkToken(session, request.body);
    const raw = (request.params as { id: string }).id;
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : 0;
    if (id <= 0) throw AppError.of('REASON_NOT_FOUND', 'There is no such reason.');
    const flag = field(request.body, 'notAvailable');
    if (flag !== 'on' && flag !== 'off') {
      throw AppError.of('FIELD_INVALID_VALUE', 'notAvailable: on or off');
    }
    const result = await attempt(() =>
      changeReason(ctx, actorOf(session.caller), id, { notAvailable: flag === 'on' }),
    );
    if ('error' in result) {
      return showReasons(
        session,
        reply,
        { problem: messagesOf(result.error) },
        result.error.statusCode,
      );
    }
    return reply.redirect('/app/admin/reasons?done=reason-changed', 303);
  });

  /** The people page, `pageNumber` of it, with what the last form did or why it did not. */
  const showPeople = async (
    session: WebSession,
    reply: FastifyReply,
    pageNumber: number,
    view: AdminOutcome,
    status = 200,
  ) => {
    const orgId = session.caller.orgId;
    // One more than shown: whether there is a next page.
    const rows = await listEntities(ctx, orgId, {
      limit: PEOPLE_PAGE_SIZE + 1,
      offset: (pageNumber - 1) * PEOPLE_PAGE_SIZE,
    });
    const shown = rows.slice(0, PEOPLE_PAGE_SIZE);
    const parents = await findEntitiesByIds(
      ctx.store.db,
      orgId,
      shown.flatMap((row) => (row.parentId === undefined ? [] : [row.parentId])),
    );
    const href = (n: number) => `/app/admin/people?page=${n}`;
    return sendPage(
      reply,
      peoplePage(session, {
        ...view,
        types: ENTITY_TYPES,
        people: shown.map((row) => ({
          code: row.code,
          type: row.type,
          parent: row.parentId === undefined ? undefined : parents.get(row.parentId)?.code,
          canLogIn: row.canLogIn,
          disabled: row.disabled,
        })),
        previousHref: pageNumber > 1 ? href(pageNumber - 1) : undefined,
        nextHref: rows.length > PEOPLE_PAGE_SIZE ? href(pageNumber + 1) : undefined,
      }),
      status,
    );
  };

  web.get('/admin/people', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    return showPeople(session, reply, pageOf(request), { notice: notice(request, session) });
  });

  web.post('/admin/people', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    checkToken(session, request.body);
    const form = Object.fromEntries(
      ['type', 'code', 'parent'].map((name) => [name, field(request.body, name).trim()]),
    );
    const password = field(request.body, 'password');
    const body = {
      type: form.type as EntityCreateBody['type'],
      code: form.code ?? '',
      ...(form.parent ? { parent: form.parent } : {}),
      ...(password === '' ? {} : { password }),
    };
    try {
      await addEntityChecked(ctx, actorOf(session.caller), body);
    } catch (error) {
      // Every refusal of the form, an unknown parent included, is the form's to show.
      if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
      return showPeople(session, reply, 1, { problem: messagesOf(error), form }, error.statusCode);
    }
    return reply.redirect('/app/admin/people?done=people-added', 303);
  });

  /** A change of one entity from its row's forms; another org's code answers 404. */
  const changePerson =
    (done: (body: unknown) => string, changeOf: (body: unknown) => EntityChangeBody) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const session = adminOr(request, reply);
      if (!session) return reply;
      checkToken(session, request.body);
      const code = (request.params as { code: string }).code;
      const result = await attempt(() =>
        changeEntityChecked(ctx, actorOf(session.caller), code, changeOf(request.body)),
      );
      if ('error' in result) {
        const problem = messagesOf(result.error);
        return showPeople(session, reply, 1, { problem }, result.error.statusCode);
      }
      return reply.redirect(`/app/admin/people?done=${done(request.body)}`, 303);
    };

  web.post(
    '/admin/people/:code/disabled',
    { schema: { hide: true } },
    changePerson(
      (body) => (field(body, 'disabled') === 'on' ? 'people-disabled' : 'people-enabled'),
      (body) => {
        const flag = field(body, 'disabled');
        if (flag !== 'on' && flag !== 'off') {
          throw AppError.of('FIELD_INVALID_VALUE', 'disabled: on or off');
        }
        return { disabled: flag === 'on' };
      },
    ),
  );

  web.post(
    '/admin/people/:code/password',
    { schema: { hide: true } },
    changePerson(
      () => 'people-password',
      (body) => ({ password: field(body, 'password') }),
    ),
  );

  web.get('/admin/audit', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    const pageNumber = pageOf(request);
    // One more than shown: whether there is an older page.
    const rows = await listAuditEntries(ctx, session.caller.orgId, {
      limit: AUDIT_PAGE_SIZE + 1,
      offset: (pageNumber - 1) * AUDIT_PAGE_SIZE,
    });
    const shown = rows.slice(0, AUDIT_PAGE_SIZE);
    const actors = await findEntitiesByIds(
      ctx.store.db,
      session.caller.orgId,
      shown.map((entry) => entry.actorId).filter((id) => id > 0),
    );
    const href = (n: number) => `/app/admin/audit?page=${n}`;
    return sendPage(
      reply,
      auditPage(session, {
        zone: session.timeZone,
        entries: shown.map((entry) => ({
          createdOn: entry.createdOn,
          // -1 is the command line; an actor since deleted shows as its id.
          actor:
            entry.actorId > 0
              ? (actors.get(entry.actorId)?.code ?? `#${entry.actorId}`)
              : undefined,
          action: entry.action,
          target: entry.target,
          details: JSON.stringify(entry.details),
        })),
        ...(pageNumber > 1 ? { previousHref: href(pageNumber - 1) } : {}),
        ...(rows.length > AUDIT_PAGE_SIZE ? { nextHref: href(pageNumber + 1) } : {}),
      }),
    );
  });

  web.get('/admin/sub-statuses', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    return showSubStatuses(session, reply, { notice: notice(request, session) });
  });

  web.post('/admin/sub-statuses', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    checkToken(session, request.body);
    const status = field(request.body, 'status');
    const subStatus = field(request.body, 'subStatus');
    const form = { status, subStatus };
    if (!isLeadStatus(status)) {
      const problem = translator(session.language)('status: choose a status');
      return showSubStatuses(session, reply, { problem, form }, 400);
    }
    const result = await attempt(() => addSubStatus(ctx, session.caller, { status, subStatus }));
    if ('error' in result) {
      const problem = messagesOf(result.error);
      return showSubStatuses(session, reply, { problem, form }, result.error.statusCode);
    }
    const done = result.done.warnings.length > 0 ? 'sub-status-exists' : 'sub-status-added';
    return reply.redirect(`/app/admin/sub-statuses?done=${done}`, 303);
  });
}
