import { html, type SafeHtml } from './html.js';

/**
 * Charts drawn on the server as SVG: no charting library to download and no script, and they
 * pass the Content-Security-Policy, which forbids inline styles (SVG presentation attributes such
 * as `fill` are attributes, not styles). Each chart is an image for screen readers, named by its
 * caption; the numbers are in the table printed with it.
 */

/** One bar: its label, its length (in the chart's unit) and the text printed after it. */
export type Bar = { label: string; value: number; shown: string };

const LABEL_HEIGHT = 18;
const BAR_HEIGHT = 20;
const GAP = 12;
const ROW = LABEL_HEIGHT + BAR_HEIGHT + GAP;
/** The widest bar; the chart is this plus room for the printed value, about a phone's width. */
const PLOT_WIDTH = 220;
const VALUE_WIDTH = 90;
/** Labels longer than this are cut (the table has them whole). */
const LABEL_CHARS = 36;

const clip = (text: string) =>
  text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text;

/**
 * Horizontal bars, each under its label, the longest as wide as the plot (or `max` when given,
 * e.g. 1 for rates), the value printed after the bar. Labels go above rather than beside the
 * bars so that the chart keeps a readable text size on a 360-px phone.
 */
export function barChart(id: string, caption: string, bars: Bar[], max?: number): SafeHtml {
  const top = max ?? Math.max(0, ...bars.map((bar) => bar.value));
  const width = PLOT_WIDTH + VALUE_WIDTH;
  const height = Math.max(1, bars.length) * ROW;
  const length = (value: number) => (top <= 0 ? 0 : Math.round((value / top) * PLOT_WIDTH));
  return html`<svg
    class="chart"
    viewBox="0 0 ${width} ${height}"
    role="img"
    aria-labelledby="${id}"
    preserveAspectRatio="xMinYMin meet"
  >
    <title id="${id}">${caption}</title>
    ${bars.map((bar, i) => {
      const y = i * ROW;
      const barLength = length(bar.value);
      return html`<text x="0" y="${y + 14}" fill="#1b1f24">${clip(bar.label)}</text>
        <rect
          x="0"
          y="${y + LABEL_HEIGHT}"
          width="${barLength}"
          height="${BAR_HEIGHT}"
          fill="#0a58ca"
        />
        <text x="${barLength + 6}" y="${y + LABEL_HEIGHT + 15}" fill="#1b1f24">${bar.shown}</text>`;
    })}
  </svg>`;
}
