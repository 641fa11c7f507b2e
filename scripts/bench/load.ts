// One load of the bench: autocannon against one server for a fixed time, with latencies at
// sub-millisecond resolution and the server's largest RSS meanwhile.
import autocannon from 'autocannon';
import { sampleRss } from '../../toolbox/processes.js';
import { percentile } from '../../toolbox/stats.js';

/** One request as autocannon's hook builds it: what each request sends. */
export type RequestParts = {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
};

/** What a load sends: every request goes through `setupRequest` (method, path, headers, body). */
export type LoadRequest = {
  method: 'GET' | 'POST' | 'PUT';
  path?: string;
  setupRequest: (request: RequestParts) => RequestParts;
};

export type LoadResult = {
  rps: number;
  p50: number | undefined;
  p99: number | undefined;
  max: number;
  errors: number;
  rssMb: number | undefined;
  requests: number;
};

/**
 * Loads `base + request.path` with `connections` connections for `seconds` seconds.
 *
 * Latencies are the per-request times autocannon reports in its `response` event (fractional
 * milliseconds from process.hrtime): its own histogram records whole milliseconds, which makes
 * every p50 of a fast route read 0 or 1. Only 2xx answers count towards the latencies; every
 * other answer, socket error and timeout is an error.
 *
 * `pid`: the server process whose RSS is sampled (every 200 ms) during the load.
 *
 * `amount`: send exactly this many requests instead (`seconds` is then ignored) and wait for every
 * answer, so that no request the load gave up on is still running on the server when the next
 * load starts (a slow report would otherwise be measured twice).
 */
export async function runLoad({
  base,
  request,
  connections,
  seconds,
  pid,
  amount,
  timeoutSeconds = 30,
}: {
  base: string;
  request: LoadRequest;
  connections: number;
  seconds: number;
  pid?: number | undefined;
  amount?: number | undefined;
  /** A request unanswered for this long is given up and counted as an error. */
  timeoutSeconds?: number;
}): Promise<LoadResult> {
  const rss = pid === undefined ? undefined : sampleRss(pid);
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${base}${request.path ?? '/'}`,
        method: request.method,
        connections,
        ...(amount === undefined ? { duration: seconds } : { amount }),
        timeout: timeoutSeconds,
        // autocannon's request type is wider than what the bench builds; the hook only ever
        // sets the four parts of RequestParts.
        requests: [{ setupRequest: request.setupRequest as autocannon.Request['setupRequest'] }],
      },
      (error: Error | null, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  const rssMb = rss?.stop();
  latencies.sort((a, b) => a - b);
  return {
    rps: result.duration > 0 ? latencies.length / result.duration : 0,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? 0,
    errors: result.non2xx + result.errors + result.timeouts,
    rssMb,
    requests: result.requests.total,
  };
}
