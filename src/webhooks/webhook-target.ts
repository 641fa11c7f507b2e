import { isIP } from 'node:net';
import { isInternalAddress, type AllowList } from '../core/network-targets.js';

/**
 * The rules for a webhook's URL (docs/webhooks.md, Safety), checked when an endpoint is created;
 * deliveries check the address the name resolves to again, against DNS rebinding. Answers why
 * the URL is refused, or undefined when it is accepted.
 */
export function urlProblem(text: string, allowed: AllowList): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return 'must be an https URL';
  }
  if (url.username !== '' || url.password !== '') {
    return 'must not hold a user name or password';
  }
  if (url.hash !== '') return 'must not hold a #fragment';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (allowed.allows(host)) return undefined;
  if (url.protocol !== 'https:') {
    return 'must be an https URL (plain http only for a host in WEBHOOK_ALLOWED_HOSTS)';
  }
  if (isIP(host) !== 0 ? isInternalAddress(host) : isInternalName(host)) {
    return `must not point to an internal address (${host}); an operator allows one with WEBHOOK_ALLOWED_HOSTS`;
  }
  return undefined;
}

/** Names that always mean this machine or its network, whatever DNS says. */
function isInternalName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name.endsWith('.internal') ||
    name.endsWith('.local') ||
    !name.includes('.')
  );
}
