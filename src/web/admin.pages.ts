import { LEAD_STATUSES, type LeadStatus } from '../db/schema.js';
import { html, type SafeHtml } from './html.js';
import type { WebSession } from './session.service.js';
import { page } from './web.pages.js';
import { showInstant } from './time.js';
import { statusName, translator, type Translate } from './i18n.js';

/**
 * The administrator's pages (docs/web.md, "The administrator's pages"): what associates choose
 * from when they work a lead, kept by the org's ADMIN_USERs.
 */

/** A reason as the reasons page shows it. */
export type ReasonView = { id: number; reason: string; notAvailable: boolean; system: boolean };

/** What a page says after a change (notice) or instead of one (problem), and the form kept. */
export type AdminOutcome = {
  notice?: string | undefined;
  problem?: string | undefined;
  form?: Record<string, string>;
};

export function outcome(view: Pick<AdminOutcome, 'notice' | 'problem'>): SafeHtml {
  return html`${view.notice && html`<p class="notice" role="status">${view.notice}</p>`}
  ${view.problem && html`<p class="problem" role="alert">${view.problem}</p>`}`;
}

/**
 * A form of one button that posts the session's form token and `fields` to `action`. Its
 * accessible name adds `about` (what it acts on), which tells a list's rows apart for a screen
 * reader ("Revoke: ll_x1").
 */
export function buttonForm(
  session: WebSession,
  form: { action: string; label: string; about: string; fields?: Record<string, string> },
): SafeHtml {
  return html`<form method="post" action="${form.action}" class="inline">
    <input type="hidden" name="_csrf" value="${session.csrfToken}" />
    ${Object.entries(form.fields ?? {}).map(
      ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
    )}
    <button type="submit" class="secondary" aria-label="${form.label}: ${form.about}">
      ${form.label}
    </button>
  </form>`;
}

/** A list's links to its neighbouring pages, named as the list reads (newer, older, …). */
export function pager(
  view: { previousHref?: string | undefined; nextHref?: string | undefined },
  previous: string,
  next: string,
): SafeHtml {
  return html`<p class="buttons">
    ${view.previousHref && html`<a href="${view.previousHref}" rel="prev">${previous}</a>`}
    ${view.nextHref && html`<a href="${view.nextHref}" rel="next">${next}</a>`}
  </p>`;
}

/** The administration's start: its sections. */
export function adminPage(session: WebSession): SafeHtml {
  const t = translator(session.language);
  return page(
    t('Administration'),
    html`<h1>${t('Administration')}</h1>
      <ul class="cards">
        <li>
          <a href="/app/admin/reasons">${t('Reasons')}</a>
          <div class="meta">
            ${t(
              'Why a lead changes status; which reasons mean the store could not sell what the shopper wanted.',
            )}
          </div>
        </li>
        <li>
          <a href="/app/admin/people">${t('People and tills')}</a>
          <div class="meta">
            ${t('Places, people and tills: add one, disable or enable those who sign in, set a password.')}
          </div>
        </li>
        <li>
          <a href="/app/admin/audit">${t('Audit log')}</a>
          <div class="meta">
            ${t('Every administrative change: who made it, when, and what it was.')}
          </div>
        </li>
        <li>
          <a href="/app/admin/sub-statuses">${t('Sub-statuses')}</a>
          <div class="meta">${t('The finer states associates choose for each status.')}</div>
        </li>
        <li>
          <a href="/app/admin/settings">${t('Settings')}</a>
          <div class="meta">
            ${t('Auto-close, the country of mobile numbers, the time zone, limits and retention.')}
          </div>
        </li>
        <li>
          <a href="/app/admin/oauth-clients">${t('OAuth clients')}</a>
          <div class="meta">
            ${t('Keys other systems use to call the API as one of the org’s tills or people.')}
          </div>
        </li>
        <li>
          <a href="/app/admin/webhooks">${t('Webhooks')}</a>
          <div class="meta">
            ${t('Where lead events are sent: endpoints, their health, every delivery, replay.')}
          </div>
        </li>
        <li>
          <a href="/app/admin/fields">${t('Extended fields')}</a>
          <div class="meta">
            ${t('The org’s own fields on its leads, and their labels in other languages.')}
          </div>
        </li>
      </ul>`,
    session,
  );
}

