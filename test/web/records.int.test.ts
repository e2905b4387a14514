// The records pages over the real server on both engines: entry from a 予診票 by ticket number
// (provisional), the schedule check as the user types, explicit confirmation of a non-routine dose,
// the second person's check from the queue (and the refusal for one's own entry), corrections as
// versions on the ledger, a contractor's limits, and another municipality's forged ids.
// controls: AC-01, DATA-02, DATA-03, DATA-14, TEN-01
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenantScope } from '../../src/db/scoped.ts';
import { importResidents } from '../../src/modules/residents/import-service.ts';
import { searchPersons } from '../../src/modules/residents/persons.ts';
import { createAccount } from '../../src/security/accounts.ts';
import { syntheticMyNumber } from '../../src/security/my-number.ts';
import { actorFor, auditRows, testScope } from '../support/actors.ts';
import type { TestApp } from '../support/app.ts';
import { Client, createTestApp, expectCspClean, signedInAdmin, signInNew } from '../support/app.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const B = '112020';
const MN = syntheticMyNumber('records', 1);
const TICKET = '1234567890';
const CLINIC = '1512345678';
const HEADER = '宛名番号,個人番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,住民区分';
// Born 2025-03-15: Hib is possible from 2025-05-14 (2 months).
const RESIDENTS = `${HEADER}\n5001,${MN},接種 花子,セッシュ ハナコ,2,2025-03-15,943-0800,新潟県上越市大手町1-2,日本人\n5002,,予防 太郎,ヨボウ タロウ,1,2024-06-01,943-0801,新潟県上越市本町2-1,日本人\n`;



/** The htmx request the entry form sends on change: form fields, CSRF token in the header from hx-headers. */
async function check(client: Client, pageUrl: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
  const page = await client.get(pageUrl);
  const headers = /hx-headers="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const token = (JSON.parse(headers.replaceAll('&quot;', '"')) as Record<string, string>)['x-csrf-token'] ?? '';
  expect(token).not.toBe('');
  return client.app.inject({
    method: 'POST',
    url: '/records/entry/check',
    headers: {
      cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': 'application/x-www-form-urlencoded',
      'hx-request': 'true',
      'x-csrf-token': token,
    },
    payload: new URLSearchParams(fields).toString(),
  });
}

const doseRows = (body: string): string[] => [...body.matchAll(/<tr data-dose="[^"]+">[\s\S]*?<\/tr>/g)].map((m) => m[0]);
const doseIdOf = (row: string | undefined): string => /data-dose="([^"]+)"/.exec(row ?? '')?.[1] ?? '';

