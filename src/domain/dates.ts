// Japanese date arithmetic for the schedule engine (schedule-jp.md §1).
//
// Dates are ISO strings 'YYYY-MM-DD' at the edges and integer day numbers (`Day`, days since
// 1970-01-01 in the proleptic Gregorian calendar) inside: no `Date`, no time zone, no allocation in
// the hot functions. Ages follow 年齢計算ニ関スル法律 + 民法143条: the birth day counts as day one,
// so an age of N months/years is *reached* on the day before the same-numbered day N months/years
// after birth, or on the last day of that month when it has no such day.

/** Days since 1970-01-01 (proleptic Gregorian). */
export type Day = number;

/** A bound meaning "no upper limit" in window arithmetic (far beyond any real date). */
export const OPEN_END: Day = 100_000_000;

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DIM = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : (DIM[m - 1] ?? 0);
}

/** Day number of a civil date (Howard Hinnant's days_from_civil). m is 1–12. */
export function dayFromCivil(y: number, m: number, d: number): Day {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date of a day number, packed as y*10000 + m*100 + d (no allocation). */
export function ymdOf(day: Day): number {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10000 + m * 100 + d;
}

export function yearOf(day: Day): number {
  return Math.floor(ymdOf(day) / 10000);
}

/**
 * Parses a strict 'YYYY-MM-DD' (years 0001–9999, real calendar dates only).
 * Returns null for anything else, e.g. '2024-02-30', '2024-2-3', ' 2024-01-01'.
 */
export function parseIsoDate(s: string): Day | null {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return null;
  let y = 0;
  let m = 0;
  let d = 0;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    if (i < 4) y = y * 10 + c;
    else if (i < 7) m = m * 10 + c;
    else d = d * 10 + c;
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return dayFromCivil(y, m, d);
}

/** Like parseIsoDate but throws a RangeError naming the bad value. */
export function toDay(s: string): Day {
  const d = parseIsoDate(s);
  if (d === null) throw new RangeError(`invalid date '${s}' (expected an existing date as YYYY-MM-DD)`);
  return d;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function formatIsoDate(day: Day): string {
  const p = ymdOf(day);
  const y = Math.floor(p / 10000);
  const m = Math.floor(p / 100) % 100;
  const d = p % 100;
  const ys = y < 1000 ? String(y).padStart(4, '0') : String(y);
  return `${ys}-${pad2(m)}-${pad2(d)}`;
}

// ---------------------------------------------------------------------------------------------
// Ages (民法143条)

/**
 * Day on which a person born y-m-d reaches an age of n months (生後n月に至った日):
 * the day before the same-numbered day n months later, or the last day of that month when the
 * month has no such day. Components-based so a caller can decompose the birth date once.
 */
export function reachMonthsYmd(y: number, m: number, d: number, n: number): Day {
  const t = y * 12 + (m - 1) + n;
  const ty = Math.floor(t / 12);
  const tm = t - ty * 12 + 1;
  const dim = daysInMonth(ty, tm);
  return d <= dim ? dayFromCivil(ty, tm, d) - 1 : dayFromCivil(ty, tm, dim);
}

/** Day on which someone born on `birth` reaches n months of age (生後n月に至った日). */
export function reachMonths(birth: Day, n: number): Day {
  const p = ymdOf(birth);
  return reachMonthsYmd(Math.floor(p / 10000), Math.floor(p / 100) % 100, p % 100, n);
}

/** Day on which someone born on `birth` reaches n years of age (n歳に達した日 = 誕生日の前日). */
export function reachYears(birth: Day, n: number): Day {
  return reachMonths(birth, 12 * n);
}

/** 出生n週0日後: the day after birth is day 1, so this is birth + 7n days (same weekday). */
export function weeksAfterBirth(birth: Day, n: number): Day {
  return birth + 7 * n;
}

/**
 * Age in completed years on `on`, counting an age as held from its reaching day — the reading
 * MHLW uses for "N歳以上" lower bounds and 年度末年齢 (age on 31 March). -1 before birth.
 */
export function ageInYearsOn(birth: Day, on: Day): number {
  if (on < birth) return -1;
  const b = ymdOf(birth);
  const by = Math.floor(b / 10000);
  const bm = Math.floor(b / 100) % 100;
  const bd = b % 100;
  const o = ymdOf(on);
  let n = Math.floor(o / 10000) - by;
  // Candidate n may be one too many; the reaching day of n is at most one day before the birthday.
  while (n > 0 && reachMonthsYmd(by, bm, bd, 12 * n) > on) n--;
  while (reachMonthsYmd(by, bm, bd, 12 * (n + 1)) <= on) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Intervals (schedule-jp.md §1)

/**
 * "N日以上の間隔をおいて": N whole days strictly between the doses, so the earliest next dose is
 * previous + N + 1 (27日 → +28, 20日 → +21, 6日 → +7, 139日 → +140).
 */
export function afterDays(previous: Day, n: number): Day {
  return previous + n + 1;
}

/**
 * Same-numbered day n months later; the last day of that month when it has no such day
 * (2024-01-31 + 1 month → 2024-02-29). n may be negative.
 */
export function addMonthsClamped(day: Day, n: number): Day {
  const p = ymdOf(day);
  const y = Math.floor(p / 10000);
  const m = Math.floor(p / 100) % 100;
  const d = p % 100;
  const t = y * 12 + (m - 1) + n;
  const ty = Math.floor(t / 12);
  const tm = t - ty * 12 + 1;
  const dim = daysInMonth(ty, tm);
  return dayFromCivil(ty, tm, d <= dim ? d : dim);
}

/**
 * "Nか月以上の間隔": the earliest next dose is the same-numbered day n months later (end of month
 * when missing). The single place to change if guidance settles on another reading.
 */
export function afterMonths(previous: Day, n: number): Day {
  return addMonthsClamped(previous, n);
}

// ---------------------------------------------------------------------------------------------
// Fiscal years (年度: 1 April – 31 March, named by the calendar year in which it starts)

export function fiscalYearOf(day: Day): number {
  const p = ymdOf(day);
  const y = Math.floor(p / 10000);
  return Math.floor(p / 100) % 100 >= 4 ? y : y - 1;
}

export function fiscalYearStart(fy: number): Day {
  return dayFromCivil(fy, 4, 1);
}

export function fiscalYearEnd(fy: number): Day {
  return dayFromCivil(fy + 1, 3, 31);
}

/**
 * Calendar year whose 1 April the child enters elementary school (学校教育法17条: the first school
 * year starting on or after the day after the child reaches 6). Born 2018-04-01 → 2024;
 * born 2018-04-02 → 2025.
 */
export function schoolEntryYear(birth: Day): number {
  return fiscalYearOf(reachYears(birth, 6)) + 1;
}
