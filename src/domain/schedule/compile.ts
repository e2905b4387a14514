// Compiles a rule pack (plain data) into precomputed structures the engine walks without parsing
// or allocating: ages as small records, dates as day numbers, products as maps. Also evaluates
// eligibility windows for one person. Pure; no I/O.
import {
  OPEN_END, ageInYearsOn, dayFromCivil, daysInMonth, fiscalYearEnd, fiscalYearOf, fiscalYearStart,
  parseIsoDate, reachMonthsYmd, ymdOf, type Day,
} from '../dates.ts';
import { extendForLongIllness } from './long-illness.ts';
import type {
  AgeExpr, DisabilityKind, MunicipalityConfig, RulePack, SeasonWindow, Sex, VaccineRule, WindowSpec,
} from './types.ts';

/** Thrown for a malformed rule pack or municipality configuration (a programming/config error). */
export class RulePackError extends Error {
  override name = 'RulePackError';
}

export const NO_DAY = -1_000_000_000;
const NEG_OPEN = -OPEN_END;

// Age units
const U_DAY = 0;
const U_WEEK = 1;
const U_MONTH = 2;
const U_YEAR = 3;

export interface CAge {
  unit: number;
  n: number;
  plus: number;
}

export interface CInterval {
  from: number;
  days: number; // -1 when month-based
  months: number;
  extra: number;
}

export interface CPathDose {
  min: CAge | null;
  through: CAge | null;
  intervals: CInterval[];
  standalone: boolean;
}

export interface CPath {
  id: string;
  products: Set<string> | null;
  startFrom: CAge | null;
  startThrough: CAge | null;
  doses: CPathDose[];
  live: boolean;
}

type CWindow =
  | { kind: 'age'; from: CAge; through: CAge | null }
  | { kind: 'fiscalYearOfAge'; fromYears: number; throughYears: number }
  | { kind: 'preSchoolYear'; from: CAge; through: CAge }
  | { kind: 'fiscalYearEndAge'; ages: number[]; minAge: number; fyFrom: number; fyThrough: number }
  | { kind: 'dates'; from: Day; through: Day }
  | { kind: 'pregnancy'; from: CAge; through: CAge };

export interface CElig {
  /** Bitmask of dose numbers (bit k for dose k); all bits when the rule names no doses. */
  doses: number;
  window: CWindow;
  bornFrom: Day;
  bornThrough: Day;
  disability: DisabilityKind[] | null;
  doseBetweenFrom: Day;
  doseBetweenThrough: Day;
}

export interface CProduct {
  from: Day;
  to: Day;
  live: boolean;
}

export interface CVersion {
  rule: VaccineRule;
  from: Day;
  to: Day;
  elig: CElig[];
  paths: CPath[];
  products: Map<string, CProduct>;
  longIllnessYears: number; // 0 = not applicable
  longIllnessCap: CAge | null;
}

export interface CSeason {
  sm: number;
  sd: number;
  em: number;
  ed: number;
  crosses: boolean;
}

export interface CVaccine {
  id: string;
  index: number;
  versions: CVersion[];
  inForceFrom: Day;
  inForceTo: Day;
  maxDose: number;
  sex: Sex | null;
  episode: 'season' | 'pregnancy' | null;
  /** Vaccine-level 注射生 flag (products may override). */
  live: boolean;
  /** Product id → injected live, over all versions. */
  productLive: Map<string, boolean>;
  season: CSeason | null;
  routeGroup: string | null;
  routeRole: 'combined' | 'legacy' | null;
}

export interface CCrossRule {
  from: Day;
  to: Day;
  days: number;
}

export interface CompiledPack {
  pack: RulePack;
  config: MunicipalityConfig;
  vaccines: CVaccine[];
  byId: Map<string, CVaccine>;
  /** Every product id known to any vaccine (unknown ids are input errors). */
  productIds: Set<string>;
  cross: CCrossRule[];
  seasons: Record<string, SeasonWindow>;
}

// ---------------------------------------------------------------------------------------------

const AGE_RE = /^(\d+)([dwmy])(?:\+(\d+)d)?$/;

export function parseAge(expr: AgeExpr, where: string): CAge {
  const m = AGE_RE.exec(expr);
  if (!m) throw new RulePackError(`${where}: bad age expression '${expr}' (expected e.g. '2m', '6w', '12m+1d')`);
  const unit = m[2] === 'd' ? U_DAY : m[2] === 'w' ? U_WEEK : m[2] === 'm' ? U_MONTH : U_YEAR;
  return { unit, n: Number(m[1]), plus: m[3] === undefined ? 0 : Number(m[3]) };
}

