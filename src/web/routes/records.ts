// /records: vaccination records over HTTP — the menu with a ledger search, the keyboard-first entry
// page for returned 予診票 (checked by the schedule engine as the user types, via htmx), the
// confirmation queue (ダブルチェック), and a person's ledger with corrections and deletions as new
// versions. Rules, permissions and audit live in modules/records; this file maps forms to calls and
// outcomes to pages. Pages with residents' data are never cached.
// controls: AC-01, DATA-02, DATA-03, DATA-14, LOG-01, TEN-01
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import { parseIsoDate } from '../../domain/dates.ts';
import type { DoseInput, DoseView, RecordDeps } from '../../modules/records/service.ts';
import { confirmDose, correctDose, deleteDose, NonRoutineDoseError, pendingQueue, personRecord, previewDose, recordDose } from '../../modules/records/service.ts';
import { findTicket } from '../../modules/records/tickets.ts';
import type { PersonQuery, PersonSummary } from '../../modules/residents/persons.ts';
import { checkPersonId, getPerson, InputError, NotFoundError, searchPersons } from '../../modules/residents/persons.ts';
import { nextJson, todayInJapan } from '../../modules/schedule/contract.ts';
import type { Actor } from '../../security/actor.ts';
import { can } from '../../security/guard.ts';
import { first, localMessage, requirePermission, sendPrivate } from '../page-helpers.ts';
import { actorOf, viewContext } from '../request-context.ts';
import type { ViewContext } from '../view-context.ts';
import type { ChangePageData, CheckOutcome, EntryPageData, EntryValues, FindValues, PersonSearchValues, RecordsMenu } from '../views/records.ts';
import {
  checkFragment, correctPage, currentVersion, deletePage, EMPTY_ENTRY, EMPTY_FIND, entryPage, ledgerPage, queuePage, recordsHomePage,
} from '../views/records.ts';
import type { FieldError, ScheduleOutcome } from '../views/schedule.ts';
import { vaccinesForForm } from './schedule.ts';

const hidden = { hide: true };
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;


function menuOf(actor: Actor): RecordsMenu {
  return {
    canEnter: can(actor, 'dose.enter'),
    canConfirm: can(actor, 'dose.confirm'),
    canRead: can(actor, 'dose.read'),
    canCorrect: can(actor, 'dose.correct'),
    canSearch: can(actor, 'person.read'),
  };
}

function summaryOf(p: PersonSummary): PersonSummary {
  const { id, address_number, name, name_kana, sex, birth_date, address, status, merged_into } = p;
  return { id, address_number, name, name_kana, sex, birth_date, address, status, merged_into };
}

// ----- the dose form

function readEntryValues(body: unknown): EntryValues {
  return {
    ticketNumber: first(body, 'ticketNumber', 20),
    vaccine: first(body, 'vaccine', 40),
    product: first(body, 'product', 200),
    lot: first(body, 'lot', 40),
    dose: first(body, 'dose', 10),
    date: first(body, 'date', 20),
    institutionCode: first(body, 'institutionCode', 20),
    doctor: first(body, 'doctor', 100),
    specialCircumstances: first(body, 'specialCircumstances', 500),
    remarks: first(body, 'remarks', 500),
  };
}

