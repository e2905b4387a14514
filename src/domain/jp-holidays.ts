// Japanese public holidays (国民の祝日に関する法律) for 1990–2100, and municipal office hours.
// Pure and clock-free. Dates are ISO 'YYYY-MM-DD' strings in Japan local time.
// 春分/秋分 use the standard approximation; the official dates are fixed by the Cabinet Office each
// February for the next year, so later years are predictions (tested against published 1990–2026).
// control: LOG-05 (holiday and after-hours access in review reports)

export const MIN_HOLIDAY_YEAR = 1990;
export const MAX_HOLIDAY_YEAR = 2100;

export interface Holiday {
  readonly date: string;
  readonly name: string;
}

export class HolidayRangeError extends RangeError {
  override name = 'HolidayRangeError';
}

const pad = (n: number): string => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number): string => `${y}-${pad(m)}-${pad(d)}`;
const dayOfWeek = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay();

function addDays(isoDate: string, days: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** n-th Monday of a month (Happy Monday system). */
function nthMonday(y: number, m: number, n: number): number {
  const first = dayOfWeek(y, m, 1);
  return 1 + ((8 - first) % 7) + (n - 1) * 7;
}

/** 春分日 (March): the widely used approximation, valid 1980–2150. */
export function vernalEquinoxDay(y: number): number {
  const base = y <= 2099 ? 20.8431 : 21.851;
  return Math.floor(base + 0.242194 * (y - 1980) - Math.floor((y - 1980) / 4));
}

/** 秋分日 (September): same approximation. */
export function autumnalEquinoxDay(y: number): number {
  const base = y <= 2099 ? 23.2488 : 24.2488;
  return Math.floor(base + 0.242194 * (y - 1980) - Math.floor((y - 1980) / 4));
}

/** The 国民の祝日 themselves (Art. 2 plus one-off laws), without substitute or sandwiched days. */
function nationalHolidays(y: number): Holiday[] {
  const h: Holiday[] = [];
  const add = (m: number, d: number, name: string): void => void h.push({ date: iso(y, m, d), name });

  add(1, 1, '元日');
  add(1, y >= 2000 ? nthMonday(y, 1, 2) : 15, '成人の日');
  add(2, 11, '建国記念の日');
  if (y >= 2020) add(2, 23, '天皇誕生日');
  add(3, vernalEquinoxDay(y), '春分の日');
  add(4, 29, y >= 2007 ? '昭和の日' : 'みどりの日');
  add(5, 3, '憲法記念日');
  if (y >= 2007) add(5, 4, 'みどりの日');
  add(5, 5, 'こどもの日');

  // 海の日: from 1996; Happy Monday from 2003; moved for the Tokyo Olympics in 2020 and 2021.
  if (y === 2020) add(7, 23, '海の日');
  else if (y === 2021) add(7, 22, '海の日');
  else if (y >= 2003) add(7, nthMonday(y, 7, 3), '海の日');
  else if (y >= 1996) add(7, 20, '海の日');

  // 山の日: from 2016; moved in 2020 and 2021.
  if (y === 2020) add(8, 10, '山の日');
  else if (y === 2021) add(8, 8, '山の日');
  else if (y >= 2016) add(8, 11, '山の日');

  add(9, y >= 2003 ? nthMonday(y, 9, 3) : 15, '敬老の日');
  add(9, autumnalEquinoxDay(y), '秋分の日');

  // 体育の日 (renamed スポーツの日 in 2020): Happy Monday from 2000; moved in 2020 and 2021.
  if (y === 2020) add(7, 24, 'スポーツの日');
  else if (y === 2021) add(7, 23, 'スポーツの日');
  else if (y >= 2022) add(10, nthMonday(y, 10, 2), 'スポーツの日');
  else if (y >= 2000) add(10, nthMonday(y, 10, 2), '体育の日');
  else add(10, 10, '体育の日');

  add(11, 3, '文化の日');
  add(11, 23, '勤労感謝の日');
  // 平成の天皇誕生日 1989–2018; 2019 has none (abdication on 04-30, accession on 05-01).
  if (y <= 2018) add(12, 23, '天皇誕生日');

  // One-off days under special laws.
  if (y === 1990) add(11, 12, '即位礼正殿の儀');
  if (y === 1993) add(6, 9, '皇太子徳仁親王の結婚の儀');
  if (y === 2019) {
    add(5, 1, '天皇の即位の日');
    add(10, 22, '即位礼正殿の儀');
  }
  return h;
}

const cache = new Map<number, readonly Holiday[]>();

function checkYear(y: number): void {
  if (!Number.isInteger(y) || y < MIN_HOLIDAY_YEAR || y > MAX_HOLIDAY_YEAR) {
    throw new HolidayRangeError(`holidays are defined for ${MIN_HOLIDAY_YEAR}–${MAX_HOLIDAY_YEAR}`);
  }
}

/** All holidays of a year, sorted by date, with 振替休日 and 国民の休日 included. */
export function holidaysOf(year: number): readonly Holiday[] {
  checkYear(year);
  const hit = cache.get(year);
  if (hit) return hit;

  const national = nationalHolidays(year);
  const names = new Map(national.map((x) => [x.date, x.name]));
  const isNational = (d: string): boolean => names.has(d);
  const isSunday = (d: string): boolean => new Date(`${d}T00:00:00Z`).getUTCDay() === 0;
  const extra = new Map<string, string>();

  // 振替休日 (Art. 3(2)). Until 2006: the Monday after a Sunday holiday. From 2007: the nearest
  // following day that is not itself a 国民の祝日 (e.g. 2008-05-06 after Sunday 05-04).
  for (const { date } of national) {
    if (!isSunday(date)) continue;
    let next = addDays(date, 1);
    if (year >= 2007) while (isNational(next)) next = addDays(next, 1);
    else if (isNational(next)) continue;
    extra.set(next, '振替休日');
  }

  // 国民の休日 (Art. 3(3)): a day between two 国民の祝日 that is not one itself. Before 2007 a
  // Sunday or a 振替休日 in that position stayed what it was.
  for (const { date } of national) {
    const mid = addDays(date, 1);
    if (isNational(mid) || !isNational(addDays(mid, 1))) continue;
    if (year < 2007 && (isSunday(mid) || extra.has(mid))) continue;
    if (!extra.has(mid)) extra.set(mid, '国民の休日');
  }

  const all = [...national, ...[...extra].map(([date, name]) => ({ date, name }))]
    // A substitute day can spill into the next year only from 12-31, which is never a holiday.
    .filter((x) => x.date.startsWith(`${year}-`))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const frozen = Object.freeze(all.map((x) => Object.freeze(x)));
  cache.set(year, frozen);
  return frozen;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/u;

function parseIsoDate(isoDate: string): [number, number, number] {
  const m = ISO_DATE.exec(isoDate);
  if (!m) throw new RangeError('date must be YYYY-MM-DD');
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) {
    throw new RangeError('date does not exist');
  }
  return [y, mo, d];
}

/** Holiday name (祝日名, 振替休日 or 国民の休日), or null for an ordinary day. */
export function holidayName(isoDate: string): string | null {
  const [y] = parseIsoDate(isoDate);
  return holidaysOf(y).find((h) => h.date === isoDate)?.name ?? null;
}

export function isHoliday(isoDate: string): boolean {
  return holidayName(isoDate) !== null;
}

/** 年末年始 (12/29–1/3): municipal offices are closed by ordinance (地方自治法 第4条の2). */
export function isYearEndClosure(isoDate: string): boolean {
  const [, m, d] = parseIsoDate(isoDate);
  return (m === 12 && d >= 29) || (m === 1 && d <= 3);
}

export function isWeekend(isoDate: string): boolean {
  const [y, m, d] = parseIsoDate(isoDate);
  const w = dayOfWeek(y, m, d);
  return w === 0 || w === 6;
}

/** Open day of a municipal office: not a weekend, holiday or year-end closure day. */
export function isBusinessDay(isoDate: string): boolean {
  return !isWeekend(isoDate) && !isHoliday(isoDate) && !isYearEndClosure(isoDate);
}

export interface BusinessHours {
  /** 'HH:MM', inclusive. */
  readonly start: string;
  /** 'HH:MM', exclusive: 17:15:00 is already after hours. */
  readonly end: string;
}

export const DEFAULT_BUSINESS_HOURS: BusinessHours = Object.freeze({ start: '08:30', end: '17:15' });

export type OffHoursReason = 'weekend' | 'holiday' | 'year_end' | 'before_start' | 'after_end';

const LOCAL_DT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/u;

function minutesOf(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/u.exec(hhmm);
  const h = Number(m?.[1]);
  const min = Number(m?.[2]);
  if (!m || h > 24 || min > 59 || h * 60 + min > 1440) throw new RangeError('time must be HH:MM');
  return h * 60 + min;
}

/**
 * Why a Japan-local date-time ('YYYY-MM-DDTHH:MM[:SS]', no offset) is outside office hours, or
 * null inside them. Order: year-end closure, holiday, weekend, then the clock.
 */
export function offHoursReason(localDateTime: string, hours: BusinessHours = DEFAULT_BUSINESS_HOURS): OffHoursReason | null {
  const m = LOCAL_DT.exec(localDateTime);
  if (!m) throw new RangeError('local date-time must be YYYY-MM-DDTHH:MM[:SS] without offset');
  const date = m[1] ?? '';
  const hh = Number(m[2]);
  const mm = Number(m[3]);
  if (hh > 23 || mm > 59 || Number(m[4] ?? 0) > 59) throw new RangeError('local date-time has an invalid time');
  if (isYearEndClosure(date)) return 'year_end';
  if (isHoliday(date)) return 'holiday';
  if (isWeekend(date)) return 'weekend';
  const t = hh * 60 + mm;
  if (t < minutesOf(hours.start)) return 'before_start';
  if (t >= minutesOf(hours.end)) return 'after_end';
  return null;
}

export function isAfterHours(localDateTime: string, hours: BusinessHours = DEFAULT_BUSINESS_HOURS): boolean {
  return offHoursReason(localDateTime, hours) !== null;
}

/** Japan-local 'YYYY-MM-DDTHH:MM:SS' for an instant (JST = UTC+9, no daylight saving). */
export function toJstLocalDateTime(instant: Date): string {
  const t = new Date(instant.getTime() + 9 * 3_600_000);
  if (Number.isNaN(t.getTime())) throw new RangeError('invalid instant');
  return t.toISOString().slice(0, 19);
}