/** The words of a reason's switch; its accessible name adds the reason, which tells rows apart. */
const switchLabel = (reason: ReasonView, t: Translate) =>
  reason.notAvailable ? t('Clear “not available”') : t('Mark not available');

/** The org's reasons, the form that adds one, and each one's "not available" switch. */
export function reasonsPage(
  session: WebSession,
  view: AdminOutcome & { reasons: ReasonView[]; maxLength: number },
): SafeHtml {
  const t = translator(session.language);
  return page(
    t('Reasons'),
    html`<h1>${t('Reasons')}</h1>
      ${outcome(view)}
      <p>
        ${t(
          'Associates choose one of these whenever they change a lead’s status. A reason marked “not available” means the shopper wanted what the store could not sell: leads lost for it count as unfulfilled demand in the reports.',
        )}
      </p>
      <form method="post" action="/app/admin/reasons" class="stack">
        <input type="hidden" name="_csrf" value="${session.csrfToken}" />
        <label for="reason">${t('New reason')}</label>
        <input
          id="reason"
          name="reason"
          required
          maxlength="${view.maxLength}"
          value="${view.form?.reason ?? ''}"
        />
        <button type="submit">${t('Add reason')}</button>
      </form>
      <h2 id="reasons">${t('The org’s reasons ({count})', { count: view.reasons.length })}</h2>
      <ul class="cards" aria-labelledby="reasons">
        ${view.reasons.map(
          (reason) =>
            html`<li>
              <strong>${reason.reason}</strong>
              <div class="meta">
                ${
                  reason.system
                    ? html`<span
                        >${t('System reason: leads close with it for what happened to them')}</span
                      >`
                    : reason.notAvailable
                      ? html`<span class="status">${t('Not available')}</span>`
                      : html`<span>${t('Not marked “not available”')}</span>`
                }
              </div>
              ${
                !reason.system &&
                buttonForm(session, {
                  action: `/app/admin/reasons/${reason.id}`,
                  label: switchLabel(reason, t),
                  about: reason.reason,
                  fields: { notAvailable: reason.notAvailable ? 'off' : 'on' },
                })
              }
            </li>`,
        )}
      </ul>`,
    session,
  );
}

/** The org's sub-statuses by status, and the form that adds one. */
export function subStatusesPage(
  session: WebSession,
  view: AdminOutcome & {
    subStatuses: Array<{ status: LeadStatus; subStatus: string }>;
    maxLength: number;
  },
): SafeHtml {
  const chosen = view.form?.status ?? 'OPEN';
  const groups = LEAD_STATUSES.map((status) => ({
    status,
    names: view.subStatuses.filter((s) => s.status === status).map((s) => s.subStatus),
  })).filter((group) => group.names.length > 0);
  const t = translator(session.language);
  return page(
    t('Sub-statuses'),
    html`<h1>${t('Sub-statuses')}</h1>
      ${outcome(view)}
      <p>
        ${t(
          'A sub-status says more about where a lead stands than its status does (WON: “Paid at the till”; ON_HOLD: “Awaiting stock”). Associates choose among the sub-statuses of the status they set; a sub-status added here can be chosen at once.',
        )}
      </p>
      <form method="post" action="/app/admin/sub-statuses" class="stack">
        <input type="hidden" name="_csrf" value="${session.csrfToken}" />
        <label for="status">${t('Status')}</label>
        <select id="status" name="status">
          ${LEAD_STATUSES.map(
            (status) =>
              html`<option value="${status}" ${chosen === status ? html`selected` : ''}>
                ${statusName(status, t)}
              </option>`,
          )}
        </select>
        <label for="sub-status">${t('New sub-status')}</label>
        <input
          id="sub-status"
          name="subStatus"
          required
          maxlength="${view.maxLength}"
          value="${view.form?.subStatus ?? ''}"
        />
        <button type="submit">${t('Add sub-status')}</button>
      </form>
      ${
        groups.length === 0
          ? html`<p>${t('The org has no sub-status yet.')}</p>`
          : groups.map(
              (group) =>
                html`<section aria-labelledby="sub-${group.status}">
                  <h2 id="sub-${group.status}">
                    ${statusName(group.status, t)} (${group.names.length})
                  </h2>
                  <ul>
                    ${group.names.map((name) => html`<li>${name}</li>`)}
                  </ul>
                </section>`,
            )
      }`,
    session,
  );
}

