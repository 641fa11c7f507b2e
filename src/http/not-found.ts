import type { FastifyInstance } from 'fastify';
import { envelopeItem } from './errors.js';
import { errorEnvelope } from './error-handler.js';

/**
 * Unknown routes answer 404, and a known path with an unsupported method answers 405 with an
 * `Allow` header; Fastify itself answers 404 for both.
 */
export function installNotFoundHandler(app: FastifyInstance): void {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (route) => {
    const source = route.url
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    routes.push({ pattern: new RegExp(`^${source}/?$`), methods: methods.map(String) });
  });

  app.setNotFoundHandler(async (request, reply) => {
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
  });
}
