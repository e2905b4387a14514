import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonthsClamped, afterDays, afterMonths, ageInYearsOn, dayFromCivil, daysInMonth, fiscalYearEnd, fiscalYearOf,
  fiscalYearStart, formatIsoDate, parseIsoDate, reachMonths, reachYears, schoolEntryYear, toDay, weeksAfterBirth, ymdOf,
} from '../../src/domain/dates.ts';

// Independent oracle: JavaScript's UTC calendar (fine in tests; the module itself never uses Date).
const MS_DAY = 86_400_000;
const oracleDay = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / MS_DAY;
const oracleIso = (day: number): string => new Date(day * MS_DAY).toISOString().slice(0, 10);
const oracleDim = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

const d = (s: string): number => toDay(s);
const iso = formatIsoDate;

const FIRST = oracleDay(1920, 1, 1);
const LAST = oracleDay(2030, 12, 31);
const birthArb = fc.integer({ min: FIRST, max: LAST });

describe('civil day numbers', () => {
  it('agree with the UTC calendar on every day 1920–2030 (exhaustive)', () => {
    for (let day = FIRST; day <= LAST; day++) {
      const s = oracleIso(day);
      expect(parseIsoDate(s)).toBe(day);
      expect(formatIsoDate(day)).toBe(s);
      const p = ymdOf(day);
      expect(dayFromCivil(Math.floor(p / 10000), Math.floor(p / 100) % 100, p % 100)).toBe(day);
    }
  });

  it('rejects malformed and non-existent dates', () => {
    for (const s of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '2024-1-01', '24-01-01',
      '2024/01/01', ' 2024-01-01', '2024-01-01 ', '0000-01-01', 'abcd-ef-gh', '']) {
      expect(parseIsoDate(s), s).toBeNull();
    }
    expect(() => toDay('2024-02-30')).toThrow(/invalid date/);
    expect(parseIsoDate('2024-02-29')).not.toBeNull();
    expect(parseIsoDate('2000-02-29')).not.toBeNull();
    expect(parseIsoDate('1900-02-29')).toBeNull();
  });

  it('knows month lengths', () => {
    for (let y = 1920; y <= 2030; y++) for (let m = 1; m <= 12; m++) expect(daysInMonth(y, m)).toBe(oracleDim(y, m));
  });
});

