// The schedule engine: validates recorded doses and forecasts the next dose of every vaccine in
// force, by interpreting a compiled rule pack. Pure: no clock (asOf is a parameter), no I/O.
//
// Model (docs/schedule.md):
// - Dose numbers are ordinal (the n-th dose of the vaccine; per season / pregnancy for episodic
//   vaccines). A vaccine has one or more series paths; the engine keeps every path consistent with
//   the routine doses so far, and a dose is routine when it is valid on at least one of them.
// - A dose's validity uses the rule version in force on the dose date; "what is next" uses the
//   version in force on asOf. Only doses on or before asOf feed the forecast.
// - Intervals count from the routine dose with the referenced number; when that dose is not
//   recorded (history from elsewhere), the interval is not checked.
import { OPEN_END, afterDays, afterMonths, formatIsoDate, parseIsoDate, ymdOf, type Day } from '../dates.ts';
import {
  NO_DAY, ageDay, clipWindows, compilePack, nextGeneration, pathDoseBounds, seasonContaining, seasonEnd, seasonFrom, seasonStart,
  vaccineWindows, versionAt, type CVaccine, type CVersion, type CompiledPack, type PersonCtx,
} from './compile.ts';
import { JP_ROUTINE } from './rules/jp-routine.ts';
import {
  PROBLEM_CODES, type DoseRecord, type Sex, type ForecastResult, type MunicipalityConfig, type NextDose, type Person,
  type ProblemCode, type RulePack, type ValidatedDose, type VaccineRule,
} from './types.ts';

/** Malformed engine input: bad date, unknown vaccine or product, dose number out of range. */
export class ScheduleInputError extends Error {
  override name = 'ScheduleInputError';
}

const P_TOO_YOUNG = 1;
const P_TOO_OLD = 2;
const P_INTERVAL = 4;
const P_LIVE = 8;
const P_COMPLETE = 16;
const P_NOT_ELIGIBLE = 32;

const PROBLEM_LISTS: ProblemCode[][] = [];
for (let mask = 0; mask < 64; mask++) PROBLEM_LISTS.push(PROBLEM_CODES.filter((_, i) => (mask & (1 << i)) !== 0));

function popcount(m: number): number {
  let c = 0;
  for (let x = m; x !== 0; x &= x - 1) c++;
  return c;
}

interface DoseIn {
  idx: number;
  cv: CVaccine;
  dose: number;
  day: Day;
  product: string | null;
  live: boolean;
}

/** Per-vaccine series state while walking the doses in date order. */
interface SeriesState {
  routineDay: Day[]; // index = dose number; NO_DAY when none
  maxRoutine: number;
  candidates: number[]; // path indices still consistent
  episodes: number[]; // season years / pregnancy indices with a routine dose
}

export interface Engine {
  readonly compiled: CompiledPack;
  /** Each recorded dose, in input order: whether it counts as routine, and its problems. */
  validate(person: Person, history: readonly DoseRecord[]): ValidatedDose[];
  /** Validated doses plus, for every vaccine in force on asOf, the state of its series. */
  forecast(person: Person, history: readonly DoseRecord[], asOf: string): ForecastResult;
  /** The rule versions in force on a date, in pack order. */
  rulesAt(date: string): VaccineRule[];
  /**
   * Birth days (from `earliestBirth` to `through`, as inclusive ISO ranges) on which a person known
   * by birth and sex alone can have no due or upcoming entry with a window meeting [asOf, through],
   * whatever their history: see quietOn.
   */
  quietBirths(sex: Sex, asOf: string, through: string, earliestBirth: string): Array<{ from: string; through: string }>;
}

