import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../core/errors.js';
import { LEAD_STATUSES, type LeadStatus } from '../db/schema.js';
import { compress, COMPRESS_FROM_BYTES, encodingFor } from './compression.js';
import type { SafeHtml } from './html.js';
import type { Language } from './i18n.js';
import type { WebSession } from './session.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The web app's session of the request (`/app` only), when it has one that holds. */
    webSession: WebSession | undefined;
    /** The language of the request's pages (`/app` only): the browser's choice, else English. */
    webLanguage: Language;
  }
}

/** A form field's text, or '' when the field is missing or not text. */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** A form field's texts (checkboxes of one name): one value arrives as text, several as a list. */
export function fieldList(body: unknown, name: string): string[] {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}

/** The session, or a redirect to the sign-in form (answered) when there is none. */
export function sessionOr(request: FastifyRequest, reply: FastifyReply): WebSession | undefined {
  if (!request.webSession) void reply.redirect('/app/login');
  return request.webSession;
}

/** Whether a form's text is one of the lead statuses. */
export const isLeadStatus = (value: string): value is LeadStatus =>
  (LEAD_STATUSES as readonly string[]).includes(value);

/** The messages of an error a use case threw, for a person to read. */
export const messagesOf = (error: AppError): string =>
  error.items.map((item) => item.message).join('; ');

/** Whether two tokens are the same, in time independent of where they differ. */
export function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/**
 * Sends `body` compressed as the request accepts (brotli or gzip) when it is large enough to
 * gain, with `Vary: Accept-Encoding` either way so that no cache mixes the two.
 */
export function sendCompressible(
  reply: FastifyReply,
  body: Buffer | { plain: Buffer; br: Buffer; gzip: Buffer },
) {
  void reply.header('vary', 'accept-encoding');
  const plain = Buffer.isBuffer(body) ? body : body.plain;
  const encoding =
    plain.length >= COMPRESS_FROM_BYTES
      ? encodingFor(reply.request.headers['accept-encoding'])
      : undefined;
  if (encoding === undefined) return reply.send(plain);
  void reply.header('content-encoding', encoding);
  return reply.send(Buffer.isBuffer(body) ? compress(plain, encoding) : body[encoding]);
}

/** Answers a page: HTML, never cached (pages show one person's data), compressed. */
export function sendPage(reply: FastifyReply, page: SafeHtml, status = 200) {
  void reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8');
  return sendCompressible(reply, Buffer.from(page.text));
}
