// Masters import on both engines: UTF-8 and CP932, all or nothing with row/column reports, upsert
// by key, references checked, permission settings.manage. controls: DATA-01, DATA-02, LOG-01
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.ts';
import { importMasters, listMasters } from '../../../src/modules/records/masters.ts';
import { createTenant } from '../../../src/modules/tenants/service.ts';
import type { Actor, Permission } from '../../../src/security/actor.ts';
import { PERMISSIONS } from '../../../src/security/actor.ts';
import { ForbiddenError } from '../../../src/security/guard.ts';
import { ephemeralKeyring } from '../../../src/security/keyring.ts';
import { createVault } from '../../../src/security/vault.ts';
import { testEngines } from '../../support/engines.ts';

const A = '152226';
const B = '112020';
const staff = (code: string, userId: string, perms: readonly Permission[] = PERMISSIONS): Actor => ({
  userId, loginId: userId, displayName: userId, role: 'admin', department: 'd', municipalityCode: code, terminalId: 't', purpose: 'test', permissions: new Set(perms),
});
const file = (...lines: string[]): Buffer => Buffer.from(`${lines.join('\r\n')}\r\n`);

describe.each(testEngines)('records masters on $name', (engine) => {
  let db: Database;
  const admin = staff(A, 'admin-1');
  beforeAll(async () => {
    db = await engine.open();
    const vault = createVault(ephemeralKeyring());
    await createTenant(db, vault, { code: A, name: '上越市', prefecture: '新潟県' });
    await createTenant(db, vault, { code: B, name: '熊谷市', prefecture: '埼玉県' });
  });
  afterAll(() => db?.close());

  it('imports institutions (CP932, 和暦 dates), then updates them by code', async () => {
    const csv = iconv.encode('医療機関コード,名称,住所,電話,契約開始日,契約終了日,会場\r\n1512345678,上越こどもクリニック,上越市大手町1,025-000-0001,R2.4.1,,0\r\n1512345679,上越市保健センター,上越市木田1,,2020-04-01,2030-03-31,1\r\n', 'cp932');
    const r = await importMasters(db, admin, { kind: 'institutions', fileName: 'inst.csv', content: csv });
    expect(r).toMatchObject({ status: 'applied', encoding: 'cp932', counts: { rows: 2, inserted: 2, updated: 0, unchanged: 0 } });
    const again = await importMasters(db, admin, {
      kind: 'institutions', fileName: 'inst2.csv',
      content: file('会場,医療機関コード,名称,住所,電話,契約開始日,契約終了日,備考', '0,1512345678,上越こどもクリニック,上越市大手町2,025-000-0001,2020-04-01,,x', '1,1512345679,上越市保健センター,上越市木田1,,2020-04-01,2030-03-31,y'),
    });
    expect(again).toMatchObject({ status: 'applied', unknownColumns: ['備考'], counts: { inserted: 0, updated: 1, unchanged: 1 } });
    const list = await listMasters(db, admin, ['institutions']);
    expect(list.institutions.map((i) => [i.code, i.address, i.contract_from, i.is_venue])).toEqual([
      ['1512345678', '上越市大手町2', '2020-04-01', false],
      ['1512345679', '上越市木田1', '2020-04-01', true],
    ]);
  });

  it('imports doctors, products (with rule-pack product ids) and lots', async () => {
    expect(await importMasters(db, admin, { kind: 'doctors', fileName: 'd.csv', content: file('医療機関コード,医師名', '1512345678,上越 太郎', '1512345678,髙田 花子') }))
      .toMatchObject({ status: 'applied', counts: { inserted: 2 } });
    expect(await importMasters(db, admin, {
      kind: 'products', fileName: 'p.csv',
      content: file('製品名,ワクチン,製品区分,メーカー', 'プレベナー20,pcv,pcv20,ファイザー', 'アクトヒブ,hib,,サノフィ', 'ビームゲン,hepb,,KMバイオロジクス'),
    })).toMatchObject({ status: 'applied', counts: { inserted: 3 } });
    expect(await importMasters(db, admin, {
      kind: 'lots', fileName: 'l.csv',
      content: file('製品名,ロット番号,有効期限', 'プレベナー20,P20A,2026-12-31', 'アクトヒブ,ＡＨ１,令和7年3月31日', 'アクトヒブ,AH2,2027-03-31'),
    })).toMatchObject({ status: 'applied', counts: { inserted: 3 } });
    const list = await listMasters(db, admin);
    expect(list.products.find((p) => p.name === 'プレベナー20')).toMatchObject({ vaccine_id: 'pcv', schedule_product: 'pcv20' });
    expect(list.lots.find((l) => l.lot_number === 'AH1')).toMatchObject({ product_name: 'アクトヒブ', expires_on: '2025-03-31' });
    expect(list.doctors).toHaveLength(2);
  });

  it('rejects a bad file as a whole, with row, column and reason', async () => {
    const r = await importMasters(db, admin, {
      kind: 'products', fileName: 'bad.csv',
      content: file('製品名,ワクチン,製品区分,メーカー', '新製品,hib,,x', 'ワクチンX,nosuch,,x', 'プレベナー99,pcv,pcv99,x', '新製品,hib,,y'),
    });
    expect(r.status).toBe('rejected');
    if (r.status !== 'rejected') return;
    expect(r.errors.map((e) => [e.row, e.line, e.column, e.code])).toEqual([
      [2, 3, 'ワクチン', 'invalid_value'],
      [3, 4, '製品区分', 'invalid_value'],
      [4, 5, '製品名', 'duplicate_key'],
    ]);
    expect((await listMasters(db, admin, ['products'])).products.some((p) => p.name === '新製品')).toBe(false);
  });

  it('rejects unknown references (doctor of an unknown institution, lot of an unknown product), bad codes and dates', async () => {
    const d = await importMasters(db, admin, { kind: 'doctors', fileName: 'd2.csv', content: file('医療機関コード,医師名', '1512345678,新任 医師', '9999999999,誰か') });
    expect(d.status === 'rejected' && d.errors.map((e) => [e.row, e.column, e.code])).toEqual([[2, '医療機関コード', 'unknown_reference']]);
    expect((await listMasters(db, admin, ['doctors'])).doctors).toHaveLength(2); // nothing from the file
    const l = await importMasters(db, admin, { kind: 'lots', fileName: 'l2.csv', content: file('製品名,ロット番号,有効期限', '未登録製品,X1,2026-01-01', 'アクトヒブ,AH 3!,2026-01-01', 'アクトヒブ,AH4,2025-02-30') });
    // Cell errors are reported first; references are checked once every cell is valid.
    expect(l.status === 'rejected' && l.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, 'ロット番号', 'invalid_value'],
      [3, '有効期限', 'invalid_value'],
    ]);
    const l2 = await importMasters(db, admin, { kind: 'lots', fileName: 'l3.csv', content: file('製品名,ロット番号,有効期限', 'アクトヒブ,AH9,2026-01-01', '未登録製品,X1,2026-01-01') });
    expect(l2.status === 'rejected' && l2.errors.map((e) => [e.row, e.line, e.column, e.code, e.value])).toEqual([[2, 3, '製品名', 'unknown_reference', '未登録製品']]);
    expect((await listMasters(db, admin, ['lots'])).lots.some((x) => x.lot_number === 'AH9')).toBe(false);
    const i = await importMasters(db, admin, { kind: 'institutions', fileName: 'i.csv', content: file('医療機関コード,名称,住所,電話,契約開始日,契約終了日,会場', '12AB,x,,,,,', '1500000001,y,,,2025-04-01,2024-03-31,2') });
    expect(i.status === 'rejected' && i.errors.map((e) => [e.row, e.column])).toEqual([[1, '医療機関コード'], [2, '会場'], [2, '契約終了日']]);
    const h = await importMasters(db, admin, { kind: 'lots', fileName: 'h.csv', content: file('製品名,ロット番号', 'アクトヒブ,AH5') });
    expect(h.status === 'rejected' && h.errors.map((e) => [e.code, e.column])).toEqual([['missing_header', '有効期限']]);
  });

  it('needs settings.manage, and another tenant sees none of it', async () => {
    const clerk = staff(A, 'clerk', ['person.read', 'dose.enter', 'dose.read']);
    await expect(importMasters(db, clerk, { kind: 'doctors', fileName: 'd.csv', content: file('医療機関コード,医師名', '1512345678,x') })).rejects.toBeInstanceOf(ForbiddenError);
    const other = await listMasters(db, staff(B, 'b-admin'));
    expect(other).toEqual({ institutions: [], doctors: [], products: [], lots: [] });
    // Tenant B cannot attach a doctor to tenant A's institution.
    const r = await importMasters(db, staff(B, 'b-admin'), { kind: 'doctors', fileName: 'd.csv', content: file('医療機関コード,医師名', '1512345678,x') });
    expect(r.status).toBe('rejected');
  });
});
