// The resident-register import layout (住民記録連携 CSV): column names, code tables and the parser
// of each cell. The layout is a contract with the register vendor, documented in
// docs/resident-import.md — change both together. Pure: no I/O, no clock.
// control: DATA-01 (defined format only), DATA-02 (value checks), DATA-06 (check digit), AC-04
import { parseJapaneseDate } from '../../domain/jp-date-parse.ts';
import { parseMyNumber, type MyNumber } from '../../security/my-number.ts';

export const RESIDENT_COLUMNS = [
  '宛名番号', '個人番号', '氏名', '氏名カナ', '性別', '生年月日', '郵便番号', '住所',
  '世帯番号', '続柄', '異動事由', '異動日', '住民区分', '通称', 'ローマ字氏名', '国籍',
] as const;
export type ResidentColumn = (typeof RESIDENT_COLUMNS)[number];

export type ImportMode = 'full' | 'delta';

/** Headers a file must have. A delta file is a list of events, so it also needs 異動事由/異動日. */
export function requiredColumns(mode: ImportMode): readonly ResidentColumn[] {
  const always: ResidentColumn[] = ['宛名番号', '氏名', '氏名カナ', '性別', '生年月日', '郵便番号', '住所', '住民区分'];
  return mode === 'delta' ? [...always, '異動事由', '異動日'] : always;
}

export function isResidentColumn(name: string): name is ResidentColumn {
  return (RESIDENT_COLUMNS as readonly string[]).includes(name);
}

export type Sex = 'M' | 'F';
export type ResidentType = 'japanese' | 'foreign';
export type ResidentEventKind =
  | 'birth' | 'move_in' | 'move_out' | 'death' | 'relocation' | 'name_change' | 'ex_officio_entry' | 'ex_officio_removal';

/** 異動事由: the label and the two-digit code both identify an event (documented table). */
export const RESIDENT_EVENTS: ReadonlyArray<{ readonly code: string; readonly label: string; readonly kind: ResidentEventKind }> = [
  { code: '01', label: '出生', kind: 'birth' },
  { code: '02', label: '転入', kind: 'move_in' },
  { code: '03', label: '転出', kind: 'move_out' },
  { code: '04', label: '死亡', kind: 'death' },
  { code: '05', label: '転居', kind: 'relocation' },
  { code: '06', label: '氏名変更', kind: 'name_change' },
  { code: '07', label: '職権記載', kind: 'ex_officio_entry' },
  { code: '08', label: '職権消除', kind: 'ex_officio_removal' },
];

export function eventLabel(kind: ResidentEventKind): string {
  return RESIDENT_EVENTS.find((e) => e.kind === kind)?.label ?? kind;
}

export interface ResidentEvent {
  readonly kind: ResidentEventKind;
  /** YYYY-MM-DD */
  readonly date: string;
}

/** One validated, normalised data row. Names and addresses keep their exact characters. */
export interface ResidentRow {
  /** 1-based data row (the header is not counted). */
  readonly row: number;
  /** Physical line in the file where the record starts (1-based; the header is line 1). */
  readonly line: number;
  readonly addressNumber: string;
  /** Plaintext: encrypt before storing, never log (CRY-01, AC-04). */
  readonly myNumber: MyNumber | null;
  readonly name: string;
  /** Full-width katakana; half-width kana in the file are converted (the only change made). */
  readonly nameKana: string;
  readonly sex: Sex;
  readonly birthDate: string;
  /** NNN-NNNN */
  readonly postcode: string | null;
  readonly address: string;
  readonly householdNumber: string | null;
  readonly relationship: string | null;
  readonly event: ResidentEvent | null;
  readonly residentType: ResidentType;
  readonly alias: string | null;
  readonly romajiName: string | null;
  readonly nationality: string | null;
}

export interface Message {
  readonly ja: string;
  readonly en: string;
}

export type CellResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: Message };

function ok<T>(value: T): CellResult<T> {
  return { ok: true, value };
}
function bad<T>(ja: string, en: string): CellResult<T> {
  return { ok: false, reason: { ja, en } };
}

const MAX_TEXT = 100;

/** Full-width digits and letters to ASCII, for codes and numbers only (never for names). */
function asciiForm(s: string): string {
  // NFKC leaves ASCII as it is: most cells are ASCII digits and skip the ICU call.
  return (ASCII_ONLY.test(s) ? s : s.normalize('NFKC')).trim();
}
const ASCII_ONLY = /^[ -~]*$/u; // printable ASCII; anything else (tabs included) takes the NFKC path

export function parseAddressNumber(raw: string): CellResult<string> {
  const s = asciiForm(raw);
  if (s === '') return bad('宛名番号は必須です', '宛名番号 (addressee number) is required');
  if (!/^[0-9]{1,15}$/u.test(s)) return bad('宛名番号は1〜15桁の数字です', '宛名番号 must be 1–15 digits');
  return ok(s);
}

