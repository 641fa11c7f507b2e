import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from '../core/date-time.js';

/**
 * The length of the buckets {@link LocalCalendar.endOfDayOf} memoises the end of a local day by.
 * Every time zone in use today is offset from UTC by a whole number of quarter hours (India
 * +05:30, Nepal +05:45), so no bucket straddles a local midnight.
 */
export const BUCKET_MS = 15 * 60_000;

type LocalDate = { year: number; month: number; day: number; weekday: number };

/** A zone offset (ms ahead of UTC) in force from an instant on. */
export type OffsetFrom = { from: number; offset: number };

/**
 * Instants from `from` (until the next segment's) whose local day ends at
 * `(floor((s + ahead) / DAY_MS) + 1) * DAY_MS - endAhead`: `ahead` is the zone's offset at `s`,
 * `endAhead` its offset at the end of that day. Each piece is a whole number of ms, so a store
 * can place an instant in its local day with integer arithmetic.
 */
export type DayEndSegment = { from: number; ahead: number; endAhead: number };

/**
 * The end of the local day of `instant` by the segments, in the arithmetic a store's statement
 * does (src/analytics/analytics.repository.ts, `localDayEnd`): what the checks compare with
 * {@link LocalCalendar.startOfNextDay}.
 */
export function dayEndBySegments(segments: readonly DayEndSegment[], instant: number): number {
  const segment = segments.findLast((s) => s.from <= instant);
  if (!segment) throw new Error(`no segment holds ${new Date(instant).toISOString()}`);
  return (Math.floor((instant + segment.ahead) / DAY_MS) + 1) * DAY_MS - segment.endAhead;
}

/**
 * The instant of a calendar date (month 1-12; the day may run past the month's end) read as UTC,
 * plus `ms`: as `Date.UTC`, but years 0-99 are those years, not 1900-1999.
 */
