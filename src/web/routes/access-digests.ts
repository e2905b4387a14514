// /audit/digests: the LOG-06 access digests for the responsible staff (audit.read). Reading them and
// marking one reviewed are audited in the service; the digests themselves are made by the server's
// timer (startDigestTimer). control: LOG-06
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.ts';
import { getDigest, listDigests, markDigestReviewed } from '../../security/access-digest.ts';
import { first } from '../page-helpers.ts';
import { actorOf, sendPage, viewContext } from '../request-context.ts';
import { digestPage, digestsPage } from '../views/access-digests.ts';

const hidden = { hide: true };

export function registerAccessDigestRoutes(app: FastifyInstance, services: Services): void {
  const { db } = services;

  app.get('/audit/digests', { schema: hidden }, async (request, reply) => {
    const listed = await listDigests(db, actorOf(request));
    return sendPage(reply, digestsPage(viewContext(request, reply), listed));
  });

  app.get('/audit/digests/:id', { schema: hidden }, async (request, reply) => {
    const ctx = viewContext(request, reply);
    const digest = await getDigest(db, actorOf(request), (request.params as { id: string }).id);
    const notice = first(request.query, 'done', 10) === 'reviewed' ? (ctx.locale === 'ja' ? '確認済みにしました。' : 'Marked as reviewed.') : null;
    return sendPage(reply, digestPage(ctx, { digest, notice }));
  });

  app.post('/audit/digests/:id/review', { schema: hidden }, async (request, reply) => {
    const id = (request.params as { id: string }).id;
    await markDigestReviewed(db, actorOf(request), id);
    return reply.redirect(`/audit/digests/${encodeURIComponent(id)}?done=reviewed`, 303);
  });
}
