// The HTTP server. The security pipeline is the list below, in order; each line says why it sits
// where it does (STYLE.md habit 6).
import crypto from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Services } from '../app.ts';
import { localOrigin } from '../config.ts';
import { DEFAULT_MAX_BYTES } from '../modules/residents/decode.ts';
import { ForbiddenError, MissingActorError } from '../security/guard.ts';
import { relyingPartyFor } from '../security/webauthn.ts';
import { loadAssets } from './assets.ts';
import { childLoggerFactory } from './logger.ts';
import type { FastifyChildLoggerFactory } from 'fastify/types/logger.js';
import { html } from './html.ts';
import { pickLocale, translator } from './i18n.ts';
import { sendPage, viewContext } from './request-context.ts';
import { registerAccountRoutes } from './routes/accounts.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerCoverageRoutes } from './routes/coverage.ts';
import { registerSettingsRoutes } from './routes/settings.ts';
import { registerAccessDigestRoutes } from './routes/access-digests.ts';
import { registerHomeRoutes } from './routes/home.ts';
import { registerRecordDocumentRoutes } from './routes/record-documents.ts';
import { registerRecordRoutes } from './routes/records.ts';
import { registerResidentRoutes } from './routes/residents.ts';
import { registerScheduleRoutes } from './routes/schedule.ts';
import { registerSelectionRoutes } from './routes/selection.ts';
import { registerVenueRoutes } from './routes/venue.ts';
import { registerWebAuthnRoutes } from './routes/webauthn.ts';
import { layout, messageBox } from './views/layout.ts';

export interface ServerOptions {
  services: Services;
  logger: Logger;
  secureCookies: boolean;
  /** Pre-filled on the sign-in page. */
  defaultTenant?: string | undefined;
  /** Requests per minute per client address. */
  rateLimitPerMinute?: number;
  /** The origin staff browse to (WebAuthn relying party), read per request; default http://localhost:3000. */
  origin?: () => string;
  /** Largest file accepted by an upload (resident register files); default DEFAULT_MAX_BYTES (512 MB). */
  maxUploadBytes?: number;
}

