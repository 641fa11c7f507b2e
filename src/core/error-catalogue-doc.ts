import { ErrorCatalogue } from './errors.js';

/**
 * Renders `docs/errors.md` from the catalogue, so the document cannot drift from the code
 * (`npm run docs:errors` writes it; a test compares it).
 */
export function renderErrorCatalogue(): string {
  const rows = Object.entries(ErrorCatalogue)
    .sort(([, a], [, b]) => a.code - b.code)
    .map(([name, e]) => {
      const kind = e.code >= 2000 ? 'warning' : String(e.status);
      return `| ${e.code} | ${kind} | \`${name}\` | ${e.when} |`;
    });
  return [
    '# Error catalogue',
    '',
    '<!-- Generated from src/core/errors.ts by `npm run docs:errors`; edit the catalogue, not this file. -->',
    '',
    'Every error answers with the contract envelope and an HTTP status:',
    '',
    '```json',
    '{"data": null, "warnings": [], "errors": [{"status": false, "code": 1101, "message": "leadFor is required"}]}',
    '```',
    '',
    'A request with several bad fields lists each of them, once, in `errors`. Warnings have the same',
    'item shape and ride on a successful response (`warnings` beside the lead, or in a list envelope):',
    'the main action succeeded and a secondary part was skipped.',
    '',
    'Checks run in the order the contract gives: unknown route (404) or method (405), credentials',
    '(401), content type, size and JSON syntax (415, 413, 400), the path id (404), then the body and',
    'query (400). Codes are stable: they are never renumbered or reused. The CLI prints the same',
    'codes in `{"error": {"code", "message"}}` on stderr.',
    '',
    '| code | HTTP status | name | when |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
