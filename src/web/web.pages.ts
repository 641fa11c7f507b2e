import { createHash } from 'node:crypto';
import { html, type SafeHtml } from './html.js';
import { LANGUAGES, statusName, translator, type Language, type Translate } from './i18n.js';
import type { Lead } from '../leads/index.js';
import type { WebSession } from './session.service.js';
import { showInstant } from './time.js';
import { STYLESHEET } from './web.assets.js';
import { SCRIPT } from './web.script.js';

/**
 * The web app's pages (docs/web.md), server-rendered: every value goes through {@link html}, and
 * a page carries no inline script or style (the Content-Security-Policy forbids both).
 */

/** The stylesheet's path (web.assets.ts). */
export const STYLESHEET_PATH = '/app/assets/app.css';
/** The script's path (web.script.ts): loaded deferred, never needed for a page to work. */
export const SCRIPT_PATH = '/app/assets/app.js';

/**
 * An asset's address with its content's digest, so a browser may keep it for a year and still
 * fetch the new one the moment an upgrade changes it.
 */
const versioned = (path: string, content: string) =>
  `${path}?v=${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
const STYLESHEET_URL = versioned(STYLESHEET_PATH, STYLESHEET);
const SCRIPT_URL = versioned(SCRIPT_PATH, SCRIPT);

/** The links that switch the pages' language, the one in use marked. */
function languageSwitch(language: Language, t: Translate): SafeHtml {
  return html`<nav aria-label="${t('Language')}" class="languages">
    ${(Object.keys(LANGUAGES) as Language[]).map((code) =>
      code === language
        ? html`<span aria-current="true" lang="${code}">${LANGUAGES[code]}</span>`
        : html`<a href="/app/language?to=${code}" lang="${code}" hreflang="${code}"
            >${LANGUAGES[code]}</a
          >`,
    )}
  </nav>`;
}

/**
 * A whole page: the header (who is signed in, the sections, the language, sign-out) around
 * `main`, in the session's language (or `language` before signing in).
 */
export function page(
  title: string,
  main: SafeHtml,
  session?: WebSession,
  language: Language = session?.language ?? 'en',
): SafeHtml {
  const t = translator(language);
  return html`<!doctype html>
    <html lang="${language}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Leadline</title>
        <link rel="stylesheet" href="${STYLESHEET_URL}" />
        <script src="${SCRIPT_URL}" defer></script>
        <!-- No icon to fetch: a browser asks for /favicon.ico otherwise. -->
        <link rel="icon" href="data:," />
      </head>
      <body>
        <a class="skip" href="#main">${t('Skip to content')}</a>
        <header class="bar">
          <a class="brand" href="/app">Leadline</a>
          ${
            session &&
            html`<nav aria-label="${t('Sections')}">
                <a href="/app/leads">${t('Leads')}</a><a href="/app/board">${t('Board')}</a
                ><a href="/app/leads/new">${t('New lead')}</a
                ><a href="/app/dashboard">${t('Dashboard')}</a
                >${session.caller.entityType === 'ADMIN_USER' && html`<a href="/app/admin">${t('Admin')}</a>`}
              </nav>
              <span class="who">${session.caller.code} · ${session.orgName}</span>
              <form method="post" action="/app/logout" class="sign-out">
                <input type="hidden" name="_csrf" value="${session.csrfToken}" />
                <button type="submit">${t('Sign out')}</button>
              </form>`
          }
          ${languageSwitch(language, t)}
        </header>
        <main id="main">${main}</main>
      </body>
    </html> `;
}

/** The sign-in form; `problem` (wrong password, too many tries) is announced to screen readers. */
export function loginPage(
  language: Language,
  form: { csrfToken: string; username?: string; problem?: string },
) {
  const t = translator(language);
  return page(
    t('Sign in'),
    html`<h1>${t('Sign in')}</h1>
      ${form.problem && html`<p class="problem" role="alert">${form.problem}</p>`}
      <form method="post" action="/app/login" class="stack">
        <input type="hidden" name="_csrf" value="${form.csrfToken}" />
        <label for="username">${t('Username')}</label>
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
        <label for="password">${t('Password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxlength="1000"
        />
        <button type="submit">${t('Sign in')}</button>
      </form>`,
    undefined,
    language,
  );
}

/** A lead in a list of the day: where it stands, when it is due, and whose it is (`owner`). */
function dayCard(lead: Lead, zone: string, now: number, t: Translate, owner = false): SafeHtml {
  const due = lead.nextFollowUp === undefined ? undefined : Date.parse(lead.nextFollowUp);
  return html`<li>
    <a href="/app/leads/${lead.id}"><strong>#${lead.id}</strong> ${lead.leadFor}</a>
    <div class="meta">
      <span class="status"
        >${statusName(lead.status, t)}${lead.subStatus && html` · ${lead.subStatus}`}</span
      >
      ${owner && html`<span>${lead.owner ? t('Owner {code}', { code: lead.owner }) : t('No owner')}</span>`}
      ${
        due !== undefined &&
        (due < now
          ? html`<span class="overdue"
              >${t('Overdue since {when}', { when: showInstant(lead.nextFollowUp!, zone) })}</span
            >`
          : html`<span>${t('Due {when}', { when: showInstant(lead.nextFollowUp!, zone) })}</span>`)
      }
    </div>
  </li>`;
}

/**
 * The signed-in person's start page, Today, theirs first: the follow-ups due on the leads they
 * own (overdue first), then the rest of their store's due follow-ups, then the leads they created
 * today, in the org's day.
 */
export function todayPage(
  session: WebSession,
  day: { due: Lead[]; storeDue: Lead[]; store: string | undefined; created: Lead[]; now: number },
): SafeHtml {
  const zone = session.timeZone;
  const t = translator(session.language);
  return page(
    t('Today'),
    html`<h1>${t('Today')}</h1>
      <p>
        ${t('Welcome, {code}. You are signed in to {org} as a {type}.', {
          code: session.caller.code,
          org: session.orgName,
          type: session.caller.entityType.toLowerCase(),
        })}
      </p>
      <p>
        <a href="/app/leads?mine=1">${t('My leads')}</a> ·
        <a href="/app/leads">${t('All leads')}</a>
      </p>
      <section aria-labelledby="due">
        <h2 id="due">${t('Follow-ups due ({count})', { count: day.due.length })}</h2>
        ${
          day.due.length === 0
            ? html`<p>${t('Nothing due today on the leads you own.')}</p>`
            : html`<ul class="cards">
                ${day.due.map((lead) => dayCard(lead, zone, day.now, t))}
              </ul>`
        }
      </section>
      ${
        day.store !== undefined &&
        html`<section aria-labelledby="store-due">
          <h2 id="store-due">
            ${t('Also due in {store} ({count})', { store: day.store, count: day.storeDue.length })}
          </h2>
          ${
            day.storeDue.length === 0
              ? html`<p>${t('Nothing else is due today in your store.')}</p>`
              : html`<ul class="cards">
                  ${day.storeDue.map((lead) => dayCard(lead, zone, day.now, t, true))}
                </ul>`
          }
        </section>`
      }
      <section aria-labelledby="created">
        <h2 id="created">${t('Created today ({count})', { count: day.created.length })}</h2>
        ${
          day.created.length === 0
            ? html`<p>${t('You have not recorded a lead today yet.')}</p>`
            : html`<ul class="cards">
                ${day.created.map((lead) => dayCard(lead, zone, day.now, t))}
              </ul>`
        }
      </section>`,
    session,
  );
}

/** A page for an error: its status and what went wrong, in words. */
export function errorPage(
  language: Language,
  status: number,
  message: string,
  session?: WebSession,
) {
  const t = translator(language);
  return page(
    t('Error {status}', { status }),
    html`<h1>${status === 404 ? t('Page not found') : t('Something went wrong')}</h1>
      <p role="alert">${message}</p>
      <p><a href="/app">${t('Back to the start')}</a></p>`,
    session,
    language,
  );
}
