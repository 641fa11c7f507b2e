import { LEAD_STATUSES, type LeadStatus } from '../db/schema.js';
import type { Lead } from '../leads/index.js';
import { html, type SafeHtml } from './html.js';
import { statusBadge } from './leads.pages.js';
import type { WebSession } from './session.service.js';
import { showInstant } from './time.js';
import { page } from './web.pages.js';
import { statusName, translator, type Translate } from './i18n.js';

/** The board's columns: the statuses a lead is worked through (a DELETED lead is off it). */
export const BOARD_STATUSES: readonly LeadStatus[] = ['OPEN', 'ON_HOLD', 'WON', 'LOST'];

/** One column: the status's most recently changed leads, and whether it holds more. */
export type BoardColumn = {
  status: LeadStatus;
  leads: Array<Lead & { version: number }>;
  more: boolean;
};

/** What the board shows besides its columns. */
export type BoardView = {
  columns: BoardColumn[];
  mine: boolean;
  reasons: Array<{ id: number; reason: string }>;
  subStatuses: Array<{ status: string; subStatus: string }>;
  /** The lead the last move changed, for the notice. */
  moved?: number | undefined;
};

/**
 * A card: the lead's link and facts, and "Move…", which the script turns into the dialog and
 * which, without the script, leads to the lead page's own status form.
 */
function boardCard(lead: Lead & { version: number }, zone: string, t: Translate): SafeHtml {
  return html`<li
    draggable="true"
    data-lead-id="${lead.id}"
    data-version="${lead.version}"
    data-status="${lead.status}"
  >
    <a href="/app/leads/${lead.id}"><strong>#${lead.id}</strong> ${lead.leadFor}</a>
    <div class="meta">
      ${lead.subStatus && statusBadge(lead.status, lead.subStatus, t)}
      ${lead.owner && html`<span>${t('Owner {code}', { code: lead.owner })}</span>`}
      <span>${t('Changed {when}', { when: showInstant(lead.lastUpdatedOn, zone) })}</span>
    </div>
    <a
      class="move"
      href="/app/leads/${lead.id}#change-status"
      data-move
      aria-label="${t('Move lead #{id} to another status', { id: lead.id })}"
      >${t('Move…')}</a
    >
  </li>`;
}

/**
 * The board by status: a column per status, a card per lead; a card dragged to another column
 * (or moved by its "Move…" link) opens the status form with that status chosen, since a change
 * of status needs a reason.
 */
export function boardPage(session: WebSession, view: BoardView): SafeHtml {
  const zone = session.timeZone;
  const t = translator(session.language);
  return page(
    t('Board'),
    html`<h1>${t('Board')}</h1>
      ${
        view.moved &&
        html`<p class="notice" role="status">${t('Lead #{id} moved.', { id: view.moved })}</p>`
      }
      <form method="get" action="/app/board" class="filters" aria-label="${t('Board filters')}">
        <label class="check"
          ><input type="checkbox" name="mine" value="1" ${view.mine ? html`checked` : ''} />
          ${t('Only mine')}</label
        >
        <button type="submit">${t('Show')}</button>
      </form>
      <div class="board">
        ${view.columns.map(
          (column) =>
            html`<section
              class="column"
              data-column="${column.status}"
              aria-labelledby="column-${column.status}"
            >
              <h2 id="column-${column.status}">
                ${statusName(column.status, t)} (${column.leads.length}${column.more ? '+' : ''})
              </h2>
              ${
                column.leads.length === 0
                  ? html`<p>${t('None.')}</p>`
                  : html`<ul class="cards">
                      ${column.leads.map((lead) => boardCard(lead, zone, t))}
                    </ul>`
              }
              ${
                column.more &&
                html`<p>
                  <a href="/app/leads?status=${column.status}${view.mine ? '&mine=1' : ''}"
                    >${t('All {status} leads', { status: statusName(column.status, t) })}</a
                  >
                </p>`
              }
            </section>`,
        )}
      </div>
      <dialog id="move-dialog" aria-labelledby="move-title">
        <form method="post" class="stack" data-status-form>
          <h2 id="move-title" data-title="${t('Move lead #{id}')}">${t('Move lead')}</h2>
          <input type="hidden" name="_csrf" value="${session.csrfToken}" />
          <input type="hidden" name="version" value="" />
          <input type="hidden" name="back" value="board" />
          <label for="move-status">${t('New status')}</label>
          <select id="move-status" name="status" required>
            ${LEAD_STATUSES.map((s) => html`<option value="${s}">${statusName(s, t)}</option>`)}
          </select>
          <label for="move-sub-status">${t('Sub-status')}</label>
          <select id="move-sub-status" name="subStatus">
            <option value="">${t('None')}</option>
            ${view.subStatuses.map(
              (s) =>
                html`<option value="${s.subStatus}" data-status="${s.status}">
                  ${s.subStatus}
                </option>`,
            )}
          </select>
          <label for="move-reason">${t('Reason')}</label>
          <select id="move-reason" name="reasonId" required>
            <option value="">${t('Choose a reason')}</option>
            ${view.reasons.map((r) => html`<option value="${r.id}">${r.reason}</option>`)}
          </select>
          <div class="buttons">
            <button type="submit">${t('Move')}</button>
            <button type="button" class="secondary" data-cancel>${t('Cancel')}</button>
          </div>
        </form>
      </dialog>`,
    session,
  );
}
