// Venue mode over HTTP on both engines, with a real venue account signed in through every stage:
// presets, a scan records a confirmed dose, the page shows only ticket number, name and time, and
// every refusal (used, other municipality, unknown, voided, wrong vaccine, not routine) is clear.
// Plus the 予防接種済証 PDF route, read back with pdftotext.
// controls: AC-07, AC-11, DATA-02, LOG-01, TEN-01
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenantScope } from '../../src/db/scoped.ts';
import { personRecord } from '../../src/modules/records/service.ts';
import type { IssuedTicket } from '../../src/modules/records/ticket-numbers.ts';
import { buildOcrLine, formatTicketNumber, issueTicketByAddressNumber } from '../../src/modules/records/ticket-numbers.ts';
import { importResidents } from '../../src/modules/residents/import-service.ts';
import { searchPersons } from '../../src/modules/residents/persons.ts';
import { todayInJapan } from '../../src/modules/schedule/contract.ts';
import type { Actor } from '../../src/security/actor.ts';
import { createAccount } from '../../src/security/accounts.ts';
import { syntheticMyNumbers } from '../../src/security/my-number.ts';
import { actorFor, auditRows, testScope } from '../support/actors.ts';
import type { TestApp } from '../support/app.ts';
import { Client, addTenant, createTestApp, expectCspClean, signInNew, signInNewAdmin } from '../support/app.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const B = '112020';
const HEADER = '宛名番号,個人番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,住民区分';
const VENUE = '1510000001';



const daysAgo = (n: number): string => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

