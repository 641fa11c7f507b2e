import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { useTestApp } from '../../helpers/app.js';
import { newLead, newOrg } from '../../helpers/factories.js';
import { Browser } from '../../helpers/web.js';

describe('web app compression', () => {
  const t = useTestApp();

  /** A GET with `accept-encoding`, its body as sent and as decoded. */
  async function fetchEncoded(url: string, acceptEncoding: string, cookie = '') {
    const response = await t.app.inject({
      method: 'GET',
      url,
      headers: { 'accept-encoding': acceptEncoding, cookie },
    });
    const raw = response.rawPayload;
    const encoding = response.headers['content-encoding'];
    const decoded =
      encoding === 'br' ? brotliDecompressSync(raw) : encoding === 'gzip' ? gunzipSync(raw) : raw;
    return { response, encoding, sent: raw.length, text: decoded.toString() };
  }

  it('sends pages and assets compressed as the browser accepts, and the same text', async () => {
    const o = await newOrg(t.ctx);
    for (let i = 0; i < 10; i += 1) await newLead(t.app, o.till, { leadFor: `Linen shirt ${i}` });
    const browser = new Browser(t.app);
    assert.equal((await browser.signIn(o.till.code, o.till.password)).statusCode, 303);
    const plain = await browser.get('/app/leads');
    assert.equal(plain.headers['content-encoding'], undefined);
    const cookie = `leadline_session=${browser.cookie('leadline_session')}`;

    const chrome = await fetchEncoded('/app/leads', 'gzip, deflate, br, zstd', cookie);
    assert.equal(chrome.encoding, 'br');
    assert.match(String(chrome.response.headers.vary), /accept-encoding/i);
    assert.ok(chrome.sent < plain.body.length / 3, `${chrome.sent} of ${plain.body.length}`);
    // The same page, but for the form token each page has of its own session: equal here.
    assert.equal(chrome.text, plain.body);

    const gzipOnly = await fetchEncoded('/app/leads', 'br;q=0, gzip', cookie);
    assert.equal(gzipOnly.encoding, 'gzip');
    assert.equal(gzipOnly.text, plain.body);
    const none = await fetchEncoded('/app/leads', 'identity', cookie);
    assert.equal(none.encoding, undefined);
    assert.equal(none.text, plain.body);

    for (const name of ['css', 'js']) {
      const url = new RegExp(`"(/app/assets/app\\.${name}\\?v=[0-9a-f]{12})"`).exec(
        plain.body,
      )![1]!;
      const asset = await fetchEncoded(url, 'gzip, br');
      const unencoded = await fetchEncoded(url, '');
      assert.equal(asset.encoding, 'br', name);
      assert.equal(asset.text, unencoded.text, name);
      assert.ok(asset.sent < unencoded.sent / 2, `${name}: ${asset.sent} of ${unencoded.sent}`);
      assert.match(String(asset.response.headers['cache-control']), /immutable/);
    }
  });
});
