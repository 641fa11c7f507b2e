// Longer than 300 lines because everything the document says beyond the routes' own schemas
// (shared headers, one response per error status with its examples, request rules) is in one place.
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { ErrorCatalogue, type CatalogueEntry } from '../core/errors.js';

/**
 * The published OpenAPI document: everything about it that is not in a route's own schema.
 *
 * Routes give their schemas, `operationId`, summary and (in `config.openapi`) what their 200
 * is; a route whose requests or responses carry more than the common
 * headers says so in `config.openapi`. This module adds what every operation shares (request
 * and response headers, one named response per error status with an example of each catalogue
 * code it can carry), and states for the document the request rules that the routes check in
 * code to answer with precise error codes.
 */

/** What a route adds to its operation in the document. */
export type OperationDocs = {
  /** What the 200 response is; a GET without it is described by its summary. */
  ok?: string;
  /** The route reads `If-Match` (optimistic concurrency on a lead). */
  ifMatch?: boolean;
  /** The 200 carries the lead's `ETag`. */
  etag?: boolean;
  /** The route shows extended fields in the `language` header's language. */
  language?: boolean;
  /**
   * JSON-Schema rules over the body (e.g. `anyOf`, `minProperties`) that the document states.
   * The route checks them in code so that each answers with its own error code and message.
   */
  bodyRules?: Record<string, unknown>;
  /** Rules between query parameters, which OpenAPI cannot state in a schema: in words. */
  queryRules?: string;
};

type JsonObject = Record<string, unknown>;

const ERROR_RESPONSES: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'The request is invalid; each error names the field.' },
  401: {
    name: 'Unauthorized',
    description: 'Credentials are missing or not valid. Every cause answers the same.',
  },
  403: { name: 'Forbidden', description: 'The caller’s entity type may not use this route.' },
  404: {
    name: 'NotFound',
    description: 'Nothing with this id in the caller’s org (another org’s data answers the same).',
  },
  409: {
    name: 'Conflict',
    description: 'A request with the same Idempotency-Key is running, or the resource exists.',
  },
  412: { name: 'PreconditionFailed', description: 'If-Match does not match the current ETag.' },
  413: { name: 'PayloadTooLarge', description: 'The body is larger than the server accepts.' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not `application/json`.' },
  422: {
    name: 'IdempotencyKeyReused',
    description: 'The Idempotency-Key was used before for a different request.',
  },
  428: { name: 'PreconditionRequired', description: 'The org requires If-Match on this write.' },
  429: { name: 'TooManyRequests', description: 'A rate limit is reached; retry after the delay.' },
  500: { name: 'InternalError', description: 'An unexpected failure; the message has no detail.' },
  503: {
    name: 'ServiceUnavailable',
    description: 'The store is unreachable or slow, or the server is stopping. Nothing changed.',
  },
  507: { name: 'InsufficientStorage', description: 'The store is full. Nothing changed.' },
};

const retryAfter = {
  description: 'Seconds to wait before retrying.',
  schema: { type: 'integer', minimum: 0 },
};

const rateLimitHeaders = {
  'RateLimit-Limit': {
    description: 'Requests per minute allowed to this credential (when a limit applies).',
    schema: { type: 'integer', minimum: 1 },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current minute.',
    schema: { type: 'integer', minimum: 0 },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the current minute ends.',
    schema: { type: 'integer', minimum: 0 },
  },
};

const ERROR_HEADERS: Record<number, JsonObject> = {
  401: {
    'WWW-Authenticate': {
      description: 'The Basic challenge: `Basic realm="leadline"`.',
      schema: { type: 'string' },
    },
  },
  429: { 'Retry-After': retryAfter, ...rateLimitHeaders },
  503: { 'Retry-After': retryAfter },
  507: { 'Retry-After': retryAfter },
};