function dateOr(s: string | undefined, dflt: Day, where: string): Day {
  if (s === undefined) return dflt;
  const d = parseIsoDate(s);
  if (d === null) throw new RulePackError(`${where}: bad date '${s}'`);
  return d;
}

const MD_RE = /^(\d{2})-(\d{2})$/;

function compileSeason(s: SeasonWindow, where: string): CSeason {
  const a = MD_RE.exec(s.start);
  const b = MD_RE.exec(s.end);
  if (!a || !b) throw new RulePackError(`${where}: season bounds must be 'MM-DD'`);
  const sm = Number(a[1]);
  const sd = Number(a[2]);
  const em = Number(b[1]);
  const ed = Number(b[2]);
  if (sm < 1 || sm > 12 || em < 1 || em > 12 || sd < 1 || sd > daysInMonth(2000, sm) || ed < 1 || ed > daysInMonth(2000, em)) {
    throw new RulePackError(`${where}: season bounds must be real month-days`);
  }
  return { sm, sd, em, ed, crosses: em * 100 + ed < sm * 100 + sd };
}

function compileWindow(w: WindowSpec, where: string): CWindow {
  switch (w.kind) {
    case 'age':
      return { kind: 'age', from: parseAge(w.from, where), through: w.through === undefined ? null : parseAge(w.through, where) };
    case 'fiscalYearOfAge':
      return { kind: 'fiscalYearOfAge', fromYears: w.fromYears, throughYears: w.throughYears };
    case 'preSchoolYear':
      return { kind: 'preSchoolYear', from: parseAge(w.from, where), through: parseAge(w.through, where) };
    case 'fiscalYearEndAge': {
      if (w.minAge !== undefined && w.fiscalYears === undefined) {
        throw new RulePackError(`${where}: fiscalYearEndAge with minAge needs fiscalYears`);
      }
      return {
        kind: 'fiscalYearEndAge', ages: w.ages ?? [], minAge: w.minAge ?? Number.POSITIVE_INFINITY,
        fyFrom: w.fiscalYears?.from ?? -1e6, fyThrough: w.fiscalYears?.through ?? 1e6,
      };
    }
    case 'dates':
      return { kind: 'dates', from: dateOr(w.from, 0, where), through: dateOr(w.through, 0, where) };
    case 'pregnancy': {
      const from = parseAge(w.from, where);
      const through = parseAge(w.through, where);
      if (from.unit > U_WEEK || through.unit > U_WEEK) throw new RulePackError(`${where}: pregnancy bounds use weeks or days`);
      return { kind: 'pregnancy', from, through };
    }
  }
}

function compileVersion(rule: VaccineRule): CVersion {
  const where = `vaccine ${rule.id}${rule.validFrom ? ` (from ${rule.validFrom})` : ''}`;
  if (rule.paths.length === 0) throw new RulePackError(`${where}: no series path`);
  const products = new Map<string, CProduct>();
  for (const p of rule.products ?? []) {
    products.set(p.id, {
      from: dateOr(p.validFrom, NEG_OPEN, where),
      to: dateOr(p.validTo, OPEN_END, where),
      live: p.injectedLive ?? rule.injectedLive ?? false,
    });
  }
  const paths: CPath[] = rule.paths.map((p) => {
    const pw = `${where} path ${p.id}`;
    if (p.doses.length === 0) throw new RulePackError(`${pw}: no doses`);
    for (const pid of p.products ?? []) {
      if (!products.has(pid)) throw new RulePackError(`${pw}: product '${pid}' is not listed in products`);
    }
    const live = p.products !== undefined && p.products.length > 0
      ? p.products.every((pid) => products.get(pid)?.live === true)
      : rule.injectedLive === true;
    return {
      id: p.id,
      products: p.products === undefined ? null : new Set(p.products),
      startFrom: p.start?.from === undefined ? null : parseAge(p.start.from, pw),
      startThrough: p.start?.through === undefined ? null : parseAge(p.start.through, pw),
      live,
      doses: p.doses.map((d, i) => ({
        min: d.minAge === undefined ? null : parseAge(d.minAge, pw),
        through: d.throughAge === undefined ? null : parseAge(d.throughAge, pw),
        standalone: d.standalone === true,
        intervals: (d.intervals ?? []).map((iv) => {
          if (iv.from < 1 || iv.from > i) throw new RulePackError(`${pw}: dose ${i + 1} interval counts from dose ${iv.from}`);
          if ((iv.days === undefined) === (iv.months === undefined)) {
            throw new RulePackError(`${pw}: dose ${i + 1} interval needs exactly one of days or months`);
          }
          return { from: iv.from, days: iv.days ?? -1, months: iv.months ?? 0, extra: iv.extraDays ?? 0 };
        }),
      })),
    };
  });
  const elig: CElig[] = rule.eligibility.map((e) => ({
    doses: e.doses === undefined ? -1 : e.doses.reduce((m, k) => m | (1 << k), 0),
    window: compileWindow(e.window, where),
    bornFrom: dateOr(e.born?.from, NEG_OPEN, where),
    bornThrough: dateOr(e.born?.through, OPEN_END, where),
    disability: e.requires?.disability ?? null,
    doseBetweenFrom: dateOr(e.requires?.doseBetween?.from, NO_DAY, where),
    doseBetweenThrough: dateOr(e.requires?.doseBetween?.through, NO_DAY, where),
  }));
  return {
    rule,
    from: dateOr(rule.validFrom, NEG_OPEN, where),
    to: dateOr(rule.validTo, OPEN_END, where),
    elig,
    paths,
    products,
    longIllnessYears: rule.longIllness?.years ?? 0,
    longIllnessCap: rule.longIllness?.capAge === undefined ? null : parseAge(rule.longIllness.capAge, where),
  };
}

