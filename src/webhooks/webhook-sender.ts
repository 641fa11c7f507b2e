import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isInternalAddress, type AllowList } from '../core/network-targets.js';

/** The most of a response body a delivery keeps for its log. */
export const RESPONSE_KEPT_BYTES = 1024;

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
function guardedLookup(host: string, allowed: AllowList): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as Array<{ address: string; family: number }>;
      const usable = allowed.allows(host)
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
 * Kept-alive connections, per protocol: a busy endpoint is not paid a TCP (and TLS) handshake per
 * delivery. Each request still passes the guarded lookup, which a new connection uses.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 16 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

function retryAfterOf(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * POSTs `body` to `url` once: no redirect is followed (a 3xx is an answer like any other), the
 * response is read up to 1 KB, and the whole exchange is bounded by `timeoutMs`.
 */
export function sendWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { allowed: AllowList; timeoutMs: number },
): Promise<SendResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ latencyMs: 0, error: 'the URL is not valid' });
      return;
    }
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && isInternalAddress(host) && !options.allowed.allows(host)) {
      resolve({ latencyMs: 0, error: `${host} is an internal address` });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body).toString() },
        lookup: guardedLookup(host, options.allowed),
        agent: target.protocol === 'https:' ? agents['https:'] : agents['http:'],
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = () => {
          const text = Buffer.concat(chunks).subarray(0, RESPONSE_KEPT_BYTES).toString('utf8');
          const statusCode = response.statusCode ?? 0;
          const retryAfter =
            statusCode === 429 || statusCode === 503
              ? retryAfterOf(response.headers['retry-after'], Date.now())
              : undefined;
          finish({
            statusCode,
            latencyMs: latency(),
            // A cut multi-byte character becomes U+FFFD; drop it rather than keep half.
            responseBody: text.replace(/\uFFFD$/, ''),
            ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
          });
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          if (kept < RESPONSE_KEPT_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
          if (kept >= RESPONSE_KEPT_BYTES) done();
        });
        response.on('end', done);
        response.on('error', (error) => finish({ latencyMs: latency(), error: error.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ latencyMs: latency(), error: `no answer within ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({ latencyMs: latency(), error: error.message }),
    );
    request.end(body);
  });
}
