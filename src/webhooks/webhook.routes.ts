import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  adminOnly,
  errorResponses,
  lookupErrors,
  readErrors,
  writeErrors,
} from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import { actorOf } from '../core/actor.js';
import {
  WebhookChangeBody,
  WebhookCreateBody,
  WebhookCreated,
  WebhookDeleted,
  WebhookEndpointResponse,
  WebhookIdParams,
  WebhookList,
  WebhookSecretRotated,
} from './webhook.schemas.js';
import {
  createWebhook,
  listWebhooks,
  removeWebhook,
  rotateWebhookSecret,
  setWebhookEnabled,
} from './webhook.service.js';
import {
  DeliveryList,
  DeliveryQuery,
  WebhookHealthResponse,
  WebhookReplayBody,
  WebhookReplayed,
} from './delivery.schemas.js';
import { endpointHealth, listDeliveries, replayEvents } from './delivery.service.js';

/** The org's webhook endpoints, for administrators (registered behind the admin guard). */
export const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['webhooks'];

  app.get(
    '/v2/admin/webhooks',
    {
      schema: {
        tags,
        operationId: 'listWebhooks',
        summary: 'The org’s webhook endpoints, oldest first',
        response: { 200: WebhookList, ...readErrors, ...adminOnly },
      },
    },
    async (request) => ({
      data: await listWebhooks(app.ctx, callerOf(request).orgId),
      warnings: [],
      errors: [],
    }),
  );

  app.post(
    '/v2/admin/webhooks',
    {
      // The response holds the signing secret, shown once: a replay must not show it again.
      config: {
        idempotent: false,
        openapi: { ok: 'The endpoint with its secret, shown this once' },
      },
      schema: {
        tags,
        operationId: 'createWebhook',
        summary: 'Add a webhook endpoint',
        body: WebhookCreateBody,
        response: { 200: WebhookCreated, ...readErrors, ...errorResponses(403, 413, 415, 507) },
      },
    },
    async (request) => ({
      ...(await createWebhook(app.ctx, actorOf(callerOf(request)), request.body)),
      warnings: request.warnings,
    }),
  );

  app.put(
    '/v2/admin/webhooks/:id',
    {
      config: { openapi: { ok: 'The endpoint after the change' } },
      schema: {
        tags,
        operationId: 'changeWebhook',
        summary: 'Disable or enable a webhook endpoint',
        params: WebhookIdParams,
        body: WebhookChangeBody,
        response: { 200: WebhookEndpointResponse, ...writeErrors, ...lookupErrors, ...adminOnly },
      },
    },
    async (request) => ({
      ...(await setWebhookEnabled(
        app.ctx,
        actorOf(callerOf(request)),
        request.params.id,
        request.body.enabled,
      )),
      warnings: request.warnings,
    }),
  );

  app.post(
    '/v2/admin/webhooks/:id/rotateSecret',
    {
      config: {
        idempotent: false,
        openapi: { ok: 'The new secret, shown this once; the old one signs for 24 hours more' },
      },
      schema: {
        tags,
        operationId: 'rotateWebhookSecret',
        summary: 'Give a webhook endpoint a new signing secret',
        params: WebhookIdParams,
        response: { 200: WebhookSecretRotated, ...lookupErrors, ...adminOnly },
      },
    },
    async (request) => ({
      ...(await rotateWebhookSecret(app.ctx, actorOf(callerOf(request)), request.params.id)),
      warnings: [],
    }),
  );

  app.delete(
    '/v2/admin/webhooks/:id',
    {
      config: { openapi: { ok: 'The endpoint is gone; nothing more is delivered to it' } },
      schema: {
        tags,
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook endpoint',
        params: WebhookIdParams,
        response: { 200: WebhookDeleted, ...lookupErrors, ...adminOnly },
      },
    },
    async (request) => ({
      ...(await removeWebhook(app.ctx, actorOf(callerOf(request)), request.params.id)),
      warnings: [],
    }),
  );

  app.get(
    '/v2/admin/webhooks/deliveries',
    {
      schema: {
        tags,
        operationId: 'listWebhookDeliveries',
        summary: 'The delivery log: deliveries by endpoint, event, lead or status, newest first',
        querystring: DeliveryQuery,
        response: { 200: DeliveryList, ...readErrors, ...adminOnly },
      },
    },
    async (request) => ({
      data: await listDeliveries(app.ctx, callerOf(request).orgId, request.query),
      warnings: [],
      errors: [],
    }),
  );

  app.post(
    '/v2/admin/webhooks/:id/replay',
    {
      config: {
        openapi: {
          ok: 'How many deliveries the replay made',
          bodyRules: {
            oneOf: [{ required: ['eventId'] }, { required: ['from', 'to'] }],
          },
        },
      },
      schema: {
        tags,
        operationId: 'replayWebhookEvents',
        summary: 'Deliver one event, or the events of a time range, to the endpoint again',
        params: WebhookIdParams,
        body: WebhookReplayBody,
        response: { 200: WebhookReplayed, ...writeErrors, ...lookupErrors, ...adminOnly },
      },
    },
    async (request) => ({
      ...(await replayEvents(app.ctx, actorOf(callerOf(request)), request.params.id, request.body)),
      warnings: request.warnings,
    }),
  );

  app.get(
    '/v2/admin/webhooks/:id/health',
    {
      schema: {
        tags,
        operationId: 'getWebhookHealth',
        summary: 'The endpoint’s backlog and its last 24 hours of attempts',
        params: WebhookIdParams,
        response: { 200: WebhookHealthResponse, ...lookupErrors, ...adminOnly },
      },
    },
    async (request) => ({
      ...(await endpointHealth(app.ctx, callerOf(request).orgId, request.params.id)),
      warnings: [],
    }),
  );
};
