// CSV for reports and exports: UTF-8 with a BOM (so Excel in a Japanese locale reads it as UTF-8),
// RFC 4180 quoting, CRLF. Cells that a spreadsheet would run as a formula are defused with a
// leading apostrophe: log entries carry text typed by anyone who tried to sign in.
// control: LOG-05 (CSV export of search and review reports), AUTH-09 (account review CSV)
import iconv from 'iconv-lite';

export type CsvCell = string | number | boolean | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/u;

export function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return FORMULA_START.test(v) ? `'${v}` : v;
}

// Written out rather than csv-stringify: with CRLF records it leaves a bare LF inside a field unquoted.
const quote = (cell: string): string => (/[",\r\n]/u.test(cell) ? `"${cell.replace(/"/gu, '""')}"` : cell);

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const line = (cells: readonly CsvCell[]): string => `${cells.map((c) => quote(csvCell(c))).join(',')}\r\n`;
  return `\uFEFF${line(header)}${rows.map(line).join('')}`;
}

export type CsvEncoding = 'utf8' | 'cp932';

/**
 * The bytes of a toCsv() text: UTF-8 with its BOM, or Shift_JIS (CP932) for older spreadsheet and
 * host tools, without a BOM; a character CP932 lacks (𠮷) becomes '?'.
 */
export function encodeCsv(csv: string, encoding: CsvEncoding): Buffer {
  return encoding === 'cp932' ? iconv.encode(csv.replace(/^\uFEFF/u, ''), 'cp932') : Buffer.from(csv, 'utf8');
}
