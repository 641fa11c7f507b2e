import { isIP } from 'node:net';

/**
 * Which proxies in front of Leadline are believed about the client (`TRUST_PROXY`,
 * docs/deploy.md): nobody (`false`, the default: `X-Forwarded-*` headers are ignored, so a
 * client cannot pick its own address to dodge a rate limit); the nearest `N` hops; or requests
 * arriving from the listed addresses and networks. Fastify's `trustProxy` takes these as is.
 */
export type TrustProxy = false | number | string[];

/** Names proxy-addr (Fastify's) understands for well-known ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function entryProblem(entry: string): string | undefined {
  if (RANGE_NAMES.has(entry)) return undefined;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0)
    return `"${entry}" is not an IP address, a CIDR network or one of ${[...RANGE_NAMES].join(', ')}`;
  if (prefix === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) {
    return `"${entry}" has a prefix length that is not 0 to ${bits}`;
  }
  return undefined;
}

/**
 * Parses `TRUST_PROXY`: empty for none, a whole number of hops (`1`: the one proxy in front),
 * or comma-separated addresses, CIDR networks and range names (`127.0.0.1,10.0.0.0/8`).
 * There is deliberately no "trust everyone": say how many hops instead.
 */
export function parseTrustProxy(value: string): { trustProxy: TrustProxy } | { problem: string } {
  const text = value.trim();
  if (text === '') return { trustProxy: false };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops < 1 || hops > 10) return { problem: 'a number of hops must be from 1 to 10' };
    return { trustProxy: hops };
  }
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const problem = entryProblem(entry);
    if (problem) return { problem };
  }
  return { trustProxy: entries };
}
