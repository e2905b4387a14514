// Masters of the records module (医療機関・医師・ワクチン製品・ロット): CSV import (UTF-8 or CP932),
// all or nothing with a row/column/reason report, upsert by key, permission settings.manage; and
// the listings the entry pages use. Layouts are documented in docs/records.md.
// controls: DATA-01, DATA-02, LOG-01
import crypto from 'node:crypto';
import type { Database } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import type { Actor } from '../../security/actor.ts';
import { perform } from '../../security/guard.ts';
import type { DeclaredEncoding, FileEncoding } from '../residents/decode.ts';
import type { CellResult, FileError, Message } from '../residents/layout.ts';
import { parseDateCell } from '../residents/layout.ts';
import { scheduleEngine } from '../schedule/contract.ts';
import type { TableErrorCode, TableRow } from './csv-table.ts';
import { ErrorSink, readTable, rowError } from './csv-table.ts';

export const MASTER_KINDS = ['institutions', 'doctors', 'products', 'lots'] as const;
export type MasterKind = (typeof MASTER_KINDS)[number];

export const MASTER_LAYOUTS = {
  institutions: ['医療機関コード', '名称', '住所', '電話', '契約開始日', '契約終了日', '会場'],
  doctors: ['医療機関コード', '医師名'],
  products: ['製品名', 'ワクチン', '製品区分', 'メーカー'],
  lots: ['製品名', 'ロット番号', '有効期限'],
} as const satisfies Record<MasterKind, readonly string[]>;

export type MasterColumn = (typeof MASTER_LAYOUTS)[MasterKind][number];
export type MasterErrorCode = TableErrorCode | 'invalid_value' | 'inconsistent_row' | 'duplicate_key' | 'unknown_reference';
export type MasterFileError = FileError<MasterColumn, MasterErrorCode>;

export function isMasterKind(v: string): v is MasterKind {
  return (MASTER_KINDS as readonly string[]).includes(v);
}

