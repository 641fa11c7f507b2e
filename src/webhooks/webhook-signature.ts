import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/): the HMAC-SHA256 of
 * `id.timestamp.body` under the secret's key (the base64 after `whsec_`), as `v1,` + base64.
 */

/** The HMAC key of a `whsec_…` secret: decoded once, for every delivery of a round. */
export function signingKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret.replace(/^whsec_/, ''), 'base64'));
}

/**
 * The `webhook-signature` header: one `v1,` signature per key, separated by spaces (several
 * during a rotation); a receiver accepts the message when one of them verifies.
 */
export function signatureHeader(
  keys: KeyObject[],
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  const prefix = `${messageId}.${timestampSeconds}.`;
  return keys
    .map((key) => `v1,${createHmac('sha256', key).update(prefix).update(body).digest('base64')}`)
    .join(' ');
}
