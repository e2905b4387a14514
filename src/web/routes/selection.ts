// /selection: 対象者抽出 with a preview, mailing batches and their PDFs, 再発行 and 実施依頼書.
// Rules, permission (selection.run) and audit live in modules/selection; this file maps forms to
// calls and outcomes to pages. Batch PDFs are printed into a private temporary directory for the
// one download and removed at once, so no copy of residents' names stays on the server.
// controls: AC-01, LOG-01, TEN-01
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../app.ts';
import type { PrintedFile } from '../../documents/mailing.ts';
import type { CriteriaInput, ReferralInput, ReissueReason } from '../../modules/selection/index.ts';
import { createBatch, getBatch, issueReferral, listBatches, listReferrals, previewSelection, printBatch, referralLetterPdf, reissue } from '../../modules/selection/index.ts';
import { InputError, NotFoundError } from '../../modules/residents/persons.ts';
import { todayInJapan } from '../../modules/schedule/contract.ts';
import { first, localMessage, requirePermission, sendPrivate } from '../page-helpers.ts';
import { actorOf, viewContext } from '../request-context.ts';
import type { ViewContext } from '../view-context.ts';
import type { ReferralValues, ReissueValues, SelectionFormValues, VaccineChoice } from '../views/selection.ts';
import { batchesPage, batchPage, referralsPage, reissuePage, selectionPage } from '../views/selection.ts';
import { vaccinesForForm } from './schedule.ts';

const hidden = { hide: true };
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function vaccineChoices(): VaccineChoice[] {
  return vaccinesForForm().map((v) => ({ id: v.id, name: v.name }));
}

function readCriteria(source: unknown, today: string): SelectionFormValues {
  return {
    asOf: first(source, 'asOf', 20) || today,
    vaccine: first(source, 'vaccine', 40),
    bornFrom: first(source, 'bornFrom', 20),
    bornTo: first(source, 'bornTo', 20),
    district: first(source, 'district', 50),
    notVaccinated: first(source, 'notVaccinated', 2) === '1',
    overdue: first(source, 'overdue', 2) === '1',
    withinDays: first(source, 'withinDays', 5),
  };
}

function criteriaInput(v: SelectionFormValues): CriteriaInput {
  return {
    asOf: v.asOf,
    vaccines: v.vaccine === '' ? 'all' : [v.vaccine],
    bornFrom: v.bornFrom || null,
    bornTo: v.bornTo || null,
    district: v.district || null,
    notVaccinated: v.notVaccinated,
    overdue: v.overdue,
    withinDays: v.withinDays || null,
  };
}

/** A user's mistake (bad field, unknown person): the message for the page, or the error again. */
function userError(ctx: ViewContext, err: unknown): string {
  if (err instanceof InputError || err instanceof NotFoundError) return localMessage(ctx, err.message);
  throw err;
}

function sendPdf(reply: FastifyReply, pdf: Buffer, fileName: string): FastifyReply {
  return reply
    .type('application/pdf')
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .send(pdf);
}