describe.each(testEngines)('records pages on $name', (engine) => {
  let t: TestApp;
  const clock = Date.now();
  const now = () => new Date(clock);
  let admin: Client;
  let checker: Client;
  let contractor: Client;
  let adminB: Client;
  let child: string;
  let boy: string;
  let hibDose = '';
  let pcvDose = '';

  beforeAll(async () => {
    t = await createTestApp(await engine.open(), { now });
    admin = await signedInAdmin(t, A, '上越市', now);
    adminB = await signedInAdmin(t, B, '熊谷市', now);
    const actorA = await actorFor(t.db, A, 'admin');
    for (const [loginId, role] of [['kakunin', 'officer'], ['itaku', 'contractor_entry']] as const) {
      const created = await createAccount(t.db, actorA, { loginId, displayName: `職員 ${loginId}`, role });
      const c = new Client(t.app);
      await signInNew(c, A, loginId, created.oneTimePassword, now);
      if (role === 'officer') checker = c;
      else contractor = c;
    }
    await importResidents({ db: t.db, vault: t.services.vault }, actorA, { fileName: 'p.csv', content: Buffer.from(RESIDENTS), mode: 'full' });
    child = (await searchPersons(t.db, actorA, { addressNumber: '5001' }))[0]!.id;
    boy = (await searchPersons(t.db, actorA, { addressNumber: '5002' }))[0]!.id;
    await withTenantScope(t.db, testScope(A), async (tx) => {
      await tx.query(`INSERT INTO medical_institutions (municipality_code, code, name) VALUES (app_tenant(), $1, '上越こどもクリニック')`, [CLINIC]);
      await tx.query(
        `INSERT INTO tickets (municipality_code, ticket_number, kind, dose_number, person_id, vaccine_id, issued_by) VALUES (app_tenant(), $1, '1', 1, $2, 'hib', 'setup')`,
        [TICKET, child],
      );
    });
  });
  afterAll(async () => {
    await t?.close();
    await t?.db.close();
  });

  it('links the records home to entry, the queue and a ledger search', async () => {
    const home = await admin.get('/records');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('href="/records/entry"');
    expect(home.body).toContain('href="/records/queue"');
    expect(home.body).not.toContain('準備中');
    const found = await admin.get('/records?addressNumber=5001');
    expect(found.body).toContain(`href="/records/person/${child}"`);
    expectCspClean(found.body);
    // The resident page links to the ledger for those who may read it.
    expect((await admin.get(`/residents/${child}`)).body).toContain(`href="/records/person/${child}"`);
    expect((await contractor.get(`/residents/${child}`)).body).not.toContain(`href="/records/person/${child}"`);
  });

  it('finds the person by ticket number and prefills the vaccine and dose', async () => {
    const res = await admin.get(`/records/entry?ticket=${TICKET}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('接種 花子');
    expect(res.body).toMatch(/<option value="hib" selected>/);
    expect(res.body).toMatch(/id="dose" name="dose"[^>]*value="1"/);
    expect(res.body).toMatch(/id="date" name="date"[^>]*autofocus/);
    expect(res.body).toContain(`name="personId" value="${child}"`);
    expect(res.body).not.toContain(MN);
    expectCspClean(res.body);
    for (const field of ['vaccine', 'dose', 'date', 'product', 'lot', 'ticketNumber', 'institutionCode', 'doctor', 'specialCircumstances', 'remarks']) {
      expect(res.body, field).toContain(`<label for="${field}">`);
    }
    const unknown = await admin.get('/records/entry?ticket=0000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('該当する接種券がありません');
    expect((await admin.get('/records/entry?ticket=12')).statusCode).toBe(400);
  });

  it('checks the dose with the schedule engine as the user types', async () => {
    const page = `/records/entry?personId=${child}`;
    const early = await check(admin, page, { personId: child, vaccine: 'hib', dose: '1', date: '2025-05-13' });
    expect(early.statusCode).toBe(200);
    expect(early.body).toContain('接種可能年齢前');
    expect(early.body).toContain('TOO_YOUNG');
    expect(early.body).not.toContain('<html');
    const ok = await check(admin, page, { personId: child, vaccine: 'hib', dose: '1', date: '2025-05-14' });
    expect(ok.body).toContain('定期接種として有効');
    const incomplete = await check(admin, page, { personId: child, vaccine: 'hib', dose: '', date: '' });
    expect(incomplete.body).toContain('判定をここに表示します');
    const future = await check(admin, page, { personId: child, vaccine: 'hib', dose: '1', date: '2999-01-01' });
    expect(future.statusCode).toBe(200);
    expect(future.body).toContain('未来の日付');
    // Without the token the check is refused like any other unsafe request.
    const noToken = await admin.send('POST', '/records/entry/check', new URLSearchParams({ personId: child, vaccine: 'hib', dose: '1', date: '2025-05-14' }).toString());
    expect(noToken.statusCode).toBe(403);
  });

  it('records a routine dose as provisional and clears the form for the next 予診票', async () => {
    const res = await admin.postForm('/records/entry', {
      personId: child, vaccine: 'hib', dose: '1', date: '2025-05-20', institutionCode: CLINIC, doctor: '上越 太郎', ticketNumber: TICKET, product: '', lot: '',
      specialCircumstances: '', remarks: '',
    }, `/records/entry?personId=${child}`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/records/entry?saved=${child}`);
    const next = await admin.get(res.headers.location as string);
    expect(next.body).toContain('仮登録しました（別の職員の確認が必要です）');
    expect(next.body).toMatch(/id="ticket" name="ticket"[^>]*value=""[^>]*autofocus/);
    expect(next.body).not.toContain('name="personId"');
    const ledger = await admin.get(`/records/person/${child}`);
    expect(ledger.statusCode).toBe(200);
    expect(ledger.body).toContain('仮登録');
    hibDose = doseIdOf(/<tbody class="dose-group dose-provisional" data-dose="[^"]+"/.exec(ledger.body)?.[0]);
    expect(hibDose).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('shows field errors without JavaScript and keeps the input', async () => {
    const res = await admin.postForm('/records/entry', { personId: child, vaccine: 'hib', dose: 'x', date: '2025-02-30', remarks: '残す' }, `/records/entry?personId=${child}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('href="#dose"');
    expect(res.body).toContain('href="#date"');
    expect(res.body).toMatch(/id="remarks" name="remarks"[^>]*value="残す"/);
    expect(res.body).toMatch(/id="dose" name="dose"[^>]*aria-invalid="true"[^>]*autofocus/);
  });

  it('asks for explicit confirmation of a non-routine dose', async () => {
    const fields = { personId: child, vaccine: 'pcv', dose: '1', date: '2025-05-01' };
    const first = await admin.postForm('/records/entry', fields, `/records/entry?personId=${child}`);
    expect(first.statusCode).toBe(409);
    expect(first.body).toContain('接種可能年齢前');
    expect(first.body).toMatch(/<input id="acceptNonRoutine" name="acceptNonRoutine" type="checkbox" value="1"[^>]*autofocus>/);
    expect(first.body).toMatch(/<option value="pcv" selected>/);
    const second = await admin.postForm('/records/entry', { ...fields, acceptNonRoutine: '1' }, `/records/entry?personId=${child}`);
    expect(second.statusCode).toBe(303);
  });

  // control: DATA-03 — a second person confirms; the one who entered cannot.
  it('lets a second user confirm from the queue, and refuses the user who entered it', async () => {
    const queue = await checker.get('/records/queue');
    expect(queue.statusCode).toBe(200);
    expectCspClean(queue.body);
    const rows = doseRows(queue.body);
    const hibRow = rows.find((r) => r.includes(hibDose));
    expect(hibRow).toContain('接種 花子');
    expect(hibRow).toContain('新規');
    expect(hibRow).toContain('管理者'); // who entered it, by display name
    expect(hibRow).toContain('2025-05-20');
    pcvDose = doseIdOf(rows.find((r) => r.includes('小児用肺炎球菌')));
    expect(pcvDose).not.toBe('');

    const own = await admin.postForm(`/records/queue/${pcvDose}/confirm`, {}, '/records/queue');
    expect(own.statusCode).toBe(400);
    expect(own.body).toContain('入力した本人は確認できません');

    const done = await checker.postForm(`/records/queue/${hibDose}/confirm`, {}, '/records/queue');
    expect(done.statusCode).toBe(303);
    const after = await checker.get(done.headers.location as string);
    expect(after.body).toContain('確定しました');
    expect(after.body).not.toContain(`data-dose="${hibDose}"`);
    const ledger = await admin.get(`/records/person/${child}`);
    expect(ledger.body).toMatch(new RegExp(`data-dose="${hibDose}"[\\s\\S]*?status-confirmed">確定<`));
    expect(ledger.body).toContain('職員 kakunin');
  });

  // control: DATA-14 — a correction is a new version, with who, when and why.
  it('corrects a confirmed dose as a new pending version visible on the ledger', async () => {
    const ledger = await admin.get(`/records/person/${child}`);
    const url = `/records/person/${child}/dose/${hibDose}/correct`;
    expect(ledger.body).toContain(`href="${url}"`);
    expect(ledger.body).toContain('<svg class="timeline"');
    expect(ledger.body).toContain('次の接種');
    const form = await admin.get(url);
    expect(form.statusCode).toBe(200);
    expect(form.body).toMatch(/id="date" name="date"[^>]*value="2025-05-20"/);
    expect(form.body).toMatch(/id="institutionCode" name="institutionCode"[^>]*value="1512345678"/);
    const fields = { vaccine: 'hib', dose: '1', date: '2025-05-21', institutionCode: CLINIC, doctor: '上越 太郎', ticketNumber: TICKET, product: '', lot: '', specialCircumstances: '', remarks: '' };
    const noReason = await admin.postForm(url, { ...fields, reason: '' }, url);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('href="#reason"');
    const res = await admin.postForm(url, { ...fields, reason: '予診票の日付の読み違い' }, url);
    expect(res.statusCode).toBe(303);
    const after = await admin.get(res.headers.location as string);
    expect(after.body).toContain('訂正を登録しました');
    expect(after.body).toContain('確認待ち（訂正）');
    expect(after.body).toContain('予診票の日付の読み違い');
    expect(after.body).toContain('変更履歴（2版）');
    expect(after.body).toMatch(/<tr data-version="2">[\s\S]*?訂正[\s\S]*?2025-05-21/);
    expect(after.body).toMatch(/<tr data-version="1">[\s\S]*?新規[\s\S]*?2025-05-20/);
    expectCspClean(after.body);
    const queue = await checker.get('/records/queue');
    expect(doseRows(queue.body).find((r) => r.includes(hibDose))).toContain('訂正');
  });

  // control: AC-01 — a contractor enters doses but neither confirms, corrects nor sees a My Number.
  it('lets a contractor enter doses only, and never shows a My Number', async () => {
    const page = await contractor.get('/records/entry?addressNumber=5001');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`name="personId" value="${child}"`);
    const byFacts = await contractor.get('/records/entry?name=' + encodeURIComponent('予防') + '&birthDate=2024-06-01');
    expect(byFacts.body).toContain(`name="personId" value="${boy}"`);
    const saved = await contractor.postForm('/records/entry', { personId: child, vaccine: 'bcg', dose: '1', date: '2025-08-01' }, `/records/entry?personId=${child}`);
    expect(saved.statusCode).toBe(303);
    const bodies = [page.body, byFacts.body, (await contractor.get(saved.headers.location as string)).body, (await contractor.get('/records')).body];
    for (const body of bodies) {
      expect(body).not.toContain(MN);
      expect(body).not.toContain('個人番号');
    }
    for (const url of ['/records/queue', `/records/person/${child}`, `/records/person/${child}/dose/${hibDose}/correct`, `/records/person/${child}/dose/${hibDose}/delete`]) {
      const res = await contractor.get(url);
      expect(res.statusCode, url).toBe(403);
      expect(res.body).not.toContain('接種 花子');
    }
    expect((await contractor.postForm(`/records/person/${child}/dose/${hibDose}/correct`, { vaccine: 'hib', dose: '1', date: '2025-05-22', reason: 'x' }, '/records/entry')).statusCode).toBe(403);
    expect((await contractor.postForm(`/records/queue/${pcvDose}/confirm`, {}, '/records/entry')).statusCode).toBe(403);
    expect((await auditRows(t.db, A, 'dose.queue')).some((r) => r.result === 'denied')).toBe(true);
  });

  // control: TEN-01 — another municipality sees nothing and cannot confirm a forged id.
  it('refuses another municipality: 404 for the ledger, no confirmation of a forged dose id', async () => {
    expect((await adminB.get(`/records/person/${child}`)).statusCode).toBe(404);
    expect((await adminB.get(`/records/person/${child}/dose/${hibDose}/correct`)).statusCode).toBe(404);
    expect((await adminB.get(`/records/entry?personId=${child}`)).statusCode).toBe(404);
    expect((await adminB.get(`/records/entry?ticket=${TICKET}`)).statusCode).toBe(404);
    const forged = await adminB.postForm(`/records/queue/${pcvDose}/confirm`, {}, '/records/queue');
    expect(forged.statusCode).toBe(404);
    expect(forged.body).not.toContain('接種 花子');
    const bQueue = await adminB.get('/records/queue');
    expect(bQueue.body).not.toContain('接種 花子');
    expect(doseRows((await checker.get('/records/queue')).body).some((r) => r.includes(pcvDose))).toBe(true);
    const recorded = await adminB.postForm('/records/entry', { personId: child, vaccine: 'hib', dose: '2', date: '2025-07-01' }, '/records/entry');
    expect(recorded.statusCode).toBe(404);
    expect((await adminB.get('/records/person/not-a-uuid')).statusCode).toBe(404);
  });
});
