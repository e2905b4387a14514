// The schedule engine over HTTP: a page that forecasts one person's schedule from a form, and the
// JSON API that returns exactly what `sesshu schedule forecast|rules --json` prints (contract.ts).
// Pure computation on what the caller sends: nothing is read from or written to the database, so
// there is no audit entry — but the caller still needs schedule.read.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseIsoDate } from '../../domain/dates.ts';
import { PROBLEM_CODES, ScheduleInputError, type DoseRecord, type Sex } from '../../domain/schedule/index.ts';
import type { DoseSpecProblem, ForecastInput } from '../../modules/schedule/contract.ts';
import { parseDoseSpec, rulesJson, runForecast, scheduleEngine, todayInJapan } from '../../modules/schedule/contract.ts';
import { can, ForbiddenError } from '../../security/guard.ts';
import { first } from '../page-helpers.ts';
import { actorOf, sendPage, viewContext } from '../request-context.ts';
import type { FieldError, ScheduleFormValues, ScheduleOutcome, VaccineOption } from '../views/schedule.ts';
import { DOSE_ROWS, schedulePage } from '../views/schedule.ts';

const MAX_BULK_LINES = 200;

function requireScheduleRead(request: FastifyRequest): void {
  if (!can(actorOf(request), 'schedule.read')) throw new ForbiddenError('schedule.read');
}

let vaccineOptions: VaccineOption[] | null = null;
/** Vaccines of the pack for the form: the newest version's name, and every product any version allows. */
export function vaccinesForForm(): VaccineOption[] {
  vaccineOptions ??= scheduleEngine().compiled.vaccines.map((cv) => {
    const products = new Map<string, string>();
    for (const v of cv.versions) for (const p of v.rule.products ?? []) products.set(p.id, p.name ?? p.id);
    return {
      id: cv.id,
      name: cv.versions[cv.versions.length - 1]?.rule.name ?? cv.id,
      products: [...products].map(([id, name]) => ({ id, name })),
    };
  });
  return vaccineOptions;
}

/** What the engine would refuse in a dose (unknown vaccine or product, dose number out of range), per field. */
function doseFieldProblems(d: DoseRecord): { field: 'vaccine' | 'dose' | 'product'; ja: string; en: string }[] {
  const { compiled } = scheduleEngine();
  const out: { field: 'vaccine' | 'dose' | 'product'; ja: string; en: string }[] = [];
  const cv = compiled.byId.get(d.vaccine);
  if (cv === undefined) {
    out.push(d.vaccine === ''
      ? { field: 'vaccine', ja: 'ワクチンを選んでください。', en: 'choose a vaccine.' }
      : { field: 'vaccine', ja: `「${d.vaccine}」は不明なワクチンです。`, en: `unknown vaccine '${d.vaccine}'.` });
  } else if (d.dose > cv.maxDose) {
    out.push({ field: 'dose', ja: `${d.vaccine} の回数は 1〜${cv.maxDose} です。`, en: `dose must be 1–${cv.maxDose} for ${d.vaccine}.` });
  }
  if (d.product != null && !compiled.productIds.has(d.product)) {
    out.push({ field: 'product', ja: `「${d.product}」は不明な製剤です。`, en: `unknown product '${d.product}'.` });
  }
  return out;
}

function badDate(value: string): { ja: string; en: string } {
  return { ja: `「${value}」は日付として正しくありません（YYYY-MM-DD）。`, en: `'${value}' is not an existing date (YYYY-MM-DD).` };
}


function emptyValues(asOf: string): ScheduleFormValues {
  return { birth: '', sex: '', asOf, rows: Array.from({ length: DOSE_ROWS }, () => ({ vaccine: '', dose: '', date: '', product: '' })), bulk: '' };
}

