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
  settingsPage,
  subStatusesPage,
  type AdminOutcome,
  type SettingsForm,
} from './admin.pages.js';
import {
  AUTO_CLOSE_DAYS_MAX,
  EVENT_RETENTION_DAYS_MAX,
  getOrgSettings,
  SettingsBody,
  updateOrgSettings,
  type OrgSettings,
} from '../orgs/index.js';
import { EVENT_RETENTION_DAYS_DEFAULT } from '../events/index.js';
import { checkInput } from '../http/validation.js';
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
import { field, isLeadStatus, messagesOf, sendPage } from './web.http.js';
import { adminOr, attempt, checkToken, idParam, noticeOf, pageOf } from './admin.http.js';

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
  'settings-saved': 'Settings saved.',
  'settings-unchanged': 'Nothing to save: the settings are as they were.',
};

/** The settings form's number fields. */
const NUMBER_SETTINGS = ['autoCloseDays', 'rateLimitPerMinute', 'eventRetentionDays'] as const;
/** The settings form's text fields: the numbers, and two names. */
const TEXT_SETTINGS = [...NUMBER_SETTINGS, 'countryCode', 'timeZone'] as const;
const isNumberSetting = (name: string) => (NUMBER_SETTINGS as readonly string[]).includes(name);

/**
 * A settings field's text as the API's body would carry it: empty clears the setting (null),
 * digits are a number, anything else stays text for the API's schema to refuse by name.
 */
function settingValue(text: string, numeric: boolean): string | number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return numeric && /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** The org's settings as the form shows them. */
function settingsForm(settings: OrgSettings): SettingsForm {
  return {
    autoCloseDays: settings.autoCloseDays === null ? '' : String(settings.autoCloseDays),
    countryCode: settings.countryCode ?? '',
    rateLimitPerMinute:
      settings.rateLimitPerMinute === null ? '' : String(settings.rateLimitPerMinute),
    requireIfMatch: settings.requireIfMatch,
    eventRetentionDays:
      settings.eventRetentionDays === null ? '' : String(settings.eventRetentionDays),
    timeZone: settings.timeZone ?? '',
  };
}

/** Entities per page of the people page (the API's largest page). */
const PEOPLE_PAGE_SIZE = 100;

/** Entries per page of the audit log (the API's largest page is 100). */
const AUDIT_PAGE_SIZE = 50;

const SYSTEM_REASON_TEXTS = new Set<string>(Object.values(SYSTEM_REASONS));

export async function adminRoutes(web: FastifyInstance): Promise<void> {
  const { ctx } = web;
  const notice = (request: FastifyRequest, session: WebSession) =>
    noticeOf(request, session, NOTICES);

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
    const id = idParam(request);
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

  const showSettings = (
    session: WebSession,
    reply: FastifyReply,
    view: Omit<AdminOutcome, 'form'> & { form: SettingsForm },
    status = 200,
  ) =>
    sendPage(
      reply,
      settingsPage(session, {
        ...view,
        limits: {
          autoCloseDaysMax: AUTO_CLOSE_DAYS_MAX,
          retentionDaysMax: EVENT_RETENTION_DAYS_MAX,
        },
        defaults: {
          rateLimitPerMinute: ctx.config.rateLimit.perMinute,
          eventRetentionDays: EVENT_RETENTION_DAYS_DEFAULT,
        },
      }),
      status,
    );

  web.get('/admin/settings', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    const settings = await getOrgSettings(ctx, session.caller.orgId);
    return showSettings(session, reply, {
      notice: notice(request, session),
      form: settingsForm(settings),
    });
  });

  web.post('/admin/settings', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    checkToken(session, request.body);
    const current = settingsForm(await getOrgSettings(ctx, session.caller.orgId));
    const form: SettingsForm = {
      ...Object.fromEntries(TEXT_SETTINGS.map((name) => [name, field(request.body, name).trim()])),
      requireIfMatch: field(request.body, 'requireIfMatch') === 'on',
    } as SettingsForm;
    // Only what the form changed is sent, so the audit log records what the person changed.
    const change: Record<string, unknown> = {};
    for (const name of TEXT_SETTINGS) {
      const same =
        name === 'countryCode'
          ? form[name].toUpperCase() === current[name].toUpperCase()
          : form[name] === current[name];
      if (!same) change[name] = settingValue(form[name], isNumberSetting(name));
    }
    if (form.requireIfMatch !== current.requireIfMatch) {
      change.requireIfMatch = form.requireIfMatch;
    }
    if (Object.keys(change).length === 0) {
      return reply.redirect('/app/admin/settings?done=settings-unchanged', 303);
    }
    const result = await attempt(async () => {
      checkInput(SettingsBody, change);
      return updateOrgSettings(ctx, actorOf(session.caller), change);
    });
    if ('error' in result) {
      const problem = messagesOf(result.error);
      return showSettings(session, reply, { problem, form }, result.error.statusCode);
    }
    return reply.redirect('/app/admin/settings?done=settings-saved', 303);
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
