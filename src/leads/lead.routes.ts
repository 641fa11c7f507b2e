import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../core/context.js';
import type { Caller } from '../core/caller.js';
import { leadChangeErrors, lookupErrors, readErrors, ref, writeErrors } from '../http/schemas.js';
import { etagOf, type VersionedLead } from './lead.mapper.js';
import { callerOf } from '../http/request-context.js';
import {
  FollowUpBody,
  FollowUpList,
  HistoryQuery,
  LeadCreateBody,
  LeadIdParams,
  LeadList,
  LeadListQuery,
  LeadResponse,
  LeadUpdateBody,
  StatusChangeBody,
  StatusLogList,
} from './lead.schemas.js';
import { requireLeadPath } from './lead.references.js';
import type { LeadView } from './lead.view.js';
import { addFollowUp } from './use-cases/add-follow-up.js';
import { changeStatus } from './use-cases/change-status.js';
import { createLead } from './use-cases/create-lead.js';
import { getLead } from './use-cases/get-lead.js';
import { getFollowUps } from './use-cases/list-follow-ups.js';
import { getStatusLog } from './use-cases/list-status-log.js';
import { searchLeads } from './use-cases/search-leads.js';
import { updateLeadFields } from './use-cases/update-lead.js';

const requireResource = (ctx: AppContext, caller: Caller, raw: Record<string, string>) =>
  requireLeadPath(ctx, caller, raw.id ?? '');
/** Lead ids are digits, so `/v2/leads/reasons` and friends never reach a lead route. */
const LEAD_PATH = '/v2/leads/:id(^\\d+$)';

/** How the request wants leads shown: the `language` header, where extended fields are translated. */
function viewOf(request: FastifyRequest): LeadView {
  const language = request.headers.language;
  return typeof language === 'string' ? { language } : {};
}

/** The `If-Match` header, when the request has one. */
function ifMatchOf(request: FastifyRequest): string | undefined {
  const ifMatch = request.headers['if-match'];
  return typeof ifMatch === 'string' ? ifMatch : undefined;
}

/** One lead as a response: its version only as the ETag (for If-Match), the request's warnings beside it. */
function send(request: FastifyRequest, reply: FastifyReply, lead: VersionedLead) {
  void reply.header('etag', etagOf(lead));
  return { ...lead, warnings: request.warnings };
}

