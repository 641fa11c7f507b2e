import type { FastifyInstance, FastifyReply } from 'fastify';
import { actorOf } from '../core/actor.js';
import { FIELD_DATA_TYPES } from '../db/schema.js';
import {
  createField,
  fieldNotFound,
  getFieldDetails,
  translateField,
} from '../extended-fields/index.js';
import { adminOr, attempt, checkToken, noticeOf } from './admin.http.js';
import type { AdminOutcome } from './admin.pages.js';
import {
  fieldsPage,
  translationFormOf,
  type FieldForm,
  type TranslationForm,
} from './fields.pages.js';
import { translator, type Text } from './i18n.js';
import type { WebSession } from './session.service.js';
import { field, messagesOf, sendPage } from './web.http.js';

/**
 * The administrator's extended-fields page (docs/web.md): `createField` and `translateField`,
 * the use cases of the admin API and of `leadline field`, for the org's ADMIN_USERs only.
 */

const NOTICES: Record<string, Text> = {
  'field-defined': 'Field defined: New lead asks for it now.',
  'field-translated': 'Translation saved.',
};

const BLANK_FIELD_FORM: FieldForm = {
  name: '',
  label: '',
  dataType: 'STRING',
  required: false,
  values: '',
};

export async function fieldsRoutes(web: FastifyInstance): Promise<void> {
  const { ctx } = web;

  const showFields = async (
    session: WebSession,
    reply: FastifyReply,
    view: Omit<AdminOutcome, 'form'> & {
      form?: FieldForm;
      translation?: TranslationForm | undefined;
      edit?: { name: string; language: string };
    },
    status = 200,
  ) => {
    const fields = await getFieldDetails(ctx, session.caller.orgId, 'LEAD');
    const translationForms = new Map<string, TranslationForm>();
    const edited = view.edit && fields.find((one) => one.name === view.edit?.name);
    if (edited && view.edit) {
      translationForms.set(edited.name, translationFormOf(edited, view.edit.language));
    }
    if (view.translation) translationForms.set(view.translation.field, view.translation);
    return sendPage(
      reply,
      fieldsPage(session, {
        ...view,
        fields,
        dataTypes: FIELD_DATA_TYPES,
        form: view.form ?? BLANK_FIELD_FORM,
        translationForms,
      }),
      status,
    );
  };

  web.get('/admin/fields', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    const name = field(request.query, 'edit');
    const language = field(request.query, 'language').toLowerCase();
    return showFields(session, reply, {
      notice: noticeOf(request, session, NOTICES),
      ...(name === '' ? {} : { edit: { name, language } }),
    });
  });

  web.post('/admin/fields', { schema: { hide: true } }, async (request, reply) => {
    const session = adminOr(request, reply);
    if (!session) return reply;
    checkToken(session, request.body);
    const form: FieldForm = {
      name: field(request.body, 'name').trim(),
      label: field(request.body, 'label').trim(),
      dataType: field(request.body, 'dataType'),
      required: field(request.body, 'required') === 'on',
      values: field(request.body, 'values'),
    };
    const values = form.values
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '');
    const result = await attempt(() =>
      createField(ctx, actorOf(session.caller), {
        entityType: 'LEAD',
        name: form.name,
        ...(form.label === '' ? {} : { label: form.label }),
        dataType: form.dataType,
        required: form.required,
        ...(values.length === 0 ? {} : { values }),
      }),
    );
    if ('error' in result) {
      return showFields(
        session,
        reply,
        { problem: messagesOf(result.error), form },
        result.error.statusCode,
      );
    }
    return reply.redirect('/app/admin/fields?done=field-defined', 303);
  });

  web.post(
    '/admin/fields/:name/translations',
    { schema: { hide: true } },
    async (request, reply) => {
      const session = adminOr(request, reply);
      if (!session) return reply;
      checkToken(session, request.body);
      const name = (request.params as { name: string }).name;
      const fields = await getFieldDetails(ctx, session.caller.orgId, 'LEAD');
      const details = fields.find((one) => one.name === name);
      if (!details) throw fieldNotFound('LEAD', name);
      const stored = (details.values ?? []).map(({ value }) => value);
      const form: TranslationForm = {
        field: name,
        language: field(request.body, 'language').trim(),
        filledFrom: field(request.body, 'filledFrom'),
        label: field(request.body, 'label').trim(),
        values: stored.map((_, index) => field(request.body, `value-${index}`).trim()),
      };
      // A form filled from this language's translation removes what was emptied in it; a
      // blank form (a new language, or one typed over another) only adds what was typed.
      const removes = form.filledFrom !== '' && form.filledFrom === form.language.toLowerCase();
      const label = form.label !== '' ? form.label : removes ? null : undefined;
      const values = Object.fromEntries(
        stored.flatMap((value, index): Array<[string, string | null]> => {
          const shown = form.values[index] ?? '';
          if (shown !== '') return [[value, shown]];
          return removes ? [[value, null]] : [];
        }),
      );
      const t = translator(session.language);
      if (label === undefined && Object.keys(values).length === 0) {
        return showFields(
          session,
          reply,
          { problem: t('Type a label or a value’s text to save.'), translation: form },
          400,
        );
      }
      const result = await attempt(() =>
        translateField(ctx, actorOf(session.caller), {
          entityType: 'LEAD',
          name,
          language: form.language,
          ...(label === undefined ? {} : { label }),
          ...(stored.length === 0 ? {} : { values }),
        }),
      );
      if ('error' in result) {
        return showFields(
          session,
          reply,
          { problem: messagesOf(result.error), translation: form },
          result.error.statusCode,
        );
      }
      return reply.redirect('/app/admin/fields?done=field-translated', 303);
    },
  );
}
