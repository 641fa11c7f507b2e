import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import type { AppContext } from './core/context.js';
import { TOKEN_HEADER } from './auth/authenticate.js';
import type { Caller } from './core/caller.js';
import { oauthRoutes } from './auth/oauth.routes.js';
import { authenticationPlugin } from './auth/index.js';
import { idempotencyPlugin } from './idempotency/index.js';
import {
  credentialRateLimitPlugin,
  loginRateLimitPlugin,
  rateLimiterPlugin,
} from './rate-limit/index.js';
import { installContractHooks } from './contract-hooks.js';
import { installJsonParser } from './http/json-parser.js';
import { installNotFoundHandler } from './http/not-found.js';
import { createRequire } from 'node:module';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { TrustProxy } from './core/trust-proxy.js';
import { EnvelopeItem as EnvelopeItemSchema, ErrorEnvelope, StringEnum } from './http/schemas.js';
import { openApiOptions } from './http/openapi.js';
import { validatorCompiler } from './http/validation.js';
import { AppError, envelopeItem, type EnvelopeItem } from './core/errors.js';
import {
  clientErrorHandler,
  installRequestDeadline,
  STORE_RETRY_AFTER_SECONDS,
} from './http/faults.js';
import { installErrorHandler } from './http/error-handler.js';
import { errorEnvelope } from './core/errors.js';
import { leadRoutes } from './leads/lead.routes.js';
import { eventRoutes } from './events/event.routes.js';
import { LeadEvent } from './events/event.schemas.js';
import {
  WebhookDelivery,
  WebhookEndpoint,
  webhookBacklog,
  webhookRoutes,
  webhooksDocument,
} from './webhooks/index.js';
import { FollowUp, Lead, LeadResponse, StatusLog } from './leads/lead.schemas.js';
import { AdminReason, AdminReasonResponse, Reason } from './reasons/reason.schemas.js';
import { CustomerResponse } from './customers/customer.schemas.js';
import { Channel } from './channels/channel.schemas.js';
import { SubStatus } from './sub-statuses/sub-status.schemas.js';
import { FieldDefinition, FieldResponse } from './extended-fields/extended-field.schemas.js';
import { Entity, EntityResponse } from './entities/index.js';
import { SettingsResponse } from './orgs/index.js';
import { AuditEntry } from './audit/index.js';
import { reasonRoutes } from './reasons/reason.routes.js';
import { subStatusRoutes } from './sub-statuses/sub-status.routes.js';
import { installAdminGuard } from './admin/admin-guard.js';
import { adminRoutes } from './admin/admin.routes.js';
import { channelRoutes } from './channels/channel.routes.js';
import { entityRoutes } from './entities/entity.routes.js';
import { customerRoutes } from './customers/customer.routes.js';
import { extendedFieldAdminRoutes } from './extended-fields/extended-field.admin-routes.js';
import { reasonAdminRoutes } from './reasons/reason.admin-routes.js';
import { extendedFieldRoutes } from './extended-fields/extended-field.routes.js';
import { analyticsRoutes, ANALYTICS_SCHEMAS } from './analytics/index.js';
import { WEB_PREFIX, webRoutes } from './web/index.js';

/** The package's version: the OpenAPI document's `info.version`. */
const LEADLINE_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;

export type BuildAppOptions = {
  /** Pino options, or false for no logging (tests); `stream` is where log lines go. */
  logger?: boolean | { level: string; stream?: { write(line: string): void } };
  /**
   * Benchmark builds only (`scripts/bench-server.ts`): every authenticated route runs as this
   * caller without reading credentials, so the bench can measure what authentication costs.
   * Nothing in `leadline serve` or the configuration can set it.
   */
  benchmarkFixedCaller?: Caller;
  /**
   * `leadline serve` listens before it migrates, so that a long migration is not mistaken for a
   * dead process: while `migrating` is true every request but the health checks and the metrics
   * answers 503 STARTING_UP, and `/health/ready` says `migrating`.
   */
  startup?: { migrating: boolean };
};

/** An `X-Request-Id` from the proxy is kept when it is this plain; else a new one is made. */
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Routes that answer while the server starts: the probes and the metrics. */
const ALWAYS_OPEN = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