export const leadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v2/leads',
    {
      config: {
        openapi: {
          ok: 'The lead as stored',
          etag: true,
          language: true,
          bodyRules: {
            anyOf: [{ required: ['userId'] }, { required: ['idType', 'identifier'] }],
            dependentRequired: { idType: ['identifier'], identifier: ['idType'] },
          },
        },
      },
      schema: {
        tags: ['leads'],
        operationId: 'addLead',
        summary: 'Add a lead',
        body: LeadCreateBody,
        response: { 200: ref(LeadResponse), ...writeErrors },
      },
    },
    async (request, reply) =>
      send(
        request,
        reply,
        await createLead(app.ctx, callerOf(request), {
          body: request.body,
          warnings: request.warnings,
          view: viewOf(request),
        }),
      ),
  );

  app.get(
    '/v2/leads',
    {
      config: {
        openapi: {
          language: true,
          queryRules:
            '`entityType` and `entityCode` go together; `cursor` and `offset` exclude each other ' +
            '(each answers 400 otherwise).',
        },
      },
      schema: {
        tags: ['leads'],
        operationId: 'listLeads',
        summary: 'List and search leads',
        querystring: LeadListQuery,
        response: { 200: LeadList, ...readErrors },
      },
    },
    async (request) => {
      const { leads, nextCursor } = await searchLeads(app.ctx, callerOf(request), {
        query: request.query,
        view: viewOf(request),
      });
      return { data: leads, warnings: [], errors: [], nextCursor };
    },
  );

  app.get(
    LEAD_PATH,
    {
      config: { requireResource, openapi: { etag: true, language: true } },
      schema: {
        tags: ['leads'],
        operationId: 'getLead',
        summary: 'One lead',
        params: LeadIdParams,
        response: { 200: ref(LeadResponse), ...lookupErrors },
      },
    },
    async (request, reply) =>
      send(
        request,
        reply,
        await getLead(app.ctx, callerOf(request), {
          id: request.params.id,
          view: viewOf(request),
        }),
      ),
  );

  app.put(
    LEAD_PATH,
    {
      config: {
        requireResource,
        openapi: {
          ok: 'The lead after the change',
          etag: true,
          ifMatch: true,
          language: true,
          bodyRules: { anyOf: [{ required: ['extendedFields'] }, { required: ['owner'] }] },
        },
      },
      schema: {
        tags: ['leads'],
        operationId: 'updateLead',
        summary: 'Update extended fields and/or the owner',
        params: LeadIdParams,
        body: LeadUpdateBody,
        response: { 200: ref(LeadResponse), ...leadChangeErrors },
      },
    },
    async (request, reply) =>
      send(
        request,
        reply,
        await updateLeadFields(app.ctx, callerOf(request), {
          id: request.params.id,
          body: request.body,
          warnings: request.warnings,
          ifMatch: ifMatchOf(request),
          view: viewOf(request),
        }),
      ),
  );

  app.put(
    `${LEAD_PATH}/status`,
    {
      config: {
        requireResource,
        openapi: { ok: 'The lead in its new status', etag: true, ifMatch: true, language: true },
      },
      schema: {
        tags: ['leads'],
        operationId: 'changeLeadStatus',
        summary: 'Change the status',
        params: LeadIdParams,
        body: StatusChangeBody,
        response: { 200: ref(LeadResponse), ...leadChangeErrors },
      },
    },
    async (request, reply) =>
      send(
        request,
        reply,
        await changeStatus(app.ctx, callerOf(request), {
          id: request.params.id,
          body: request.body,
          ifMatch: ifMatchOf(request),
          view: viewOf(request),
        }),
      ),
  );

  app.post(
    `${LEAD_PATH}/followup`,
    {
      config: {
        requireResource,
        openapi: { ok: 'The lead with the follow-up', etag: true, language: true },
      },
      schema: {
        tags: ['leads'],
        operationId: 'addFollowUp',
        summary: 'Record a follow-up',
        params: LeadIdParams,
        body: FollowUpBody,
        response: { 200: ref(LeadResponse), ...writeErrors, ...lookupErrors },
      },
    },
    async (request, reply) =>
      send(
        request,
        reply,
        await addFollowUp(app.ctx, callerOf(request), {
          id: request.params.id,
          body: request.body,
          view: viewOf(request),
        }),
      ),
  );

  app.get(
    `${LEAD_PATH}/followups`,
    {
      config: { requireResource },
      schema: {
        tags: ['leads'],
        operationId: 'listFollowUps',
        summary: 'The lead’s follow-ups, oldest first, a page at a time',
        params: LeadIdParams,
        querystring: HistoryQuery,
        response: { 200: FollowUpList, ...lookupErrors },
      },
    },
    async (request) => ({
      ...(await getFollowUps(app.ctx, callerOf(request), request.params.id, request.query)),
      warnings: [],
      errors: [],
    }),
  );

  app.get(
    `${LEAD_PATH}/statusLog`,
    {
      config: { requireResource },
      schema: {
        tags: ['leads'],
        operationId: 'listStatusLog',
        summary: 'The lead’s status log, oldest first, a page at a time',
        params: LeadIdParams,
        querystring: HistoryQuery,
        response: { 200: StatusLogList, ...lookupErrors },
      },
    },
    async (request) => ({
      ...(await getStatusLog(app.ctx, callerOf(request), request.params.id, request.query)),
      warnings: [],
      errors: [],
    }),
  );
};