/** Reads the page's query into form values and, when they are all valid, the forecast input. */
function readForm(q: Record<string, unknown>, today: string): { values: ScheduleFormValues; errors: FieldError[]; input: ForecastInput | null } {
  const values: ScheduleFormValues = {
    birth: first(q, 'birth', 20),
    sex: first(q, 'sex', 2),
    asOf: first(q, 'asOf', 20) || today,
    rows: Array.from({ length: DOSE_ROWS }, (_, i) => ({
      vaccine: first(q, `vaccine${i + 1}`, 40),
      dose: first(q, `dose${i + 1}`, 10),
      date: first(q, `date${i + 1}`, 20),
      product: first(q, `product${i + 1}`, 40),
    })),
    bulk: first(q, 'bulk', 20_000),
  };
  const errors: FieldError[] = [];
  const err = (field: string, label: Bi, text: Bi): void => {
    errors.push({ field, ja: `${label.ja}: ${text.ja}`, en: `${label.en}: ${text.en}` });
  };

  const birthLabel = { ja: '生年月日', en: 'Birth date' };
  if (values.birth === '') err('birth', birthLabel, { ja: '入力してください。', en: 'please enter it.' });
  else if (parseIsoDate(values.birth) === null) err('birth', birthLabel, badDate(values.birth));
  if (values.sex !== 'M' && values.sex !== 'F') err('sex', { ja: '性別', en: 'Sex' }, { ja: '女 または 男 を選んでください。', en: 'choose female or male.' });
  const asOfLabel = { ja: '基準日', en: 'As-of date' };
  if (parseIsoDate(values.asOf) === null) err('asOf', asOfLabel, badDate(values.asOf));
  else if (parseIsoDate(values.birth) !== null && values.birth > values.asOf) {
    err('asOf', asOfLabel, { ja: '生年月日より前の日付です。', en: 'it is before the birth date.' });
  }

  const doses: DoseRecord[] = [];
  values.rows.forEach((row, i) => {
    const n = i + 1;
    if (!row.vaccine && !row.dose && !row.date && !row.product) return;
    const label = (what: Bi): Bi => ({ ja: `接種記録 ${n}行目 ${what.ja}`, en: `Dose row ${n} ${what.en}` });
    let ok = true;
    if (!/^[1-9][0-9]{0,2}$/.test(row.dose)) {
      err(`dose${n}`, label({ ja: '回', en: 'dose' }), { ja: '1以上の整数を入力してください。', en: 'enter a whole number from 1.' });
      ok = false;
    }
    if (parseIsoDate(row.date) === null) {
      err(`date${n}`, label({ ja: '接種日', en: 'date' }), row.date === '' ? { ja: '入力してください。', en: 'please enter it.' } : badDate(row.date));
      ok = false;
    }
    const record: DoseRecord = { vaccine: row.vaccine, dose: ok ? Number(row.dose) : 1, date: row.date, product: row.product || null };
    for (const p of doseFieldProblems(record)) {
      if (p.field === 'dose' && !ok) continue;
      err(`${p.field}${n}`, label(p.field === 'vaccine' ? { ja: 'ワクチン', en: 'vaccine' } : p.field === 'dose' ? { ja: '回', en: 'dose' } : { ja: '製剤', en: 'product' }), p);
      ok = false;
    }
    if (ok) doses.push(record);
  });

  const lines = values.bulk.split(/\r?\n/);
  const bulkLabel = (k: number): Bi => ({ ja: `一括入力 ${k}行目`, en: `Bulk entry line ${k}` });
  if (lines.length > MAX_BULK_LINES) {
    err('bulk', { ja: '一括入力', en: 'Bulk entry' }, { ja: `${MAX_BULK_LINES}行までにしてください。`, en: `at most ${MAX_BULK_LINES} lines.` });
  } else {
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (line === '') return;
      const parsed = parseDoseSpec(line);
      if (!parsed.ok) {
        err('bulk', bulkLabel(i + 1), specProblemText(line, parsed.problem));
        return;
      }
      const problems = doseFieldProblems(parsed.dose);
      for (const p of problems) err('bulk', bulkLabel(i + 1), p);
      if (problems.length === 0) doses.push(parsed.dose);
    });
  }

  const input = errors.length === 0 ? { birth: values.birth, sex: values.sex as Sex, asOf: values.asOf, doses } : null;
  return { values, errors, input };
}

