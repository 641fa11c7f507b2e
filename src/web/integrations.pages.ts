import type { OauthClientView } from '../auth/index.js';
import type { LeadEventType } from '../events/index.js';
import type { WebhookDelivery, WebhookEndpoint, WebhookHealth } from '../webhooks/index.js';
import { buttonForm, outcome, pager, type AdminOutcome } from './admin.pages.js';
import { html, type SafeHtml } from './html.js';
import { translator, type Translate } from './i18n.js';
import type { WebSession } from './session.service.js';
import { localInputValue, showInstant } from './time.js';
import { page } from './web.pages.js';

/**
 * The administrator's pages for the systems around Leadline (docs/web.md, "The administrator's
 * pages"): OAuth clients, and webhook endpoints with their deliveries and replay.
 */

/** A secret just made: shown on the page that made it, and never again (`note` says why). */
export type ShownSecret = { label: string; name: string; value: string; note: string };

function secretPanel(secret: ShownSecret | undefined): SafeHtml | undefined {
  return (
    secret &&
    html`<section class="secret" aria-labelledby="secret-title">
      <h2 id="secret-title">${secret.label}</h2>
      <p>${secret.note}</p>
      <p>
        <label for="secret-value">${secret.name}</label>
        <input id="secret-value" readonly value="${secret.value}" autocomplete="off" />
      </p>
    </section>`
  );
}

/** The org's OAuth clients, the form that adds one, and each live one's revoke button. */
export function oauthClientsPage(
  session: WebSession,
  view: AdminOutcome & { clients: OauthClientView[]; secret?: ShownSecret | undefined },
): SafeHtml {
  const t = translator(session.language);
  return page(
    t('OAuth clients'),
    html`<h1>${t('OAuth clients')}</h1>
      ${outcome(view)} ${secretPanel(view.secret)}
      <p>
        ${t(
          'A client exchanges its key and secret at /v3/oauth/token/generate for a short-lived token, and calls the API as the entity it was made for, with that entity’s rights and limits.',
        )}
      </p>
      <form method="post" action="/app/admin/oauth-clients" class="stack">
        <input type="hidden" name="_csrf" value="${session.csrfToken}" />
        <label for="client-entity">${t('Code of the till or person it acts as')}</label>
        <input
          id="client-entity"
          name="entity"
          required
          maxlength="100"
          value="${view.form?.entity ?? ''}"
        />
        <button type="submit">${t('Add client')}</button>
      </form>
      <h2 id="clients">${t('The org’s clients ({count})', { count: view.clients.length })}</h2>
      <ul class="cards" aria-labelledby="clients">
        ${view.clients.map(
          (client) =>
            html`<li>
              <strong><code>${client.key}</code></strong>
              <div class="meta">
                <span>${t('acts as {code}', { code: client.entity })}</span>
                <span>${showInstant(client.createdOn, session.timeZone)}</span>
                ${client.revoked && html`<span class="status">${t('Revoked')}</span>`}
              </div>
              ${
                !client.revoked &&
                buttonForm(session, {
                  action: `/app/admin/oauth-clients/${client.key}/revoke`,
                  label: t('Revoke'),
                  about: client.key,
                })
              }
            </li>`,
        )}
      </ul>`,
    session,
  );
}

/** An endpoint with its health, as the webhooks page lists it. */
export type EndpointView = WebhookEndpoint & { health: WebhookHealth };

function healthLine(health: WebhookHealth, zone: string, t: Translate): SafeHtml {
  const day = health.last24Hours;
  return html`<span>${t('{n} pending', { n: health.pending })}</span>
    <span>${t('{n} delivered', { n: health.delivered })}</span>
    <span>${t('{n} given up', { n: health.failed })}</span>
    <span
      >${
        day.successRate === null
          ? t('no attempt in 24 h')
          : t('{rate} % of {n} attempts succeeded in 24 h', {
              rate: Math.round(day.successRate * 100),
              n: day.attempts,
            })
      }</span
    >
    ${
      health.failingSince &&
      html`<span class="status"
        >${t('failing since {when}', { when: showInstant(health.failingSince, zone) })}</span
      >`
    }`;
}

/** The org's webhook endpoints with their health, and the form that adds one. */
export function webhooksPage(
  session: WebSession,
  view: AdminOutcome & {
    endpoints: EndpointView[];
    eventTypes: readonly LeadEventType[];
    chosenTypes: readonly string[];
    secret?: ShownSecret | undefined;
  },
): SafeHtml {
  const t = translator(session.language);
  return page(
    t('Webhooks'),
    html`<h1>${t('Webhooks')}</h1>
      ${outcome(view)} ${secretPanel(view.secret)}
      <form method="post" action="/app/admin/webhooks" class="stack">
        <h2>${t('Add an endpoint')}</h2>
        <input type="hidden" name="_csrf" value="${session.csrfToken}" />
        <label for="webhook-url">${t('URL (https)')}</label>
        <input
          id="webhook-url"
          name="url"
          type="url"
          required
          maxlength="2000"
          value="${view.form?.url ?? ''}"
        />
        <label for="webhook-description">${t('Description')}</label>
        <input
          id="webhook-description"
          name="description"
          maxlength="500"
          value="${view.form?.description ?? ''}"
        />
        <fieldset>
          <legend>${t('Events to send (none ticked: every type)')}</legend>
          ${view.eventTypes.map(
            (type) =>
              html`<label class="check"
                ><input
                  type="checkbox"
                  name="events"
                  value="${type}"
                  ${view.chosenTypes.includes(type) ? html`checked` : ''}
                />
                ${type}</label
              >`,
          )}
        </fieldset>
        <button type="submit">${t('Add endpoint')}</button>
      </form>
      <h2 id="endpoints">
        ${t('The org’s endpoints ({count})', { count: view.endpoints.length })}
      </h2>
      <ul class="cards" aria-labelledby="endpoints">
        ${view.endpoints.map(
          (endpoint) =>
            html`<li>
              <a href="/app/admin/webhooks/${endpoint.id}">${endpoint.url}</a>
              ${endpoint.description && html`<div>${endpoint.description}</div>`}
              <div class="meta">
                <span>${endpoint.events.join(', ')}</span>
                ${
                  endpoint.enabled
                    ? html`<span>${t('Enabled')}</span>`
                    : html`<span class="status">${t('Disabled')}</span>`
                }
                ${healthLine(endpoint.health, session.timeZone, t)}
              </div>
              ${endpointButtons(session, endpoint, t)}
            </li>`,
        )}
      </ul>`,
    session,
  );
}

