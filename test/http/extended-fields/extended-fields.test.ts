import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClock, type TestApp, useTestApp } from '../../helpers/app.js';
import { countingApp } from '../../helpers/queries.js';
import { newLead, newOrg, send, type Login, type TestOrg } from '../../helpers/factories.js';
import {
  addReason,
  assertError,
  assertErrors,
  codeOf,
  getLead,
  list,
  NEVER_ID,
  orgSnapshot,
  withoutWarnings,
} from '../../helpers/fixtures.js';
import type { ErrorName } from '../../../src/core/errors.js';
import { AppError } from '../../../src/core/errors.js';
import { fieldCommands } from '../../../src/cli/commands/fields.js';
import type { OptionValues } from '../../../src/cli/command.js';

/** The caller `who` sending header `language: value`. */
function speaking(who: Login, language: string) {
  return { headers: { ...who.headers, language } };
}

/** The org's audit rows of extended-field changes, oldest first, details parsed. */
async function auditRows(t: TestApp, orgId: number) {
  const rows = await t.ctx.store.db
    .selectFrom('audit_log')
    .select(['actor_id', 'action', 'target', 'details', 'created_on'])
    .where('org_id', '=', orgId)
    .where('action', 'like', 'field.%')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) }));
}

/** POST /v2/admin/extendedFields as the org's admin, asserting 200; answers the definition. */
async function define(t: TestApp, o: TestOrg, body: Record<string, unknown>) {
  const response = await send(t.app, o.admin, 'POST', '/v2/admin/extendedFields', {
    entityType: 'LEAD',
    ...body,
  });
  assert.equal(response.status, 200, response.raw);
  return response.body;
}

function translationUrl(name: string, language: string, entityType = 'LEAD'): string {
  return `/v2/admin/extendedFields/${entityType}/${name}/translations/${language}`;
}

async function translate(
  t: TestApp,
  o: TestOrg,
  name: string,
  language: string,
  body: Record<string, unknown>,
) {
  const response = await send(t.app, o.admin, 'PUT', translationUrl(name, language), body);
  assert.equal(response.status, 200, response.raw);
  return response.body;
}

/** GET /v2/extendedFields?entityType=LEAD as `who`, asserting the list envelope. */
async function definitions(t: TestApp, who: { headers: Record<string, string> }) {
  const response = await send(t.app, who, 'GET', '/v2/extendedFields?entityType=LEAD');
  assert.equal(response.status, 200, response.raw);
  assert.deepEqual(response.body.warnings, []);
  assert.deepEqual(response.body.errors, []);
  return response.body.data;
}

/** A colour ENUM (RED, NAVY, OLIVE) translated to French for RED and NAVY. */
async function colourInFrench(t: TestApp, o: TestOrg) {
  await define(t, o, {
    name: 'colour',
    label: 'Colour',
    dataType: 'ENUM',
    values: ['RED', 'NAVY', 'OLIVE'],
  });
  await translate(t, o, 'colour', 'fr', {
    label: 'Couleur',
    values: { RED: 'Rouge', NAVY: 'Bleu marine' },
  });
}

/** Runs a `field` command in-process, as `leadline` would after parsing its options. */
function runField(t: TestApp, name: 'field create' | 'field translate', values: OptionValues) {
  const command = fieldCommands[name];
  assert.ok(command, name);
  return command.run(t.ctx, values, []) as Promise<any>;
}

/** The AppError a command fails with. */
async function commandError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    return error;
  }
  assert.fail('the command succeeded');
}

