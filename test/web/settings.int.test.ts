// /settings over the real server on both engines: an administrator sets the letterhead (and the
// next 実施依頼書 prints it), how clinic files are entered and the password policy; bad input is
// refused with the field named and changes nothing; a contractor is refused (and the refusal
// audited); another municipality keeps its own settings. controls: AC-01, LOG-01, TEN-01, AUTH-03
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResidents } from '../../src/modules/residents/import-service.ts';
import { issueReferral, referralLetterData } from '../../src/modules/selection/index.ts';
import { tenantSettings } from '../../src/modules/tenants/settings.ts';
import { createAccount } from '../../src/security/accounts.ts';
import type { Actor } from '../../src/security/actor.ts';
import { actorFor, auditRows } from '../support/actors.ts';
import type { TestApp } from '../support/app.ts';
import { Client, createTestApp, expectCspClean, signedInAdmin, signInNew } from '../support/app.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const B = '112020';
const LETTERHEAD = { senderName: '上越市 健康子育て課', senderContact: '025-526-5111（内線 1234）', mayorName: '中川 幹太', letterPrefix: '上健' };

describe.each(testEngines)('settings page on $name', (engine) => {
  let t: TestApp;
  let admin: Client;
  let adminB: Client;
  let contractor: Client;
  let actorA: Actor;

  beforeAll(async () => {
    t = await createTestApp(await engine.open());
    admin = await signedInAdmin(t, A, '上越市');
    adminB = await signedInAdmin(t, B, '熊谷市');
    actorA = await actorFor(t.db, A, 'admin');
    const created = await createAccount(t.db, actorA, { loginId: 'itaku', displayName: '委託 入力', role: 'contractor_entry' });
    contractor = new Client(t.app);
    await signInNew(contractor, A, 'itaku', created.oneTimePassword);
    const residents = '宛名番号,個人番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,住民区分\n7001,,𠮷田 花子,ヨシダ ハナコ,2,2024-06-15,9430800,新潟県上越市大手町1-2,日本人\n';
    const outcome = await importResidents({ db: t.db, vault: t.services.vault }, actorA, { fileName: 'p.csv', content: Buffer.from(residents), mode: 'full' });
    expect(outcome.status === 'rejected' ? outcome.errors : outcome.status).toBe('applied');
  });
  afterAll(async () => {
    await t?.close();
    await t?.db.close();
  });

  it('shows the current settings with the defaults an empty field prints', async () => {
    const res = await admin.get('/settings');
    expect(res.statusCode).toBe(200);
    expectCspClean(res.body);
    expect(res.body).toContain('通知文書の差出人');
    expect(res.body).toContain('空欄なら「健」');
    expect(res.body).toMatch(/id="minLength"[^>]*value="12"/);
    expect(res.body).toMatch(/id="cfe-provisional"[^>]*checked/);
  });

  it('saves the letterhead, audits before and after, and the next referral letter prints it', async () => {
    const res = await admin.postForm('/settings/mailing', LETTERHEAD, '/settings');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/settings?done=mailing');
    const page = await admin.get('/settings?done=mailing');
    expect(page.body).toContain('保存しました');
    expect(page.body).toContain('value="025-526-5111（内線 1234）"');
    const [entry] = await auditRows(t.db, A, 'settings.mailing');
    expect(entry?.result).toBe('ok');
    expect(entry?.detail).toMatchObject({ after: LETTERHEAD, before: { senderName: null, letterPrefix: null } });
    const letter = await issueReferral(t.db, actorA, {
      addressNumber: '7001', toMunicipalityName: '熊谷市', toMayorName: '小林 哲也', stayAddress: '埼玉県熊谷市宮町2-47-1', reason: '里帰り出産',
      vaccine: 'mr', dose: 1, validUntil: '2026-03-31', issuedOn: '2025-07-01',
    });
    expect(letter.letterNumber).toBe('上健第1号');
    expect((await referralLetterData(t.db, actorA, letter.id)).fromMayorName).toBe('中川 幹太');
  });

  it('refuses an over-long or unprintable field, names it, keeps what was typed, and changes nothing', async () => {
    const long = await admin.postForm('/settings/mailing', { ...LETTERHEAD, senderName: 'あ'.repeat(61) }, '/settings');
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('差出人');
    expect(long.body).toContain(`value="${'あ'.repeat(61)}"`);
    const control = await admin.postForm('/settings/mailing', { ...LETTERHEAD, mayorName: '中川\u0007幹太' }, '/settings');
    expect(control.statusCode).toBe(400);
    expect(control.body).toContain('市町村長名');
    expect((await tenantSettings(t.db, actorA)).mailing).toEqual(LETTERHEAD);
  });

  it('clears a field back to its default', async () => {
    await admin.postForm('/settings/mailing', { ...LETTERHEAD, letterPrefix: '  ' }, '/settings');
    expect((await tenantSettings(t.db, actorA)).mailing.letterPrefix).toBeNull();
    await admin.postForm('/settings/mailing', LETTERHEAD, '/settings');
  });

  it('sets how clinic files are entered, refusing an unknown choice', async () => {
    expect((await admin.postForm('/settings/clinic-files', { clinicFileEntry: 'whatever' }, '/settings')).statusCode).toBe(400);
    expect((await tenantSettings(t.db, actorA)).clinicFileEntry).toBe('provisional');
    expect((await admin.postForm('/settings/clinic-files', { clinicFileEntry: 'confirmed' }, '/settings')).statusCode).toBe(303);
    expect((await tenantSettings(t.db, actorA)).clinicFileEntry).toBe('confirmed');
    expect((await auditRows(t.db, A, 'settings.clinic_file_entry'))[0]?.detail).toMatchObject({ before: 'provisional', after: 'confirmed' });
  });

  it('sets the password policy within its bounds and refuses one outside them', async () => {
    const fields = { minLength: '14', requireClasses: '3', historyCount: '5', maxAgeDays: '' };
    expect((await admin.postForm('/settings/password-policy', fields, '/settings')).statusCode).toBe(303);
    expect((await tenantSettings(t.db, actorA)).passwordPolicy).toEqual({ minLength: 14, requireClasses: 3, historyCount: 5, maxAgeDays: null });
    for (const bad of [{ minLength: '4' }, { historyCount: 'x' }, { requireClasses: '9' }]) {
      const res = await admin.postForm('/settings/password-policy', { ...fields, ...bad }, '/settings');
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('role="alert"');
    }
    expect((await tenantSettings(t.db, actorA)).passwordPolicy.minLength).toBe(14);
  });

  it('offers the page in the menu only to roles that may use it', async () => {
    expect((await admin.get('/')).body).toContain('href="/settings"');
    const home = (await contractor.get('/')).body;
    expect(home).not.toContain('href="/settings"');
    expect(home).not.toContain('href="/audit"');
    expect(home).toContain('href="/records"'); // a contractor enters doses
  });

  it('refuses a contractor, before reading the input, and audits the refusal', async () => {
    expect((await contractor.get('/settings')).statusCode).toBe(403);
    const res = await contractor.postForm('/settings/mailing', { senderName: 'x'.repeat(500) }, '/');
    expect(res.statusCode).toBe(403);
    expect((await auditRows(t.db, A, 'settings.mailing')).some((r) => r.result === 'denied')).toBe(true);
    expect((await tenantSettings(t.db, actorA)).mailing).toEqual(LETTERHEAD);
  });

  it('keeps each municipality to its own settings', async () => {
    const res = await adminB.get('/settings');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('中川 幹太');
    expect(res.body).toMatch(/id="minLength"[^>]*value="12"/);
  });
});