/** One entry of the audit log as the page shows it. */
export type AuditView = {
  createdOn: string;
  actor: string | undefined;
  action: string;
  target: string;
  details: string;
};

/** The audit log, newest first, a page at a time. */
export function auditPage(
  session: WebSession,
  view: { entries: AuditView[]; zone: string; previousHref?: string; nextHref?: string },
): SafeHtml {
  const t = translator(session.language);
  return page(
    t('Audit log'),
    html`<h1>${t('Audit log')}</h1>
      ${
        view.entries.length === 0
          ? html`<p>${t('No administrative change yet.')}</p>`
          : html`<ol class="timeline">
              ${view.entries.map(
                (entry) =>
                  html`<li>
                    <time datetime="${entry.createdOn}"
                      >${showInstant(entry.createdOn, view.zone)}</time
                    >
                    <strong>${entry.action}</strong> ${entry.target}
                    ${t('by {who}', { who: entry.actor ?? t('the command line') })}
                    <div><code>${entry.details}</code></div>
                  </li>`,
              )}
            </ol>`
      }
      ${pager(view, t('Newer'), t('Older'))}`,
    session,
  );
}

/** An entity as the people page lists it. */
export type PersonView = {
  code: string;
  type: string;
  parent: string | undefined;
  canLogIn: boolean;
  disabled: boolean;
};

/**
 * The org's entities (places, people and tills) with the form that adds one; those that can
 * sign in have a switch to disable or enable them and a form that sets a new password.
 */
export function peoplePage(
  session: WebSession,
  view: AdminOutcome & {
    people: PersonView[];
    types: readonly string[];
    previousHref?: string | undefined;
    nextHref?: string | undefined;
  },
): SafeHtml {
  const t = translator(session.language);
  const form = view.form ?? {};
  return page(
    t('People and tills'),
    html`<h1>${t('People and tills')}</h1>
      ${outcome(view)}
      <form method="post" action="/app/admin/people" class="stack">
        <h2>${t('Add one')}</h2>
        <input type="hidden" name="_csrf" value="${session.csrfToken}" />
        <label for="entity-type">${t('Type')}</label>
        <select id="entity-type" name="type">
          ${view.types.map(
            (type) =>
              html`<option
                value="${type}"
                ${(form.type ?? 'ASSOCIATE') === type ? html`selected` : ''}
              >
                ${type}
              </option>`,
          )}
        </select>
        <label for="entity-code">${t('Code (the username of those who sign in)')}</label>
        <input id="entity-code" name="code" required maxlength="100" value="${form.code ?? ''}" />
        <label for="entity-parent">${t('Parent’s code (a store or zone; empty: none)')}</label>
        <input id="entity-parent" name="parent" maxlength="100" value="${form.parent ?? ''}" />
        <label for="entity-password">${t('Password (for those who sign in)')}</label>
        <input id="entity-password" name="password" type="password" autocomplete="new-password" />
        <button type="submit">${t('Add')}</button>
      </form>
      <h2 id="people">${t('The org’s entities')}</h2>
      <ul class="cards" aria-labelledby="people">
        ${view.people.map(
          (person) =>
            html`<li>
              <strong>${person.code}</strong>
              <div class="meta">
                <span>${person.type}</span>
                ${person.parent && html`<span>${t('under {parent}', { parent: person.parent })}</span>`}
                ${person.disabled && html`<span class="status">${t('Disabled')}</span>`}
              </div>
              ${
                person.canLogIn &&
                html`${buttonForm(session, {
                    action: `/app/admin/people/${person.code}/disabled`,
                    label: person.disabled ? t('Enable') : t('Disable'),
                    about: person.code,
                    fields: { disabled: person.disabled ? 'off' : 'on' },
                  })}
                  <form
                    method="post"
                    action="/app/admin/people/${person.code}/password"
                    class="filters"
                  >
                    <input type="hidden" name="_csrf" value="${session.csrfToken}" />
                    <label for="password-${person.code}"
                      >${t('New password for {code}', { code: person.code })}</label
                    >
                    <input
                      id="password-${person.code}"
                      name="password"
                      type="password"
                      autocomplete="new-password"
                      required
                    />
                    <button type="submit" class="secondary">${t('Set password')}</button>
                  </form>`
              }
            </li>`,
        )}
      </ul>
      ${pager(view, t('Previous page'), t('Next page'))}`,
    session,
  );
}

