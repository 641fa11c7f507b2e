import type {
  DemandReport,
  FollowUpsReport,
  FunnelReport,
  LostReasonsReport,
  WinRateReport,
} from '../analytics/index.js';
import { barChart } from './charts.js';
import { html, type SafeHtml } from './html.js';
import type { WebSession } from './session.service.js';
import { page } from './web.pages.js';

/**
 * The dashboard (docs/web.md, "The dashboard"): the analytics reports of one scope (the org, a
 * zone, a store, or one associate in a store) over a period, each as a chart, its numbers as a
 * table and a CSV download, with the scope's parts to drill into.
 */

/** The periods offered, in days back from now. */
export const DASHBOARD_PERIODS = [30, 90, 365] as const;
export type DashboardPeriod = (typeof DASHBOARD_PERIODS)[number];

/** A step of the way from the org down to the scope shown. */
export type Crumb = { label: string; href: string };

/** A row of the drill-down table: a part of the scope, and where drilling into it leads. */
export type DrillRow = FunnelReport['groups'][number] & { href: string | undefined };

export type DashboardView = {
  title: string;
  crumbs: Crumb[];
  days: DashboardPeriod;
  /** The query string naming the scope (`org=1`, `scope=…`), for the period links and downloads. */
  scopeQuery: string;
  /** What a row of the drill-down table is ("Zone", "Store", "Associate"); absent at the bottom. */
  partName: string | undefined;
  drill: DrillRow[];
  funnel: FunnelReport;
  winRate: WinRateReport;
  lostReasons: LostReasonsReport;
  demand: DemandReport;
  followUps: FollowUpsReport;
};

/** How many lost reasons and demanded items are charted (the CSV has them all). */
const TOP = 10;

const percent = (ratio: number | null) => (ratio === null ? '–' : `${Math.round(ratio * 100)} %`);

/** A report's section: heading, chart, table and its CSV download. */
function reportSection(
  id: string,
  title: string,
  csvHref: string,
  body: SafeHtml,
  empty: string | undefined,
): SafeHtml {
  return html`<section aria-labelledby="${id}" class="report">
    <h2 id="${id}">${title}</h2>
    ${empty === undefined ? body : html`<p>${empty}</p>`}
    <p><a href="${csvHref}" download>Download ${title.toLowerCase()} (CSV)</a></p>
  </section>`;
}

