// Bytes → records for a resident-register upload: size limit, encoding (declared or detected),
// byte-exact validation of that encoding, then CSV parsing (csv-text.ts) with line numbers.
// Nothing is guessed silently: an invalid byte is an error naming its offset and line.
// control: DATA-01
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { parseCsvText, type CsvSyntaxCode } from './csv-text.ts';
import type { DecodeErrorCode, FileError } from './layout.ts';

/** A problem with the file as a whole (size, encoding, CSV syntax): no row, no column. */
export type DecodeError = FileError<never, DecodeErrorCode>;

export type DeclaredEncoding = 'auto' | 'utf8' | 'cp932';
export type FileEncoding = 'utf8' | 'cp932';

export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
export const DEFAULT_MAX_ROWS = 5_000_000; // above Yokohama (3.8 M)
/** A record longer than this is a runaway quote, not a resident. */
const MAX_RECORD_CHARS = 64 * 1024;

export interface DecodeOptions {
  readonly encoding?: DeclaredEncoding;
  readonly maxBytes?: number;
}

export type DecodeResult =
  | { readonly ok: true; readonly encoding: FileEncoding; readonly bom: boolean; /** BOM removed */ readonly utf8: Buffer }
  | { readonly ok: false; readonly error: DecodeError };

function fileError(code: DecodeErrorCode, ja: string, en: string, line: number | null = null): DecodeError {
  return { row: null, line, column: null, value: null, code, reason: { ja, en } };
}

/** 1-based line of a byte offset (lines end with LF; CRLF counts once). */
export function lineOfOffset(buf: Buffer, offset: number): number {
  let line = 1;
  for (let i = buf.indexOf(0x0a); i !== -1 && i < offset; i = buf.indexOf(0x0a, i + 1)) line++;
  return line;
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(buf: Uint8Array): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i] ?? 0;
    if (b < 0x80) { i++; continue; }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; } else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; } else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; } else return i;
    if (i + need >= n) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

let cp932Pairs: Uint8Array | null = null;
/** 1 for every two-byte sequence that CP932 (as iconv-lite maps it) decodes to a character. */
function cp932PairTable(): Uint8Array {
  if (cp932Pairs !== null) return cp932Pairs;
  const table = new Uint8Array(65536);
  const pair = Buffer.alloc(2);
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (lead > 0x9f && lead < 0xe0) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      const s = iconv.decode(pair, 'cp932');
      if (s.length > 0 && !s.includes('\uFFFD')) table[(lead << 8) | trail] = 1;
    }
  }
  cp932Pairs = table;
  return table;
}

/** Offset of the first byte that does not start a valid CP932 character, or -1. */
export function firstInvalidCp932(buf: Uint8Array): number {
  const pairs = cp932PairTable();
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i] ?? 0;
    if (b < 0x80 || (b >= 0xa1 && b <= 0xdf)) { i++; continue; } // ASCII, half-width kana
    if ((b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc)) {
      const t = buf[i + 1];
      if (t === undefined || pairs[(b << 8) | t] !== 1) return i;
      i += 2;
      continue;
    }
    return i; // 0x80, 0xA0, 0xFD–0xFF: unassigned
  }
  return -1;
}

