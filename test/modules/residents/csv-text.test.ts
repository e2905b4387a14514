// control: DATA-01 — the hand-written CSV reader accepts, refuses and splits exactly as csv-parse did
// with the options the upload reader used, and numbers lines as before: compared on random inputs
// made of the characters that matter (quotes, separators, CR, LF, NUL, BOM, multi-byte text).
import { CsvError, parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsvText } from '../../../src/modules/residents/csv-text.ts';
import { readCsvRecords, type CsvRecord, type CsvReadResult } from '../../../src/modules/residents/decode.ts';

const PIECES = ['a', 'b', '1', ' ', '"', '""', ',', '\n', '\r', '\r\n', '\0', '\uFEFF', '漢', '𠮷', 'ｱ'];
const csvText = (maxLength: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...PIECES), { maxLength }).map((p) => p.join(''));

type Outcome = { records: string[][]; error: string | null };

/** csv-parse as the reader called it (before csv-text.ts), with a given record size limit. */
function byCsvParse(text: string, maxRecordSize: number): Outcome {
  const records: string[][] = [];
  try {
    parse(Buffer.from(text, 'utf8'), {
      bom: true, record_delimiter: ['\r\n', '\n'], relax_column_count: true, skip_empty_lines: true, max_record_size: maxRecordSize,
      on_record: (fields: string[]) => {
        records.push(fields);
        return null;
      },
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    return { records, error: err.code };
  }
  return { records, error: null };
}

function byCsvText(text: string, maxRecordSize: number): Outcome {
  const records: string[][] = [];
  const error = parseCsvText(text, { maxRecordSize, bom: true }, (fields) => records.push(fields));
  return { records, error: error?.code ?? null };
}

/** The reader's records and result before csv-text.ts: csv-parse per slice, lines counted from the bytes. */
function readAsBefore(utf8: Buffer, sliceBytes: number): { recs: CsvRecord[]; result: CsvReadResult } {
  const recs: CsvRecord[] = [];
  const lineOf = (offset: number): number => utf8.subarray(0, offset).filter((b) => b === 0x0a).length + 1;
  let recordEnd = 0;
  const startOfNext = (): number => {
    let p = recordEnd;
    while (utf8[p] === 0x0a || utf8[p] === 0x0d) p++;
    return p;
  };
  for (let from = 0; from < utf8.length;) {
    let to = utf8.length;
    let quotes = 0;
    for (let i = from; i < utf8.length; i++) {
      if (utf8[i] === 0x22) quotes++;
      if (utf8[i] === 0x0a && i >= Math.min(from + sliceBytes, utf8.length) && quotes % 2 === 0) {
        to = i + 1;
        break;
      }
    }
    try {
      parse(utf8.subarray(from, to), {
        bom: from === 0, record_delimiter: ['\r\n', '\n'], relax_column_count: true, skip_empty_lines: true, max_record_size: 64 * 1024,
        on_record: (fields: string[], ctx) => {
          recs.push({ fields, line: lineOf(startOfNext()) });
          recordEnd = from + ctx.bytes;
          return null;
        },
      });
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
      const start = lineOf(startOfNext());
      const code = err.code;
      return { recs, result: { ok: false, error: { row: null, line: start, column: null, value: null, code: 'malformed_csv', reason: { ja: code, en: code } } } };
    }
    from = to;
  }
  return { recs, result: { ok: true, records: recs.length } };
}

describe('control: DATA-01 parseCsvText', () => {
  it('splits, unquotes and refuses as csv-parse does', () => {
    fc.assert(fc.property(csvText(40), (text) => {
      expect(byCsvText(text, 64 * 1024)).toEqual(byCsvParse(text, 64 * 1024));
    }), { numRuns: 3000 });
  });

  it('enforces the record size limit as csv-parse counted it (units of finished fields, bytes of the current one)', () => {
    fc.assert(fc.property(csvText(30), fc.integer({ min: 1, max: 12 }), (text, max) => {
      expect(byCsvText(text, max)).toEqual(byCsvParse(text, max));
    }), { numRuns: 3000 });
  });

  it('keeps doubled quotes, CRLF inside quotes and a lone CR as data', () => {
    expect(byCsvText('"a""b","x\r\ny",c\rd\r\n', 100)).toEqual({ records: [['a"b', 'x\r\ny', 'c\rd']], error: null });
  });
});

describe('control: DATA-01 readCsvRecords (csv-text.ts) against the csv-parse reader it replaced', () => {
  it('gives the same records, start lines and errors, in any slice size', () => {
    fc.assert(fc.property(csvText(60), fc.integer({ min: 1, max: 20 }), (text, sliceBytes) => {
      const utf8 = Buffer.from(text, 'utf8');
      const recs: CsvRecord[] = [];
      const result = readCsvRecords(utf8, (r) => recs.push(r), { sliceBytes });
      const before = readAsBefore(utf8, sliceBytes);
      expect(recs).toEqual(before.recs);
      expect(result.ok).toBe(before.result.ok);
      if (!result.ok && !before.result.ok) {
        expect(result.error.line).toBe(before.result.error.line);
        expect(result.error.reason.en).toContain(`line ${before.result.error.line}`);
      }
    }), { numRuns: 3000 });
  });
});
