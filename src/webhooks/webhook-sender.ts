import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { isInternalAddress, type AllowList } from '../core/network-targets.js';

/** The most of a response body a delivery keeps for its log. */
export const RESPONSE_KEPT_BYTES = 1024;
/**
 * The most of a response body read at all: the rest of an answer past the kept bytes is read and
 * dropped, so its kept-alive connection serves the next delivery; one longer than this is cut
 * (its connection closed) rather than read on.
 */
const RESPONSE_DRAINED_BYTES = 64 * 1024;

export type SendResult = {
  /** The endpoint's HTTP status; absent when there was no answer. */
  statusCode?: number;
  latencyMs: number;
  /** The response body's first 1 KB (UTF-8, cut at a character). */
  responseBody?: string;
  /** Why there was no answer, or why the answer does not count. */
  error?: string;
  /** Seconds the endpoint asked to wait (`Retry-After` on a 429 or 503). */
  retryAfterSeconds?: number;
  /** A failure no retry can mend: the delivery is given up at once. */
  permanent?: boolean;
};

/**
 * A DNS lookup that refuses internal addresses unless the host is allowed: checked on the
 * address the connection will use, so a name that resolves differently after its endpoint was
 * created (DNS rebinding) still cannot reach inside.
 */
function guardedLookup(allowed: AllowList): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as Array<{ address: string; family: number }>;
      const usable = allowed.allows(hostname)
        ? list
        : list.filter(
            (entry) => allowed.allows(entry.address) || !isInternalAddress(entry.address),
          );
      const first = usable[0];
      if (!first) {
        return callback(
          Object.assign(new Error(`${hostname} resolves only to internal addresses`), {
            code: 'EINTERNALADDRESS',
          }),
          '',
          0,
        );
      }
      if (options.all) {
        return (callback as unknown as (e: null, a: typeof usable) => void)(null, usable);
      }
      return callback(null, first.address, first.family);
    });
  };
}

/**
 * A value worked out once per allow list and key: `make(key)` the first time, the same value
 * after. Keyed weakly by the list, so a list the configuration no longer holds is forgotten; at
 * most `bound` keys per list (then they are all forgotten and worked out again).
 */
function perAllowList<K, V>(
  make: (allowed: AllowList, key: K) => V,
  bound = Number.POSITIVE_INFINITY,
): (allowed: AllowList, key: K) => V {
  const lists = new WeakMap<AllowList, Map<K, V>>();
  return (allowed, key) => {
    let known = lists.get(allowed);
    if (!known) {
      known = new Map();
      lists.set(allowed, known);
    }
    if (known.has(key)) return known.get(key) as V;
    const value = make(allowed, key);
    if (known.size >= bound) known.clear();
    known.set(key, value);
    return value;
  };
}

/**
 * Kept-alive connections (undici: about half the CPU of node:http per request, measured in
 * docs/benchmarks.md, and delivery is mostly sending), one pool per allow list and timeout: the
 * guarded lookup that opens its connections depends on the one, and connecting may take the
 * whole of the other (undici's own limit is 10 s). A busy endpoint is not paid a TCP (and TLS)
 * handshake per delivery; a new connection passes the guarded lookup.
 */
const agentFor = perAllowList(
  (allowed, timeoutMs: number) =>
    new Agent({
      connections: 16,
      connect: { lookup: guardedLookup(allowed), timeout: timeoutMs },
      // A body still arriving after its first 1 KB settled the send (so past the send's own
      // timer) is drained only while it keeps coming.
      bodyTimeout: timeoutMs,
    }),
);

/**
 * Why an IP-literal host may not be reached (a literal is connected to without a lookup), or
 * undefined; remembered per allow list, as every delivery to an endpoint asks the same. Bounded:
 * the hosts are the org's endpoints', but nothing else limits how many there are.
 */
const literalRefusal = perAllowList(
  (allowed, host: string) =>
    isIP(host) !== 0 && isInternalAddress(host) && !allowed.allows(host)
      ? `${host} is an internal address`
      : undefined,
  10_000,
);

function retryAfterOf(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** The first {@link RESPONSE_KEPT_BYTES} of the chunks, as UTF-8 text. */
function keptText(chunks: Buffer[]): string {
  const text = Buffer.concat(chunks).subarray(0, RESPONSE_KEPT_BYTES).toString('utf8');
  // A cut multi-byte character becomes U+FFFD; drop it rather than keep half.
  return text.replace(/\uFFFD$/, '');
}

/** The innermost message of an error undici (or the socket under it) raised. */
function messageOf(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/**
 * POSTs `body` to `url` once: no redirect is followed (a 3xx is an answer like any other), the
 * answer counts once its headers and 1 KB of its body (or all of a shorter one) have arrived, and
 * that is bounded by `timeoutMs`.
 *
 * Through undici's `dispatch`, its lowest level, with one timer: `request` with an
 * `AbortSignal.timeout` cost twice the CPU per delivery (docs/benchmarks.md), and sending is
 * most of what a delivery costs the process. `dispatch` may change in a semver-major undici.
 */
export function sendWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { allowed: AllowList; timeoutMs: number },
): Promise<SendResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ latencyMs: 0, error: 'the URL is not valid' });
  }
  const refusal = literalRefusal(options.allowed, target.hostname.replace(/^\[|\]$/g, ''));
  if (refusal) return Promise.resolve({ latencyMs: 0, error: refusal });
  return new Promise((resolve) => {
    let settled = false;
    let controller: Dispatcher.DispatchController | undefined;
    let statusCode = 0;
    let responseHeaders: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    let kept = 0;
    let received = 0;
    const settle = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const answered = () => {
      const retryAfter =
        statusCode === 429 || statusCode === 503
          ? retryAfterOf(responseHeaders['retry-after'], Date.now())
          : undefined;
      settle({
        statusCode,
        latencyMs: latency(),
        responseBody: keptText(chunks),
        ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
      });
    };
    const timeout = () => ({
      latencyMs: latency(),
      error: `no answer within ${options.timeoutMs} ms`,
    });
    const timer = setTimeout(() => {
      // Settled first: aborting reports the abort as an error at once. Not started yet (still
      // connecting, or queued): it is aborted as soon as it starts.
      settle(timeout());
      controller?.abort(new Error('timed out'));
    }, options.timeoutMs);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (settled) started.abort(new Error('timed out'));
      },
      onResponseStart(_controller, status, received) {
        statusCode = status;
        responseHeaders = received;
      },
      onResponseData(current, chunk) {
        received += chunk.length;
        if (kept < RESPONSE_KEPT_BYTES) {
          chunks.push(chunk);
          kept += chunk.length;
          // The answer is known and its log keeps no more: it counts from now.
          if (kept >= RESPONSE_KEPT_BYTES) answered();
        }
        if (received > RESPONSE_DRAINED_BYTES) current.abort(new Error('response body too long'));
      },
      onResponseEnd() {
        answered();
      },
      onResponseError(_controller, error) {
        // Connecting is bounded by the same timeout (the agent's), and reads the same.
        const connectTimeout = (error as { code?: string }).code === 'UND_ERR_CONNECT_TIMEOUT';
        settle(connectTimeout ? timeout() : { latencyMs: latency(), error: messageOf(error) });
      },
    };
    const request = {
      origin: target.origin,
      path: target.pathname + target.search,
      method: 'POST' as const,
      headers,
      body,
    };
    try {
      agentFor(options.allowed, options.timeoutMs).dispatch(request, handler);
    } catch (error) {
      // undici reports through the handler; this is for anything it throws instead.
      settle({ latencyMs: latency(), error: messageOf(error) });
    }
  });
}
