// In a real browser: another municipality's administrator cannot open a demo resident's page by
// its address, and an account locks after repeated failed sign-ins. controls: TEN-01, AUTH-04
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDemo } from './support.ts';
import { firstSignIn, launchChromium, startDemo } from './support.ts';

describe('tenant separation and lockout in Chromium', () => {
  let demo: RunningDemo;
  let browser: Browser;
  let otherPassword = '';
  beforeAll(async () => {
    [demo, browser] = await Promise.all([
      startDemo((sesshu) => {
        sesshu('tenant', 'create', '--code', '152226', '--name', '上越市', '--prefecture', '新潟県');
        otherPassword = /one-time password: (\S+)/.exec(sesshu('account', 'bootstrap-admin', '--tenant', '152226'))?.[1] ?? '';
      }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it("keeps a demo resident's page away from another municipality's administrator", async () => {
    const demoAdmin = await browser.newContext();
    const a = await demoAdmin.newPage();
    await firstSignIn(a, demo.url, { municipalityCode: demo.municipalityCode, oneTimePassword: demo.oneTimePassword, newPassword: 'Sakura-Tenant-Test-2026!' });
    await a.goto(`${demo.url}residents?kana=${encodeURIComponent('ア')}`);
    const link = a.locator('main table a[href^="/residents/"]').first();
    const href = (await link.getAttribute('href')) ?? '';
    const name = ((await link.textContent()) ?? '').trim();
    expect(href).toMatch(/^\/residents\/[0-9a-f-]{36}$/);
    await a.goto(`${demo.url}${href.slice(1)}`);
    await expect(a.locator('main').textContent()).resolves.toContain(name);

    const other = await browser.newContext();
    const b = await other.newPage();
    await firstSignIn(b, demo.url, { municipalityCode: '152226', oneTimePassword: otherPassword, newPassword: 'Joetsu-Tenant-Test-2026!' });
    const res = await b.goto(`${demo.url}${href.slice(1)}`);
    expect(res?.status()).toBe(404);
    expect(await b.content()).not.toContain(name);
    await b.goto(`${demo.url}residents?kana=${encodeURIComponent('ア')}`);
    expect(await b.locator('main table a[href^="/residents/"]').count()).toBe(0);
  });

  it('locks the account after five wrong passwords, even for the right one', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    for (let i = 0; i < 5; i++) {
      await p.goto(`${demo.url}login`);
      await p.fill('#municipalityCode', '152226');
      await p.fill('#loginId', 'admin');
      await p.fill('#password', `wrong-${i}`);
      await p.click('main button[type=submit]');
    }
    await expect(p.locator('.message.error').textContent()).resolves.toContain('ロック');
    await p.fill('#password', 'Joetsu-Tenant-Test-2026!');
    await p.click('main button[type=submit]');
    await expect(p.locator('.message.error').textContent()).resolves.toContain('ロック');
    expect(p.url()).toMatch(/\/login$/);
  });
});
