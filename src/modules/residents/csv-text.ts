// RFC 4180 records of a decoded text, for the upload reader (decode.ts): `,` separator, `"` quotes
// with `""` inside, CRLF or LF between records (a lone CR is data), line breaks inside quotes, blank
// lines skipped, a leading BOM dropped. It replaces csv-parse on this path (half the validation time
// of a 2 M-row import) and accepts, refuses and splits exactly as csv-parse did with the options the
// reader used (test/modules/residents/csv-text.test.ts compares the two on random inputs), so the
// report's error codes and lines are unchanged. control: DATA-01

/** csv-parse's codes for what is refused; the report names the code (never a field's content). */
export type CsvSyntaxCode = 'CSV_QUOTE_NOT_CLOSED' | 'CSV_INVALID_CLOSING_QUOTE' | 'INVALID_OPENING_QUOTE' | 'CSV_MAX_RECORD_SIZE';

export interface CsvSyntaxError {
  readonly code: CsvSyntaxCode;
  /** Index in the text where the broken record starts (see onRecord). */
  readonly recordStart: number;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0;

const fail = (code: CsvSyntaxCode, recordStart: number): CsvSyntaxError => ({ code, recordStart });

/**
 * Whether csv-parse's size check, made before each byte of a field is appended, has fired by the end
 * of `content`: `recordChars` in UTF-16 units, the field in bytes (at most 3 per unit, so most
 * fields need no count).
 */
function tooLong(recordChars: number, content: string, max: number): boolean {
  return recordChars + 3 * content.length >= max + 2 && recordChars + Buffer.byteLength(content) >= max + 2;
}

/**
 * Calls `onRecord(fields, start)` for each record, `start` being the index of the first character
 * after the previous record that is not CR or LF (how the reader numbered lines with csv-parse).
 * Returns the first syntax error, or null. `maxRecordSize` is csv-parse's max_record_size, counted
 * as it did: the finished fields in UTF-16 units plus the current field in UTF-8 bytes. `bom`: the
 * text is the start of the file, so a leading U+FEFF is dropped.
 */
export function parseCsvText(
  text: string, options: { readonly maxRecordSize: number; readonly bom: boolean }, onRecord: (fields: string[], start: number) => void,
): CsvSyntaxError | null {
  const maxRecordSize = options.maxRecordSize;
  const n = text.length;
  let i = options.bom && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let recordEnd = 0;
  for (;;) {
    // Blank lines (LF or CRLF alone) are no records.
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === LF) i++;
      else if (c === CR && text.charCodeAt(i + 1) === LF) i += 2;
      else break;
    }
    if (i >= n) return null;
    let start = recordEnd;
    while (start < n && (text.charCodeAt(start) === LF || text.charCodeAt(start) === CR)) start++;
    const fields: string[] = [];
    let recordChars = 0; // finished fields, in UTF-16 units (csv-parse's record_length)
    for (;;) {
      let value: string;
      let rest = i; // where an unquoted part of the field starts
      if (text.charCodeAt(i) === QUOTE) {
        let from = i + 1;
        let escaped = false;
        let close = -1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q === -1) break;
          if (text.charCodeAt(q + 1) === QUOTE) {
            escaped = true;
            from = q + 2;
            continue;
          }
          close = q;
          break;
        }
        const raw = text.slice(i + 1, close === -1 ? n : close);
        value = escaped ? raw.replaceAll('""', '"') : raw;
        if (close === -1) return fail(tooLong(recordChars, value, maxRecordSize) ? 'CSV_MAX_RECORD_SIZE' : 'CSV_QUOTE_NOT_CLOSED', start);
        const next = close + 1;
        const c = text.charCodeAt(next);
        if (next < n && c !== COMMA && c !== LF && c !== NUL && !(c === CR && text.charCodeAt(next + 1) === LF)) {
          return fail(tooLong(recordChars, value, maxRecordSize) ? 'CSV_MAX_RECORD_SIZE' : 'CSV_INVALID_CLOSING_QUOTE', start);
        }
        rest = next;
        // csv-parse closes a quote before a NUL too, then reads the rest of the field unquoted.
        if (c !== NUL || next >= n) {
          i = next;
          rest = -1;
        }
      } else {
        value = '';
      }
      if (rest !== -1) {
        let j = rest;
        for (; j < n; j++) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === LF || (c === CR && text.charCodeAt(j + 1) === LF)) break;
          // A quote opens a field only as its first character.
          if (c === QUOTE) return fail(tooLong(recordChars, value + text.slice(rest, j), maxRecordSize) ? 'CSV_MAX_RECORD_SIZE' : 'INVALID_OPENING_QUOTE', start);
        }
        value = value === '' ? text.slice(rest, j) : value + text.slice(rest, j);
        i = j;
      }
      if (tooLong(recordChars, value, maxRecordSize)) return fail('CSV_MAX_RECORD_SIZE', start);
      fields.push(value);
      recordChars += value.length;
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      // End of the record: LF, CRLF or the end of the text.
      i += c === LF ? 1 : c === CR ? 2 : 0;
      break;
    }
    recordEnd = i;
    onRecord(fields, start);
  }
}