describe('extended fields', () => {
  const clock = new TestClock();
  const t = useTestApp({ clock });

  describe('definitions', () => {
    it('an admin defines fields; any caller lists them in definition order', async () => {
      clock.ms = Date.parse('2026-03-05T09:00:00Z');
      const o = await newOrg(t.ctx);
      assert.deepEqual(await definitions(t, o.till), []);

      const created = await define(t, o, {
        name: 'colour',
        label: 'Colour',
        dataType: 'ENUM',
        required: true,
        values: ['RED', 'NAVY'],
      });
      assert.deepEqual(created, {
        name: 'colour',
        label: 'Colour',
        dataType: 'ENUM',
        required: true,
        values: [
          { value: 'RED', label: 'RED' },
          { value: 'NAVY', label: 'NAVY' },
        ],
        warnings: [],
      });
      // The label defaults to the name, required to false; other types carry no values.
      assert.deepEqual(await define(t, o, { name: 'size_eu', dataType: 'INTEGER' }), {
        name: 'size_eu',
        label: 'size_eu',
        dataType: 'INTEGER',
        required: false,
        warnings: [],
      });
      for (const dataType of ['STRING', 'DOUBLE', 'BOOLEAN', 'DATE', 'DATETIME']) {
        await define(t, o, { name: `f_${dataType.toLowerCase()}`, dataType });
      }

      const listed = await definitions(t, o.associate);
      assert.deepEqual(
        listed.map((f: any) => [f.name, f.dataType]),
        [
          ['colour', 'ENUM'],
          ['size_eu', 'INTEGER'],
          ['f_string', 'STRING'],
          ['f_double', 'DOUBLE'],
          ['f_boolean', 'BOOLEAN'],
          ['f_date', 'DATE'],
          ['f_datetime', 'DATETIME'],
        ],
      );
      assert.deepEqual(listed[0], withoutWarnings(created));
      assert.deepEqual(await definitions(t, o.till), listed);

      // Each definition is one audit row by the admin, at the time of the change.
      const audit = await auditRows(t, o.org.id);
      assert.equal(audit.length, 7);
      assert.deepEqual(audit[0], {
        actor_id: o.admin.id,
        action: 'field.create',
        target: 'colour',
        details: {
          entityType: 'LEAD',
          label: 'Colour',
          dataType: 'ENUM',
          required: true,
          values: ['RED', 'NAVY'],
        },
        created_on: Date.parse('2026-03-05T09:00:00Z'),
      });
      assert.deepEqual(
        new Set(audit.map((row) => `${row.action} by ${row.actor_id}`)),
        new Set([`field.create by ${o.admin.id}`]),
      );
    });

    it('translates labels and values; answers them in the language header, else as stored', async () => {
      const o = await newOrg(t.ctx);
      await define(t, o, {
        name: 'colour',
        label: 'Colour',
        dataType: 'ENUM',
        values: ['RED', 'NAVY', 'OLIVE'],
      });
      await define(t, o, { name: 'note', label: 'Note', dataType: 'STRING' });

      const french = await translate(t, o, 'colour', 'fr', {
        label: 'Couleur',
        values: { RED: 'Rouge', NAVY: 'Marine' },
      });
      assert.deepEqual(french, {
        name: 'colour',
        label: 'Couleur',
        dataType: 'ENUM',
        required: false,
        values: [
          { value: 'RED', label: 'Rouge' },
          { value: 'NAVY', label: 'Marine' },
          { value: 'OLIVE', label: 'OLIVE' },
        ],
        warnings: [],
      });
      // Later changes merge: the label stays, a value is added, another is corrected. The path's
      // language is stored lower-case.
      const merged = await translate(t, o, 'colour', 'FR', {
        values: { OLIVE: 'Olive', NAVY: 'Bleu marine' },
      });
      assert.equal(merged.label, 'Couleur');
      assert.deepEqual(
        merged.values.map((v: any) => v.label),
        ['Rouge', 'Bleu marine', 'Olive'],
      );
      await translate(t, o, 'colour', 'ar', { label: 'اللون' });
      await translate(t, o, 'note', 'fr', { label: 'Remarque' });

      const expectedFrench = [
        {
          name: 'colour',
          label: 'Couleur',
          dataType: 'ENUM',
          required: false,
          values: [
            { value: 'RED', label: 'Rouge' },
            { value: 'NAVY', label: 'Bleu marine' },
            { value: 'OLIVE', label: 'Olive' },
          ],
        },
        { name: 'note', label: 'Remarque', dataType: 'STRING', required: false },
      ];
      for (const header of ['fr', 'FR', 'fr-CA', 'fr_FR', 'fr, en;q=0.5']) {
        assert.deepEqual(
          await definitions(t, speaking(o.till, header)),
          expectedFrench,
          `language: ${header}`,
        );
      }
      const stored = [
        {
          name: 'colour',
          label: 'Colour',
          dataType: 'ENUM',
          required: false,
          values: [
            { value: 'RED', label: 'RED' },
            { value: 'NAVY', label: 'NAVY' },
            { value: 'OLIVE', label: 'OLIVE' },
          ],
        },
        { name: 'note', label: 'Note', dataType: 'STRING', required: false },
      ];
      assert.deepEqual(await definitions(t, o.till), stored);
      for (const header of ['de', 'xx', 'fra', '*', '']) {
        assert.deepEqual(await definitions(t, speaking(o.till, header)), stored, header);
      }
      // Arabic has a label only: values fall back to what is stored, note to its stored label.
      const arabic = await definitions(t, speaking(o.till, 'ar'));
      assert.equal(arabic[0].label, 'اللون');
      assert.deepEqual(arabic[0].values, stored[0]?.values);
      assert.equal(arabic[1].label, 'Note');

      // null removes a translation: NAVY falls back, the French label goes.
      const removed = await translate(t, o, 'colour', 'fr', {
        label: null,
        values: { NAVY: null },
      });
      assert.equal(removed.label, 'Colour');
      assert.deepEqual(
        removed.values.map((v: any) => v.label),
        ['Rouge', 'NAVY', 'Olive'],
      );

      const audit = await auditRows(t, o.org.id);
      assert.deepEqual(
        audit.map((r) => [r.action, r.target, r.details.language ?? null]),
        [
          ['field.create', 'colour', null],
          ['field.create', 'note', null],
          ['field.translate', 'colour', 'fr'],
          ['field.translate', 'colour', 'fr'],
          ['field.translate', 'colour', 'ar'],
          ['field.translate', 'note', 'fr'],
          ['field.translate', 'colour', 'fr'],
        ],
      );
      assert.deepEqual(audit[3]?.details, {
        entityType: 'LEAD',
        language: 'fr',
        values: { OLIVE: 'Olive', NAVY: 'Bleu marine' },
      });
      assert.deepEqual(new Set(audit.map((r) => r.actor_id)), new Set([o.admin.id]));
    });

    it('refuses bad definitions with a 400 naming the field, and defines nothing', async () => {
      const o = await newOrg(t.ctx);
      const cases: Array<{ body: Record<string, unknown>; errors: Array<[ErrorName, string]> }> = [
        { body: { dataType: 'STRING' }, errors: [['FIELD_REQUIRED', 'name']] },
        { body: { name: 'a' }, errors: [['FIELD_REQUIRED', 'dataType']] },
        { body: { name: '1st', dataType: 'STRING' }, errors: [['FIELD_INVALID_VALUE', 'name']] },
        {
          body: { name: 'has-dash', dataType: 'STRING' },
          errors: [['FIELD_INVALID_VALUE', 'name']],
        },
        { body: { name: '_x', dataType: 'STRING' }, errors: [['FIELD_INVALID_VALUE', 'name']] },
        {
          body: { name: `a${'b'.repeat(64)}`, dataType: 'STRING' },
          errors: [['FIELD_INVALID_VALUE', 'name']],
        },
        { body: { name: 'a', dataType: 'TEXT' }, errors: [['FIELD_INVALID_VALUE', 'dataType']] },
        {
          body: { name: 'a', dataType: 'STRING', entityType: 'CUSTOMER' },
          errors: [['FIELD_INVALID_VALUE', 'entityType']],
        },
        { body: { name: 'a', dataType: 'ENUM' }, errors: [['FIELD_REQUIRED', 'values']] },
        {
          body: { name: 'a', dataType: 'ENUM', values: [] },
          errors: [['FIELD_INVALID_VALUE', 'values']],
        },
        {
          body: { name: 'a', dataType: 'ENUM', values: ['RED', 'RED'] },
          errors: [['FIELD_INVALID_VALUE', 'values']],
        },
        {
          body: { name: 'a', dataType: 'ENUM', values: ['RED', ''] },
          errors: [['FIELD_INVALID_VALUE', 'values[1]']],
        },
        {
          body: { name: 'a', dataType: 'ENUM', values: ['RED', '  '] },
          errors: [['FIELD_INVALID_VALUE', 'values[1]']],
        },
        {
          body: { name: 'a', dataType: 'ENUM', values: ['RED', 7] },
          errors: [['FIELD_INVALID_TYPE', 'values[1]']],
        },
        {
          body: { name: 'a', dataType: 'STRING', values: ['RED'] },
          errors: [['FIELD_INVALID_VALUE', 'values']],
        },
        {
          body: { name: 'a', dataType: 'STRING', label: '   ' },
          errors: [['FIELD_INVALID_VALUE', 'label']],
        },
        {
          body: { name: 'a', dataType: 'STRING', label: 'x'.repeat(201) },
          errors: [['FIELD_INVALID_VALUE', 'label']],
        },
        {
          body: { name: 'a', dataType: 'STRING', required: 'yes' },
          errors: [['FIELD_INVALID_TYPE', 'required']],
        },
        {
          body: { name: 'a\u0000b', dataType: 'STRING' },
          errors: [['FIELD_INVALID_VALUE', 'name']],
        },
      ];
      for (const { body, errors } of cases) {
        const response = await send(t.app, o.admin, 'POST', '/v2/admin/extendedFields', {
          entityType: 'LEAD',
          ...body,
        });
        assertErrors(response, 400, errors);
      }
      assert.deepEqual(await definitions(t, o.till), []);
      assert.deepEqual(await auditRows(t, o.org.id), []);
      // Unknown body fields are dropped with a warning; the definition is made.
      const made = await send(t.app, o.admin, 'POST', '/v2/admin/extendedFields', {
        entityType: 'LEAD',
        name: 'a',
        dataType: 'STRING',
        colour: 'red',
      });
      assert.equal(made.status, 200, made.raw);
      assert.deepEqual(
        made.body.warnings.map((w: any) => w.code),
        [codeOf('UNKNOWN_FIELD_IGNORED')],
      );
    });

    it('a name defined already is 409 FIELD_EXISTS and keeps the first definition', async () => {
      const o = await newOrg(t.ctx);
      const first = await define(t, o, { name: 'colour', dataType: 'ENUM', values: ['RED'] });
      const again = await send(t.app, o.admin, 'POST', '/v2/admin/extendedFields', {
        entityType: 'LEAD',
        name: 'colour',
        dataType: 'STRING',
      });
      assertError(again, 409, 'FIELD_EXISTS', 'colour');
      assert.deepEqual(await definitions(t, o.till), [withoutWarnings(first)]);
      assert.equal((await auditRows(t, o.org.id)).length, 1);
      // Names are per org: another org may define the same one.
      const other = await newOrg(t.ctx);
      await define(t, other, { name: 'colour', dataType: 'STRING' });
    });

    it('refuses bad translations: 404 for an unknown field first, 400 naming the field', async () => {
      const o = await newOrg(t.ctx);
      await colourInFrench(t, o);
      await define(t, o, { name: 'note', dataType: 'STRING' });
      const other = await newOrg(t.ctx);
      await define(t, other, { name: 'secret', dataType: 'ENUM', values: ['A'] });
      const before = await definitions(t, speaking(o.till, 'fr'));
      const auditBefore = (await auditRows(t, o.org.id)).length;

      const put = (name: string, language: string, body: unknown, entityType = 'LEAD') =>
        send(t.app, o.admin, 'PUT', translationUrl(name, language, entityType), body);

      // Unknown, another org's, or impossible names are 404, even with a bad body.
      assertError(await put('nope', 'fr', { label: 7 }), 404, 'FIELD_NOT_FOUND', 'nope');
      assertError(await put('secret', 'fr', { label: 'x' }), 404, 'FIELD_NOT_FOUND', 'secret');
      assertError(await put('a%00b', 'fr', { label: 'x' }), 404, 'FIELD_NOT_FOUND', 'a');
      assertError(
        await send(t.app, o.admin, 'PUT', translationUrl('nope', 'fr'), undefined),
        404,
        'FIELD_NOT_FOUND',
        'nope',
      );

      assertError(await put('colour', 'fr', {}), 400, 'FIELD_REQUIRED', 'label');
      assertError(
        await put('colour', 'xx', { label: 'x' }),
        400,
        'FIELD_INVALID_VALUE',
        'language',
      );
      assertError(
        await put('colour', 'fra', { label: 'x' }),
        400,
        'FIELD_INVALID_VALUE',
        'language',
      );
      assertError(
        await put('colour', 'f1', { label: 'x' }),
        400,
        'FIELD_INVALID_VALUE',
        'language',
      );
      assertError(
        await put('colour', 'fr', { label: 'x' }, 'CUSTOMER'),
        400,
        'FIELD_INVALID_VALUE',
        'entityType',
      );
      assertError(await put('colour', 'fr', { label: ' ' }), 400, 'FIELD_INVALID_VALUE', 'label');
      assertError(await put('colour', 'fr', { label: 3 }), 400, 'FIELD_INVALID_TYPE', 'label');
      assertErrors(
        await put('colour', 'fr', { label: 'Teinte', values: { GREEN: 'Vert', RED: 'Rouge vif' } }),
        400,
        [['FIELD_INVALID_VALUE', 'values.GREEN']],
      );
      assertError(
        await put('colour', 'fr', { values: { RED: '' } }),
        400,
        'FIELD_INVALID_VALUE',
        'values.RED',
      );
      assertError(
        await put('note', 'fr', { values: { a: 'b' } }),
        400,
        'FIELD_INVALID_VALUE',
        'values',
      );
      assertError(
        await put('colour', 'fr', { values: ['Rouge'] }),
        400,
        'FIELD_INVALID_TYPE',
        'values',
      );

      assert.deepEqual(await definitions(t, speaking(o.till, 'fr')), before);
      assert.equal((await auditRows(t, o.org.id)).length, auditBefore);
    });

    it('admin routes are 403 for tills and associates, and change nothing', async () => {
      const o = await newOrg(t.ctx);
      await define(t, o, { name: 'colour', dataType: 'ENUM', values: ['RED'] });
      for (const who of [o.till, o.associate]) {
        const create = await send(t.app, who, 'POST', '/v2/admin/extendedFields', {
          entityType: 'LEAD',
          name: 'size',
          dataType: 'INTEGER',
        });
        assertError(create, 403, 'FORBIDDEN', who.type);
        const translated = await send(t.app, who, 'PUT', translationUrl('colour', 'fr'), {
          label: 'Couleur',
        });
        assertError(translated, 403, 'FORBIDDEN', who.type);
        // Refused before the body is read: a malformed one makes no difference.
        const malformed = await t.app.inject({
          method: 'POST',
          url: '/v2/admin/extendedFields',
          headers: { ...who.headers, 'content-type': 'application/json' },
          payload: '{not json',
        });
        assert.equal(malformed.statusCode, 403);
      }
      const unauthenticated = await send(t.app, undefined, 'POST', '/v2/admin/extendedFields', {
        entityType: 'LEAD',
        name: 'size',
        dataType: 'INTEGER',
      });
      assert.equal(unauthenticated.status, 401);
      assert.deepEqual(
        (await definitions(t, o.till)).map((f: any) => [f.name, f.label, f.values]),
        [['colour', 'colour', [{ value: 'RED', label: 'RED' }]]],
      );
      assert.equal((await auditRows(t, o.org.id)).length, 1);
    });

    it('GET /v2/extendedFields needs entityType LEAD and credentials', async () => {
      const o = await newOrg(t.ctx);
      assertError(
        await send(t.app, o.till, 'GET', '/v2/extendedFields'),
        400,
        'FIELD_REQUIRED',
        'entityType',
      );
      assertError(
        await send(t.app, o.till, 'GET', '/v2/extendedFields?entityType=CUSTOMER'),
        400,
        'FIELD_INVALID_VALUE',
        'entityType',
      );
      const anonymous = await send(t.app, undefined, 'GET', '/v2/extendedFields?entityType=LEAD');
      assert.equal(anonymous.status, 401);
      const post = await send(t.app, o.admin, 'POST', '/v2/extendedFields?entityType=LEAD', {});
      assert.equal(post.status, 405);
    });

    it('another org sees none of the definitions, and its leads keep any scalar', async () => {
      const o = await newOrg(t.ctx);
      const other = await newOrg(t.ctx);
      await define(t, o, { name: 'colour', dataType: 'ENUM', values: ['RED'], required: true });
      await translate(t, o, 'colour', 'fr', { values: { RED: 'Rouge' } });
      assert.deepEqual(await definitions(t, other.till), []);
      assert.deepEqual(await definitions(t, speaking(other.admin, 'fr')), []);
      const lead = await newLead(t.app, other.till, {
        extendedFields: { colour: 'BLUE', size: 42, gift: true, price: 9.5 },
      });
      assert.deepEqual(lead.warnings, []);
      assert.deepEqual(lead.extendedFields, { colour: 'BLUE', size: 42, gift: true, price: 9.5 });
      const updated = await send(t.app, other.till, 'PUT', `/v2/leads/${lead.id}`, {
        extendedFields: { colour: 'RED', anything: 'goes' },
      });
      assert.equal(updated.status, 200, updated.raw);
      assert.deepEqual(updated.body.warnings, []);
      // The first org's French translation of RED is not the other org's.
      const read = await getLead(t.app, speaking(other.till, 'fr'), lead.id);
      assert.equal(read.extendedFields.colour, 'RED');
      // Nor can the other org's admin translate the first org's field.
      assertError(
        await send(t.app, other.admin, 'PUT', translationUrl('colour', 'fr'), { label: 'x' }),
        404,
        'FIELD_NOT_FOUND',
        'colour',
      );
    });
  });

  describe('leads against the definitions', () => {
    /** An org defining one field of each type; only `colour` is required. */
    async function typedOrg() {
      const o = await newOrg(t.ctx);
      await define(t, o, {
        name: 'colour',
        dataType: 'ENUM',
        values: ['RED', 'NAVY'],
        required: true,
      });
      await define(t, o, { name: 'note', dataType: 'STRING' });
      await define(t, o, { name: 'size', dataType: 'INTEGER' });
      await define(t, o, { name: 'price', dataType: 'DOUBLE' });
      await define(t, o, { name: 'gift', dataType: 'BOOLEAN' });
      await define(t, o, { name: 'birthday', dataType: 'DATE' });
      await define(t, o, { name: 'visit', dataType: 'DATETIME' });
      return o;
    }

    it('stores defined values, drops undefined keys with a warning and saves the lead', async () => {
      const o = await typedOrg();
      const response = await send(t.app, o.till, 'POST', '/v2/leads', {
        leadFor: 'JKT-0192-M',
        idType: 'EMAIL',
        identifier: 'ann@example.com',
        extendedFields: {
          colour: 'NAVY',
          note: '',
          size: -5,
          price: 3,
          gift: false,
          birthday: '2024-02-29',
          visit: '2026-03-02T17:45:00.999+05:30',
          mood: 'happy',
          Colour: 'RED',
        },
      });
      assert.equal(response.status, 200, response.raw);
      const expected = {
        colour: 'NAVY',
        note: '',
        size: -5,
        price: 3,
        gift: false,
        birthday: '2024-02-29',
        visit: '2026-03-02T12:15:00Z',
      };
      assert.deepEqual(response.body.extendedFields, expected);
      assert.equal(response.body.warnings.length, 2, response.raw);
      for (const [index, key] of ['mood', 'Colour'].entries()) {
        const warning = response.body.warnings[index];
        assert.equal(warning.code, codeOf('EXTENDED_FIELD_IGNORED'));
        assert.equal(warning.status, false);
        assert.match(warning.message, new RegExp(`extendedFields\\.${key}\\b`));
      }
      assert.deepEqual((await getLead(t.app, o.till, response.body.id)).extendedFields, expected);
      const stored = await t.ctx.store.db
        .selectFrom('leads')
        .select('extended_fields')
        .where('id', '=', response.body.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(stored.extended_fields), expected);
      // A double may be fractional.
      const fraction = await newLead(t.app, o.till, {
        extendedFields: { colour: 'RED', price: 2.5 },
      });
      assert.equal(fraction.extendedFields.price, 2.5);
    });

    it('a wrong value of every type is a 400 naming it, listed with the other bad fields', async () => {
      const o = await typedOrg();
      const snapshot = await orgSnapshot(t.app, t.ctx, o.till);
      const all = await send(t.app, o.till, 'POST', '/v2/leads', {
        leadFor: 'JKT-0192-M',
        idType: 'EMAIL',
        identifier: 'bob@example.com',
        createdBy: NEVER_ID,
        extendedFields: {
          colour: 'GREEN',
          note: 12,
          size: 1.5,
          price: '9.99',
          gift: 'true',
          birthday: '2026-02-30',
          visit: '2026-03-02T17:45:00',
          mood: 'ignored',
        },
      });
      assertErrors(all, 400, [
        ['FIELD_UNKNOWN_REFERENCE', 'createdBy'],
        ['FIELD_INVALID_VALUE', 'extendedFields.colour'],
        ['FIELD_INVALID_TYPE', 'extendedFields.note'],
        ['FIELD_INVALID_TYPE', 'extendedFields.size'],
        ['FIELD_INVALID_TYPE', 'extendedFields.price'],
        ['FIELD_INVALID_TYPE', 'extendedFields.gift'],
        ['FIELD_INVALID_VALUE', 'extendedFields.birthday'],
        ['FIELD_INVALID_DATE_TIME', 'extendedFields.visit'],
      ]);

      const single: Array<[string, unknown, ErrorName]> = [
        ['colour', 'red', 'FIELD_INVALID_VALUE'],
        ['colour', 1, 'FIELD_INVALID_TYPE'],
        ['note', true, 'FIELD_INVALID_TYPE'],
        ['size', '12', 'FIELD_INVALID_TYPE'],
        ['size', 2 ** 53, 'FIELD_INVALID_VALUE'],
        ['price', false, 'FIELD_INVALID_TYPE'],
        ['gift', 1, 'FIELD_INVALID_TYPE'],
        ['birthday', '2026-3-01', 'FIELD_INVALID_VALUE'],
        ['birthday', '2026-03-01T00:00:00Z', 'FIELD_INVALID_VALUE'],
        ['birthday', '2025-02-29', 'FIELD_INVALID_VALUE'],
        ['birthday', '0000-01-01', 'FIELD_INVALID_VALUE'],
        ['birthday', 20260301, 'FIELD_INVALID_TYPE'],
        ['visit', '2026-02-30T10:00:00Z', 'FIELD_INVALID_DATE_TIME'],
        ['visit', '2026-03-02', 'FIELD_INVALID_DATE_TIME'],
        ['visit', 1772460000000, 'FIELD_INVALID_TYPE'],
      ];
      for (const [key, value, name] of single) {
        const response = await send(t.app, o.till, 'POST', '/v2/leads', {
          leadFor: 'JKT-0192-M',
          idType: 'EMAIL',
          identifier: 'bob@example.com',
          extendedFields: { colour: 'RED', [key]: value },
        });
        assertError(response, 400, name, `extendedFields.${key}`);
      }
      assert.deepEqual(await orgSnapshot(t.app, t.ctx, o.till), snapshot);
    });

    it('a required field missing on create is a 400 FIELD_REQUIRED', async () => {
      const o = await typedOrg();
      const snapshot = await orgSnapshot(t.app, t.ctx, o.till);
      const body = { leadFor: 'JKT-0192-M', idType: 'EMAIL', identifier: 'cy@example.com' };
      assertError(
        await send(t.app, o.till, 'POST', '/v2/leads', body),
        400,
        'FIELD_REQUIRED',
        'extendedFields.colour',
      );
      assertErrors(
        await send(t.app, o.till, 'POST', '/v2/leads', {
          ...body,
          extendedFields: { size: 'XL', Colour: 'RED' },
        }),
        400,
        [
          ['FIELD_REQUIRED', 'extendedFields.colour'],
          ['FIELD_INVALID_TYPE', 'extendedFields.size'],
        ],
      );
      assert.deepEqual(await orgSnapshot(t.app, t.ctx, o.till), snapshot);
    });

    it('updates: merges checked values, drops unknown keys, refuses wrong types and removing a required field', async () => {
      const o = await typedOrg();
      const lead = await newLead(t.app, o.till, { extendedFields: { colour: 'RED', size: 40 } });
      const url = `/v2/leads/${lead.id}`;

      const merged = await send(t.app, o.till, 'PUT', url, {
        extendedFields: {
          colour: 'NAVY',
          size: null,
          visit: '2026-03-01T23:30:00-02:00',
          mood: 'x',
        },
      });
      assert.equal(merged.status, 200, merged.raw);
      assert.deepEqual(merged.body.extendedFields, {
        colour: 'NAVY',
        visit: '2026-03-02T01:30:00Z',
      });
      assert.deepEqual(
        merged.body.warnings.map((w: any) => [w.code, /extendedFields\.mood\b/.test(w.message)]),
        [[codeOf('EXTENDED_FIELD_IGNORED'), true]],
      );

      const before = await getLead(t.app, o.till, lead.id);
      const refused: Array<[Record<string, unknown>, Array<[ErrorName, string]>]> = [
        [{ colour: null }, [['FIELD_REQUIRED', 'extendedFields.colour']]],
        [{ colour: 'GREEN' }, [['FIELD_INVALID_VALUE', 'extendedFields.colour']]],
        [
          { size: 'big', gift: 'no', note: 'fine' },
          [
            ['FIELD_INVALID_TYPE', 'extendedFields.size'],
            ['FIELD_INVALID_TYPE', 'extendedFields.gift'],
          ],
        ],
        [{ birthday: '2026-13-01' }, [['FIELD_INVALID_VALUE', 'extendedFields.birthday']]],
        [{ visit: 'yesterday' }, [['FIELD_INVALID_DATE_TIME', 'extendedFields.visit']]],
      ];
      for (const [extendedFields, errors] of refused) {
        assertErrors(await send(t.app, o.till, 'PUT', url, { extendedFields }), 400, errors);
      }
      // With the owner too: the owner is not assigned when the fields are refused.
      assertError(
        await send(t.app, o.till, 'PUT', url, {
          owner: o.associate.code,
          extendedFields: { price: 'cheap' },
        }),
        400,
        'FIELD_INVALID_TYPE',
        'extendedFields.price',
      );
      assert.deepEqual(await getLead(t.app, o.till, lead.id), before);
    });

    it('a null still removes a key the org does not define (one kept from before)', async () => {
      const o = await newOrg(t.ctx);
      const lead = await newLead(t.app, o.till, { extendedFields: { legacy: 'x', keep: 1 } });
      await define(t, o, { name: 'colour', dataType: 'ENUM', values: ['RED'] });
      const response = await send(t.app, o.till, 'PUT', `/v2/leads/${lead.id}`, {
        extendedFields: { legacy: null, colour: 'RED' },
      });
      assert.equal(response.status, 200, response.raw);
      assert.deepEqual(response.body.warnings, []);
      assert.deepEqual(response.body.extendedFields, { keep: 1, colour: 'RED' });
    });

    it('shows ENUM values in the language header in lists and every single-lead response', async () => {
      const o = await newOrg(t.ctx);
      await colourInFrench(t, o);
      await define(t, o, { name: 'fabric', dataType: 'ENUM', values: ['WOOL', 'SILK'] });
      await define(t, o, { name: 'note', dataType: 'STRING' });
      await translate(t, o, 'note', 'fr', { label: 'Remarque' });
      const reason = await addReason(t.app, o.till, 'Called back');

      const fr = speaking(o.till, 'fr-CA');
      const created = await send(t.app, fr, 'POST', '/v2/leads', {
        leadFor: 'JKT-0192-M',
        idType: 'EMAIL',
        identifier: 'dee@example.com',
        extendedFields: { colour: 'RED', fabric: 'WOOL', note: 'RED' },
      });
      assert.equal(created.status, 200, created.raw);
      // Translated where French has the value; the rest as stored (a STRING is never translated).
      const french = { colour: 'Rouge', fabric: 'WOOL', note: 'RED' };
      assert.deepEqual(created.body.extendedFields, french);
      const id = created.body.id;
      const olive = await newLead(t.app, o.till, { extendedFields: { colour: 'OLIVE' } });
      const navy = await newLead(t.app, o.till, { extendedFields: { colour: 'NAVY' } });

      assert.deepEqual((await getLead(t.app, fr, id)).extendedFields, french);
      assert.deepEqual((await getLead(t.app, speaking(o.till, 'FR'), id)).extendedFields, french);
      const changes: Array<['PUT' | 'POST', string, unknown]> = [
        ['PUT', `/v2/leads/${id}`, { extendedFields: { fabric: 'SILK' } }],
        ['PUT', `/v2/leads/${id}/status`, { status: 'ON_HOLD', reasonId: reason }],
        [
          'POST',
          `/v2/leads/${id}/followup`,
          { followedUpOn: '2026-03-03T09:30:00Z', createdBy: o.till.id },
        ],
      ];
      for (const [method, url, body] of changes) {
        const response = await send(t.app, fr, method, url, body);
        assert.equal(response.status, 200, response.raw);
        assert.deepEqual(
          response.body.extendedFields,
          { ...french, fabric: 'SILK' },
          `${method} ${url}`,
        );
      }

      const listed = await list(t.app, fr, 'limit=10');
      assert.deepEqual(
        listed.map((l) => [l.id, l.extendedFields.colour]),
        [
          [id, 'Rouge'],
          [olive.id, 'OLIVE'],
          [navy.id, 'Bleu marine'],
        ],
      );
      // Without the header, or in a language without translations, values are as stored.
      assert.deepEqual(
        (await list(t.app, o.till)).map((l) => l.extendedFields.colour),
        ['RED', 'OLIVE', 'NAVY'],
      );
      assert.deepEqual(
        (await list(t.app, speaking(o.till, 'de'))).map((l) => l.extendedFields.colour),
        ['RED', 'OLIVE', 'NAVY'],
      );
      // Stored values stay stored: the translation is only how they are shown.
      const stored = await t.ctx.store.db
        .selectFrom('leads')
        .select('extended_fields')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(stored.extended_fields), {
        colour: 'RED',
        fabric: 'SILK',
        note: 'RED',
      });
    });
    it('reads the org’s translations once per list, however many leads it has', async () => {
      const o = await newOrg(t.ctx);
      await colourInFrench(t, o);
      await define(t, o, { name: 'fabric', dataType: 'ENUM', values: ['WOOL'] });
      await translate(t, o, 'fabric', 'fr', { values: { WOOL: 'Laine' } });
      for (let i = 0; i < 12; i += 1) {
        await newLead(t.app, o.till, { extendedFields: { colour: 'RED', fabric: 'WOOL' } });
      }
      // The same app and store, with every executed statement counted.
      const { app, statements, reset } = await countingApp(t.ctx);
      try {
        const count = async (who: { headers: Record<string, string> }, query: string) => {
          reset();
          const leads = await list(app, who, query);
          return { queries: statements(), leads };
        };
        const plain = await count(o.till, 'limit=12');
        const french = await count(speaking(o.till, 'fr'), 'limit=12');
        const fewer = await count(speaking(o.till, 'fr'), 'limit=2');
        assert.equal(french.leads.length, 12);
        assert.deepEqual(
          new Set(french.leads.map((l) => JSON.stringify(l.extendedFields))),
          new Set([JSON.stringify({ colour: 'Rouge', fabric: 'Laine' })]),
        );
        assert.equal(french.queries, plain.queries + 1, 'one query for every translation');
        assert.equal(fewer.queries, french.queries, 'independent of the number of leads');
      } finally {
        await app.close();
      }
    });
  });

  describe('CLI field commands (in-process)', () => {
    it('field create and field translate define what the API then serves, audited as the CLI', async () => {
      clock.ms = Date.parse('2026-03-06T08:00:00Z');
      const o = await newOrg(t.ctx);
      const created = await runField(t, 'field create', {
        org: o.org.name,
        entity: 'lead',
        name: 'colour',
        type: 'enum',
        label: 'Colour',
        values: 'RED, NAVY,OLIVE',
        required: true,
      });
      assert.deepEqual(created, {
        name: 'colour',
        label: 'Colour',
        dataType: 'ENUM',
        required: true,
        values: [
          { value: 'RED', label: 'RED' },
          { value: 'NAVY', label: 'NAVY' },
          { value: 'OLIVE', label: 'OLIVE' },
        ],
      });
      const translated = await runField(t, 'field translate', {
        org: o.org.name,
        entity: 'LEAD',
        name: 'colour',
        language: 'FR',
        label: 'Couleur',
        value: ['RED=Rouge', 'NAVY=Bleu=marine'],
      });
      assert.deepEqual(translated, {
        ...created,
        translations: { fr: { label: 'Couleur', values: { RED: 'Rouge', NAVY: 'Bleu=marine' } } },
      });
      const more = await runField(t, 'field translate', {
        org: o.org.name,
        entity: 'LEAD',
        name: 'colour',
        language: 'ar',
        value: ['OLIVE=زيتوني'],
      });
      assert.deepEqual(Object.keys(more.translations), ['ar', 'fr']);
      assert.deepEqual(more.translations.ar, { values: { OLIVE: 'زيتوني' } });

      const french = await definitions(t, speaking(o.till, 'fr'));
      assert.equal(french[0].label, 'Couleur');
      const lead = await newLead(t.app, o.till, { extendedFields: { colour: 'NAVY' } });
      assert.equal(
        (await getLead(t.app, speaking(o.till, 'fr'), lead.id)).extendedFields.colour,
        'Bleu=marine',
      );
      assertError(
        await send(t.app, o.till, 'POST', '/v2/leads', {
          leadFor: 'x',
          idType: 'EMAIL',
          identifier: 'e@example.com',
        }),
        400,
        'FIELD_REQUIRED',
        'extendedFields.colour',
      );

      const audit = await auditRows(t, o.org.id);
      assert.deepEqual(
        audit.map((r) => [r.actor_id, r.action, r.target]),
        [
          [-1, 'field.create', 'colour'],
          [-1, 'field.translate', 'colour'],
          [-1, 'field.translate', 'colour'],
        ],
      );
      assert.equal(audit[0]?.created_on, Date.parse('2026-03-06T08:00:00Z'));
    });

    it('bad arguments are INVALID_ARGUMENT naming the option; unknown org, field and duplicates keep their codes', async () => {
      const o = await newOrg(t.ctx);
      const base = { org: o.org.name, entity: 'LEAD', name: 'colour' };
      await runField(t, 'field create', { ...base, type: 'ENUM', values: 'RED' });

      const invalid: Array<['field create' | 'field translate', OptionValues, RegExp]> = [
        ['field create', { ...base, name: 'size-eu', type: 'INTEGER' }, /^--name\b/],
        ['field create', { ...base, name: 'size', type: 'NUMBER' }, /^--type\b/],
        [
          'field create',
          { ...base, name: 'size', entity: 'ORDER', type: 'INTEGER' },
          /^--entity\b/,
        ],
        ['field create', { ...base, name: 'fabric', type: 'ENUM' }, /^--values\b/],
        [
          'field create',
          { ...base, name: 'fabric', type: 'ENUM', values: 'A,,B' },
          /--values item 2/,
        ],
        [
          'field create',
          { ...base, name: 'fabric', type: 'ENUM', values: 'A,B,A' },
          /--values item 3/,
        ],
        ['field create', { ...base, name: 'size', type: 'INTEGER', values: 'A' }, /^--values\b/],
        ['field translate', { ...base, language: 'fr' }, /--label or --value/],
        ['field translate', { ...base, language: 'french', label: 'x' }, /^--language\b/],
        ['field translate', { ...base, language: 'fr', value: ['RED'] }, /^--value RED\b/],
        ['field translate', { ...base, language: 'fr', value: ['=Rouge'] }, /^--value =Rouge\b/],
        ['field translate', { ...base, language: 'fr', value: ['GREEN=Vert'] }, /^--value GREEN=/],
        [
          'field translate',
          { ...base, language: 'fr', value: ['RED=a', 'RED=b'] },
          /^--value RED\b/,
        ],
        ['field translate', { ...base, language: 'fr', value: ['RED=  '] }, /^--value RED=/],
      ];
      for (const [command, values, message] of invalid) {
        const error = await commandError(runField(t, command, values));
        assert.equal(
          error.code,
          codeOf('INVALID_ARGUMENT'),
          `${command} ${JSON.stringify(values)}`,
        );
        assert.match(error.message, message);
      }
      const notFound = await commandError(
        runField(t, 'field translate', { ...base, name: 'size', language: 'fr', label: 'Taille' }),
      );
      assert.equal(notFound.code, codeOf('FIELD_NOT_FOUND'));
      const exists = await commandError(runField(t, 'field create', { ...base, type: 'STRING' }));
      assert.equal(exists.code, codeOf('FIELD_EXISTS'));
      const noOrg = await commandError(
        runField(t, 'field create', { ...base, org: `${o.org.name}-nope`, type: 'STRING' }),
      );
      assert.equal(noOrg.code, codeOf('ORG_NOT_FOUND'));

      assert.deepEqual(
        (await definitions(t, speaking(o.till, 'fr'))).map((f: any) => f.name),
        ['colour'],
      );
      assert.equal((await definitions(t, speaking(o.till, 'fr')))[0].label, 'colour');
      assert.equal((await auditRows(t, o.org.id)).length, 1);
    });
  });
});
