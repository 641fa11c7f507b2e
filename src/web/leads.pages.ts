import { LEAD_STATUSES, LEAD_TYPES, type LeadStatus } from '../db/schema.js';
import type { FieldDefinition } from '../extended-fields/index.js';
import type { FollowUp, Lead, StatusLog } from '../leads/index.js';
import { html, type SafeHtml } from './html.js';
import type { WebSession } from './session.service.js';
import { localInputValue, showInstant } from './time.js';
import { page } from './web.pages.js';
import { statusName, translator, type Translate } from './i18n.js';

/** The filters of the leads page, as its form and links carry them. */
export type LeadFilters = { q?: string; status?: LeadStatus; type?: string; mine: boolean };

const selected = (yes: boolean) => (yes ? html` selected` : '');

/** A status as a badge: the status, and its sub-status after it. */
export function statusBadge(status: string, subStatus: string | undefined, t: Translate) {
  return html`<span class="status status-${status.toLowerCase()}"
    >${statusName(status, t)}${subStatus && html` · ${subStatus}`}</span
  >`;
}

/** A lead in a list: its number and what is wanted, then where it stands. */
export function leadCard(lead: Lead, zone: string, t: Translate): SafeHtml {
  return html`<li>
    <a href="/app/leads/${lead.id}"><strong>#${lead.id}</strong> ${lead.leadFor}</a>
    <div class="meta">
      ${statusBadge(lead.status, lead.subStatus, t)} <span>${lead.type}</span>
      ${lead.owner && html`<span>${t('Owner {code}', { code: lead.owner })}</span>`}
      ${
        lead.nextFollowUp &&
        html`<span>${t('Follow up {when}', { when: showInstant(lead.nextFollowUp, zone) })}</span>`
      }
      <span>${t('Changed {when}', { when: showInstant(lead.lastUpdatedOn, zone) })}</span>
    </div>
  </li>`;
}

/**
 * The leads page: a search and filter form, the matching leads newest-changed first, the next
 * page; `problem` says why a search found nothing (no such shopper, not a mobile).
 */
export function leadsPage(
  session: WebSession,
  view: {
    leads: Lead[];
    filters: LeadFilters;
    nextHref?: string | undefined;
    problem: string | undefined;
  },
): SafeHtml {
  const { filters, leads } = view;
  const zone = session.timeZone;
  const t = translator(session.language);
  return page(
    t('Leads'),
    html`<h1>${t('Leads')}</h1>
      <p><a href="/app/leads/new" class="action">${t('Record a new lead')}</a></p>
      <form
        method="get"
        action="/app/leads"
        class="filters"
        role="search"
        aria-label="${t('Leads')}"
      >
        <label for="q">${t('Search')}</label>
        <input
          id="q"
          name="q"
          type="search"
          maxlength="254"
          aria-describedby="q-hint"
          value="${filters.q ?? ''}"
        />
        <span id="q-hint" class="hint"
          >${t('A lead’s number (#123), or a shopper’s mobile or email')}</span
        >
        <label for="status">${t('Status')}</label>
        <select id="status" name="status">
          <option value="">${t('Any')}</option>
          ${LEAD_STATUSES.map(
            (status) =>
              html`<option value="${status}" ${selected(filters.status === status)}>
                ${statusName(status, t)}
              </option>`,
          )}
        </select>
        <label for="type">${t('Type')}</label>
        <select id="type" name="type">
          <option value="">${t('Any')}</option>
          ${LEAD_TYPES.map(
            (type) =>
              html`<option value="${type}" ${selected(filters.type === type)}>${type}</option>`,
          )}
        </select>
        <label class="check"
          ><input type="checkbox" name="mine" value="1" ${filters.mine ? html`checked` : ''} />
          ${t('Only mine')}</label
        >
        <button type="submit">${t('Show')}</button>
      </form>
      ${
        view.problem
          ? html`<p class="problem" role="alert">${view.problem}</p>`
          : leads.length === 0
            ? html`<p>${t('No lead matches.')}</p>`
            : html`<ul class="cards">
                ${leads.map((lead) => leadCard(lead, zone, t))}
              </ul>`
      }
      ${view.nextHref && html`<p><a href="${view.nextHref}" rel="next">${t('Next page')}</a></p>`}`,
    session,
  );
}

type TimelineEntry =
  { at: string; kind: 'status'; row: StatusLog } | { at: string; kind: 'follow-up'; row: FollowUp };

/** What the lead page needs besides the lead. */
export type LeadPageContext = {
  reasons: Array<{ id: number; reason: string }>;
  subStatuses: Array<{ status: string; subStatus: string }>;
  /** Entity codes by id, for "by …". */
  codes: Map<number, string>;
  /** What went wrong with the last form, announced as an alert. */
  problem?: string | undefined;
  /** What the last form did, announced politely. */
  notice?: string | undefined;
  /** The values to show in the forms again after a problem. */
  form?: Record<string, string> | undefined;
};

