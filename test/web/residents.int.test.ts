// The resident register pages over the real server: search (4 facts, kana, 宛名番号) rendering names
// exactly, the person page with masked My Number and history, reveal with a purpose (audited), a
// contractor who never sees a number, tenant isolation, import upload as a background job with its
// report, the upload limit, and 名寄せ. controls: AC-01, AC-04, DATA-01, LOG-01, TEN-01
import crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenantScope } from '../../src/db/scoped.ts';
import type { ImportJob } from '../../src/modules/residents/import-jobs.ts';
import { importResidents } from '../../src/modules/residents/import-service.ts';
import { searchPersons } from '../../src/modules/residents/persons.ts';
import type { Actor } from '../../src/security/actor.ts';
import { createAccount } from '../../src/security/accounts.ts';
import { syntheticMyNumber } from '../../src/security/my-number.ts';
import { createLogger } from '../../src/web/logger.ts';
import { translator } from '../../src/web/i18n.ts';
import { buildServer } from '../../src/web/server.ts';
import type { ViewContext } from '../../src/web/view-context.ts';
import { importJobFragment } from '../../src/web/views/residents.ts';
import type { TestApp } from '../support/app.ts';
import { Client, createTestApp, signedInAdmin, signInNew } from '../support/app.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const B = '112020';
const HEADER = '宛名番号,個人番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,世帯番号,続柄,異動事由,異動日,住民区分,通称,ローマ字氏名,国籍';
const MN1 = syntheticMyNumber('web', 1);
const MN2 = syntheticMyNumber('web', 2);
const csv = (...rows: string[]): Buffer => Buffer.from(`${[HEADER, ...rows].join('\n')}\n`, 'utf8');

const FULL = csv(
  `1001,${MN1},髙橋 一郎,タカハシ イチロウ,1,1980-04-01,943-0800,新潟県上越市大手町1-2-3,501,世帯主,,,日本人,,,`,
  `1002,,山﨑 花子,ヤマサキ ハナコ,2,2024-02-29,943-0800,新潟県上越市大手町1-2-3,501,妻,,,日本人,,,`,
  `1003,${MN2},𠮷田 次郎,ヨシダ ジロウ,1,R6.4.1,943-0801,新潟県上越市本町2-1,502,世帯主,,,日本人,,,`,
  `1004,,WANG LI,ワン リー,2,1990-12-31,943-0801,新潟県上越市本町3-5,503,世帯主,,,外国人,王 麗,WANG LI,中国`,
  // The same man registered twice (高 for 髙): a duplicate candidate.
  `1005,,高橋 一郎,タカハシ イチロウ,1,1980-04-01,943-0802,新潟県上越市本町9-9,509,世帯主,,,日本人,,,`,
);
const RELOCATION = csv(`1002,,山﨑 花子,ヤマサキ ハナコ,2,2024-02-29,943-0802,新潟県上越市新町5-5,501,妻,転居,2025-05-01,日本人,,,`);