export function compilePack(pack: RulePack, config: MunicipalityConfig = {}): CompiledPack {
  const seasons: Record<string, SeasonWindow> = { ...pack.seasons, ...(config.seasons ?? {}) };
  const all: VaccineRule[] = [...pack.vaccines];
  const packIds = new Set(pack.vaccines.map((v) => v.id));
  for (const lv of config.localVaccines ?? []) {
    if (packIds.has(lv.id)) throw new RulePackError(`local vaccine '${lv.id}' collides with a ${pack.id} vaccine id`);
    if (lv.class !== 'local') throw new RulePackError(`local vaccine '${lv.id}' must have class 'local'`);
    all.push(lv);
  }
  const vaccines: CVaccine[] = [];
  const byId = new Map<string, CVaccine>();
  const productIds = new Set<string>();
  for (const rule of all) {
    const ver = compileVersion(rule);
    for (const p of ver.products.keys()) productIds.add(p);
    let cv = byId.get(rule.id);
    if (cv === undefined) {
      const seasonSpec = rule.episode === 'season' ? seasons[rule.id] : undefined;
      if (rule.episode === 'season' && seasonSpec === undefined) throw new RulePackError(`vaccine ${rule.id}: no season window`);
      cv = {
        id: rule.id, index: vaccines.length, versions: [], inForceFrom: OPEN_END, inForceTo: NEG_OPEN, maxDose: 0,
        sex: rule.sex ?? null, episode: rule.episode ?? null, live: rule.injectedLive === true,
        productLive: new Map(), season: seasonSpec === undefined ? null : compileSeason(seasonSpec, `season ${rule.id}`),
        routeGroup: rule.route?.group ?? null, routeRole: rule.route?.role ?? null,
      };
      vaccines.push(cv);
      byId.set(rule.id, cv);
    } else {
      const first = cv.versions[0];
      if (first && first.paths.map((p) => p.id).join('|') !== ver.paths.map((p) => p.id).join('|')) {
        throw new RulePackError(`vaccine ${rule.id}: versions must share the same series paths`);
      }
      for (const prev of cv.versions) {
        if (ver.from <= prev.to && prev.from <= ver.to) throw new RulePackError(`vaccine ${rule.id}: overlapping versions`);
      }
    }
    cv.versions.push(ver);
    cv.versions.sort((a, b) => a.from - b.from);
    cv.inForceFrom = Math.min(cv.inForceFrom, ver.from);
    cv.inForceTo = Math.max(cv.inForceTo, ver.to);
    for (const p of ver.paths) cv.maxDose = Math.max(cv.maxDose, p.doses.length);
    for (const [id, p] of ver.products) cv.productLive.set(id, p.live);
  }
  const cross = pack.crossVaccine.map((c) => ({
    from: dateOr(c.validFrom, NEG_OPEN, `cross rule ${c.id}`),
    to: dateOr(c.validTo, OPEN_END, `cross rule ${c.id}`),
    days: c.injectedLiveDays,
  }));
  return { pack, config, vaccines, byId, productIds, cross, seasons };
}

