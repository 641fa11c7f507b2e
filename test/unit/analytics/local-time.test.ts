import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../src/core/date-time.js';
import {
  LocalCalendar,
  dayEndBySegments,
  localDay,
  monthOfLocalDay,
  weekOfLocalDay,
} from '../../../src/analytics/local-time.js';

// Zones with a DST change at 02:00 (New York), at midnight forward (Santiago, Havana) and back
// (Amman and Gaza until 2021), to midnight (Nuuk and Scoresbysund from 2024), back across
// midnight to the day before (Goose Bay's 00:01 until 2010, Casey's 02:00 in 2010), by half an
// hour (Lord Howe), around Ramadan (Casablanca), across the date line (Apia dropped 2011-12-30),
// and without changes; over 2009-2026.
const ZONES = [
  'America/New_York',
  'America/Goose_Bay',
  'Antarctica/Casey',
  'America/Santiago',
  'America/Havana',
  'Asia/Amman',
  'Asia/Gaza',
  'America/Nuuk',
  'America/Scoresbysund',
  'Australia/Lord_Howe',
  'Africa/Casablanca',
  'Pacific/Apia',
  'Asia/Kolkata',
  'UTC',
];
const FIRST = Date.UTC(2009, 0, 1);
const LAST = Date.UTC(2027, 0, 1);

describe('local day ends', () => {
  for (const zone of ZONES) {
    it(`in ${zone}: the next day starts at the first instant of a later date, and the segments agree`, () => {
      const calendar = new LocalCalendar(zone);
      const segments = calendar.dayEndSegments(FIRST, LAST);
      const probes = [FIRST, LAST - 1];
      for (const change of calendar.offsetsOver(FIRST, LAST).slice(1)) {
        // Every half hour of the 26 hours either side of it, and a millisecond either side.
        for (
          let at = change.from - 26 * HOUR_MS;
          at < change.from + 26 * HOUR_MS;
          at += 30 * MINUTE_MS
        ) {
          probes.push(at, at - 1, at + 1);
        }
      }
      // And every 31 h 13 min over the years, off any round instant.
      for (let at = FIRST; at < LAST; at += 31 * HOUR_MS + 13 * MINUTE_MS + 1) probes.push(at);
      // The local date by a formatter of its own, not the calendar's.
      const dates = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short' });
      const day = (instant: number) => dates.format(instant);
      for (const at of probes.filter((p) => p >= FIRST && p < LAST)) {
        const end = calendar.startOfNextDay(at);
        const where = `${zone} at ${new Date(at).toISOString()}`;
        assert.ok(end > at && day(end) > day(at) && day(end - 1) === day(at), where);
        assert.equal(dayEndBySegments(segments, at), end, where);
      }
      if (zone === 'UTC' || zone === 'Asia/Kolkata') assert.equal(segments.length, 1);
      else assert.ok(segments.length > 4, `${zone} changes offset`);
    });
  }

  it('in Amman, where midnight came twice, end the day at the first', () => {
    const calendar = new LocalCalendar('Asia/Amman');
    // 2019-10-25 00:59:59 EEST (+3) was followed by 00:00 EET (+2), at 22:00 UTC.
    assert.equal(calendar.startOfNextDay(Date.UTC(2019, 9, 24, 12)), Date.UTC(2019, 9, 24, 21));
    assert.equal(calendar.startOfNextDay(Date.UTC(2019, 9, 24, 21, 30)), Date.UTC(2019, 9, 25, 22));
  });

  it('where the clocks went back across midnight, end the day the instant is in again at the later midnight', () => {
    const gooseBay = new LocalCalendar('America/Goose_Bay');
    // 2010-11-07 00:01 ADT (-3), at 03:01 UTC, became 2010-11-06 23:01 AST (-4).
    assert.equal(gooseBay.startOfNextDay(Date.UTC(2010, 10, 7, 2)), Date.UTC(2010, 10, 7, 3));
    assert.equal(gooseBay.startOfNextDay(Date.UTC(2010, 10, 7, 3, 30)), Date.UTC(2010, 10, 7, 4));
    // The minute of 7 November before the change ends on 8 November.
    assert.equal(
      gooseBay.startOfNextDay(Date.UTC(2010, 10, 7, 3, 0, 30)),
      Date.UTC(2010, 10, 8, 4),
    );
    // So does the memoised end of a day: the bucket of 03:00 UTC holds both dates.
    const memoised = new LocalCalendar('America/Goose_Bay');
    assert.equal(memoised.endOfDayOf(Date.UTC(2010, 10, 7, 3, 0, 30)), Date.UTC(2010, 10, 8, 4));
    assert.equal(memoised.endOfDayOf(Date.UTC(2010, 10, 7, 3, 5)), Date.UTC(2010, 10, 7, 4));
    assert.equal(memoised.endOfDayOf(Date.UTC(2010, 10, 7, 3, 30)), Date.UTC(2010, 10, 7, 4));
    assert.equal(memoised.endOfDayOf(Date.UTC(2010, 10, 7, 4, 30)), Date.UTC(2010, 10, 8, 4));
    const casey = new LocalCalendar('Antarctica/Casey');
    // 2010-03-05 02:00 (+11), at 15:00 UTC on the 4th, became 2010-03-04 23:00 (+8).
    assert.equal(casey.startOfNextDay(Date.UTC(2010, 2, 4, 15, 30)), Date.UTC(2010, 2, 4, 16));
    assert.equal(casey.startOfNextDay(Date.UTC(2010, 2, 4, 14)), Date.UTC(2010, 2, 5, 16));
  });

  it('end the days of years 1-99 in those years, not in the 1900s', () => {
    const calendar = new LocalCalendar('Asia/Kolkata');
    const at = new Date(Date.UTC(2000, 5, 15, 12));
    at.setUTCFullYear(50);
    // Kolkata's offset in year 50 is its local mean time (+05:53:28), not +05:30.
    const next = calendar.startOfNextDay(at.getTime());
    assert.deepEqual(calendar.dateOf(next), { year: 50, month: 6, day: 16, weekday: 3 });
    assert.deepEqual(calendar.dateOf(next - 1000), { year: 50, month: 6, day: 15, weekday: 2 });
    assert.equal(calendar.endOfDayOf(at.getTime()), next);
  });

  it('place an instant after a midnight inside a quarter hour in the day after', () => {
    // Monrovia was 44 min 30 s behind UTC until 1972: its midnights fall at 00:44:30 UTC.
    const calendar = new LocalCalendar('Africa/Monrovia');
    const midnight = Date.UTC(1971, 5, 2, 0, 44, 30);
    assert.equal(calendar.endOfDayOf(midnight - 1000), midnight);
    assert.equal(calendar.endOfDayOf(midnight + 1000), midnight + DAY_MS);
  });

  it('place an instant in the day it starts, and the day before just before it', () => {
    const calendar = new LocalCalendar('America/New_York');
    // 2010-03-14 starts at 05:00 UTC (EST); the change to EDT is at 07:00 UTC that day.
    const start = Date.UTC(2010, 2, 14, 5);
    assert.equal(calendar.startOfDayOf(start), start);
    assert.equal(calendar.startOfDayOf(start + 10 * HOUR_MS), start);
    assert.equal(calendar.startOfDayOf(start - 1), start - DAY_MS);
    // That day lasts 23 hours.
    assert.equal(calendar.startOfNextDay(start), start + 23 * HOUR_MS);
  });
});

