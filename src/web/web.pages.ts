import { html, type SafeHtml } from './html.js';
import type { WebSession } from './session.service.js';

/**
 * The web app's pages (docs/web.md), server-rendered: every value goes through {@link html}, and
 * a page carries no inline script or style (the Content-Security-Policy forbids both).
 */

/** The stylesheet's URL; its content is versioned by the server's start so caches refresh. */
export const STYLESHEET_PATH = '/app/assets/app.css';

/** A whole page: the header (who is signed in, the sections, sign-out) around `main`. */
export function page(title: string, main: SafeHtml, session?: WebSession): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Leadline</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
        <!-- No icon to fetch: a browser asks for /favicon.ico otherwise. -->
        <link rel="icon" href="data:," />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="bar">
          <a class="brand" href="/app">Leadline</a>
          ${
            session &&
            html`<nav aria-label="Sections">
                <a href="/app/leads">Leads</a><a href="/app/leads/new">New lead</a>
              </nav>
              <span class="who">${session.caller.code} · ${session.orgName}</span>
              <form method="post" action="/app/logout" class="sign-out">
                <input type="hidden" name="_csrf" value="${session.csrfToken}" />
                <button type="submit">Sign out</button>
              </form>`
          }
        </header>
        <main id="main">${main}</main>
      </body>
    </html> `;
}

/** The sign-in form; `problem` (wrong password, too many tries) is announced to screen readers. */
export function loginPage(form: { csrfToken: string; username?: string; problem?: string }) {
  return page(
    'Sign in',
    html`<h1>Sign in</h1>
      ${form.problem && html`<p class="problem" role="alert">${form.problem}</p>`}
      <form method="post" action="/app/login" class="stack">
        <input type="hidden" name="_csrf" value="${form.csrfToken}" />
        <label for="username">Username</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck="false"
          required
          maxlength="200"
          value="${form.username ?? ''}"
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxlength="1000"
        />
        <button type="submit">Sign in</button>
      </form>`,
  );
}

/** The signed-in person's start page. */
export function homePage(session: WebSession) {
  return page(
    'Home',
    html`<h1>Welcome, ${session.caller.code}</h1>
      <p>
        You are signed in to ${session.orgName} as a ${session.caller.entityType.toLowerCase()}.
      </p>
      <p><a href="/app/leads?mine=1">My leads</a> · <a href="/app/leads">All leads</a></p>`,
    session,
  );
}

/** A page for an error: its status and what went wrong, in words. */
export function errorPage(status: number, message: string, session?: WebSession) {
  return page(
    `Error ${status}`,
    html`<h1>${status === 404 ? 'Page not found' : 'Something went wrong'}</h1>
      <p role="alert">${message}</p>
      <p><a href="/app">Back to the start</a></p>`,
    session,
  );
}
