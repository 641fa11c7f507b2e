import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import { formatDateTime } from '../core/date-time.js';
import { DELIVERY_STATUSES } from '../db/schema.js';
import { addOauthClient, listOauthClients, revokeOauthClient } from '../auth/index.js';
import { LEAD_EVENT_TYPES } from '../events/index.js';
import { checkInput } from '../http/validation.js';
import {
  createWebhook,
  endpointHealth,
  listDeliveries,
  listWebhooks,
  removeWebhook,
  replayEvents,
  rotateWebhookSecret,
  setWebhookEnabled,
  webhookNotFound,
  WebhookCreateBody,
  WebhookReplayBody,
  type DeliveryQuery,
  type WebhookEndpoint,
} from '../webhooks/index.js';
import type { AdminOutcome } from './admin.pages.js';
import { adminOr, attempt, checkToken, idParam, noticeOf, pageOf } from './admin.http.js';
import { translator, type Text } from './i18n.js';
import {
  oauthClientsPage,
  webhookPage,
  webhooksPage,
  type EndpointView,
  type ShownSecret,
} from './integrations.pages.js';
import type { WebSession } from './session.service.js';
import { instantOfLocal, showInstant } from './time.js';
import { field, fieldList, messagesOf, sendPage } from './web.http.js';

/**
 * The administrator's pages for OAuth clients and webhooks (docs/web.md): the admin API's use
 * cases, for the org's ADMIN_USERs only. A secret is shown on the page that made it and never
 * again, so those posts answer a page rather than a redirect.
 */

const NOTICES: Record<string, Text> = {
  'client-revoked': 'Client revoked: its tokens no longer work.',
  'webhook-enabled': 'Endpoint enabled: events from now on are sent to it.',
  'webhook-disabled': 'Endpoint disabled: nothing is sent to it until it is enabled.',
  'webhook-deleted': 'Endpoint deleted.',
};

/** Deliveries per page of an endpoint's log. */
const DELIVERY_PAGE_SIZE = 25;

/** A replay range's default: the last hour. */
const DEFAULT_REPLAY_RANGE_MS = 3_600_000;

