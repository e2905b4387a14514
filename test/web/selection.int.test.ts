// The selection and mailing pages over the real server on both engines: preview a selection,
// create a batch from it, download its PDFs (real renderers: the file starts %PDF and pdftotext
// finds the names), reissue, 実施依頼書, a contractor's refusal and another municipality's ids.
// controls: AC-01, AC-04, LOG-01, TEN-01
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResidents } from '../../src/modules/residents/import-service.ts';
import { createAccount } from '../../src/security/accounts.ts';
import { syntheticMyNumber } from '../../src/security/my-number.ts';
import { actorFor, auditRows } from '../support/actors.ts';
import type { TestApp } from '../support/app.ts';
import { Client, createTestApp, expectCspClean, signedInAdmin, signInNew } from '../support/app.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const B = '112020';
const MN = syntheticMyNumber('selection-pages', 1);
const AS_OF = '2025-11-01';
const HEADER = '宛名番号,個人番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,世帯番号,続柄,住民区分';
// Two babies due for their first doses, with their mothers; 𠮷 must survive into the PDF.
const RESIDENTS = `${HEADER}
7001,${MN},𠮷田 花子,ヨシダ ハナコ,2,2025-06-15,9430800,新潟県上越市大手町1-2,101,子,日本人
7002,,𠮷田 春子,ヨシダ ハルコ,2,1995-01-01,9430800,新潟県上越市大手町1-2,101,世帯主,日本人
7003,,髙橋 一郎,タカハシ イチロウ,1,2025-07-01,9430801,新潟県上越市本町2-1,102,子,日本人
7004,,髙橋 洋子,タカハシ ヨウコ,2,1993-05-05,9430801,新潟県上越市本町2-1,102,世帯主,日本人
`;

