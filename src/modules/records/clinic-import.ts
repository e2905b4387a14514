// Clinic submission files (医療機関からの接種記録ファイル): every row validated — person by 接種券番号
// or 宛名番号 with 氏名 + 生年月日 agreeing with the ledger, masters, dose range, duplicates — then
// the whole file is recorded in ONE transaction or not at all. Set-based: bulk look-ups and one
// insertDoses for the batch; the file hash makes a re-import harmless. Doses the schedule engine
// does not count as routine are recorded with their problems (a clinic's record is a fact) and
// flagged for review. Records enter provisional (DATA-03) and a different user confirms the file
// as a batch (confirmSubmission), unless the tenant set records.clinicFileEntry = 'confirmed'.
// Layout and rules: docs/records.md. controls: DATA-01, DATA-02, DATA-03, LOG-01, TEN-01
import crypto from 'node:crypto';
import type { Database } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import { nameKey } from '../../domain/jp-name-normalize.ts';
import type { DoseRecord, ValidatedDose } from '../../domain/schedule/index.ts';
import { ScheduleInputError } from '../../domain/schedule/index.ts';
import type { Actor } from '../../security/actor.ts';
import { perform } from '../../security/guard.ts';
import type { DeclaredEncoding, FileEncoding } from '../residents/decode.ts';
import type { CellResult, FileError, Message } from '../residents/layout.ts';
import { parseAddressNumber, parseDateCell, parseName } from '../residents/layout.ts';
import { InputError, NotFoundError } from '../residents/persons.ts';
import { scheduleEngine } from '../schedule/contract.ts';
import type { TableErrorCode, TableRow } from './csv-table.ts';
import { ErrorSink, readTable, rowError } from './csv-table.ts';
import type { NewDose } from './dose-store.ts';
import { confirmedHistories, insertDoses } from './dose-store.ts';
import type { MasterField } from './master-check.ts';
import { checkMasterRefs, loadMasterRefs } from './master-check.ts';
import { asciiForm, parseInstitutionCode, parseLotNumber, parseText } from './masters.ts';

/** The contract with the clinics: every header present, order free; other headers are reported and ignored. */
export const CLINIC_COLUMNS = [
  '接種券番号', '宛名番号', '氏名', '生年月日', '接種日', 'ワクチン', '製品', 'ロット番号', '接種回数', '医療機関コード', '医師名', '備考',
] as const;
export type ClinicColumn = (typeof CLINIC_COLUMNS)[number];
export const CLINIC_HEADER = CLINIC_COLUMNS.join(',');

export type ClinicErrorCode =
  | TableErrorCode | 'invalid_value' | 'inconsistent_row' | 'unknown_person' | 'person_mismatch' | 'ticket_mismatch'
  | 'unknown_master' | 'duplicate_in_file' | 'duplicate_record';
export type ClinicFileError = FileError<ClinicColumn, ClinicErrorCode>;

/** One validated row of a clinic file. */
export interface ClinicRow {
  row: number;
  line: number;
  ticketNumber: string | null;
  addressNumber: string | null;
  name: string;
  birth: string;
  date: string;
  vaccine: string;
  product: string | null;
  lot: string | null;
  dose: number;
  institutionCode: string;
  doctor: string | null;
  remarks: string | null;
}

export type ParseResult =
  | { ok: true; encoding: FileEncoding; rows: ClinicRow[]; unknownColumns: string[] }
  | { ok: false; encoding: FileEncoding | null; errors: ClinicFileError[]; errorCount: number; unknownColumns: string[] };

const ok = <T>(value: T): CellResult<T> => ({ ok: true, value });
const bad = <T>(ja: string, en: string): CellResult<T> => ({ ok: false, reason: { ja, en } });

function parseTicket(raw: string): CellResult<string | null> {
  const s = asciiForm(raw);
  if (s === '') return ok(null);
  return /^[0-9]{10}$/u.test(s) ? ok(s) : bad('接種券番号は10桁の数字です', '接種券番号 must be 10 digits');
}