export function createEngine(pack: RulePack = JP_ROUTINE, config: MunicipalityConfig = {}): Engine {
  const compiled = compilePack(pack, config);
  return {
    compiled,
    validate: (person, history) => run(compiled, person, history, null).doses,
    forecast: (person, history, asOf) => {
      const r = run(compiled, person, history, asOf);
      return { asOf, doses: r.doses, next: r.next };
    },
    rulesAt: (date) => {
      const day = parseIsoDate(date);
      if (day === null) throw new ScheduleInputError(`invalid date '${date}'`);
      const out: VaccineRule[] = [];
      for (const cv of compiled.vaccines) {
        const v = versionAt(cv, day);
        if (v) out.push(v.rule);
      }
      return out;
    },
    quietBirths: (sex, asOfIso, throughIso, earliestIso) => {
      const [asOf, through, earliest] = [asOfIso, throughIso, earliestIso].map((d) => {
        const day = parseIsoDate(d);
        if (day === null) throw new ScheduleInputError(`invalid date '${d}'`);
        return day;
      }) as [Day, Day, Day];
      const out: Array<{ from: string; through: string }> = [];
      let start: Day | null = null;
      for (let b = earliest; b <= through + 1; b++) {
        const quiet = b <= through && quietOn(compiled, personCtx({ birth: isoOf(b), sex }), asOf, through);
        if (quiet && start === null) start = b;
        if (!quiet && start !== null) {
          out.push({ from: isoOf(start), through: isoOf(b - 1) });
          start = null;
        }
      }
      return out;
    },
  };
}

/**
 * True when no vaccine in force on asOf gives this person (birth and sex only: no disability,
 * long illness or pregnancy) an eligibility window of any dose that meets [asOf, through]. Every
 * due or upcoming entry of the forecast lies in such a window (next(): pieces ⊆ pathWindows ⊆
 * windows(ver, k) of the version in force on asOf; episodes: windows ∩ season), and a history
 * only adds windows through a doseBetween requirement, which is taken as met here: so a quiet
 * person's forecast lists nothing in that span, whatever their recorded doses.
 */