/** The settings form's values: the org's current ones, or what the refused form held. */
export type SettingsForm = {
  autoCloseDays: string;
  countryCode: string;
  rateLimitPerMinute: string;
  requireIfMatch: boolean;
  eventRetentionDays: string;
  timeZone: string;
};

/** The org's settings as one form; an empty field means the default its hint names. */
export function settingsPage(
  session: WebSession,
  view: Omit<AdminOutcome, 'form'> & {
    form: SettingsForm;
    limits: { autoCloseDaysMax: number; retentionDaysMax: number };
    defaults: { rateLimitPerMinute: number; eventRetentionDays: number };
  },
): SafeHtml {
  const t = translator(session.language);
  const { form } = view;
  const number = (name: keyof SettingsForm, label: string, hint: string, max: number) =>
    html`<label for="setting-${name}">${label}</label>
      <input
        id="setting-${name}"
        name="${name}"
        inputmode="numeric"
        aria-describedby="hint-${name}"
        value="${String(form[name])}"
        size="${String(max).length + 2}"
      />
      <small id="hint-${name}">${hint}</small>`;
  return page(
    t('Settings'),
    html`<h1>${t('Settings')}</h1>
      ${outcome(view)}
      <form method="post" action="/app/admin/settings" class="stack">
        <input type="hidden" name="_csrf" value="${session.csrfToken}" />
        ${number(
          'autoCloseDays',
          t('Auto-close after (days)'),
          t('OPEN and ON_HOLD leads unchanged this many days are closed as LOST. Empty: never.'),
          view.limits.autoCloseDaysMax,
        )}
        <label for="setting-countryCode">${t('Country of mobile numbers')}</label>
        <input
          id="setting-countryCode"
          name="countryCode"
          maxlength="2"
          size="4"
          aria-describedby="hint-countryCode"
          value="${form.countryCode}"
        />
        <small id="hint-countryCode"
          >${t('Two letters, e.g. IN: the country of a mobile number given without its prefix. Empty: none.')}</small
        >
        <label for="setting-timeZone">${t('Time zone')}</label>
        <input
          id="setting-timeZone"
          name="timeZone"
          maxlength="64"
          aria-describedby="hint-timeZone"
          value="${form.timeZone}"
        />
        <small id="hint-timeZone"
          >${t('An IANA name, e.g. Asia/Kolkata: the reports’ days, weeks and months, and the pages’ times. Empty: UTC.')}</small
        >
        ${number(
          'rateLimitPerMinute',
          t('Requests per minute per credential'),
          t('Empty: this deployment’s default ({n}).', {
            // 0 is the deployment's "no limit".
            n:
              view.defaults.rateLimitPerMinute === 0
                ? t('no limit')
                : view.defaults.rateLimitPerMinute,
          }),
          7,
        )}
        ${number(
          'eventRetentionDays',
          t('Days lead events are kept'),
          t('For the event feed and webhook replay. Empty: the default ({n}).', {
            n: view.defaults.eventRetentionDays,
          }),
          view.limits.retentionDaysMax,
        )}
        <label class="check">
          <input
            type="checkbox"
            name="requireIfMatch"
            value="on"
            ${form.requireIfMatch ? html`checked` : ''}
          />
          ${t('Lead changes through the API must send If-Match (the lead’s ETag)')}
        </label>
        <button type="submit">${t('Save settings')}</button>
      </form>`,
    session,
  );
}
