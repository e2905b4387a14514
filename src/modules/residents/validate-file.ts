// Whole-file validation of a resident-register upload: every row is checked before anything may be
// applied, and a bad file yields a report (row, line, column, value, reason in ja/en) instead of rows.
// Pure: the database-dependent part is checkEventsAgainstState, which takes the known state as data.
// control: DATA-01, DATA-02, DATA-06, AC-04, RET-04
import { maskMyNumber, type MyNumber } from '../../security/my-number.ts';
import { FirstRowIndex } from './first-row-index.ts';
import { decodeUpload, readCsvBatches, type CsvReadResult, type CsvRecord, type DeclaredEncoding, type FileEncoding } from './decode.ts';
import {
  eventLabel, isResidentColumn, parseAddress, parseAddressNumber, parseAlias, parseDateCell, parseEventKind,
  parseHouseholdNumber, parseKana, parseMyNumberCell, parseName, parseNationality, parsePostcode, parseRelationship,
  parseResidentType, parseRomajiName, parseSex, requiredColumns, RESIDENT_COLUMNS,
  type CellResult, type ImportMode, type Message, type ResidentColumn, type ResidentEventKind, type ResidentFileError,
  type ResidentRow,
} from './layout.ts';

export interface ValidateOptions {
  readonly mode?: ImportMode;
  readonly encoding?: DeclaredEncoding;
  readonly maxBytes?: number;
  readonly maxRows?: number;
  /** The report keeps the first N errors and counts the rest. */
  readonly maxErrors?: number;
}

export type ValidationResult =
  | {
      readonly ok: true;
      readonly encoding: FileEncoding;
      readonly rows: readonly ResidentRow[];
      /** Headers that are not part of the layout: ignored, reported. */
      readonly unknownColumns: readonly string[];
    }
  | {
      readonly ok: false;
      readonly encoding: FileEncoding | null;
      readonly errors: readonly ResidentFileError[];
      /** All errors found, including those beyond maxErrors. */
      readonly errorCount: number;
      readonly unknownColumns: readonly string[];
    };

const VALUE_ECHO_MAX = 50;

function echo(column: ResidentColumn, raw: string): string {
  if (column === '個人番号') return maskMyNumber(raw.trim()); // AC-04: never echo the number
  const chars = [...raw];
  return chars.length > VALUE_ECHO_MAX ? `${chars.slice(0, VALUE_ECHO_MAX).join('')}…` : raw;
}

class ErrorSink {
  readonly errors: ResidentFileError[] = [];
  count = 0;
  constructor(private readonly max: number) {}
  add(e: ResidentFileError): void {
    this.count++;
    if (this.errors.length < this.max) this.errors.push(e);
  }
}

function headerError(code: ResidentFileError['code'], ja: string, en: string, column: ResidentColumn | null = null): ResidentFileError {
  return { row: null, line: 1, column, value: null, code, reason: { ja, en } };
}

/** Maps header positions to layout columns; reports missing, duplicate and empty headers. */
function readHeader(fields: readonly string[], mode: ImportMode, sink: ErrorSink): { index: Map<ResidentColumn, number>; unknown: string[] } {
  const index = new Map<ResidentColumn, number>();
  const unknown: string[] = [];
  fields.forEach((raw, i) => {
    const name = raw.trim();
    if (name === '') {
      sink.add(headerError('empty_header', `${i + 1}列目の見出しが空です`, `header of column ${i + 1} is empty`));
    } else if (!isResidentColumn(name)) {
      unknown.push(name);
    } else if (index.has(name)) {
      sink.add(headerError('duplicate_header', `見出し「${name}」が重複しています`, `duplicate header "${name}"`, name));
    } else {
      index.set(name, i);
    }
  });
  for (const col of requiredColumns(mode)) {
    if (!index.has(col)) sink.add(headerError('missing_header', `必須の見出し「${col}」がありません`, `required header "${col}" is missing`, col));
  }
  return { index, unknown };
}

interface RowContext {
  readonly row: number;
  readonly line: number;
  readonly cells: readonly string[];
  readonly index: ReadonlyMap<ResidentColumn, number>;
  readonly sink: ErrorSink;
}

