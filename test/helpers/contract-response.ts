import { ErrorCatalogue } from '../../src/core/errors.js';

/**
 * Checks shared by the property and model suites: whatever the request, the response is never
 * a 5xx, every 4xx is the contract's envelope with catalogue codes, and no response carries a
 * stack trace, a source path or SQL.
 */

const statusOfCode = new Map<number, number>(
  Object.values(ErrorCatalogue).map((entry) => [entry.code, entry.status]),
);

/** Text that only an internal failure would put in a response. */
const LEAK =
  /(\n\s+at\s|\bat\s+\S+\s+\(\S+:\d+:\d+\)|node:internal|node_modules|\/src\/|\.ts:\d+|\.js:\d+|SQLITE_|sqlite3|syntax error at or near|violates \w+(?:\s\w+)? constraint|duplicate key value|\bselect\s+[\w*",.\s]+\s+from\s|\binsert\s+into\s|\bupdate\s+"?\w+"?\s+set\s|\bdelete\s+from\s|\bTypeError\b|\bReferenceError\b|\bRangeError\b|Maximum call stack|\bkysely\b)/i;

export type Observed = {
  method: string;
  status: number;
  contentType: string | undefined;
  raw: string;
};

/** Problems with one response, empty when it honours the contract. */
export function contractProblems(response: Observed): string[] {
  const problems: string[] = [];
  if (response.status >= 500) problems.push(`status ${response.status}`);
  const leak = LEAK.exec(response.raw);
  if (leak) problems.push(`internal text in the response: ${JSON.stringify(leak[0])}`);
  if (response.method === 'HEAD' || response.status < 400) return problems;
  if (!(response.contentType ?? '').startsWith('application/json')) {
    problems.push(`error content type ${String(response.contentType)}`);
  }
  let body: any;
  try {
    body = JSON.parse(response.raw);
  } catch {
    problems.push('error body is not JSON');
    return problems;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    problems.push('error body is not an object');
    return problems;
  }
  const keys = Object.keys(body).sort().join(',');
  if (keys !== 'data,errors,warnings') problems.push(`envelope keys ${keys}`);
  if (body.data !== null) problems.push('data is not null');
  if (!Array.isArray(body.warnings)) problems.push('warnings is not an array');
  if (!Array.isArray(body.errors) || body.errors.length === 0) {
    problems.push('errors is not a non-empty array');
    return problems;
  }
  for (const item of [...body.errors, ...(Array.isArray(body.warnings) ? body.warnings : [])]) {
    if (
      item === null ||
      typeof item !== 'object' ||
      item.status !== false ||
      typeof item.code !== 'number' ||
      typeof item.message !== 'string' ||
      Object.keys(item).length !== 3
    ) {
      problems.push(`malformed item ${JSON.stringify(item)}`);
    } else if (!statusOfCode.has(item.code)) {
      problems.push(`code ${item.code} is not in the catalogue`);
    }
  }
  for (const item of body.errors) {
    const expected = statusOfCode.get(item?.code);
    if (expected !== undefined && expected !== response.status) {
      problems.push(
        `code ${item.code} answers ${expected} in the catalogue, got ${response.status}`,
      );
    }
  }
  return problems;
}