export function registerSelectionRoutes(app: FastifyInstance, services: Services): void {
  const { db } = services;

  app.get('/selection', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    await requirePermission(db, actor, 'selection.run', 'selection.page');
    const ctx = viewContext(request, reply);
    const q = request.query as Record<string, unknown>;
    const values = readCriteria(q, todayInJapan());
    const vaccines = vaccineChoices();
    if (first(q, 'run', 2) !== '1') return sendPrivate(reply, selectionPage(ctx, { values, vaccines, preview: null }));
    try {
      const preview = await previewSelection(db, actor, criteriaInput(values));
      return sendPrivate(reply, selectionPage(ctx, { values, vaccines, preview }));
    } catch (err) {
      return sendPrivate(reply, selectionPage(ctx, { values, vaccines, preview: null, error: userError(ctx, err) }), 400);
    }
  });

  app.post('/selection/batches', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ctx = viewContext(request, reply);
    const values = readCriteria(request.body, todayInJapan());
    const kind = first(request.body, 'kind', 10) === 'reminder' ? 'reminder' : 'notice';
    try {
      const created = await createBatch(db, actor, { kind, criteria: criteriaInput(values) });
      return reply.redirect(`/selection/batches/${created.id}?created=1&skipped=${created.skipped}&movedIn=${created.movedIn}`, 303);
    } catch (err) {
      return sendPrivate(reply, selectionPage(ctx, { values, vaccines: vaccineChoices(), preview: null, error: userError(ctx, err) }), 400);
    }
  });

  app.get('/selection/batches', { schema: hidden }, async (request, reply) => {
    return sendPrivate(reply, batchesPage(viewContext(request, reply), await listBatches(db, actorOf(request))));
  });

  app.get('/selection/batches/:batchId', { schema: hidden }, async (request, reply) => {
    const { batchId } = request.params as { batchId: string };
    if (!UUID_RE.test(batchId)) throw new NotFoundError('no such batch');
    const q = request.query as Record<string, unknown>;
    const detail = await getBatch(db, actorOf(request), batchId);
    const created = first(q, 'created', 2) === '1' ? { skipped: Number(first(q, 'skipped', 9)) || 0, movedIn: Number(first(q, 'movedIn', 9)) || 0 } : undefined;
    return sendPrivate(reply, batchPage(viewContext(request, reply), detail, created));
  });

  app.get('/selection/batches/:batchId/:file', { schema: hidden }, async (request, reply) => {
    const { batchId, file } = request.params as { batchId: string; file: string };
    const kind = /^(questionnaire|tickets|reminder|labels)\.pdf$/.exec(file)?.[1] as PrintedFile['kind'] | undefined;
    if (!UUID_RE.test(batchId) || !kind) throw new NotFoundError('no such document');
    const labelsPerSheet = first(request.query, 'per', 3) === '24' ? 24 : 12;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-print-'));
    try {
      // Only the requested document is rendered; a kind the batch does not print yields no file.
      const printed = await printBatch(db, actorOf(request), batchId, dir, { labelsPerSheet, only: [kind] });
      const wanted = printed.find((p) => p.kind === kind);
      if (!wanted) throw new NotFoundError('this batch does not print that document');
      return sendPdf(reply, fs.readFileSync(wanted.path), `${kind}-${batchId.slice(0, 8)}.pdf`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // ----- 再発行

  const emptyReissue = (): ReissueValues => ({ addressNumber: '', vaccine: '', dose: '1', reason: 'lost' });

  app.get('/selection/reissue', { schema: hidden }, async (request, reply) => {
    await requirePermission(db, actorOf(request), 'selection.run', 'mailing.reissue_page');
    return sendPrivate(reply, reissuePage(viewContext(request, reply), { values: emptyReissue(), vaccines: vaccineChoices() }));
  });

  app.post('/selection/reissue', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ctx = viewContext(request, reply);
    const b = request.body;
    const values: ReissueValues = { addressNumber: first(b, 'addressNumber', 20), vaccine: first(b, 'vaccine', 40), dose: first(b, 'dose', 3), reason: first(b, 'reason', 10) };
    try {
      const result = await reissue(db, actor, {
        addressNumber: values.addressNumber, vaccine: values.vaccine, dose: Number(values.dose), reason: values.reason as ReissueReason,
      });
      return sendPrivate(reply, reissuePage(ctx, { values: emptyReissue(), vaccines: vaccineChoices(), result }));
    } catch (err) {
      return sendPrivate(reply, reissuePage(ctx, { values, vaccines: vaccineChoices(), error: userError(ctx, err) }), 400);
    }
  });

  // ----- 実施依頼書

  const emptyReferral = (): ReferralValues => ({
    addressNumber: '', toMunicipalityName: '', toMayorName: '', stayAddress: '', reason: '', vaccine: '', dose: '1', validUntil: '',
  });

  app.get('/selection/referrals', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const letters = await listReferrals(db, actor);
    return sendPrivate(reply, referralsPage(viewContext(request, reply), { values: emptyReferral(), vaccines: vaccineChoices(), letters }));
  });

  app.post('/selection/referrals', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ctx = viewContext(request, reply);
    const b = request.body;
    const values: ReferralValues = {
      addressNumber: first(b, 'addressNumber', 20), toMunicipalityName: first(b, 'toMunicipalityName', 50), toMayorName: first(b, 'toMayorName', 50),
      stayAddress: first(b, 'stayAddress', 200), reason: first(b, 'reason', 200), vaccine: first(b, 'vaccine', 40), dose: first(b, 'dose', 3),
      validUntil: first(b, 'validUntil', 20),
    };
    const input: ReferralInput = { ...values, dose: Number(values.dose) };
    try {
      const issued = await issueReferral(db, actor, input);
      return sendPrivate(reply, referralsPage(ctx, { values: emptyReferral(), vaccines: vaccineChoices(), letters: await listReferrals(db, actor), issued }));
    } catch (err) {
      const error = userError(ctx, err);
      return sendPrivate(reply, referralsPage(ctx, { values, vaccines: vaccineChoices(), letters: await listReferrals(db, actor), error }), 400);
    }
  });

  app.get('/selection/referrals/:letterId/letter.pdf', { schema: hidden }, async (request, reply) => {
    const { letterId } = request.params as { letterId: string };
    if (!UUID_RE.test(letterId)) throw new NotFoundError('no such letter');
    const pdf = await referralLetterPdf(db, actorOf(request), letterId);
    return sendPdf(reply, pdf, `referral-${letterId.slice(0, 8)}.pdf`);
  });
}
