// Clinic submission files on both engines: person by 接種券番号 or 宛名番号 with name (異体字-tolerant)
// and birth checked against the ledger, masters, duplicates, all-or-nothing, idempotent re-import,
// provisional records confirmed as a batch by a second user, tenant isolation.
// controls: DATA-01, DATA-02, DATA-03, LOG-01, TEN-01
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.ts';
import { withTenantScope } from '../../../src/db/scoped.ts';
import { CLINIC_HEADER, confirmSubmission, importClinicFile, listSubmissions, type ClinicDeps } from '../../../src/modules/records/clinic-import.ts';
import { importMasters } from '../../../src/modules/records/masters.ts';
import { personRecord } from '../../../src/modules/records/service.ts';
import { importResidents } from '../../../src/modules/residents/import-service.ts';
import { searchPersons } from '../../../src/modules/residents/persons.ts';
import type { Actor, Permission } from '../../../src/security/actor.ts';
import { ForbiddenError } from '../../../src/security/guard.ts';
import { testEngines } from '../../support/engines.ts';
import { JOETSU as A, KUMAGAYA as B, openTwoCities, RESIDENT_HEADER as RESIDENTS, staffActor } from '../../support/two-cities.ts';

const INST = '1512345678';
const staff = (code: string, userId: string, perms?: readonly Permission[]): Actor => staffActor(code, userId, 'officer', perms);
const lines = (...rows: string[]): string => `${[CLINIC_HEADER, ...rows].join('\r\n')}\r\n`;
const utf8 = (...rows: string[]): Buffer => Buffer.from(lines(...rows));