function parseVaccineId(raw: string): CellResult<string> {
  const s = asciiForm(raw).toLowerCase();
  if (s === '') return bad('ワクチンは必須です', 'ワクチン is required');
  return scheduleEngine().compiled.byId.has(s) ? ok(s) : bad(`ワクチン「${s}」は不明です（hib, pcv, mr などのワクチンID）`, `unknown vaccine id '${s}' (use the stable ids: hib, pcv, mr …)`);
}

function parseDoseNumber(raw: string, vaccine: string | undefined): CellResult<number> {
  const s = asciiForm(raw);
  const m = /^第?([0-9]{1,2})(?:回目?)?$/u.exec(s);
  if (s === '' || m === null) return bad('接種回数は数字です（例: 1）', '接種回数 must be a number, e.g. 1');
  const n = Number(m[1]);
  const max = vaccine === undefined ? 99 : (scheduleEngine().compiled.byId.get(vaccine)?.maxDose ?? 99);
  return n >= 1 && n <= max ? ok(n) : bad(`接種回数は 1〜${max} です`, `接種回数 must be 1–${max} for ${vaccine ?? 'this vaccine'}`);
}

class RowReader {
  private readonly before: number;
  constructor(readonly r: TableRow<ClinicColumn>, private readonly sink: ErrorSink<ClinicFileError>) {
    this.before = sink.count;
  }
  take<T>(column: ClinicColumn, parsed: CellResult<T>): T | undefined {
    if (parsed.ok) return parsed.value;
    this.report(column, 'invalid_value', parsed.reason);
    return undefined;
  }
  report(column: ClinicColumn | null, code: ClinicErrorCode, reason: Message): void {
    this.sink.add(rowError(this.r, column, code, reason, column === null ? null : this.r.cell(column)));
  }
  get clean(): boolean {
    return this.sink.count === this.before;
  }
}

function parseRow(rd: RowReader, today: string): ClinicRow | null {
  const c = (col: ClinicColumn): string => rd.r.cell(col);
  const ticketNumber = rd.take('接種券番号', parseTicket(c('接種券番号')));
  const addressNumber = c('宛名番号').trim() === '' ? null : rd.take('宛名番号', parseAddressNumber(c('宛名番号')));
  if (ticketNumber === null && addressNumber === null) {
    rd.report('宛名番号', 'invalid_value', { ja: '接種券番号か宛名番号のどちらかが必要です', en: 'either 接種券番号 or 宛名番号 is required' });
  }
  const name = rd.take('氏名', parseName(c('氏名')));
  const birth = rd.take('生年月日', parseDateCell(c('生年月日'), '生年月日'));
  const date = rd.take('接種日', parseDateCell(c('接種日'), '接種日'));
  const vaccine = rd.take('ワクチン', parseVaccineId(c('ワクチン')));
  const product = rd.take('製品', parseText(c('製品'), '製品', 200, false));
  const lot = c('ロット番号').trim() === '' ? null : rd.take('ロット番号', parseLotNumber(c('ロット番号')));
  const dose = rd.take('接種回数', parseDoseNumber(c('接種回数'), vaccine));
  const institutionCode = rd.take('医療機関コード', parseInstitutionCode(c('医療機関コード')));
  const doctor = rd.take('医師名', parseText(c('医師名'), '医師名', 100, false));
  const remarks = rd.take('備考', parseText(c('備考'), '備考', 500, false));
  if (typeof date === 'string' && date > today) {
    rd.report('接種日', 'inconsistent_row', { ja: `接種日が未来の日付です（本日 ${today}）`, en: `接種日 is in the future (today is ${today})` });
  }
  if (typeof date === 'string' && typeof birth === 'string' && date < birth) {
    rd.report('接種日', 'inconsistent_row', { ja: '接種日が生年月日より前です', en: '接種日 is before 生年月日' });
  }
  if (!rd.clean) return null;
  return {
    row: rd.r.row, line: rd.r.line, ticketNumber: ticketNumber ?? null, addressNumber: addressNumber ?? null, name: name as string,
    birth: birth as string, date: date as string, vaccine: vaccine as string, product: product ?? null, lot: lot ?? null, dose: dose as number,
    institutionCode: institutionCode as string, doctor: doctor ?? null, remarks: remarks ?? null,
  };
}