export function versionAt(cv: CVaccine, day: Day): CVersion | undefined {
  for (const v of cv.versions) if (v.from <= day && day <= v.to) return v;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Per-person evaluation

/** A person decomposed once for fast age arithmetic. */
export interface PersonCtx {
  /** Reach-cache generation (see nextGeneration). */
  gen: number;
  birth: Day;
  by: number;
  bm: number;
  bd: number;
  sex: Sex;
  disability: DisabilityKind | null;
  /** Flat [from, ceased, …]. */
  illness: number[];
  pregnancies: Day[];
}

// Reaching days are asked for again and again (2, 7, 12, 24, 60, 90 months …) while one person is
// evaluated. A generation-stamped cache avoids recomputing them without clearing anything per
// person: an entry is valid only when its stamp equals the person's generation.
const REACH_SLOTS = 1600; // months; ages up to 133 years
const reachVal = new Int32Array(REACH_SLOTS);
const reachGen = new Int32Array(REACH_SLOTS);
let generation = 0;

/** A fresh cache generation for a new PersonCtx. */
export function nextGeneration(): number {
  generation = generation >= 0x7fffffff ? 1 : generation + 1;
  return generation;
}

export function reachMonthsP(p: PersonCtx, months: number): Day {
  if (months < REACH_SLOTS && months >= 0) {
    if (reachGen[months] === p.gen) return reachVal[months] as number;
    const v = reachMonthsYmd(p.by, p.bm, p.bd, months);
    reachVal[months] = v;
    reachGen[months] = p.gen;
    return v;
  }
  return reachMonthsYmd(p.by, p.bm, p.bd, months);
}

export function ageDay(p: PersonCtx, a: CAge): Day {
  switch (a.unit) {
    case U_DAY: return p.birth + a.n + a.plus;
    case U_WEEK: return p.birth + 7 * a.n + a.plus;
    case U_MONTH: return reachMonthsP(p, a.n) + a.plus;
    default: return reachMonthsP(p, 12 * a.n) + a.plus;
  }
}

function reachYearsP(p: PersonCtx, n: number): Day {
  return reachMonthsP(p, 12 * n);
}

function offset(base: Day, a: CAge): Day {
  return base + (a.unit === U_WEEK ? 7 * a.n : a.n) + a.plus;
}

function pushClipped(out: number[], a: Day, b: Day, lo: Day, hi: Day): void {
  const x = a > lo ? a : lo;
  const y = b < hi ? b : hi;
  if (x <= y) out.push(x, y);
}

/** Appends the raw windows of one eligibility rule (unclipped by vaccine validity). */
function windowsOf(p: PersonCtx, w: CWindow, out: number[], lo: Day, hi: Day): void {
  switch (w.kind) {
    case 'age':
      pushClipped(out, ageDay(p, w.from), w.through === null ? OPEN_END : ageDay(p, w.through), lo, hi);
      return;
    case 'fiscalYearOfAge':
      pushClipped(out, fiscalYearStart(fiscalYearOf(reachYearsP(p, w.fromYears))),
        fiscalYearEnd(fiscalYearOf(reachYearsP(p, w.throughYears))), lo, hi);
      return;
    case 'preSchoolYear': {
      const fy = fiscalYearOf(reachYearsP(p, 6)); // entry on 1 April of fy + 1 → the year before is FY fy
      const a = Math.max(fiscalYearStart(fy), ageDay(p, w.from));
      const b = Math.min(fiscalYearEnd(fy), ageDay(p, w.through));
      pushClipped(out, a, b, lo, hi);
      return;
    }
    case 'fiscalYearEndAge': {
      for (const age of w.ages) {
        const fy = fiscalYearOf(reachYearsP(p, age));
        if (fy >= w.fyFrom && fy <= w.fyThrough) pushClipped(out, fiscalYearStart(fy), fiscalYearEnd(fy), lo, hi);
      }
      if (w.minAge !== Number.POSITIVE_INFINITY) {
        for (let fy = w.fyFrom; fy <= w.fyThrough; fy++) {
          if (ageInYearsOn(p.birth, fiscalYearEnd(fy)) >= w.minAge) pushClipped(out, fiscalYearStart(fy), fiscalYearEnd(fy), lo, hi);
        }
      }
      return;
    }
    case 'dates':
      pushClipped(out, w.from, w.through, lo, hi);
      return;
    case 'pregnancy':
      for (const start of p.pregnancies) pushClipped(out, offset(start, w.from), offset(start, w.through), lo, hi);
      return;
  }
}

/** Sorts and merges flat [from, until] pairs (adjacent days merge). */
export function mergeWindows(w: number[]): number[] {
  const n = w.length / 2;
  if (n <= 1) return w;
  // Insertion sort of pairs by start (lists are tiny).
  for (let i = 1; i < n; i++) {
    const a = w[2 * i] as number;
    const b = w[2 * i + 1] as number;
    let j = i - 1;
    while (j >= 0 && (w[2 * j] as number) > a) {
      w[2 * j + 2] = w[2 * j] as number;
      w[2 * j + 3] = w[2 * j + 1] as number;
      j--;
    }
    w[2 * j + 2] = a;
    w[2 * j + 3] = b;
  }
  const out: number[] = [w[0] as number, w[1] as number];
  for (let i = 1; i < n; i++) {
    const a = w[2 * i] as number;
    const b = w[2 * i + 1] as number;
    const last = out.length - 1;
    if (a <= (out[last] as number) + 1) {
      if (b > (out[last] as number)) out[last] = b;
    } else out.push(a, b);
  }
  return out;
}

/**
 * Eligibility windows of dose k of a vaccine for a person: union of the rules that apply to k
 * (cohort, disability, prior-dose requirements), clipped to the vaccine's period in force and
 * extended by 長期療養特例. `doseDays` are the recorded doses of this vaccine (for doseBetween).
 */
export function vaccineWindows(p: PersonCtx, cv: CVaccine, ver: CVersion, k: number, doseDays: readonly Day[]): number[] {
  const out: number[] = [];
  const lo = cv.inForceFrom;
  const hi = cv.inForceTo;
  for (const e of ver.elig) {
    if ((e.doses & (1 << k)) === 0) continue;
    if (p.birth < e.bornFrom || p.birth > e.bornThrough) continue;
    if (e.disability !== null && (p.disability === null || !e.disability.includes(p.disability))) continue;
    if (e.doseBetweenFrom !== NO_DAY) {
      let found = false;
      for (const d of doseDays) if (d >= e.doseBetweenFrom && d <= e.doseBetweenThrough) { found = true; break; }
      if (!found) continue;
    }
    windowsOf(p, e.window, out, lo, hi);
  }
  const merged = mergeWindows(out);
  if (ver.longIllnessYears > 0 && p.illness.length > 0 && merged.length > 0) {
    const cap = ver.longIllnessCap === null ? OPEN_END : ageDay(p, ver.longIllnessCap);
    const ext = extendForLongIllness(merged, p.illness, ver.longIllnessYears, cap);
    // Still bounded by the period the vaccine is in force.
    for (let i = 1; i < ext.length; i += 2) if ((ext[i] as number) > hi) ext[i] = hi;
    return ext;
  }
  return merged;
}

/** Intersects flat windows with [lo, hi]. */
export function clipWindows(w: readonly number[], lo: Day, hi: Day): number[] {
  const out: number[] = [];
  for (let i = 0; i < w.length; i += 2) pushClipped(out, w[i] as number, w[i + 1] as number, lo, hi);
  return out;
}

export function pathDoseBounds(p: PersonCtx, d: CPathDose): [Day, Day] {
  return [d.min === null ? NEG_OPEN : ageDay(p, d.min), d.through === null ? OPEN_END : ageDay(p, d.through)];
}

// Seasons --------------------------------------------------------------------------------------

export function seasonStart(s: CSeason, y: number): Day {
  return dayFromCivil(y, s.sm, Math.min(s.sd, daysInMonth(y, s.sm)));
}

export function seasonEnd(s: CSeason, y: number): Day {
  const ey = s.crosses ? y + 1 : y;
  return dayFromCivil(ey, s.em, Math.min(s.ed, daysInMonth(ey, s.em)));
}

/** Season (named by its start year) containing `day`, or NaN. */
export function seasonContaining(s: CSeason, day: Day): number {
  const y = Math.floor(ymdOf(day) / 10000);
  for (const c of [y, y - 1]) {
    if (day >= seasonStart(s, c) && day <= seasonEnd(s, c)) return c;
  }
  return Number.NaN;
}

/** First season whose end is on or after `day`. */
export function seasonFrom(s: CSeason, day: Day): number {
  const y = Math.floor(ymdOf(day) / 10000);
  for (const c of [y - 1, y, y + 1]) if (seasonEnd(s, c) >= day) return c;
  return y + 1;
}
