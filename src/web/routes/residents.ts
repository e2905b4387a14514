// /residents: the resident register over HTTP — search, one person with history and the My Number
// reveal, file import as a background job with a polling progress page, and 名寄せ. The rules
// (permissions, audit, tenant scope, validation) live in modules/residents; this file maps forms to
// calls and outcomes to pages. Resident pages are never cached (personal data; a revealed number).
// control: AC-01, AC-04, DATA-01, LOG-01, TEN-01
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import '@fastify/multipart'; // request.isMultipart() / parts() types
import type { Services } from '../../app.ts';
import { DEFAULT_MAX_BYTES } from '../../modules/residents/decode.ts';
import type { DeclaredEncoding } from '../../modules/residents/decode.ts';
import { createImportJobs, ImportBusyError } from '../../modules/residents/import-jobs.ts';
import type { ImportMode } from '../../modules/residents/layout.ts';
import type { PersonQuery } from '../../modules/residents/persons.ts';
import {
  checkPersonId,
  duplicateCandidates,
  getPerson,
  InputError,
  mergePersons,
  NotFoundError,
  revealMyNumber,
  searchPersons,
} from '../../modules/residents/persons.ts';
import type { Actor } from '../../security/actor.ts';
import { can, ForbiddenError, perform } from '../../security/guard.ts';
import { first, sendPrivate } from '../page-helpers.ts';
import { actorOf, viewContext } from '../request-context.ts';
import type { ResidentMenu, SearchValues } from '../views/residents.ts';
import {
  duplicatesPage,
  importFormPage,
  importJobFragment,
  importJobLostHtml,
  importJobLostPage,
  importJobPage,
  personNotFoundPage,
  personPage,
  searchPage,
} from '../views/residents.ts';

const hidden = { hide: true };
const SEARCH_KEYS = ['addressNumber', 'name', 'kana', 'sex', 'birthDate', 'address', 'includeInactive'] as const;
const JOB_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** htmx stops polling when a poll answers 286 (and still swaps the content in). */
const HTMX_STOP_POLLING = 286;

/** What the upload's pre-validation hook leaves in request.body for the handler (and the CSRF check). */
interface UploadBody {
  _csrf?: string;
  mode?: string;
  encoding?: string;
  upload?: { fileName: string; content: Buffer };
  tooLarge?: boolean;
}


function menuOf(actor: Actor): ResidentMenu {
  return { canImport: can(actor, 'person.import'), canMerge: can(actor, 'person.merge'), canReadDoses: can(actor, 'dose.read') };
}


function csrfCheck(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    app.csrfProtection(request, reply, (err?: Error) => (err ? reject(err) : resolve()));
  });
}