describe('local weeks and months of creation instants', () => {
  // A report grouped by week or month places each lead in the local day of its creation by the
  // offset in force at that instant, over the zone's offsets across the leads' span
  // (`byLocalDay` in the repository, then weekOfLocalDay / monthOfLocalDay); an independent
  // formatter places each instant on its own. The spans start mid-year and cross years, so the
  // offsets come from more than one of the years the process keeps.
  for (const zone of [...ZONES, 'Africa/Monrovia']) {
    it(`in ${zone}: every quarter hour (and a minute either side) of the days around each offset change is in its own date's week and month`, () => {
      const calendar = new LocalCalendar(zone);
      const parts = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        weekday: 'short',
      });
      const expected = (instant: number) => {
        const at: Record<string, string> = {};
        for (const part of parts.formatToParts(instant)) at[part.type] = part.value;
        const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(at.weekday!);
        const date = Date.UTC(Number(at.year), Number(at.month) - 1, Number(at.day));
        const monday = new Date(date - weekday * DAY_MS).toISOString().slice(0, 10);
        return { week: monday, month: `${at.year}-${at.month}` };
      };
      const first = zone === 'Africa/Monrovia' ? Date.UTC(1971, 6, 9, 13) : FIRST + 190 * DAY_MS;
      const last = zone === 'Africa/Monrovia' ? Date.UTC(1973, 0, 1) : LAST - 1;
      const offsets = calendar.offsetsOver(first, last);
      assert.equal(offsets[0]!.from, first);
      const offsetAt = (instant: number) => offsets.findLast((o) => o.from <= instant)!.offset;
      const spans = [
        ...offsets.slice(1).map((change) => change.from - 2 * DAY_MS),
        first,
        // Monrovia moved from -00:44:30 to UTC on 1972-01-07: its midnights fell between quarter
        // hours before then.
        Date.UTC(1971, 10, 1),
      ];
      let checked = 0;
      for (const start of spans) {
        for (let quarter = start; quarter < start + 4 * DAY_MS; quarter += 15 * MINUTE_MS) {
          for (const at of [quarter - MINUTE_MS, quarter, quarter + MINUTE_MS]) {
            if (at < first || at > last) continue;
            const want = expected(at);
            const day = localDay(at, offsetAt(at));
            const where = `${zone} at ${new Date(at).toISOString()}`;
            assert.equal(weekOfLocalDay(day), want.week, where);
            assert.equal(monthOfLocalDay(day), want.month, where);
            checked += 1;
          }
        }
      }
      assert.ok(checked >= 1_000, `${zone}: ${checked} instants`);
    });
  }
});