export const SESSION_COOKIE = 'sesshu_session';
const TERMINAL_COOKIE = 'sesshu_terminal';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    childLoggerFactory: childLoggerFactory as unknown as FastifyChildLoggerFactory,
    genReqId: () => crypto.randomUUID(),
    bodyLimit: 1024 * 1024, // uploads have their own, larger limit on their route
    trustProxy: false,
  });
  const { services } = opts;
  const cookieOpts = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: opts.secureCookies };

  // 1. Headers: strict CSP (no inline script at all), no referrer, frame denial — before anything can respond.
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Only over TLS: on plain-http localhost it would send form posts to https (stack-probe §5).
        upgradeInsecureRequests: opts.secureCookies ? [] : null,
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: opts.secureCookies,
  });
  // 2. Rate limit: per client address, before any work is spent on the request.
  await app.register(rateLimit, { max: opts.rateLimitPerMinute ?? 600, timeWindow: '1 minute' });
  // 3. Cookies and form bodies: needed by the session and CSRF steps.
  await app.register(cookie);
  await app.register(formbody);
  // Multipart is only marked here; the upload route reads it itself, after access and CSRF (routes/residents.ts).
  const maxUploadBytes = opts.maxUploadBytes ?? DEFAULT_MAX_BYTES;
  await app.register(multipart, { limits: { fileSize: maxUploadBytes, files: 1, fields: 10, fieldSize: 4096, parts: 12 } });
  // 4. CSRF secret in a SameSite=Strict cookie; the token is checked on unsafe methods in step 6.
  await app.register(csrf, { cookieOpts: { ...cookieOpts, signed: false } });
  // OpenAPI document of the JSON API (HTML routes are hidden from it).
  await app.register(swagger, {
    openapi: { info: { title: 'sesshu API', version: '0.1.0', description: '予防接種台帳 JSON API' } },
  });

  // Every route, as registered: the tenant-isolation test walks this list, so a new route is
  // attacked by the test the day it is added.
  const routeTable: { method: string; url: string }[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: route.url });
  });

  app.decorateRequest('staff', null);
  app.decorateRequest('locale', 'ja');
  app.decorateRequest('terminalId', '');

  // 5. Authentication: the session cookie → the actor (or null); locale and terminal id too.
  app.addHook('onRequest', async (request, reply) => {
    const q = request.query as Record<string, unknown> | undefined;
    request.locale = pickLocale(q?.lang, request.cookies.lang);
    if (q?.lang === 'ja' || q?.lang === 'en') reply.setCookie('lang', q.lang, { ...cookieOpts, httpOnly: false, maxAge: 31_536_000 });
    request.terminalId = terminalIdOf(request, reply, cookieOpts);
    if (request.url.startsWith('/assets/') || request.url === '/healthz') return;
    request.staff = await services.sessions.resolve(request.cookies[SESSION_COOKIE]);
    if (request.staff) request.log = request.log.child({ user: request.staff.actor.userId, tenant: request.staff.actor.municipalityCode });
  });

  // 6. Access and CSRF, for every route from its config — not remembered route by route.
  app.addHook('preHandler', async (request, reply) => {
    const access = request.routeOptions.config.access ?? 'staff';
    const stage = request.staff?.stage;
    if (access === 'staff' && stage !== 'active') return denyUnauthenticated(request, reply, stage);
    if (access === 'signing-in' && (!stage || stage === 'active')) return reply.redirect(stage ? '/' : '/login');
    if (UNSAFE_METHODS.has(request.method)) {
      await new Promise<void>((resolve, reject) => {
        app.csrfProtection(request, reply, (err?: Error) => (err ? reject(err) : resolve()));
      });
    }
  });

  // 7. Routes.
  const assets = loadAssets();
  app.get('/assets/:name', { schema: { hide: true }, config: { access: 'public' } }, async (request, reply) => {
    const asset = assets.get((request.params as { name: string }).name);
    if (!asset) return reply.status(404).send();
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Liveness and database check',
        response: { 200: { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string' } } } },
      },
    },
    async () => {
      await services.db.query('SELECT 1');
      return { status: 'ok', database: services.db.engine };
    },
  );
  app.get('/api/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());
  registerAuthRoutes(app, services, { sessionCookie: SESSION_COOKIE, cookieOpts, defaultTenant: opts.defaultTenant });
  registerHomeRoutes(app);
  registerAuditRoutes(app, services);
  registerAccountRoutes(app, services);
  registerScheduleRoutes(app);
  registerSelectionRoutes(app, services);
  registerVenueRoutes(app, services);
  registerRecordDocumentRoutes(app, services);
  registerRecordRoutes(app, services);
  registerResidentRoutes(app, services, { maxUploadBytes });
  registerCoverageRoutes(app, services);
  registerSettingsRoutes(app, services);
  registerAccessDigestRoutes(app, services);
  const origin = opts.origin ?? (() => localOrigin(3000));
  registerWebAuthnRoutes(app, services, { relyingParty: () => relyingPartyFor(origin()) });

  // 8. Not found and errors: a page (or JSON for the API) that never echoes input or personal data.
  app.setNotFoundHandler((request, reply) => respondError(request, reply, 404));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (err instanceof ForbiddenError) return respondError(request, reply, 403);
    if (err instanceof MissingActorError) return respondError(request, reply, 401);
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error({ err }, 'request failed');
    return respondError(request, reply, status, status < 500 ? err.message : undefined);
  });
  return app;
}

function terminalIdOf(request: FastifyRequest, reply: FastifyReply, cookieOpts: object): string {
  const existing = request.cookies[TERMINAL_COOKIE];
  if (existing && /^[0-9a-f-]{36}$/.test(existing)) return existing;
  const id = crypto.randomUUID();
  reply.setCookie(TERMINAL_COOKIE, id, { ...cookieOpts, maxAge: 31_536_000 });
  return id;
}

function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || (request.headers.accept ?? '').includes('application/json');
}

function denyUnauthenticated(request: FastifyRequest, reply: FastifyReply, stage: string | undefined): FastifyReply {
  if (wantsJson(request)) return reply.status(401).send({ error: 'unauthenticated', message: 'sign in first' });
  const next = stage === 'password_change' ? '/password' : stage === 'totp_enrol' ? '/totp/enrol' : stage === 'totp' ? '/totp' : '/login';
  return reply.redirect(next);
}

function respondError(request: FastifyRequest, reply: FastifyReply, status: number, message?: string): FastifyReply {
  const t = translator(request.locale ?? 'ja');
  const text = status === 404 ? t('notFound') : status === 403 ? t('forbidden') : status === 401 ? t('login') : status >= 500 ? t('serverError') : (message ?? 'Bad request');
  if (wantsJson(request)) return reply.status(status).send({ error: status, message: text });
  const title = status === 404 ? '404' : status === 403 ? '403' : String(status);
  return sendPage(reply, layout(viewContext(request, reply), title, html`${messageBox('error', text)}`), status);
}
