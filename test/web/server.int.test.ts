// The HTTP pipeline on both engines: headers, health, OpenAPI, staged sign-in with TOTP, CSRF,
// lockout, forged cookies, audit chain, and logs without secrets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenantScope } from '../../src/db/scoped.ts';
import { bootstrapAdmin } from '../../src/security/accounts.ts';
import { verifyAuditLog } from '../../src/security/audit-verify.ts';
import { generateTotp } from '../../src/security/totp.ts';
import type { TestApp } from '../support/app.ts';
import { addTenant, Client, createTestApp, NEW_PASSWORD, signInNew, signInNewAdmin } from '../support/app.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const B = '112020';

describe.each(testEngines)('web server on $name', (engine) => {
  let t: TestApp;
  let adminA: { adminPassword: string };
  let adminB: { adminPassword: string };
  // A clock the test moves on, so TOTP time steps never collide between tests.
  let clock = Date.now();
  const now = () => new Date(clock);
  beforeAll(async () => {
    t = await createTestApp(await engine.open(), { now });
    adminA = await addTenant(t, A, '上越市');
    adminB = await addTenant(t, B, '熊谷市');
  });
  afterAll(async () => {
    await t?.close();
    await t?.db.close();
  });

  it('answers /healthz and sends security headers', async () => {
    const res = await t.app.inject({ url: '/healthz' });
    expect(res.json()).toEqual({ status: 'ok', database: engine.name });
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('publishes an OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/healthz');
    expect(Object.keys(doc.paths)).not.toContain('/login');
  });

  it('sends anonymous visitors to the sign-in page and refuses the API', async () => {
    expect((await t.app.inject({ url: '/' })).headers.location).toBe('/login');
    expect((await t.app.inject({ url: '/residents' })).headers.location).toBe('/login');
    const login = await t.app.inject({ url: '/login' });
    expect(login.body).toContain('<html lang="ja">');
    expect(login.body).toContain('団体コード');
    expect((await t.app.inject({ url: '/login?lang=en' })).body).toContain('Municipality code');
  });

  // control: AUTH-02 — password and a second factor, with no path that skips either.
  it('signs in through password change and TOTP enrolment, then reaches the dashboard', async () => {
    const client = new Client(t.app);
    await signInNewAdmin(client, A, adminA.adminPassword, now);
    const home = await client.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('上越市');
    expect(home.body).toContain('メインメニュー');
  });

  it('does not let a half-signed-in session reach staff pages', async () => {
    const client = new Client(t.app);
    const res = await client.postForm('/login', { municipalityCode: B, loginId: 'admin', password: adminB.adminPassword }, '/login');
    expect(res.headers.location).toBe('/password');
    expect((await client.get('/')).headers.location).toBe('/password');
    expect((await client.get('/totp/enrol')).headers.location).toBe('/password');
  });

  it('refuses a state-changing request without the CSRF token', async () => {
    const client = new Client(t.app);
    await client.get('/login');
    const res = await client.send('POST', '/login', new URLSearchParams({ municipalityCode: A, loginId: 'admin', password: 'x' }).toString());
    expect(res.statusCode).toBe(403);
  });

  // control: AUTH-04 — lockout after repeated failures, also for the right password while locked.
  it('locks an account after five failed sign-ins', async () => {
    await t.services.sessions.login({ municipalityCode: A, loginId: 'nobody', password: 'x', terminalId: 't' });
    const victim = await bootstrapAdmin(t.db, A, { loginId: 'victim', displayName: '被害 太郎' });
    const attempt = (password: string) => t.services.sessions.login({ municipalityCode: A, loginId: 'victim', password, terminalId: 't' });
    for (let i = 0; i < 4; i++) expect(await attempt('wrong')).toEqual({ ok: false, reason: 'invalid' });
    expect(await attempt('wrong')).toEqual({ ok: false, reason: 'locked' });
    expect(await attempt(victim.oneTimePassword)).toEqual({ ok: false, reason: 'locked' });
  });

  // control: TEN-01 — a session cookie re-labelled with another tenant's code matches nothing.
  it('ignores a session cookie forged for another municipality', async () => {
    const client = new Client(t.app);
    const res = await client.postForm('/login', { municipalityCode: A, loginId: 'admin', password: NEW_PASSWORD }, '/login');
    expect(res.headers.location).toBe('/totp');
    const cookie = client.cookies.get('sesshu_session') as string;
    client.cookies.set('sesshu_session', cookie.replace(/^\d{6}/, B));
    expect((await client.get('/totp')).headers.location).toBe('/login');
  });

  // control: AUTH-02 — a TOTP code works once.
  it('refuses a replayed TOTP code', async () => {
    clock += 120_000;
    const c1 = new Client(t.app);
    const c2 = new Client(t.app);
    await c1.postForm('/login', { municipalityCode: A, loginId: 'admin', password: NEW_PASSWORD }, '/login');
    await c2.postForm('/login', { municipalityCode: A, loginId: 'admin', password: NEW_PASSWORD }, '/login');
    const s1 = await t.services.sessions.resolve(c1.cookies.get('sesshu_session'));
    const s2 = await t.services.sessions.resolve(c2.cookies.get('sesshu_session'));
    expect(s1?.stage).toBe('totp');
    expect(s2?.stage).toBe('totp');
    const code = generateTotp(await readTotpSecret(t, A), now());
    expect(await t.services.sessions.verifySecondFactor(s1!, code)).toBe('ok');
    expect(await t.services.sessions.verifySecondFactor(s2!, code)).toBe('invalid');
  });

  // control: AUTH-04 — wrong one-time codes lock the account too, even across fresh password sign-ins.
  it('locks an account after five wrong second-factor codes', async () => {
    const guesser = await bootstrapAdmin(t.db, A, { loginId: 'guesser', displayName: '推測 次郎' });
    await signInNew(new Client(t.app), A, 'guesser', guesser.oneTimePassword, now);
    const passwordStep = async (): Promise<Client> => {
      const client = new Client(t.app);
      const res = await client.postForm('/login', { municipalityCode: A, loginId: 'guesser', password: NEW_PASSWORD }, '/login');
      expect(res.headers.location).toBe('/totp');
      return client;
    };
    const first = await passwordStep();
    for (let i = 0; i < 3; i++) expect((await first.postForm('/totp', { code: '000000' }, '/totp')).statusCode).toBe(400);
    // Signing in again with the right password does not wipe the count.
    const second = await passwordStep();
    expect((await second.postForm('/totp', { code: '000000' }, '/totp')).statusCode).toBe(400);
    const locked = await second.postForm('/totp', { code: '000000' }, '/totp');
    expect(locked.statusCode).toBe(401);
    expect(locked.body).toContain('ロック');
    expect((await second.get('/totp')).headers.location).toBe('/login');
    // Locked: even the right password is refused now.
    expect(await t.services.sessions.login({ municipalityCode: A, loginId: 'guesser', password: NEW_PASSWORD, terminalId: 't' })).toEqual({ ok: false, reason: 'locked' });
  });

  // control: LOG-02, LOG-03 — sign-in events are chained, and the chain verifies.
  it('records sign-in events in an intact audit chain', async () => {
    expect((await verifyAuditLog(t.db, A)).ok).toBe(true);
    const actions = await withTenantScope(t.db, { municipalityCode: A, userId: 'test', terminalId: 'test', purpose: 'test' }, (tx) =>
      tx.query<{ action: string }>('SELECT DISTINCT action FROM audit_log ORDER BY action'),
    );
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['account.create', 'login.failed', 'account.lockout', 'login.password_ok', 'password.change', 'totp.enrol', 'login.ok']),
    );
  });

  // control: AC-04 — no password or one-time password reaches the logs.
  it('keeps passwords out of the logs', () => {
    const all = t.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(NEW_PASSWORD);
    expect(all).not.toContain(adminA.adminPassword);
  });
});

async function readTotpSecret(t: TestApp, code: string): Promise<string> {
  return withTenantScope(t.db, { municipalityCode: code, userId: 'test', terminalId: 'test', purpose: 'test' }, async (tx) => {
    const [row] = await tx.query<{ id: string; totp_secret: string }>(`SELECT id, totp_secret FROM staff_accounts WHERE login_id = 'admin'`);
    return t.services.vault.decrypt(tx, code, row!.totp_secret, { personId: row!.id, column: 'totp_secret' });
  });
}
