// Coverage statistics (接種率): for an as-of date, the residents of chosen birth cohorts (and
// district) and how many of them hold a confirmed routine dose, by vaccine, cohort, district and
// month. Every figure comes from one set-based statement (GROUP BY over the population), never a
// loop over persons. The figures are aggregates and identify no one (control: DATA-13); the list
// behind a figure is a look-up of personal data, for actors holding statistics.read AND
// person.read, audited per person shown (controls: AC-01, LOG-01, LOG-05). Definitions:
// docs/coverage.md.
import type { Database } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import { fiscalYearOf, formatIsoDate, parseIsoDate } from '../../domain/dates.ts';
import type { Actor, Permission } from '../../security/actor.ts';
import { can, perform } from '../../security/guard.ts';

export class CoverageInputError extends Error {
  override name = 'CoverageInputError';
  readonly statusCode = 400;
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export interface CoverageFilter {
  /** The day the figures are for (YYYY-MM-DD). */
  readonly asOf: string;
  /** Birth cohorts: 年度 of birth (1 April – 31 March, named by the year it starts), inclusive. */
  readonly cohortFrom: number;
  readonly cohortTo: number;
  /** null: every district; '': persons whose address has no readable district (address_district()). */
  readonly district: string | null;
  /** The vaccine and dose number counted; the by-vaccine table counts every pair instead. */
  readonly vaccine: string | null;
  readonly dose: number;
  /** Months shown by month, ending with the as-of month. */
  readonly months: number;
}

/** Filter values as a form or the command line gives them. */
export interface RawCoverageFilter {
  asOf?: string | undefined;
  cohortFrom?: string | undefined;
  cohortTo?: string | undefined;
  district?: string | undefined;
  vaccine?: string | undefined;
  dose?: string | undefined;
  months?: string | undefined;
}

/** Stands for "no readable district" in a URL or on the command line. */
export const UNKNOWN_DISTRICT_PARAM = '-';
/** Cohorts counted when none are asked for: the children of the routine infant schedule. */
export const DEFAULT_COHORT_SPAN = 7;
export const MAX_COHORT_SPAN = 120;
export const DEFAULT_MONTHS = 12;
export const MAX_MONTHS = 120;
export const PAGE_SIZE = 50;

const bad = (field: string, ja: string, en: string): CoverageInputError => new CoverageInputError(field, `${field}: ${ja} (${en})`);

function intIn(field: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  const v = raw?.trim() ?? '';
  if (v === '') return fallback;
  if (!/^[0-9]{1,4}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw bad(field, `「${v.slice(0, 20)}」は ${min}〜${max} の整数で入力してください`, `'${v.slice(0, 20)}' must be a whole number from ${min} to ${max}`);
  }
  return Number(v);
}

/** Checks every field and fills the defaults; bad input stops here with the field and the reason. */
export function parseCoverageFilter(raw: RawCoverageFilter, today: string): CoverageFilter {
  const asOfText = raw.asOf?.trim() || today;
  const asOfDay = parseIsoDate(asOfText);
  if (asOfDay === null) throw bad('asOf', `「${asOfText.slice(0, 20)}」は日付ではありません（YYYY-MM-DD）`, `'${asOfText.slice(0, 20)}' is not a date (YYYY-MM-DD)`);
  const asOf = formatIsoDate(asOfDay);
  const fy = fiscalYearOf(asOfDay);
  const cohortTo = intIn('cohortTo', raw.cohortTo, fy, 1900, 2200);
  const cohortFrom = intIn('cohortFrom', raw.cohortFrom, Math.min(cohortTo, fy) - (DEFAULT_COHORT_SPAN - 1), 1900, 2200);
  if (cohortFrom > cohortTo) throw bad('cohortFrom', `開始年度 ${cohortFrom} が終了年度 ${cohortTo} より後です`, `cohort ${cohortFrom} is after ${cohortTo}`);
  if (cohortTo - cohortFrom + 1 > MAX_COHORT_SPAN) throw bad('cohortFrom', `年度の範囲は ${MAX_COHORT_SPAN} 年以内にしてください`, `at most ${MAX_COHORT_SPAN} cohorts`);
  const vaccine = raw.vaccine?.trim() || null;
  if (vaccine !== null && !/^[a-z][a-z0-9_]{0,29}$/.test(vaccine)) throw bad('vaccine', `ワクチン「${vaccine.slice(0, 30)}」は正しくありません`, `'${vaccine.slice(0, 30)}' is not a vaccine id`);
  const district = raw.district === undefined || raw.district.trim() === '' ? null : raw.district.trim() === UNKNOWN_DISTRICT_PARAM ? '' : raw.district.trim();
  if (district !== null && district.length > 100) throw bad('district', '地区名が長すぎます（100文字まで）', 'district name longer than 100 characters');
  return {
    asOf,
    cohortFrom,
    cohortTo,
    district,
    vaccine,
    dose: intIn('dose', raw.dose, 1, 1, 99),
    months: intIn('months', raw.months, DEFAULT_MONTHS, 1, MAX_MONTHS),
  };
}

/** The filter back as the raw values that parse to it (for links and forms). */
export function filterParams(f: CoverageFilter): Record<string, string> {
  const out: Record<string, string> = { asOf: f.asOf, cohortFrom: String(f.cohortFrom), cohortTo: String(f.cohortTo), dose: String(f.dose), months: String(f.months) };
  if (f.vaccine) out.vaccine = f.vaccine;
  if (f.district !== null) out.district = f.district === '' ? UNKNOWN_DISTRICT_PARAM : f.district;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The SQL. One population, one set of counted doses, built once per request as temporary tables
// (dropped at commit) and shared by every figure and list: each figure used to repeat the whole
// population and dose join, five times for a full report (2 M residents: ~90 s instead of a few).

/**
 * coverage_pop: persons not merged away, born on or before the as-of day in the cohorts, resident on
 * that day (resident now and moved in by then, or moved out / died after it); 'removed' persons (gone
 * from a full register file, date unknown) never count. The district (a regular-expression
 * function) is computed only where it filters or is shown.
 * coverage_counted: confirmed (current version in force, not deleted) routine doses given on or
 * before the as-of day, read from the persons' history summaries, a merged duplicate's doses counted for its survivor — of every vaccine when
 * the by-vaccine table is asked for, else of the chosen vaccine and dose only.
 * coverage_firsts: each person's first counted dose of the chosen vaccine and dose number (none
 * without a vaccine).
 * Joins carry municipality_code, so the (municipality_code, …) indexes serve them; row-level
 * security filters every table read.
 */
async function materialize(tx: ScopedTx, f: CoverageFilter, counted: 'every vaccine' | 'chosen vaccine'): Promise<void> {
  await tx.exec(`
    CREATE TEMP TABLE coverage_pop (mc char(6), id uuid, address_number text, name text, birth_date date, address text, cohort int) ON COMMIT DROP;
    CREATE TEMP TABLE coverage_counted (person_id uuid, vaccine_id text, dose_number int, administered_on date) ON COMMIT DROP;
    CREATE TEMP TABLE coverage_firsts (person_id uuid PRIMARY KEY, first_on date) ON COMMIT DROP`);
  await tx.query(
    `INSERT INTO coverage_pop
     SELECT p.municipality_code, p.id, p.address_number, p.name, p.birth_date, p.address,
            extract(year FROM p.birth_date - interval '3 months')::int
       FROM persons p
      WHERE p.municipality_code = app_tenant_code() AND p.merged_into IS NULL
        AND p.birth_date <= $1::date
        AND p.birth_date >= make_date($2::int, 4, 1) AND p.birth_date < make_date($3::int + 1, 4, 1)
        AND (p.moved_in_on IS NULL OR p.moved_in_on <= $1::date)
        AND (p.status = 'resident' OR (p.status IN ('moved_out', 'dead') AND p.status_date > $1::date))
        AND ($4::text IS NULL OR address_district(p.address) = $4::text)`,
    [f.asOf, f.cohortFrom, f.cohortTo, f.district],
  );
  await tx.exec('ANALYZE coverage_pop');
  const chosen = counted === 'chosen vaccine' ? f.vaccine : null;
  // A list of the population alone (no vaccine) needs no doses at all.
  if (counted === 'chosen vaccine' && chosen === null) return;
  // The doses come from each person's history summary (person_dose_histories, migration 0018:
  // vaccine, dose, date, product, routine per dose), one row a person, instead of probing the
  // versions of every dose (1.5 M probes for the 86,000 children of a 2 M city: ~15 s).
  await tx.query(
    `INSERT INTO coverage_counted
     WITH owner AS (
       SELECT mc, id AS person_id, id AS owner_id FROM coverage_pop
       UNION ALL
       SELECT m.municipality_code, m.id, m.merged_into FROM persons m JOIN coverage_pop pop ON m.municipality_code = pop.mc AND m.merged_into = pop.id),
     dose AS (
       SELECT o.owner_id, string_to_array(x.one, chr(31)) AS f
         FROM owner o
         JOIN person_dose_histories h ON h.municipality_code = o.mc AND h.person_id = o.person_id
        CROSS JOIN LATERAL unnest(string_to_array(h.history, chr(30))) AS x(one))
     SELECT owner_id, f[1], f[2]::int, f[3]::date
       FROM dose
      WHERE f[5] = '1' AND f[3]::date <= $1::date
        AND ($2::text IS NULL OR (f[1] = $2::text AND f[2]::int = $3::int))`,
    [f.asOf, chosen, f.dose],
  );
  await tx.query(
    `INSERT INTO coverage_firsts
     SELECT person_id, min(administered_on) FROM coverage_counted WHERE vaccine_id = $1::text AND dose_number = $2::int GROUP BY person_id`,
    [f.vaccine, f.dose],
  );
  await tx.exec('ANALYZE coverage_counted; ANALYZE coverage_firsts');
}

export interface CoverageCell {
  /** Residents counted (分母). */
  readonly denominator: number;
  /** Of them, persons with the dose (分子). */
  readonly vaccinated: number;
  /** vaccinated / denominator in percent, one decimal; null when nobody is counted. */
  readonly coverage: number | null;
}

export interface VaccineRow extends CoverageCell {
  readonly vaccine: string;
  readonly nameJa: string;
  readonly nameEn: string;
  readonly dose: number;
}
export interface CohortRow extends CoverageCell {
  readonly cohort: number;
}
export interface DistrictRow extends CoverageCell {
  /** '' when the address has no readable district. */
  readonly district: string;
}
export interface MonthRow extends CoverageCell {
  /** YYYY-MM */
  readonly month: string;
  /** Counted doses given in the month (a person with two records of the same dose counts twice). */
  readonly doses: number;
  /** Persons whose first counted dose fell in the month. */
  readonly newlyVaccinated: number;
}

export type CoverageDimension = 'vaccine' | 'cohort' | 'district' | 'month';
export const COVERAGE_DIMENSIONS: readonly CoverageDimension[] = ['vaccine', 'cohort', 'district', 'month'];
export const isCoverageDimension = (v: string): v is CoverageDimension => (COVERAGE_DIMENSIONS as readonly string[]).includes(v);

export interface CoverageReport {
  readonly filter: CoverageFilter;
  readonly vaccineName: { ja: string; en: string } | null;
  /** The catalogue, for filter forms. */
  readonly vaccines: readonly VaccineOption[];
  /** Everyone counted, with the chosen vaccine's figure (vaccinated 0 when no vaccine is chosen). */
  readonly total: CoverageCell;
  readonly byVaccine?: readonly VaccineRow[];
  readonly byCohort?: readonly CohortRow[];
  readonly byDistrict?: readonly DistrictRow[];
  readonly byMonth?: readonly MonthRow[];
}

export function percent(vaccinated: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((vaccinated * 1000) / denominator) / 10;
}

const cell = (denominator: number, vaccinated: number): CoverageCell => ({ denominator, vaccinated, coverage: percent(vaccinated, denominator) });

export interface VaccineOption {
  id: string;
  nameJa: string;
  nameEn: string;
}

async function vaccineOptions(tx: ScopedTx): Promise<VaccineOption[]> {
  return tx.query<VaccineOption>('SELECT id, name_ja AS "nameJa", name_en AS "nameEn" FROM vaccines ORDER BY id');
}

async function checkVaccine(tx: ScopedTx, f: CoverageFilter): Promise<{ chosen: VaccineOption | null; all: VaccineOption[] }> {
  const all = await vaccineOptions(tx);
  if (!f.vaccine) return { chosen: null, all };
  const chosen = all.find((v) => v.id === f.vaccine);
  if (!chosen) throw bad('vaccine', `ワクチン「${f.vaccine}」はありません`, `no vaccine '${f.vaccine}'`);
  return { chosen, all };
}

/** The first day of the month `n - 1` months before the as-of month. */
function firstMonth(asOf: string, n: number): string {
  const [y, m] = asOf.split('-').map(Number) as [number, number];
  const idx = y * 12 + (m - 1) - (n - 1);
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}-01`;
}

/**
 * The figures asked for, in one transaction and one audit entry. Cohort, district and month need a
 * vaccine; without one only the by-vaccine table and the total are given.
 */
export async function coverageReport(db: Database, actor: Actor, filter: CoverageFilter, dims: readonly CoverageDimension[]): Promise<CoverageReport> {
  const detail = { ...filterParams(filter), by: dims.join(',') };
  return perform(db, actor, { permission: 'statistics.read', action: 'coverage.report', detail }, async ({ tx }) => {
    const { chosen: v, all } = await checkVaccine(tx, filter);
    const needsVaccine = dims.filter((d) => d !== 'vaccine');
    if (!v && needsVaccine.length > 0) throw bad('vaccine', `${needsVaccine.join('・')}別の集計にはワクチンを選んでください`, `choose a vaccine for coverage by ${needsVaccine.join(', ')}`);
    await materialize(tx, filter, dims.includes('vaccine') ? 'every vaccine' : 'chosen vaccine');
    const [tot] = await tx.query<{ denominator: number; vaccinated: number }>(
      'SELECT count(*)::int AS denominator, count(f.person_id)::int AS vaccinated FROM coverage_pop pop LEFT JOIN coverage_firsts f ON f.person_id = pop.id',
    );
    const total = cell(tot?.denominator ?? 0, v ? (tot?.vaccinated ?? 0) : 0);
    const report: { -readonly [K in keyof CoverageReport]: CoverageReport[K] } = {
      filter,
      vaccineName: v ? { ja: v.nameJa, en: v.nameEn } : null,
      vaccines: all,
      total,
    };
    if (dims.includes('vaccine')) report.byVaccine = await byVaccine(tx, total.denominator);
    if (v && dims.includes('cohort')) report.byCohort = await byCohort(tx, filter);
    if (v && dims.includes('district')) report.byDistrict = await byDistrict(tx);
    if (v && dims.includes('month')) report.byMonth = await byMonth(tx, filter, total.denominator);
    return report;
  });
}

async function byVaccine(tx: ScopedTx, denominator: number): Promise<VaccineRow[]> {
  // Every (vaccine, dose) pair with at least one counted dose in the population.
  const rows = await tx.query<{ vaccine: string; name_ja: string; name_en: string; dose: number; vaccinated: number }>(
    `SELECT c.vaccine_id AS vaccine, vx.name_ja, vx.name_en, c.dose_number::int AS dose, count(DISTINCT c.person_id)::int AS vaccinated
       FROM coverage_counted c JOIN vaccines vx ON vx.id = c.vaccine_id
      GROUP BY c.vaccine_id, vx.name_ja, vx.name_en, c.dose_number
      ORDER BY c.vaccine_id, c.dose_number`,
  );
  return rows.map((r) => ({ vaccine: r.vaccine, nameJa: r.name_ja, nameEn: r.name_en, dose: r.dose, ...cell(denominator, r.vaccinated) }));
}

async function byCohort(tx: ScopedTx, f: CoverageFilter): Promise<CohortRow[]> {
  const rows = await tx.query<{ cohort: number; denominator: number; vaccinated: number }>(
    `SELECT pop.cohort, count(*)::int AS denominator, count(f.person_id)::int AS vaccinated
       FROM coverage_pop pop LEFT JOIN coverage_firsts f ON f.person_id = pop.id
      GROUP BY pop.cohort`,
  );
  const found = new Map(rows.map((r) => [r.cohort, r]));
  // Every cohort in the range gets a row, empty ones too, so tables and charts line up year by year.
  const out: CohortRow[] = [];
  for (let c = f.cohortFrom; c <= f.cohortTo; c++) {
    const r = found.get(c);
    out.push({ cohort: c, ...cell(r?.denominator ?? 0, r?.vaccinated ?? 0) });
  }
  return out;
}

async function byDistrict(tx: ScopedTx): Promise<DistrictRow[]> {
  const rows = await tx.query<{ district: string; denominator: number; vaccinated: number }>(
    `SELECT d.district, count(*)::int AS denominator, count(f.person_id)::int AS vaccinated
       FROM (SELECT pop.id, address_district(pop.address) AS district FROM coverage_pop pop) d LEFT JOIN coverage_firsts f ON f.person_id = d.id
      GROUP BY d.district
      ORDER BY d.district COLLATE "C"`,
  );
  return rows.map((r) => ({ district: r.district, ...cell(r.denominator, r.vaccinated) }));
}

async function byMonth(tx: ScopedTx, f: CoverageFilter, denominator: number): Promise<MonthRow[]> {
  // Cumulative coverage at each month's end = persons vaccinated before the window + a running sum.
  const rows = await tx.query<{ month: string; doses: number; newly: number; cumulative: number }>(
    `WITH months AS (SELECT generate_series($1::date, $2::date, interval '1 month')::date AS m)
     SELECT to_char(mo.m, 'YYYY-MM') AS month, coalesce(d.doses, 0)::int AS doses, coalesce(n.newly, 0)::int AS newly,
            ((SELECT count(*) FROM coverage_firsts WHERE first_on < $1::date) + sum(coalesce(n.newly, 0)) OVER (ORDER BY mo.m))::int AS cumulative
       FROM months mo
       LEFT JOIN (SELECT date_trunc('month', administered_on::timestamp)::date AS m, count(*) AS doses FROM coverage_counted
                   WHERE vaccine_id = $3::text AND dose_number = $4::int GROUP BY 1) d ON d.m = mo.m
       LEFT JOIN (SELECT date_trunc('month', first_on::timestamp)::date AS m, count(*) AS newly FROM coverage_firsts GROUP BY 1) n ON n.m = mo.m
      ORDER BY mo.m`,
    [firstMonth(f.asOf, f.months), f.asOf, f.vaccine, f.dose],
  );
  return rows.map((r) => ({ month: r.month, doses: r.doses, newlyVaccinated: r.newly, ...cell(denominator, r.cumulative) }));
}

// ---------------------------------------------------------------------------------------------
// The persons behind a figure.

export type PersonSet = 'population' | 'vaccinated' | 'unvaccinated';
export const PERSON_SETS: readonly PersonSet[] = ['population', 'vaccinated', 'unvaccinated'];
export const isPersonSet = (v: string): v is PersonSet => (PERSON_SETS as readonly string[]).includes(v);

export interface DrillDown {
  readonly filter: CoverageFilter;
  readonly set: PersonSet;
  /** YYYY-MM: only persons whose first counted dose fell in that month (set 'vaccinated'). */
  readonly month: string | null;
  /** 1-based. */
  readonly page: number;
}

/** What the list shows of a person: never My Number. */
export interface CoveragePerson {
  readonly id: string;
  readonly addressNumber: string;
  readonly name: string;
  readonly birthDate: string;
  readonly district: string;
  /** First counted dose of the chosen vaccine and dose number; null when none (or no vaccine). */
  readonly doseDate: string | null;
}

export interface PersonPage {
  readonly rows: readonly CoveragePerson[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly vaccineName: { ja: string; en: string } | null;
}

/** Lists need both permissions: the statistics, and personal data (the auditor has only the first). */
export const DRILL_DOWN_PERMISSIONS: readonly Permission[] = ['statistics.read', 'person.read'];
export const canDrillDown = (actor: Actor): boolean => DRILL_DOWN_PERMISSIONS.every((p) => can(actor, p));

export function checkDrillDown(d: DrillDown): void {
  if (d.set !== 'population' && !d.filter.vaccine) throw bad('vaccine', '接種済・未接種の一覧にはワクチンを選んでください', 'choose a vaccine to list vaccinated or unvaccinated persons');
  if (d.month !== null) {
    if (!/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(d.month)) throw bad('month', `「${d.month.slice(0, 10)}」は年月ではありません（YYYY-MM）`, `'${d.month.slice(0, 10)}' is not a month (YYYY-MM)`);
    if (d.set !== 'vaccinated') throw bad('month', '月の指定は接種済の一覧だけに使えます', 'a month applies to the vaccinated list only');
  }
  if (!Number.isSafeInteger(d.page) || d.page < 1 || d.page > 100_000) throw bad('page', 'ページ番号が正しくありません', 'page out of range');
}

export async function coveragePersons(db: Database, actor: Actor, d: DrillDown): Promise<PersonPage> {
  checkDrillDown(d);
  // perform() checks one permission: the first one missing (so the refusal names it), else person.read.
  const permission = DRILL_DOWN_PERMISSIONS.find((p) => !can(actor, p)) ?? 'person.read';
  const detail = { ...filterParams(d.filter), set: d.set, ...(d.month ? { month: d.month } : {}), page: d.page };
  return perform(db, actor, { permission, action: 'coverage.persons', detail }, async ({ tx, note, audit }) => {
    const { chosen } = await checkVaccine(tx, d.filter);
    await materialize(tx, d.filter, 'chosen vaccine');
    const params = [d.month ? `${d.month}-01` : null];
    const where =
      d.set === 'vaccinated'
        ? `f.person_id IS NOT NULL AND ($1::date IS NULL OR date_trunc('month', f.first_on::timestamp)::date = $1::date)`
        : d.set === 'unvaccinated'
          ? 'f.person_id IS NULL AND $1::date IS NULL'
          : '$1::date IS NULL';
    const [count] = await tx.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM coverage_pop pop LEFT JOIN coverage_firsts f ON f.person_id = pop.id WHERE ${where}`,
      params,
    );
    const rows = await tx.query<CoveragePerson>(
      `SELECT pop.id, pop.address_number AS "addressNumber", pop.name, pop.birth_date AS "birthDate", address_district(pop.address) AS district,
              f.first_on AS "doseDate"
         FROM coverage_pop pop LEFT JOIN coverage_firsts f ON f.person_id = pop.id
        WHERE ${where}
        ORDER BY pop.birth_date, pop.address_number
        LIMIT ${PAGE_SIZE} OFFSET $2::int`,
      [...params, (d.page - 1) * PAGE_SIZE],
    );
    // Each person shown is a look-up of that person: one entry per subject, so the review of bulk
    // look-ups and a person's own access history see it (control: LOG-05).
    for (const r of rows) await audit({ action: 'coverage.person', result: 'ok', subjectPersonId: r.id, detail: { set: d.set } });
    note({ total: count?.total ?? 0, shown: rows.length });
    const vaccineName = chosen ? { ja: chosen.nameJa, en: chosen.nameEn } : null;
    return { rows, total: count?.total ?? 0, page: d.page, pageSize: PAGE_SIZE, vaccineName };
  });
}