/** Fastify's `trustProxy` for TRUST_PROXY (its types lack the hop count it takes at run time). */
function trustProxyOption(
  trust: TrustProxy,
): boolean | string[] | ((a: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/** Whether `Authorization: Bearer TOKEN` names `token`, in time that does not depend on it. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * Builds the Leadline HTTP app around a context. The caller owns the context's store; closing
 * the app does not close it. Tests call this too, with `app.inject`.
 *
 * @example const app = await buildApp(ctx); await app.listen({ port: 8080 });
 */
export async function buildApp(
  ctx: AppContext,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const logger =
    options.logger === undefined || options.logger === true
      ? { level: ctx.config.logLevel }
      : options.logger;
  const app = Fastify({
    logger:
      logger === false
        ? false
        : {
            ...logger,
            // Credentials never reach the logs, whatever a future serializer adds.
            redact: ['req.headers.authorization', `req.headers["${TOKEN_HEADER}"]`],
          },
    bodyLimit: ctx.config.bodyLimitBytes,
    // Every request has a time bound: its headers, the whole request as received (a client
    // trickling a body a byte a second is cut off), then the server's own work (the deadline
    // hook below). Node checks the first two every second.
    requestTimeout: ctx.config.requestBodyTimeoutMs,
    http: {
      headersTimeout: Math.min(ctx.config.headersTimeoutMs, ctx.config.requestBodyTimeoutMs),
      connectionsCheckingInterval: 1000,
      maxHeaderSize: 16 * 1024,
    },
    clientErrorHandler,
    // Client address and scheme from X-Forwarded-* only through the proxies TRUST_PROXY names:
    // rate limits key on the address, and web cookies are Secure when the scheme is https.
    trustProxy: trustProxyOption(ctx.config.trustProxy),
    // Every request has an id, on its log lines and in its answer's X-Request-Id: the proxy's
    // when it sends one that is plain enough to log, else a new one.
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // New requests during shutdown answer in the envelope (the hook below), not Fastify's.
    return503OnClosing: false,
    // Fastify's default JSON parser already refuses __proto__ and constructor.prototype keys.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Router-level failures (bad URL encoding, an over-long path segment) answer in the
    // contract's envelope like every other error.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply
        .status(tooLong ? 404 : 400)
        .send(
          errorEnvelope([
            tooLong
              ? envelopeItem('ROUTE_NOT_FOUND', 'no route has a path segment this long')
              : envelopeItem('BAD_REQUEST', 'the request URL is malformed'),
          ]),
        );
    },
  });
  app.decorate('ctx', ctx);
  app.decorateRequest('caller', undefined);
  app.decorateRequest('verificationGuard', undefined);
  // While the server shuts down, answers close their connection: a keep-alive connection whose
  // request was in flight at SIGTERM would otherwise hold the shutdown until its idle timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    if (options.startup?.migrating && !ALWAYS_OPEN.has(request.url.split('?')[0] ?? '')) {
      throw AppError.of('STARTING_UP', 'the server is applying migrations; retry shortly', {
        'retry-after': '1',
      });
    }
    if (closing) {
      void reply.header('connection', 'close');
      throw AppError.of('SHUTTING_DOWN', 'the server is shutting down; retry shortly', {
        'retry-after': '1',
      });
    }
  });
  installRequestDeadline(app, ctx.config.requestTimeoutMs);
  app.addHook('onSend', async (_request, reply) => {
    if (closing) void reply.header('connection', 'close');
  });
  app.decorateRequest('warnings', null as unknown as EnvelopeItem[]);
  app.decorateRequest('inputErrors', null as unknown as FastifyRequest['inputErrors']);
  app.decorateRequest('rawParams', null as unknown as FastifyRequest['rawParams']);
  app.decorateRequest('fingerprint', '');
  app.addHook('onRequest', async (request) => {
    // Fresh arrays per request: a shared default would leak items across requests.
    request.warnings = [];
    request.inputErrors = [];
  });
  app.setValidatorCompiler(validatorCompiler);
  app.removeContentTypeParser('text/plain');
  installJsonParser(app);
  // Shapes the responses share, each under its own name: routes refer to them with `ref()`.
  for (const schema of [
    EnvelopeItemSchema,
    ErrorEnvelope,
    FollowUp,
    StatusLog,
    Lead,
    LeadResponse,
    Reason,
    AdminReason,
    AdminReasonResponse,
    CustomerResponse,
    Channel,
    SubStatus,
    FieldDefinition,
    FieldResponse,
    Entity,
    EntityResponse,
    SettingsResponse,
    AuditEntry,
    LeadEvent,
    WebhookEndpoint,
    WebhookDelivery,
    ...ANALYTICS_SCHEMAS,
  ]) {
    app.addSchema(schema);
  }
  installErrorHandler(app);
  installNotFoundHandler(app, { leaveTo: [WEB_PREFIX] });

  await app.register(swagger, openApiOptions(LEADLINE_VERSION, webhooksDocument()));
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // Kubernetes-style probes (docs/deploy.md): live while the process answers at all; ready when
  // it should be sent requests: migrated, and the store answering (its real state within
  // HEALTH_TIMEOUT_MS: a probe query, and whether the latest write found the store full, which
  // a read cannot see). `/health`, the older probe, is readiness. While the server shuts down
  // every request, the probes too, answers 503 SHUTTING_DOWN (the hook above).
  app.get(
    '/health/live',
    { schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  const readiness = {
    schema: {
      hide: true,
      response: {
        200: Type.Object({ status: Type.Literal('ok') }),
        503: Type.Object({ status: StringEnum(['migrating', 'unavailable', 'full'] as const) }),
      },
    },
  };
  const ready = async (_request: FastifyRequest, reply: FastifyReply) => {
    const status = options.startup?.migrating
      ? 'migrating'
      : await ctx.store.health(ctx.config.healthTimeoutMs);
    if (status === 'ok') return { status };
    return reply
      .status(503)
      .header('retry-after', String(STORE_RETRY_AFTER_SECONDS))
      .send({ status });
  };
  app.get('/health', readiness, ready);
  app.get('/health/ready', readiness, ready);
  ctx.metrics.watch({
    poolUsage: () => ctx.store.poolUsage(),
    webhookBacklog: () => webhookBacklog(ctx),
  });
  if (ctx.config.metricsToken !== '') {
    const token = ctx.config.metricsToken;
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (!bearerMatches(request.headers.authorization, token)) {
        // The same answer as a route that does not exist: the token is the only way in.
        return reply
          .status(404)
          .send(errorEnvelope([envelopeItem('ROUTE_NOT_FOUND', 'no route GET /metrics')]));
      }
      return reply
        .header('content-type', ctx.metrics.registry.contentType)
        .send(await ctx.metrics.registry.metrics());
    });
  }
  // Each route's label, worked out once per route rather than per request.
  const routeLabels = new Map<string, string>();
  const routeLabel = (url: string | undefined): string => {
    if (url === undefined) return 'unmatched';
    let label = routeLabels.get(url);
    if (label === undefined) {
      // A parameter's pattern is left out: `/v2/leads/:id`, not `/v2/leads/:id(^\d+$)`.
      label = url.replace(/(:\w+)\([^/]*\)/g, '$1');
      routeLabels.set(url, label);
    }
    return label;
  };
  app.addHook('onResponse', async (request, reply) => {
    // The route's pattern, never the raw URL: ids and 404 probes must not make new series.
    const labels = {
      method: request.method,
      route: routeLabel(request.routeOptions.url),
      status: String(reply.statusCode),
    };
    ctx.metrics.httpRequests.inc(labels);
    ctx.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    if (reply.statusCode === 429) ctx.metrics.rateLimited.inc({ route: labels.route });
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Credentials are checked in `onRequest`, before the body is read, by plugins that run in the
  // order they are registered (each declares the ones it needs before it).
  await app.register(rateLimiterPlugin);
  // The web app: sessions, not the API's credentials (docs/web.md).
  await app.register(webRoutes);
  await app.register(async (open) => {
    // The token route's credential is its body's client key: limited once the body is parsed.
    await open.register(loginRateLimitPlugin, { source: 'body-key' });
    installContractHooks(open);
    await open.register(oauthRoutes);
  });
  await app.register(async (api) => {
    await api.register(loginRateLimitPlugin, { source: 'basic' });
    await api.register(authenticationPlugin, { fixedCaller: options.benchmarkFixedCaller });
    await api.register(credentialRateLimitPlugin);
    await api.register(idempotencyPlugin);
    installContractHooks(api);
    await api.register(reasonRoutes);
    await api.register(subStatusRoutes);
    await api.register(leadRoutes);
    await api.register(eventRoutes);
    await api.register(extendedFieldRoutes);
    await api.register(customerRoutes);
    await api.register(channelRoutes);
    await api.register(entityRoutes);
    await api.register(analyticsRoutes);
    await api.register(async (admin) => {
      installAdminGuard(admin);
      await admin.register(adminRoutes);
      await admin.register(extendedFieldAdminRoutes);
      await admin.register(reasonAdminRoutes);
      await admin.register(webhookRoutes);
    });
  });
  return app;
}