describe('reaching an age (民法143条, schedule-jp.md §1)', () => {
  it.each([
    ['2018-04-01', 2, '2018-05-31'],
    ['2018-04-01', 60, '2023-03-31'],
    ['2019-12-31', 2, '2020-02-29'], // no Feb 31 → last day of Feb
    ['2019-12-29', 2, '2020-02-28'], // Feb 29 exists → the day before it
    ['2019-12-30', 2, '2020-02-29'],
    ['2018-12-29', 2, '2019-02-28'], // no Feb 29 in 2019 → last day of Feb
    ['2024-03-31', 2, '2024-05-30'],
    ['2015-10-31', 6, '2016-04-30'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2023-01-31', 1, '2023-02-28'],
    ['2024-01-15', 12, '2025-01-14'],
  ])('born %s reaches %i months on %s', (birth, n, expected) => {
    expect(iso(reachMonths(d(birth), n))).toBe(expected);
  });

  it.each([
    ['2016-02-29', 65, '2081-02-28'],
    ['2016-02-29', 4, '2020-02-28'], // Feb 29 exists in 2020 → the day before
    ['1960-04-01', 65, '2025-03-31'],
    ['1961-04-02', 65, '2026-04-01'],
    ['2018-04-01', 6, '2024-03-31'],
  ])('born %s reaches %i years on %s', (birth, n, expected) => {
    expect(iso(reachYears(d(birth), n))).toBe(expected);
  });

  it('property: the day before the same-numbered day, or the last day of a month without it', () => {
    fc.assert(fc.property(birthArb, fc.integer({ min: 0, max: 1300 }), (birth, n) => {
      const b = new Date(birth * MS_DAY);
      const y = b.getUTCFullYear();
      const m = b.getUTCMonth() + 1;
      const day = b.getUTCDate();
      const t = y * 12 + (m - 1) + n;
      const ty = Math.floor(t / 12);
      const tm = (t % 12) + 1;
      const expected = day <= oracleDim(ty, tm) ? oracleDay(ty, tm, day) - 1 : oracleDay(ty, tm, oracleDim(ty, tm));
      expect(reachMonths(birth, n)).toBe(expected);
    }), { numRuns: 20_000 });
  });

  it('property: ages are strictly increasing and ageInYearsOn inverts reachYears', () => {
    fc.assert(fc.property(birthArb, fc.integer({ min: 1, max: 105 }), (birth, n) => {
      expect(reachYears(birth, n)).toBeGreaterThan(reachYears(birth, n - 1));
      expect(ageInYearsOn(birth, reachYears(birth, n))).toBe(n);
      expect(ageInYearsOn(birth, reachYears(birth, n) - 1)).toBe(n - 1);
    }), { numRuns: 20_000 });
  });

  it('weeks after birth: 出生6週0日後 is the same weekday six weeks later', () => {
    expect(iso(weeksAfterBirth(d('2024-06-03'), 6))).toBe('2024-07-15');
    fc.assert(fc.property(birthArb, fc.integer({ min: 0, max: 60 }), (birth, w) => {
      const r = weeksAfterBirth(birth, w);
      expect(new Date(r * MS_DAY).getUTCDay()).toBe(new Date(birth * MS_DAY).getUTCDay());
      expect(r - birth).toBe(7 * w);
    }));
  });
});

describe('intervals', () => {
  it.each([
    ['2024-04-01', 27, '2024-04-29'],
    ['2024-04-01', 20, '2024-04-22'],
    ['2024-04-01', 6, '2024-04-08'],
    ['2024-04-01', 139, '2024-08-19'],
    ['2024-12-20', 27, '2025-01-17'],
  ])('%s + "%i日以上の間隔" → earliest %s', (from, n, expected) => {
    expect(iso(afterDays(d(from), n))).toBe(expected);
  });

  it.each([
    ['2024-08-31', 6, '2025-02-28'],
    ['2023-11-30', 3, '2024-02-29'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2024-01-31', 5, '2024-06-30'],
    ['2024-05-15', 7, '2024-12-15'],
    ['2025-12-31', 2, '2026-02-28'],
  ])('%s + %i months → earliest %s', (from, n, expected) => {
    expect(iso(afterMonths(d(from), n))).toBe(expected);
  });

  it('property: month addition keeps the day or clamps to the month end', () => {
    fc.assert(fc.property(birthArb, fc.integer({ min: -24, max: 240 }), (day, n) => {
      const r = addMonthsClamped(day, n);
      const a = new Date(day * MS_DAY);
      const t = a.getUTCFullYear() * 12 + a.getUTCMonth() + n;
      const ty = Math.floor(t / 12);
      const tm = (t % 12 + 12) % 12 + 1;
      expect(r).toBe(oracleDay(ty, tm, Math.min(a.getUTCDate(), oracleDim(ty, tm))));
    }), { numRuns: 20_000 });
  });
});

describe('fiscal years and school entry', () => {
  it('年度 runs 1 April – 31 March', () => {
    expect(fiscalYearOf(d('2024-03-31'))).toBe(2023);
    expect(fiscalYearOf(d('2024-04-01'))).toBe(2024);
    expect(iso(fiscalYearStart(2025))).toBe('2025-04-01');
    expect(iso(fiscalYearEnd(2025))).toBe('2026-03-31');
  });

  it.each([
    ['2018-04-01', 2024], // 早生まれ: 1 April belongs to the earlier school year
    ['2018-04-02', 2025],
    ['2017-04-02', 2024],
    ['2016-02-29', 2022],
    ['2018-12-31', 2025],
  ])('born %s enters elementary school on 1 April %i', (birth, year) => {
    expect(schoolEntryYear(d(birth))).toBe(year);
  });

  it('property: children born 2 April – 1 April form one school year', () => {
    fc.assert(fc.property(birthArb, (birth) => {
      const b = new Date(birth * MS_DAY);
      const md = (b.getUTCMonth() + 1) * 100 + b.getUTCDate();
      const expected = b.getUTCFullYear() + (md >= 402 ? 7 : 6);
      expect(schoolEntryYear(birth)).toBe(expected);
      const fy = fiscalYearOf(birth);
      expect(fiscalYearStart(fy)).toBeLessThanOrEqual(birth);
      expect(fiscalYearEnd(fy)).toBeGreaterThanOrEqual(birth);
    }), { numRuns: 20_000 });
  });
});
