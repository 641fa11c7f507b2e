import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newOrg, send, type Login } from '../../helpers/factories.js';
import { alertOf, formToken, signedIn } from '../../helpers/web.js';

type Definition = { name: string; label: string; values?: Array<{ value: string; label: string }> };

/** The org's lead fields as the API gives them in `language`. */
async function definitions(t: ReturnType<typeof useTestApp>, who: Login, language?: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: '/v2/extendedFields?entityType=LEAD',
    headers: { ...who.headers, ...(language ? { language } : {}) },
  });
  assert.equal(response.statusCode, 200, response.body);
  return (JSON.parse(response.body) as { data: Definition[] }).data;
}

/** An input's value within field `name`'s translation form. */
const translated = (page: string, name: string, input: string) =>
  new RegExp(`id="${name}-${input}"[^>]*?value="([^"]*)"`).exec(page)?.[1];

describe('web app: extended fields', () => {
  const t = useTestApp();

  it('defines a field, refusing a bad one by name with the form kept', async () => {
    const o = await newOrg(t.ctx);
    const admin = await signedIn(t.app, o.admin);
    const page = await admin.get('/app/admin/fields');
    assert.equal(page.statusCode, 200);
    const _csrf = formToken(page.body);

    const defined = await admin.post('/app/admin/fields', {
      _csrf,
      name: 'colour',
      label: 'Colour <i>wanted</i>',
      dataType: 'ENUM',
      required: 'on',
      values: 'RED\r\n BLUE \r\n\r\n',
    });
    assert.equal(defined.statusCode, 303);
    assert.equal(defined.headers.location, '/app/admin/fields?done=field-defined');
    const [colour] = await definitions(t, o.till);
    assert.deepEqual(colour, {
      name: 'colour',
      label: 'Colour <i>wanted</i>',
      dataType: 'ENUM',
      required: true,
      values: [
        { value: 'RED', label: 'RED' },
        { value: 'BLUE', label: 'BLUE' },
      ],
    });
    const listed = await admin.get(defined.headers.location);
    assert.ok(listed.body.includes('Colour &lt;i&gt;wanted&lt;/i&gt;'));
    assert.doesNotMatch(listed.body, /<i>wanted/);
    // New lead asks for it, with its label.
    const till = await signedIn(t.app, o.till);
    assert.ok((await till.get('/app/leads/new')).body.includes('Colour &lt;i&gt;wanted&lt;/i&gt;'));

    const cases: Array<[Record<string, string>, number, RegExp]> = [
      [{ name: '1st', dataType: 'STRING' }, 400, /^name must be/],
      [{ name: 'size', dataType: 'ENUM' }, 400, /values is required for an ENUM field/],
      [{ name: 'note', dataType: 'STRING', values: 'A' }, 400, /values are only for ENUM fields/],
      [{ name: 'size', dataType: 'SHAPE' }, 400, /^dataType must be one of/],
      [{ name: 'colour', dataType: 'STRING' }, 409, /exists already/],
    ];
    for (const [form, status, message] of cases) {
      const refused = await admin.post('/app/admin/fields', { _csrf, ...form });
      assert.equal(refused.statusCode, status, JSON.stringify(form));
      assert.match(alertOf(refused.body) ?? '', message);
      assert.match(refused.body, new RegExp(`id="field-name"[^>]*value="${form.name}"`));
    }
    assert.equal((await definitions(t, o.till)).length, 1);
  });

  it('translates a field, edits the translation and empties it back to the field’s own words', async () => {
    const o = await newOrg(t.ctx);
    await send(t.app, o.admin, 'POST', '/v2/admin/extendedFields', {
      entityType: 'LEAD',
      name: 'colour',
      label: 'Colour',
      dataType: 'ENUM',
      values: ['RED', 'BLUE'],
    });
    const admin = await signedIn(t.app, o.admin);
    const page = await admin.get('/app/admin/fields');
    assert.match(page.body, /No translation yet\./);
    const _csrf = formToken(page.body);
    const url = '/app/admin/fields/colour/translations';

    const nothing = await admin.post(url, { _csrf, filledFrom: '', language: 'hi' });
    assert.equal(nothing.statusCode, 400);
    assert.equal(alertOf(nothing.body), 'Type a label or a value’s text to save.');
    const badLanguage = await admin.post(url, {
      _csrf,
      filledFrom: '',
      language: 'xx',
      label: 'X',
    });
    assert.equal(badLanguage.statusCode, 400);
    assert.match(alertOf(badLanguage.body) ?? '', /language must be an ISO 639-1 code/);
    assert.equal(translated(badLanguage.body, 'colour', 'label'), 'X', 'the form keeps it');

    const saved = await admin.post(url, {
      _csrf,
      filledFrom: '',
      language: 'HI',
      label: 'रंग',
      'value-0': 'लाल',
      'value-1': '',
    });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, '/app/admin/fields?done=field-translated');
    let [colour] = await definitions(t, o.till, 'hi');
    assert.equal(colour?.label, 'रंग');
    assert.deepEqual(colour?.values, [
      { value: 'RED', label: 'लाल' },
      { value: 'BLUE', label: 'BLUE' },
    ]);

    // A blank form typed over the same language adds; it removes nothing.
    await admin.post(url, { _csrf, filledFrom: '', language: 'hi', 'value-1': 'नीला' });
    [colour] = await definitions(t, o.till, 'hi');
    assert.equal(colour?.label, 'रंग');
    assert.deepEqual(
      colour?.values?.map((v) => v.label),
      ['लाल', 'नीला'],
    );

    // Edit fills the form from the translation; what is emptied there is removed.
    const edit = await admin.get('/app/admin/fields?edit=colour&language=hi');
    assert.equal(translated(edit.body, 'colour', 'language'), 'hi');
    assert.equal(translated(edit.body, 'colour', 'label'), 'रंग');
    assert.equal(translated(edit.body, 'colour', 'value-1'), 'नीला');
    const emptied = await admin.post(url, {
      _csrf,
      filledFrom: 'hi',
      language: 'hi',
      label: '',
      'value-0': 'लाल रंग',
      'value-1': '',
    });
    assert.equal(emptied.statusCode, 303);
    [colour] = await definitions(t, o.till, 'hi');
    assert.equal(colour?.label, 'Colour');
    assert.deepEqual(
      colour?.values?.map((v) => v.label),
      ['लाल रंग', 'BLUE'],
    );
    // English readers never saw any of it.
    assert.equal((await definitions(t, o.till, 'en'))[0]?.label, 'Colour');
    const audit = await send(t.app, o.admin, 'GET', '/v2/admin/audit?limit=5');
    assert.ok(
      (audit.body.data as Array<{ action: string }>).some((e) => e.action === 'field.translate'),
    );
  });

  it('answers another org’s field as one that does not exist, and is for administrators only', async () => {
    const o = await newOrg(t.ctx);
    const other = await newOrg(t.ctx);
    await send(t.app, other.admin, 'POST', '/v2/admin/extendedFields', {
      entityType: 'LEAD',
      name: 'theirs',
      dataType: 'STRING',
    });
    const admin = await signedIn(t.app, o.admin);
    const page = await admin.get('/app/admin/fields');
    assert.equal(page.body.includes('theirs'), false);
    const _csrf = formToken(page.body);
    const answer = await admin.post('/app/admin/fields/theirs/translations', {
      _csrf,
      filledFrom: '',
      language: 'hi',
      label: 'उनका',
    });
    assert.equal(answer.statusCode, 404);
    assert.equal((await definitions(t, other.till, 'hi'))[0]?.label, 'theirs');

    const till = await signedIn(t.app, o.till);
    assert.equal((await till.get('/app/admin/fields')).statusCode, 403);
    const start = await till.get('/app');
    const sneaked = await till.post('/app/admin/fields', {
      _csrf: formToken(start.body),
      name: 'sneaked',
      dataType: 'STRING',
    });
    assert.equal(sneaked.statusCode, 403);
    assert.equal((await definitions(t, o.till)).length, 0);
  });
});
