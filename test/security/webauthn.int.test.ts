// Security keys as the second factor, over the real HTTP pipeline on both engines, with a software
// authenticator: enrol a key instead of TOTP, sign in with it, and every way a session might try
// to get past the second factor without a valid assertion. control: AUTH-02, LOG-02
import type { LightMyRequestResponse } from 'fastify';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenantScope } from '../../src/db/scoped.ts';
import { bootstrapAdmin } from '../../src/security/accounts.ts';
import { verifyAuditLog } from '../../src/security/audit-verify.ts';
import { RECENT_SIGN_IN_MINUTES, relyingPartyFor } from '../../src/security/webauthn.ts';
import type { TestApp } from '../support/app.ts';
import { addTenant, Client, createTestApp, NEW_PASSWORD, signInNewAdmin } from '../support/app.ts';
import { testEngines } from '../support/engines.ts';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';

const A = '152226';
const B = '112020';
const ORIGIN = 'http://localhost:3000';

/** JSON POST as /assets/webauthn.js sends it: cookies, accept JSON, CSRF token in a header. */
async function postJson(client: Client, url: string, body: unknown, csrf: string | null): Promise<LightMyRequestResponse> {
  const res = await client.app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': 'application/json',
      accept: 'application/json',
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
    },
    payload: JSON.stringify(body),
  });
  for (const c of res.cookies as { name: string; value: string }[]) client.cookies.set(c.name, c.value);
  return res;
}

async function csrfOf(client: Client, page: string): Promise<string> {
  const body = (await client.get(page)).body;
  const token = /data-csrf="([^"]+)"/.exec(body)?.[1] ?? /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  if (!token) throw new Error(`no CSRF token on ${page}`);
  return token;
}

/** Password (and first-time password change) only: the session then waits for its second factor. */
async function passwordOnly(client: Client, code: string, loginId: string, password: string, change = false): Promise<string | undefined> {
  let res = await client.postForm('/login', { municipalityCode: code, loginId, password }, '/login');
  if (change) res = await client.postForm('/password', { current: password, next: NEW_PASSWORD, again: NEW_PASSWORD });
  return res.headers.location as string | undefined;
}

async function enrolKey(client: Client, key: SoftAuthenticator, nickname = 'テスト用キー'): Promise<LightMyRequestResponse> {
  const csrf = await csrfOf(client, '/totp/enrol');
  const options = (await postJson(client, '/totp/enrol/webauthn/options', {}, csrf)).json() as { options: PublicKeyCredentialCreationOptionsJSON };
  return postJson(client, '/totp/enrol/webauthn', { response: key.register(options.options), nickname }, csrf);
}

async function assertionOptions(client: Client): Promise<{ csrf: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const csrf = await csrfOf(client, '/totp');
  const res = await postJson(client, '/totp/webauthn/options', {}, csrf);
  expect(res.statusCode).toBe(200);
  return { csrf, options: (res.json() as { options: PublicKeyCredentialRequestOptionsJSON }).options };
}

