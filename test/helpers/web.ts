import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A browser over `app.inject`: keeps the cookies the server sets (for the paths they are set
 * for) and sends them back, as a browser would.
 */
export class Browser {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly ip = '203.0.113.10',
  ) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  setCookie(name: string, value: string, path = '/app'): void {
    this.cookies.set(name, { value, path });
  }

  private cookieHeader(url: string): string {
    return [...this.cookies]
      .filter(([, c]) => url === c.path || url.startsWith(`${c.path}/`) || c.path === '/')
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  private keep(response: LightMyRequestResponse): void {
    for (const set of response.cookies as Array<{
      name: string;
      value: string;
      path?: string;
      maxAge?: number;
    }>) {
      if (set.maxAge === 0 || set.value === '') this.cookies.delete(set.name);
      else this.cookies.set(set.name, { value: set.value, path: set.path ?? '/' });
    }
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: 'GET',
      url,
      remoteAddress: this.ip,
      headers: { cookie: this.cookieHeader(url) },
    });
    this.keep(response);
    return response;
  }

  /** Posts a form; a list is one field sent once per value, as ticked checkboxes are. */
  async post(
    url: string,
    form: Record<string, string | string[]>,
  ): Promise<LightMyRequestResponse> {
    const fields = Object.entries(form).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((one): [string, string] => [name, one]),
    );
    const response = await this.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.ip,
      headers: {
        cookie: this.cookieHeader(url),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams(fields).toString(),
    });
    this.keep(response);
    return response;
  }

  /** Opens the sign-in form and submits it. */
  async signIn(username: string, password: string): Promise<LightMyRequestResponse> {
    const form = await this.get('/app/login');
    return this.post('/app/login', { _csrf: formToken(form.body), username, password });
  }
}

/** The `_csrf` field of the first form on a page. */
export function formToken(page: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  assert.ok(token, 'the page has a form token');
  return token;
}

export const alertOf = (page: string) => /role="alert">([^<]*)</.exec(page)?.[1];

/** `who` signed in to the web app: a browser that holds its session. */
export async function signedIn(
  app: FastifyInstance,
  who: { code: string; password: string },
): Promise<Browser> {
  const browser = new Browser(app);
  const answer = await browser.signIn(who.code, who.password);
  assert.equal(answer.statusCode, 303, `${who.code} signs in`);
  return browser;
}