function cell(ctx: RowContext, column: ResidentColumn): string {
  const i = ctx.index.get(column);
  return i === undefined ? '' : (ctx.cells[i] ?? '');
}

function report(ctx: RowContext, column: ResidentColumn | null, code: ResidentFileError['code'], reason: Message, value?: string): void {
  ctx.sink.add({ row: ctx.row, line: ctx.line, column, value: column === null ? null : echo(column, value ?? cell(ctx, column)), code, reason });
}

function take<T>(ctx: RowContext, column: ResidentColumn, parsed: CellResult<T>): T | undefined {
  if (parsed.ok) return parsed.value;
  report(ctx, column, 'invalid_value', parsed.reason);
  return undefined;
}

/** Parses one data row; returns null (and reports) when any cell or cross-field rule fails. */
function parseRow(ctx: RowContext, mode: ImportMode, fieldCount: number): ResidentRow | null {
  if (ctx.cells.length !== fieldCount) {
    report(ctx, null, 'field_count', {
      ja: `列数が見出しと一致しません（見出し ${fieldCount} 列、この行 ${ctx.cells.length} 列）`,
      en: `expected ${fieldCount} fields as in the header, found ${ctx.cells.length}`,
    });
    return null;
  }
  const before = ctx.sink.count;
  const addressNumber = take(ctx, '宛名番号', parseAddressNumber(cell(ctx, '宛名番号')));
  const myNumber = take(ctx, '個人番号', parseMyNumberCell(cell(ctx, '個人番号')));
  const name = take(ctx, '氏名', parseName(cell(ctx, '氏名')));
  const nameKana = take(ctx, '氏名カナ', parseKana(cell(ctx, '氏名カナ')));
  const sex = take(ctx, '性別', parseSex(cell(ctx, '性別')));
  const birthDate = take(ctx, '生年月日', parseDateCell(cell(ctx, '生年月日'), '生年月日'));
  const postcode = take(ctx, '郵便番号', parsePostcode(cell(ctx, '郵便番号')));
  const address = take(ctx, '住所', parseAddress(cell(ctx, '住所')));
  const householdNumber = take(ctx, '世帯番号', parseHouseholdNumber(cell(ctx, '世帯番号')));
  const relationship = take(ctx, '続柄', parseRelationship(cell(ctx, '続柄')));
  const eventKind = take(ctx, '異動事由', parseEventKind(cell(ctx, '異動事由')));
  const rawEventDate = cell(ctx, '異動日');
  const eventDate = rawEventDate.trim() === '' ? null : take(ctx, '異動日', parseDateCell(rawEventDate, '異動日'));
  const residentType = take(ctx, '住民区分', parseResidentType(cell(ctx, '住民区分')));
  const alias = take(ctx, '通称', parseAlias(cell(ctx, '通称')));
  const romajiName = take(ctx, 'ローマ字氏名', parseRomajiName(cell(ctx, 'ローマ字氏名')));
  const nationality = take(ctx, '国籍', parseNationality(cell(ctx, '国籍')));

  // Cross-field rules, checked only on values that parsed.
  if (eventKind === null && eventDate !== null) {
    report(ctx, '異動事由', 'inconsistent_row', { ja: '異動日がありますが異動事由がありません', en: '異動日 is given without 異動事由' });
  }
  if (eventKind !== null && eventKind !== undefined && rawEventDate.trim() === '') {
    report(ctx, '異動日', 'inconsistent_row', { ja: '異動事由には異動日が必要です', en: '異動事由 needs 異動日' });
  }
  if (mode === 'delta' && eventKind === null) {
    report(ctx, '異動事由', 'inconsistent_row', { ja: '差分ファイルの各行には異動事由が必要です', en: 'every row of a delta file needs 異動事由' });
  }
  if (typeof birthDate === 'string' && typeof eventDate === 'string' && eventDate < birthDate) {
    report(ctx, '異動日', 'inconsistent_row', { ja: '異動日が生年月日より前です', en: '異動日 is before 生年月日' });
  }
  if (residentType === 'japanese') {
    if (typeof alias === 'string') report(ctx, '通称', 'inconsistent_row', { ja: '通称は外国人住民のみ記載できます', en: '通称 (alias) is for foreign residents only' });
    if (typeof nationality === 'string' && nationality !== '日本') {
      report(ctx, '国籍', 'inconsistent_row', { ja: '日本人の国籍欄は空欄（または 日本）です', en: '国籍 must be empty (or 日本) for a Japanese resident' });
    }
  }
  if (residentType === 'foreign' && nationality === null) {
    report(ctx, '国籍', 'inconsistent_row', { ja: '外国人住民には国籍が必要です', en: '国籍 (nationality) is required for a foreign resident' });
  }
  if (ctx.sink.count !== before) return null;

  // Every value parsed (no error was added), so none is undefined here.
  return {
    row: ctx.row,
    line: ctx.line,
    addressNumber: addressNumber as string,
    myNumber: myNumber as MyNumber | null,
    name: name as string,
    nameKana: nameKana as string,
    sex: sex as ResidentRow['sex'],
    birthDate: birthDate as string,
    postcode: postcode as string | null,
    address: address as string,
    householdNumber: householdNumber as string | null,
    relationship: relationship as string | null,
    event: eventKind === null || eventKind === undefined ? null : { kind: eventKind, date: eventDate as string },
    residentType: residentType as ResidentRow['residentType'],
    alias: alias as string | null,
    romajiName: romajiName as string | null,
    nationality: nationality === '日本' && residentType === 'japanese' ? null : (nationality as string | null),
  };
}

