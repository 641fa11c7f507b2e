import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg, send } from '../../helpers/factories.js';
import { addReason } from '../../helpers/fixtures.js';
import { alertOf, Browser, formToken } from '../../helpers/web.js';

/** The `lang` of a page's `<html>`. */
const langOf = (page: string) => /<html lang="([a-z]+)">/.exec(page)?.[1];

describe('web app languages', () => {
  const t = useTestApp();

  it('follows the browser’s Accept-Language until a language is chosen, then the choice', async () => {
    const hindiBrowser = await t.app.inject({
      method: 'GET',
      url: '/app/login',
      headers: { 'accept-language': 'hi-IN,hi;q=0.9,en;q=0.8' },
    });
    assert.equal(langOf(hindiBrowser.body), 'hi');
    assert.match(hindiBrowser.body, /<h1>साइन इन<\/h1>/);
    assert.match(hindiBrowser.body, /<label for="username">यूज़रनेम<\/label>/);
    // English first, or a language the app does not have, or Hindi refused: English.
    for (const accept of ['en-GB,hi;q=0.5', 'fr-FR', 'hi;q=0, en;q=0.1', '']) {
      const page = await t.app.inject({
        method: 'GET',
        url: '/app/login',
        headers: { 'accept-language': accept },
      });
      assert.equal(langOf(page.body), 'en', accept);
    }

    const browser = new Browser(t.app);
    const chosen = await browser.get('/app/language?to=hi');
    assert.equal(chosen.statusCode, 303);
    assert.equal(chosen.headers.location, '/app');
    const cookie = String(chosen.headers['set-cookie']);
    assert.match(cookie, /leadline_lang=hi;/);
    assert.match(cookie, /Max-Age=31536000/);
    assert.match(cookie, /Path=\/app/);
    assert.match(cookie, /HttpOnly/);
    const login = await browser.get('/app/login');
    assert.equal(langOf(login.body), 'hi');
    // The switch offers English, named in English, and marks Hindi as the one in use.
    assert.match(
      login.body,
      /<a href="\/app\/language\?to=en" lang="en" hreflang="en"\s*>English<\/a/,
    );
    assert.match(login.body, /<span aria-current="true" lang="hi">हिन्दी<\/span>/);
    // A language the app does not have changes nothing.
    await browser.get('/app/language?to=xx');
    assert.equal(langOf((await browser.get('/app/login')).body), 'hi');
    const english = await browser.get('/app/language?to=en');
    assert.match(String(english.headers['set-cookie']), /leadline_lang=en;/);
    assert.equal(langOf((await browser.get('/app/login')).body), 'en');
  });

  it('shows the signed-in pages, notices and the org’s field labels in Hindi', async () => {
    const o = await newOrg(t.ctx);
    const field = await send(t.app, o.admin, 'POST', '/v2/admin/extendedFields', {
      entityType: 'LEAD',
      name: 'colour',
      label: 'Colour',
      dataType: 'ENUM',
      values: ['RED', 'NAVY'],
    });
    assert.equal(field.status, 200, field.raw);
    const translated = await send(
      t.app,
      o.admin,
      'PUT',
      '/v2/admin/extendedFields/LEAD/colour/translations/hi',
      { label: 'रंग', values: { RED: 'लाल' } },
    );
    assert.equal(translated.status, 200, translated.raw);
    const reasonId = await addReason(t.app, o.admin, 'Bought it');
    const lead = await newLead(t.app, o.till, { leadFor: 'Kurta' });

    const browser = new Browser(t.app);
    await browser.get('/app/language?to=hi');
    assert.equal((await browser.signIn(o.till.code, o.till.password)).statusCode, 303);
    const today = await browser.get('/app');
    assert.equal(langOf(today.body), 'hi');
    assert.match(today.body, new RegExp(`स्वागत है, ${o.till.code}।`));
    assert.match(today.body, /<a href="\/app\/leads">लीड<\/a>/);

    const newLeadPage = await browser.get('/app/leads/new');
    assert.match(newLeadPage.body, /<label for="field-colour"\s*>रंग<\/label\s*>/);
    assert.match(newLeadPage.body, /<option value="RED"\s*>\s*लाल\s*<\/option>/);
    // A value without its Hindi is shown as stored.
    assert.match(newLeadPage.body, /<option value="NAVY"\s*>\s*NAVY\s*<\/option>/);

    const leadPage = await browser.get(`/app/leads/${lead.id}`);
    const version = /name="version" value="(\d+)"/.exec(leadPage.body)![1]!;
    const changed = await browser.post(`/app/leads/${lead.id}/status`, {
      _csrf: formToken(leadPage.body),
      version,
      status: 'WON',
      reasonId: String(reasonId),
    });
    assert.equal(changed.statusCode, 303);
    const after = await browser.get(changed.headers.location as string);
    assert.match(after.body, /role="status">स्थिति बदली गई।</);
    // Statuses by their Hindi names; the form still sends the API's codes.
    assert.match(after.body, /status-won"\s*>जीती गई</);
    assert.match(after.body, /<option value="ON_HOLD"\s*>रुकी हुई<\/option>/);
    // A stale version: the app's own explanation, in Hindi.
    const stale = await browser.post(`/app/leads/${lead.id}/status`, {
      _csrf: formToken(leadPage.body),
      version,
      status: 'LOST',
      reasonId: String(reasonId),
    });
    assert.equal(stale.statusCode, 412);
    assert.match(alertOf(stale.body) ?? '', /आपके खोलने के बाद किसी ने यह लीड बदल दी है/);
    // Pages without a session, in the browser's language too.
    const missing = await browser.get('/app/nowhere');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /<h1>पेज नहीं मिला<\/h1>/);
  });
});