describe.each(testEngines)('selection pages on $name', (engine) => {
  let t: TestApp;
  const clock = Date.now();
  const now = () => new Date(clock);
  let admin: Client;
  let contractor: Client;
  let adminB: Client;

  beforeAll(async () => {
    t = await createTestApp(await engine.open(), { now });
    admin = await signedInAdmin(t, A, '上越市', now);
    adminB = await signedInAdmin(t, B, '熊谷市', now);
    const actorA = await actorFor(t.db, A, 'admin');
    const created = await createAccount(t.db, actorA, { loginId: 'itaku', displayName: '委託 入力', role: 'contractor_entry' });
    contractor = new Client(t.app);
    await signInNew(contractor, A, 'itaku', created.oneTimePassword, now);
    const outcome = await importResidents({ db: t.db, vault: t.services.vault }, actorA, { fileName: 'p.csv', content: Buffer.from(RESIDENTS), mode: 'full' });
    expect(outcome.status === 'rejected' ? outcome.errors : outcome.status).toBe('applied');
  });
  afterAll(async () => {
    await t?.close();
    await t?.db.close();
  });

  let batchUrl = '';

  it('previews a selection with counts and the people due', async () => {
    const form = await admin.get('/selection');
    expect(form.statusCode).toBe(200);
    expectCspClean(form.body);
    const res = await admin.get(`/selection?run=1&asOf=${AS_OF}&vaccine=pcv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('𠮷田 花子');
    expect(res.body).toContain('髙橋 一郎');
    expect(res.body).not.toContain('𠮷田 春子'); // adults are not due for PCV
    expect(res.body).not.toContain(MN);
    expect(/id="selection-rows">(\d+)</.exec(res.body)?.[1]).toBe('2');
    expectCspClean(res.body);
  });

  it('says which field is wrong and changes nothing', async () => {
    const res = await admin.get('/selection?run=1&asOf=2025-13-40');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('asOf');
    const list = await admin.get('/selection/batches');
    expect(list.body).toContain('発送バッチはまだありません');
  });

  it('creates a notice batch from the preview and prints its PDFs', async () => {
    const res = await admin.postForm('/selection/batches', { asOf: AS_OF, vaccine: 'pcv', kind: 'notice' }, `/selection?run=1&asOf=${AS_OF}&vaccine=pcv`);
    expect(res.statusCode).toBe(303);
    batchUrl = String(res.headers.location).split('?')[0] ?? '';
    expect(batchUrl).toMatch(/^\/selection\/batches\/[0-9a-f-]{36}$/);
    const page = await admin.get(String(res.headers.location));
    expect(page.statusCode).toBe(200);
    expect(/id="batch-items">([\d,]+) \//.exec(page.body)?.[1]).toBe('2');
    expect(page.body).toContain(`${batchUrl}/questionnaire.pdf`);
    expect((await admin.get('/selection/batches')).body).toContain(batchUrl);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-sel-pages-'));
    try {
      for (const file of ['questionnaire.pdf', 'tickets.pdf', 'labels.pdf?per=24']) {
        const pdf = await admin.get(`${batchUrl}/${file}`);
        expect(pdf.statusCode, file).toBe(200);
        expect(pdf.headers['content-type']).toBe('application/pdf');
        expect(pdf.headers['cache-control']).toBe('no-store');
        const out = path.join(dir, 'x.pdf');
        fs.writeFileSync(out, pdf.rawPayload);
        const text = execFileSync('pdftotext', ['-enc', 'UTF-8', out, '-'], { encoding: 'utf8' });
        expect(text, file).toContain('𠮷田');
        expect(text, file).not.toContain(MN);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // A reminder batch prints no tickets; asking for them is a clear 404.
    expect((await admin.get(`${batchUrl}/reminder.pdf`)).statusCode).toBe(404);
    expect((await admin.get(`${batchUrl}/../../etc/passwd`)).statusCode).toBe(404);
  });

  it('does not mail the same dose twice, and reissues with a new ticket number', async () => {
    const again = await admin.postForm('/selection/batches', { asOf: AS_OF, vaccine: 'pcv', kind: 'notice' }, '/selection');
    const page = await admin.get(String(again.headers.location));
    expect(/id="batch-items">([\d,]+) \//.exec(page.body)?.[1]).toBe('0');
    const res = await admin.postForm('/selection/reissue', { addressNumber: '7001', vaccine: 'pcv', dose: '1', reason: 'lost' }, '/selection/reissue');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/id="reissued-ticket">\d{10}</);
    const bad = await admin.postForm('/selection/reissue', { addressNumber: 'abc', vaccine: 'pcv', dose: '1', reason: 'lost' }, '/selection/reissue');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('宛名番号');
  });

  it('issues a 実施依頼書 and keeps its history', async () => {
    const res = await admin.postForm(
      '/selection/referrals',
      { addressNumber: '7003', toMunicipalityName: '熊谷市', toMayorName: '熊谷 太郎', stayAddress: '埼玉県熊谷市宮町2-47-1', reason: '里帰り出産のため', vaccine: 'pcv', dose: '1', validUntil: '2099-03-31' },
      '/selection/referrals',
    );
    expect(res.statusCode, /class="message error"[^>]*>([^<]*)/.exec(res.body)?.[1]).toBe(200);
    const link = /href="(\/selection\/referrals\/[0-9a-f-]{36}\/letter\.pdf)"/.exec(res.body)?.[1];
    expect(link).toBeDefined();
    const pdf = await admin.get(link as string);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await admin.get('/selection/referrals')).body).toContain('熊谷市');
  });

  // control: AC-01 — a contractor may not select or print, and the refusal is on the record.
  it('refuses a contractor and records the refusal', async () => {
    expect((await contractor.get('/selection')).statusCode).toBe(403);
    expect((await contractor.get(batchUrl)).statusCode).toBe(403);
    expect((await contractor.get(`${batchUrl}/labels.pdf`)).statusCode).toBe(403);
    const denied = await auditRows(t.db, A, 'selection.page');
    expect(denied.map((r) => r.result)).toContain('denied');
  });

  // control: TEN-01 — another municipality's batch id is simply not there.
  it("does not show another municipality's batch", async () => {
    expect((await adminB.get(batchUrl)).statusCode).toBe(404);
    expect((await adminB.get(`${batchUrl}/labels.pdf`)).statusCode).toBe(404);
  });
});
