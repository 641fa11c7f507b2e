/** Where "now" comes from, so tests (and auto-close runs `--as-of`) can control time. */
export type Clock = {
  /** Milliseconds since the Unix epoch. */
  now(): number;
};

export const systemClock: Clock = { now: () => Date.now() };
