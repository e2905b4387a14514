// A newcomer's first minutes, in a real browser against the real `npm start` server: sign in
// with the printed one-time password, choose a password, enrol TOTP, reach the dashboard,
// switch to English, sign out. control: AUTH-02
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../src/security/totp.ts';
import type { RunningDemo } from './support.ts';
import { launchChromium, SCREENSHOT_DIR, startDemo } from './support.ts';

const NEW_PASSWORD = 'Sakura-City-Demo-2026!';

describe('sign-in in Chromium', () => {
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('walks from the one-time password to the dashboard', async () => {
    await page.goto(demo.url);
    expect(page.url()).toMatch(/\/login$/);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('ja');
    expect(await page.inputValue('#municipalityCode')).toBe(demo.municipalityCode);
    await page.fill('#loginId', 'admin');
    await page.fill('#password', demo.oneTimePassword);
    await page.click('button[type=submit]');

    await page.waitForURL(/\/password$/);
    await page.fill('#current', demo.oneTimePassword);
    await page.fill('#next', NEW_PASSWORD);
    await page.fill('#again', NEW_PASSWORD);
    await page.click('main button[type=submit]');

    await page.waitForURL(/\/totp\/enrol$/);
    const secret = (await page.textContent('#totp-secret'))?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await page.fill('#code', generateTotp(secret, new Date()));
    await page.click('main button[type=submit]');

    await page.waitForURL(demo.url);
    await expect(page.textContent('h1')).resolves.toBe('ホーム');
    await expect(page.textContent('.who')).resolves.toContain('さくら市（デモ）');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-ja.png') });
  });

  it('switches the interface to English and back', async () => {
    await page.click('a.lang');
    await expect(page.textContent('h1')).resolves.toBe('Home');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-en.png') });
    await page.click('a.lang');
    await expect(page.textContent('h1')).resolves.toBe('ホーム');
  });

  it('can be used from the keyboard: the first Tab reaches the skip link', async () => {
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement?.className')).resolves.toBe('skip');
  });

  it('signs out and cannot come back without signing in', async () => {
    await page.click('form[action="/logout"] button');
    await page.waitForURL(/\/login$/);
    await page.goto(demo.url);
    expect(page.url()).toMatch(/\/login$/);
  });
});
