import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { envelopeItem, errorEnvelope } from '../core/errors.js';

type RoutePattern = { pattern: RegExp; methods: string[] };

/** `/v2/leads/:id(^\\d+$)/status` -> a RegExp matching the concrete paths of that route. */
function pathPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((part) => {
      const param = /^:\w+(?:\((.*)\))?$/.exec(part);
      if (param)
        return param[1] ? `(?:${param[1].replace(/^\^/, '').replace(/\$$/, '')})` : '[^/]+';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * Unknown routes answer 404, and a known path with an unsupported method answers 405 with an
 * `Allow` header; Fastify itself answers 404 for both. Both are decided in `onRequest`, before
 * credentials are checked and before any body is read, as the contract orders its checks.
 */
export function installNotFoundHandler(
  app: FastifyInstance,
  options: {
    /** Path prefixes whose contexts answer unknown routes themselves (the web app's pages). */
    leaveTo?: string[];
  } = {},
): void {
  const leaveTo = options.leaveTo ?? [];
  const ownedElsewhere = (url: string) =>
    leaveTo.some(
      (prefix) => url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`),
    );
  const routes: RoutePattern[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    routes.push({ pattern: pathPattern(route.url), methods: methods.map(String) });
  });

  const answer = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods));
    if (allowed.size > 0) {
      return reply
        .status(405)
        .header('allow', [...allowed].sort().join(', '))
        .send(
          errorEnvelope([
            envelopeItem('METHOD_NOT_ALLOWED', `${request.method} is not supported on ${path}`),
          ]),
        );
    }
    return reply
      .status(404)
      .send(errorEnvelope([envelopeItem('ROUTE_NOT_FOUND', `no route ${request.method} ${path}`)]));
  };

  app.addHook('onRequest', async (request, reply) => {
    if (request.is404 && !ownedElsewhere(request.url)) return answer(request, reply);
  });
  app.setNotFoundHandler(async (request, reply) => answer(request, reply));
}
