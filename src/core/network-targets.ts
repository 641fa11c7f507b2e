import { BlockList, isIP } from 'node:net';

/**
 * Which network addresses an outgoing request (a webhook delivery) may reach. Loopback, private,
 * link-local, shared and metadata addresses are refused unless the operator allows them, so an
 * org cannot make Leadline call into the network it runs in (SSRF).
 */

const internal = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, including the 169.254.169.254 metadata service
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const) {
  internal.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['fd00:ec2::254', 128], // the AWS metadata service over IPv6 (inside fc00::/7; named for clarity)
] as const) {
  internal.addSubnet(net, prefix, 'ipv6');
}

/** The address an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) stands for, else itself. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** Whether `address` (an IP literal) is loopback, private, link-local or otherwise internal. */
export function isInternalAddress(address: string): boolean {
  const ip = unmapped(address.replace(/^\[|\]$/g, ''));
  const family = isIP(ip);
  if (family === 0) return false;
  return internal.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** Hosts and networks the operator allows despite the rules (`WEBHOOK_ALLOWED_HOSTS`). */
export type AllowList = {
  /** The entries as given, for the logs and the docs. */
  entries: string[];
  /** Whether a host name or an IP literal is allowed by name or falls in an allowed network. */
  allows(host: string): boolean;
};

/**
 * Parses a comma-separated list of host names, IP addresses and CIDR networks
 * (`pos.example.internal,127.0.0.1,10.20.0.0/16`); answers the problem with the first bad entry.
 */
export function parseAllowList(text: string): AllowList | { problem: string } {
  const names = new Set<string>();
  const networks = new BlockList();
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefixText, ...rest] = entry.split('/');
    const family = isIP(address);
    if (prefixText !== undefined || rest.length > 0) {
      const prefix = Number(prefixText);
      const max = family === 4 ? 32 : 128;
      if (family === 0 || rest.length > 0 || !/^\d+$/.test(prefixText ?? '') || prefix > max) {
        return { problem: `${entry} is not a network (address/prefix)` };
      }
      networks.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else if (family !== 0) {
      networks.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
    } else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry)) {
      names.add(entry.toLowerCase());
    } else {
      return { problem: `${entry} is not a host name, an IP address or a network` };
    }
  }
  return {
    entries,
    allows(host: string): boolean {
      const bare = unmapped(host.replace(/^\[|\]$/g, '').toLowerCase());
      if (names.has(bare)) return true;
      const family = isIP(bare);
      return family !== 0 && networks.check(bare, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
