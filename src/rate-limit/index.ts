/** What the app uses of rate-limit/: its three plugins, registered in this order. */
export { rateLimiterPlugin } from './rate-limiter.js';
export { loginRateLimitPlugin } from './login-limit.js';
export { credentialRateLimitPlugin } from './credential-limit.js';
