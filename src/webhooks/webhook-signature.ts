import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/): the HMAC-SHA256 of
 * `id.timestamp.body` under the secret's key (the base64 after `whsec_`), as `v1,` + base64.
 * Several secrets (during a rotation) give several signatures, separated by spaces; a receiver
 * accepts the message when one of them verifies.
 */
export function signatureHeader(
  secrets: string[],
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  const content = `${messageId}.${timestampSeconds}.${body}`;
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      return `v1,${createHmac('sha256', key).update(content).digest('base64')}`;
    })
    .join(' ');
}
