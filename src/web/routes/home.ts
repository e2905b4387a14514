import type { FastifyInstance } from 'fastify';
import { html } from '../html.ts';
import { sendPage, viewContext } from '../request-context.ts';
import { layout, messageBox } from '../views/layout.ts';

/** Sections whose capability is still to come: they say so instead of answering 404. */
const UPCOMING = ['/payments', '/linkage', '/certificates'];

export function registerHomeRoutes(app: FastifyInstance): void {
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    // A venue tablet has one job; its account holds no permission the menu could lead to.
    if (request.staff?.actor.role === 'venue') return reply.redirect('/venue');
    const ctx = viewContext(request, reply);
    return sendPage(reply, layout(ctx, ctx.t('navHome'), html`<p>${ctx.t('dashboardIntro')}</p>`));
  });
  for (const path of UPCOMING) {
    app.get(path, { schema: { hide: true } }, async (request, reply) => {
      const ctx = viewContext(request, reply);
      return sendPage(reply, layout(ctx, path.slice(1), messageBox('info', ctx.t('comingSoon'))));
    });
  }
}