export interface MasterCounts {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

export type MasterImportOutcome =
  | { status: 'applied'; kind: MasterKind; encoding: FileEncoding; unknownColumns: string[]; counts: MasterCounts }
  | { status: 'rejected'; kind: MasterKind; errors: MasterFileError[]; errorCount: number; unknownColumns: string[] };

export interface MasterImportRequest {
  kind: MasterKind;
  fileName: string;
  content: Buffer;
  encoding?: DeclaredEncoding;
}

// ---------------------------------------------------------------------------------------------
// Cells

const ok = <T>(value: T): CellResult<T> => ({ ok: true, value });
const bad = <T>(ja: string, en: string): CellResult<T> => ({ ok: false, reason: { ja, en } });
const FORBIDDEN = /[\p{Cc}\uFFFD\p{Co}\p{Cs}]/u;

/** Codes and numbers: full-width to ASCII. */
export const asciiForm = (s: string): string => s.normalize('NFKC').trim();

export function parseInstitutionCode(raw: string): CellResult<string> {
  const s = asciiForm(raw);
  if (s === '') return bad('医療機関コードは必須です', '医療機関コード is required');
  return /^[0-9]{7,10}$/u.test(s) ? ok(s) : bad('医療機関コードは7〜10桁の数字です', '医療機関コード must be 7–10 digits');
}

/** Names as written (trimmed at the ends only); required or optional. */
export function parseText(raw: string, label: string, max: number, required: boolean): CellResult<string | null> {
  const s = raw.trim();
  if (s === '') return required ? bad(`${label}は必須です`, `${label} is required`) : ok(null);
  if (FORBIDDEN.test(s)) return bad(`${label}に使用できない文字が含まれています`, `${label} contains a forbidden character`);
  if ([...s].length > max) return bad(`${label}は${max}文字以内です`, `${label} must be at most ${max} characters`);
  return ok(s);
}

export function parseLotNumber(raw: string): CellResult<string> {
  const s = asciiForm(raw);
  if (s === '') return bad('ロット番号は必須です', 'ロット番号 is required');
  return /^[A-Za-z0-9-]{1,20}$/u.test(s) ? ok(s) : bad('ロット番号は英数字とハイフン20文字以内です', 'ロット番号 must be up to 20 letters, digits or hyphens');
}

function optionalDate(raw: string, label: string): CellResult<string | null> {
  return raw.trim() === '' ? ok(null) : parseDateCell(raw, label);
}

function parseVenue(raw: string): CellResult<boolean> {
  const s = asciiForm(raw).toLowerCase();
  if (['', '0', 'いいえ', '×', 'false', 'no'].includes(s)) return ok(false);
  if (['1', 'はい', '○', '〇', 'true', 'yes'].includes(s)) return ok(true);
  return bad('会場は 1（会場）または 0／空欄 です', '会場 must be 1 (a venue) or 0 / empty');
}

function parsePhone(raw: string): CellResult<string | null> {
  const s = asciiForm(raw).replace(/[\u2010-\u2015\u2212\u30FC]/gu, '-').replace(/\s+/gu, '');
  if (s === '') return ok(null);
  return /^[0-9+()-]{6,20}$/u.test(s) ? ok(s) : bad('電話番号は数字とハイフンで入力してください', '電話 must be digits and hyphens');
}

function parseVaccine(raw: string): CellResult<string> {
  const s = asciiForm(raw).toLowerCase();
  if (s === '') return bad('ワクチンは必須です', 'ワクチン is required');
  return scheduleEngine().compiled.byId.has(s) ? ok(s) : bad(`ワクチン「${s}」は不明です（hib, pcv, mr などのワクチンID）`, `unknown vaccine id '${s}' (use the stable ids: hib, pcv, mr …)`);
}

// ---------------------------------------------------------------------------------------------
// Rows

interface InstitutionRow { code: string; name: string; address: string | null; phone: string | null; from: string | null; to: string | null; venue: boolean }
interface DoctorRow { institution: string; name: string }
interface ProductRow { name: string; vaccine: string; scheduleProduct: string | null; maker: string }
interface LotRow { product: string; lot: string; expires: string | null }

interface Parsed<T> { row: TableRow<MasterColumn>; value: T; key: string }

class RowReader {
  private before: number;
  constructor(readonly r: TableRow<MasterColumn>, private readonly sink: ErrorSink<MasterFileError>) {
    this.before = sink.count;
  }
  take<T>(column: MasterColumn, parsed: CellResult<T>): T | undefined {
    if (parsed.ok) return parsed.value;
    this.report(column, 'invalid_value', parsed.reason);
    return undefined;
  }
  report(column: MasterColumn | null, code: MasterErrorCode, reason: Message): void {
    this.sink.add(rowError(this.r, column, code, reason, column === null ? null : this.r.cell(column)));
  }
  get clean(): boolean {
    return this.sink.count === this.before;
  }
}

function parseMasterRow(kind: MasterKind, rd: RowReader): { value: InstitutionRow | DoctorRow | ProductRow | LotRow; key: string } | null {
  const c = (col: MasterColumn): string => rd.r.cell(col);
  switch (kind) {
    case 'institutions': {
      const code = rd.take('医療機関コード', parseInstitutionCode(c('医療機関コード')));
      const name = rd.take('名称', parseText(c('名称'), '名称', 200, true));
      const address = rd.take('住所', parseText(c('住所'), '住所', 200, false));
      const phone = rd.take('電話', parsePhone(c('電話')));
      const from = rd.take('契約開始日', optionalDate(c('契約開始日'), '契約開始日'));
      const to = rd.take('契約終了日', optionalDate(c('契約終了日'), '契約終了日'));
      const venue = rd.take('会場', parseVenue(c('会場')));
      if (typeof from === 'string' && typeof to === 'string' && to < from) {
        rd.report('契約終了日', 'inconsistent_row', { ja: '契約終了日が契約開始日より前です', en: '契約終了日 is before 契約開始日' });
      }
      if (!rd.clean) return null;
      return { key: code as string, value: { code: code as string, name: name as string, address: address ?? null, phone: phone ?? null, from: from ?? null, to: to ?? null, venue: venue as boolean } };
    }
    case 'doctors': {
      const institution = rd.take('医療機関コード', parseInstitutionCode(c('医療機関コード')));
      const name = rd.take('医師名', parseText(c('医師名'), '医師名', 100, true));
      if (!rd.clean) return null;
      return { key: `${institution}\u0000${name}`, value: { institution: institution as string, name: name as string } };
    }
    case 'products': {
      const name = rd.take('製品名', parseText(c('製品名'), '製品名', 200, true));
      const vaccine = rd.take('ワクチン', parseVaccine(c('ワクチン')));
      const sp = asciiForm(c('製品区分')).toLowerCase();
      let scheduleProduct: string | null = null;
      if (sp !== '' && vaccine !== undefined) {
        if (scheduleEngine().compiled.byId.get(vaccine)?.productLive.has(sp)) scheduleProduct = sp;
        else rd.report('製品区分', 'invalid_value', { ja: `製品区分「${sp}」は ${vaccine} の製品IDではありません`, en: `'${sp}' is not a product id of ${vaccine} in the rule pack` });
      }
      const maker = rd.take('メーカー', parseText(c('メーカー'), 'メーカー', 100, false));
      if (!rd.clean) return null;
      return { key: name as string, value: { name: name as string, vaccine: vaccine as string, scheduleProduct, maker: maker ?? '' } };
    }
    case 'lots': {
      const product = rd.take('製品名', parseText(c('製品名'), '製品名', 200, true));
      const lot = rd.take('ロット番号', parseLotNumber(c('ロット番号')));
      const expires = rd.take('有効期限', optionalDate(c('有効期限'), '有効期限'));
      if (!rd.clean) return null;
      return { key: `${product}\u0000${lot}`, value: { product: product as string, lot: lot as string, expires: expires ?? null } };
    }
  }
}

class MasterRejected extends Error {
  constructor(readonly errors: MasterFileError[], readonly errorCount: number) {
    super(`${errorCount} master row(s) rejected`);
  }
}

const KEY_COLUMN: Record<MasterKind, MasterColumn> = { institutions: '医療機関コード', doctors: '医師名', products: '製品名', lots: 'ロット番号' };

/** Imports one master file: every row valid and every reference known, or nothing changes. */
export async function importMasters(db: Database, actor: Actor, req: MasterImportRequest): Promise<MasterImportOutcome> {
  const { kind } = req;
  const layout = MASTER_LAYOUTS[kind] as readonly MasterColumn[];
  const table = readTable<MasterColumn>(req.content, { columns: layout, required: layout }, { encoding: req.encoding ?? 'auto' });
  if (!table.ok) return { status: 'rejected', kind, errors: table.errors, errorCount: table.errorCount, unknownColumns: table.unknownColumns };
  const sink = new ErrorSink<MasterFileError>();
  const parsed: Parsed<unknown>[] = [];
  const firstRow = new Map<string, number>();
  for (const r of table.rows) {
    const rd = new RowReader(r, sink);
    const p = parseMasterRow(kind, rd);
    if (!p) continue;
    const first = firstRow.get(p.key);
    if (first !== undefined) {
      rd.report(KEY_COLUMN[kind], 'duplicate_key', { ja: `${first}行目のデータと同じキーです`, en: `same key as data row ${first}` });
      continue;
    }
    firstRow.set(p.key, r.row);
    parsed.push({ row: r, ...p });
  }
  if (sink.count > 0) return { status: 'rejected', kind, errors: sink.errors, errorCount: sink.count, unknownColumns: table.unknownColumns };
  const sha256 = crypto.createHash('sha256').update(req.content).digest('hex');
  try {
    return await perform(db, actor, { permission: 'settings.manage', action: 'records.masters_import', detail: { kind, file: req.fileName.slice(0, 200), sha256, rows: parsed.length } }, async ({ tx, note }) => {
      await checkReferences(tx, kind, parsed, sink);
      if (sink.count > 0) throw new MasterRejected(sink.errors, sink.count);
      const counts = await upsert(tx, kind, parsed.map((p) => p.value));
      note({ ...counts });
      return { status: 'applied', kind, encoding: table.encoding, unknownColumns: table.unknownColumns, counts } as const;
    });
  } catch (err) {
    if (err instanceof MasterRejected) return { status: 'rejected', kind, errors: err.errors, errorCount: err.errorCount, unknownColumns: table.unknownColumns };
    throw err;
  }
}

async function checkReferences(tx: ScopedTx, kind: MasterKind, rows: Parsed<unknown>[], sink: ErrorSink<MasterFileError>): Promise<void> {
  if (kind === 'doctors') {
    const codes = [...new Set(rows.map((p) => (p.value as DoctorRow).institution))];
    const known = new Set((await tx.query<{ code: string }>('SELECT code FROM medical_institutions WHERE code = ANY($1::text[])', [codes])).map((r) => r.code));
    for (const p of rows) {
      if (!known.has((p.value as DoctorRow).institution)) {
        sink.add(rowError(p.row, '医療機関コード', 'unknown_reference', { ja: '医療機関コードが医療機関マスタにありません', en: 'the 医療機関コード is not in the institution master' }, p.row.cell('医療機関コード')));
      }
    }
  } else if (kind === 'lots') {
    const names = [...new Set(rows.map((p) => (p.value as LotRow).product))];
    const known = new Set((await tx.query<{ name: string }>('SELECT name FROM vaccine_products WHERE name = ANY($1::text[])', [names])).map((r) => r.name));
    for (const p of rows) {
      if (!known.has((p.value as LotRow).product)) {
        sink.add(rowError(p.row, '製品名', 'unknown_reference', { ja: '製品名がワクチン製品マスタにありません', en: 'the product is not in the product master' }, p.row.cell('製品名')));
      }
    }
  } else if (kind === 'products') {
    // The vaccines reference table is the foreign key; the rule pack was checked per row.
    const known = new Set((await tx.query<{ id: string }>('SELECT id FROM vaccines')).map((r) => r.id));
    for (const p of rows) {
      if (!known.has((p.value as ProductRow).vaccine)) {
        sink.add(rowError(p.row, 'ワクチン', 'unknown_reference', { ja: 'ワクチンIDが登録されていません', en: 'the vaccine id is not registered' }, p.row.cell('ワクチン')));
      }
    }
  }
}

async function countUpserts(tx: ScopedTx, sql: string, params: unknown[], rows: number): Promise<MasterCounts> {
  const r = await tx.query<{ inserted: boolean }>(sql, params);
  const inserted = r.filter((x) => x.inserted).length;
  return { rows, inserted, updated: r.length - inserted, unchanged: rows - r.length };
}

async function upsert(tx: ScopedTx, kind: MasterKind, values: unknown[]): Promise<MasterCounts> {
  const col = <T, R>(f: (v: T) => R): R[] => (values as T[]).map(f);
  switch (kind) {
    case 'institutions':
      return countUpserts(tx,
        `INSERT INTO medical_institutions (municipality_code, code, name, address, phone, contract_from, contract_to, is_venue)
         SELECT app_tenant(), * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::date[], $7::boolean[])
         ON CONFLICT (municipality_code, code) DO UPDATE SET name = excluded.name, address = excluded.address, phone = excluded.phone,
           contract_from = excluded.contract_from, contract_to = excluded.contract_to, is_venue = excluded.is_venue
         WHERE (medical_institutions.name, medical_institutions.address, medical_institutions.phone, medical_institutions.contract_from,
                medical_institutions.contract_to, medical_institutions.is_venue)
               IS DISTINCT FROM (excluded.name, excluded.address, excluded.phone, excluded.contract_from, excluded.contract_to, excluded.is_venue)
         RETURNING (xmax = 0) AS inserted`,
        [col((v: InstitutionRow) => v.code), col((v: InstitutionRow) => v.name), col((v: InstitutionRow) => v.address), col((v: InstitutionRow) => v.phone),
          col((v: InstitutionRow) => v.from), col((v: InstitutionRow) => v.to), col((v: InstitutionRow) => v.venue)],
        values.length);
    case 'doctors':
      return countUpserts(tx,
        `INSERT INTO doctors (municipality_code, institution_code, name)
         SELECT app_tenant(), * FROM unnest($1::text[], $2::text[])
         ON CONFLICT DO NOTHING RETURNING true AS inserted`,
        [col((v: DoctorRow) => v.institution), col((v: DoctorRow) => v.name)], values.length);
    case 'products':
      return countUpserts(tx,
        `INSERT INTO vaccine_products (municipality_code, name, vaccine_id, schedule_product, maker)
         SELECT app_tenant(), * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         ON CONFLICT (municipality_code, name) DO UPDATE SET vaccine_id = excluded.vaccine_id, schedule_product = excluded.schedule_product, maker = excluded.maker
         WHERE (vaccine_products.vaccine_id, vaccine_products.schedule_product, vaccine_products.maker)
               IS DISTINCT FROM (excluded.vaccine_id, excluded.schedule_product, excluded.maker)
         RETURNING (xmax = 0) AS inserted`,
        [col((v: ProductRow) => v.name), col((v: ProductRow) => v.vaccine), col((v: ProductRow) => v.scheduleProduct), col((v: ProductRow) => v.maker)],
        values.length);
    case 'lots':
      return countUpserts(tx,
        `INSERT INTO vaccine_lots (municipality_code, product_name, lot_number, expires_on)
         SELECT app_tenant(), * FROM unnest($1::text[], $2::text[], $3::date[])
         ON CONFLICT (municipality_code, product_name, lot_number) DO UPDATE SET expires_on = excluded.expires_on
         WHERE vaccine_lots.expires_on IS DISTINCT FROM excluded.expires_on
         RETURNING (xmax = 0) AS inserted`,
        [col((v: LotRow) => v.product), col((v: LotRow) => v.lot), col((v: LotRow) => v.expires)], values.length);
  }
}

// ---------------------------------------------------------------------------------------------
// Listings (entry pages, pick lists)

export interface InstitutionView { code: string; name: string; address: string | null; phone: string | null; contract_from: string | null; contract_to: string | null; is_venue: boolean }
export interface DoctorView { institution_code: string; name: string }
export interface ProductView { name: string; vaccine_id: string; schedule_product: string | null; maker: string }
export interface LotView { product_name: string; lot_number: string; expires_on: string | null }

export interface MasterListing {
  institutions: InstitutionView[];
  doctors: DoctorView[];
  products: ProductView[];
  lots: LotView[];
}

const LIST_SQL: Record<MasterKind, string> = {
  institutions: 'SELECT code, name, address, phone, contract_from, contract_to, is_venue FROM medical_institutions ORDER BY code',
  doctors: 'SELECT institution_code, name FROM doctors ORDER BY institution_code, name',
  products: 'SELECT name, vaccine_id, schedule_product, maker FROM vaccine_products ORDER BY vaccine_id, name',
  lots: 'SELECT product_name, lot_number, expires_on FROM vaccine_lots ORDER BY product_name, expires_on DESC NULLS LAST, lot_number',
};

/** Every master of the tenant (small tables), for the entry and settings pages. */
export async function listMasters(db: Database, actor: Actor, kinds: readonly MasterKind[] = MASTER_KINDS): Promise<MasterListing> {
  return perform(db, actor, { permission: 'dose.read', action: 'records.masters_list', detail: { kinds: [...kinds] } }, async ({ tx }) => {
    const out: MasterListing = { institutions: [], doctors: [], products: [], lots: [] };
    for (const k of kinds) (out as unknown as Record<MasterKind, unknown[]>)[k] = await tx.query(LIST_SQL[k]);
    return out;
  });
}

/** Lots of a product usable on a date (not expired), newest expiry first: the entry page's pick list. */
export async function lotsFor(db: Database, actor: Actor, productName: string, onDate: string): Promise<LotView[]> {
  return perform(db, actor, { permission: 'dose.read', action: 'records.masters_list', detail: { kinds: ['lots'] } }, ({ tx }) =>
    tx.query<LotView>(
      `SELECT product_name, lot_number, expires_on FROM vaccine_lots WHERE product_name = $1 AND (expires_on IS NULL OR expires_on >= $2::date)
        ORDER BY expires_on DESC NULLS LAST, lot_number`,
      [productName, onDate],
    ),
  );
}