function quietOn(c: CompiledPack, p: PersonCtx, asOf: Day, through: Day): boolean {
  for (const cv of c.vaccines) {
    if (cv.sex !== null && cv.sex !== p.sex) continue;
    const ver = versionAt(cv, asOf);
    if (ver === undefined) continue;
    const met: Day[] = [];
    for (const e of ver.elig) if (e.doseBetweenFrom !== NO_DAY) met.push(e.doseBetweenFrom);
    for (let k = 1; k <= cv.maxDose; k++) {
      const w = vaccineWindows(p, cv, ver, k, met);
      for (let i = 0; i < w.length; i += 2) if ((w[i] as number) <= through && (w[i + 1] as number) >= asOf) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------

function personCtx(person: Person): PersonCtx {
  const birth = parseIsoDate(person.birth);
  if (birth === null) throw new ScheduleInputError(`invalid birth date '${person.birth}'`);
  if (person.sex !== 'M' && person.sex !== 'F') throw new ScheduleInputError(`invalid sex '${String(person.sex)}' (expected M or F)`);
  const illness: number[] = [];
  for (const p of person.longIllness ?? []) {
    const f = parseIsoDate(p.from);
    const t = parseIsoDate(p.to);
    if (f === null || t === null || t < f) throw new ScheduleInputError(`invalid long-illness period '${p.from}..${p.to}'`);
    illness.push(f, t);
  }
  const pregnancies: Day[] = [];
  for (const p of person.pregnancies ?? []) {
    const s = parseIsoDate(p.start);
    if (s === null) throw new ScheduleInputError(`invalid pregnancy start '${p.start}'`);
    pregnancies.push(s);
  }
  pregnancies.sort((a, b) => a - b);
  const ymd = ymdOf(birth);
  return {
    gen: nextGeneration(), birth, by: Math.floor(ymd / 10000), bm: Math.floor(ymd / 100) % 100, bd: ymd % 100,
    sex: person.sex, disability: person.disability ?? null, illness, pregnancies,
  };
}

// Day → ISO string cache for output dates (1900-01-01 … 2199-12-31).
const ISO_BASE = -25567;
const ISO_LEN = 109573;
const isoCache: (string | undefined)[] = new Array<string | undefined>(ISO_LEN);

function isoOf(day: Day): string {
  const i = day - ISO_BASE;
  if (i < 0 || i >= ISO_LEN) return formatIsoDate(day);
  let s = isoCache[i];
  if (s === undefined) {
    s = formatIsoDate(day);
    isoCache[i] = s;
  }
  return s;
}

function parseDoses(c: CompiledPack, history: readonly DoseRecord[]): DoseIn[] {
  const out: DoseIn[] = [];
  for (let i = 0; i < history.length; i++) {
    const r = history[i] as DoseRecord;
    const cv = c.byId.get(r.vaccine);
    if (cv === undefined) throw new ScheduleInputError(`unknown vaccine '${r.vaccine}'`);
    if (!Number.isInteger(r.dose) || r.dose < 1 || r.dose > cv.maxDose) {
      throw new ScheduleInputError(`dose ${r.dose} out of range for ${r.vaccine} (1–${cv.maxDose})`);
    }
    const day = parseIsoDate(r.date);
    if (day === null) throw new ScheduleInputError(`invalid dose date '${r.date}'`);
    const product = r.product ?? null;
    if (product !== null && !c.productIds.has(product)) throw new ScheduleInputError(`unknown product '${product}'`);
    const live = product !== null && cv.productLive.has(product) ? cv.productLive.get(product) === true : cv.live;
    out.push({ idx: i, cv, dose: r.dose, day, product, live });
  }
  return out;
}

// Vaccines without doses all start from the same state; next() only reads it, so share one per version.
const initialStates = new WeakMap<CVersion, SeriesState>();
function initialState(ver: CVersion): SeriesState {
  let st = initialStates.get(ver);
  if (st === undefined) {
    st = newState(ver);
    initialStates.set(ver, st);
  }
  return st;
}

function newState(ver: CVersion): SeriesState {
  const routineDay: Day[] = [];
  for (let i = 0; i <= 8; i++) routineDay.push(NO_DAY);
  const candidates: number[] = [];
  for (let i = 0; i < ver.paths.length; i++) candidates.push(i);
  return { routineDay, maxRoutine: 0, candidates, episodes: [] };
}

interface RunResult {
  doses: ValidatedDose[];
  next: NextDose[];
}

const NO_DOSES: DoseIn[] = [];
const NO_DAYS: Day[] = [];

function byDate(a: DoseIn, b: DoseIn): number {
  return a.day - b.day || a.dose - b.dose || a.idx - b.idx;
}

function run(c: CompiledPack, person: Person, history: readonly DoseRecord[], asOfIso: string | null): RunResult {
  const p = personCtx(person);
  let asOf: Day = OPEN_END;
  if (asOfIso !== null) {
    const a = parseIsoDate(asOfIso);
    if (a === null) throw new ScheduleInputError(`invalid as-of date '${asOfIso}'`);
    asOf = a;
  }
  const all = history.length === 0 ? NO_DOSES : parseDoses(c, history);
  const sorted = all.length <= 1 ? all : all.slice().sort(byDate);

  // Injected live doses of every vaccine (date order), for the cross-vaccine rule.
  let liveDays: Day[] = NO_DAYS;
  let liveVac: number[] = [];
  for (const d of sorted) {
    if (!d.live) continue;
    if (liveDays === NO_DAYS) { liveDays = []; liveVac = []; }
    liveDays.push(d.day);
    liveVac.push(d.cv.index);
  }

  const masks: number[] = [];
  for (let i = 0; i < all.length; i++) masks.push(0);

  // Route groups (五種混合 vs 四種混合 + Hib): the route of the first recorded dose on or before asOf.
  let routeOf: Map<string, 'combined' | 'legacy'> | null = null;
  if (asOfIso !== null) {
    for (const d of sorted) {
      if (d.day > asOf) break;
      const g = d.cv.routeGroup;
      if (g === null || d.cv.routeRole === null) continue;
      routeOf ??= new Map();
      if (!routeOf.has(g)) routeOf.set(g, d.cv.routeRole);
    }
  }

  const next: NextDose[] = [];
  const ev = new VaccineEval(c, p, liveDays, liveVac);
  for (const cv of c.vaccines) {
    let doses = NO_DOSES;
    if (all.length > 0) {
      for (const d of sorted) {
        if (d.cv !== cv) continue;
        if (doses === NO_DOSES) doses = [];
        doses.push(d);
      }
    }
    const asOfVer = asOfIso === null ? undefined : versionAt(cv, asOf);
    if (doses.length === 0 && asOfVer === undefined) continue;
    ev.reset(cv, doses);
    let st: SeriesState | null = null;
    let forecastDone = asOfVer === undefined;
    for (const d of doses) {
      if (!forecastDone && d.day > asOf && asOfVer) {
        next.push(ev.next(asOfVer, st ?? initialState(asOfVer), asOf, routeOf));
        forecastDone = true;
      }
      const ver = versionAt(cv, d.day);
      if (ver === undefined) {
        masks[d.idx] = P_NOT_ELIGIBLE;
        continue;
      }
      st ??= newState(ver);
      masks[d.idx] = ev.check(ver, st, d);
    }
    if (!forecastDone && asOfVer) next.push(ev.next(asOfVer, st ?? initialState(asOfVer), asOf, routeOf));
  }

  const out: ValidatedDose[] = [];
  for (let i = 0; i < all.length; i++) {
    const r = history[i] as DoseRecord;
    const m = masks[i] ?? 0;
    out.push({
      vaccine: r.vaccine, dose: r.dose, date: r.date, product: r.product ?? null,
      routine: m === 0, problems: PROBLEM_LISTS[m] ?? [],
    });
  }
  return { doses: out, next };
}

// ---------------------------------------------------------------------------------------------

/** Evaluates one vaccine at a time for one person; reused across the vaccines of a run. */
class VaccineEval {
  private cacheVer: CVersion | null = null;
  private readonly cache: (number[] | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
  private readonly cacheStamp: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  private stamp = 1;
  private cv: CVaccine;
  private doseDays: readonly Day[] = NO_DAYS;

  constructor(
    private readonly c: CompiledPack,
    private readonly p: PersonCtx,
    private readonly liveDays: readonly Day[],
    private readonly liveVac: readonly number[],
  ) {
    this.cv = c.vaccines[0] as CVaccine;
  }

  reset(cv: CVaccine, doses: readonly DoseIn[]): void {
    this.cv = cv;
    this.cacheVer = null;
    this.stamp++;
    if (doses.length === 0) this.doseDays = NO_DAYS;
    else {
      const days: Day[] = [];
      for (const d of doses) days.push(d.day);
      this.doseDays = days;
    }
  }

  private windows(ver: CVersion, k: number): number[] {
    if (this.cacheVer !== ver) {
      this.cacheVer = ver;
      this.stamp++;
    }
    if (k < this.cache.length) {
      if (this.cacheStamp[k] === this.stamp) return this.cache[k] as number[];
      const w = vaccineWindows(this.p, this.cv, ver, k, this.doseDays);
      this.cache[k] = w;
      this.cacheStamp[k] = this.stamp;
      return w;
    }
    return vaccineWindows(this.p, this.cv, ver, k, this.doseDays);
  }

  /** Window list of dose k on a path: vaccine windows ∩ the path's own age limits (∩ start for dose 1). */
  private pathWindows(ver: CVersion, pathIdx: number, k: number): number[] {
    const path = ver.paths[pathIdx];
    const base = this.windows(ver, k);
    if (path === undefined || base.length === 0) return [];
    const pd = path.doses[k - 1];
    if (pd === undefined) return [];
    let [lo, hi] = pathDoseBounds(this.p, pd);
    if (k === 1) {
      if (path.startFrom !== null) lo = Math.max(lo, ageDay(this.p, path.startFrom));
      if (path.startThrough !== null) hi = Math.min(hi, ageDay(this.p, path.startThrough));
    }
    if (lo <= (base[0] as number) && hi >= (base[base.length - 1] as number)) return base;
    return clipWindows(base, lo, hi);
  }

  private liveConflict(day: Day): boolean {
    for (const r of this.c.cross) {
      if (day < r.from || day > r.to) continue;
      for (let i = 0; i < this.liveDays.length; i++) {
        const L = this.liveDays[i] as number;
        if (L >= day) break;
        if (this.liveVac[i] !== this.cv.index && day - L <= r.days) return true;
      }
    }
    return false;
  }

  /**
   * Appends [from, until, dose] pieces of [a, b] that respect the cross-vaccine live rule: the days
   * L+1 … L+27 after another injected live vaccine given on L (on or before `cutoff`) are carved out.
   */
  private pushLiveSafe(pieces: number[], a: Day, b: Day, k: number, asOf: Day): void {
    let s = a;
    for (let i = 0; i < this.liveDays.length; i++) {
      const L = this.liveDays[i] as number;
      if (L > asOf) break;
      if (this.liveVac[i] === this.cv.index) continue;
      for (const r of this.c.cross) {
        const fs = Math.max(L + 1, r.from);
        const fe = Math.min(L + r.days, r.to);
        if (fs > fe || fe < s) continue;
        if (fs > b) break;
        if (fs > s && fs - 1 >= asOf) pieces.push(s, fs - 1, k);
        s = Math.max(s, fe + 1);
      }
    }
    if (s <= b && b >= asOf) pieces.push(s, b, k);
  }

  /** Validates one dose against the state; updates the state when it counts. Returns a problem mask. */
  check(ver: CVersion, st: SeriesState, d: DoseIn): number {
    const cv = this.cv;
    if (cv.sex !== null && this.p.sex !== cv.sex) return P_NOT_ELIGIBLE;
    let generic = 0;
    if (d.product !== null) {
      const pr = ver.products.get(d.product);
      if (pr === undefined || d.day < pr.from || d.day > pr.to) generic |= P_NOT_ELIGIBLE;
    }
    if (d.live && this.liveConflict(d.day)) generic |= P_LIVE;

    if (cv.episode !== null) return generic | this.checkEpisode(ver, st, d, generic === 0);

    // A series already completed on a path that allows this dose's product takes no more doses.
    for (const pi of st.candidates) {
      const path = ver.paths[pi];
      if (path === undefined || st.maxRoutine < path.doses.length) continue;
      if (d.product === null || path.products === null || path.products.has(d.product)) return generic | P_COMPLETE;
    }
    let best = -1;
    const ok: number[] = [];
    for (const pi of st.candidates) {
      const m = this.pathProblems(ver, pi, st, d);
      if (m < 0) continue;
      if (m === 0) ok.push(pi);
      if (best < 0 || popcount(m) < popcount(best)) best = m;
    }
    if (best < 0) best = P_NOT_ELIGIBLE;
    if (ok.length > 0 && generic === 0) {
      if (st.routineDay[d.dose] === NO_DAY) st.routineDay[d.dose] = d.day;
      if (d.dose > st.maxRoutine) st.maxRoutine = d.dose;
      st.candidates = ok;
      return 0;
    }
    return generic | (ok.length > 0 ? 0 : best);
  }

  private pathProblems(ver: CVersion, pi: number, st: SeriesState, d: DoseIn): number {
    const path = ver.paths[pi];
    if (path === undefined) return -1;
    let m = 0;
    if (path.products !== null && d.product !== null && !path.products.has(d.product)) m |= P_NOT_ELIGIBLE;
    const k = d.dose;
    const startDay = k === 1 ? d.day : st.routineDay[1];
    if (startDay !== undefined && startDay !== NO_DAY && k > 1) {
      if (path.startFrom !== null && startDay < ageDay(this.p, path.startFrom)) return -1;
      if (path.startThrough !== null && startDay > ageDay(this.p, path.startThrough)) return -1;
    }
    if (k > path.doses.length) return m | P_COMPLETE;
    if (st.routineDay[k] !== NO_DAY) m |= P_COMPLETE;
    if (k === 1) {
      // Dose 1 selects the path by start age: outside this path's start range it belongs to another path.
      const w0 = this.windows(ver, 1);
      const inVaccineWindow = w0.length > 0 && insideWindows(w0, d.day);
      if (inVaccineWindow) {
        if (path.startFrom !== null && d.day < ageDay(this.p, path.startFrom)) return -1;
        if (path.startThrough !== null && d.day > ageDay(this.p, path.startThrough)) return -1;
      }
    }
    const w = this.pathWindows(ver, pi, k);
    if (w.length === 0) m |= P_NOT_ELIGIBLE;
    else if (d.day < (w[0] as number)) m |= P_TOO_YOUNG;
    else if (!insideWindows(w, d.day)) m |= P_TOO_OLD;
    const pd = path.doses[k - 1];
    if (pd !== undefined) {
      for (const iv of pd.intervals) {
        const ref = st.routineDay[iv.from];
        if (ref === undefined || ref === NO_DAY) continue;
        if (d.day < earliestAfter(ref, iv.days, iv.months, iv.extra)) m |= P_INTERVAL;
      }
    }
    return m;
  }

  private checkEpisode(ver: CVersion, st: SeriesState, d: DoseIn, countable: boolean): number {
    let m = 0;
    const path = ver.paths[0];
    if (path !== undefined && path.products !== null && d.product !== null && !path.products.has(d.product)) m |= P_NOT_ELIGIBLE;
    const w = this.windows(ver, 1);
    let episode = Number.NaN;
    if (this.cv.episode === 'season') {
      const s = this.cv.season;
      episode = s === null ? Number.NaN : seasonContaining(s, d.day);
      if (Number.isNaN(episode)) m |= P_NOT_ELIGIBLE;
      if (w.length === 0) m |= P_NOT_ELIGIBLE;
      else if (d.day < (w[0] as number)) m |= P_TOO_YOUNG;
      else if (!insideWindows(w, d.day)) m |= P_TOO_OLD;
    } else {
      for (let i = 0; i < w.length; i += 2) {
        if (d.day >= (w[i] as number) && d.day <= (w[i + 1] as number)) { episode = i; break; }
      }
      if (Number.isNaN(episode)) m |= P_NOT_ELIGIBLE;
    }
    if (d.dose > 1 || (!Number.isNaN(episode) && st.episodes.includes(episode))) m |= P_COMPLETE;
    if (m === 0 && countable) st.episodes.push(episode);
    return m;
  }

  // -------------------------------------------------------------------------------------------
  // Forecast

  next(ver: CVersion, st: SeriesState, asOf: Day, routeOf: Map<string, 'combined' | 'legacy'> | null): NextDose {
    const cv = this.cv;
    const id = cv.id;
    if (cv.sex !== null && this.p.sex !== cv.sex) return { vaccine: id, status: 'ineligible', dose: null, reason: 'sex' };
    if (cv.routeGroup !== null) {
      let route = routeOf?.get(cv.routeGroup);
      if (route === undefined) {
        route = 'legacy';
        for (const o of this.c.vaccines) {
          if (o.routeGroup === cv.routeGroup && o.routeRole === 'combined' && versionAt(o, asOf)) route = 'combined';
        }
      }
      if (route !== cv.routeRole) return { vaccine: id, status: 'ineligible', dose: null, reason: `route:${route}` };
    }
    if (cv.episode !== null) return this.nextEpisode(ver, st, asOf);

    // Never eligible (sex aside): no window for any dose under any version of the rules.
    let any = false;
    for (let k = 1; k <= cv.maxDose && !any; k++) if (this.windows(ver, k).length > 0) any = true;
    for (const other of cv.versions) {
      if (any) break;
      if (other === ver) continue;
      for (let k = 1; k <= cv.maxDose && !any; k++) if (vaccineWindows(this.p, cv, other, k, this.doseDays).length > 0) any = true;
    }
    if (!any) return { vaccine: id, status: 'ineligible', dose: null, reason: 'not-eligible' };

    for (const pi of st.candidates) {
      const path = ver.paths[pi];
      if (path !== undefined && st.maxRoutine >= path.doses.length) return { vaccine: id, status: 'complete', dose: null };
    }

    // Candidate windows of the next dose on every consistent path.
    const pieces: number[] = []; // triples [from, until, dose]
    let missed = Number.POSITIVE_INFINITY;
    for (const pi of st.candidates) {
      const path = ver.paths[pi];
      if (path === undefined) continue;
      let k = st.maxRoutine + 1;
      for (;;) {
        const pd = path.doses[k - 1];
        if (pd === undefined) break;
        let lb = Number.NEGATIVE_INFINITY;
        for (const iv of pd.intervals) {
          const ref = st.routineDay[iv.from];
          if (ref === undefined || ref === NO_DAY) continue;
          const e = earliestAfter(ref, iv.days, iv.months, iv.extra);
          if (e > lb) lb = e;
        }
        const w = this.pathWindows(ver, pi, k);
        const before = pieces.length;
        for (let i = 0; i < w.length; i += 2) {
          let a = w[i] as number;
          const b = w[i + 1] as number;
          if (lb > a) a = lb;
          if (a > b || b < asOf) continue;
          if (path.live) this.pushLiveSafe(pieces, a, b, k, asOf);
          else pieces.push(a, b, k);
        }
        const found = pieces.length > before;
        if (found) break;
        if (k < missed) missed = k;
        const nextDose = path.doses[k];
        if (nextDose === undefined || !nextDose.standalone) break;
        k++;
      }
    }
    return pick(id, pieces, asOf, Number.isFinite(missed) ? missed : st.maxRoutine + 1);
  }

  private nextEpisode(ver: CVersion, st: SeriesState, asOf: Day): NextDose {
    const id = this.cv.id;
    const w = this.windows(ver, 1);
    if (w.length === 0) {
      return { vaccine: id, status: 'ineligible', dose: null, reason: this.cv.episode === 'pregnancy' ? 'no-pregnancy' : 'not-eligible' };
    }
    const pieces: number[] = [];
    if (this.cv.episode === 'pregnancy') {
      let done = 0;
      for (let i = 0; i < w.length; i += 2) {
        if (st.episodes.includes(i)) { done++; continue; }
        const b = w[i + 1] as number;
        if (b < asOf) continue;
        pieces.push(w[i] as number, b, 1);
        break;
      }
      if (pieces.length === 0 && done === w.length / 2) return { vaccine: id, status: 'complete', dose: null };
      return pick(id, pieces, asOf, 1);
    }
    const s = this.cv.season;
    if (s === null) return { vaccine: id, status: 'ineligible', dose: null, reason: 'no-season' };
    let y = seasonFrom(s, asOf);
    for (let guard = 0; guard < 400; guard++) {
      const ss = seasonStart(s, y);
      const se = seasonEnd(s, y);
      if (!st.episodes.includes(y)) {
        for (let i = 0; i < w.length; i += 2) {
          const a = Math.max(ss, w[i] as number);
          const b = Math.min(se, w[i + 1] as number);
          if (a <= b && b >= asOf) {
            pieces.push(a, b, 1);
            return pick(id, pieces, asOf, 1);
          }
        }
      }
      // Next season that meets an eligibility window (jumping over years of ineligibility).
      const ns = seasonStart(s, y + 1);
      let nextA = OPEN_END;
      for (let i = 0; i < w.length; i += 2) {
        if ((w[i + 1] as number) >= ns) { nextA = Math.max(ns, w[i] as number); break; }
      }
      if (nextA === OPEN_END) break;
      y = seasonFrom(s, nextA);
    }
    return { vaccine: id, status: 'expired', dose: 1 };
  }
}

function insideWindows(w: readonly number[], day: Day): boolean {
  for (let i = 0; i < w.length; i += 2) if (day >= (w[i] as number) && day <= (w[i + 1] as number)) return true;
  return false;
}

function earliestAfter(ref: Day, days: number, months: number, extra: number): Day {
  return days >= 0 ? afterDays(ref, days) : afterMonths(ref, months) + extra;
}

/**
 * Chooses the next window from candidate pieces ([from, until, dose] triples, all ending on or
 * after asOf): merges overlapping/adjacent pieces; the one containing asOf is due, otherwise the
 * earliest upcoming one; none is expired.
 */
function pick(id: string, pieces: number[], asOf: Day, missedDose: number): NextDose {
  const n = pieces.length / 3;
  if (n === 0) return { vaccine: id, status: 'expired', dose: missedDose };
  // Insertion sort of the triples by (from, dose); n is at most a handful.
  for (let i = 1; i < n; i++) {
    const a = pieces[3 * i] as number;
    const b = pieces[3 * i + 1] as number;
    const k = pieces[3 * i + 2] as number;
    let j = i - 1;
    while (j >= 0 && ((pieces[3 * j] as number) > a || ((pieces[3 * j] as number) === a && (pieces[3 * j + 2] as number) > k))) {
      pieces[3 * j + 3] = pieces[3 * j] as number;
      pieces[3 * j + 4] = pieces[3 * j + 1] as number;
      pieces[3 * j + 5] = pieces[3 * j + 2] as number;
      j--;
    }
    pieces[3 * j + 3] = a;
    pieces[3 * j + 4] = b;
    pieces[3 * j + 5] = k;
  }
  let i = 0;
  while (i < n) {
    const a = pieces[3 * i] as number;
    let b = pieces[3 * i + 1] as number;
    const dose = pieces[3 * i + 2] as number;
    let j = i + 1;
    while (j < n && (pieces[3 * j] as number) <= b + 1) {
      if ((pieces[3 * j + 1] as number) > b) b = pieces[3 * j + 1] as number;
      j++;
    }
    if (a <= asOf && asOf <= b) return entry(id, 'due', dose, a, b);
    if (a > asOf) return entry(id, 'upcoming', dose, a, b);
    i = j;
  }
  return { vaccine: id, status: 'expired', dose: missedDose };
}

function entry(id: string, status: 'due' | 'upcoming', dose: number, a: Day, b: Day): NextDose {
  return { vaccine: id, status, dose, from: isoOf(a), until: b >= OPEN_END ? null : isoOf(b) };
}