function addressNumberOf(ctx: RowContext): string | null {
  if (ctx.cells.length === 0) return null;
  const r = parseAddressNumber(cell(ctx, '宛名番号'));
  return r.ok ? r.value : null;
}

/** What validateResidentBatches returns once the whole file has been read. */
export type ValidationSummary =
  | { readonly ok: true; readonly encoding: FileEncoding; readonly rows: number; readonly unknownColumns: readonly string[] }
  | Extract<ValidationResult, { ok: false }>;

/**
 * Checks the records of one file in order (the header first), batch by batch: each cell,
 * cross-field rules, duplicate 宛名番号 and a My Number used by two 宛名番号 anywhere in the file.
 * Valid rows are passed on only while the file is still clean; summary() says whether the file as a
 * whole is valid — a caller must apply nothing unless it is.
 */
export class ResidentRowValidator {
  private readonly sink: ErrorSink;
  private header: { index: Map<ResidentColumn, number>; unknown: string[] } | null = null;
  private headerOk = false;
  private fieldCount = 0;
  private dataRows = 0;
  private readonly firstRowOfAddressNumber = new FirstRowIndex();
  private readonly firstRowOfMyNumber = new FirstRowIndex();

  constructor(private readonly mode: ImportMode, maxErrors = 1000) {
    this.sink = new ErrorSink(maxErrors);
  }

  /** The valid rows among `records` (none once any row of the file was bad). */
  check(records: readonly CsvRecord[]): ResidentRow[] {
    const { sink, mode } = this;
    const rows: ResidentRow[] = [];
    for (const rec of records) {
      if (this.header === null) {
        this.header = readHeader(rec.fields, mode, sink);
        this.headerOk = sink.count === 0;
        this.fieldCount = rec.fields.length;
        continue;
      }
      this.dataRows++;
      if (!this.headerOk) continue; // rows cannot be read against a broken header
      const row = this.dataRows;
      const ctx: RowContext = { row, line: rec.line, cells: rec.fields, index: this.header.index, sink };
      const parsed = parseRow(ctx, mode, this.fieldCount);
      const addressNumber = parsed?.addressNumber ?? addressNumberOf(ctx);
      if (addressNumber !== null) {
        const first = this.firstRowOfAddressNumber.firstOrSet(addressNumber, row);
        if (first !== undefined) report(ctx, '宛名番号', 'duplicate_address_number', { ja: `宛名番号が重複しています（${first}行目のデータと同じ）`, en: `duplicate 宛名番号: same as data row ${first}` });
      }
      if (parsed !== null && parsed.myNumber !== null) {
        const first = this.firstRowOfMyNumber.firstOrSet(parsed.myNumber, row);
        if (first !== undefined) report(ctx, '個人番号', 'duplicate_my_number', { ja: `同じ個人番号が${first}行目のデータにもあります`, en: `the same My Number is on data row ${first}` });
      }
      // Rows are passed on only while the file is still clean: a bad file is rejected anyway.
      if (parsed !== null && sink.count === 0) rows.push(parsed);
    }
    return rows;
  }