describe.each(testEngines)('WebAuthn second factor on $name', (engine) => {
  let t: TestApp;
  let adminA: { adminPassword: string };
  let adminB: { adminPassword: string };
  let clock = Date.now();
  const now = () => new Date(clock);
  const key = new SoftAuthenticator(ORIGIN);
  const stageOf = async (client: Client) => (await t.services.sessions.resolve(client.cookies.get('sesshu_session')))?.stage;
  const auditActions = (code: string) =>
    withTenantScope(t.db, { municipalityCode: code, userId: 'test', terminalId: 'test', purpose: 'test' }, (tx) =>
      tx.query<{ action: string; result: string; detail: Record<string, unknown> }>('SELECT action, result, detail FROM audit_log ORDER BY seq'),
    );

  beforeAll(async () => {
    t = await createTestApp(await engine.open(), { now });
    adminA = await addTenant(t, A, '上越市');
    adminB = await addTenant(t, B, '熊谷市');
  });
  afterAll(async () => {
    await t?.close();
    await t?.db.close();
  });

  it('takes the relying party from the origin', () => {
    expect(relyingPartyFor('https://sesshu.city.example.lg.jp')).toMatchObject({ id: 'sesshu.city.example.lg.jp', origin: 'https://sesshu.city.example.lg.jp' });
    expect(relyingPartyFor('http://localhost:3000/')).toMatchObject({ id: 'localhost', origin: 'http://localhost:3000' });
  });

  it('offers a security key on the enrolment page, with same-origin scripts only', async () => {
    const client = new Client(t.app);
    expect(await passwordOnly(client, A, 'admin', adminA.adminPassword, true)).toBe('/totp/enrol');
    const page = (await client.get('/totp/enrol')).body;
    expect(page).toContain('data-webauthn="register"');
    expect(page).toContain('<script src="/assets/webauthn.js" defer></script>');
    expect(page).not.toMatch(/<script>|<script [^>]*>[^<]+<\/script>|onclick=/);
    for (const asset of ['/assets/webauthn.js', '/assets/simplewebauthn-browser.js']) {
      const res = await t.app.inject({ url: asset });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/javascript');
    }
    expect((await t.app.inject({ url: '/assets/simplewebauthn-browser.js' })).body).toContain('SimpleWebAuthnBrowser');
  });

  it('registers a security key instead of TOTP and reaches the dashboard', async () => {
    const client = new Client(t.app);
    await passwordOnly(client, A, 'admin', NEW_PASSWORD);
    expect(await stageOf(client)).toBe('totp_enrol');
    const res = await enrolKey(client, key);
    expect(res.json()).toEqual({ ok: true, redirect: '/' });
    expect(await stageOf(client)).toBe('active');
    expect((await client.get('/')).statusCode).toBe(200);
    const keys = (await client.get('/account/security-keys')).body;
    expect(keys).toContain('テスト用キー');
    const actions = await auditActions(A);
    expect(actions).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'webauthn.register', result: 'ok' })]));
    expect(actions.at(-1)).toMatchObject({ action: 'login.ok', detail: { factor: 'webauthn' } });
  });

  it('asks for the key, not for TOTP enrolment, at the next sign-in, and signs in with it', async () => {
    const client = new Client(t.app);
    expect(await passwordOnly(client, A, 'admin', NEW_PASSWORD)).toBe('/totp');
    const page = (await client.get('/totp')).body;
    expect(page).toContain('セキュリティキーを使用');
    expect(page).not.toContain('action="/totp"'); // this account holds no TOTP secret
    expect((await client.get('/totp/enrol')).headers.location).toBe('/totp');
    const { csrf, options } = await assertionOptions(client);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([key.credentialId]);
    const res = await postJson(client, '/totp/webauthn', { response: key.authenticate(options) }, csrf);
    expect(res.json()).toEqual({ ok: true, redirect: '/' });
    expect((await client.get('/')).statusCode).toBe(200);
  });

  // control: AUTH-02 — no path past the second factor without a valid assertion.
  it('cannot skip the second factor through the WebAuthn endpoints', async () => {
    const client = new Client(t.app);
    await passwordOnly(client, A, 'admin', NEW_PASSWORD);
    const csrf = await csrfOf(client, '/totp');
    const verify = (response: unknown, token: string | null = csrf) => postJson(client, '/totp/webauthn', { response }, token);

    // No CSRF header: refused before anything else.
    expect((await verify({}, null)).statusCode).toBe(403);
    // No challenge was issued for this session.
    expect((await verify(key.authenticate({ challenge: 'bm90LWlzc3VlZA', rpId: 'localhost' }))).json()).toMatchObject({ ok: false, error: 'no_challenge' });
    // Garbage: refused, and it used up the challenge.
    await assertionOptions(client);
    expect((await verify({ id: 'x' })).json()).toMatchObject({ ok: false, error: 'bad_response' });
    expect((await verify('nonsense')).json()).toMatchObject({ ok: false, error: 'no_challenge' });
    // A key the account does not hold.
    let opts = (await assertionOptions(client)).options;
    const stranger = new SoftAuthenticator(ORIGIN);
    expect((await verify({ ...stranger.authenticate(opts) })).json()).toMatchObject({ ok: false, error: 'unknown_credential' });
    // The right key id with someone else's signature.
    opts = (await assertionOptions(client)).options;
    expect((await verify({ ...stranger.authenticate(opts), id: key.credentialId, rawId: key.credentialId })).json()).toMatchObject({
      ok: false,
      error: 'not_verified',
    });
    // A genuine assertion made for another origin (phishing site).
    opts = (await assertionOptions(client)).options;
    expect((await verify(key.authenticate(opts, { origin: 'https://sesshu-login.example.com' }))).json()).toMatchObject({ ok: false, error: 'not_verified' });
    // A genuine assertion for a different challenge, then replayed after it was accepted elsewhere.
    const other = new Client(t.app);
    await passwordOnly(other, A, 'admin', NEW_PASSWORD);
    const otherOpts = await assertionOptions(other);
    const good = key.authenticate(otherOpts.options);
    await assertionOptions(client);
    expect((await verify(good)).json()).toMatchObject({ ok: false, error: 'not_verified' });
    expect((await postJson(other, '/totp/webauthn', { response: good }, otherOpts.csrf)).json()).toMatchObject({ ok: true });
    expect((await postJson(other, '/totp/webauthn', { response: good }, otherOpts.csrf)).statusCode).not.toBe(200);
    // Registering a new key needs the enrolment stage: with a password alone it is refused.
    expect((await postJson(client, '/totp/enrol/webauthn/options', {}, csrf)).statusCode).toBe(409);
    expect((await postJson(client, '/totp/enrol/webauthn', { response: stranger.register({ challenge: 'eA', rp: { id: 'localhost', name: 'x' } } as never) }, csrf)).statusCode).toBe(409);
    expect((await postJson(client, '/account/security-keys/options', {}, csrf)).statusCode).toBe(401);
    expect((await postJson(client, '/account/security-keys', {}, csrf)).statusCode).toBe(401);
    // After all that, still waiting for the second factor.
    expect(await stageOf(client)).toBe('totp');
    expect((await client.get('/')).headers.location).toBe('/totp');
    const failures = (await auditActions(A)).filter((a) => a.action === 'login.webauthn' && a.result === 'failed');
    expect(failures.map((f) => f.detail.why)).toEqual(
      expect.arrayContaining(['no_challenge', 'bad_response', 'unknown_credential', 'not_verified']),
    );
  });

  it('lets a challenge expire', async () => {
    const client = new Client(t.app);
    await passwordOnly(client, A, 'admin', NEW_PASSWORD);
    const { csrf, options } = await assertionOptions(client);
    clock += 6 * 60_000;
    expect((await postJson(client, '/totp/webauthn', { response: key.authenticate(options) }, csrf)).json()).toMatchObject({
      ok: false,
      error: 'challenge_expired',
    });
    expect(await stageOf(client)).toBe('totp');
  });

  // control: AUTH-02 — a signature counter that goes back means a cloned key: refused and audited.
  it('refuses a key whose signature counter went backwards', async () => {
    const client = new Client(t.app);
    await passwordOnly(client, A, 'admin', NEW_PASSWORD);
    const { csrf, options } = await assertionOptions(client);
    const res = await postJson(client, '/totp/webauthn', { response: key.authenticate(options, { counter: 1 }) }, csrf);
    expect(res.json()).toMatchObject({ ok: false, error: 'counter_regressed' });
    expect(await stageOf(client)).toBe('totp');
    const last = (await auditActions(A)).filter((a) => a.action === 'login.webauthn').at(-1);
    expect(last).toMatchObject({ result: 'failed', detail: { why: 'counter_regressed' } });
    key.counter = 100; // the genuine key carries on counting
  });

  it('does not accept another account’s key', async () => {
    const officer = await bootstrapAdmin(t.db, A, { loginId: 'officer1', displayName: '担当 花子' });
    const officerKey = new SoftAuthenticator(ORIGIN);
    const c = new Client(t.app);
    expect(await passwordOnly(c, A, 'officer1', officer.oneTimePassword, true)).toBe('/totp/enrol');
    expect((await enrolKey(c, officerKey)).json()).toMatchObject({ ok: true });
    const admin = new Client(t.app);
    await passwordOnly(admin, A, 'admin', NEW_PASSWORD);
    const { csrf, options } = await assertionOptions(admin);
    expect((await postJson(admin, '/totp/webauthn', { response: officerKey.authenticate(options) }, csrf)).json()).toMatchObject({
      error: 'unknown_credential',
    });
  });

  it('adds and removes keys once signed in, but never the last second factor', async () => {
    const client = new Client(t.app);
    await passwordOnly(client, A, 'admin', NEW_PASSWORD);
    const first = await assertionOptions(client);
    expect((await postJson(client, '/totp/webauthn', { response: key.authenticate(first.options) }, first.csrf)).json()).toMatchObject({ ok: true });

    const csrf = await csrfOf(client, '/account/security-keys');
    const onlyKeyRemoval = await client.postForm('/account/security-keys/remove', { id: key.credentialId }, '/account/security-keys');
    expect(onlyKeyRemoval.statusCode).toBe(409);

    const spare = new SoftAuthenticator(ORIGIN);
    const options = (await postJson(client, '/account/security-keys/options', {}, csrf)).json() as { options: PublicKeyCredentialCreationOptionsJSON };
    expect(options.options.excludeCredentials?.map((c) => c.id)).toEqual([key.credentialId]);
    expect((await postJson(client, '/account/security-keys', { response: spare.register(options.options), nickname: '予備キー' }, csrf)).json()).toEqual({
      ok: true,
      redirect: '/account/security-keys?added=1',
    });
    const again = (await postJson(client, '/account/security-keys/options', {}, csrf)).json() as { options: PublicKeyCredentialCreationOptionsJSON };
    expect((await postJson(client, '/account/security-keys', { response: spare.register(again.options) }, csrf)).json()).toMatchObject({
      error: 'duplicate_credential',
    });
    expect((await client.get('/account/security-keys')).body).toContain('予備キー');

    // control: AUTH-02 — a session signed in longer ago than RECENT_SIGN_IN_MINUTES cannot add a key.
    clock += (RECENT_SIGN_IN_MINUTES + 1) * 60_000;
    const stale = await postJson(client, '/account/security-keys/options', {}, csrf);
    expect(stale.statusCode).toBe(403);
    expect(stale.json()).toMatchObject({ ok: false, error: 'reauth_required' });
    expect((stale.json() as { message: string }).message).toContain('もう一度ログイン');
    expect(await auditActions(A)).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'webauthn.register', result: 'denied' })]));

    const removed = await client.postForm('/account/security-keys/remove', { id: key.credentialId }, '/account/security-keys');
    expect(removed.headers.location).toBe('/account/security-keys?removed=1');
    expect((await t.services.webauthn.listKeys((await t.services.sessions.resolve(client.cookies.get('sesshu_session')))!)).map((k) => k.nickname)).toEqual([
      '予備キー',
    ]);
    expect((await auditActions(A)).map((a) => a.action)).toEqual(expect.arrayContaining(['webauthn.remove']));
  });

  it('keeps the audit chain intact', async () => {
    expect((await verifyAuditLog(t.db, A)).ok).toBe(true);
  });

  it('still signs in with TOTP, through the shared activation', async () => {
    const client = new Client(t.app);
    await signInNewAdmin(client, B, adminB.adminPassword, now);
    expect((await auditActions(B)).at(-1)).toMatchObject({ action: 'login.ok', detail: { factor: 'totp' } });
    expect((await client.get('/totp')).headers.location).toBe('/');
  });
});
