// The JSON contract of the schedule engine (issue 5), shared by the CLI (`schedule forecast|rules
// --json`) and the web API so the two can never drift apart. Change the shapes only by adding.
import { parseIsoDate } from '../../domain/dates.ts';
import {
  createEngine, JP_ROUTINE, type CrossVaccineRule, type DoseRecord, type Engine, type ForecastResult, type NextDose,
  type NextStatus, type ProblemCode, type SeasonWindow, type Sex, type VaccineRule,
} from '../../domain/schedule/index.ts';

let engine: Engine | null = null;
/** One engine per process: compiling the pack is the expensive part, and the pack never changes at run time. */
export function scheduleEngine(): Engine {
  engine ??= createEngine(JP_ROUTINE);
  return engine;
}

export function todayInJapan(now: Date = new Date()): string {
  // The edges (CLI, web) own the clock; the domain never reads it.
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo' }).format(now);
}

export type DoseSpecProblem =
  | { kind: 'shape' }
  | { kind: 'dose' }
  | { kind: 'date'; date: string }
  | { kind: 'product' };

/**
 * Parses VACCINE:DOSE:YYYY-MM-DD[:PRODUCT]. Vaccine, range and product are checked by the engine.
 * Returns what is wrong instead of throwing, so each caller words the error for its own user.
 */
export function parseDoseSpec(spec: string): { ok: true; dose: DoseRecord } | { ok: false; problem: DoseSpecProblem } {
  const parts = spec.split(':');
  if (parts.length < 3 || parts.length > 4) return { ok: false, problem: { kind: 'shape' } };
  const [vaccine = '', doseText = '', date = '', product] = parts;
  if (!/^[1-9][0-9]{0,2}$/.test(doseText)) return { ok: false, problem: { kind: 'dose' } };
  if (parseIsoDate(date) === null) return { ok: false, problem: { kind: 'date', date } };
  if (product !== undefined && product === '') return { ok: false, problem: { kind: 'product' } };
  return { ok: true, dose: { vaccine, dose: Number(doseText), date, product: product ?? null } };
}

export interface ForecastDoseJson {
  vaccine: string;
  dose: number;
  date: string;
  product: string | null;
  routine: boolean;
  problems: ProblemCode[];
}

/** A contract-shaped `next` entry: from/until only for due and upcoming. */
export interface ForecastNextJson {
  vaccine: string;
  status: NextStatus;
  dose: number | null;
  from?: string | null;
  until?: string | null;
}

export interface ForecastJson {
  asOf: string;
  birth: string;
  sex: Sex;
  doses: ForecastDoseJson[];
  next: ForecastNextJson[];
}

export interface ForecastInput {
  birth: string;
  sex: Sex;
  asOf: string;
  doses: readonly DoseRecord[];
}

export function nextJson(n: NextDose): ForecastNextJson {
  const o: ForecastNextJson = { vaccine: n.vaccine, status: n.status, dose: n.dose };
  if (n.status === 'due' || n.status === 'upcoming') {
    o.from = n.from ?? null;
    o.until = n.until ?? null;
  }
  return o;
}

/**
 * Runs the forecast and shapes it as the contract; `result` keeps what the contract leaves out
 * (e.g. the reason for `ineligible`), in the same order. Throws ScheduleInputError on bad input.
 */
export function runForecast(input: ForecastInput): { json: ForecastJson; result: ForecastResult } {
  const { birth, sex, asOf } = input;
  const result = scheduleEngine().forecast({ birth, sex }, input.doses, asOf);
  const doses = result.doses.map((d) => ({
    vaccine: d.vaccine, dose: d.dose, date: d.date, product: d.product, routine: d.routine, problems: d.problems,
  }));
  return { json: { asOf, birth, sex, doses, next: result.next.map(nextJson) }, result };
}

export interface RulesJson {
  date: string;
  pack: { id: string; version: string };
  seasons: Record<string, SeasonWindow>;
  crossVaccine: CrossVaccineRule[];
  vaccines: VaccineRule[];
}

/** The rule pack in force on `date` (an existing YYYY-MM-DD; throws ScheduleInputError otherwise). */
export function rulesJson(date: string): RulesJson {
  const e = scheduleEngine();
  const vaccines = e.rulesAt(date);
  const day = parseIsoDate(date) ?? 0;
  const crossVaccine = JP_ROUTINE.crossVaccine.filter((c) =>
    (c.validFrom === undefined || (parseIsoDate(c.validFrom) ?? 0) <= day) && (c.validTo === undefined || (parseIsoDate(c.validTo) ?? 0) >= day));
  return {
    date, pack: { id: JP_ROUTINE.id, version: JP_ROUTINE.version },
    seasons: e.compiled.seasons, crossVaccine, vaccines,
  };
}