function utc(year: number, month: number, day: number, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime() + ms;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The date a wall clock `offset` ms ahead of UTC shows at `instant`, in days since 1970-01-01. */
export function localDay(instant: number, offset: number): number {
  return Math.floor((instant + offset) / DAY_MS);
}

/** `YYYY-MM-DD` of the Monday that starts the ISO week of a {@link localDay}. */
export function weekOfLocalDay(day: number): string {
  // Day 0, 1970-01-01, was a Thursday: three days after a Monday.
  const monday = day - ((((day + 3) % 7) + 7) % 7);
  return new Date(monday * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM` of a {@link localDay}. */
export function monthOfLocalDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 7);
}

/**
 * Each zone's offsets over each UTC year (a few entries), kept by the process for every calendar
 * of the zone: working a year's out takes a `formatToParts` per day, and every report grouped by
 * week or month asks for those of the same few years again ({@link LocalCalendar.offsetsOver}).
 */
const offsetsByZoneAndYear = new Map<string, readonly OffsetFrom[]>();

/**
 * Each zone's two formatters, kept by the process: making them took 0.7 ms of every dashboard
 * (five reports, a calendar each), and a formatter holds no state between calls.
 */
const formatsByZone = new Map<string, { date: Intl.DateTimeFormat; clock: Intl.DateTimeFormat }>();

/**
 * The calendar in one time zone: the zone's offsets over a span, where local days start and end,
 * and those as pieces of integer arithmetic a store's statement can evaluate.
 */
export class LocalCalendar {
  private readonly format: Intl.DateTimeFormat;
  private readonly clock: Intl.DateTimeFormat;
  private readonly dayEnds = new Map<number, number>();

  constructor(readonly timeZone: string) {
    let formats = formatsByZone.get(timeZone);
    if (formats === undefined) {
      formats = {
        date: new Intl.DateTimeFormat('en-US', {
          timeZone,
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          weekday: 'short',
        }),
        clock: new Intl.DateTimeFormat('en-US', {
          timeZone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        }),
      };
      // There are some 600 zones; the bound only guards against names that are not.
      if (formatsByZone.size >= 1000) formatsByZone.clear();
      formatsByZone.set(timeZone, formats);
    }
    this.format = formats.date;
    this.clock = formats.clock;
  }

  dateOf(instant: number): LocalDate {
    const parts: Record<string, string> = {};
    for (const part of this.format.formatToParts(instant)) parts[part.type] = part.value;
    return {
      year: Number(parts.year),
      month: Number(parts.month),
      day: Number(parts.day),
      weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
    };
  }

  /** The instant the local day after the one of `instant` starts (today's end, exclusive). */
  startOfNextDay(instant: number): number {
    const date = this.dateOf(instant);
    // The next date's midnight, read as if it were UTC; the local one is that moved back by
    // the zone's offset there, one of those in force 15 hours either side (no zone is further
    // than 14 hours from UTC, and none changes twice within 30 hours).
    const midnight = utc(date.year, date.month, date.day + 1);
    const offsets = new Set([
      this.offsetAt(midnight - 15 * HOUR_MS),
      this.offsetAt(midnight + 15 * HOUR_MS),
    ]);
    // A midnight at an offset the zone does not have there never showed on its clocks. Where
    // midnight showed twice (Amman set its clocks back from 01:00 to 00:00), the day ended at
    // the first. One before the instant is of a date the clocks went back from (Goose Bay set
    // them from 00:01 back to 23:01 of the day before; Casey from 02:00 to 23:00): the day the
    // instant is in again ends at the later midnight.
    const candidates = [...offsets].map((offset) => midnight - offset);
    const real = candidates.filter(
      (at) => at > instant && (offsets.size === 1 || this.offsetAt(at) === midnight - at),
    );
    if (real.length > 0) return Math.min(...real);
    // A midnight the clocks skipped (Santiago moved them from 00:00 to 01:00; Apia dropped 30
    // December 2011): the day ended at the change, the first second of a later date.
    let [before, after] = [
      Math.floor(Math.max(instant, Math.min(...candidates)) / 1000),
      Math.ceil(Math.max(...candidates) / 1000),
    ];
    while (after - before > 1) {
      const middle = Math.floor((before + after) / 2);
      if (this.isAfterDate(middle * 1000, date)) after = middle;
      else before = middle;
    }
    return after * 1000;
  }

  private isAfterDate(instant: number, date: LocalDate): boolean {
    const at = this.dateOf(instant);
    return utc(at.year, at.month, at.day) > utc(date.year, date.month, date.day);
  }

  /**
   * {@link startOfNextDay}, memoised per bucket (no bucket straddles a local midnight): the
   * follow-up report places every scheduled follow-up of an org in its local day, a million
   * of them at once, and three `formatToParts` each would take seconds.
   */
  endOfDayOf(instant: number): number {
    const bucket = Math.floor(instant / BUCKET_MS);
    let end = this.dayEnds.get(bucket);
    if (end === undefined) {
      const start = bucket * BUCKET_MS;
      end = this.startOfNextDay(start);
      // Where the offset changes before that end, a later bucket may be of another day (the
      // clocks going back across midnight made 7 November 2010 in Goose Bay two pieces of two
      // dates): such a day, twice a year at most, is placed instant by instant.
      if (this.offsetAt(start) !== this.offsetAt(end - 1)) return this.startOfNextDay(instant);
      // The later buckets of the same local day end there too.
      for (let later = bucket; later * BUCKET_MS < end; later += 1) this.dayEnds.set(later, end);
    }
    // Past the end: a bucket that straddles a midnight, as in a zone whose offset was not a
    // whole number of quarter hours (Monrovia's -00:44:30 until 1972).
    return instant < end ? end : this.startOfNextDay(instant);
  }

  /** The instant the local day of `instant` started. */
  startOfDayOf(instant: number): number {
    // 30 hours back is in the day before or the one before that (no day lasts 30 hours).
    let start = this.startOfNextDay(instant - 30 * HOUR_MS);
    for (
      let next = this.startOfNextDay(start);
      next <= instant;
      next = this.startOfNextDay(start)
    ) {
      if (next <= start) throw new Error(`no local day after ${new Date(start).toISOString()}`);
      start = next;
    }
    return start;
  }

  /**
   * The zone's offsets over `[first, last]`: the one at `first`, then each change, to the second,
   * from the offsets of each UTC year they span as the process keeps them.
   */
  offsetsOver(first: number, last: number): OffsetFrom[] {
    const offsets: OffsetFrom[] = [];
    const lastYear = new Date(last).getUTCFullYear();
    for (let year = new Date(first).getUTCFullYear(); year <= lastYear; year += 1) {
      for (const change of this.offsetsOfYear(year)) {
        if (change.from > last) break;
        if (change.from <= first) offsets[0] = { from: first, offset: change.offset };
        else if (change.offset !== offsets.at(-1)?.offset) offsets.push(change);
      }
    }
    return offsets;
  }

  private offsetsOfYear(year: number): readonly OffsetFrom[] {
    const key = `${this.timeZone} ${year}`;
    let offsets = offsetsByZoneAndYear.get(key);
    if (offsets === undefined) {
      offsets = this.findOffsetsOver(utc(year, 1, 1), utc(year + 1, 1, 1));
      // A process lives through few zones and years; keep the map from growing without bound.
      if (offsetsByZoneAndYear.size >= 1000) offsetsByZoneAndYear.clear();
      offsetsByZoneAndYear.set(key, offsets);
    }
    return offsets;
  }

  /**
   * The zone's offsets over `[first, last]` worked out: the one at `first`, then each change,
   * found to the second (zones change at most a few times a year, and never twice in a day).
   */
  private findOffsetsOver(first: number, last: number): OffsetFrom[] {
    const offsets: OffsetFrom[] = [{ from: first, offset: this.offsetAt(first) }];
    for (let at = first; at < last; at += DAY_MS) {
      const next = Math.min(at + DAY_MS, last);
      const offset = this.offsetAt(next);
      if (offset === offsets.at(-1)?.offset) continue;
      // The first second with the new offset (zones change on a whole second).
      let [before, after] = [Math.floor(at / 1000), Math.ceil(next / 1000)];
      while (after - before > 1) {
        const middle = Math.floor((before + after) / 2);
        if (this.offsetAt(middle * 1000) === offset) after = middle;
        else before = middle;
      }
      offsets.push({ from: after * 1000, offset });
    }
    return offsets;
  }

  /**
   * How {@link startOfNextDay} maps the instants of `[first, last)`, as pieces of integer
   * arithmetic a store can evaluate: each change of offset
   * starts a piece, and so do the start of the local day it falls in (that day ends at the new
   * offset although it started at the old one), of the day that ends at it, and of the next day.
   */
  dayEndSegments(first: number, last: number): DayEndSegment[] {
    const breaks = new Set([first]);
    for (const change of this.offsetsOver(first, last).slice(1)) {
      // The day the change falls in (or, at a change to midnight, the day it ends), the change,
      // and the next day: each day's end is at the offset in force at that end.
      for (const at of [
        this.startOfDayOf(change.from - 1),
        this.startOfDayOf(change.from),
        change.from,
        this.startOfNextDay(change.from),
      ]) {
        if (at > first && at < last) breaks.add(at);
      }
    }
    const segments: DayEndSegment[] = [];
    for (const from of [...breaks].sort((a, b) => a - b)) {
      const ahead = this.offsetAt(from);
      const day = Math.floor((from + ahead) / DAY_MS);
      const endAhead = (day + 1) * DAY_MS - this.startOfNextDay(from);
      const previous = segments.at(-1);
      if (previous?.ahead === ahead && previous.endAhead === endAhead) continue;
      segments.push({ from, ahead, endAhead });
    }
    return segments;
  }

  /** How far the zone's wall clock is ahead of UTC at `instant` (ms). */
  offsetAt(instant: number): number {
    const parts: Record<string, string> = {};
    for (const part of this.clock.formatToParts(instant)) parts[part.type] = part.value;
    const wall = utc(
      Number(parts.year),
      Number(parts.month),
      Number(parts.day),
      (Number(parts.hour) % 24) * HOUR_MS +
        Number(parts.minute) * MINUTE_MS +
        Number(parts.second) * SECOND_MS,
    );
    return wall - Math.floor(instant / 1000) * 1000;
  }
}
