import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../src/core/date-time.js';
import { LocalCalendar, type DayEndSegment } from '../../../src/analytics/local-time.js';

/** What a store computes from the segments for `instant`, as the follow-ups report's SQL does. */
function dayEndBySegments(segments: readonly DayEndSegment[], instant: number): number {
  const segment = segments.findLast((s) => s.from <= instant);
  assert.ok(segment, `no segment holds ${new Date(instant).toISOString()}`);
  return (Math.floor((instant + segment.ahead) / DAY_MS) + 1) * DAY_MS - segment.endAhead;
}

// Zones with a DST change at 02:00 (New York), at midnight forward (Santiago, Havana) and back
// (Amman and Gaza until 2021), to midnight (Nuuk and Scoresbysund from 2024), by half an hour
// (Lord Howe), around Ramadan (Casablanca), across the date line (Apia dropped 2011-12-30), and
// without changes; over 2009-2026.
const ZONES = [
  'America/New_York',
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