describe.each(testEngines)('venue mode and the record PDF on $name', (engine) => {
  let t: TestApp;
  const now = () => new Date();
  let admin: Client;
  let venue: Client;
  let adminActor: Actor;
  let venueAccountId: string;
  let yoshida: string;
  let baby: string;
  const myNumbers = syntheticMyNumbers('venue-test', 3);
  const tickets: Record<string, IssuedTicket> = {};
  let otherTenantLine: string;

  beforeAll(async () => {
    t = await createTestApp(await engine.open(), { now });
    const a = await addTenant(t, A, '上越市');
    await addTenant(t, B, '熊谷市');
    admin = new Client(t.app);
    await signInNewAdmin(admin, A, a.adminPassword, now);
    adminActor = await actorFor(t.db, A, 'admin');
    const created = await createAccount(t.db, adminActor, { loginId: 'kaijo', displayName: '会場 端末1', role: 'venue' });
    venueAccountId = created.id;
    venue = new Client(t.app);
    await signInNew(venue, A, 'kaijo', created.oneTimePassword, now);

    const deps = { db: t.db, vault: t.services.vault };
    const csv = [
      HEADER,
      `7001,${myNumbers[0]},𠮷田 髙子,ヨシダ タカコ,2,${daysAgo(100)},943-0800,上越市大手町9-8-7,日本人`,
      `7002,${myNumbers[1]},接種 一郎,セッシュ イチロウ,1,${daysAgo(20)},943-0800,上越市本町5-4-3,日本人`,
    ].join('\n');
    await importResidents(deps, adminActor, { fileName: 'a.csv', content: Buffer.from(`${csv}\n`), mode: 'full' });
    yoshida = (await searchPersons(t.db, adminActor, { addressNumber: '7001' }))[0]!.id;
    baby = (await searchPersons(t.db, adminActor, { addressNumber: '7002' }))[0]!.id;
    await withTenantScope(t.db, testScope(A), async (tx) => {
      await tx.query(`INSERT INTO medical_institutions (municipality_code, code, name, is_venue) VALUES (app_tenant(), $1, '上越市集団接種会場', true), (app_tenant(), '1512345678', '上越こどもクリニック', false)`, [VENUE]);
      await tx.query(`INSERT INTO doctors (municipality_code, institution_code, name) VALUES (app_tenant(), $1, '会場 医師')`, [VENUE]);
      await tx.query(`INSERT INTO vaccine_products (municipality_code, name, vaccine_id, maker) VALUES (app_tenant(), 'アクトヒブ', 'hib', 'サノフィ'), (app_tenant(), 'ミールビック', 'mr', '阪大微研')`);
      await tx.query(`INSERT INTO vaccine_lots (municipality_code, product_name, lot_number, expires_on) VALUES (app_tenant(), 'アクトヒブ', 'HB001', '2099-12-31')`);
    });
    const issue = (addressNumber: string, vaccine: string, doseNumber: number) => issueTicketByAddressNumber(t.db, adminActor, { addressNumber, vaccine, doseNumber });
    tickets.yoshida = await issue('7001', 'hib', 1);
    tickets.baby = await issue('7002', 'hib', 1);
    tickets.voided = await issue('7001', 'hib', 2);
    tickets.mr = await issue('7001', 'mr', 1);
    await withTenantScope(t.db, testScope(A), (tx) => tx.query('UPDATE tickets SET voided_at = now() WHERE ticket_number = $1', [tickets.voided!.ticketNumber]));

    const bAdmin = await actorFor(t.db, B, 'admin');
    await importResidents(deps, bAdmin, { fileName: 'b.csv', content: Buffer.from(`${HEADER}\n7001,${myNumbers[2]},熊谷 花子,クマガヤ ハナコ,2,${daysAgo(100)},360-0000,熊谷市宮町1,日本人\n`), mode: 'full' });
    otherTenantLine = (await issueTicketByAddressNumber(t.db, bAdmin, { addressNumber: '7001', vaccine: 'hib', doseNumber: 1 })).ocrLine;
  });
  afterAll(async () => {
    await t?.close();
    await t?.db.close();
  });

  it('asks for the session presets first and refuses presets that are not in the masters', async () => {
    const first = await venue.get('/venue');
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/venue/session');
    const form = await venue.get('/venue/session');
    expect(form.statusCode).toBe(200);
    expect(form.headers['cache-control']).toBe('no-store');
    expect(form.body).toContain('上越市集団接種会場');
    expect(form.body).not.toContain('上越こどもクリニック'); // not a venue
    expectCspClean(form.body);
    const bad = await venue.postForm('/venue/session', { vaccine: 'hib', product: 'ミールビック', lot: 'HB001', institutionCode: '1512345678', doctor: '会場 医師' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('選んだワクチンの製品ではありません');
    expect(bad.body).toContain('会場を会場マスタ');
    const ok = await venue.postForm('/venue/session', { vaccine: 'hib', product: 'アクトヒブ', lot: 'HB001', institutionCode: VENUE, doctor: '会場 医師' }, '/venue/session');
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/venue');
    const page = await venue.get('/venue');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="venue-count">0<');
    expect(page.body).toContain('autofocus');
    expectCspClean(page.body);
  });

  it('records a scanned ticket at once, confirmed, and shows only ticket number, name and time', async () => {
    const res = await venue.postForm('/venue', { ocr: tickets.yoshida!.ocrLine });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('登録しました');
    expect(res.body).toContain(`id="venue-ticket">${tickets.yoshida!.ticketNumber}<`);
    expect(res.body).toContain('id="venue-name">𠮷田 髙子 様<');
    expect(res.body).toContain('id="venue-count">1<');
    expectCspClean(res.body);
    // No My Number, address, birth date, kana or 宛名番号 anywhere on the page.
    for (const secret of [myNumbers[0]!, '上越市大手町9-8-7', daysAgo(100), 'ヨシダ', '7001']) expect(res.body, secret).not.toContain(secret);
    expect(res.body).not.toMatch(/個人番号|マイナンバー|住所|生年月日/);
    expect(res.body).not.toContain('href="/residents');

    const rec = await personRecord({ db: t.db, today: () => todayInJapan() }, adminActor, yoshida);
    expect(rec.doses).toHaveLength(1);
    const dose = rec.doses[0]!;
    expect(dose).toMatchObject({ source: 'venue', status: 'confirmed', pending: false });
    expect(dose.versions[0]).toMatchObject({
      vaccine_id: 'hib', dose_number: 1, administered_on: todayInJapan(), product_name: 'アクトヒブ', lot_number: 'HB001',
      institution_code: VENUE, doctor_name: '会場 医師', ticket_number: tickets.yoshida!.ticketNumber, routine: true, confirmed_by: venueAccountId,
    });
    expect(dose.versions[0]!.entered_by).toMatch(/^venue-session:/);
    const audit = await auditRows(t.db, A, 'dose.venue');
    expect(audit.some((r) => r.result === 'ok' && r.detail.subject === yoshida && r.user_id === venueAccountId)).toBe(true);
  });

  it('refuses a second scan of the same ticket', async () => {
    const res = await venue.postForm('/venue', { ocr: tickets.yoshida!.ocrLine }, '/venue');
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('登録できません');
    expect(res.body).toContain('使用済み');
    expect(res.body).toContain('id="venue-count">1<');
  });

  it('refuses another municipality, unknown, voided, wrong-vaccine and misread tickets', async () => {
    const other = await venue.postForm('/venue', { ocr: otherTenantLine }, '/venue');
    expect(other.statusCode).toBe(422);
    expect(other.body).toContain('他の市区町村');
    expect(other.body).not.toContain('熊谷 花子');
    const unknownLine = buildOcrLine({ kind: '1', doseNumber: 1, municipalityCode: A, ticketNumber: formatTicketNumber(999_999) });
    const unknown = await venue.postForm('/venue', { ocr: unknownLine }, '/venue');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('発行されていません');
    const voided = await venue.postForm('/venue', { ocr: tickets.voided!.ocrLine }, '/venue');
    expect(voided.statusCode).toBe(409);
    expect(voided.body).toContain('無効になった接種券');
    const mr = await venue.postForm('/venue', { ocr: tickets.mr!.ocrLine }, '/venue');
    expect(mr.statusCode).toBe(409);
    expect(mr.body).toContain('麻しん風しん');
    const misread = await venue.postForm('/venue', { ocr: tickets.baby!.ocrLine.slice(0, 15) }, '/venue');
    expect(misread.statusCode).toBe(400);
    expect(misread.body).toContain('18桁');
  });

  it('refuses a dose the engine does not count as routine, with the problem in Japanese', async () => {
    const res = await venue.postForm('/venue', { ocr: tickets.baby!.ocrLine }, '/venue');
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('定期接種の要件を満たさない');
    expect(res.body).toContain('接種可能年齢に達していません');
    expect((await personRecord({ db: t.db, today: () => todayInJapan() }, adminActor, baby)).doses).toHaveLength(0);
    // The ticket stays usable once the child is old enough.
    expect((await venue.get('/venue')).body).toContain('id="venue-count">1<');
  });

  // control: AC-07, AC-11 — the venue account reaches nothing else.
  it('answers 403 to the venue account on resident and record pages, and to staff on venue pages', async () => {
    for (const url of ['/residents', '/residents?addressNumber=7001', `/residents/${yoshida}`, `/records/person/${yoshida}/certificate.pdf`]) {
      const res = await venue.get(url);
      expect(res.statusCode, url).toBe(403);
      expect(res.body).not.toContain('𠮷田');
    }
    const ledger = await venue.get(`/records/person/${yoshida}`);
    expect(ledger.statusCode).not.toBe(200);
    expect(ledger.body).not.toContain('𠮷田');
    expect((await admin.get('/venue')).statusCode).toBe(403);
  });

  it('prints the 予防接種済証 PDF with the exact name and the confirmed dose', async () => {
    const res = await admin.get(`/records/person/${yoshida}/certificate.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="vaccination-record-\d{8}\.pdf"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-pdf-'));
    try {
      const file = path.join(dir, 'record.pdf');
      fs.writeFileSync(file, res.rawPayload);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text).toContain('予防接種済証（接種記録）');
      expect(text).toContain('𠮷田 髙子');
      expect(text).toContain('ヨシダ タカコ');
      expect(text).toContain('上越市');
      expect(text).toMatch(new RegExp(`Hib\\s+1回目\\s+${todayInJapan()}\\s+アクトヒブ\\s+HB001\\s+上越市集団接種会場`));
      expect(text).not.toContain('上越市大手町9-8-7'); // address only when asked
      expect(text).not.toContain(myNumbers[0]!);
      const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
      expect(fonts).toContain('IPAmjMincho'); // 𠮷 is not in IPAex
      const withAddress = await admin.get(`/records/person/${yoshida}/certificate.pdf?address=1`);
      fs.writeFileSync(file, withAddress.rawPayload);
      expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).toContain('上越市大手町9-8-7');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const printed = await auditRows(t.db, A, 'dose.print');
    expect(printed.filter((r) => r.result === 'ok')).toHaveLength(2);
    expect((await admin.get('/records/person/not-a-uuid/certificate.pdf')).statusCode).toBe(404);
  });
});
