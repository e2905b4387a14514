// /audit and /accounts over HTTP on both engines: pages, CSV downloads, POST actions with CSRF,
// 403 for contractor and venue actors, and forged ids from another municipality.
// controls: LOG-05, LOG-03, AUTH-08, AUTH-09, AC-01, TEN-01
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenantScope } from '../../src/db/scoped.ts';
import { createAccount } from '../../src/security/accounts.ts';
import { actorFor, auditRows, testScope } from '../support/actors.ts';
import type { TestApp } from '../support/app.ts';
import { Client, addTenant, createTestApp, expectCspClean, signInNew, signInNewAdmin } from '../support/app.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const B = '112020';



describe.each(testEngines)('audit and account pages on $name', (engine) => {
  let t: TestApp;
  const clock = Date.now();
  const now = () => new Date(clock);
  const admin = (t0: TestApp) => new Client(t0.app);
  let adminA: Client;
  let auditorA: Client;
  let contractor: Client;
  let venue: Client;
  let bStaffId: string;

  beforeAll(async () => {
    t = await createTestApp(await engine.open(), { now });
    const a = await addTenant(t, A, '上越市');
    await addTenant(t, B, '熊谷市');
    adminA = admin(t);
    await signInNewAdmin(adminA, A, a.adminPassword, now);
    const actorA = await actorFor(t.db, A, 'admin');
    for (const [loginId, role] of [['kansa', 'auditor'], ['itaku', 'contractor_entry'], ['kaijo', 'venue']] as const) {
      const created = await createAccount(t.db, actorA, { loginId, displayName: `職員 ${loginId}`, role });
      const c = new Client(t.app);
      await signInNew(c, A, loginId, created.oneTimePassword, now);
      if (role === 'auditor') auditorA = c;
      else if (role === 'contractor_entry') contractor = c;
      else venue = c;
    }
    const actorB = await actorFor(t.db, B, 'admin');
    bStaffId = (await createAccount(t.db, actorB, { loginId: 'b-staff', displayName: '熊谷 職員', role: 'officer' })).id;
  });
  afterAll(async () => {
    await t?.close();
    await t?.db.close();
  });

  it('shows the audit search and the four review reports', async () => {
    const search = await auditorA.get('/audit?tab=search&action=login.');
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain('login.ok');
    expectCspClean(search.body);
    for (const tab of ['after_hours', 'bulk_lookups', 'failed_logins', 'self_lookups']) {
      const res = await auditorA.get(`/audit?tab=${tab}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(`href="/audit/export?tab=${tab}&amp;from=`);
      expectCspClean(res.body);
    }
    expect((await auditorA.get('/audit?tab=self_lookups')).body).toContain('住民記録機能の導入後');
    expect((await auditorA.get('/audit?tab=search&lang=en')).body).toContain('Audit log');
    await auditorA.get('/audit?lang=ja');
    const bad = await auditorA.get('/audit?tab=after_hours&from=2026-13-40');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('2026-13-40');
  });

  // control: LOG-05 — CSV download with a BOM, and the download is audited.
  it('downloads CSV with a BOM and logs the export', async () => {
    const res = await auditorA.get('/audit/export?tab=failed_logins');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-failed-logins-\d{8}-\d{6}\.csv"$/);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const search = await auditorA.get('/audit/export?tab=search&action=login.');
    expect(search.body.startsWith('\uFEFFentry,')).toBe(true);
    const exports = await auditRows(t.db, A, 'audit.export');
    expect(exports.map((e) => e.detail.export)).toEqual(['failed_logins', 'search']);
  });

  it('records a sign-off and shows it', async () => {
    const res = await auditorA.postForm('/audit/signoff', { report: 'after_hours', from: '2026-01-01', to: '2026-01-31', comment: '異常なし' }, '/audit');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain('done=signoff');
    const list = await auditorA.get('/audit?tab=signoffs');
    expect(list.body).toContain('異常なし');
  });

  // control: LOG-03 — the integrity box, for holders of audit.verify only.
  it('runs the integrity check for the auditor only', async () => {
    const ok = await auditorA.get('/audit/verify');
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('改ざんは検出されませんでした');
    expect((await auditorA.get('/audit')).body).toContain('href="/audit/verify"');
    expect((await adminA.get('/audit/verify')).statusCode).toBe(403);
  });

  // control: AC-01, AC-06, AC-07 — contractors and venue devices get no audit or account pages.
  it('answers 403 to contractor and venue actors', async () => {
    for (const c of [contractor, venue]) {
      for (const url of ['/audit', '/audit?tab=after_hours', '/audit/export?tab=search', '/audit/verify', '/accounts', '/accounts/review', '/accounts/review.csv']) {
        const res = await c.get(url);
        expect(res.statusCode, url).toBe(403);
        expect(res.body).not.toContain('kansa');
      }
      const post = await c.postForm(`/accounts/${bStaffId}/disable`, { reason: 'x' }, '/');
      expect(post.statusCode).toBe(403);
      expect((await c.get('/audit?tab=after_hours&from=garbage')).statusCode).toBe(403);
    }
    const denied = (await auditRows(t.db, A, 'audit.search')).filter((r) => r.result === 'denied');
    expect(denied.length).toBeGreaterThan(0);
  });

  it('lists accounts, creates one and shows its one-time password once', async () => {
    const list = await adminA.get('/accounts');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('kansa');
    expect(list.body).not.toContain('b-staff');
    expectCspClean(list.body);
    const created = await adminA.postForm('/accounts', { loginId: 'shinki', displayName: '新規 職員', department: '健康づくり課', role: 'officer', expiresOn: '' }, '/accounts');
    expect(created.statusCode).toBe(200);
    const password = /id="one-time-password" class="secret">([^<]+)</.exec(created.body)?.[1];
    expect(password).toBeTruthy();
    expect((await adminA.get('/accounts')).body).not.toContain(password as string);
    expect(t.logs.join('\n')).not.toContain(password as string);
    const dup = await adminA.postForm('/accounts', { loginId: 'shinki', displayName: 'x', department: '', role: 'officer', expiresOn: '' }, '/accounts');
    expect(dup.statusCode).toBe(400);
  });

  // control: AUTH-08, AC-02 — each action posts with CSRF, is audited and redirects with a message.
  it('runs the per-account actions and redirects back with a message', async () => {
    const c = new Client(t.app);
    const actorA = await actorFor(t.db, A, 'admin');
    const { id, oneTimePassword } = await createAccount(t.db, actorA, { loginId: 'ido', displayName: '異動 予定', role: 'officer' });
    await signInNew(c, A, 'ido', oneTimePassword, now);
    expect((await c.get('/')).statusCode).toBe(200);
    const page = await adminA.get(`/accounts/${id}`);
    expect(page.statusCode).toBe(200);
    expectCspClean(page.body);
    for (const action of ['role', 'expiry', 'reset', 'revoke', 'disable']) expect(page.body).toContain(`action="/accounts/${id}/${action}"`);

    const role = await adminA.postForm(`/accounts/${id}/role`, { role: 'auditor', reason: '異動', approvedBy: '課長', requestingDepartment: '総務課' }, `/accounts/${id}`);
    expect(role.headers.location).toBe(`/accounts/${id}?done=role`);
    expect((await adminA.get(role.headers.location as string)).body).toContain('権限を変更しました');
    const missing = await adminA.postForm(`/accounts/${id}/role`, { role: 'officer', reason: '', approvedBy: '' }, `/accounts/${id}`);
    expect(missing.statusCode).toBe(400);
    expect((await adminA.postForm(`/accounts/${id}/expiry`, { expiresOn: '2099-03-31' }, `/accounts/${id}`)).headers.location).toBe(`/accounts/${id}?done=expiry`);

    const reset = await adminA.postForm(`/accounts/${id}/reset`, {}, `/accounts/${id}`);
    expect(reset.statusCode).toBe(200);
    expect(reset.body).toMatch(/id="one-time-password"/);
    // The reset ended the session: the holder is back at the sign-in page.
    expect((await c.get('/')).headers.location).toBe('/login');

    const disable = await adminA.postForm(`/accounts/${id}/disable`, { reason: '退職' }, `/accounts/${id}`);
    expect(disable.headers.location).toBe(`/accounts/${id}?done=disabled`);
    const actions = await withTenantScope(t.db, testScope(A), (tx) =>
      tx.query<{ action: string }>(`SELECT action FROM audit_log WHERE detail->>'accountId' = $1 AND result = 'ok' ORDER BY seq`, [id]),
    );
    expect(actions.map((a) => a.action)).toEqual(['account.create', 'account.role_change', 'account.expiry', 'account.password_reset', 'account.disable']);
  });

  // control: TEN-01 — B's real account id is not found from A, and A's log records the attempt.
  it("refuses tenant B's account from tenant A even with its real id", async () => {
    expect((await adminA.get(`/accounts/${bStaffId}`)).statusCode).toBe(404);
    for (const action of ['disable', 'reset', 'revoke']) {
      const res = await adminA.postForm(`/accounts/${bStaffId}/${action}`, { reason: '不正' }, '/accounts');
      expect(res.statusCode, action).toBe(404);
      expect(res.body).toContain('該当するアカウントがありません');
    }
    const role = await adminA.postForm(`/accounts/${bStaffId}/role`, { role: 'admin', reason: 'x', approvedBy: 'y' }, '/accounts');
    expect(role.statusCode).toBe(404);
    const b = await withTenantScope(t.db, testScope(B), (tx) =>
      tx.query<{ role_id: string; disabled_at: Date | null }>('SELECT role_id, disabled_at FROM staff_accounts WHERE id = $1', [bStaffId]),
    );
    expect(b).toEqual([{ role_id: 'officer', disabled_at: null }]);
    const attempts = await withTenantScope(t.db, testScope(A), (tx) =>
      tx.query<{ action: string; result: string }>(`SELECT action, result FROM audit_log WHERE detail->>'accountId' = $1 ORDER BY seq`, [bStaffId]),
    );
    expect(attempts).toEqual([
      { action: 'account.disable', result: 'failed' },
      { action: 'account.password_reset', result: 'failed' },
      { action: 'account.revoke_sessions', result: 'failed' },
      { action: 'account.role_change', result: 'failed' },
    ]);
    const forged = await adminA.postForm(`/accounts/${encodeURIComponent("x' OR 1=1 --")}/reset`, {}, '/accounts');
    expect(forged.statusCode).toBe(404);
    expect(forged.body).not.toContain('syntax');
  });

  it('shows the account review with a CSV download', async () => {
    const res = await adminA.get('/accounts/review');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('アカウント棚卸し');
    expect(res.body).toContain('二要素未登録');
    expectCspClean(res.body);
    const csv = await auditorA.get('/accounts/review.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body.startsWith('\uFEFFid,login_id')).toBe(true);
    expect(csv.body).not.toContain('b-staff');
    // The auditor reviews accounts but cannot change them.
    expect((await auditorA.get('/accounts')).body).not.toContain('action="/accounts"');
    // control: AUTH-09 — the reviewer's sign-off goes into the chain.
    const signed = await auditorA.postForm('/accounts/review/signoff', { comment: '棚卸し完了' }, '/accounts/review');
    expect(signed.headers.location).toBe('/accounts/review?done=signoff');
    expect((await auditorA.get('/accounts/review?done=signoff')).body).toContain('確認を記録しました');
    expect((await auditRows(t.db, A, 'audit.signoff')).at(-1)).toMatchObject({ result: 'ok', detail: { report: 'account_review', comment: '棚卸し完了' } });
    expect((await contractor.postForm('/accounts/review/signoff', { comment: 'x' }, '/')).statusCode).toBe(403);
  });
});
