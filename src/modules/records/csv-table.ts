// A small layout-driven CSV reader for the records uploads (clinic files, masters): bytes are
// decoded and parsed by the resident import's decodeUpload/readCsvRecords (UTF-8 or CP932, line
// numbers, limits), then the header is mapped by name (order free), and each data row is handed
// over as named cells. Errors use the shared FileError report shape. control: DATA-01
import type { DeclaredEncoding, FileEncoding } from '../residents/decode.ts';
import { decodeUpload, readCsvRecords } from '../residents/decode.ts';
import type { DecodeErrorCode, FileError, Message } from '../residents/layout.ts';

export type TableErrorCode = DecodeErrorCode | 'missing_header' | 'duplicate_header' | 'empty_header' | 'no_rows' | 'field_count';

export interface TableLayout<C extends string> {
  readonly columns: readonly C[];
  /** Headers the file must have (a cell may still be empty when the column is optional). */
  readonly required: readonly C[];
}

export interface TableRow<C extends string> {
  /** 1-based data row (the header is not counted). */
  readonly row: number;
  /** Physical line where the record starts. */
  readonly line: number;
  /** The cell of a column ('' when the column is absent). */
  cell(column: C): string;
}

export type TableRead<C extends string> =
  | { ok: true; encoding: FileEncoding; rows: TableRow<C>[]; unknownColumns: string[] }
  | { ok: false; encoding: FileEncoding | null; errors: FileError<C, TableErrorCode>[]; errorCount: number; unknownColumns: string[] };

/** Keeps the first `max` errors of a report and counts all of them. */
export class ErrorSink<E> {
  readonly errors: E[] = [];
  count = 0;
  constructor(private readonly max = 1000) {}
  add(e: E): void {
    this.count++;
    if (this.errors.length < this.max) this.errors.push(e);
  }
}

const VALUE_ECHO_MAX = 50;

/** The value as sent, shortened for the report. */
export function echoValue(raw: string): string {
  const chars = [...raw];
  return chars.length > VALUE_ECHO_MAX ? `${chars.slice(0, VALUE_ECHO_MAX).join('')}…` : raw;
}

export function rowError<C extends string, K extends string>(r: { row: number; line: number }, column: C | null, code: K, reason: Message, value: string | null): FileError<C, K> {
  return { row: r.row, line: r.line, column, value: value === null ? null : echoValue(value), code, reason };
}

function headerError<C extends string>(code: TableErrorCode, ja: string, en: string, column: C | null = null): FileError<C, TableErrorCode> {
  return { row: null, line: 1, column, value: null, code, reason: { ja, en } };
}

/**
 * Decodes and parses a whole upload against a layout. Either the header is good and every record
 * has as many fields as the header (rows are returned), or the report of what is wrong.
 */
export function readTable<C extends string>(
  buf: Buffer,
  layout: TableLayout<C>,
  options: { encoding?: DeclaredEncoding; maxRows?: number; maxErrors?: number; allowEmpty?: boolean } = {},
): TableRead<C> {
  const decoded = decodeUpload(buf, { encoding: options.encoding ?? 'auto' });
  if (!decoded.ok) return { ok: false, encoding: null, errors: [decoded.error], errorCount: 1, unknownColumns: [] };
  const sink = new ErrorSink<FileError<C, TableErrorCode>>(options.maxErrors ?? 1000);
  const known = new Set<string>(layout.columns);
  const state: { index: Map<C, number> | null; width: number; unknown: string[] } = { index: null, width: 0, unknown: [] };
  const rows: TableRow<C>[] = [];
  let dataRows = 0;
  const read = readCsvRecords(decoded.utf8, (rec) => {
    if (state.index === null) {
      const index = new Map<C, number>();
      rec.fields.forEach((raw, i) => {
        const name = raw.trim();
        if (name === '') sink.add(headerError('empty_header', `${i + 1}列目の見出しが空です`, `header of column ${i + 1} is empty`));
        else if (!known.has(name)) state.unknown.push(name);
        else if (index.has(name as C)) sink.add(headerError('duplicate_header', `見出し「${name}」が重複しています`, `duplicate header "${name}"`, name as C));
        else index.set(name as C, i);
      });
      for (const col of layout.required) {
        if (!index.has(col)) sink.add(headerError('missing_header', `必須の見出し「${col}」がありません`, `required header "${col}" is missing`, col));
      }
      state.index = index;
      state.width = rec.fields.length;
      return;
    }
    dataRows++;
    if (sink.count > 0) return; // rows cannot be read against a broken header
    const fields = rec.fields;
    if (fields.length !== state.width) {
      sink.add({
        row: dataRows, line: rec.line, column: null, value: null, code: 'field_count',
        reason: { ja: `列数が見出しと一致しません（見出し ${state.width} 列、この行 ${fields.length} 列）`, en: `expected ${state.width} fields as in the header, found ${fields.length}` },
      });
      return;
    }
    const index = state.index;
    rows.push({ row: dataRows, line: rec.line, cell: (c) => { const i = index.get(c); return i === undefined ? '' : (fields[i] ?? ''); } });
  }, { maxRows: options.maxRows });
  if (!read.ok) sink.add(read.error);
  else if (state.index === null) sink.add(headerError('missing_header', '見出し行がありません', 'the header row is missing'));
  else if (dataRows === 0 && !options.allowEmpty) sink.add({ ...headerError('no_rows', 'データ行がありません', 'the file has no data rows'), line: null });
  if (sink.count > 0) return { ok: false, encoding: decoded.encoding, errors: sink.errors, errorCount: sink.count, unknownColumns: state.unknown };
  return { ok: true, encoding: decoded.encoding, rows, unknownColumns: state.unknown };
}
