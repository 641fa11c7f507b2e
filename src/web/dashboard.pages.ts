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
import { translator, type Text, type Translate } from './i18n.js';

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
  partName: Text | undefined;
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
  t: Translate,
  id: string,
  title: string,
  csvHref: string,
  body: SafeHtml,
  empty: string | undefined,
): SafeHtml {
  return html`<section aria-labelledby="${id}" class="report">
    <h2 id="${id}">${title}</h2>
    ${empty === undefined ? body : html`<p>${empty}</p>`}
    <p>
      <a href="${csvHref}" download
        >${t('Download {report} (CSV)', { report: title.toLowerCase() })}</a
      >
    </p>
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
  const t = translator(session.language);
  const csv = (report: string) =>
    `/app/dashboard/csv/${report}?${view.scopeQuery}&days=${view.days}`;
  const funnel = view.funnel.total;
  const steps = [
    { label: t('Created'), value: funnel.created },
    { label: t('Put on hold'), value: funnel.reached.onHold },
    { label: t('Won'), value: funnel.reached.won },
    { label: t('Lost'), value: funnel.reached.lost },
  ];
  const weeks = view.winRate.groups;
  const byMonth = view.winRate.groupBy === 'month';
  const cohort = byMonth ? t('Month') : t('Week of');
  const part = view.partName && t(view.partName).toLowerCase();
  const reasons = view.lostReasons.total.reasons;
  const items = view.demand.total.items;
  const due = view.followUps.total;
  const overdue = [
    { label: t('Up to a day'), value: due.overdue.upTo1Day },
    { label: t('1 to 3 days'), value: due.overdue.upTo3Days },
    { label: t('3 to 7 days'), value: due.overdue.upTo7Days },
    { label: t('Over 7 days'), value: due.overdue.moreThan7Days },
  ];
  const count = (n: number) => ({ shown: String(n) });
  return page(
    t('Dashboard'),
    html`<nav aria-label="${t('Scope')}" class="crumbs">
        ${view.crumbs.map(
          (crumb, i) =>
            html`${i > 0 ? ' › ' : ''}${
              i === view.crumbs.length - 1
                ? html`<span aria-current="page">${crumb.label}</span>`
                : html`<a href="${crumb.href}">${crumb.label}</a>`
            }`,
        )}
      </nav>
      <h1>${t('Dashboard: {scope}', { scope: view.title })}</h1>
      <p class="periods">
        ${t('Leads created in the last')}
        ${DASHBOARD_PERIODS.map((days) =>
          days === view.days
            ? html`<strong aria-current="true">${t('{days} days', { days })}</strong> `
            : html`<a href="/app/dashboard?${view.scopeQuery}&days=${days}"
                >${t('{days} days', { days })}</a
              > `,
        )}
      </p>

      ${reportSection(
        t,
        'funnel',
        t('Funnel'),
        csv('funnel'),
        html`${barChart(
          'funnel-chart',
          t('Leads created and how far they got'),
          steps.map((step) => ({ ...step, ...count(step.value) })),
        )}
        ${figures(
          t('Funnel figures'),
          html`<tr>
            <th scope="col">${t('Step')}</th>
            <th scope="col" class="n">${t('Leads')}</th>
            <th scope="col" class="n">${t('Of created')}</th>
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
        funnel.created === 0 ? t('No lead was created in this period.') : undefined,
      )}
      ${
        view.partName !== undefined &&
        reportSection(
          t,
          'parts',
          t('By {part}', { part: part! }),
          `${csv('funnel')}&parts=1`,
          figures(
            t('Figures by {part}', { part: part! }),
            html`<tr>
              <th scope="col">${t(view.partName)}</th>
              <th scope="col" class="n">${t('Created')}</th>
              <th scope="col" class="n">${t('Won')}</th>
              <th scope="col" class="n">${t('Lost')}</th>
              <th scope="col" class="n">${t('Open now')}</th>
              <th scope="col" class="n">${t('Won of created')}</th>
            </tr>`,
            view.drill.map(
              (row) =>
                html`<tr>
                  <th scope="row">
                    ${
                      row.href === undefined
                        ? html`<span class="muted"
                            >${row.group ?? t('No {part}', { part: part! })}</span
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
          view.drill.length === 0 ? t('Nothing to show in this period.') : undefined,
        )
      }
      ${reportSection(
        t,
        'win-rate',
        t('Win rate over time'),
        csv('win-rate'),
        html`${barChart(
          'win-rate-chart',
          byMonth
            ? t('Won among the leads closed, by month of creation')
            : t('Won among the leads closed, by week of creation'),
          weeks.map((row) => ({
            label: row.group ?? '',
            value: row.winRate ?? 0,
            shown: t('{share} of {count}', { share: percent(row.winRate), count: row.closed }),
          })),
          1,
        )}
        ${figures(
          t('Win rate figures'),
          html`<tr>
            <th scope="col">${cohort}</th>
            <th scope="col" class="n">${t('Won')}</th>
            <th scope="col" class="n">${t('Lost')}</th>
            <th scope="col" class="n">${t('Win rate')}</th>
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
        weeks.length === 0 ? t('No lead of this period is won or lost yet.') : undefined,
      )}
      ${reportSection(
        t,
        'lost-reasons',
        t('Lost reasons'),
        csv('lost-reasons'),
        html`${barChart(
          'lost-reasons-chart',
          t('Leads lost, by reason'),
          reasons.slice(0, TOP).map((row) => ({
            label: row.subStatus === null ? row.reason : `${row.reason} · ${row.subStatus}`,
            value: row.count,
            shown: `${row.count} (${percent(row.share)})`,
          })),
        )}
        ${figures(
          t('Lost reason figures'),
          html`<tr>
            <th scope="col">${t('Reason')}</th>
            <th scope="col">${t('Sub-status')}</th>
            <th scope="col" class="n">${t('Leads')}</th>
            <th scope="col" class="n">${t('Share')}</th>
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
        reasons.length === 0 ? t('No lead of this period was lost.') : undefined,
      )}
      ${reportSection(
        t,
        'demand',
        t('Unfulfilled demand'),
        csv('demand'),
        html`<p>
            ${t(
              'What shoppers asked for and did not get: leads lost for a reason marked “not available”, and leads still open.',
            )}
          </p>
          ${barChart(
            'demand-chart',
            t('Most asked for, not sold'),
            items.slice(0, TOP).map((item) => ({
              label: item.leadFor,
              value: item.count,
              shown: String(item.count),
            })),
          )}
          ${figures(
            t('Unfulfilled demand figures'),
            html`<tr>
              <th scope="col">${t('Asked for')}</th>
              <th scope="col">${t('Type')}</th>
              <th scope="col" class="n">${t('Leads')}</th>
              <th scope="col" class="n">${t('Still open')}</th>
              <th scope="col" class="n">${t('Lost')}</th>
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
        items.length === 0 ? t('No unfulfilled demand in this period.') : undefined,
      )}
      ${reportSection(
        t,
        'follow-ups',
        t('Overdue follow-ups'),
        csv('follow-ups'),
        html`<p>
            ${t(
              '{overdue} open leads are past their next follow-up; {due} more are due today. Follow-ups done on time: {share}.',
              {
                overdue: due.overdue.count,
                due: due.dueToday,
                share: percent(due.done.onTimeShare),
              },
            )}
          </p>
          ${barChart(
            'follow-ups-chart',
            t('Open leads past their follow-up, by how long'),
            overdue.map((row) => ({ ...row, ...count(row.value) })),
          )}
          ${figures(
            t('Overdue follow-up figures'),
            html`<tr>
              <th scope="col">${t('Overdue by')}</th>
              <th scope="col" class="n">${t('Leads')}</th>
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