/** An endpoint's forms: enable or disable, a new secret, delete. */
function endpointButtons(session: WebSession, endpoint: WebhookEndpoint, t: Translate): SafeHtml {
  const action = `/app/admin/webhooks/${endpoint.id}`;
  const about = endpoint.url;
  return html`<div class="buttons">
    ${buttonForm(session, {
      action: `${action}/enabled`,
      label: endpoint.enabled ? t('Disable') : t('Enable'),
      about,
      fields: { enabled: endpoint.enabled ? 'off' : 'on' },
    })}
    ${buttonForm(session, { action: `${action}/rotate`, label: t('New secret'), about })}
    ${buttonForm(session, { action: `${action}/delete`, label: t('Delete'), about })}
  </div>`;
}

/** One endpoint: its health, its deliveries newest first with every attempt, and replay. */
export function webhookPage(
  session: WebSession,
  view: AdminOutcome & {
    endpoint: EndpointView;
    deliveries: WebhookDelivery[];
    status: string;
    statuses: readonly string[];
    rangeDefaults: { from: number; to: number };
    previousHref?: string | undefined;
    nextHref?: string | undefined;
  },
): SafeHtml {
  const t = translator(session.language);
  const zone = session.timeZone;
  const { endpoint } = view;
  const action = `/app/admin/webhooks/${endpoint.id}`;
  return page(
    t('Webhook deliveries'),
    html`<p><a href="/app/admin/webhooks">${t('Webhooks')}</a></p>
      <h1>${endpoint.url}</h1>
      ${outcome(view)}
      <div class="meta">
        ${
          endpoint.enabled
            ? html`<span>${t('Enabled')}</span>`
            : html`<span class="status">${t('Disabled')}</span>`
        }
        ${healthLine(endpoint.health, zone, t)}
      </div>
      <form method="post" action="${action}/replay" class="filters">
        <h2>${t('Send again the events of a time range')}</h2>
        <input type="hidden" name="_csrf" value="${session.csrfToken}" />
        <label for="replay-from">${t('From')}</label>
        <input
          id="replay-from"
          name="from"
          type="datetime-local"
          required
          value="${view.form?.from ?? localInputValue(view.rangeDefaults.from, zone)}"
        />
        <label for="replay-to">${t('To')}</label>
        <input
          id="replay-to"
          name="to"
          type="datetime-local"
          required
          value="${view.form?.to ?? localInputValue(view.rangeDefaults.to, zone)}"
        />
        <button type="submit">${t('Send again')}</button>
      </form>
      <h2 id="deliveries">${t('Deliveries')}</h2>
      <form method="get" action="${action}" class="filters">
        <label for="delivery-status">${t('Status')}</label>
        <select id="delivery-status" name="status">
          <option value="">${t('any')}</option>
          ${view.statuses.map(
            (status) =>
              html`<option value="${status}" ${view.status === status ? html`selected` : ''}>
                ${status}
              </option>`,
          )}
        </select>
        <button type="submit" class="secondary">${t('Show')}</button>
      </form>
      ${
        view.deliveries.length === 0
          ? html`<p>${t('No delivery yet.')}</p>`
          : html`<ol class="timeline" aria-labelledby="deliveries">
              ${view.deliveries.map((delivery) => deliveryItem(session, action, delivery, t))}
            </ol>`
      }
      ${pager(view, t('Newer'), t('Older'))}`,
    session,
  );
}

function deliveryItem(
  session: WebSession,
  action: string,
  delivery: WebhookDelivery,
  t: Translate,
): SafeHtml {
  const zone = session.timeZone;
  return html`<li>
    <time datetime="${delivery.createdOn}">${showInstant(delivery.createdOn, zone)}</time>
    <strong>${delivery.eventType}</strong>
    <a href="/app/leads/${delivery.leadId}">#${delivery.leadId}</a>
    <span class="status">${delivery.status}</span>
    ${delivery.replay && html`<span>${t('replay')}</span>`}
    <div><code>${delivery.eventId}</code></div>
    ${
      delivery.nextAttemptAt &&
      html`<div>
        ${t('next attempt {when}', { when: showInstant(delivery.nextAttemptAt, zone) })}
      </div>`
    }
    <ul>
      ${delivery.attempts.map(
        (attempt) =>
          html`<li>
            ${showInstant(attempt.attemptedOn, zone)}:
            ${attempt.statusCode === null ? t('no answer') : `HTTP ${attempt.statusCode}`}
            ${t('in {ms} ms', { ms: attempt.latencyMs })}
            ${attempt.error && html`<div>${attempt.error}</div>`}
            ${attempt.responseBody && html`<div><code>${attempt.responseBody}</code></div>`}
          </li>`,
      )}
    </ul>
    ${buttonForm(session, {
      action: `${action}/replay`,
      label: t('Send again'),
      about: delivery.eventId,
      fields: { eventId: delivery.eventId },
    })}
  </li>`;
}
