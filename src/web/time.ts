/**
 * Instants as the org reads them: pages show and take date-times in the org's time zone (its
 * `timeZone` setting, UTC unless set), while the store and the API keep UTC.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
const partFormatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone,
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** `2026-03-02T16:30:00Z` as "2 Mar 2026, 22:00" in Asia/Kolkata. */
export function showInstant(iso: string, timeZone: string): string {
  return formatterOf(timeZone).format(new Date(iso));
}

/** The wall-clock fields of instant `ms` in `timeZone`. */
function wallClock(ms: number, timeZone: string) {
  let formatter = partFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partFormatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(
    formatter.formatToParts(new Date(ms)).map((part) => [part.type, part.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** How far `timeZone`'s wall clock is ahead of UTC at instant `ms`, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** An instant as a `datetime-local` input's value (`2026-03-02T22:00`) in `timeZone`. */
export function localInputValue(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(w.year).padStart(4, '0')}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}`;
}

/**
 * The instant a `datetime-local` value means in `timeZone`, or undefined when it is not one. A
 * wall-clock time the zone skips (a spring-forward gap) is read with the offset before the gap.
 */
export function instantOfLocal(value: string, timeZone: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  if (new Date(wall).getUTCDate() !== day) return undefined; // 31 April and the like
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  return localInputValue(second, timeZone) === value ? second : first;
}

/** The org's calendar day holding instant `ms`: from its first instant to the next day's. */
export function localDayOf(ms: number, timeZone: string): { start: number; end: number } {
  const date = localInputValue(ms, timeZone).slice(0, 10);
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
  // Both are well-formed, so both are read; a midnight the zone skips is read as the gap's start.
  const start = instantOfLocal(`${date}T00:00`, timeZone) ?? ms;
  const end = instantOfLocal(`${next}T00:00`, timeZone) ?? ms;
  return { start, end };
}