function hexAt(buf: Buffer, offset: number): string {
  return [...buf.subarray(offset, offset + 2)].map((b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`).join(' ');
}

function invalidBytes(buf: Buffer, offset: number, encoding: string): DecodeError {
  const line = lineOfOffset(buf, offset);
  return fileError(
    'invalid_encoding',
    `${encoding} として読めないバイト（${hexAt(buf, offset)}）があります: バイト位置 ${offset}、${line}行目`,
    `invalid ${encoding} byte sequence (${hexAt(buf, offset)}) at byte offset ${offset}, line ${line}`,
    line,
  );
}

function decodeCp932(buf: Buffer): Buffer {
  // Chunked, so that no single huge string is built for a large file.
  const decoder = iconv.getDecoder('cp932');
  const parts: Buffer[] = [];
  const CHUNK = 4 * 1024 * 1024;
  for (let i = 0; i < buf.length; i += CHUNK) parts.push(Buffer.from(decoder.write(buf.subarray(i, i + CHUNK)), 'utf8'));
  const rest = decoder.end();
  if (rest !== undefined && rest !== '') parts.push(Buffer.from(rest, 'utf8'));
  return Buffer.concat(parts);
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * Checks the size and the encoding and returns the content as UTF-8 without BOM.
 * auto: a UTF-8 BOM or valid UTF-8 means UTF-8, anything else must be valid CP932 (Shift_JIS).
 */
export function decodeUpload(buf: Buffer, options: DecodeOptions = {}): DecodeResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const declared = options.encoding ?? 'auto';
  if (buf.length > maxBytes) {
    return { ok: false, error: fileError('file_too_large', `ファイルが大きすぎます（${buf.length} バイト、上限 ${maxBytes} バイト）`, `file too large: ${buf.length} bytes (limit ${maxBytes})`) };
  }
  if (buf.length === 0) return { ok: false, error: fileError('empty_file', 'ファイルが空です', 'the file is empty') };
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    return { ok: false, error: fileError('invalid_encoding', 'UTF-16 のファイルは読めません。UTF-8 または Shift_JIS（CP932）で保存してください', 'UTF-16 is not supported; save the file as UTF-8 or Shift_JIS (CP932)', 1) };
  }
  const bom = buf[0] === UTF8_BOM[0] && buf[1] === UTF8_BOM[1] && buf[2] === UTF8_BOM[2];

  if (declared === 'cp932' && bom) {
    return { ok: false, error: fileError('invalid_encoding', 'ファイルは UTF-8（BOM 付き）ですが、文字コードに CP932 が指定されています', 'the file starts with a UTF-8 BOM but the declared encoding is CP932', 1) };
  }
  if (declared === 'utf8' || bom || (declared === 'auto' && isUtf8(buf))) {
    if (!isUtf8(buf)) return { ok: false, error: invalidBytes(buf, firstInvalidUtf8(buf), 'UTF-8') };
    return { ok: true, encoding: 'utf8', bom, utf8: bom ? buf.subarray(3) : buf };
  }
  const bad = firstInvalidCp932(buf);
  if (bad !== -1) {
    const err = invalidBytes(buf, bad, 'CP932');
    if (declared === 'auto') {
      return { ok: false, error: { ...err, reason: { ja: `文字コードを判定できません（UTF-8 でも CP932 でもありません）。${err.reason.ja}`, en: `encoding not recognised (neither UTF-8 nor CP932): ${err.reason.en}` } } };
    }
    return { ok: false, error: err };
  }
  return { ok: true, encoding: 'cp932', bom: false, utf8: decodeCp932(buf) };
}

export interface CsvRecord {
  readonly fields: readonly string[];
  /** Physical line where the record starts. */
  readonly line: number;
}

export interface CsvReadOptions {
  /** Data rows allowed after the header. */
  readonly maxRows?: number;
  /** Bytes parsed per slice by readCsvBatches (tests use tiny slices to cross record boundaries). */
  readonly sliceBytes?: number;
}

export type CsvReadResult = { readonly ok: true; readonly records: number } | { readonly ok: false; readonly error: DecodeError };

class RowLimitReached extends Error {}

/** Tracks line numbers by scanning forward once: O(file size) over the whole read. */
class LineCounter {
  private pos = 0;
  private line = 1;
  constructor(private readonly buf: Buffer) {}
  at(offset: number): number {
    for (let i = this.buf.indexOf(0x0a, this.pos); i !== -1 && i < offset; i = this.buf.indexOf(0x0a, i + 1)) this.line++;
    this.pos = Math.max(this.pos, offset);
    return this.line;
  }
}

/** The same for a text that starts on line `line`; positions are asked in increasing order. */
class TextLineCounter {
  private pos = 0;
  constructor(private readonly text: string, private line: number) {}
  at(index: number): number {
    for (let i = this.text.indexOf('\n', this.pos); i !== -1 && i < index; i = this.text.indexOf('\n', i + 1)) this.line++;
    this.pos = Math.max(this.pos, index);
    return this.line;
  }
}

/** Characters of UTF-8 CSV parsed per slice by readCsvBatches: a few thousand records. */
const SLICE_BYTES = 2 * 1024 * 1024;

/**
 * End of the first record boundary at or after `min`: just past a LF outside quotes, counting the
 * quotes from `from` (a record start). RFC 4180 quoting only toggles on `"` (`""` toggles twice), so
 * parity is enough; a stray quote only moves the cut, and the parser reports it in that slice.
 */
function sliceEnd(buf: Buffer, from: number, min: number): number {
  let quotes = 0;
  let q = buf.indexOf(0x22, from);
  for (let nl = buf.indexOf(0x0a, min); nl !== -1; nl = buf.indexOf(0x0a, nl + 1)) {
    while (q !== -1 && q < nl) {
      quotes++;
      q = buf.indexOf(0x22, q + 1);
    }
    if (quotes % 2 === 0) return nl + 1;
  }
  return buf.length;
}

/** A piece of a UTF-8 upload that ends at a record boundary, and the line it starts on. */
export interface CsvSlice {
  readonly from: number;
  readonly to: number;
  readonly line: number;
  /** Line of the first byte after the slice that is not CR or LF (see CsvSliceReader.read). */
  readonly nextLine: number;
}

/** The slices readCsvBatches parses one at a time (another thread may parse them: first-load-worker.ts). */
export function* csvSlices(utf8: Buffer, sliceBytes: number = SLICE_BYTES): Generator<CsvSlice> {
  const lines = new LineCounter(utf8);
  for (let from = 0; from < utf8.length;) {
    const to = sliceEnd(utf8, from, Math.min(from + sliceBytes, utf8.length));
    const line = lines.at(from);
    let nextLine = lines.at(to);
    for (let p = to; utf8[p] === 0x0a || utf8[p] === 0x0d; p++) if (utf8[p] === 0x0a) nextLine++;
    yield { from, to, line, nextLine };
    from = to;
  }
}

/**
 * Parses the slices of one file in order (quotes, embedded newlines, CRLF/LF and blank lines by
 * parseCsvText, csv-text.ts), numbering records by the line where they start and counting them
 * against the row limit. After a slice with an error, the file's reading is over.
 *
 * Line numbers are those the reader gave with csv-parse, quirks included: a record is numbered by
 * the first character after the previous record that is not CR or LF — across slice ends (hence
 * `nextLine`), and from the file's BOM for its first record.
 */
export class CsvSliceReader {
  private records = 0;
  private bom = false;
  private readonly maxRecords: number;

  constructor(options: Pick<CsvReadOptions, 'maxRows'> = {}) {
    this.maxRecords = (options.maxRows ?? DEFAULT_MAX_ROWS) + 1;
  }

  /** The records of one slice (its text and where it lies), and the file's error if the slice has one. */
  read(text: string, slice: CsvSlice): { readonly records: CsvRecord[]; readonly failure: CsvReadResult | null } {
    const first = slice.from === 0;
    if (first) this.bom = text.charCodeAt(0) === 0xfeff;
    const textLines = new TextLineCounter(text, slice.line);
    const lineAt = (start: number): number => (this.records === 0 && this.bom ? 1 : start === text.length ? slice.nextLine : textLines.at(start));
    const records: CsvRecord[] = [];
    try {
      const syntax = parseCsvText(text, { maxRecordSize: MAX_RECORD_CHARS, bom: first }, (fields, start) => {
        if (this.records === this.maxRecords) throw new RowLimitReached();
        const line = lineAt(start);
        this.records++;
        records.push({ fields, line });
      });
      return { records, failure: syntax === null ? null : csvError(syntax.code, lineAt(syntax.recordStart)) };
    } catch (err) {
      if (!(err instanceof RowLimitReached)) throw err; // the caller's own failure, not the file's
      return { records, failure: tooManyRows(this.maxRecords - 1) };
    }
  }

  /** The result of a read that ended without error. */
  done(): CsvReadResult {
    return { ok: true, records: this.records };
  }
}

/**
 * The CSV records of a UTF-8 buffer in batches (the header is the first record), parsed slice by
 * slice so that a caller can do asynchronous work between batches without holding every record.
 * A malformed file is reported (as the generator's return value) with the line where the broken
 * record starts; the records before it are still yielded.
 */
export function* readCsvBatches(utf8: Buffer, options: CsvReadOptions = {}): Generator<CsvRecord[], CsvReadResult> {
  const reader = new CsvSliceReader(options);
  for (const slice of csvSlices(utf8, options.sliceBytes)) {
    // One string per slice: the fields are slices of it, not one decoding call each.
    const { records, failure } = reader.read(utf8.toString('utf8', slice.from, slice.to), slice);
    if (records.length > 0) yield records;
    if (failure !== null) return failure;
  }
  return reader.done();
}

function tooManyRows(limit: number): CsvReadResult {
  return { ok: false, error: fileError('too_many_rows', `行数が上限（${limit} 行）を超えています`, `too many rows: the limit is ${limit} data rows`) };
}

/** A syntax error, reported by its code and the line where the record starts; never a field's content (AC-04). */
function csvError(code: CsvSyntaxCode, start: number): CsvReadResult {
  const [ja, en] = code === 'CSV_QUOTE_NOT_CLOSED'
    ? [`${start}行目から始まる行の引用符（"）が閉じていません`, `unclosed quote in the record starting at line ${start}`]
    : code === 'CSV_MAX_RECORD_SIZE'
      ? [`${start}行目から始まる行が長すぎます（引用符の閉じ忘れ？）`, `the record starting at line ${start} exceeds ${MAX_RECORD_CHARS} characters (unclosed quote?)`]
      : [`${start}行目から始まる行の CSV 形式が不正です（${code}）`, `malformed CSV (${code}) in the record starting at line ${start}`];
  return { ok: false, error: fileError('malformed_csv', ja, en, start) };
}

/** Streams the CSV records of a UTF-8 buffer to `onRecord` (the header is the first record). */
export function readCsvRecords(utf8: Buffer, onRecord: (r: CsvRecord) => void, options: CsvReadOptions = {}): CsvReadResult {
  const batches = readCsvBatches(utf8, options);
  for (let next = batches.next(); ; next = batches.next()) {
    if (next.done === true) return next.value;
    for (const r of next.value) onRecord(r);
  }
}
