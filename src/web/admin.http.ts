import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import type { WebSession } from './session.service.js';
import { translator, type Text } from './i18n.js';
import { field, sameToken, sessionOr } from './web.http.js';

/**
 * What every administrator's page (admin.routes.ts, integrations.routes.ts) does the same way:
 * who may see it, the form token, a use case's refusal shown on the form, the list's page.
 */

/** The session when it is an administrator's; 403 (as a page) for anyone else signed in. */
export function adminOr(request: FastifyRequest, reply: FastifyReply): WebSession | undefined {
  const session = sessionOr(request, reply);
  if (session && session.caller.entityType !== 'ADMIN_USER') {
    const t = translator(session.language);
    throw AppError.of('FORBIDDEN', t('Only an administrator of the org may use this page.'));
  }
  return session;
}

/** The `page` a list's link asks for: a whole number from 1, else the first. */
export function pageOf(request: FastifyRequest): number {
  const raw = field(request.query, 'page');
  return /^\d{1,6}$/.test(raw) && Number(raw) > 0 ? Number(raw) : 1;
}

/** A form post's token checked: a mismatch is refused as a 403 page, nothing changed. */
export function checkToken(session: WebSession, body: unknown): void {
  if (!sameToken(session.csrfToken, field(body, '_csrf'))) {
    const t = translator(session.language);
    throw AppError.of('FORBIDDEN', t('The form had expired. Please try again.'));
  }
}

/**
 * Runs `change`; a refusal the use case explains comes back as the page's problem. A 404 is
 * not the form's: it is answered as the error page, as another org's thing is.
 */
export async function attempt<T>(
  change: () => Promise<T>,
): Promise<{ done: T } | { error: AppError }> {
  try {
    return { done: await change() };
  } catch (error) {
    if (!(error instanceof AppError) || error.statusCode >= 500 || error.statusCode === 404) {
      throw error;
    }
    return { error };
  }
}

/** A path's `:id`: a positive whole number, else 0 (which no row has). */
export function idParam(request: FastifyRequest): number {
  const raw = (request.params as { id?: string }).id ?? '';
  return /^\d{1,15}$/.test(raw) ? Number(raw) : 0;
}

/** What a page says after the change that led to it (`?done=` one of `notices`' keys). */
export function noticeOf(
  request: FastifyRequest,
  session: WebSession,
  notices: Record<string, Text>,
): string | undefined {
  const done = field(request.query, 'done');
  const text = Object.hasOwn(notices, done) ? notices[done] : undefined;
  return text && translator(session.language)(text);
}