/** Pure: decodes and checks every row of a clinic file on its own (no ledger look-ups). */
export function parseClinicFile(buf: Buffer, options: { encoding?: DeclaredEncoding; today: string; maxRows?: number; maxErrors?: number }): ParseResult {
  const table = readTable<ClinicColumn>(buf, { columns: CLINIC_COLUMNS, required: CLINIC_COLUMNS }, options);
  if (!table.ok) return table;
  const sink = new ErrorSink<ClinicFileError>(options.maxErrors ?? 1000);
  const rows: ClinicRow[] = [];
  for (const r of table.rows) {
    const parsed = parseRow(new RowReader(r, sink), options.today);
    if (parsed && sink.count === 0) rows.push(parsed);
  }
  if (sink.count > 0) return { ok: false, encoding: table.encoding, errors: sink.errors, errorCount: sink.count, unknownColumns: table.unknownColumns };
  return { ok: true, encoding: table.encoding, rows, unknownColumns: table.unknownColumns };
}

// ---------------------------------------------------------------------------------------------

export interface FlaggedDose {
  row: number;
  line: number;
  vaccine: string;
  dose: number;
  date: string;
  problems: string[];
}

export interface ClinicCounts {
  rows: number;
  inserted: number;
  routine: number;
  nonRoutine: number;
  persons: number;
}

export type ClinicImportOutcome =
  | {
      status: 'applied'; submissionId: string; encoding: FileEncoding; unknownColumns: string[]; counts: ClinicCounts;
      /** true: the records wait for a second person (confirmSubmission). */
      provisional: boolean;
      /** Non-routine doses recorded with their problems, for review (first 1000). */
      flagged: FlaggedDose[];
    }
  | { status: 'duplicate'; submissionId: string }
  | { status: 'rejected'; errors: ClinicFileError[]; errorCount: number; unknownColumns: string[] };

export interface ClinicImportRequest {
  fileName: string;
  content: Buffer;
  encoding?: DeclaredEncoding;
}

export interface ClinicDeps {
  db: Database;
  today: () => string;
}

class Rejected extends Error {
  constructor(readonly sink: ErrorSink<ClinicFileError>) {
    super(`${sink.count} row(s) rejected`);
  }
}

/** The confirmer recorded when a tenant lets clinic files in without a second check (documented). */
export const CLINIC_POLICY_CONFIRMER = 'policy:clinic-file';

/** records.clinicFileEntry in tenant_settings: 'provisional' (default) or 'confirmed'. */
export async function clinicFileEntryMode(tx: ScopedTx): Promise<'provisional' | 'confirmed'> {
  const [row] = await tx.query<{ mode: string | null }>(
    `SELECT settings->'records'->>'clinicFileEntry' AS mode FROM tenant_settings WHERE municipality_code = app_tenant_code()`,
  );
  return row?.mode === 'confirmed' ? 'confirmed' : 'provisional';
}

