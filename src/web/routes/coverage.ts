// /coverage: coverage figures and charts (statistics.read), their CSV, and the persons behind a
// count (statistics.read and person.read). Permission checks and audit entries happen in the
// service's perform() calls; bad input gets a page naming the field, after an actor without the
// permission has had (and left a record of) its 403. controls: AC-01, DATA-13, LOG-01
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import { coverageCsv } from '../../modules/coverage/csv.ts';
import type { CoverageDimension, CoverageFilter, RawCoverageFilter } from '../../modules/coverage/service.ts';
import {
  canDrillDown,
  CoverageInputError,
  coveragePersons,
  coverageReport,
  filterParams,
  isCoverageDimension,
  isPersonSet,
  parseCoverageFilter,
} from '../../modules/coverage/service.ts';
import { todayInJapan } from '../../modules/schedule/contract.ts';
import { encodeCsv } from '../../security/csv-export.ts';
import { can } from '../../security/guard.ts';
import { first } from '../page-helpers.ts';
import { actorOf, sendPage, viewContext } from '../request-context.ts';
import { sendCsv } from './audit.ts';
import type { CoverageFormValues } from '../views/coverage.ts';
import { coveragePage, coveragePersonsPage } from '../views/coverage.ts';

const hidden = { hide: true };


function rawFilter(q: Record<string, unknown>): RawCoverageFilter {
  return {
    asOf: first(q, 'asOf', 20),
    cohortFrom: first(q, 'cohortFrom', 10),
    cohortTo: first(q, 'cohortTo', 10),
    district: first(q, 'district', 101),
    vaccine: first(q, 'vaccine', 40),
    dose: first(q, 'dose', 10),
    months: first(q, 'months', 10),
  };
}

function formValues(raw: RawCoverageFilter, parsed: CoverageFilter | null): CoverageFormValues {
  const p = parsed ? filterParams(parsed) : {};
  const pick = (k: keyof RawCoverageFilter): string => p[k] ?? raw[k] ?? '';
  return { asOf: pick('asOf'), cohortFrom: pick('cohortFrom'), cohortTo: pick('cohortTo'), district: pick('district'), vaccine: pick('vaccine'), dose: pick('dose'), months: pick('months') };
}

export function registerCoverageRoutes(app: FastifyInstance, services: Services, opts: { today?: () => string } = {}): void {
  const { db } = services;
  const today = opts.today ?? (() => todayInJapan());

  /** Bad input from someone without the permission still gets (and logs) the 403 first. */
  async function refuseIfNotAllowed(request: FastifyRequest, filter: CoverageFilter | null): Promise<void> {
    const actor = actorOf(request);
    if (!can(actor, 'statistics.read')) await coverageReport(db, actor, filter ?? parseCoverageFilter({}, today()), []);
  }

  app.get('/coverage', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ctx = viewContext(request, reply);
    const raw = rawFilter(request.query as Record<string, unknown>);
    let filter: CoverageFilter | null = null;
    try {
      filter = parseCoverageFilter(raw, today());
      const report = await coverageReport(db, actor, filter, filter.vaccine ? ['vaccine', 'cohort', 'district', 'month'] : ['vaccine']);
      return sendPage(reply, coveragePage(ctx, { values: formValues(raw, filter), report, vaccines: report.vaccines, canDrillDown: canDrillDown(actor), error: null }));
    } catch (err) {
      if (!(err instanceof CoverageInputError)) throw err;
      await refuseIfNotAllowed(request, filter);
      return sendPage(reply, coveragePage(ctx, { values: formValues(raw, null), report: null, vaccines: [], canDrillDown: false, error: err.message }), 400);
    }
  });

  app.get('/coverage/export', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const q = request.query as Record<string, unknown>;
    const byRaw = first(q, 'by', 20) || 'vaccine';
    const encoding = first(q, 'encoding', 10) === 'cp932' ? 'cp932' : 'utf8';
    let filter: CoverageFilter | null = null;
    try {
      if (!isCoverageDimension(byRaw)) throw new CoverageInputError('by', `by: 集計の単位「${byRaw}」はありません (no table '${byRaw}')`);
      const by: CoverageDimension = byRaw;
      filter = parseCoverageFilter(rawFilter(q), today());
      // The by-vaccine table counts every pair, whatever vaccine the page had chosen.
      const report = await coverageReport(db, actor, by === 'vaccine' ? { ...filter, vaccine: null } : filter, [by]);
      const file = coverageCsv(report, by, request.locale);
      return sendCsv(reply, file.filename, encodeCsv(file.csv, encoding), encoding === 'cp932' ? 'shift_jis' : 'utf-8');
    } catch (err) {
      if (err instanceof CoverageInputError) await refuseIfNotAllowed(request, filter);
      throw err;
    }
  });

  app.get('/coverage/persons', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ctx = viewContext(request, reply);
    const q = request.query as Record<string, unknown>;
    const set = first(q, 'set', 20) || 'population';
    const month = first(q, 'month', 10) || null;
    const pageText = first(q, 'page', 7) || '1';
    let filter: CoverageFilter | null = null;
    try {
      if (!isPersonSet(set)) throw new CoverageInputError('set', `set: 一覧の種類「${set}」はありません (no list '${set}')`);
      if (!/^[0-9]{1,6}$/.test(pageText)) throw new CoverageInputError('page', 'page: ページ番号が正しくありません (page out of range)');
      filter = parseCoverageFilter(rawFilter(q), today());
      const page = await coveragePersons(db, actor, { filter, set, month, page: Number(pageText) });
      return sendPage(reply, coveragePersonsPage(ctx, { filter, vaccineName: page.vaccineName, set, month, page }));
    } catch (err) {
      if (!(err instanceof CoverageInputError)) throw err;
      // The refusal of an actor without the permissions comes first, and is recorded.
      if (!canDrillDown(actor)) await coveragePersons(db, actor, { filter: filter ?? parseCoverageFilter({}, today()), set: 'population', month: null, page: 1 });
      throw err;
    }
  });
}
