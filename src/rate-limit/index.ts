/**
 * What the app uses of rate-limit/: its three plugins, registered in this order, and the
 * per-credential count the web app's pages go through.
 */
export { rateLimiterPlugin } from './rate-limiter.js';
export { loginRateLimitPlugin } from './login-limit.js';
export { countCredentialRequest, credentialRateLimitPlugin } from './credential-limit.js';
export { clusterCounterHost, MemoryCounterStore } from './counter-store.js';