  /** The outcome once every record was checked; `read` is how reading the file ended. */
  summary(read: CsvReadResult, encoding: FileEncoding): ValidationSummary {
    const { sink, header } = this;
    const unknownColumns = header?.unknown ?? [];
    if (!read.ok) sink.add(read.error);
    else if (header === null) sink.add(headerError('missing_header', '見出し行がありません', 'the header row is missing'));
    else if (this.dataRows === 0 && this.mode === 'full') sink.add({ ...headerError('no_rows', '全件ファイルにデータ行がありません', 'a full file must contain data rows'), line: null });

    if (sink.count > 0) return { ok: false, encoding, errors: sink.errors, errorCount: sink.count, unknownColumns };
    return { ok: true, encoding, rows: this.dataRows, unknownColumns };
  }
}

/** What decodeUpload's refusal of a file (size, encoding) looks like as a validation summary. */
export function undecodableFile(error: ResidentFileError): Extract<ValidationSummary, { ok: false }> {
  return { ok: false, encoding: null, errors: [error], errorCount: 1, unknownColumns: [] };
}

/**
 * Validates a whole upload (bytes as received), yielding the valid rows in batches as it reads, so
 * a caller can prepare them while the rest is checked. Rows are yielded only while the file is
 * still clean; the summary (returned at the end) says whether the file as a whole is valid — a
 * caller must apply nothing unless it is. Checks: size, encoding, CSV syntax, row limit, headers
 * (required, duplicate, unknown), and those of ResidentRowValidator.
 */
export function* validateResidentBatches(buf: Buffer, options: ValidateOptions = {}): Generator<readonly ResidentRow[], ValidationSummary> {
  const decoded = decodeUpload(buf, { encoding: options.encoding ?? 'auto', maxBytes: options.maxBytes });
  if (!decoded.ok) return undecodableFile(decoded.error);
  const validator = new ResidentRowValidator(options.mode ?? 'full', options.maxErrors ?? 1000);
  const batches = readCsvBatches(decoded.utf8, { maxRows: options.maxRows });
  let next = batches.next();
  for (; next.done !== true; next = batches.next()) {
    const rows = validator.check(next.value);
    if (rows.length > 0) yield rows;
  }
  return validator.summary(next.value, decoded.encoding);
}

/**
 * Validates a whole upload (bytes as received). Either every row is valid and all rows are returned,
 * or nothing is returned but the report (see validateResidentBatches for the checks).
 */
export function validateResidentFile(buf: Buffer, options: ValidateOptions = {}): ValidationResult {
  const rows: ResidentRow[] = [];
  const batches = validateResidentBatches(buf, options);
  for (let next = batches.next(); ; next = batches.next()) {
    if (next.done !== true) {
      for (const r of next.value) rows.push(r);
      continue;
    }
    return resultOf(next.value, rows);
  }
}

/**
 * validateResidentFile for a server: the same result, but the event loop gets a turn after each
 * 2 MB slice, so other requests are answered while a large file is checked (about 25 s at 2 M rows).
 */
