/** What other parts use of idempotency/: everything else in the folder is its own. */
export { IDEMPOTENCY_HEADER, idempotencyPlugin, requestFingerprint } from './idempotency.plugin.js';
