import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import { AppError } from '../core/errors.js';
import { randomToken } from '../core/secrets.js';
import { countCredentialRequest, loginRateLimitPlugin } from '../rate-limit/index.js';
import { precompressed } from './compression.js';
import { chosenLanguage, LANGUAGE_COOKIE, languageOf, translator } from './i18n.js';
import { field, sameToken, sendCompressible, sendPage } from './web.http.js';
import { adminRoutes } from './admin.routes.js';
import { dashboardRoutes } from './dashboard.routes.js';
import { integrationsRoutes } from './integrations.routes.js';
import { fieldsRoutes } from './fields.routes.js';
import { leadRoutes } from './leads.routes.js';
import { STYLESHEET } from './web.assets.js';
import { errorPage, loginPage, SCRIPT_PATH, STYLESHEET_PATH, todayPage } from './web.pages.js';
import { SCRIPT } from './web.script.js';
import { todayOf } from '../leads/index.js';
import { findLine } from '../entities/index.js';
import { localDayOf } from './time.js';
import { sessionOf, signIn, signOut, type WebSession } from './session.service.js';

/** Where the web app lives. */
export const WEB_PREFIX = '/app';
const ASSETS_PREFIX = `${WEB_PREFIX}/assets/`;
/** The session cookie: its token, sent back only to `/app`. */
const SESSION_COOKIE = 'leadline_session';
/** The sign-in form's own token (login CSRF): the form must come from this server. */
const LOGIN_COOKIE = 'leadline_login';