const cookieHeader = (c: Client): string => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
const tokenOf = (body: string): string => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A multipart/form-data body as a browser builds it: fields in form order, then the file. */
function multipart(fields: Record<string, string>, file: { name: string; content: Buffer }): { payload: Buffer; contentType: string } {
  const boundary = `----sesshu${crypto.randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(client: Client, file: { name: string; content: Buffer }, fields: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const token = tokenOf((await client.get('/residents/import')).body);
  const { payload, contentType } = multipart({ _csrf: token, mode: 'delta', encoding: 'auto', ...fields }, file);
  return client.app.inject({ method: 'POST', url: '/residents/import', headers: { cookie: cookieHeader(client), 'content-type': contentType }, payload });
}

/** Polls the status fragment as the page does until the job is done; returns the full job page. */
async function finishedJob(client: Client, location: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const frag = await client.get(`${location}/status`);
    expect(frag.statusCode).toBe(200);
    if (!frag.body.includes('hx-trigger')) return (await client.get(location)).body;
    expect(frag.body).toMatch(/<progress id="import-progress"[^>]* max="100" value="\d+"/);
    await sleep(50);
  }
  throw new Error('the import job did not finish');
}

async function activeActor(t: TestApp, client: Client): Promise<Actor> {
  const session = await t.services.sessions.resolve(client.cookies.get('sesshu_session'));
  if (session?.stage !== 'active') throw new Error('not signed in');
  return session.actor;
}


describe.each(testEngines)('resident pages on $name', (engine) => {
  let t: TestApp;
  let admin: Client;
  let adminB: Client;
  let actorA: Actor;
  let clock = Date.now();
  const now = () => new Date(clock);
  const ids = new Map<string, string>();
  const idOf = (addressNumber: string): string => ids.get(addressNumber) ?? '';

  beforeAll(async () => {
    t = await createTestApp(await engine.open(), { now });
    admin = await signedInAdmin(t, A, '上越市', now);
    adminB = await signedInAdmin(t, B, '熊谷市', now);
    actorA = await activeActor(t, admin);
    const deps = { db: t.db, vault: t.services.vault };
    expect((await importResidents(deps, actorA, { fileName: 'full.csv', content: FULL, mode: 'full' })).status).toBe('applied');
    expect((await importResidents(deps, actorA, { fileName: 'move.csv', content: RELOCATION, mode: 'delta' })).status).toBe('applied');
    for (const p of await searchPersons(t.db, actorA, { address: '上越市', includeInactive: true })) ids.set(p.address_number, p.id);
  });
  afterAll(async () => {
    await t?.close();
    await t?.db.close();
  });

  it('offers the search form with a label on every input, and the import and merge links', async () => {
    const res = await admin.get('/residents');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    for (const id of ['addressNumber', 'name', 'kana', 'sex', 'birthDate', 'address', 'includeInactive']) expect(res.body).toContain(`<label for="${id}">`);
    expect(res.body).toContain('転出・死亡等を含む');
    expect(res.body).toContain('href="/residents/import"');
    expect(res.body).toContain('href="/residents/duplicates"');
    expect(res.body).not.toContain('準備中');
    expect(res.body).not.toMatch(/style=|<style|<script>/);
  });

  it('finds a person by the 4 facts across 異体字, by kana and by 宛名番号, rendering names exactly', async () => {
    const q = new URLSearchParams({ name: '高橋一郎', sex: 'M', birthDate: '1980-04-01', address: '大手町' });
    const res = await admin.get(`/residents?${q.toString()}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<a href="/residents/${idOf('1001')}">髙橋 一郎</a>`);
    expect(res.body).not.toContain(`/residents/${idOf('1005')}"`); // same name and birth, other address
    expect(res.body).toContain('1980-04-01（昭和55年4月1日）');
    expect(res.body).toContain('<th scope="col">状態</th>');
    expect(res.body).toContain('<td class="nowrap">住民</td>');

    const kana = await admin.get(`/residents?kana=${encodeURIComponent('ﾖｼﾀﾞ')}`);
    expect(kana.body).toContain('𠮷田 次郎');
    expect(kana.body).toContain('2024-04-01（令和6年4月1日）');

    const byNumber = await admin.get('/residents?addressNumber=%EF%BC%91%EF%BC%90%EF%BC%90%EF%BC%92'); // full-width １００２
    expect(byNumber.body).toContain('山﨑 花子');
    expect(byNumber.body).toContain('1件');
  });

  it('answers an empty search with the form and the message, status 400', async () => {
    const res = await admin.get('/residents?addressNumber=&name=');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('検索条件を1つ以上入力してください');
    expect(res.body).toContain('id="addressNumber"');
  });

  it('shows a person with masked My Number, foreign-resident facts and the movement history', async () => {
    const res = await admin.get(`/residents/${idOf('1001')}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('<p id="my-number-masked">************</p>');
    expect(res.body).not.toContain(MN1);
    expect(res.body).toContain(`action="/residents/${idOf('1001')}/my-number"`);
    expect(res.body).toContain('<label for="purpose">');

    const moved = await admin.get(`/residents/${idOf('1002')}`);
    expect(moved.body).toContain('<p id="my-number-masked">未登録</p>');
    expect(moved.body).not.toContain('/my-number"'); // nothing to reveal
    expect(moved.body).toContain('<th scope="row">転居</th>');
    expect(moved.body).toContain('<th scope="row">更新</th>');
    expect(moved.body).toMatch(/住所<\/span>:\s*<del>新潟県上越市大手町1-2-3<\/del> → <ins>新潟県上越市新町5-5<\/ins>/);

    const foreign = await admin.get(`/residents/${idOf('1004')}`);
    expect(foreign.body).toContain('<dt>通称</dt><dd>王 麗</dd>');
    expect(foreign.body).toContain('<dt>国籍</dt><dd>中国</dd>');
    expect(foreign.body).toContain('<dt>ローマ字氏名</dt><dd>WANG LI</dd>');

    const en = await admin.get(`/residents/${idOf('1002')}?lang=en`);
    expect(en.body).toContain('Movement history');
    expect(en.body).toContain('Moved within the city');
    await admin.get('/?lang=ja');
  });

  it('answers an unknown or forged person id with a 404 page', async () => {
    expect((await admin.get(`/residents/${crypto.randomUUID()}`)).statusCode).toBe(404);
    const forged = await admin.get(`/residents/${encodeURIComponent("1' OR '1'='1")}`);
    expect(forged.statusCode).toBe(404);
    expect(forged.body).toContain('該当する住民がいません');
  });

  it('reveals the number once for a stated purpose, unstored and audited', async () => {
    const id = idOf('1001');
    const res = await admin.postForm(`/residents/${id}/my-number`, { purpose: '本人確認のため' }, `/residents/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.location).toBeUndefined();
    expect(res.body).toContain(`<code id="my-number" class="secret">${MN1}</code>`);
    const audit = await withTenantScope(t.db, { municipalityCode: A, userId: 't', terminalId: 't', purpose: 't' }, (tx) =>
      tx.query<{ result: string; subject_person_id: string; detail: Record<string, unknown> }>(
        `SELECT result, subject_person_id, detail FROM audit_log WHERE action = 'mynumber.reveal' ORDER BY seq`,
      ),
    );
    expect(audit).toContainEqual(expect.objectContaining({ result: 'ok', subject_person_id: id, detail: expect.objectContaining({ purpose: '本人確認のため' }) }));
    expect(t.logs.join('')).not.toContain(MN1);
    // Afterwards the page is masked again.
    expect((await admin.get(`/residents/${id}`)).body).not.toContain(MN1);
  });

  it('refuses a reveal without a purpose with 400 and no number', async () => {
    const id = idOf('1003');
    const res = await admin.postForm(`/residents/${id}/my-number`, { purpose: ' ' }, `/residents/${id}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('表示する目的を入力してください');
    expect(res.body).not.toContain(MN2);
    expect(res.body).not.toContain('id="my-number"');
  });

  it('never shows a number to a contracted data-entry account, and refuses its reveal with 403', async () => {
    clock += 120_000;
    const { oneTimePassword } = await createAccount(t.db, actorA, { loginId: 'contractor1', displayName: '委託 太郎', role: 'contractor_entry' });
    const contractor = new Client(t.app);
    await signInNew(contractor, A, 'contractor1', oneTimePassword, now);
    const id = idOf('1001');
    const pages = [
      await contractor.get('/residents'),
      await contractor.get('/residents?addressNumber=1001'),
      await contractor.get(`/residents/${id}`),
      await contractor.get(`/residents/${idOf('1003')}`),
      await contractor.get('/residents/duplicates'),
      await contractor.get('/residents/import'),
    ];
    expect(pages.map((p) => p.statusCode)).toEqual([200, 200, 200, 200, 403, 403]);
    for (const p of pages) {
      expect(p.body).not.toContain(MN1);
      expect(p.body).not.toContain(MN2);
    }
    expect(pages[0]?.body).not.toContain('href="/residents/import"');
    expect(pages[2]?.body).toContain('************');
    expect(pages[2]?.body).not.toContain('/my-number"');
    const reveal = await contractor.postForm(`/residents/${id}/my-number`, { purpose: '本人確認のため' }, `/residents/${id}`);
    expect(reveal.statusCode).toBe(403);
    expect(reveal.body).not.toContain(MN1);
    const denied = await withTenantScope(t.db, { municipalityCode: A, userId: 't', terminalId: 't', purpose: 't' }, (tx) =>
      tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'mynumber.reveal' AND result = 'denied'`),
    );
    expect(denied[0]?.n).toBeGreaterThanOrEqual(1);
    const up = await upload(contractor, { name: 'x.csv', content: RELOCATION });
    expect(up.statusCode).toBe(403);
  });

  it("keeps tenant B away from tenant A's residents", async () => {
    const page = await adminB.get(`/residents/${idOf('1001')}`);
    expect(page.statusCode).toBe(404);
    expect(page.body).not.toContain('髙橋');
    const search = await adminB.get('/residents?addressNumber=1001&includeInactive=1');
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain('該当する住民はいません');
    expect(search.body).not.toContain('髙橋');
    expect((await adminB.postForm(`/residents/${idOf('1001')}/my-number`, { purpose: '本人確認のため' }, '/residents')).statusCode).toBe(404);
  });

  it('uploads a file, shows progress until done, and reports the counts; the same file again is "already imported"', async () => {
    const content = csv(`1010,,新人 太郎,シンジン タロウ,1,2025-01-15,943-0800,新潟県上越市大手町9,504,世帯主,出生,2025-01-15,日本人,,,`);
    const res = await upload(admin, { name: 'birth.csv', content });
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/residents\/import\/[0-9a-f-]{36}$/);
    const running = await admin.get(location);
    expect(running.statusCode).toBe(200);
    expect(running.body).toContain('birth.csv');
    const body = await finishedJob(admin, location);
    expect(body).toContain('data-status="applied"');
    expect(body).toMatch(/新規: <strong>1<\/strong>/);
    expect(body).not.toContain('hx-trigger');
    expect((await searchPersons(t.db, actorA, { addressNumber: '1010' }))[0]?.name).toBe('新人 太郎');

    const again = await upload(admin, { name: 'birth-again.csv', content });
    const againBody = await finishedJob(admin, again.headers.location as string);
    expect(againBody).toContain('data-status="duplicate"');
    expect(againBody).toContain('このファイルは取り込み済みです');
    expect(againBody).toContain('何も変更されていません');

    // Another tenant's admin cannot see the job, by page or by poll.
    expect((await adminB.get(location)).statusCode).toBe(404);
    expect((await adminB.get(`${location}/status`)).statusCode).toBe(404);
    const poll = await adminB.app.inject({ url: `${location}/status`, headers: { cookie: cookieHeader(adminB), 'hx-request': 'true' } });
    expect(poll.statusCode).toBe(286); // htmx: stop polling
    expect(poll.body).not.toContain('birth.csv');
    expect(poll.body).toContain('台帳は一切変更されていません');
    const lost = await admin.get(`/residents/import/${crypto.randomUUID()}`);
    expect(lost.statusCode).toBe(404);
    expect(lost.body).toContain('サーバーが再起動すると失われます');
  });

  it('rejects a bad file with the full report and changes nothing', async () => {
    const bad = csv(
      `1020,,誤日 太郎,ゴビ タロウ,1,2025-02-30,943-0800,新潟県上越市大手町9,504,世帯主,出生,2025-02-01,日本人,,,`,
      `1021,123456789012,誤番 花子,ごばん はなこ,2,2025-01-01,943-0800,新潟県上越市大手町9,504,子,出生,2025-01-01,日本人,,,`,
    );
    const res = await upload(admin, { name: 'bad.csv', content: bad });
    expect(res.statusCode).toBe(303);
    const body = await finishedJob(admin, res.headers.location as string);
    expect(body).toContain('data-status="rejected"');
    expect(body).toContain('何も変更されていません');
    for (const th of ['行', 'データ行', '列', '値', '理由']) expect(body).toContain(`<th scope="col">${th}</th>`);
    expect(body).toMatch(/<td>2<\/td><td>1<\/td><td>生年月日<\/td>/);
    expect(body).toContain('<td>個人番号</td>');
    expect(body).toContain('氏名カナはカタカナで入力してください');
    expect(body).not.toContain('123456789012');
    expect(await searchPersons(t.db, actorA, { addressNumber: '1020', includeInactive: true })).toEqual([]);
    expect(await searchPersons(t.db, actorA, { addressNumber: '1021', includeInactive: true })).toEqual([]);
  });

  it('refuses an upload without a file or without the CSRF token', async () => {
    const empty = await upload(admin, { name: '', content: Buffer.alloc(0) });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('ファイルを選んでください');
    const { payload, contentType } = multipart({ mode: 'delta', encoding: 'auto' }, { name: 'x.csv', content: RELOCATION });
    const noToken = await t.app.inject({ method: 'POST', url: '/residents/import', headers: { cookie: cookieHeader(admin), 'content-type': contentType }, payload });
    expect(noToken.statusCode).toBe(403);
  });

  it('answers an oversized upload with a 413 page, not a 500', async () => {
    const small = await buildServer({ services: t.services, logger: createLogger('silent'), secureCookies: false, rateLimitPerMinute: 10_000, maxUploadBytes: 1024 });
    try {
      const client = new Client(small);
      for (const [k, v] of admin.cookies) client.cookies.set(k, v);
      const big = csv(...Array.from({ length: 40 }, (_, i) => `${3000 + i},,大 太郎,オオ タロウ,1,2000-01-01,943-0800,新潟県上越市大手町1,700,世帯主,転入,2025-01-01,日本人,,,`));
      expect(big.length).toBeGreaterThan(1024);
      const res = await upload(client, { name: 'big.csv', content: big });
      expect(res.statusCode).toBe(413);
      expect(res.body).toContain('ファイルが大きすぎます');
      expect(await searchPersons(t.db, actorA, { addressNumber: '3000', includeInactive: true })).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('lists duplicate candidates side by side and merges them with a reason', async () => {
    const page = await admin.get('/residents/duplicates');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('髙橋 一郎');
    expect(page.body).toContain('高橋 一郎');
    expect(page.body).toContain('<th scope="col">記録 A</th>');
    const pair = /<input type="hidden" name="a" value="([0-9a-f-]{36})"><input type="hidden" name="b" value="([0-9a-f-]{36})">/.exec(page.body);
    expect(pair).not.toBeNull();
    const [, a, b] = pair as RegExpExecArray;
    expect(new Set([a, b])).toEqual(new Set([idOf('1001'), idOf('1005')]));

    const noReason = await admin.postForm('/residents/merge', { a: a as string, b: b as string, survivor: 'a', reason: '' }, '/residents/duplicates');
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('統合の理由を入力してください');

    const survivor = idOf('1001');
    const keep = a === survivor ? 'a' : 'b';
    const merged = await admin.postForm('/residents/merge', { a: a as string, b: b as string, survivor: keep, reason: '同一人物（異体字の二重登録）' }, '/residents/duplicates');
    expect(merged.statusCode).toBe(303);
    expect(merged.headers.location).toBe('/residents/duplicates?done=merged');
    const after = await admin.get('/residents/duplicates?done=merged');
    expect(after.body).toContain('記録を統合しました');
    expect(after.body).toContain('重複候補はありません');
    const dup = await admin.get(`/residents/${idOf('1005')}`);
    expect(dup.body).toContain('この記録は別の記録に統合済みです');
    expect(dup.body).toContain(`href="/residents/${survivor}"`);
    expect(dup.body).toContain('同一人物（異体字の二重登録）');
    const search = await admin.get('/residents?kana=%E3%82%BF%E3%82%AB%E3%83%8F%E3%82%B7&includeInactive=1');
    expect(search.body).toContain('統合済み');
  });
});

describe('import progress fragment', () => {
  it('polls itself with htmx and shows a <progress> bar while running, and stops when done', () => {
    const ctx: ViewContext = { locale: 'ja', t: translator('ja'), csrfToken: 'x', user: null, path: '/residents/import/x' };
    const job: ImportJob = {
      id: crypto.randomUUID(), municipalityCode: A, startedBy: 'u', fileName: 'f.csv', mode: 'full', bytes: 10, startedAt: new Date(),
      phase: 'staging', done: 5000, total: 10000, finishedAt: null, outcome: null, failure: null,
    };
    const running = importJobFragment(ctx, job).value;
    expect(running).toContain(`hx-get="/residents/import/${job.id}/status" hx-trigger="every 1s" hx-swap="outerHTML"`);
    expect(running).toContain('<label for="import-progress">取り込みデータを準備中 (5,000 / 10,000)</label>');
    expect(running).toContain('<progress id="import-progress" class="import-progress" max="100" value="75">');
    const failed = importJobFragment(ctx, { ...job, phase: 'done', finishedAt: new Date(), failure: 'error' }).value;
    expect(failed).not.toContain('hx-get');
    expect(failed).toContain('台帳は変更されていません');
  });
});
