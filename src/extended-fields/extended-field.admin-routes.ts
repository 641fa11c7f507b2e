import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../core/actor.js';
import { adminOnly, lookupErrors, ref, writeErrors } from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import { definitionIn } from './extended-field.mapper.js';
import {
  FieldCreateBody,
  FieldResponse,
  TranslationBody,
  TranslationParams,
} from './extended-field.schemas.js';
import { createField, isFieldEntityType, requireField } from './extended-field.service.js';
import { translateField } from './extended-field.translations.js';

/**
 * Defining fields and translating them: administrators only (the enclosing context's guard
 * answers 403 to everyone else).
 */
export const extendedFieldAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin', 'extended-fields'];

  app.post(
    '/v2/admin/extendedFields',
    {
      config: { openapi: { ok: 'The field as defined' } },
      schema: {
        tags,
        operationId: 'defineExtendedField',
        summary: 'Define an extended field',
        body: FieldCreateBody,
        response: { 200: ref(FieldResponse), ...writeErrors, ...adminOnly },
      },
    },
    async (request) => ({
      ...(await createField(app.ctx, actorOf(callerOf(request)), request.body)),
      warnings: request.warnings,
    }),
  );

  app.put(
    '/v2/admin/extendedFields/:entityType/:name/translations/:language',
    {
      // An unknown field answers 404 before the body is judged, as the contract orders; an
      // entity type that has no fields is left to validation (400 naming entityType).
      preValidation: async (request) => {
        const { entityType, name } = request.params as Record<string, string | undefined>;
        if (entityType !== undefined && isFieldEntityType(entityType) && name !== undefined) {
          await requireField(app.ctx.store.db, callerOf(request).orgId, entityType, name);
        }
      },
      config: { openapi: { ok: 'The field in that language' } },
      schema: {
        tags,
        operationId: 'translateExtendedField',
        summary: 'Translate a field’s label and ENUM values into one language (merged)',
        params: TranslationParams,
        body: TranslationBody,
        response: { 200: ref(FieldResponse), ...writeErrors, ...lookupErrors, ...adminOnly },
      },
    },
    async (request) => {
      const { entityType, name, language } = request.params;
      const details = await translateField(app.ctx, actorOf(callerOf(request)), {
        entityType,
        name,
        language,
        ...request.body,
      });
      return { ...definitionIn(details, language.toLowerCase()), warnings: request.warnings };
    },
  );
};
