/** What other features may use of analytics/: everything else in the folder is its own. */
export { analyticsRoutes } from './analytics.routes.js';
export { ANALYTICS_SCHEMAS } from './analytics.schemas.js';
export type {
  AnalyticsQuery,
  DemandReport,
  FollowUpsReport,
  FunnelReport,
  LostReasonsReport,
  WinRateReport,
} from './analytics.schemas.js';
export {
  demandReport,
  followUpsReport,
  funnelReport,
  lostReasonsReport,
  winRateReport,
  type ReportName,
} from './analytics.service.js';
export { reportCsv } from './analytics.csv.js';
