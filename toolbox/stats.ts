// The statistics of the bench's figures, small enough for every bench process to import.

/**
 * The value at percentile `p` (0-100) of ascending `sorted`, nearest rank; undefined when empty.
 *
 * @example percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * The median of the defined numbers among `values` (the lower middle of an even count), so a
 * figure repeated N times is reported as one of its N measurements; undefined when none.
 *
 * @example median([3, undefined, 1, 2]) // 2
 */
export function median(values: ReadonlyArray<number | undefined>): number | undefined {
  const present = values.filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
  return percentile(
    present.toSorted((a, b) => a - b),
    50,
  );
}