export async function importClinicFile(deps: ClinicDeps, actor: Actor, req: ClinicImportRequest): Promise<ClinicImportOutcome> {
  const parsed = parseClinicFile(req.content, { encoding: req.encoding ?? 'auto', today: deps.today() });
  if (!parsed.ok) return { status: 'rejected', errors: parsed.errors, errorCount: parsed.errorCount, unknownColumns: parsed.unknownColumns };
  const sha256 = crypto.createHash('sha256').update(req.content).digest('hex');
  const { rows } = parsed;
  try {
    return await perform(
      deps.db,
      actor,
      { permission: 'dose.enter', action: 'dose.clinic_import', detail: { file: req.fileName.slice(0, 200), sha256, rows: rows.length } },
      async ({ tx, note }) => {
        const [dup] = await tx.query<{ id: string }>('SELECT id FROM clinic_submissions WHERE file_sha256 = $1', [sha256]);
        if (dup) {
          note({ duplicateOf: dup.id });
          return { status: 'duplicate', submissionId: dup.id } as const;
        }
        const sink = new ErrorSink<ClinicFileError>();
        const { doses, flagged, persons } = await checkAgainstLedger(tx, rows, sink);
        if (sink.count > 0) throw new Rejected(sink);
        const mode = await clinicFileEntryMode(tx);
        const confirmer = mode === 'confirmed' ? CLINIC_POLICY_CONFIRMER : null;
        const submissionId = crypto.randomUUID();
        const nonRoutine = doses.filter((d) => !d.routine).length;
        await tx.query(
          `INSERT INTO clinic_submissions (municipality_code, id, file_name, file_sha256, rows, inserted, submitted_by, encoding, non_routine, confirmed_by, confirmed_at)
           VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9::text, CASE WHEN $9::text IS NULL THEN NULL ELSE now() END)`,
          [submissionId, req.fileName.slice(0, 200), sha256, rows.length, doses.length, actor.userId, parsed.encoding, nonRoutine, confirmer],
        );
        await insertDoses(tx, doses, 'clinic_file', actor.userId, confirmer, { submissionId });
        const counts: ClinicCounts = { rows: rows.length, inserted: doses.length, routine: doses.length - nonRoutine, nonRoutine, persons };
        note({ submissionId, ...counts, provisional: confirmer === null });
        return { status: 'applied', submissionId, encoding: parsed.encoding, unknownColumns: parsed.unknownColumns, counts, provisional: confirmer === null, flagged } as const;
      },
    );
  } catch (err) {
    if (err instanceof Rejected) return { status: 'rejected', errors: err.sink.errors, errorCount: err.sink.count, unknownColumns: parsed.unknownColumns };
    throw err;
  }
}

interface LedgerPerson {
  id: string;
  address_number: string;
  name: string;
  alias: string | null;
  birth_date: string;
  sex: 'M' | 'F';
  status: string;
  status_date: string | null;
  merged_into: string | null;
}

const MASTER_COLUMN: Record<MasterField, ClinicColumn> = { product: '製品', lot: 'ロット番号', institution: '医療機関コード' };

function report(sink: ErrorSink<ClinicFileError>, r: ClinicRow, column: ClinicColumn, code: ClinicErrorCode, ja: string, en: string, value: string | null): void {
  sink.add(rowError(r, column, code, { ja, en }, value));
}

/**
 * Resolves persons, checks masters and duplicates, and evaluates every dose with the schedule
 * engine against the confirmed history plus the file's earlier rows — with a fixed number of
 * queries whatever the file size.
 */