/** The catalogue codes an error status can carry, as named examples (CLI-only codes left out). */
function examplesOf(status: number): JsonObject {
  const examples: JsonObject = {};
  for (const [name, entry] of Object.entries(ErrorCatalogue) as Array<[string, CatalogueEntry]>) {
    if (entry.status !== status || /^(CLI|Start-up)\b/.test(entry.when)) continue;
    examples[name] = {
      summary: entry.when,
      value: {
        data: null,
        warnings: [],
        errors: [{ status: false, code: entry.code, message: exampleMessage(name) }],
      },
    };
  }
  return examples;
}

function exampleMessage(name: string): string {
  return name.toLowerCase().replaceAll('_', ' ');
}

/** `components.responses`: one per error status, its headers and an example per code. */
function errorResponses(): JsonObject {
  const responses: JsonObject = {};
  for (const [status, { name, description }] of Object.entries(ERROR_RESPONSES)) {
    const examples = examplesOf(Number(status));
    responses[name] = {
      description,
      // Every authenticated response counts against the credential's limit, errors included.
      headers: { ...rateLimitHeaders, ...ERROR_HEADERS[Number(status)] },
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/ErrorEnvelope' },
          ...(Object.keys(examples).length > 0 ? { examples } : {}),
        },
      },
    };
  }
  return responses;
}

const TAGS = [
  { name: 'auth', description: 'OAuth access tokens for API clients.' },
  { name: 'leads', description: 'Leads, their status, follow-ups and history.' },
  { name: 'events', description: 'The feed of lead changes, in commit order (docs/events.md).' },
  { name: 'reasons', description: 'The org’s reasons for status changes.' },
  { name: 'sub-statuses', description: 'The org’s sub-statuses per status.' },
  { name: 'extended-fields', description: 'Org-defined fields of leads and customers.' },
  { name: 'customers', description: 'Shoppers, found by email or mobile.' },
  { name: 'channels', description: 'Where leads come from (`orgSourceId`).' },
  { name: 'entities', description: 'The calling entity.' },
  {
    name: 'analytics',
    description: 'Read-only lead reports, in JSON or CSV (docs/analytics.md).',
  },
  { name: 'admin', description: 'Org administration, for ADMIN_USER entities.' },
  {
    name: 'webhooks',
    description:
      'Where the org’s lead events are delivered, for ADMIN_USER entities (docs/webhooks.md).',
  },
];

type RouteForDocs = {
  method: string | string[];
  config?: { idempotent?: boolean; openapi?: OperationDocs };
};

/** Adds headers, response descriptions and documented rules to one route's schema. */
export function documentRoute(schema: JsonObject, route: RouteForDocs): JsonObject {
  const docs = route.config?.openapi ?? {};
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const authenticated = !(Array.isArray(schema.security) && schema.security.length === 0);
  const idempotent =
    authenticated &&
    route.config?.idempotent !== false &&
    methods.some((m) => m === 'POST' || m === 'PUT');

  const out: JsonObject = { ...schema };
  const requestHeaders: JsonObject = {};
  if (idempotent) {
    requestHeaders['Idempotency-Key'] = {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description:
        'Makes retries safe: a retry with the same key and request gets the first response again (for 24 h).',
    };
  }
  if (docs.ifMatch) {
    requestHeaders['If-Match'] = {
      type: 'string',
      maxLength: 100,
      description:
        'The ETag of the lead as last read: the write fails with 412 if the lead changed since. Required when the org requires it (428).',
    };
  }
  if (docs.language) {
    requestHeaders['language'] = {
      type: 'string',
      maxLength: 35,
      description: 'Show extended-field labels and values in this language where translated.',
    };
  }
  if (Object.keys(requestHeaders).length > 0) {
    out.headers = { type: 'object', properties: requestHeaders };
  }

  const querystring = schema.querystring as JsonObject | undefined;
  if (querystring && Array.isArray(querystring.required)) {
    // A parameter with a default is optional to the client; the schema lists it as required
    // only because validation fills the default in before the handler runs.
    const properties = (querystring.properties ?? {}) as Record<string, JsonObject>;
    out.querystring = {
      ...querystring,
      required: querystring.required.filter(
        (name: string) => !('default' in (properties[name] ?? {})),
      ),
    };
  }
  if (docs.queryRules && typeof out.description !== 'string') out.description = docs.queryRules;
  else if (docs.queryRules) out.description = `${String(out.description)}\n\n${docs.queryRules}`;

  if (docs.bodyRules && schema.body)
    out.body = { ...(schema.body as JsonObject), ...docs.bodyRules };

  const response = (schema.response ?? {}) as Record<string, JsonObject>;
  const ok = response['200'];
  if (ok) {
    const description = docs.ok ?? (methods.includes('GET') ? schema.summary : undefined);
    const headers: JsonObject = {};
    if (docs.etag) {
      headers['ETag'] = {
        type: 'string',
        description: 'The lead’s version: send it as If-Match on the next write.',
      };
    }
    if (idempotent) {
      headers['Idempotent-Replayed'] = {
        type: 'string',
        enum: ['true'],
        description: 'Present when this is the stored response of an earlier request with the key.',
      };
    }
    if (authenticated) {
      for (const [name, header] of Object.entries(rateLimitHeaders)) {
        headers[name] = { ...header.schema, description: header.description };
      }
    }
    out.response = {
      ...response,
      200: { ...ok, headers, ...(description ? { description } : {}) },
    };
  }
  return out;
}