/** Field checks the service cannot word per field; the rest (masters, history) is the service's. */
function checkEntryFields(v: EntryValues): { errors: FieldError[]; input: Omit<DoseInput, 'personId'> | null } {
  const errors: FieldError[] = [];
  const vaccines = vaccinesForForm();
  if (v.vaccine === '') errors.push({ field: 'vaccine', ja: 'ワクチン: 選択してください。', en: 'Vaccine: choose one.' });
  else if (!vaccines.some((x) => x.id === v.vaccine)) errors.push({ field: 'vaccine', ja: `ワクチン: 「${v.vaccine}」は不明です。`, en: `Vaccine: unknown '${v.vaccine}'.` });
  const doseText = v.dose.normalize('NFKC');
  if (!/^[1-9][0-9]?$/.test(doseText)) errors.push({ field: 'dose', ja: '回数: 1〜99 の数字を入力してください。', en: 'Dose number: enter a number from 1 to 99.' });
  if (v.date === '') errors.push({ field: 'date', ja: '接種日: 入力してください。', en: 'Date given: please enter it.' });
  else if (parseIsoDate(v.date) === null) errors.push({ field: 'date', ja: `接種日: 「${v.date}」は日付として正しくありません（YYYY-MM-DD）。`, en: `Date given: '${v.date}' is not a date (YYYY-MM-DD).` });
  const ticket = v.ticketNumber.normalize('NFKC').replace(/[\s-]/g, '');
  if (ticket !== '' && !/^[0-9]{10}$/.test(ticket)) errors.push({ field: 'ticketNumber', ja: '接種券番号: 10桁の数字です。', en: 'Ticket number: 10 digits.' });
  const institution = v.institutionCode.normalize('NFKC');
  if (institution !== '' && !/^[0-9]{7,10}$/.test(institution)) errors.push({ field: 'institutionCode', ja: '医療機関コード: 7〜10桁の数字です。', en: 'Institution code: 7 to 10 digits.' });
  const lot = v.lot.normalize('NFKC');
  if (lot !== '' && !/^[A-Za-z0-9-]{1,20}$/.test(lot)) errors.push({ field: 'lot', ja: 'ロット番号: 英数字とハイフン（20文字まで）です。', en: 'Lot number: letters, digits and hyphens (up to 20).' });
  if (errors.length) return { errors, input: null };
  return {
    errors,
    input: {
      vaccine: v.vaccine, dose: Number(doseText), date: v.date, product: v.product || null, lot: lot || null, institutionCode: institution || null,
      doctor: v.doctor || null, ticketNumber: ticket || null, specialCircumstances: v.specialCircumstances || null, remarks: v.remarks || null,
    },
  };
}

function valuesOfVersion(v: DoseView['versions'][number]): EntryValues {
  return {
    ticketNumber: v.ticket_number ?? '', vaccine: v.vaccine_id, product: v.product_name ?? v.schedule_product ?? '', lot: v.lot_number ?? '',
    dose: String(v.dose_number), date: v.administered_on, institutionCode: v.institution_code ?? '', doctor: v.doctor_name ?? '',
    specialCircumstances: v.special_circumstances ?? '', remarks: v.remarks ?? '',
  };
}

