// What a selection asks for, checked once at the edge (CLI, pages) and frozen into a batch.
//
// Definitions (docs/selection.md), all read off the schedule engine's forecast as of `asOf`:
// - listed: a `next` entry with status `due` (window open on asOf), or `upcoming` whose window opens
//   within `withinDays` days (default 0: due only);
// - overdue: due, and the window opened at least OVERDUE_AFTER_DAYS days before asOf (the person
//   could have been vaccinated for three months and was not);
// - not vaccinated: the dose listed is dose 1 (no routine dose of the series yet; for flu, covid
//   and RSV: none in this season / pregnancy).
import { parseIsoDate } from '../../domain/dates.ts';
import { InputError } from '../residents/persons.ts';
import { scheduleEngine } from '../schedule/contract.ts';

export const OVERDUE_AFTER_DAYS = 90;
export const MAX_WITHIN_DAYS = 366;

export interface SelectionCriteria {
  asOf: string;
  /** Vaccine ids, or 'all' (every vaccine in force on asOf). */
  vaccines: readonly string[] | 'all';
  bornFrom?: string;
  bornTo?: string;
  /** 地区 as address_district() reads it (「本町」). */
  district?: string;
  notVaccinated?: boolean;
  overdue?: boolean;
  /** Also list doses whose window opens within this many days after asOf. */
  withinDays?: number;
}

export interface CriteriaInput {
  asOf: string;
  vaccines?: readonly string[] | 'all' | string;
  bornFrom?: string | null;
  bornTo?: string | null;
  district?: string | null;
  notVaccinated?: boolean;
  overdue?: boolean;
  withinDays?: number | string | null;
}

function date(field: string, v: string): string {
  if (parseIsoDate(v) === null) throw new InputError(`${field}: 日付は YYYY-MM-DD で指定してください (not a date: ${v.slice(0, 20)})`);
  return v;
}

/** Validates and normalises criteria; throws InputError saying which field is wrong and why. */
export function parseCriteria(input: CriteriaInput): SelectionCriteria {
  const asOf = date('asOf', input.asOf);
  const known = new Set(scheduleEngine().rulesAt(asOf).map((v) => v.id));
  let vaccines: readonly string[] | 'all' = 'all';
  const raw = typeof input.vaccines === 'string' ? (input.vaccines === 'all' ? 'all' : input.vaccines.split(',')) : (input.vaccines ?? 'all');
  if (raw !== 'all') {
    const list = [...new Set(raw.map((v) => v.trim()).filter((v) => v !== ''))];
    if (list.length === 0) throw new InputError('vaccine: ワクチンを指定してください (no vaccine given)');
    const unknown = list.filter((v) => !known.has(v));
    if (unknown.length) throw new InputError(`vaccine: ${asOf} に定期接種の規則がないワクチンです (no rule in force on ${asOf}): ${unknown.join(', ').slice(0, 100)}`);
    vaccines = list;
  }
  const out: SelectionCriteria = { asOf, vaccines };
  if (input.bornFrom) out.bornFrom = date('bornFrom', input.bornFrom);
  if (input.bornTo) out.bornTo = date('bornTo', input.bornTo);
  if (out.bornFrom && out.bornTo && out.bornFrom > out.bornTo) throw new InputError('bornFrom/bornTo: 開始日が終了日より後です (bornFrom is after bornTo)');
  if (input.district) {
    const d = input.district.normalize('NFKC').trim();
    if (d.length === 0 || d.length > 50) throw new InputError('district: 地区名は1〜50文字です (district must be 1-50 characters)');
    out.district = d;
  }
  if (input.notVaccinated) out.notVaccinated = true;
  if (input.overdue) out.overdue = true;
  if (input.withinDays !== undefined && input.withinDays !== null && input.withinDays !== '') {
    const n = Number(input.withinDays);
    if (!Number.isInteger(n) || n < 0 || n > MAX_WITHIN_DAYS) throw new InputError(`withinDays: 0〜${MAX_WITHIN_DAYS} の整数です (must be an integer 0-${MAX_WITHIN_DAYS})`);
    if (n > 0) out.withinDays = n;
  }
  return out;
}