async function checkAgainstLedger(tx: ScopedTx, rows: readonly ClinicRow[], sink: ErrorSink<ClinicFileError>): Promise<{ doses: NewDose[]; flagged: FlaggedDose[]; persons: number }> {
  const ticketNumbers = [...new Set(rows.flatMap((r) => (r.ticketNumber ? [r.ticketNumber] : [])))];
  const tickets = new Map(
    (ticketNumbers.length === 0 ? [] : await tx.query<{ ticket_number: string; person_id: string; vaccine_id: string }>(
      'SELECT ticket_number, person_id, vaccine_id FROM tickets WHERE ticket_number = ANY($1::text[])',
      [ticketNumbers],
    )).map((t) => [t.ticket_number, t]),
  );
  const addressNumbers = [...new Set(rows.flatMap((r) => (r.addressNumber ? [r.addressNumber] : [])))];
  const personRows = await tx.query<LedgerPerson>(
    `SELECT id, address_number, name, alias, birth_date, sex, status, status_date, merged_into FROM persons
      WHERE address_number = ANY($1::text[]) OR id = ANY($2::uuid[])`,
    [addressNumbers, [...new Set([...tickets.values()].map((t) => t.person_id))]],
  );
  const byId = new Map(personRows.map((p) => [p.id, p]));
  // A person has many rows in a file: normalise the ledger's name and alias once per person.
  const nameKeys = new Map<string, string[]>();
  const ledgerNameKeys = (p: LedgerPerson): string[] => {
    let keys = nameKeys.get(p.id);
    if (!keys) nameKeys.set(p.id, (keys = p.alias === null ? [nameKey(p.name)] : [nameKey(p.name), nameKey(p.alias)]));
    return keys;
  };
  const byAddress = new Map(personRows.map((p) => [p.address_number, p]));
  const refs = await loadMasterRefs(tx, {
    products: rows.flatMap((r) => (r.product ? [r.product] : [])),
    institutions: rows.map((r) => r.institutionCode),
  });

  // 1. Person and masters, row by row in memory.
  const resolved: Array<{ r: ClinicRow; person: LedgerPerson; dose: NewDose }> = [];
  for (const r of rows) {
    const before = sink.count;
    let person: LedgerPerson | undefined;
    if (r.ticketNumber) {
      const t = tickets.get(r.ticketNumber);
      if (!t) report(sink, r, '接種券番号', 'unknown_person', 'この接種券番号は発行されていません', 'no ticket with this number was issued', r.ticketNumber);
      else {
        if (t.vaccine_id !== r.vaccine) report(sink, r, '接種券番号', 'ticket_mismatch', `接種券は ${t.vaccine_id} 用です`, `the ticket is for ${t.vaccine_id}, not ${r.vaccine}`, r.ticketNumber);
        person = byId.get(t.person_id);
      }
    }
    if (r.addressNumber) {
      const p = byAddress.get(r.addressNumber);
      if (!p) report(sink, r, '宛名番号', 'unknown_person', '宛名番号が台帳にありません', 'no person with this 宛名番号', r.addressNumber);
      else if (person && person.id !== p.id) report(sink, r, '宛名番号', 'person_mismatch', '接種券番号と宛名番号が別の人を指しています', '接種券番号 and 宛名番号 identify different persons', r.addressNumber);
      else person = p;
    }
    if (person && sink.count === before) {
      if (person.merged_into) {
        report(sink, r, '宛名番号', 'person_mismatch', 'この人は別の記録に統合されています。統合先の宛名番号で送ってください', 'this person was merged into another record; use the surviving 宛名番号', person.address_number);
      }
      const key = nameKey(r.name);
      if (!ledgerNameKeys(person).includes(key)) {
        report(sink, r, '氏名', 'person_mismatch', '氏名が台帳と一致しません', 'the name does not match the ledger', r.name);
      }
      if (r.birth !== person.birth_date) report(sink, r, '生年月日', 'person_mismatch', '生年月日が台帳と一致しません', 'the birth date does not match the ledger', r.birth);
      if (person.status === 'dead' && person.status_date && r.date > person.status_date) {
        report(sink, r, '接種日', 'inconsistent_row', '接種日が死亡日より後です', '接種日 is after the recorded date of death', r.date);
      }
    }
    const m = checkMasterRefs(refs, { vaccine: r.vaccine, date: r.date, product: r.product, lot: r.lot, institutionCode: r.institutionCode });
    if (!m.ok) {
      const column = MASTER_COLUMN[m.field];
      const [ja, en] = splitMessage(m.message);
      report(sink, r, column, 'unknown_master', ja, en, column === '製品' ? r.product : column === 'ロット番号' ? r.lot : r.institutionCode);
    }
    if (sink.count !== before || !person || !m.ok) continue;
    resolved.push({
      r, person,
      dose: {
        personId: person.id, vaccine: r.vaccine, dose: r.dose, date: r.date, productName: m.productName, scheduleProduct: m.scheduleProduct,
        lotNumber: m.lotNumber, institutionCode: m.institutionCode, doctorName: r.doctor, place: null, ticketNumber: r.ticketNumber,
        specialCircumstances: null, remarks: r.remarks, routine: false, problems: [],
      },
    });
  }

  // 2. Duplicates: within the file and against the ledger (current or pending versions).
  const personIds = [...new Set(resolved.map((x) => x.person.id))];
  const existing = new Set(
    (personIds.length === 0 ? [] : await tx.query<{ k: string }>(
      `SELECT d.person_id || '|' || v.vaccine_id || '|' || v.dose_number || '|' || v.administered_on AS k
         FROM doses d JOIN dose_versions v ON v.municipality_code = d.municipality_code AND v.dose_id = d.id
                                         AND v.version IN (d.current_version, d.pending_version)
        WHERE d.person_id = ANY($1::uuid[]) AND NOT d.deleted`,
      [personIds],
    )).map((e) => e.k),
  );
  const inFile = new Map<string, number>();
  const unique: typeof resolved = [];
  for (const x of resolved) {
    const k = `${x.person.id}|${x.r.vaccine}|${x.r.dose}|${x.r.date}`;
    const first = inFile.get(k);
    if (first !== undefined) {
      report(sink, x.r, '接種日', 'duplicate_in_file', `${first}行目のデータと同じ接種です（ワクチン・回数・接種日）`, `the same dose (vaccine, number, date) as data row ${first}`, x.r.date);
      continue;
    }
    inFile.set(k, x.r.row);
    if (existing.has(k)) {
      report(sink, x.r, '接種日', 'duplicate_record', '同じ接種（ワクチン・回数・接種日）が既に登録されています', 'this dose is already recorded', x.r.date);
      continue;
    }
    unique.push(x);
  }
  if (sink.count > 0) return { doses: [], flagged: [], persons: personIds.length };

  // 3. The engine's verdict per person: confirmed history plus this file's rows, in date order.
  const histories = await confirmedHistories(tx, personIds);
  const byPerson = new Map<string, typeof resolved>();
  for (const x of unique) {
    let list = byPerson.get(x.person.id);
    if (!list) byPerson.set(x.person.id, (list = []));
    list.push(x);
  }
  const engine = scheduleEngine();
  const flagged: FlaggedDose[] = [];
  for (const [id, list] of byPerson) {
    list.sort((a, b) => (a.r.date < b.r.date ? -1 : a.r.date > b.r.date ? 1 : a.r.row - b.r.row));
    const history = histories.get(id) ?? [];
    const person = { birth: (list[0] as (typeof list)[number]).person.birth_date, sex: (list[0] as (typeof list)[number]).person.sex };
    const candidates: DoseRecord[] = list.map((x) => ({ vaccine: x.dose.vaccine, dose: x.dose.dose, date: x.dose.date, product: x.dose.scheduleProduct }));
    let verdicts: ValidatedDose[];
    try {
      verdicts = engine.validate(person, [...history, ...candidates]).slice(history.length);
    } catch (err) {
      if (!(err instanceof ScheduleInputError)) throw err;
      // Find the row the engine cannot read (e.g. a product id of another vaccine).
      for (const x of list) {
        try {
          engine.validate(person, [...history, { vaccine: x.dose.vaccine, dose: x.dose.dose, date: x.dose.date, product: x.dose.scheduleProduct }]);
        } catch (e) {
          if (!(e instanceof ScheduleInputError)) throw e;
          report(sink, x.r, '製品', 'invalid_value', `スケジュールで扱えない接種です: ${e.message}`, `the schedule engine cannot read this dose: ${e.message}`, x.r.product);
        }
      }
      continue;
    }
    list.forEach((x, i) => {
      const v = verdicts[i] as ValidatedDose;
      x.dose.routine = v.routine;
      x.dose.problems = v.problems;
      if (!v.routine && flagged.length < 1000) flagged.push({ row: x.r.row, line: x.r.line, vaccine: v.vaccine, dose: v.dose, date: v.date, problems: [...v.problems] });
    });
  }
  flagged.sort((a, b) => a.row - b.row);
  // File order for insertion, so the ledger reads like the file.
  const doses = unique.sort((a, b) => a.r.row - b.r.row).map((x) => x.dose);
  return { doses, flagged, persons: personIds.length };
}