export async function integrationsRoutes(web: FastifyInstance): Promise<void> {
  const { ctx } = web;

  const showClients = async (
    session: WebSession,
    reply: FastifyReply,
    view: AdminOutcome & { secret?: ShownSecret },
    status = 200,
  ) => {
    const clients = await listOauthClients(ctx, session.caller.orgId);
    return sendPage(reply, oauthClientsPage(session, { ...view, clients }), status);
  };

  web.get('/admin/oauth-clients', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    return showClients(session, reply, { notice: noticeOf(request, session, NOTICES) });
  });

  web.post('/admin/oauth-clients', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    checkToken(session, request.body);
    const entity = field(request.body, 'entity').trim();
    const result = await attempt(() => addOauthClient(ctx, actorOf(session.caller), entity));
    if ('error' in result) {
      const problem = messagesOf(result.error);
      return showClients(session, reply, { problem, form: { entity } }, result.error.statusCode);
    }
    const t = translator(session.language);
    const { key, secret } = result.done;
    return showClients(session, reply, {
      notice: t('Client {key} added.', { key }),
      secret: {
        label: t('The client’s secret'),
        name: t('Secret of {key}', { key }),
        value: secret,
        note: t('Copy it now: Leadline keeps only a hash of it and cannot show it again.'),
      },
    });
  });

  web.post(
    '/admin/oauth-clients/:key/revoke',
    { schema: { hide: true } },
    async (request, reply) => {
      const session = adminOr(request, reply);
      if (!session) return reply;
      checkToken(session, request.body);
      const key = (request.params as { key: string }).key;
      await revokeOauthClient(ctx, actorOf(session.caller), key);
      return reply.redirect('/app/admin/oauth-clients?done=client-revoked', 303);
    },
  );

  const withHealth = async (session: WebSession, endpoint: WebhookEndpoint) => ({
    ...endpoint,
    health: await endpointHealth(ctx, session.caller.orgId, endpoint.id),
  });

  const showWebhooks = async (
    session: WebSession,
    reply: FastifyReply,
    view: AdminOutcome & { secret?: ShownSecret; chosenTypes?: string[] },
    status = 200,
  ) => {
    const endpoints: EndpointView[] = [];
    for (const endpoint of await listWebhooks(ctx, session.caller.orgId)) {
      endpoints.push(await withHealth(session, endpoint));
    }
    return sendPage(
      reply,
      webhooksPage(session, {
        ...view,
        endpoints,
        eventTypes: LEAD_EVENT_TYPES,
        chosenTypes: view.chosenTypes ?? [],
      }),
      status,
    );
  };

  web.get('/admin/webhooks', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    return showWebhooks(session, reply, { notice: noticeOf(request, session, NOTICES) });
  });

  web.post('/admin/webhooks', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    checkToken(session, request.body);
    const url = field(request.body, 'url').trim();
    const description = field(request.body, 'description').trim();
    const events = fieldList(request.body, 'events');
    const body = {
      url,
      ...(events.length > 0 ? { events } : {}),
      ...(description === '' ? {} : { description }),
    };
    const result = await attempt(async () => {
      checkInput(WebhookCreateBody, body);
      return createWebhook(ctx, actorOf(session.caller), body);
    });
    if ('error' in result) {
      return showWebhooks(
        session,
        reply,
        { problem: messagesOf(result.error), form: { url, description }, chosenTypes: events },
        result.error.statusCode,
      );
    }
    const t = translator(session.language);
    return showWebhooks(session, reply, {
      notice: t('Endpoint added: events from now on are sent to it.'),
      secret: {
        label: t('The endpoint’s signing secret'),
        name: t('Signing secret of {url}', { url: result.done.url }),
        value: result.done.secret,
        note: t('Copy it now: this page is the only one that shows it.'),
      },
    });
  });

  web.post('/admin/webhooks/:id/enabled', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    checkToken(session, request.body);
    const flag = field(request.body, 'enabled');
    if (flag !== 'on' && flag !== 'off') {
      throw AppError.of('FIELD_INVALID_VALUE', 'enabled: on or off');
    }
    const id = idParam(request);
    if (id <= 0) throw webhookNotFound(id);
    await setWebhookEnabled(ctx, actorOf(session.caller), id, flag === 'on');
    const done = flag === 'on' ? 'webhook-enabled' : 'webhook-disabled';
    return reply.redirect(`/app/admin/webhooks?done=${done}`, 303);
  });

  web.post('/admin/webhooks/:id/rotate', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    checkToken(session, request.body);
    const id = idParam(request);
    if (id <= 0) throw webhookNotFound(id);
    const rotated = await rotateWebhookSecret(ctx, actorOf(session.caller), id);
    const t = translator(session.language);
    return showWebhooks(session, reply, {
      notice: t(
        'New secret made. Deliveries are signed with the old one too until {until}, so the receiver can switch without a gap.',
        { until: showInstant(rotated.previousSecretValidUntil, session.timeZone) },
      ),
      secret: {
        label: t('The endpoint’s new signing secret'),
        name: t('New signing secret of endpoint {id}', { id }),
        value: rotated.secret,
        note: t('Copy it now: this page is the only one that shows it.'),
      },
    });
  });

  web.post('/admin/webhooks/:id/delete', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    checkToken(session, request.body);
    const id = idParam(request);
    if (id <= 0) throw webhookNotFound(id);
    await removeWebhook(ctx, actorOf(session.caller), id);
    return reply.redirect('/app/admin/webhooks?done=webhook-deleted', 303);
  });

  /** One endpoint's page: its health, a page of its deliveries, the replay forms. */
  const showWebhook = async (
    request: FastifyRequest,
    session: WebSession,
    reply: FastifyReply,
    id: number,
    view: AdminOutcome,
    status = 200,
  ) => {
    const orgId = session.caller.orgId;
    const endpoint = (await listWebhooks(ctx, orgId)).find((one) => one.id === id);
    if (!endpoint) throw webhookNotFound(id);
    const chosen = field(request.query, 'status');
    const deliveryStatus = (DELIVERY_STATUSES as readonly string[]).includes(chosen)
      ? (chosen as NonNullable<DeliveryQuery['status']>)
      : undefined;
    const pageNumber = pageOf(request);
    // One more than shown: whether there is an older page.
    const deliveries = await listDeliveries(ctx, orgId, {
      endpointId: id,
      ...(deliveryStatus ? { status: deliveryStatus } : {}),
      limit: DELIVERY_PAGE_SIZE + 1,
      offset: (pageNumber - 1) * DELIVERY_PAGE_SIZE,
    });
    const href = (n: number) =>
      `/app/admin/webhooks/${id}?${new URLSearchParams({
        ...(deliveryStatus ? { status: deliveryStatus } : {}),
        page: String(n),
      }).toString()}`;
    const now = ctx.clock.now();
    return sendPage(
      reply,
      webhookPage(session, {
        ...view,
        endpoint: await withHealth(session, endpoint),
        deliveries: deliveries.slice(0, DELIVERY_PAGE_SIZE),
        status: deliveryStatus ?? '',
        statuses: DELIVERY_STATUSES,
        rangeDefaults: { from: now - DEFAULT_REPLAY_RANGE_MS, to: now },
        previousHref: pageNumber > 1 ? href(pageNumber - 1) : undefined,
        nextHref: deliveries.length > DELIVERY_PAGE_SIZE ? href(pageNumber + 1) : undefined,
      }),
      status,
    );
  };

  web.get('/admin/webhooks/:id', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    const replayed = field(request.query, 'replayed');
    const notice = /^\d{1,9}$/.test(replayed)
      ? translator(session.language)('Sent again: {n} deliveries made.', { n: replayed })
      : undefined;
    return showWebhook(request, session, reply, idParam(request), { notice });
  });

  web.post('/admin/webhooks/:id/replay', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    checkToken(session, request.body);
    const id = idParam(request);
    const eventId = field(request.body, 'eventId');
    const from = field(request.body, 'from');
    const to = field(request.body, 'to');
    const t = translator(session.language);
    const instant = (name: string, value: string) => {
      const ms = instantOfLocal(value, session.timeZone);
      if (ms === undefined) {
        throw AppError.of('FIELD_INVALID_VALUE', t('{name}: a date and time', { name }));
      }
      return formatDateTime(ms);
    };
    const result = await attempt(async () => {
      const body =
        eventId === '' ? { from: instant('from', from), to: instant('to', to) } : { eventId };
      // The admin API's own schema: an event id's form, instants.
      checkInput(WebhookReplayBody, body);
      return replayEvents(ctx, actorOf(session.caller), id, body);
    });
    if ('error' in result) {
      const problem = messagesOf(result.error);
      return showWebhook(
        request,
        session,
        reply,
        id,
        { problem, form: { from, to } },
        result.error.statusCode,
      );
    }
    return reply.redirect(`/app/admin/webhooks/${id}?replayed=${result.done.replayed}`, 303);
  });
}
