// What the pipeline attaches to each request, typed once for every route.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../security/actor.ts';
import type { ResolvedSession } from '../security/sessions.ts';
import type { SafeHtml } from './html.ts';
import type { Locale } from './i18n.ts';
import { translator } from './i18n.ts';
import type { ViewContext } from './view-context.ts';

/** Who may reach a route: anyone, a session part-way through sign-in, or a fully signed-in actor. */
export type Access = 'public' | 'signing-in' | 'staff';

declare module 'fastify' {
  interface FastifyRequest {
    staff: ResolvedSession | null;
    locale: Locale;
    terminalId: string;
  }
  interface FastifyInstance {
    routeTable: { method: string; url: string }[];
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export function actorOf(request: FastifyRequest): Actor {
  const s = request.staff;
  if (!s || s.stage !== 'active') throw new Error('route reached without an active session');
  return s.actor;
}

export function viewContext(request: FastifyRequest, reply: FastifyReply): ViewContext {
  const s = request.staff;
  return {
    locale: request.locale,
    t: translator(request.locale),
    csrfToken: reply.generateCsrf(),
    user: s && s.stage === 'active' ? { displayName: s.actor.displayName, roleName: s.roleName, municipalityName: s.municipalityName, permissions: s.actor.permissions } : null,
    path: request.url.split('?')[0] ?? '/',
  };
}

export function sendPage(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(page.value);
}