export function registerRecordRoutes(app: FastifyInstance, services: Services): void {
  const deps: RecordDeps = { db: services.db, today: () => todayInJapan() };
  const { db } = deps;

  // ----- records home: links and a ledger search

  app.get('/records', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const menu = menuOf(actor);
    if (!menu.canEnter && !menu.canRead && !menu.canConfirm) await requirePermission(db, actor, 'dose.read', 'dose.menu');
    const ctx = viewContext(request, reply);
    const q = (request.query ?? {}) as Record<string, unknown>;
    const values: PersonSearchValues = {
      addressNumber: first(q, 'addressNumber', 20), name: first(q, 'name', 100), kana: first(q, 'kana', 100),
      birthDate: first(q, 'birthDate', 20), sex: first(q, 'sex', 1),
    };
    const searched = (['addressNumber', 'name', 'kana', 'birthDate', 'sex'] as const).some((k) => k in q);
    if (!searched || !menu.canSearch) return sendPrivate(reply, recordsHomePage(ctx, { menu, values, results: null }));
    const query: PersonQuery = {
      addressNumber: values.addressNumber, name: values.name, kana: values.kana, birthDate: values.birthDate,
      ...(values.sex === 'M' || values.sex === 'F' ? { sex: values.sex } : {}),
    };
    try {
      const results = await searchPersons(db, actor, query);
      return sendPrivate(reply, recordsHomePage(ctx, { menu, values, results }));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      return sendPrivate(reply, recordsHomePage(ctx, { menu, values, results: null, error: localMessage(ctx, err.message) }), 400);
    }
  });

  // ----- entry

  /** Finds the person from the query (personId, 接種券番号, 宛名番号 or the 4 facts) and fills the page. */
  async function entryFromQuery(request: FastifyRequest, ctx: ViewContext, actor: Actor): Promise<{ data: EntryPageData; status: number }> {
    const q = (request.query ?? {}) as Record<string, unknown>;
    const find: FindValues = {
      ticket: first(q, 'ticket', 20), addressNumber: first(q, 'addressNumber', 20), name: first(q, 'name', 100),
      birthDate: first(q, 'birthDate', 20), sex: first(q, 'sex', 1), address: first(q, 'address', 200),
    };
    const data: EntryPageData = {
      menu: menuOf(actor), today: deps.today(), vaccines: vaccinesForForm(), find, person: null, values: { ...EMPTY_ENTRY }, errors: [],
    };
    const saved = first(q, 'saved', 40);
    if (UUID_RE.test(saved)) data.saved = { personId: saved };
    const personId = first(q, 'personId', 40);
    try {
      if (personId) {
        data.person = summaryOf((await getPerson(db, actor, checkPersonId(personId))).person);
      } else if (find.ticket) {
        const ticket = await findTicket(db, actor, find.ticket);
        data.person = summaryOf((await getPerson(db, actor, ticket.personId)).person);
        data.values = { ...data.values, ticketNumber: ticket.ticketNumber, vaccine: ticket.vaccineId, dose: ticket.doseNumber > 0 ? String(ticket.doseNumber) : '' };
        data.ticketNote = ticket.voided
          ? ctx.locale === 'ja' ? `接種券 ${ticket.ticketNumber} は無効化されています。予診票と照合してください。` : `Ticket ${ticket.ticketNumber} has been voided: check the form.`
          : ctx.locale === 'ja' ? `接種券 ${ticket.ticketNumber} からワクチンと回数を入力しました。` : `Vaccine and dose filled in from ticket ${ticket.ticketNumber}.`;
      } else if (find.addressNumber || find.name || find.birthDate || find.sex || find.address) {
        const results = await searchPersons(db, actor, {
          addressNumber: find.addressNumber, name: find.name, birthDate: find.birthDate, address: find.address,
          ...(find.sex === 'M' || find.sex === 'F' ? { sex: find.sex } : {}),
        });
        if (results.length === 1 && results[0]) data.person = summaryOf(results[0]);
        else data.candidates = results;
      }
    } catch (err) {
      if (err instanceof NotFoundError) {
        data.findMessage = localMessage(ctx, err.message);
        return { data, status: 404 };
      }
      if (err instanceof InputError) {
        data.findMessage = localMessage(ctx, err.message);
        return { data, status: 400 };
      }
      throw err;
    }
    return { data, status: 200 };
  }

  app.get('/records/entry', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    await requirePermission(db, actor, 'dose.enter', 'dose.entry_page');
    const ctx = viewContext(request, reply);
    const { data, status } = await entryFromQuery(request, ctx, actor);
    return sendPrivate(reply, entryPage(ctx, data), status);
  });

  app.post('/records/entry', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    await requirePermission(db, actor, 'dose.enter', 'dose.enter');
    const ctx = viewContext(request, reply);
    const body = request.body;
    const values = readEntryValues(body);
    const personId = first(body, 'personId', 40);
    const data: EntryPageData = {
      menu: menuOf(actor), today: deps.today(), vaccines: vaccinesForForm(), find: { ...EMPTY_FIND }, person: null, values, errors: [],
    };
    const render = async (status: number): Promise<FastifyReply> => {
      try {
        if (UUID_RE.test(personId)) data.person = summaryOf((await getPerson(db, actor, personId)).person);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      if (!data.person) {
        data.findMessage = ctx.locale === 'ja' ? '対象者を呼び出してから入力してください。' : 'Find the person first.';
        return sendPrivate(reply, entryPage(ctx, data), status === 400 ? 400 : 404);
      }
      return sendPrivate(reply, entryPage(ctx, data), status);
    };
    if (!UUID_RE.test(personId)) return render(400);
    const { errors, input } = checkEntryFields(values);
    if (!input) {
      data.errors = errors;
      return render(400);
    }
    try {
      await recordDose(deps, actor, { ...input, personId, acceptNonRoutine: first(body, 'acceptNonRoutine', 5) === '1' });
    } catch (err) {
      if (err instanceof NonRoutineDoseError) {
        data.nonRoutine = err.problems;
        return render(409);
      }
      if (err instanceof InputError || err instanceof NotFoundError) {
        data.error = localMessage(ctx, err.message);
        return render(err.statusCode);
      }
      throw err;
    }
    // Post/redirect/get: a reload cannot record the dose twice; the next 予診票 starts from an empty form.
    return reply.redirect(`/records/entry?saved=${personId}`, 303);
  });

  /** The engine's verdict as the user types (htmx); always 200 with a fragment, so htmx swaps it in. */
  app.post('/records/entry/check', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    await requirePermission(db, actor, 'dose.enter', 'dose.check');
    const ctx = viewContext(request, reply);
    const body = request.body;
    const personId = first(body, 'personId', 40);
    const values = readEntryValues(body);
    let outcome: CheckOutcome;
    const { errors, input } = checkEntryFields(values);
    if (!UUID_RE.test(personId)) {
      outcome = { kind: 'error', message: ctx.locale === 'ja' ? '対象者を呼び出してください。' : 'Find the person first.' };
    } else if (!input) {
      // Only what the user has filled in so far counts as a problem; empty required fields mean "not yet".
      const shown = errors.filter((e) => (values as unknown as Record<string, string>)[e.field] !== '');
      outcome = shown.length ? { kind: 'error', message: shown.map((e) => (ctx.locale === 'ja' ? e.ja : e.en)).join(' ') } : { kind: 'idle' };
    } else {
      try {
        const v = await previewDose(deps, actor, { ...input, personId });
        outcome = v.routine ? { kind: 'ok' } : { kind: 'problems', problems: v.problems };
      } catch (err) {
        if (!(err instanceof InputError || err instanceof NotFoundError)) throw err;
        outcome = { kind: 'error', message: localMessage(ctx, err.message) };
      }
    }
    reply.header('cache-control', 'no-store');
    return reply.type('text/html; charset=utf-8').send(checkFragment(ctx, outcome).value);
  });

  // ----- confirmation queue

  async function renderQueue(request: FastifyRequest, reply: FastifyReply, actor: Actor, opts: { done?: string | null; error?: string | null; status?: number }): Promise<FastifyReply> {
    const ctx = viewContext(request, reply);
    const rows = await pendingQueue(deps, actor);
    const page = queuePage(ctx, { menu: menuOf(actor), rows, vaccines: vaccinesForForm(), currentUserId: actor.userId, done: opts.done ?? null, error: opts.error ?? null });
    return sendPrivate(reply, page, opts.status ?? 200);
  }

  app.get('/records/queue', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const done = first(request.query, 'done', 20);
    return renderQueue(request, reply, actor, { done: done === 'confirmed' ? done : null });
  });

  app.post('/records/queue/:doseId/confirm', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const { doseId } = request.params as { doseId: string };
    try {
      await confirmDose(deps, actor, doseId);
    } catch (err) {
      if (err instanceof InputError || err instanceof NotFoundError) {
        const ctx = viewContext(request, reply);
        return renderQueue(request, reply, actor, { error: localMessage(ctx, err.message), status: err.statusCode });
      }
      throw err;
    }
    return reply.redirect('/records/queue?done=confirmed', 303);
  });

  // ----- the person's ledger

  async function ledgerData(actor: Actor, personId: string): Promise<{ person: PersonSummary; doses: DoseView[]; outcome: ScheduleOutcome }> {
    const record = await personRecord(deps, actor, personId);
    const { person } = await getPerson(db, actor, personId);
    const result = record.forecast;
    const outcome: ScheduleOutcome = {
      result,
      json: {
        asOf: result.asOf, birth: person.birth_date, sex: person.sex,
        doses: result.doses.map((d) => ({ vaccine: d.vaccine, dose: d.dose, date: d.date, product: d.product, routine: d.routine, problems: d.problems })),
        next: result.next.map(nextJson),
      },
    };
    return { person: summaryOf(person), doses: record.doses, outcome };
  }

  app.get('/records/person/:personId', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const { personId } = request.params as { personId: string };
    const { person, doses, outcome } = await ledgerData(actor, personId);
    const ctx = viewContext(request, reply);
    const done = first(request.query, 'done', 20);
    return sendPrivate(reply, ledgerPage(ctx, {
      menu: menuOf(actor), today: deps.today(), person, doses, outcome, vaccines: vaccinesForForm(), done: done === 'corrected' || done === 'deleted' ? done : null,
    }));
  });

  /** The person and one of their doses, for the correction and deletion pages (404 if the dose is not theirs). */
  async function changeData(actor: Actor, personId: string, doseId: string): Promise<{ person: PersonSummary; dose: DoseView }> {
    checkPersonId(doseId);
    const { person, doses } = await ledgerData(actor, personId);
    const dose = doses.find((d) => d.id === doseId);
    if (!dose) throw new NotFoundError('no such record (該当する接種記録がありません)');
    return { person, dose };
  }

  function changePageData(actor: Actor, base: { person: PersonSummary; dose: DoseView }, values: EntryValues, reason: string): ChangePageData {
    return { menu: menuOf(actor), today: deps.today(), ...base, vaccines: vaccinesForForm(), values, reason, errors: [] };
  }

  /** Corrections and deletions apply to confirmed records without a change already waiting. */
  function changeable(ctx: ViewContext, dose: DoseView): string | null {
    if (dose.status === 'provisional') return ctx.locale === 'ja' ? '仮登録の記録は、確定してから訂正・削除してください。' : 'Confirm the provisional record before changing it.';
    if (dose.status === 'deleted') return ctx.locale === 'ja' ? '削除済みの記録です。' : 'The record is deleted.';
    if (dose.pending) return ctx.locale === 'ja' ? '確認待ちの変更があります。先に確認してください。' : 'A change is already waiting for confirmation.';
    return null;
  }

  app.get('/records/person/:personId/dose/:doseId/correct', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    await requirePermission(db, actor, 'dose.correct', 'dose.correct');
    const { personId, doseId } = request.params as { personId: string; doseId: string };
    const base = await changeData(actor, personId, doseId);
    const ctx = viewContext(request, reply);
    const cur = currentVersion(base.dose);
    const data = changePageData(actor, base, cur ? valuesOfVersion(cur) : { ...EMPTY_ENTRY }, '');
    data.error = changeable(ctx, base.dose);
    return sendPrivate(reply, correctPage(ctx, data), data.error ? 409 : 200);
  });

  app.post('/records/person/:personId/dose/:doseId/correct', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    await requirePermission(db, actor, 'dose.correct', 'dose.correct');
    const { personId, doseId } = request.params as { personId: string; doseId: string };
    const base = await changeData(actor, personId, doseId);
    const ctx = viewContext(request, reply);
    const values = readEntryValues(request.body);
    const reason = first(request.body, 'reason', 300);
    const data = changePageData(actor, base, values, reason);
    const { errors, input } = checkEntryFields(values);
    if (!reason) errors.push({ field: 'reason', ja: '訂正の理由: 入力してください。', en: 'Reason: please enter it.' });
    if (!input || errors.length) {
      data.errors = errors;
      return sendPrivate(reply, correctPage(ctx, data), 400);
    }
    const place = (currentVersion(base.dose) as { place?: string | null } | undefined)?.place ?? null;
    try {
      await correctDose(deps, actor, doseId, { ...input, place }, reason);
    } catch (err) {
      if (err instanceof InputError || err instanceof NotFoundError) {
        data.error = localMessage(ctx, err.message);
        return sendPrivate(reply, correctPage(ctx, data), err.statusCode);
      }
      throw err;
    }
    return reply.redirect(`/records/person/${base.person.id}?done=corrected`, 303);
  });

  app.get('/records/person/:personId/dose/:doseId/delete', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    await requirePermission(db, actor, 'dose.correct', 'dose.delete');
    const { personId, doseId } = request.params as { personId: string; doseId: string };
    const base = await changeData(actor, personId, doseId);
    const ctx = viewContext(request, reply);
    const data = changePageData(actor, base, { ...EMPTY_ENTRY }, '');
    data.error = changeable(ctx, base.dose);
    return sendPrivate(reply, deletePage(ctx, data), data.error ? 409 : 200);
  });

  app.post('/records/person/:personId/dose/:doseId/delete', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    await requirePermission(db, actor, 'dose.correct', 'dose.delete');
    const { personId, doseId } = request.params as { personId: string; doseId: string };
    const base = await changeData(actor, personId, doseId);
    const ctx = viewContext(request, reply);
    const reason = first(request.body, 'reason', 300);
    const data = changePageData(actor, base, { ...EMPTY_ENTRY }, reason);
    if (!reason) {
      data.errors = [{ field: 'reason', ja: '削除の理由: 入力してください。', en: 'Reason: please enter it.' }];
      return sendPrivate(reply, deletePage(ctx, data), 400);
    }
    try {
      await deleteDose(deps, actor, doseId, reason);
    } catch (err) {
      if (err instanceof InputError || err instanceof NotFoundError) {
        data.error = localMessage(ctx, err.message);
        return sendPrivate(reply, deletePage(ctx, data), err.statusCode);
      }
      throw err;
    }
    return reply.redirect(`/records/person/${base.person.id}?done=deleted`, 303);
  });
}
