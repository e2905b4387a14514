// /venue: venue mode for the venue role (会場モード). Presets per sign-in at /venue/session, then one
// scan per person at /venue. The rules (permission 'dose.venue', audit, refusals) live in
// modules/records/venue.ts; this file maps forms to calls and outcomes to pages. Never cached.
// controls: AC-07, AC-11, LOG-01
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import type { VenueDeps, VenueSessionKey } from '../../modules/records/venue.ts';
import { getVenueSession, recordVenueScan, saveVenueSession, VenueRefusal, venueOptions, venueRecordsToday } from '../../modules/records/venue.ts';
import { InputError } from '../../modules/residents/persons.ts';
import { todayInJapan } from '../../modules/schedule/contract.ts';
import { sendPrivate } from '../page-helpers.ts';
import { actorOf, viewContext } from '../request-context.ts';
import { venuePage, venueSessionPage } from '../views/venue.ts';

const hidden = { hide: true };

function field(body: unknown, key: string, max: number): string {
  const raw = (body as Record<string, unknown> | null | undefined)?.[key];
  return typeof raw === 'string' ? raw.trim().slice(0, max) : '';
}


function keyOf(request: FastifyRequest): VenueSessionKey {
  const s = request.staff;
  if (!s || s.stage !== 'active') throw new Error('route reached without an active session');
  return { staffSessionHash: s.tokenHash };
}

export function registerVenueRoutes(app: FastifyInstance, services: Services): void {
  const deps: VenueDeps = { db: services.db, today: () => todayInJapan() };

  app.get('/venue/session', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const options = await venueOptions(deps, actor);
    const current = await getVenueSession(deps, actor, keyOf(request));
    return sendPrivate(reply, venueSessionPage(viewContext(request, reply), { options, current }));
  });

  app.post('/venue/session', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const values = {
      vaccine: field(request.body, 'vaccine', 40),
      product: field(request.body, 'product', 200),
      lot: field(request.body, 'lot', 40),
      institutionCode: field(request.body, 'institutionCode', 20),
      doctor: field(request.body, 'doctor', 120),
    };
    try {
      await saveVenueSession(deps, actor, keyOf(request), values);
      return reply.redirect('/venue', 303);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      const options = await venueOptions(deps, actor);
      const current = await getVenueSession(deps, actor, keyOf(request));
      return sendPrivate(reply, venueSessionPage(viewContext(request, reply), { options, current, values, error: err.message }), 400);
    }
  });

  app.get('/venue', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const { session, records } = await venueRecordsToday(deps, actor, keyOf(request));
    if (!session) return reply.redirect('/venue/session', 303);
    return sendPrivate(reply, venuePage(viewContext(request, reply), { session, records }));
  });

  app.post('/venue', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const key = keyOf(request);
    const ocr = field(request.body, 'ocr', 100);
    let outcome: Parameters<typeof venuePage>[1]['outcome'];
    let status = 200;
    try {
      const r = await recordVenueScan(deps, actor, key, ocr);
      outcome = { kind: 'ok', ticketNumber: r.ticketNumber, name: r.name };
    } catch (err) {
      if (!(err instanceof VenueRefusal)) throw err;
      if (err.code === 'no_session') return reply.redirect('/venue/session', 303);
      outcome = { kind: 'error', message: err.message };
      status = err.statusCode;
    }
    const { session, records } = await venueRecordsToday(deps, actor, key);
    if (!session) return reply.redirect('/venue/session', 303);
    return sendPrivate(reply, venuePage(viewContext(request, reply), { session, records, outcome }), status);
  });
}
