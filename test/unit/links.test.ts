import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Every link of the README and the docs resolves inside the repository: a clone is all a reader
 * has (the contract once lived outside it). External links (http, mailto) are not fetched.
 */
const root = process.cwd();
const documents = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown links `[text](target)` outside code blocks and spans. */
function linksOf(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
}

describe('links in the README and docs', () => {
  it('finds the documents and their links', () => {
    assert.ok(documents.includes('docs/contract.md'), 'the repository holds its own contract');
    assert.ok(documents.flatMap((d) => linksOf(readFileSync(d, 'utf8'))).length > 20);
  });

  for (const document of documents) {
    it(`every relative link of ${document} names a file of the repository`, () => {
      const broken: string[] = [];
      for (const link of linksOf(readFileSync(document, 'utf8'))) {
        if (/^(https?:|mailto:)/.test(link) || link.startsWith('#')) continue;
        const target = path.resolve(path.dirname(document), decodeURI(link.split('#')[0] ?? ''));
        const inside = target === root || target.startsWith(`${root}${path.sep}`);
        if (!inside || !existsSync(target)) broken.push(link);
      }
      assert.deepEqual(broken, [], `${document} links outside the repository or to nothing`);
    });
  }
});