/** Points every error response at its shared `components.responses` entry. */
function shareErrorResponses(document: JsonObject): JsonObject {
  const paths = (document.paths ?? {}) as Record<string, Record<string, JsonObject>>;
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      const responses = operation.responses as Record<string, JsonObject> | undefined;
      if (!responses) continue;
      for (const status of Object.keys(responses)) {
        const shared = ERROR_RESPONSES[Number(status)];
        if (shared) responses[status] = { $ref: `#/components/responses/${shared.name}` };
      }
    }
  }
  const components = (document.components ?? {}) as JsonObject;
  return { ...document, components: { ...components, responses: errorResponses() } };
}

/**
 * The document's options. `webhooks` is the OpenAPI 3.1 `webhooks` object: the requests Leadline
 * sends, which the composing app passes in (http/ knows no feature).
 */
export function openApiOptions(
  version: string,
  webhooks: Record<string, unknown> = {},
): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Leadline',
        summary: 'Leads, their status, follow-ups and history, for retail stores.',
        description: [
          'The Capillary Leads v2 contract, served by Leadline. Errors and warnings carry codes of',
          'the catalogue in docs/errors.md; every error answers the `ErrorEnvelope`.',
          '',
          'Beside the statuses each operation lists, any request may meet three that belong to no',
          'operation: 405 `METHOD_NOT_ALLOWED` for a method the path lacks (its `Allow` header',
          'lists those it has), and, before any route is chosen, 408 `REQUEST_TIMEOUT` for a',
          'request sent too slowly and 431 `HEADERS_TOO_LARGE`.',
        ].join('\n'),
        version,
      },
      servers: [{ url: '/', description: 'The server that serves this document.' }],
      tags: TAGS,
      components: {
        securitySchemes: {
          basic: {
            type: 'http',
            scheme: 'basic',
            description: 'username:md5hex(password)',
          },
          token: {
            type: 'apiKey',
            in: 'header',
            name: 'X-CAP-API-OAUTH-TOKEN',
            description: 'An access token from POST /v3/oauth/token/generate.',
          },
        },
      },
      security: [{ basic: [] }, { token: [] }],
    },
    // Shared schemas appear under their own names (Lead, FollowUp, …), not def-0, def-1, ….
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    transform: ({ schema, url, route }) =>
      schema
        ? { schema: documentRoute(schema as unknown as JsonObject, route), url }
        : { schema, url },
    transformObject: (documentObject) =>
      'openapiObject' in documentObject
        ? shareErrorResponses({ ...documentObject.openapiObject, webhooks })
        : documentObject.swaggerObject,
  };
}
