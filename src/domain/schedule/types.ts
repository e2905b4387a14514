// Types of the schedule engine: the rule-pack data format (what a rule file may say) and the
// engine's inputs and outputs. Rule packs are plain data — JSON-compatible objects — interpreted by
// engine.ts; no vaccine has its own code path.

/** Stable vaccine ids (schedule-jp.md §2). Add ids; never rename them. */
export const ROUTINE_VACCINE_IDS = [
  'hepb', 'rota', 'dpt_ipv_hib', 'dpt_ipv', 'hib', 'pcv', 'bcg', 'mr', 'var', 'je', 'dt', 'hpv',
  'flu', 'pneumo', 'covid', 'hz', 'rsv',
] as const;
export type RoutineVaccineId = (typeof ROUTINE_VACCINE_IDS)[number];

export type Sex = 'M' | 'F';

/** Problem codes of a recorded dose, in the order they are reported. */
export const PROBLEM_CODES = [
  'TOO_YOUNG', 'TOO_OLD', 'INTERVAL_TOO_SHORT', 'LIVE_INTERVAL', 'SERIES_COMPLETE', 'NOT_ELIGIBLE',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

// ---------------------------------------------------------------------------------------------
// Rule-pack data format

/**
 * An age or offset written as a string: `<n><unit>[+<k>d]`.
 * - `m` / `y`: the day the age of n months / years is *reached* (民法143条; see dates.ts);
 * - `w`: 出生n週0日後 = birth + 7n days; `d`: birth + n days;
 * - optional `+kd` adds k calendar days (`7m+1d` = the day after reaching 7 months).
 * For pregnancy windows the base is the pregnancy start (0週0日) instead of birth.
 * Examples: '2m', '90m', '1y', '6w', '0d', '12m+1d', '36w+6d'.
 */
export type AgeExpr = string;

/** A minimum interval from an earlier dose of the same series (schedule-jp.md §1). */
export interface IntervalRule {
  /** Dose number the interval counts from (e.g. hepb 3 counts from dose 1). */
  from: number;
  /** "N日以上の間隔": earliest = that dose + N + 1 days. */
  days?: number;
  /** "Nか月以上": earliest = same-numbered day N months later (end of month if missing)… */
  months?: number;
  /** …plus this many calendar days afterwards (HPV 2価 "2.5 months" = 2 months + 15 days). */
  extraDays?: number;
}

/** Where a person's eligibility window comes from. All bounds are inclusive days. */
export type WindowSpec =
  /** From age `from` through age `through` (omitted = no upper bound). */
  | { kind: 'age'; from: AgeExpr; through?: AgeExpr }
  /** 1 April of the FY in which `fromYears` is reached … 31 March of the FY in which `throughYears` is reached (HPV). */
  | { kind: 'fiscalYearOfAge'; fromYears: number; throughYears: number }
  /** The FY before elementary-school entry (小学校就学前1年, MR 2期), intersected with an age range. */
  | { kind: 'preSchoolYear'; from: AgeExpr; through: AgeExpr }
  /**
   * Whole fiscal years by 年度末年齢 (age on 31 March): each FY whose FY-end age is in `ages`, or is at
   * least `minAge`, and (if given) lies in `fiscalYears` (帯状疱疹, elderly pneumococcal cohorts).
   */
  | { kind: 'fiscalYearEndAge'; ages?: number[]; minAge?: number; fiscalYears?: { from: number; through: number } }
  /** Absolute dates (catch-up campaigns). */
  | { kind: 'dates'; from: string; through: string }
  /** Weeks of each recorded pregnancy, counted from its start (0週0日). */
  | { kind: 'pregnancy'; from: AgeExpr; through: AgeExpr };

export type DisabilityKind = 'organ' | 'hiv';

export interface EligibilityRule {
  /** Dose numbers this window applies to; omitted = every dose. */
  doses?: number[];
  window: WindowSpec;
  /** Birth cohort (special cohorts: 日本脳炎 特例, HPV catch-up). */
  born?: { from?: string; through?: string };
  requires?: {
    /** B類 60–64: a 1級-level disability of one of these kinds (施行令 §1の3). */
    disability?: DisabilityKind[];
    /** At least one recorded dose of this vaccine between these dates (HPV catch-up extension). */
    doseBetween?: { from: string; through: string };
  };
  note?: string;
}

export interface PathDose {
  /** Extra lower age bound for this dose in this path (inclusive). */
  minAge?: AgeExpr;
  /** Extra upper age bound for this dose in this path (inclusive). */
  throughAge?: AgeExpr;
  intervals?: IntervalRule[];
  /** May be given although earlier doses were missed and their windows closed (MR 2期). */
  standalone?: boolean;
}

/**
 * One way to complete the series. The engine keeps every path consistent with the routine doses
 * so far; a dose counts if it is valid on at least one of them.
 */
export interface SeriesPath {
  id: string;
  /** Products allowed on this path (a dose with a recorded product must use one of them). */
  products?: string[];
  /** Age at dose 1 that selects this path (start-age-dependent series: Hib, PCV, HPV 9価 2回). */
  start?: { from?: AgeExpr; through?: AgeExpr };
  doses: PathDose[];
  note?: string;
}

export interface ProductRule {
  id: string;
  name?: string;
  validFrom?: string;
  validTo?: string;
  /** Overrides the vaccine's injectedLive (帯状疱疹: live vs recombinant). */
  injectedLive?: boolean;
}

export interface LongIllnessRule {
  /** Years after the special circumstance ended (当該事情がなくなった日から起算して). */
  years: number;
  /** Age cap: eligible only through the day this age is reached (e.g. BCG '4y'). */
  capAge?: AgeExpr;
}

export type VaccineClass = 'A' | 'B' | 'local';

/** One version of the rules of one vaccine. A vaccine id may have several, by validFrom/validTo. */
export interface VaccineRule {
  id: string;
  name: string;
  class: VaccineClass;
  /** First and last day this version is in force (inclusive; omitted = unbounded). */
  validFrom?: string;
  validTo?: string;
  /** Rule not yet settled in law (e.g. RSV): shown, but documented as configurable. */
  provisional?: boolean;
  sex?: Sex;
  /** 注射生ワクチン: subject to the 27-day rule between different injected live vaccines. */
  injectedLive?: boolean;
  /** Doses are counted per season (flu, covid) or per pregnancy (RSV) instead of per life. */
  episode?: 'season' | 'pregnancy';
  products?: ProductRule[];
  eligibility: EligibilityRule[];
  paths: SeriesPath[];
  /** 長期療養特例; omitted = the special case does not apply (rota, flu, covid). */
  longIllness?: LongIllnessRule;
  /**
   * Route group for vaccines that replace one another (五種混合 vs 四種混合 + Hib). A person is on
   * the route of their first recorded dose in the group; with none, on the `combined` route when
   * one is in force. Vaccines of the other route are `ineligible` in the forecast.
   */
  route?: { group: string; role: 'combined' | 'legacy' };
  note?: string;
}

/** A season as month-day strings 'MM-DD'; a season whose end is before its start crosses the new year. */
export interface SeasonWindow {
  start: string;
  end: string;
}

export interface CrossVaccineRule {
  id: string;
  validFrom?: string;
  validTo?: string;
  /** Between two *different* injected live vaccines: at least `days` whole days between them. */
  injectedLiveDays: number;
}

export interface RulePack {
  id: string;
  version: string;
  description?: string;
  /** Default season windows by vaccine id (municipal configuration may override). */
  seasons: Record<string, SeasonWindow>;
  crossVaccine: CrossVaccineRule[];
  vaccines: VaccineRule[];
}

/** What a municipality may configure on top of a national pack. */
export interface MunicipalityConfig {
  /** Season windows by vaccine id, e.g. { flu: { start: '10-15', end: '01-31' } }. */
  seasons?: Record<string, SeasonWindow>;
  /** Local (任意, municipally subsidised) vaccines; ids must not collide with the pack's ids. */
  localVaccines?: VaccineRule[];
}

// ---------------------------------------------------------------------------------------------
// Engine inputs and outputs

export interface LongIllnessPeriod {
  /** First day the person could not be vaccinated because of the illness. */
  from: string;
  /** The day the special circumstance ceased (当該特別の事情がなくなった日). */
  to: string;
}

export interface Person {
  birth: string;
  sex: Sex;
  /** 1級-level disability for the B類 60–64 route: organ = heart/kidney/respiratory, hiv = HIV immune. */
  disability?: DisabilityKind;
  /** 長期療養特例 periods. */
  longIllness?: LongIllnessPeriod[];
  /** Pregnancies by their start (0週0日), for RSV 母子免疫. */
  pregnancies?: { start: string }[];
}

export interface DoseRecord {
  vaccine: string;
  /** Dose number as recorded: the n-th dose of the vaccine's series (per season/pregnancy for episodic vaccines). */
  dose: number;
  date: string;
  product?: string | null;
}

export interface ValidatedDose {
  vaccine: string;
  dose: number;
  date: string;
  product: string | null;
  /** Counts as a routine (定期) dose. */
  routine: boolean;
  problems: ProblemCode[];
}

export type NextStatus = 'due' | 'upcoming' | 'complete' | 'expired' | 'ineligible';

export interface NextDose {
  vaccine: string;
  status: NextStatus;
  /** The next (or, when expired, the missed) dose number; null when complete or ineligible. */
  dose: number | null;
  /** Inclusive window of the next dose; present for due and upcoming only. */
  from?: string;
  until?: string | null;
  /** Short machine-readable reason for ineligible (sex, cohort, route, no-pregnancy, …). */
  reason?: string;
}

export interface ForecastResult {
  asOf: string;
  /** Every recorded dose, validated, in input order. */
  doses: ValidatedDose[];
  /** Exactly one entry per vaccine in force on asOf, in pack order. */
  next: NextDose[];
}
