import { DAY_MS } from '../core/date-time.js';

/**
 * The length of the buckets the store groups creation instants by before they are folded into
 * the org's local weeks and months. Every time zone in use today is offset from UTC by a whole
 * number of quarter hours (India +05:30, Nepal +05:45), so no bucket straddles a local midnight.
 */
export const BUCKET_MS = 15 * 60_000;

type LocalDate = { year: number; month: number; day: number; weekday: number };

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * The calendar in one time zone: the local date of an instant, its ISO week (the Monday it starts
 * on) and its month, memoised per bucket because a report folds thousands of buckets into a few
 * weeks.
 */
export class LocalCalendar {
  private readonly format: Intl.DateTimeFormat;
  private readonly clock: Intl.DateTimeFormat;
  private readonly weeks = new Map<number, string>();
  private readonly months = new Map<number, string>();
  private readonly dayEnds = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
    });
    this.clock = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
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
    const midnightUtc = Date.UTC(date.year, date.month - 1, date.day + 1);
    // The local midnight is the UTC one moved by the zone's offset there; an offset that
    // changes at that midnight (a DST switch) is found on the second look.
    let guess = midnightUtc - this.offsetAt(midnightUtc);
    guess = midnightUtc - this.offsetAt(guess);
    return guess;
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
      end = this.startOfNextDay(bucket * BUCKET_MS);
      // The later buckets of the same local day end there too.
      for (let later = bucket; later * BUCKET_MS < end; later += 1) this.dayEnds.set(later, end);
    }
    return end;
  }

  /** How far the zone's wall clock is ahead of UTC at `instant` (ms). */
  offsetAt(instant: number): number {
    const parts: Record<string, string> = {};
    for (const part of this.clock.formatToParts(instant)) parts[part.type] = part.value;
    const wall = Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour) % 24,
      Number(parts.minute),
      Number(parts.second),
    );
    return wall - Math.floor(instant / 1000) * 1000;
  }

  /** `YYYY-MM-DD` of the Monday that starts the local week of the bucket. */
  weekOf(bucket: number): string {
    let week = this.weeks.get(bucket);
    if (week === undefined) {
      const date = this.dateOf(bucket * BUCKET_MS);
      const monday = Date.UTC(date.year, date.month - 1, date.day) - date.weekday * DAY_MS;
      week = new Date(monday).toISOString().slice(0, 10);
      this.weeks.set(bucket, week);
    }
    return week;
  }

  /** `YYYY-MM` of the local month of the bucket. */
  monthOf(bucket: number): string {
    let month = this.months.get(bucket);
    if (month === undefined) {
      const date = this.dateOf(bucket * BUCKET_MS);
      month = `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}`;
      this.months.set(bucket, month);
    }
    return month;
  }
}