type Bi = { ja: string; en: string };

function specProblemText(line: string, p: DoseSpecProblem): Bi {
  switch (p.kind) {
    case 'shape': return { ja: `「${line}」は ワクチン:回:接種日[:製剤] の形式ではありません。`, en: `'${line}' is not VACCINE:DOSE:YYYY-MM-DD[:PRODUCT].` };
    case 'dose': return { ja: `「${line}」の回は1以上の整数にしてください。`, en: `'${line}': the dose must be a whole number from 1.` };
    case 'date': return badDate(p.date);
    case 'product': return { ja: `「${line}」の製剤が空です。`, en: `'${line}': empty product.` };
  }
}

// ---------------------------------------------------------------------------------------------
// JSON schemas (they also make the OpenAPI document)

const DATE = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD' } as const;
const ERROR = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

const FORECAST_BODY = {
  type: 'object',
  required: ['birth', 'sex'],
  additionalProperties: false,
  properties: {
    birth: DATE,
    sex: { type: 'string', enum: ['M', 'F'] },
    asOf: { ...DATE, description: 'YYYY-MM-DD; default: today in Japan' },
    doses: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        required: ['vaccine', 'dose', 'date'],
        additionalProperties: false,
        properties: {
          vaccine: { type: 'string', maxLength: 40 },
          dose: { type: 'integer', minimum: 1, maximum: 999 },
          date: DATE,
          product: { type: 'string', maxLength: 40, nullable: true },
        },
      },
    },
  },
} as const;

const STATUSES = ['due', 'upcoming', 'complete', 'expired', 'ineligible'];

// Property order here is the serialisation order: it matches the CLI's JSON.stringify output.
const FORECAST_RESPONSE = {
  type: 'object',
  required: ['asOf', 'birth', 'sex', 'doses', 'next'],
  properties: {
    asOf: { type: 'string' },
    birth: { type: 'string' },
    sex: { type: 'string', enum: ['M', 'F'] },
    doses: {
      type: 'array',
      items: {
        type: 'object',
        required: ['vaccine', 'dose', 'date', 'product', 'routine', 'problems'],
        properties: {
          vaccine: { type: 'string' },
          dose: { type: 'integer' },
          date: { type: 'string' },
          product: { type: 'string', nullable: true },
          routine: { type: 'boolean' },
          problems: { type: 'array', items: { type: 'string', enum: [...PROBLEM_CODES] } },
        },
      },
    },
    next: {
      type: 'array',
      items: {
        type: 'object',
        required: ['vaccine', 'status', 'dose'],
        properties: {
          vaccine: { type: 'string' },
          status: { type: 'string', enum: STATUSES },
          dose: { type: 'integer', nullable: true },
          from: { type: 'string', nullable: true, description: 'due and upcoming only' },
          until: { type: 'string', nullable: true, description: 'due and upcoming only; null = no upper limit' },
        },
      },
    },
  },
} as const;

const RULES_RESPONSE = {
  type: 'object',
  properties: {
    date: { type: 'string' },
    pack: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'string' } } },
    seasons: { type: 'object', additionalProperties: true },
    crossVaccine: { type: 'array', items: { type: 'object', additionalProperties: true } },
    vaccines: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

interface ForecastBody {
  birth: string;
  sex: Sex;
  asOf?: string;
  doses?: { vaccine: string; dose: number; date: string; product?: string | null }[];
}

/** The first thing wrong with an API body that the schema cannot say (real dates, known ids), naming the field. */
function apiInputProblem(body: ForecastBody, asOf: string): string | null {
  if (parseIsoDate(body.birth) === null) return `birth: invalid date '${body.birth}'`;
  if (parseIsoDate(asOf) === null) return `asOf: invalid date '${asOf}'`;
  for (const [i, d] of (body.doses ?? []).entries()) {
    if (parseIsoDate(d.date) === null) return `doses[${i}].date: invalid date '${d.date}'`;
    const p = doseFieldProblems({ ...d, product: d.product ?? null })[0];
    if (p) return `doses[${i}].${p.field}: ${p.en}`;
  }
  return null;
}

