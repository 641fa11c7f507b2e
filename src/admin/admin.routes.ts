import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  adminOnly,
  baseErrors,
  errorResponses,
  lookupErrors,
  readErrors,
  ref,
  writeErrors,
} from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import {
  addEntity,
  changeEntity,
  EntityChangeBody,
  EntityCodeParams,
  EntityCreateBody,
  EntityList,
  EntityListQuery,
  EntityResponse,
  listEntities,
  requireEntityPath,
} from '../entities/index.js';
import { addOauthClient, revokeOauthClient } from '../auth/index.js';
import {
  getOrgSettings,
  SettingsBody,
  SETTINGS_NAMES,
  SettingsResponse,
  updateOrgSettings,
} from '../orgs/index.js';
import { AuditList, AuditQuery, listAuditEntries } from '../audit/index.js';
import { actorOf } from '../core/actor.js';
import {
  OauthClientChangeBody,
  OauthClientCreateBody,
  OauthClientCreated,
  OauthClientKeyParams,
  OauthClientRevoked,
} from './admin.schemas.js';

/** The administrators' API: entities and credentials, settings and the audit log. */
export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin'];

  app.get(
    '/v2/admin/entities',
    {
      schema: {
        tags,
        operationId: 'listEntities',
        summary: 'The org’s entities, oldest first',
        querystring: EntityListQuery,
        response: { 200: EntityList, ...readErrors, ...adminOnly },
      },
    },
    async (request) => ({
      data: await listEntities(app.ctx, callerOf(request).orgId, request.query),
      warnings: [],
      errors: [],
    }),
  );

  app.post(
    '/v2/admin/entities',
    {
      config: { openapi: { ok: 'The entity as stored (never its password)' } },
      schema: {
        tags,
        operationId: 'createEntity',
        summary: 'Add an org unit or a log-in entity (with a password)',
        body: EntityCreateBody,
        response: { 200: ref(EntityResponse), ...writeErrors, ...lookupErrors, ...adminOnly },
      },
    },
    async (request) => ({
      ...(await addEntity(app.ctx, actorOf(callerOf(request)), request.body)),
      warnings: request.warnings,
    }),
  );

  app.put(
    '/v2/admin/entities/:code',
    {
      config: {
        requireResource: (ctx, caller, raw) => requireEntityPath(ctx, caller.orgId, raw.code ?? ''),
        openapi: {
          ok: 'The entity after the change',
          bodyRules: { anyOf: [{ required: ['disabled'] }, { required: ['password'] }] },
        },
      },
      schema: {
        tags,
        operationId: 'updateEntity',
        summary: 'Disable or enable an entity, or set its password',
        params: EntityCodeParams,
        body: EntityChangeBody,
        response: { 200: ref(EntityResponse), ...writeErrors, ...lookupErrors, ...adminOnly },
      },
    },
    async (request) => ({
      ...(await changeEntity(
        app.ctx,
        actorOf(callerOf(request)),
        request.params.code,
        request.body,
      )),
      warnings: request.warnings,
    }),
  );

  app.post(
    '/v2/admin/oauthClients',
    {
      // The response holds the client secret, which is never stored anywhere.
      config: { idempotent: false, openapi: { ok: 'The client with its secret, shown this once' } },
      schema: {
        tags,
        operationId: 'createOAuthClient',
        summary: 'Create an OAuth client for a log-in entity',
        body: OauthClientCreateBody,
        response: {
          200: OauthClientCreated,
          ...lookupErrors,
          ...errorResponses(403, 413, 415, 507),
        },
      },
    },
    async (request) => ({
      ...(await addOauthClient(app.ctx, actorOf(callerOf(request)), request.body.entity)),
      warnings: request.warnings,
    }),
  );

  app.put(
    '/v2/admin/oauthClients/:key',
    {
      config: { openapi: { ok: 'The client, revoked' } },
      schema: {
        tags,
        operationId: 'revokeOAuthClient',
        summary: 'Revoke an OAuth client and its tokens',
        params: OauthClientKeyParams,
        body: OauthClientChangeBody,
        response: { 200: OauthClientRevoked, ...writeErrors, ...lookupErrors, ...adminOnly },
      },
    },
    async (request) => ({
      ...(await revokeOauthClient(app.ctx, actorOf(callerOf(request)), request.params.key)),
      warnings: request.warnings,
    }),
  );

  app.get(
    '/v2/admin/settings',
    {
      schema: {
        tags,
        operationId: 'getSettings',
        summary: 'The org’s settings',
        response: { 200: ref(SettingsResponse), ...baseErrors, ...adminOnly },
      },
    },
    async (request) => ({
      ...(await getOrgSettings(app.ctx, callerOf(request).orgId)),
      warnings: [],
    }),
  );

  app.put(
    '/v2/admin/settings',
    {
      config: {
        openapi: {
          ok: 'The settings after the change',
          bodyRules: {
            anyOf: SETTINGS_NAMES.map((name) => ({ required: [name] })),
          },
        },
      },
      schema: {
        tags,
        operationId: 'updateSettings',
        summary:
          'Change settings: auto-close days, default country of mobiles, rate limit, If-Match, event retention, time zone',
        body: SettingsBody,
        response: { 200: ref(SettingsResponse), ...writeErrors, ...adminOnly },
      },
    },
    async (request) => ({
      ...(await updateOrgSettings(app.ctx, actorOf(callerOf(request)), request.body)),
      warnings: request.warnings,
    }),
  );

  app.get(
    '/v2/admin/audit',
    {
      schema: {
        tags,
        operationId: 'listAuditEvents',
        summary: 'The audit log of administrative changes, newest first',
        querystring: AuditQuery,
        response: { 200: AuditList, ...readErrors, ...adminOnly },
      },
    },
    async (request) => ({
      data: await listAuditEntries(app.ctx, callerOf(request).orgId, request.query),
      warnings: [],
      errors: [],
    }),
  );
};
