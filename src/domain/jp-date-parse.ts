// Dates as they appear in resident-register files: western (YYYY-MM-DD, YYYYMMDD, YYYY/M/D) and
// 和暦 (R6.4.1, 令和6年4月1日, 平成元年1月8日, ㍻31年4月30日), full-width digits accepted.
// Pure: no clock. A 和暦 date must fall inside its era (H31.5.1 does not exist — that day is
// 令和元年5月1日), and every date must exist in the calendar (2024-02-30 is rejected).
// control: DATA-01, DATA-02
import { daysInMonth } from './dates.ts';

export type JpDateFailureCode = 'empty' | 'format' | 'no_such_date' | 'outside_era' | 'out_of_range';

export interface JpDateMessage {
  readonly ja: string;
  readonly en: string;
}

export type JpDateResult =
  | { readonly ok: true; readonly date: string }
  | {
      readonly ok: false;
      readonly code: JpDateFailureCode;
      /** One line, Japanese then English. Echoes the date (a date is not a secret). */
      readonly reason: string;
      readonly message: JpDateMessage;
    };

export interface JapaneseEra {
  readonly name: string;
  readonly letter: string;
  /** First and last day (inclusive) as YYYY-MM-DD; `to` is null for the current era. */
  readonly from: string;
  readonly to: string | null;
}

// 明治 starts here at 明治6年1月1日: earlier 明治 dates are in the lunisolar calendar and cannot be
// converted by adding an offset to the year, and no living resident was born before 1873.
export const JAPANESE_ERAS: readonly JapaneseEra[] = [
  { name: '明治', letter: 'M', from: '1873-01-01', to: '1912-07-29' },
  { name: '大正', letter: 'T', from: '1912-07-30', to: '1926-12-25' },
  { name: '昭和', letter: 'S', from: '1926-12-25', to: '1989-01-07' },
  { name: '平成', letter: 'H', from: '1989-01-08', to: '2019-04-30' },
  { name: '令和', letter: 'R', from: '2019-05-01', to: null },
];

const ERA_BY_TOKEN: ReadonlyMap<string, JapaneseEra> = new Map(
  JAPANESE_ERAS.flatMap((e) => [
    [e.name, e],
    [e.name.slice(0, 1), e], // 昭64.1.7
    [e.letter, e],
    [e.letter.toLowerCase(), e],
  ]),
);

const WESTERN_DASHED = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/u;
const WESTERN_COMPACT = /^(\d{4})(\d{2})(\d{2})$/u;
const WESTERN_KANJI = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/u;
const ERA_DOTTED = /^(明治|大正|昭和|平成|令和|明|大|昭|平|令|[MTSHRmtshr])(\d{1,2}|元)[./-](\d{1,2})[./-](\d{1,2})$/u;
const ERA_KANJI = /^(明治|大正|昭和|平成|令和|明|大|昭|平|令|[MTSHRmtshr])(\d{1,2}|元)年(\d{1,2})月(\d{1,2})日$/u;

const MAX_INPUT = 32;

const ISO_PLAIN = /^(\d{4})-(\d{2})-(\d{2})$/u;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function iso(y: number, m: number, d: number): string {
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

function failure(code: JpDateFailureCode, ja: string, en: string): JpDateResult {
  return { ok: false, code, reason: `${ja} (${en})`, message: { ja, en } };
}

function checkCalendar(y: number, m: number, d: number, shown: string): JpDateResult {
  if (y < 1 || y > 9999) return failure('out_of_range', `年が範囲外です: ${shown}`, `year out of range: ${shown}`);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    return failure('no_such_date', `存在しない日付です: ${shown}`, `no such date: ${shown}`);
  }
  return { ok: true, date: iso(y, m, d) };
}

function fromEra(token: string, yearText: string, m: number, d: number, shown: string): JpDateResult {
  const era = ERA_BY_TOKEN.get(token);
  if (era === undefined) return failure('format', `元号が不明です: ${shown}`, `unknown era: ${shown}`);
  const eraYear = yearText === '元' ? 1 : Number(yearText);
  if (eraYear < 1) return failure('outside_era', `${era.name}0年はありません: ${shown}`, `era year 0 does not exist: ${shown}`);
  const startYear = Number(era.from.slice(0, 4));
  // 明治 is anchored at its year 1 (1868) even though this parser only accepts it from 明治6年.
  const firstYear = era.letter === 'M' ? 1868 : startYear;
  const result = checkCalendar(firstYear + eraYear - 1, m, d, shown);
  if (!result.ok) return result;
  // ISO strings compare correctly as text.
  if (result.date < era.from || (era.to !== null && result.date > era.to)) {
    const range = `${era.from}–${era.to ?? ''}`;
    return failure(
      'outside_era',
      `${era.name}の期間（${range}）外の日付です: ${shown}`,
      `date is outside the ${era.letter} era (${range}): ${shown}`,
    );
  }
  return result;
}

/**
 * Parses a date from a resident-register file into 'YYYY-MM-DD'. Accepted: YYYY-MM-DD, YYYY/M/D,
 * YYYYMMDD, YYYY年M月D日, and 和暦 with a kanji era (令和, 令), a letter (R, r) or an era ligature
 * (㍻), the year as digits or 元, and either '.', '/', '-' or 年月日 between the parts. Full-width
 * characters and spaces are tolerated (NFKC, spaces removed).
 */
export function parseJapaneseDate(input: string): JpDateResult {
  if (input.length > MAX_INPUT) return failure('format', '日付の形式が不正です', 'unrecognised date format');
  // The common case, ASCII 'YYYY-MM-DD', needs no folding (NFKC leaves ASCII as it is).
  const plain = ISO_PLAIN.exec(input);
  if (plain !== null) return checkCalendar(Number(plain[1]), Number(plain[2]), Number(plain[3]), input);
  // NFKC folds full-width digits/letters/punctuation and era ligatures (㋿ → 令和) in one step.
  const s = input.normalize('NFKC').replace(/\s+/gu, '');
  if (s === '') return failure('empty', '日付が空です', 'date is empty');

  let m = WESTERN_DASHED.exec(s) ?? WESTERN_COMPACT.exec(s) ?? WESTERN_KANJI.exec(s);
  if (m !== null) return checkCalendar(Number(m[1]), Number(m[2]), Number(m[3]), s);

  m = ERA_DOTTED.exec(s) ?? ERA_KANJI.exec(s);
  if (m !== null) return fromEra(m[1] ?? '', m[2] ?? '', Number(m[3]), Number(m[4]), s);

  return failure(
    'format',
    `日付の形式が不正です（YYYY-MM-DD、YYYYMMDD または 和暦 R6.4.1 / 令和6年4月1日）: ${s}`,
    `unrecognised date format (expected YYYY-MM-DD, YYYYMMDD or a Japanese era date): ${s}`,
  );
}

/** The 和暦 form of an ISO date, e.g. '2019-05-01' → '令和元年5月1日' (for documents and tests). */
export function toJapaneseEraDate(isoDate: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(isoDate);
  if (m === null) return null;
  for (let i = JAPANESE_ERAS.length - 1; i >= 0; i--) {
    const era = JAPANESE_ERAS[i];
    if (era === undefined || isoDate < era.from) continue;
    if (era.to !== null && isoDate > era.to) return null;
    const firstYear = era.letter === 'M' ? 1868 : Number(era.from.slice(0, 4));
    const y = Number(m[1]) - firstYear + 1;
    return `${era.name}${y === 1 ? '元' : y}年${Number(m[2])}月${Number(m[3])}日`;
  }
  return null;
}