export function registerScheduleRoutes(app: FastifyInstance): void {
  app.get('/schedule', { schema: { hide: true } }, async (request, reply) => {
    requireScheduleRead(request);
    const ctx = viewContext(request, reply);
    const q = (request.query ?? {}) as Record<string, unknown>;
    const today = todayInJapan();
    const vaccines = vaccinesForForm();
    if (!('birth' in q) && !('sex' in q)) {
      return sendPage(reply, schedulePage(ctx, { values: emptyValues(today), errors: [], vaccines, outcome: null }));
    }
    const { values, errors, input } = readForm(q, today);
    if (input === null) return sendPage(reply, schedulePage(ctx, { values, errors, vaccines, outcome: null }), 400);
    let outcome: ScheduleOutcome;
    try {
      outcome = runForecast(input);
    } catch (e) {
      // The form checks catch what the engine refuses; this is the backstop, still the user's input.
      if (!(e instanceof ScheduleInputError)) throw e;
      const failed = [{ field: 'birth', ja: `入力内容を計算できません: ${e.message}`, en: `The input cannot be used: ${e.message}` }];
      return sendPage(reply, schedulePage(ctx, { values, errors: failed, vaccines, outcome: null }), 400);
    }
    return sendPage(reply, schedulePage(ctx, { values, errors: [], vaccines, outcome }));
  });

  app.post(
    '/api/schedule/forecast',
    {
      config: { access: 'staff' },
      // Validation errors are attached, not thrown, so access (401/403) is decided before the body is judged.
      attachValidation: true,
      schema: {
        tags: ['schedule'],
        summary: 'Validate doses and forecast the next dose of every vaccine in force',
        description: 'Same JSON object as `sesshu schedule forecast --json`. Requires schedule.read. Unsafe method: send the CSRF token in the csrf-token header.',
        body: FORECAST_BODY,
        response: { 200: FORECAST_RESPONSE, 400: ERROR },
      },
    },
    async (request, reply) => {
      requireScheduleRead(request);
      if (request.validationError) return reply.status(400).send({ error: 'bad_request', message: request.validationError.message });
      const body = request.body as ForecastBody;
      const asOf = body.asOf ?? todayInJapan();
      const problem = apiInputProblem(body, asOf);
      if (problem) return reply.status(400).send({ error: 'bad_request', message: problem });
      const doses: DoseRecord[] = (body.doses ?? []).map((d) => ({ vaccine: d.vaccine, dose: d.dose, date: d.date, product: d.product ?? null }));
      try {
        return runForecast({ birth: body.birth, sex: body.sex, asOf, doses }).json;
      } catch (e) {
        if (e instanceof ScheduleInputError) return reply.status(400).send({ error: 'bad_request', message: e.message });
        throw e;
      }
    },
  );

  app.get(
    '/api/schedule/rules',
    {
      config: { access: 'staff' },
      attachValidation: true,
      schema: {
        tags: ['schedule'],
        summary: 'The rule pack in force on a date',
        description: 'Same JSON object as `sesshu schedule rules --json`. Requires schedule.read.',
        querystring: { type: 'object', properties: { date: { ...DATE, description: 'YYYY-MM-DD; default: today in Japan' } } },
        response: { 200: RULES_RESPONSE, 400: ERROR },
      },
    },
    async (request, reply) => {
      requireScheduleRead(request);
      if (request.validationError) return reply.status(400).send({ error: 'bad_request', message: request.validationError.message });
      const date = (request.query as { date?: string }).date ?? todayInJapan();
      if (parseIsoDate(date) === null) return reply.status(400).send({ error: 'bad_request', message: `date: invalid date '${date}'` });
      return rulesJson(date);
    },
  );
}
