/** Lengths of time in milliseconds, the unit of every instant Leadline stores. */
export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Date-times of the contract: ISO 8601 with a mandatory offset (`Z` or `±hh:mm`), optional
 * fraction of a second, and a real calendar instant (no 31 April, no 25:00).
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/**
 * True when `value` is a date-time the contract accepts.
 *
 * @example isDateTime('2026-03-02T17:45:00+05:30') // true
 * @example isDateTime('2026-02-30T10:00:00Z') // false: no such day
 */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[8] !== 'Z' && (Number(m[10]) > 23 || Number(m[11]) > 59)) return false;
  // Outputs are `YYYY-MM-DDThh:mm:ssZ`: an instant whose UTC year leaves 0001-9999 (e.g.
  // 9999-12-31T23:59:59-23:59) could not be printed in that shape, so it is refused.
  const ms = Date.parse(value);
  return ms >= FIRST_INSTANT && ms <= LAST_INSTANT;
}

const FIRST_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Parses a date-time already checked with {@link isDateTime} into epoch milliseconds.
 *
 * @example parseDateTime('1970-01-01T05:30:00+05:30') // 0
 */
export function parseDateTime(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`not a date-time: ${value}`);
  return ms;
}

/**
 * Formats epoch milliseconds the way every response carries instants: UTC, `Z`, to the second.
 *
 * @example formatDateTime(0) // '1970-01-01T00:00:00Z'
 */
export function formatDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