export function parseHouseholdNumber(raw: string): CellResult<string | null> {
  const s = asciiForm(raw);
  if (s === '') return ok(null);
  if (!/^[0-9]{1,15}$/u.test(s)) return bad('世帯番号は1〜15桁の数字です', '世帯番号 (household number) must be 1–15 digits');
  return ok(s);
}

/** Empty is allowed (no number held). The failure message never contains the input (AC-04). */
export function parseMyNumberCell(raw: string): CellResult<MyNumber | null> {
  if (raw.trim() === '') return ok(null);
  const r = parseMyNumber(raw);
  return r.ok ? ok(r.value) : { ok: false, reason: r.message };
}

// Control characters, the decoder's replacement character, private-use code points (外字 that only
// the sending system can render) and lone surrogates have no place in a name or address.
const FORBIDDEN_IN_TEXT = /[\p{Cc}\uFFFD\p{Co}\p{Cs}]/u;

/** Exact text: checked, never changed (no trimming of inner or outer spaces). */
function parseExactText(raw: string, label: string, required: boolean, max = MAX_TEXT): CellResult<string | null> {
  if (raw.trim() === '') return required ? bad(`${label}は必須です`, `${label} is required`) : ok(null);
  const forbidden = FORBIDDEN_IN_TEXT.exec(raw);
  if (forbidden !== null) {
    const cp = (forbidden[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    return /\p{Co}/u.test(forbidden[0])
      ? bad(`${label}に外字（私用領域 U+${cp}）が含まれています。標準の文字に置き換えてください`,
        `${label} contains a private-use character (外字, U+${cp}); replace it with a standard character`)
      : bad(`${label}に使用できない文字（U+${cp}）が含まれています`, `${label} contains a forbidden character (U+${cp})`);
  }
  // Code points never outnumber UTF-16 units: only a long string needs counting.
  if (raw.length > max && [...raw].length > max) return bad(`${label}は${max}文字以内です`, `${label} must be at most ${max} characters`);
  return ok(raw);
}

// A '?' in a Japanese name is what a lossy conversion leaves behind (𠮷 written as Shift_JIS).
const LOST_CHARACTER = /[?？]/u;

function parseNameText(raw: string, label: string, required: boolean): CellResult<string | null> {
  const r = parseExactText(raw, label, required);
  if (r.ok && r.value !== null && LOST_CHARACTER.test(r.value)) {
    return bad(
      `${label}に「?」があります。文字コード変換で失われた文字（例: CP932 にない𠮷）の可能性があります。UTF-8 で送ってください`,
      `${label} contains '?', a character probably lost in conversion (e.g. 𠮷 is not in CP932); send the file as UTF-8`,
    );
  }
  return r;
}

function requiredText(r: CellResult<string | null>, label: string): CellResult<string> {
  if (!r.ok) return r;
  return r.value === null ? bad(`${label}は必須です`, `${label} is required`) : ok(r.value);
}

export function parseName(raw: string): CellResult<string> {
  return requiredText(parseNameText(raw, '氏名', true), '氏名');
}

export function parseAddress(raw: string): CellResult<string> {
  return requiredText(parseExactText(raw, '住所', true, 200), '住所');
}

export function parseAlias(raw: string): CellResult<string | null> {
  return parseNameText(raw, '通称', false);
}

export function parseRelationship(raw: string): CellResult<string | null> {
  return parseExactText(raw, '続柄', false, 20);
}

export function parseNationality(raw: string): CellResult<string | null> {
  return parseExactText(raw, '国籍', false, 40);
}

// Half-width katakana (U+FF61–FF9F), with the full-width kana before it so that a detached ﾞ/ﾟ
// composes with it (カﾞ → ガ). NFKC is applied to these runs only: the rest stays as sent.
const HALF_WIDTH_KANA_RUN = /[\u30A1-\u30FA]?[\uFF61-\uFF9F]+/gu;
const KATAKANA_ONLY = /^[\u30A1-\u30FA\u30FB\u30FC\u30FD\u30FE\u3000 ]+$/u;

export function halfWidthKanaToFullWidth(s: string): string {
  return s.replace(HALF_WIDTH_KANA_RUN, (run) => run.normalize('NFKC'));
}

export function parseKana(raw: string): CellResult<string> {
  if (raw.trim() === '') return bad('氏名カナは必須です', '氏名カナ (kana name) is required');
  const s = halfWidthKanaToFullWidth(raw);
  if (s.length > MAX_TEXT && [...s].length > MAX_TEXT) return bad(`氏名カナは${MAX_TEXT}文字以内です`, `氏名カナ must be at most ${MAX_TEXT} characters`);
  if (!KATAKANA_ONLY.test(s)) {
    const hint = /[\u3041-\u3096]/u.test(s) ? '（ひらがなは使えません）' : '';
    return bad(`氏名カナはカタカナで入力してください${hint}`, '氏名カナ must be katakana (full- or half-width); hiragana, kanji and letters are not allowed');
  }
  if (!/[\u30A1-\u30FA]/u.test(s)) return bad('氏名カナにカタカナがありません', '氏名カナ contains no katakana');
  return ok(s);
}

export function parseSex(raw: string): CellResult<Sex> {
  const s = asciiForm(raw);
  if (s === '1' || s === '男') return ok('M');
  if (s === '2' || s === '女') return ok('F');
  return bad('性別は 1（男）または 2（女）です', '性別 (sex) must be 1 (男, male) or 2 (女, female)');
}

export function parseDateCell(raw: string, label: string): CellResult<string> {
  const r = parseJapaneseDate(raw);
  if (r.ok) return ok(r.date);
  return r.code === 'empty' ? bad(`${label}は必須です`, `${label} is required`) : bad(`${label}: ${r.message.ja}`, `${label}: ${r.message.en}`);
}

export function parsePostcode(raw: string): CellResult<string | null> {
  const s = asciiForm(raw).replace(/^〒/u, '').replace(/[\u2010-\u2015\u2212\u30FC]/gu, '-');
  if (s === '') return ok(null);
  const m = /^([0-9]{3})-?([0-9]{4})$/u.exec(s);
  if (m === null) return bad('郵便番号は7桁の数字です（例: 123-4567）', '郵便番号 (postcode) must be 7 digits, e.g. 123-4567');
  return ok(`${m[1]}-${m[2]}`);
}

export function parseEventKind(raw: string): CellResult<ResidentEventKind | null> {
  const s = asciiForm(raw);
  if (s === '') return ok(null);
  const byCode = /^[0-9]{1,2}$/u.test(s) ? RESIDENT_EVENTS.find((e) => e.code === s.padStart(2, '0')) : undefined;
  const found = byCode ?? RESIDENT_EVENTS.find((e) => e.label === s);
  if (found !== undefined) return ok(found.kind);
  return bad(
    '異動事由が不明です（出生・転入・転出・死亡・転居・氏名変更・職権記載・職権消除 または 01〜08）',
    '異動事由 (event) is unknown: use a label (出生 …) or a code 01–08',
  );
}

export function parseResidentType(raw: string): CellResult<ResidentType> {
  const s = asciiForm(raw);
  if (s === '日本人' || s === '1') return ok('japanese');
  if (s === '外国人' || s === '2') return ok('foreign');
  return bad('住民区分は 日本人（1）または 外国人（2）です', '住民区分 (resident type) must be 日本人 (1) or 外国人 (2)');
}

export function parseRomajiName(raw: string): CellResult<string | null> {
  if (raw.trim() === '') return ok(null);
  if (raw.length > MAX_TEXT) return bad(`ローマ字氏名は${MAX_TEXT}文字以内です`, `ローマ字氏名 must be at most ${MAX_TEXT} characters`);
  if (!/^[A-Za-z][A-Za-z .,'-]*$/u.test(raw)) {
    return bad('ローマ字氏名は半角英字・空白・ハイフン・アポストロフィのみです', "ローマ字氏名 may contain only ASCII letters, spaces, '-', '.', ',' and apostrophes");
  }
  return ok(raw);
}

export type ResidentFileErrorCode =
  | DecodeErrorCode
  | 'missing_header' | 'duplicate_header' | 'empty_header' | 'no_rows'
  | 'field_count' | 'invalid_value' | 'inconsistent_row'
  | 'duplicate_address_number' | 'duplicate_my_number' | 'impossible_event';

/** Problems of the bytes and the CSV syntax, shared by every upload layout (decode.ts). */
export type DecodeErrorCode = 'file_too_large' | 'empty_file' | 'invalid_encoding' | 'malformed_csv' | 'too_many_rows';

/**
 * One line of a rejection report (DATA-01): where, what, why — never a My Number (AC-04). Generic
 * over the layout's columns and error codes, so every upload (resident register, clinic files,
 * masters) reports in the same shape; file-level errors (decode.ts) have no column.
 */
export interface FileError<Column extends string = string, Code extends string = string> {
  /** 1-based data row; null for file-level problems. */
  readonly row: number | null;
  /** Physical line in the file (1-based) where the record starts, or where the problem was found. */
  readonly line: number | null;
  readonly column: Column | null;
  /** The offending value as sent (shortened); 個人番号 is always masked. */
  readonly value: string | null;
  readonly code: Code;
  readonly reason: Message;
}

export type ResidentFileError = FileError<ResidentColumn, ResidentFileErrorCode>;

/** One-line rendering for logs and the CLI: `行 3（2行目のデータ）列 性別: … / …`. */
export function formatFileError(e: FileError): string {
  const where = [
    e.line === null ? null : `line ${e.line}`,
    e.row === null ? null : `row ${e.row}`,
    e.column === null ? null : `column ${e.column}`,
  ].filter((p) => p !== null);
  const value = e.value === null ? '' : ` [${e.value}]`;
  return `${where.length > 0 ? `${where.join(', ')}: ` : ''}${e.reason.ja} / ${e.reason.en}${value}`;
}

export const formatResidentFileError: (e: ResidentFileError) => string = formatFileError;
