// One load of the bench: autocannon against one server for a fixed time, with latencies at
// sub-millisecond resolution and the server's largest RSS meanwhile.
import autocannon from 'autocannon';
import { sampleRss } from './processes.mjs';
import { percentile } from './stats.mjs';

/**
 * Loads `base + request.path` with `connections` connections for `seconds` seconds; every request
 * goes through `request.setupRequest` (autocannon's hook: method, path, headers, body per
 * request). Answers `{rps, p50, p99, errors, rssMb, requests}`.
 *
 * Latencies are the per-request times autocannon reports in its `response` event (fractional
 * milliseconds from process.hrtime): its own histogram records whole milliseconds, which makes
 * every p50 of a fast route read 0 or 1. Only 2xx answers count towards the latencies; every
 * other answer, socket error and timeout is an error.
 *
 * `pid`: the server process whose RSS is sampled (every 200 ms) during the load.
 */
export async function runLoad({ base, request, connections, seconds, pid }) {
  const rss = pid === undefined ? undefined : sampleRss(pid);
  const latencies = [];
  const instance = autocannon({
    url: `${base}${request.path ?? '/'}`,
    method: request.method,
    connections,
    duration: seconds,
    timeout: 30,
    requests: [{ setupRequest: request.setupRequest }],
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
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
