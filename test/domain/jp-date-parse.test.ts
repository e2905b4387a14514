// control: DATA-01, DATA-02 — dates in resident files: western and 和暦, era boundaries, real days only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysInMonth } from '../../src/domain/dates.ts';
import { JAPANESE_ERAS, parseJapaneseDate, toJapaneseEraDate } from '../../src/domain/jp-date-parse.ts';

function date(input: string): string | null {
  const r = parseJapaneseDate(input);
  return r.ok ? r.date : null;
}

describe('control: DATA-02 parseJapaneseDate', () => {
  it('reads western forms', () => {
    expect(date('2024-04-01')).toBe('2024-04-01');
    expect(date('20240401')).toBe('2024-04-01');
    expect(date('2024/4/1')).toBe('2024-04-01');
    expect(date('2024年4月1日')).toBe('2024-04-01');
    expect(date('２０２４－０４－０１')).toBe('2024-04-01'); // full-width
  });

  it('reads 和暦 with letters, kanji, ligatures and 元年', () => {
    expect(date('R6.4.1')).toBe('2024-04-01');
    expect(date('r6.4.1')).toBe('2024-04-01');
    expect(date('Ｒ６．４．１')).toBe('2024-04-01');
    expect(date('令和6年4月1日')).toBe('2024-04-01');
    expect(date('令和 6年 4月 1日')).toBe('2024-04-01');
    expect(date('令和元年5月1日')).toBe('2019-05-01');
    expect(date('R1.5.1')).toBe('2019-05-01');
    expect(date('㋿6年4月1日')).toBe('2024-04-01');
    expect(date('㍻31年4月30日')).toBe('2019-04-30');
    expect(date('H31.4.30')).toBe('2019-04-30');
    expect(date('平成31年4月30日')).toBe('2019-04-30');
    expect(date('平成元年1月8日')).toBe('1989-01-08');
    expect(date('S64.1.7')).toBe('1989-01-07');
    expect(date('昭和64年1月7日')).toBe('1989-01-07');
    expect(date('昭64.1.7')).toBe('1989-01-07');
    expect(date('S1.12.25')).toBe('1926-12-25');
    expect(date('T15.12.25')).toBe('1926-12-25');
    expect(date('T1.7.30')).toBe('1912-07-30');
    expect(date('M45.7.29')).toBe('1912-07-29');
    expect(date('明治45年7月29日')).toBe('1912-07-29');
  });

  it('rejects dates outside their era', () => {
    for (const s of ['H31.5.1', '平成31年5月1日', 'R1.4.30', '令和元年4月30日', 'S64.1.8', 'H1.1.7', 'T15.12.26', 'S1.12.24', 'M45.7.30', 'T1.7.29', '平成32年1月1日']) {
      const r = parseJapaneseDate(s);
      expect(r.ok, s).toBe(false);
      if (!r.ok) expect(r.code, s).toBe('outside_era');
    }
    const r = parseJapaneseDate('H31.5.1');
    if (!r.ok) {
      expect(r.message.ja).toContain('平成');
      expect(r.message.en).toContain('outside');
    }
  });

  it('rejects year 0 and lunisolar 明治 dates', () => {
    expect(parseJapaneseDate('令和0年1月1日').ok).toBe(false);
    expect(parseJapaneseDate('M5.12.1').ok).toBe(false);
    expect(date('M6.1.1')).toBe('1873-01-01');
  });

  it('rejects impossible calendar days', () => {
    for (const s of ['2024-02-30', '20230229', '2024-13-01', '2024-00-10', 'R5.2.29', '令和6年4月31日', '2024-04-00']) {
      const r = parseJapaneseDate(s);
      expect(r.ok, s).toBe(false);
      if (!r.ok) expect(r.code, s).not.toBe('format');
    }
    expect(date('2024-02-29')).toBe('2024-02-29');
    expect(date('R6.2.29')).toBe('2024-02-29');
  });

  it('rejects garbage with a bilingual reason', () => {
    for (const s of ['', '  ', 'yesterday', '2024-4', '24-04-01', 'X6.4.1', '令和六年四月一日', '2024-04-01T00:00', '1'.repeat(40)]) {
      const r = parseJapaneseDate(s);
      expect(r.ok, s).toBe(false);
      if (!r.ok) {
        expect(r.reason).toMatch(/[ぁ-んァ-ン一-龯]/u);
        expect(r.reason).toMatch(/[a-z]/u);
      }
    }
  });

  it('round-trips every day of every era through its 和暦 form (property)', () => {
    const first = Date.UTC(1873, 0, 1);
    const last = Date.UTC(2100, 11, 31);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Math.floor((last - first) / 86_400_000) }), (offset) => {
        const iso = new Date(first + offset * 86_400_000).toISOString().slice(0, 10);
        const wareki = toJapaneseEraDate(iso);
        expect(wareki).not.toBeNull();
        expect(date(wareki ?? '')).toBe(iso);
        expect(date(iso.replaceAll('-', ''))).toBe(iso);
      }),
    );
  });

  it('accepts exactly the real days of a month (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        expect(parseJapaneseDate(iso).ok).toBe(d <= daysInMonth(y, m));
      }),
    );
  });

  it('era table is contiguous', () => {
    for (let i = 1; i < JAPANESE_ERAS.length; i++) {
      const prev = JAPANESE_ERAS[i - 1];
      const cur = JAPANESE_ERAS[i];
      expect(prev?.to).not.toBeNull();
      // 改元 days belong to both eras (大正15年12月25日 = 昭和元年12月25日) or follow directly.
      const gap = (Date.parse(cur?.from ?? '') - Date.parse(prev?.to ?? '')) / 86_400_000;
      expect([0, 1]).toContain(gap);
    }
  });
});