/** A table that scrolls sideways on its own on a narrow screen, reachable by keyboard. */
function figures(label: string, head: SafeHtml, rows: SafeHtml[]): SafeHtml {
  return html`<div class="scroll" role="region" aria-label="${label}" tabindex="0">
    <table class="figures">
      <thead>
        ${head}
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
}

export function dashboardPage(session: WebSession, view: DashboardView): SafeHtml {
  const csv = (report: string) =>
    `/app/dashboard/csv/${report}?${view.scopeQuery}&days=${view.days}`;
  const funnel = view.funnel.total;
  const steps = [
    { label: 'Created', value: funnel.created },
    { label: 'Put on hold', value: funnel.reached.onHold },
    { label: 'Won', value: funnel.reached.won },
    { label: 'Lost', value: funnel.reached.lost },
  ];
  const weeks = view.winRate.groups;
  const cohort = view.winRate.groupBy === 'month' ? 'Month' : 'Week of';
  const reasons = view.lostReasons.total.reasons;
  const items = view.demand.total.items;
  const due = view.followUps.total;
  const overdue = [
    { label: 'Up to a day', value: due.overdue.upTo1Day },
    { label: '1 to 3 days', value: due.overdue.upTo3Days },
    { label: '3 to 7 days', value: due.overdue.upTo7Days },
    { label: 'Over 7 days', value: due.overdue.moreThan7Days },
  ];
  const count = (n: number) => ({ shown: String(n) });
  return page(
    'Dashboard',
    html`<nav aria-label="Scope" class="crumbs">
        ${view.crumbs.map(
          (crumb, i) =>
            html`${i > 0 ? ' › ' : ''}${
              i === view.crumbs.length - 1
                ? html`<span aria-current="page">${crumb.label}</span>`
                : html`<a href="${crumb.href}">${crumb.label}</a>`
            }`,
        )}
      </nav>
      <h1>Dashboard: ${view.title}</h1>
      <p class="periods">
        Leads created in the last
        ${DASHBOARD_PERIODS.map((days) =>
          days === view.days
            ? html`<strong aria-current="true">${days} days</strong> `
            : html`<a href="/app/dashboard?${view.scopeQuery}&days=${days}">${days} days</a> `,
        )}
      </p>

      ${reportSection(
        'funnel',
        'Funnel',
        csv('funnel'),
        html`${barChart(
          'funnel-chart',
          'Leads created and how far they got',
          steps.map((step) => ({ ...step, ...count(step.value) })),
        )}
        ${figures(
          'Funnel figures',
          html`<tr>
            <th scope="col">Step</th>
            <th scope="col" class="n">Leads</th>
            <th scope="col" class="n">Of created</th>
          </tr>`,
          steps.map(
            (step) =>
              html`<tr>
                <th scope="row">${step.label}</th>
                <td class="n">${step.value}</td>
                <td class="n">
                  ${percent(funnel.created === 0 ? null : step.value / funnel.created)}
                </td>
              </tr>`,
          ),
        )}`,
        funnel.created === 0 ? 'No lead was created in this period.' : undefined,
      )}
      ${
        view.partName !== undefined &&
        reportSection(
          'parts',
          `By ${view.partName.toLowerCase()}`,
          `${csv('funnel')}&parts=1`,
          figures(
            `Figures by ${view.partName.toLowerCase()}`,
            html`<tr>
              <th scope="col">${view.partName}</th>
              <th scope="col" class="n">Created</th>
              <th scope="col" class="n">Won</th>
              <th scope="col" class="n">Lost</th>
              <th scope="col" class="n">Open now</th>
              <th scope="col" class="n">Won of created</th>
            </tr>`,
            view.drill.map(
              (row) =>
                html`<tr>
                  <th scope="row">
                    ${
                      row.href === undefined
                        ? html`<span class="muted"
                            >${row.group ?? `No ${view.partName!.toLowerCase()}`}</span
                          >`
                        : html`<a href="${row.href}">${row.group}</a>`
                    }
                  </th>
                  <td class="n">${row.created}</td>
                  <td class="n">${row.reached.won}</td>
                  <td class="n">${row.reached.lost}</td>
                  <td class="n">${row.current.open + row.current.onHold}</td>
                  <td class="n">${percent(row.conversion.createdToWon)}</td>
                </tr>`,
            ),
          ),
          view.drill.length === 0 ? 'Nothing to show in this period.' : undefined,
        )
      }
      ${reportSection(
        'win-rate',
        'Win rate over time',
        csv('win-rate'),
        html`${barChart(
          'win-rate-chart',
          `Won among the leads closed, by ${cohort.toLowerCase()} of creation`,
          weeks.map((row) => ({
            label: row.group ?? '',
            value: row.winRate ?? 0,
            shown: `${percent(row.winRate)} of ${row.closed}`,
          })),
          1,
        )}
        ${figures(
          'Win rate figures',
          html`<tr>
            <th scope="col">${cohort}</th>
            <th scope="col" class="n">Won</th>
            <th scope="col" class="n">Lost</th>
            <th scope="col" class="n">Win rate</th>
          </tr>`,
          weeks.map(
            (row) =>
              html`<tr>
                <th scope="row">${row.group}</th>
                <td class="n">${row.won}</td>
                <td class="n">${row.lost}</td>
                <td class="n">${percent(row.winRate)}</td>
              </tr>`,
          ),
        )}`,
        weeks.length === 0 ? 'No lead of this period is won or lost yet.' : undefined,
      )}
      ${reportSection(
        'lost-reasons',
        'Lost reasons',
        csv('lost-reasons'),
        html`${barChart(
          'lost-reasons-chart',
          'Leads lost, by reason',
          reasons.slice(0, TOP).map((row) => ({
            label: row.subStatus === null ? row.reason : `${row.reason} · ${row.subStatus}`,
            value: row.count,
            shown: `${row.count} (${percent(row.share)})`,
          })),
        )}
        ${figures(
          'Lost reason figures',
          html`<tr>
            <th scope="col">Reason</th>
            <th scope="col">Sub-status</th>
            <th scope="col" class="n">Leads</th>
            <th scope="col" class="n">Share</th>
          </tr>`,
          reasons.map(
            (row) =>
              html`<tr>
                <th scope="row">${row.reason}</th>
                <td>${row.subStatus ?? '–'}</td>
                <td class="n">${row.count}</td>
                <td class="n">${percent(row.share)}</td>
              </tr>`,
          ),
        )}`,
        reasons.length === 0 ? 'No lead of this period was lost.' : undefined,
      )}
      ${reportSection(
        'demand',
        'Unfulfilled demand',
        csv('demand'),
        html`<p>
            What shoppers asked for and did not get: leads lost for a reason marked “not available”,
            and leads still open.
          </p>
          ${barChart(
            'demand-chart',
            'Most asked for, not sold',
            items.slice(0, TOP).map((item) => ({
              label: item.leadFor,
              value: item.count,
              shown: String(item.count),
            })),
          )}
          ${figures(
            'Unfulfilled demand figures',
            html`<tr>
              <th scope="col">Asked for</th>
              <th scope="col">Type</th>
              <th scope="col" class="n">Leads</th>
              <th scope="col" class="n">Still open</th>
              <th scope="col" class="n">Lost</th>
            </tr>`,
            items.map(
              (item) =>
                html`<tr>
                  <th scope="row">${item.leadFor}</th>
                  <td>${item.type}</td>
                  <td class="n">${item.count}</td>
                  <td class="n">${item.open}</td>
                  <td class="n">${item.lost}</td>
                </tr>`,
            ),
          )}`,
        items.length === 0 ? 'No unfulfilled demand in this period.' : undefined,
      )}
      ${reportSection(
        'follow-ups',
        'Overdue follow-ups',
        csv('follow-ups'),
        html`<p>
            <strong>${due.overdue.count}</strong> open leads are past their next follow-up;
            <strong>${due.dueToday}</strong> more are due today. Follow-ups done on time:
            ${percent(due.done.onTimeShare)}.
          </p>
          ${barChart(
            'follow-ups-chart',
            'Open leads past their follow-up, by how long',
            overdue.map((row) => ({ ...row, ...count(row.value) })),
          )}
          ${figures(
            'Overdue follow-up figures',
            html`<tr>
              <th scope="col">Overdue by</th>
              <th scope="col" class="n">Leads</th>
            </tr>`,
            overdue.map(
              (row) =>
                html`<tr>
                  <th scope="row">${row.label}</th>
                  <td class="n">${row.value}</td>
                </tr>`,
            ),
          )}`,
        undefined,
      )}`,
    session,
  );
}