/** Master messages are "日本語 (English)": split them for the report's two languages. */
function splitMessage(message: string): [string, string] {
  const m = /^(.*) \(([^()]*)\)$/u.exec(message);
  return m ? [m[1] as string, m[2] as string] : [message, message];
}

// ---------------------------------------------------------------------------------------------

/**
 * Batch ダブルチェック: a user other than the importer confirms every still-pending version of one
 * file at once. Versions confirmed one by one in the meantime are left as they are. control: DATA-03
 */
export async function confirmSubmission(db: Database, actor: Actor, submissionId: string): Promise<{ confirmed: number }> {
  if (!/^[0-9a-f-]{36}$/iu.test(submissionId)) throw new NotFoundError('no such submission (該当する提出ファイルがありません)');
  return perform(db, actor, { permission: 'dose.confirm', action: 'dose.confirm_submission', detail: { submissionId } }, async ({ tx, note }) => {
    const [sub] = await tx.query<{ submitted_by: string }>('SELECT submitted_by FROM clinic_submissions WHERE id = $1 FOR UPDATE', [submissionId]);
    if (!sub) throw new NotFoundError('no such submission (該当する提出ファイルがありません)');
    if (sub.submitted_by === actor.userId) {
      throw new InputError('取り込んだ本人は確認できません。別の職員が確認してください (the person who imported a file cannot confirm it)');
    }
    const versions = await tx.query<{ dose_id: string }>(
      `UPDATE dose_versions v SET confirmed_by = $2, confirmed_at = now()
         FROM doses d
        WHERE v.submission_id = $1 AND d.municipality_code = v.municipality_code AND d.id = v.dose_id
          AND d.pending_version = v.version AND v.entered_by <> $2
        RETURNING v.dose_id`,
      [submissionId, actor.userId],
    );
    if (versions.length > 0) {
      await tx.query(
        `UPDATE doses d SET current_version = d.pending_version, pending_version = NULL, deleted = (v.change = 'delete')
           FROM dose_versions v
          WHERE d.id = ANY($1::uuid[]) AND v.municipality_code = d.municipality_code AND v.dose_id = d.id AND v.version = d.pending_version`,
        [versions.map((v) => v.dose_id)],
      );
    }
    await tx.query('UPDATE clinic_submissions SET confirmed_by = $2, confirmed_at = now() WHERE id = $1 AND confirmed_by IS NULL', [submissionId, actor.userId]);
    note({ confirmed: versions.length });
    return { confirmed: versions.length };
  });
}

export interface SubmissionView {
  id: string;
  file_name: string;
  rows: number;
  inserted: number;
  non_routine: number;
  pending: number;
  submitted_by: string;
  submitted_at: Date;
  confirmed_by: string | null;
  confirmed_at: Date | null;
}

/** Recent clinic submissions with how many of their records still wait for confirmation. */
export async function listSubmissions(db: Database, actor: Actor, limit = 50): Promise<SubmissionView[]> {
  return perform(db, actor, { permission: 'dose.read', action: 'dose.submissions' }, ({ tx }) =>
    tx.query<SubmissionView>(
      `SELECT s.id, s.file_name, s.rows, s.inserted, s.non_routine, s.submitted_by, s.submitted_at, s.confirmed_by, s.confirmed_at,
              (SELECT count(*)::int FROM dose_versions v JOIN doses d ON d.municipality_code = v.municipality_code AND d.id = v.dose_id
                WHERE v.submission_id = s.id AND d.pending_version = v.version) AS pending
         FROM clinic_submissions s ORDER BY s.submitted_at DESC LIMIT $1`,
      [Math.max(1, Math.min(limit, 500))],
    ),
  );
}