describe.each(testEngines)('clinic submission files on $name', (engine) => {
  let db: Database;
  let deps: ClinicDeps;
  let hanako: string;
  const clerk = staff(A, 'clerk-1');
  const checker = staff(A, 'checker-2');
  beforeAll(async () => {
    const opened = await openTwoCities(engine);
    db = opened.db;
    const vault = opened.vault;
    deps = { db, today: () => '2025-10-01' };
    const residents = [
      RESIDENTS,
      '5001,髙橋 花子,タカハシ ハナコ,2,2025-03-15,943-0800,上越市大手町1,日本人',
      '5002,山田 太郎,ヤマダ タロウ,1,2024-01-10,943-0800,上越市大手町2,日本人',
      '5003,鈴木 一郎,スズキ イチロウ,1,1950-06-01,943-0801,上越市本町1,日本人',
    ].join('\n');
    await importResidents({ db, vault }, clerk, { fileName: 'p.csv', content: Buffer.from(`${residents}\n`), mode: 'full' });
    hanako = (await searchPersons(db, clerk, { addressNumber: '5001' }))[0]!.id;
    const admin = staff(A, 'admin', ['settings.manage']);
    const m = (kind: 'institutions' | 'products' | 'lots', text: string) => importMasters(db, admin, { kind, fileName: `${kind}.csv`, content: Buffer.from(text) });
    expect((await m('institutions', `医療機関コード,名称,住所,電話,契約開始日,契約終了日,会場\n${INST},上越こどもクリニック,,,,,0\n`)).status).toBe('applied');
    expect((await m('products', '製品名,ワクチン,製品区分,メーカー\nアクトヒブ,hib,,サノフィ\nプレベナー20,pcv,pcv20,ファイザー\nインフルエンザHA,flu,,KMB\n')).status).toBe('applied');
    expect((await m('lots', '製品名,ロット番号,有効期限\nアクトヒブ,AH1,2025-03-31\nアクトヒブ,AH2,2027-03-31\nプレベナー20,P20A,2026-12-31\n')).status).toBe('applied');
    await withTenantScope(db, { municipalityCode: A, userId: 'setup', terminalId: 't', purpose: 'setup' }, (tx) =>
      tx.query(`INSERT INTO tickets (municipality_code, ticket_number, kind, dose_number, person_id, vaccine_id, issued_by) VALUES (app_tenant(), '0000000012', '1', 2, $1, 'hib', 'setup')`, [hanako]),
    );
  });
  afterAll(() => db?.close());

  let firstSubmission = '';
  const first = utf8(
    // 宛名番号 with the name written 高橋 (異体字 of 髙橋) and the birth date in 和暦.
    ',5001,高橋 花子,R7.3.15,2025-05-20,hib,アクトヒブ,AH2,1,1512345678,上越 太郎,',
    ',5001,高橋 花子,2025-03-15,2025-05-20,pcv,プレベナー20,P20A,1,1512345678,上越 太郎,',
    // By 接種券番号 only.
    '0000000012,,髙橋 花子,2025-03-15,2025-06-20,hib,アクトヒブ,AH2,2,1512345678,,',
    // Too young for MR 1期: recorded, flagged.
    ',5002,山田 太郎,2024-01-10,2024-12-01,mr,,,1,1512345678,,早めの接種',
  );

  it('records a UTF-8 file as provisional, evaluated by the engine in date order, non-routine doses flagged', async () => {
    const r = await importClinicFile(deps, clerk, { fileName: 'clinic-2025-06.csv', content: first });
    expect(r.status).toBe('applied');
    if (r.status !== 'applied') return;
    firstSubmission = r.submissionId;
    expect(r).toMatchObject({ encoding: 'utf8', provisional: true, counts: { rows: 4, inserted: 4, routine: 3, nonRoutine: 1, persons: 2 } });
    expect(r.flagged).toEqual([{ row: 4, line: 5, vaccine: 'mr', dose: 1, date: '2024-12-01', problems: ['TOO_YOUNG'] }]);
    const rec = await personRecord({ db, today: deps.today }, clerk, hanako);
    expect(rec.doses.map((d) => [d.source, d.status, d.versions[0]?.vaccine_id, d.versions[0]?.dose_number, d.versions[0]?.routine])).toEqual([
      ['clinic_file', 'provisional', 'hib', 1, true],
      ['clinic_file', 'provisional', 'pcv', 1, true],
      ['clinic_file', 'provisional', 'hib', 2, true], // dose 2 counted after the file's dose 1
    ]);
    expect(rec.doses.find((d) => d.versions[0]?.vaccine_id === 'pcv')?.versions[0]).toMatchObject({ product_name: 'プレベナー20', schedule_product: 'pcv20', lot_number: 'P20A' });
    expect(rec.forecast.doses).toHaveLength(0); // provisional records are not in force
  });

  it('ignores a re-import of the same file', async () => {
    expect(await importClinicFile(deps, clerk, { fileName: 'again.csv', content: first })).toEqual({ status: 'duplicate', submissionId: firstSubmission });
  });

  // control: DATA-03
  it('confirms the whole file at once by another user, never by the importer', async () => {
    await expect(confirmSubmission(db, clerk, firstSubmission)).rejects.toThrow(/cannot confirm/);
    expect(await confirmSubmission(db, checker, firstSubmission)).toEqual({ confirmed: 4 });
    const rec = await personRecord({ db, today: deps.today }, clerk, hanako);
    expect(rec.doses.every((d) => d.status === 'confirmed' && d.versions[0]?.confirmed_by === 'checker-2')).toBe(true);
    expect(rec.forecast.next.find((n) => n.vaccine === 'hib')).toMatchObject({ status: 'due', dose: 3 });
    expect(await confirmSubmission(db, checker, firstSubmission)).toEqual({ confirmed: 0 });
    const [sub] = await listSubmissions(db, checker);
    expect(sub).toMatchObject({ id: firstSubmission, rows: 4, inserted: 4, non_routine: 1, pending: 0, submitted_by: 'clerk-1', confirmed_by: 'checker-2' });
  });

  it('reads a CP932 file and reports unknown columns', async () => {
    const text = lines(',5003,鈴木 一郎,昭和25年6月1日,2024-10-15,flu,インフルエンザHA,,1,1512345678,,').replace(CLINIC_HEADER, `${CLINIC_HEADER},院内メモ`).replace(',,\r\n', ',,,x\r\n');
    const r = await importClinicFile(deps, clerk, { fileName: 'sjis.csv', content: iconv.encode(text, 'cp932'), encoding: 'cp932' });
    expect(r).toMatchObject({ status: 'applied', encoding: 'cp932', unknownColumns: ['院内メモ'], counts: { inserted: 1, routine: 1 } });
  });

  it('rejects the whole file with row, column and reason when any row is wrong', async () => {
    const bad = utf8(
      ',5003,鈴木 一郎,1950-06-01,2025-01-10,flu,インフルエンザHA,,1,1512345678,,', // valid on its own (2024 season)
      ',5002,山田 次郎,2024-01-10,2025-03-01,hib,,,1,1512345678,,', // name mismatch
      ',5002,山田 太郎,2024-01-11,2025-03-01,hib,,,1,1512345678,,', // birth mismatch
      ',5001,髙橋 花子,2025-03-15,2025-05-20,hib,アクトヒブ,AH2,1,1512345678,,', // already recorded
      ',5002,山田 太郎,2024-01-10,2025-04-01,pcv,,,1,1512345678,,',
      ',5002,山田 太郎,2024-01-10,2025-04-01,pcv,,,1,1512345678,,', // same dose twice in the file
      ',5002,山田 太郎,2024-01-10,2025-05-01,hib,ノーブランド,,1,1512345678,,', // unknown product
      ',5002,山田 太郎,2024-01-10,2025-05-01,hib,アクトヒブ,ZZ9,1,1512345678,,', // unknown lot
      ',5002,山田 太郎,2024-01-10,2025-05-01,hib,アクトヒブ,AH1,1,1512345678,,', // lot expired 2025-03-31
      ',5002,山田 太郎,2024-01-10,2025-05-01,hib,,,1,1599999999,,', // unknown institution
      ',9999,山田 太郎,2024-01-10,2025-05-01,hib,,,1,1512345678,,', // unknown person
      '0000000099,,山田 太郎,2024-01-10,2025-05-01,hib,,,1,1512345678,,', // no such ticket
      '0000000012,5002,山田 太郎,2024-01-10,2025-05-01,hib,,,1,1512345678,,', // ticket of another person
    );
    const r = await importClinicFile(deps, clerk, { fileName: 'bad.csv', content: bad });
    expect(r.status).toBe('rejected');
    if (r.status !== 'rejected') return;
    expect(r.errors.map((e) => [e.row, e.line, e.column, e.code])).toEqual([
      [2, 3, '氏名', 'person_mismatch'],
      [3, 4, '生年月日', 'person_mismatch'],
      [7, 8, '製品', 'unknown_master'],
      [8, 9, 'ロット番号', 'unknown_master'],
      [9, 10, 'ロット番号', 'unknown_master'],
      [10, 11, '医療機関コード', 'unknown_master'],
      [11, 12, '宛名番号', 'unknown_person'],
      [12, 13, '接種券番号', 'unknown_person'],
      [13, 14, '宛名番号', 'person_mismatch'],
      [4, 5, '接種日', 'duplicate_record'],
      [6, 7, '接種日', 'duplicate_in_file'],
    ]);
    expect(r.errors[4]?.reason.en).toMatch(/expired/);
    // Nothing from the file was recorded, not even the valid first row.
    const sub = await listSubmissions(db, checker);
    expect(sub.map((s) => s.file_name)).not.toContain('bad.csv');
    const [count] = await withTenantScope(db, { municipalityCode: A, userId: 't', terminalId: 't', purpose: 't' }, (tx) =>
      tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM dose_versions WHERE administered_on = '2025-01-10'`),
    );
    expect(count?.n).toBe(0);
  });

  it('rejects bad cells before looking at the ledger: dates, vaccine ids, dose range, missing identifiers', async () => {
    const r = await importClinicFile(deps, clerk, {
      fileName: 'cells.csv',
      content: utf8(
        ',5002,山田 太郎,2024-01-10,2025-02-30,hib,,,1,1512345678,,',
        ',5002,山田 太郎,H36.1.10,2025-02-01,hib,,,1,1512345678,,',
        ',5002,山田 太郎,2024-01-10,2025-02-01,HIBX,,,1,1512345678,,',
        ',5002,山田 太郎,2024-01-10,2025-02-01,bcg,,,2,1512345678,,',
        ',,山田 太郎,2024-01-10,2025-02-01,hib,,,1,1512345678,,',
        ',5002,山田 太郎,2024-01-10,2025-12-01,hib,,,1,1512345678,,',
      ),
    });
    expect(r.status === 'rejected' && r.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [1, '接種日', 'invalid_value'],
      [2, '生年月日', 'invalid_value'],
      [3, 'ワクチン', 'invalid_value'],
      [4, '接種回数', 'invalid_value'],
      [5, '宛名番号', 'invalid_value'],
      [6, '接種日', 'inconsistent_row'],
    ]);
    const h = await importClinicFile(deps, clerk, { fileName: 'h.csv', content: Buffer.from('宛名番号,氏名\n5002,山田 太郎\n') });
    expect(h.status === 'rejected' && h.errors.every((e) => e.code === 'missing_header')).toBe(true);
  });

  it('needs dose.enter; tenant B cannot record doses for tenant A\'s 宛名番号', async () => {
    const reader = staff(A, 'reader', ['dose.read']);
    await expect(importClinicFile(deps, reader, { fileName: 'x.csv', content: utf8(',5002,山田 太郎,2024-01-10,2025-02-01,hib,,,1,1512345678,,') })).rejects.toBeInstanceOf(ForbiddenError);
    const other = staff(B, 'b-clerk');
    const r = await importClinicFile(deps, other, { fileName: 'a-rows.csv', content: utf8(',5002,山田 太郎,2024-01-10,2025-02-01,hib,,,1,1512345678,,', '0000000012,,髙橋 花子,2025-03-15,2025-06-21,hib,,,3,1512345678,,') });
    expect(r.status === 'rejected' && r.errors.filter((e) => e.code === 'unknown_person').map((e) => [e.row, e.column])).toEqual([[1, '宛名番号'], [2, '接種券番号']]);
    await expect(confirmSubmission(db, staff(B, 'b-checker'), firstSubmission)).rejects.toThrow(/no such submission/);
  });
});
