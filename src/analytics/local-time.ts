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
  private readonly weeks = new Map<number, string>();
  private readonly months = new Map<number, string>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
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
