// CSV for audit and account exports: BOM, RFC 4180 quoting, CRLF, formulas defused. control: LOG-05
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { csvCell, encodeCsv, toCsv } from '../../src/security/csv-export.ts';

describe('csv export', () => {
  it('starts with a BOM, quotes per RFC 4180 and ends records with CRLF', () => {
    const csv = toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', null]]);
    expect(csv).toBe('\uFEFFa,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`'=HYPERLINK("http://x")`);
    for (const s of ['+1', '-1+1', '@SUM(A1)', '\tx']) expect(csvCell(s).startsWith("'")).toBe(true);
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell('山田 太郎')).toBe('山田 太郎');
    expect(csvCell(new Date('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:00.000Z');
  });

  it('encodes as UTF-8 with its BOM, or as Shift_JIS without one', () => {
    const csv = toCsv(['地区'], [['本町'], ['𠮷野']]);
    expect(encodeCsv(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const sjis = encodeCsv(csv, 'cp932');
    expect(iconv.decode(sjis, 'cp932')).toBe('地区\r\n本町\r\n?野\r\n'); // 𠮷 has no CP932 code
  });
});
