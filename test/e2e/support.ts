// Starts the real `sesshu demo start` (what `npm start` runs) on a free port with a fresh data
// directory, and drives Debian's Chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

export interface RunningDemo {
  url: string;
  municipalityCode: string;
  oneTimePassword: string;
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `prepare` runs CLI commands on the fresh data directory before the server takes its lock. */
export async function startDemo(prepare: (sesshu: (...args: string[]) => string) => void = () => undefined): Promise<RunningDemo> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-e2e-'));
  prepare((...args) => {
    const run = spawnSync(process.execPath, ['bin/sesshu.mjs', ...args], { env: { ...process.env, SESSHU_DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`sesshu ${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout;
  });
  const child = spawn(process.execPath, ['bin/sesshu.mjs', 'demo', 'start', '--port', '0'], {
    env: { ...process.env, SESSHU_DATA_DIR: dataDir, SESSHU_LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 90_000;
  while (!/one-time password[^:]*: (\S+)/.test(out)) {
    if (child.exitCode !== null) throw new Error(`demo exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`demo did not start in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const url = /open (http:\/\/localhost:\d+\/)/.exec(out)?.[1] as string;
  return {
    url,
    municipalityCode: /団体コード\): (\d{6})/.exec(out)?.[1] as string,
    oneTimePassword: /one-time password[^:]*: (\S+)/.exec(out)?.[1] as string,
    dataDir,
    process: child,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export const SCREENSHOT_DIR = path.join(os.tmpdir(), 'sesshu-e2e-screens');

/** Password sign-in, first password change and TOTP enrolment; returns the enrolled secret. */
export async function firstSignIn(page: Page, baseUrl: string, who: { municipalityCode: string; oneTimePassword: string; newPassword: string }): Promise<string> {
  const { generateTotp } = await import('../../src/security/totp.ts');
  await page.goto(`${baseUrl}login`);
  await page.fill('#municipalityCode', who.municipalityCode);
  await page.fill('#loginId', 'admin');
  await page.fill('#password', who.oneTimePassword);
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/password$/);
  await page.fill('#current', who.oneTimePassword);
  await page.fill('#next', who.newPassword);
  await page.fill('#again', who.newPassword);
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/totp\/enrol$/);
  const secret = (await page.textContent('#totp-secret'))?.trim() ?? '';
  await page.fill('#code', generateTotp(secret, new Date()));
  await page.click('main form[action="/totp/enrol"] button[type=submit]');
  await page.waitForURL(baseUrl);
  return secret;
}
