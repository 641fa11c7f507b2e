// HTTP as a till speaks it, for scripts and tests that talk to a running server.
import { createHash } from 'node:crypto';

/**
 * The Basic authorization a till sends: `username:md5hex(password)`, base64.
 *
 * @example basicAuthorization('acme-till-1', 'secret') // 'Basic YWNtZS10aWxsLTE6...'
 */
export function basicAuthorization(username: string, password: string): string {
  const md5 = createHash('md5').update(password).digest('hex');
  return `Basic ${Buffer.from(`${username}:${md5}`).toString('base64')}`;
}

/** One answer, its body parsed when it is JSON (else `json` is undefined). */
export type Answer<T> = { status: number; json: T | undefined; text: string };

/**
 * Sends `method url` to `base` with `authorization` and a JSON body when there is one; answers
 * the status and the body, whatever the status.
 */
export async function sendJson<T = unknown>(
  base: string,
  authorization: string,
  method: string,
  url: string,
  body?: unknown,
  { timeoutMs }: { timeoutMs?: number } = {},
): Promise<Answer<T>> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
    ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
  });
  const text = await response.text();
  let json: T | undefined;
  try {
    json = JSON.parse(text) as T;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

/** {@link sendJson} for a call that must answer 200: its body, or an error naming the call. */
export async function okJson<T = unknown>(
  base: string,
  authorization: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<T> {
  const answer = await sendJson<T>(base, authorization, method, url, body);
  if (answer.status !== 200 || answer.json === undefined) {
    throw new Error(`${method} ${url}: ${answer.status} ${answer.text}`);
  }
  return answer.json;
}
