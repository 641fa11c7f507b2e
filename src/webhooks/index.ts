/** What other parts may use of webhooks/: the admin routes and the CLI's entry points. */
export { webhookRoutes } from './webhook.routes.js';
export {
  createWebhook,
  createWebhookFromCli,
  listWebhooks,
  removeWebhook,
  rotateWebhookSecret,
  setWebhookEnabled,
  webhookIdOption,
  webhookNotFound,
} from './webhook.service.js';
export { WebhookCreateBody, WebhookEndpoint } from './webhook.schemas.js';
export {
  DeliveryQuery,
  WebhookDelivery,
  WebhookReplayBody,
  type WebhookHealth,
} from './delivery.schemas.js';
export { startWebhookDispatcher } from './delivery.scheduler.js';
export {
  dispatchWebhooks,
  endpointHealth,
  listDeliveries,
  replayEvents,
  webhookBacklog,
} from './delivery.service.js';
export { webhooksDocument } from './webhook.openapi.js';