/** The web app under `/app` (docs/web.md), and `/` leading to it. */
export async function webRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app;
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/app'));

  await app.register(
    async (web) => {
      await web.register(cookie);
      await web.register(formbody, { bodyLimit: 16 * 1024 });
      await web.register(helmet, {
        contentSecurityPolicy: {
          useDefaults: false,
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'"],
            imgSrc: ["'self'", 'data:'],
            formAction: ["'self'"],
            frameAncestors: ["'none'"],
            baseUri: ["'none'"],
            objectSrc: ["'none'"],
          },
        },
      });

      const secure = (request: FastifyRequest) => request.protocol === 'https';
      const sessionCookie = (request: FastifyRequest) => request.cookies[SESSION_COOKIE];
      web.decorateRequest('webSession', undefined);
      web.decorateRequest('webLanguage', 'en');
      web.addHook('onRequest', async (request, reply) => {
        // The stylesheet and the script are the same for everyone: no session read for them.
        if (request.url.startsWith(ASSETS_PREFIX)) return;
        request.webLanguage = languageOf(
          request.cookies[LANGUAGE_COOKIE],
          request.headers['accept-language'],
        );
        request.webSession = await sessionOf(ctx, sessionCookie(request));
        if (request.webSession) request.webSession.language = request.webLanguage;
        // A person's pages count against their entity's per-credential limit, as its API calls do.
        if (request.webSession) {
          await countCredentialRequest(app.rateLimiter, request, reply, request.webSession.caller);
        }
      });

      /** The sign-in form, with a fresh form token unless the browser holds one. */
      const showLogin = (
        request: FastifyRequest,
        reply: FastifyReply,
        form: { username?: string; problem?: string } = {},
        status = 200,
      ) => {
        let token = request.cookies[LOGIN_COOKIE];
        if (!token || token.length > 100) {
          token = randomToken();
          void reply.setCookie(LOGIN_COOKIE, token, {
            path: '/app/login',
            httpOnly: true,
            sameSite: 'lax',
            secure: secure(request),
          });
        }
        return sendPage(
          reply,
          loginPage(request.webLanguage, { ...form, csrfToken: token }),
          status,
        );
      };

      web.setErrorHandler(async (error: Error, request, reply) => {
        const known = error instanceof AppError;
        const status = known
          ? error.statusCode
          : ((error as { statusCode?: number }).statusCode ?? 500);
        if (status >= 500) request.log.error({ err: error }, 'web: request failed');
        if (known)
          for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
        // The failed-log-in limits refuse a sign-in before its handler: the form says why.
        const t = translator(request.webLanguage);
        if (status === 429 && request.method === 'POST' && request.url === '/app/login') {
          const username = field(request.body, 'username').trim();
          const problem = t('Too many sign-in attempts: {why}.', { why: error.message });
          return showLogin(request, reply, { username, problem }, 429);
        }
        const message =
          status >= 500 ? t('The server could not answer; try again shortly.') : error.message;
        return sendPage(
          reply,
          errorPage(request.webLanguage, status, message, request.webSession),
          status,
        );
      });
      web.setNotFoundHandler(async (request, reply) => {
        const language = request.webLanguage;
        const message = translator(language)('There is no page at this address.');
        return sendPage(reply, errorPage(language, 404, message, request.webSession), 404);
      });

      // The language switch: kept in a cookie for a year, signed in or not.
      web.get('/language', { schema: { hide: true } }, async (request, reply) => {
        const language = chosenLanguage(field(request.query, 'to'));
        if (language !== undefined) {
          void reply.setCookie(LANGUAGE_COOKIE, language, {
            path: WEB_PREFIX,
            httpOnly: true,
            sameSite: 'lax',
            secure: secure(request),
            maxAge: 365 * 24 * 60 * 60,
          });
        }
        return reply.redirect('/app', 303);
      });

      const assets = [
        { path: STYLESHEET_PATH, type: 'text/css; charset=utf-8', body: precompressed(STYLESHEET) },
        { path: SCRIPT_PATH, type: 'text/javascript; charset=utf-8', body: precompressed(SCRIPT) },
      ];
      for (const asset of assets) {
        web.get(
          asset.path.slice(WEB_PREFIX.length),
          { schema: { hide: true } },
          async (_r, reply) => {
            // Pages ask for it with its digest (web.pages.ts): an address never changes content.
            void reply
              .header('cache-control', 'public, max-age=31536000, immutable')
              .type(asset.type);
            return sendCompressible(reply, asset.body);
          },
        );
      }

      web.get('/', { schema: { hide: true } }, async (request, reply) => {
        const session = request.webSession;
        if (!session) return reply.redirect('/app/login');
        const now = ctx.clock.now();
        const line = await findLine(ctx.store.db, session.caller.orgId, session.caller.entityId);
        const store = line.find((entity) => entity.type === 'STORE')?.code;
        const day = await todayOf(ctx, session.caller, localDayOf(now, session.timeZone), store);
        return sendPage(reply, todayPage(session, { ...day, store, now }));
      });

      web.get('/login', { schema: { hide: true } }, async (request, reply) => {
        if (request.webSession) return reply.redirect('/app');
        return showLogin(request, reply);
      });

      // Its own context: the failed-log-in limits read the form's username before the handler.
      await web.register(async (login) => {
        await login.register(loginRateLimitPlugin, { source: 'form' });
        login.post('/login', { schema: { hide: true } }, async (request, reply) => {
          const username = field(request.body, 'username').trim();
          const password = field(request.body, 'password');
          const formToken = request.cookies[LOGIN_COOKIE] ?? '';
          const t = translator(request.webLanguage);
          if (!sameToken(formToken, field(request.body, '_csrf'))) {
            return showLogin(
              request,
              reply,
              { username, problem: t('The form had expired. Please sign in again.') },
              403,
            );
          }
          if (username === '' || password === '') {
            return showLogin(
              request,
              reply,
              { username, problem: t('Enter your username and password.') },
              400,
            );
          }
          let session: WebSession;
          let token: string;
          try {
            ({ token, session } = await signIn(ctx, username, password, request.verificationGuard));
          } catch (error) {
            if (!(error instanceof AppError) || ![401, 429].includes(error.statusCode)) throw error;
            for (const [name, value] of Object.entries(error.headers)) {
              if (name !== 'www-authenticate') void reply.header(name, value);
            }
            const problem =
              error.statusCode === 401
                ? t('The username or password is wrong.')
                : t('Too many sign-in attempts: {why}.', { why: error.message });
            return showLogin(request, reply, { username, problem }, error.statusCode);
          }
          request.log.info({ entityId: session.caller.entityId }, 'web: signed in');
          return reply
            .clearCookie(LOGIN_COOKIE, { path: '/app/login' })
            .setCookie(SESSION_COOKIE, token, {
              path: '/app',
              httpOnly: true,
              sameSite: 'lax',
              secure: secure(request),
            })
            .redirect('/app', 303);
        });
      });

      await web.register(leadRoutes);
      await web.register(adminRoutes);
      await web.register(integrationsRoutes);
      await web.register(fieldsRoutes);
      await web.register(dashboardRoutes);

      web.post('/logout', { schema: { hide: true } }, async (request, reply) => {
        const session = request.webSession;
        if (session && !sameToken(session.csrfToken, field(request.body, '_csrf'))) {
          const problem = translator(session.language)('The form had expired. Please try again.');
          return sendPage(reply, errorPage(session.language, 403, problem, session), 403);
        }
        await signOut(ctx, sessionCookie(request));
        return reply.clearCookie(SESSION_COOKIE, { path: '/app' }).redirect('/app/login', 303);
      });
    },
    { prefix: WEB_PREFIX },
  );
}
