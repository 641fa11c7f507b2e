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

// Zones with a DST change at 02:00 (New York), at midnight (Santiago, Havana), by half an hour
// (Lord Howe), south of the equator, far east of UTC across the date line (Apia dropped
// 2011-12-30), and without changes.
const ZONES = [
  'America/New_York',
  'America/Santiago',
  'America/Havana',
  'Australia/Lord_Howe',
  'Pacific/Apia',
  'Asia/Kolkata',
  'UTC',
];
const FIRST = Date.UTC(2009, 0, 1);
const LAST = Date.UTC(2013, 0, 1);

describe('local day ends as segments', () => {
  for (const zone of ZONES) {
    it(`match startOfNextDay in ${zone} around every offset change and across the years`, () => {
      const calendar = new LocalCalendar(zone);
      const segments = calendar.dayEndSegments(FIRST, LAST);
      const probes = [FIRST, LAST - 1];
      for (const change of calendar.offsetsOver(FIRST, LAST).slice(1)) {
        // Every quarter hour of the two days around the change, and a millisecond either side.
        for (
          let at = change.from - 2 * DAY_MS;
          at < change.from + 2 * DAY_MS;
          at += 15 * MINUTE_MS
        ) {
          probes.push(at, at - 1, at + 1);
        }
      }
      // And every 7 h 13 min over the four years, off any round instant.
      for (let at = FIRST; at < LAST; at += 7 * HOUR_MS + 13 * MINUTE_MS + 1) probes.push(at);
      for (const at of probes.filter((p) => p >= FIRST && p < LAST)) {
        const end = calendar.startOfNextDay(at);
        const day = (instant: number) =>
          new Date(instant).toLocaleString('sv-SE', { timeZone: zone }).slice(0, 10);
        assert.ok(end > at && day(end) > day(at) && day(end - 1) === day(at), `${zone} ${at}`);
        assert.equal(
          dayEndBySegments(segments, at),
          calendar.startOfNextDay(at),
          `${zone} at ${new Date(at).toISOString()}`,
        );
      }
      if (zone === 'UTC' || zone === 'Asia/Kolkata') assert.equal(segments.length, 1);
      else assert.ok(segments.length > 4, `${zone} changes offset`);
    });
  }

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