/** One lead: its facts, the forms that change it, and its history as one timeline. */
export function leadPage(
  session: WebSession,
  lead: Lead & { version: number },
  c: LeadPageContext,
) {
  const zone = session.timeZone;
  const t = translator(session.language);
  const by = (id: number) =>
    id === -1 ? t('the system') : (c.codes.get(id) ?? t('entity {id}', { id }));
  const timeline: TimelineEntry[] = [
    ...lead.statusLogDetails.map((row): TimelineEntry => ({
      at: row.createdOn,
      kind: 'status',
      row,
    })),
    ...lead.followUpDetails.map((row): TimelineEntry => ({
      at: row.followedUpOn,
      kind: 'follow-up',
      row,
    })),
  ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const form = c.form ?? {};
  const status = form.status ?? lead.status;
  return page(
    t('Lead #{id}', { id: lead.id }),
    html`<p><a href="/app/leads">${t('All leads')}</a></p>
      <h1>${t('Lead #{id}: {what}', { id: lead.id, what: lead.leadFor })}</h1>
      ${c.problem && html`<p class="problem" role="alert">${c.problem}</p>`}
      ${c.notice && html`<p class="notice" role="status">${c.notice}</p>`}
      <dl class="facts">
        <dt>${t('Status')}</dt>
        <dd>${statusBadge(lead.status, lead.subStatus, t)}</dd>
        <dt>${t('Type')}</dt>
        <dd>${lead.type}</dd>
        <dt>${t('Owner')}</dt>
        <dd>${lead.owner ?? t('nobody')}</dd>
        <dt>${t('Customer')}</dt>
        <dd>#${lead.userId}</dd>
        <dt>${t('Created')}</dt>
        <dd>
          ${t('{when} by {who}', {
            when: showInstant(lead.createdOn, zone),
            who: by(lead.createdBy),
          })}
        </dd>
        <dt>${t('Next follow-up')}</dt>
        <dd>${lead.nextFollowUp ? showInstant(lead.nextFollowUp, zone) : t('none')}</dd>
        ${Object.entries(lead.extendedFields).map(
          ([name, value]) =>
            html`<dt>${name}</dt>
              <dd>${String(value)}</dd>`,
        )}
      </dl>

      <section aria-labelledby="change-status">
        <h2 id="change-status">${t('Change status')}</h2>
        <form method="post" action="/app/leads/${lead.id}/status" class="stack" data-status-form>
          <input type="hidden" name="_csrf" value="${session.csrfToken}" />
          <input type="hidden" name="version" value="${lead.version}" />
          <label for="new-status">${t('New status')}</label>
          <select id="new-status" name="status" required>
            ${LEAD_STATUSES.map(
              (s) =>
                html`<option value="${s}" ${selected(status === s)}>${statusName(s, t)}</option>`,
            )}
          </select>
          <label for="sub-status">${t('Sub-status')}</label>
          <select id="sub-status" name="subStatus">
            <option value="">${t('None')}</option>
            ${c.subStatuses.map(
              (s) =>
                html`<option
                  value="${s.subStatus}"
                  data-status="${s.status}"
                  ${selected(form.subStatus === s.subStatus)}
                >
                  ${s.subStatus} (${statusName(s.status, t)})
                </option>`,
            )}
          </select>
          <label for="reason">${t('Reason')}</label>
          <select id="reason" name="reasonId" required>
            <option value="">${t('Choose a reason')}</option>
            ${c.reasons.map(
              (r) =>
                html`<option value="${r.id}" ${selected(form.reasonId === String(r.id))}>
                  ${r.reason}
                </option>`,
            )}
          </select>
          <button type="submit">${t('Change status')}</button>
        </form>
      </section>

      <section aria-labelledby="reassign">
        <h2 id="reassign">${t('Owner')}</h2>
        <form method="post" action="/app/leads/${lead.id}/owner" class="stack">
          <input type="hidden" name="_csrf" value="${session.csrfToken}" />
          <input type="hidden" name="version" value="${lead.version}" />
          <label for="owner">${t('Owner’s code (empty: nobody)')}</label>
          <input
            id="owner"
            name="owner"
            maxlength="100"
            value="${form.owner ?? lead.owner ?? ''}"
          />
          <button type="submit">${t('Reassign')}</button>
        </form>
      </section>

      <section aria-labelledby="add-follow-up">
        <h2 id="add-follow-up">${t('Add a follow-up')}</h2>
        <form method="post" action="/app/leads/${lead.id}/follow-ups" class="stack">
          <input type="hidden" name="_csrf" value="${session.csrfToken}" />
          <label for="notes">${t('What happened')}</label>
          <textarea id="notes" name="notes" rows="3" maxlength="2000">${form.notes ?? ''}</textarea>
          <label for="next-follow-up">${t('Next follow-up ({zone})', { zone })}</label>
          <input
            id="next-follow-up"
            name="nextFollowUp"
            type="datetime-local"
            value="${
              form.nextFollowUp ??
              (lead.nextFollowUp ? localInputValue(Date.parse(lead.nextFollowUp), zone) : '')
            }"
          />
          <button type="submit">${t('Add follow-up')}</button>
        </form>
      </section>

      <section aria-labelledby="history">
        <h2 id="history">${t('History')}</h2>
        <ol class="timeline">
          ${timeline.map((entry) =>
            entry.kind === 'status'
              ? html`<li>
                  <time datetime="${entry.at}">${showInstant(entry.at, zone)}</time>
                  ${statusBadge(entry.row.status, entry.row.subStatus, t)}
                  ${t('for “{reason}”, by {who}', {
                    reason: entry.row.reason,
                    who: by(entry.row.createdBy),
                  })}
                </li>`
              : html`<li>
                  <time datetime="${entry.at}">${showInstant(entry.at, zone)}</time>
                  ${t('Followed up by {who}', { who: by(entry.row.followedUpBy) })}${
                    entry.row.notes && html`: ${entry.row.notes}`
                  }
                </li>`,
          )}
        </ol>
        ${
          (lead.statusLogsOmitted ?? 0) + (lead.followUpsOmitted ?? 0) > 0 &&
          html`<p>${t('Older entries are not shown.')}</p>`
        }
      </section>`,
    session,
  );
}

/** The form field that carries extended field `name`. */
export const extendedInputName = (name: string) => `x_${name}`;

/** One extended field's input, as its data type and allowed values call for. */
function extendedInput(definition: FieldDefinition, value: string, t: Translate): SafeHtml {
  const id = `field-${definition.name}`;
  const name = extendedInputName(definition.name);
  const label = html`<label for="${id}"
    >${definition.label}${definition.required ? html` ${t('(required)')}` : ''}</label
  >`;
  if (definition.dataType === 'ENUM' || definition.dataType === 'BOOLEAN') {
    const options =
      definition.dataType === 'BOOLEAN'
        ? [
            { value: 'true', label: t('Yes') },
            { value: 'false', label: t('No') },
          ]
        : (definition.values ?? []);
    return html`${label}
      <select id="${id}" name="${name}" ${definition.required ? html`required` : ''}>
        <option value="">${t('Not given')}</option>
        ${options.map(
          (option) =>
            html`<option value="${option.value}" ${selected(value === option.value)}>
              ${option.label}
            </option>`,
        )}
      </select>`;
  }
  const type =
    definition.dataType === 'INTEGER' || definition.dataType === 'DOUBLE'
      ? 'number'
      : definition.dataType === 'DATE'
        ? 'date'
        : definition.dataType === 'DATETIME'
          ? 'datetime-local'
          : 'text';
  const step = definition.dataType === 'DOUBLE' ? html` step="any"` : '';
  return html`${label}
    <input
      id="${id}"
      name="${name}"
      type="${type}"
      ${step}
      value="${value}"
      ${definition.required ? html`required` : ''}
    />`;
}

/**
 * New lead's list of the shopper's open leads (for the page's script): nothing while the
 * identifier cannot be read, a line for a shopper new to the org, else their OPEN and ON_HOLD
 * leads, so a second lead for the same wish is not recorded by mistake.
 */
export function openLeadsFragment(t: Translate, found?: { leads: Lead[]; zone: string }): SafeHtml {
  if (!found) return html``;
  if (found.leads.length === 0) {
    return html`<p>${t('This shopper has no open lead.')}</p>`;
  }
  return html`<h2>${t('This shopper’s open leads ({count})', { count: found.leads.length })}</h2>
    <ul class="cards">
      ${found.leads.map((lead) => leadCard(lead, found.zone, t))}
    </ul>`;
}

/** The quick form for a new lead: the shopper, what they want, and the org's extended fields. */
export function newLeadPage(
  session: WebSession,
  view: { fields: FieldDefinition[]; form?: Record<string, string>; problem?: string },
): SafeHtml {
  const form = view.form ?? {};
  const t = translator(session.language);
  return page(
    t('New lead'),
    html`<h1>${t('New lead')}</h1>
      ${view.problem && html`<p class="problem" role="alert">${view.problem}</p>`}
      <form method="post" action="/app/leads/new" class="stack">
        <input type="hidden" name="_csrf" value="${session.csrfToken}" />
        <label for="identifier">${t('Shopper’s mobile or email')}</label>
        <input
          id="identifier"
          name="identifier"
          required
          maxlength="254"
          autocomplete="off"
          value="${form.identifier ?? ''}"
        />
        <div id="open-leads" aria-live="polite"></div>
        <label for="lead-for">${t('What the shopper wants')}</label>
        <input
          id="lead-for"
          name="leadFor"
          required
          maxlength="200"
          value="${form.leadFor ?? ''}"
        />
        <label for="lead-type">${t('Type')}</label>
        <select id="lead-type" name="type">
          ${LEAD_TYPES.map(
            (type) =>
              html`<option value="${type}" ${selected((form.type ?? 'SKU') === type)}>
                ${type}
              </option>`,
          )}
        </select>
        ${view.fields.map((definition) =>
          extendedInput(definition, form[extendedInputName(definition.name)] ?? '', t),
        )}
        <button type="submit">${t('Save lead')}</button>
      </form>`,
    session,
  );
}
