/**
 * A record id from a raw path segment, or undefined when the segment cannot be one (not 1–16
 * digits, zero, beyond a safe integer). Routes answer such a segment as a record that does not
 * exist, before any other input error, so an id never hints at more than existence.
 */
export function pathId(raw: string): number | undefined {
  if (!/^[0-9]{1,16}$/.test(raw)) return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) && id >= 1 ? id : undefined;
}
