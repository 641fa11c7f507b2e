/**
 * Checks the local day ends the follow-ups report uses (src/analytics/local-time.ts) in every
 * time zone this Node's ICU knows, over the years the store's day ends reach: around every change
 * of offset, `startOfNextDay` and the store's segments must both give the first instant after
 * the probe whose local date is later, found here by scanning the dates `Intl` gives (and so must
 * `endOfDayOf`, whose memo the probes fill in their order). The unit
 * test does this for fourteen chosen zones; this takes minutes, so it is run by hand after a Node
 * upgrade (a new ICU brings new zone rules) rather than by `npm test`.
 *
 * Usage: tsx scripts/check-day-ends.ts [--from YEAR] [--to YEAR] [--zones A,B,...]
 * Exits 1 and lists the first disagreements when there is one.
 */
import { parseArgs } from 'node:util';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../src/core/date-time.js';
import { LocalCalendar, dayEndBySegments } from '../src/analytics/local-time.js';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: String(new Date().getUTCFullYear() - 30) },
    to: { type: 'string', default: String(new Date().getUTCFullYear() + 11) },
    zones: { type: 'string' },
  },
});
const first = Math.max(Date.UTC(Number(values.from), 0, 1), 2 * DAY_MS);
const last = Date.UTC(Number(values.to), 0, 1);
const zones = values.zones?.split(',') ?? Intl.supportedValuesOf('timeZone');

let probes = 0;
const wrong: string[] = [];
const started = Date.now();
for (const zone of zones) {
  const calendar = new LocalCalendar(zone);
  // Another, whose memo of day ends per bucket fills in the probes' order.
  const memoised = new LocalCalendar(zone);
  const dates = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short' });
  const day = (at: number) => dates.format(at);
  const segments = calendar.dayEndSegments(first, last);
  const changes = calendar.offsetsOver(first, last).slice(1);

  // The first second after `at` of a later date: scan quarter hours and every change (and the
  // instant before it: Goose Bay's 7 November 2010 lasted one minute before the clocks went
  // back), then the seconds before the first later date found.
  const laterDate = (at: number): number => {
    const date = day(at);
    const points: number[] = [];
    for (let t = at + 1; t < at + 40 * HOUR_MS; t += 15 * MINUTE_MS) points.push(t);
    for (const { from } of changes)
      if (from > at && from < at + 40 * HOUR_MS) points.push(from - 1, from);
    points.sort((a, b) => a - b);
    let previous = at;
    for (const point of points) {
      if (day(point) > date) {
        for (let s = Math.floor(previous / 1000) * 1000 + 1000; s <= point; s += 1000) {
          if (day(s) > date) return s;
        }
        return point;
      }
      previous = point;
    }
    throw new Error(`${zone}: no later date within 40 hours of ${new Date(at).toISOString()}`);
  };

  const around: number[] = [];
  for (const change of changes) {
    for (let at = change.from - 27 * HOUR_MS; at < change.from + 27 * HOUR_MS; at += 3 * HOUR_MS) {
      around.push(at + 7 * MINUTE_MS + 1);
    }
    for (const at of [
      change.from,
      calendar.startOfDayOf(change.from),
      calendar.startOfDayOf(change.from - 1),
      calendar.startOfNextDay(change.from),
    ]) {
      for (const by of [-HOUR_MS, -1, 0, 1, HOUR_MS]) around.push(at + by);
    }
  }
  for (const at of around.filter((a) => a >= first && a < last - 2 * DAY_MS)) {
    probes += 1;
    const expected = laterDate(at);
    const [next, segment, memo] = [
      calendar.startOfNextDay(at),
      dayEndBySegments(segments, at),
      memoised.endOfDayOf(at),
    ];
    if (next !== expected || segment !== expected || memo !== expected) {
      const iso = (t: number) => new Date(t).toISOString();
      wrong.push(
        `${zone} at ${iso(at)}: expected ${iso(expected)}, startOfNextDay ${iso(next)}, segments ${iso(segment)}, endOfDayOf ${iso(memo)}`,
      );
    }
  }
}
const seconds = Math.round((Date.now() - started) / 1000);
console.log(
  `${zones.length} zones, ${values.from}-${values.to}: ${probes} probes, ${wrong.length} wrong (${seconds} s)`,
);
for (const line of wrong.slice(0, 40)) console.log(line);
process.exitCode = wrong.length === 0 ? 0 : 1;