export async function validateResidentFileYielding(buf: Buffer, options: ValidateOptions = {}): Promise<ValidationResult> {
  const rows: ResidentRow[] = [];
  const batches = validateResidentBatches(buf, options);
  for (let next = batches.next(); ; next = batches.next()) {
    if (next.done === true) return resultOf(next.value, rows);
    for (const r of next.value) rows.push(r);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function resultOf(summary: ValidationSummary, rows: ResidentRow[]): ValidationResult {
  return summary.ok ? { ok: true, encoding: summary.encoding, rows, unknownColumns: summary.unknownColumns } : summary;
}

export type PersonStatus = 'resident' | 'moved_out' | 'dead';

export interface KnownPerson {
  readonly status: PersonStatus;
}

function statusAfter(kind: ResidentEventKind | null): PersonStatus {
  if (kind === 'death') return 'dead';
  if (kind === 'move_out' || kind === 'ex_officio_removal') return 'moved_out';
  return 'resident';
}

function impossible(row: ResidentRow, ja: string, en: string): ResidentFileError {
  return { row: row.row, line: row.line, column: '異動事由', value: row.event === null ? '' : eventLabel(row.event.kind), code: 'impossible_event', reason: { ja, en } };
}

/** Why `kind` cannot happen to a person in `status` (null: it can). `status` null = unknown person. */
function deltaRule(kind: ResidentEventKind, status: PersonStatus | null): Message | null {
  const label = eventLabel(kind);
  if (status === 'dead') return { ja: `死亡した人に${label}は記録できません`, en: `${label} for a person recorded as dead` };
  const arrives = kind === 'birth' || kind === 'move_in' || kind === 'ex_officio_entry';
  if (status === null) {
    return arrives ? null : { ja: `未登録の宛名番号に${label}は記録できません`, en: `${label} for an unknown 宛名番号` };
  }
  if (status === 'resident') {
    return arrives ? { ja: `既に住民である人に${label}は記録できません`, en: `${label} for a person who is already resident` } : null;
  }
  // moved_out: only coming back is possible.
  if (kind === 'move_in' || kind === 'ex_officio_entry') return null;
  if (kind === 'birth') return { ja: '既に登録のある宛名番号に出生は記録できません', en: '出生 for a 宛名番号 that already exists' };
  return { ja: `転出済みの人に${label}は記録できません`, en: `${label} for a person who has moved out` };
}

/** In a full file a row restates the person's current state; only impossible transitions fail. */
function fullRule(kind: ResidentEventKind | null, status: PersonStatus | null): Message | null {
  if (status === null) return null;
  const next = statusAfter(kind);
  if (status === 'dead') {
    return next === 'dead' ? null : { ja: '死亡した人が全件ファイルで生存として記載されています', en: 'a person recorded as dead appears alive in the full file' };
  }
  if (status === 'moved_out' && next === 'resident' && kind !== 'move_in' && kind !== 'ex_officio_entry') {
    return { ja: '転出済みの人が転入なしで住民として記載されています', en: 'a moved-out person appears as resident without 転入' };
  }
  if (status === 'moved_out' && next === 'dead') {
    return { ja: '転出済みの人に死亡は記録できません', en: '死亡 for a person who has moved out' };
  }
  return null;
}

/**
 * Checks events against what the database already knows, in file order: an event earlier in the
 * file changes the state seen by later rows (a 転入 makes the person known). Delta files must be
 * possible transitions (no 死亡/転出/転居/氏名変更 of an unknown person, no 出生/転入 of a resident,
 * nothing after death). Full files restate the current state, so only impossible changes fail (a
 * dead person shown alive, a moved-out person back without 転入). Dead and moved-out persons are
 * never dropped by a feed (RET-04): this check only refuses events.
 */
export function checkEventsAgainstState(
  rows: readonly ResidentRow[],
  knownPersons: ReadonlyMap<string, KnownPerson>,
  mode: ImportMode,
): ResidentFileError[] {
  const changed = new Map<string, PersonStatus>();
  const errors: ResidentFileError[] = [];
  for (const row of rows) {
    const status = changed.get(row.addressNumber) ?? knownPersons.get(row.addressNumber)?.status ?? null;
    const kind = row.event?.kind ?? null;
    const problem = mode === 'delta' ? (kind === null ? null : deltaRule(kind, status)) : fullRule(kind, status);
    if (problem !== null) {
      errors.push(impossible(row, problem.ja, problem.en));
      continue;
    }
    if (kind !== null || status === null) changed.set(row.addressNumber, statusAfter(kind));
  }
  return errors;
}

/** The layout's column order, for writers and documentation. */
export const LAYOUT_HEADER = RESIDENT_COLUMNS.join(',');
