/**
 * Runs `work` every `intervalMs`, the first time one interval from now. A run starts only
 * `intervalMs` after the previous one ended, so runs never overlap. The returned function stops
 * the schedule: it aborts the signal given to a running `work` and resolves once that run has
 * ended. `work` must not reject.
 *
 * @example const stop = repeatEvery(60_000, async (signal) => sweep(signal)); await stop();
 */
export function repeatEvery(
  intervalMs: number,
  work: (signal: AbortSignal) => Promise<void>,
): () => Promise<void> {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const schedule = () => {
    timer = setTimeout(tick, intervalMs);
    // The schedule alone never keeps the process alive; the server does.
    timer.unref();
  };
  const tick = () => {
    timer = undefined;
    running = work(stopping.signal).finally(() => {
      running = undefined;
      if (!stopping.signal.aborted) schedule();
    });
  };
  schedule();
  return async () => {
    stopping.abort();
    if (timer) clearTimeout(timer);
    await running;
  };
}
