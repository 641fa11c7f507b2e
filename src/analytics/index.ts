/** What other features may use of analytics/: everything else in the folder is its own. */
export { analyticsRoutes } from './analytics.routes.js';
export { ANALYTICS_SCHEMAS } from './analytics.schemas.js';
