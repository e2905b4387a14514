// A security key instead of an authenticator app, in a real browser against the real `npm start`
// server, with Chromium's virtual authenticator over CDP: one-time password, new password, register
// a key, dashboard, sign out, sign in again with password + key. And a half-signed-in session that
// posts to the WebAuthn endpoints without a valid assertion stays half-signed-in. control: AUTH-02
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDemo } from './support.ts';
import { launchChromium, SCREENSHOT_DIR, startDemo } from './support.ts';

const NEW_PASSWORD = 'Sakura-Passkey-Demo-2026!';

describe('security key sign-in in Chromium', () => {
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    }));
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  async function signInWithPassword(p: Page, password: string): Promise<void> {
    await p.goto(`${demo.url}login`);
    await p.fill('#loginId', 'admin');
    await p.fill('#password', password);
    await p.click('main button[type=submit]');
  }

  it('registers a security key instead of TOTP and lands on the dashboard', async () => {
    await signInWithPassword(page, demo.oneTimePassword);
    await page.waitForURL(/\/password$/);
    await page.fill('#current', demo.oneTimePassword);
    await page.fill('#next', NEW_PASSWORD);
    await page.fill('#again', NEW_PASSWORD);
    await page.click('main button[type=submit]');

    await page.waitForURL(/\/totp\/enrol$/);
    await page.fill('#webauthn-nickname', '仮想キー');
    await page.click('#webauthn-register');
    await page.waitForURL(demo.url);
    await expect(page.textContent('h1')).resolves.toBe('ホーム');

    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    await page.click('a.security-keys');
    await expect(page.textContent('#security-keys')).resolves.toContain('仮想キー');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'security-keys-ja.png') });
  });

  it('signs out, then signs in again with the password and the key', async () => {
    await page.click('form[action="/logout"] button');
    await page.waitForURL(/\/login$/);
    await signInWithPassword(page, NEW_PASSWORD);
    await page.waitForURL(/\/totp$/);
    await expect(page.locator('#code').count()).resolves.toBe(0); // no TOTP on this account: the key is the factor
    await page.getByRole('button', { name: 'セキュリティキーを使用' }).click();
    await page.waitForURL(demo.url);
    await expect(page.textContent('h1')).resolves.toBe('ホーム');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials[0]?.signCount).toBeGreaterThan(0);
  });

  it('cannot skip the key by posting to the WebAuthn endpoints without a valid assertion', async () => {
    // A second browser profile that knows the password but holds no key.
    const context = await browser.newContext();
    const intruder = await context.newPage();
    try {
      await signInWithPassword(intruder, NEW_PASSWORD);
      await intruder.waitForURL(/\/totp$/);
      const token = (await intruder.getAttribute('[data-csrf]', 'data-csrf')) ?? '';
      // Runs in the page, so the requests carry the session and CSRF cookies as the real script's do.
      const statuses = await intruder.evaluate(async (csrf: string) => {
        const post = async (url: string, body: unknown, token = csrf) => {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': token },
            body: JSON.stringify(body),
          });
          return res.status;
        };
        const optionsRes = await fetch('/totp/webauthn/options', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
          body: '{}',
        });
        const { options } = (await optionsRes.json()) as { options: { allowCredentials: { id: string }[] } };
        const id = options.allowCredentials[0]?.id ?? '';
        const forged = {
          id,
          rawId: id,
          type: 'public-key',
          clientExtensionResults: {},
          response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
        };
        return {
          forged: await post('/totp/webauthn', { response: forged }),
          replay: await post('/totp/webauthn', { response: forged }),
          empty: await post('/totp/webauthn', {}),
          noCsrf: await post('/totp/webauthn', { response: forged }, ''),
          enrol: await post('/totp/enrol/webauthn/options', {}),
          addKey: await post('/account/security-keys/options', {}),
        };
      }, token);
      expect(statuses).toEqual({ forged: 400, replay: 400, empty: 400, noCsrf: 403, enrol: 409, addKey: 401 });
      await intruder.goto(demo.url);
      expect(intruder.url()).toMatch(/\/totp$/);
    } finally {
      await context.close();
    }
  });
});