export function registerResidentRoutes(app: FastifyInstance, services: Services, opts: { maxUploadBytes?: number } = {}): void {
  const { db, vault } = services;
  const maxBytes = opts.maxUploadBytes ?? DEFAULT_MAX_BYTES;
  const jobs = createImportJobs({
    db,
    vault,
    // Only the error's class and code: a database message can quote a row of the file.
    onError: (job, err) => {
      const e = err as { name?: string; code?: string };
      app.log.error({ jobId: job.id, tenant: job.municipalityCode, err: { name: e.name, code: e.code } }, 'resident import job failed');
    },
  });

  // ----- search

  app.get('/residents', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    if (!can(actor, 'person.read')) throw new ForbiddenError('person.read');
    const ctx = viewContext(request, reply);
    const q = (request.query ?? {}) as Record<string, unknown>;
    const values: SearchValues = {
      addressNumber: first(q, 'addressNumber', 20),
      name: first(q, 'name', 100),
      kana: first(q, 'kana', 100),
      sex: first(q, 'sex', 1),
      birthDate: first(q, 'birthDate', 20),
      address: first(q, 'address', 200),
      includeInactive: first(q, 'includeInactive', 5) === '1',
    };
    const menu = menuOf(actor);
    if (!SEARCH_KEYS.some((k) => k in q)) return sendPrivate(reply, searchPage(ctx, { ...menu, values, results: null }));
    const query: PersonQuery = {
      addressNumber: values.addressNumber,
      name: values.name,
      kana: values.kana,
      birthDate: values.birthDate,
      address: values.address,
      includeInactive: values.includeInactive,
      ...(values.sex === 'M' || values.sex === 'F' ? { sex: values.sex } : {}),
    };
    try {
      const results = await searchPersons(db, actor, query);
      return sendPrivate(reply, searchPage(ctx, { ...menu, values, results }));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      return sendPrivate(reply, searchPage(ctx, { ...menu, values, results: null, error: err.message }), 400);
    }
  });

  // ----- import (static paths win over /residents/:id in the router)

  app.get('/residents/import', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    if (!can(actor, 'person.import')) throw new ForbiddenError('person.import');
    return sendPrivate(reply, importFormPage(viewContext(request, reply), { ...menuOf(actor), mode: 'delta', encoding: 'auto', maxBytes }));
  });

  app.post(
    '/residents/import',
    {
      schema: hidden,
      // Runs before the pipeline's access and CSRF step, so it reads the upload only for an actor
      // allowed to import, and only after the form's CSRF token (sent before the file) checks out.
      preValidation: async (request, reply) => {
        const s = request.staff;
        if (s?.stage !== 'active' || !can(s.actor, 'person.import') || !request.isMultipart()) return;
        const body: UploadBody = {};
        try {
          for await (const part of request.parts()) {
            if (part.type === 'field') {
              const v = typeof part.value === 'string' ? part.value.slice(0, 200) : '';
              if (part.fieldname === '_csrf') body._csrf = v;
              else if (part.fieldname === 'mode') body.mode = v;
              else if (part.fieldname === 'encoding') body.encoding = v;
              continue;
            }
            request.body = { _csrf: body._csrf };
            await csrfCheck(app, request, reply);
            const content = await part.toBuffer();
            if (part.fieldname === 'file' && !body.upload) body.upload = { fileName: part.filename, content };
          }
        } catch (err) {
          if ((err as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') throw err;
          body.tooLarge = true;
        }
        request.body = body;
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      if (!can(actor, 'person.import')) throw new ForbiddenError('person.import');
      const ctx = viewContext(request, reply);
      const ja = ctx.locale === 'ja';
      const body = (request.body ?? {}) as UploadBody;
      const mode: ImportMode | null = body.mode === 'full' || body.mode === 'delta' ? body.mode : null;
      const encoding: DeclaredEncoding | null = body.encoding === 'auto' || body.encoding === 'cp932' || body.encoding === 'utf8' ? body.encoding : null;
      const form = (error: string, status: number): FastifyReply =>
        sendPrivate(reply, importFormPage(ctx, { ...menuOf(actor), mode: mode ?? 'delta', encoding: encoding ?? 'auto', maxBytes, error }), status);
      if (body.tooLarge) {
        const limit = `${Math.round(maxBytes / 1024 / 1024) || 1} MB`;
        return form(ja ? `ファイルが大きすぎます（上限 ${limit}）。取り込みは行っていません。` : `The file is too large (limit ${limit}). Nothing was imported.`, 413);
      }
      if (!mode || !encoding) return form(ja ? '取り込み区分と文字コードを選んでください。' : 'Choose the kind of file and its encoding.', 400);
      if (!body.upload || body.upload.content.length === 0) return form(ja ? 'ファイルを選んでください（空のファイルは取り込めません）。' : 'Choose a file (an empty file cannot be imported).', 400);
      try {
        const job = jobs.start(actor, { fileName: body.upload.fileName || 'upload.csv', content: body.upload.content, mode, encoding });
        return reply.redirect(`/residents/import/${job.id}`, 303);
      } catch (err) {
        if (!(err instanceof ImportBusyError)) throw err;
        return form(ja ? '別の取り込みが実行中です。終わってから取り込んでください。' : 'Another import is running for this municipality; try again when it has finished.', 409);
      }
    },
  );

  app.get('/residents/import/:jobId', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ctx = viewContext(request, reply);
    const id = (request.params as { jobId: string }).jobId;
    const job = JOB_ID_RE.test(id) ? jobs.get(actor, id) : null;
    if (!job) return sendPrivate(reply, importJobLostPage(ctx, menuOf(actor)), 404);
    return sendPrivate(reply, importJobPage(ctx, job, menuOf(actor)));
  });

  app.get('/residents/import/:jobId/status', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ctx = viewContext(request, reply);
    const id = (request.params as { jobId: string }).jobId;
    const job = JOB_ID_RE.test(id) ? jobs.get(actor, id) : null;
    if (!job) {
      // A poll gets the explanation and stops polling; anyone else gets a plain 404.
      const polling = request.headers['hx-request'] === 'true';
      return sendPrivate(reply, importJobLostHtml(ctx), polling ? HTMX_STOP_POLLING : 404);
    }
    return sendPrivate(reply, importJobFragment(ctx, job));
  });

  // ----- duplicates and merge

  async function renderDuplicates(request: FastifyRequest, reply: FastifyReply, flash: { notice?: string; error?: string }, status = 200): Promise<FastifyReply> {
    const actor = actorOf(request);
    const pairs = await duplicateCandidates(db, actor);
    return sendPrivate(reply, duplicatesPage(viewContext(request, reply), { ...menuOf(actor), pairs, ...flash }), status);
  }

  app.get('/residents/duplicates', { schema: hidden }, async (request, reply) => {
    const merged = first(request.query, 'done', 10) === 'merged';
    const ja = request.locale === 'ja';
    return renderDuplicates(request, reply, merged ? { notice: ja ? '記録を統合しました。' : 'The records have been merged.' } : {});
  });

  app.post('/residents/merge', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ja = request.locale === 'ja';
    const a = first(request.body, 'a', 64);
    const b = first(request.body, 'b', 64);
    const survivor = first(request.body, 'survivor', 1);
    const reason = first(request.body, 'reason', 500);
    if (survivor !== 'a' && survivor !== 'b') {
      if (!can(actor, 'person.merge')) throw new ForbiddenError('person.merge');
      return renderDuplicates(request, reply, { error: ja ? '残す記録を選んでください。' : 'Choose the record to keep.' }, 400);
    }
    try {
      await mergePersons(db, actor, { survivorId: survivor === 'a' ? a : b, duplicateId: survivor === 'a' ? b : a, reason });
    } catch (err) {
      if (!(err instanceof InputError) && !(err instanceof NotFoundError)) throw err;
      const message = err instanceof NotFoundError ? (ja ? '該当する住民がいません。' : 'No such resident.') : err.message;
      return renderDuplicates(request, reply, { error: message }, err.statusCode);
    }
    return reply.redirect('/residents/duplicates?done=merged', 303);
  });

  // ----- one person

  app.get('/residents/:id', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ctx = viewContext(request, reply);
    try {
      const { person, history } = await getPerson(db, actor, (request.params as { id: string }).id);
      return sendPrivate(reply, personPage(ctx, { ...menuOf(actor), person, history, canReveal: can(actor, 'mynumber.reveal') }));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      return sendPrivate(reply, personNotFoundPage(ctx, menuOf(actor)), 404);
    }
  });

  // The digits travel only in this response's body: not in a URL, a redirect or a log line.
  app.post('/residents/:id/my-number', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ctx = viewContext(request, reply);
    const ja = ctx.locale === 'ja';
    const menu = menuOf(actor);
    let id: string;
    try {
      id = checkPersonId((request.params as { id: string }).id);
    } catch {
      return sendPrivate(reply, personNotFoundPage(ctx, menu), 404);
    }
    if (!can(actor, 'mynumber.reveal')) {
      // Refused before the purpose is even read, and the refusal is audited like any other.
      await perform(db, actor, { permission: 'mynumber.reveal', action: 'mynumber.reveal', subjectPersonId: id }, async () => undefined);
      throw new ForbiddenError('mynumber.reveal'); // not reached: perform() refuses first
    }
    const purpose = first(request.body, 'purpose', 500);
    let myNumber: string | null;
    try {
      myNumber = await revealMyNumber(db, vault, actor, id, purpose);
    } catch (err) {
      if (err instanceof NotFoundError) return sendPrivate(reply, personNotFoundPage(ctx, menu), 404);
      if (!(err instanceof InputError)) throw err;
      const { person, history } = await getPerson(db, actor, id);
      const error = ja ? '表示する目的を入力してください（4文字以上）。' : 'State the purpose of showing the number (at least 4 characters).';
      return sendPrivate(reply, personPage(ctx, { ...menu, person, history, canReveal: true, error, purpose }), 400);
    }
    const { person, history } = await getPerson(db, actor, id);
    return sendPrivate(reply, personPage(ctx, { ...menu, person, history, canReveal: true, revealed: { myNumber } }));
  });
}
