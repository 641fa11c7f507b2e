/**
 * Progress of a long command on stderr, so stdout keeps only the command's JSON result. On a
 * terminal one line is redrawn in place (bar, count, rate, time left); otherwise (a log file, a
 * CI job) a line is written at each tenth of the way, so the log stays short.
 */

const BAR_WIDTH = 30;
/** Redraws at most this often: drawing is cheap, a flood of escape codes is not. */
const REDRAW_MS = 100;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * A progress callback `(done, total)` that reports `what` (a plural noun) on `stream`.
 *
 * @example const report = progressReporter('leads'); report(0, 10); report(5, 10); report(10, 10);
 */
export function progressReporter(
  what: string,
  stream: NodeJS.WriteStream = process.stderr,
): (done: number, total: number) => void {
  const interactive = stream.isTTY === true;
  let started: number | undefined;
  let lastDraw = 0;
  let lastTenth = -1;
  return (done, total) => {
    const now = performance.now();
    started ??= now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
    const fraction = total > 0 ? done / total : 1;
    const finished = done >= total;
    const figures = `${count(done)}/${count(total)} ${what} (${Math.floor(fraction * 100)}%)${done > 0 ? `, ${count(Math.round(rate))} ${what}/s` : ''}`;
    if (interactive) {
      if (!finished && now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
      const tail = finished
        ? `, in ${duration(seconds)}\n`
        : done > 0
          ? `, ETA ${duration(eta)}`
          : '';
      stream.write(`\r[${bar}] ${figures}${tail}\x1b[K`);
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth === lastTenth && !finished) return;
    if (finished && lastTenth === 10) return;
    lastTenth = tenth;
    const tail = finished ? `, in ${duration(seconds)}` : done > 0 ? `, ETA ${duration(eta)}` : '';
    stream.write(`${figures}${tail}\n`);
  };
}
