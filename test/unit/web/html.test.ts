import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html } from '../../../src/web/html.js';

describe('html templates', () => {
  it('escapes every interpolated text, in text and in quoted attributes', () => {
    const hostile = `<img src=x onerror="alert('1')">&`;
    assert.equal(
      html`<p title="${hostile}">${hostile}</p>`.text,
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">' +
        '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</p>',
    );
    assert.equal(escapeHtml('a & b'), 'a &amp; b');
  });

  it('keeps nested templates as markup, joins arrays, and drops absent values', () => {
    const items = ['<b>', 'c'].map((name) => html`<li>${name}</li>`);
    const hidden = false as boolean;
    // prettier-ignore
    const page = html`<ul>${items}</ul>${hidden && html`<p>never</p>`}${null}${undefined}${0}`;
    assert.equal(page.text, '<ul><li>&lt;b&gt;</li><li>c</li></ul>0');
  });
});
