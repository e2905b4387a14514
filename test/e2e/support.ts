// Starts the real `sesshu demo start` (what `npm start` runs) on a free port with a fresh data
// directory, and drives Debian's Chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

export type SesshuCli = (...args: string[]) => string;

export interface RunningDemo {
  /** The server's address; a restart moves it to a new port. */
  url: string;
  municipalityCode: string;
  oneTimePassword: string;
  dataDir: string;
  process: ChildProcess;
  /**
   * Stops the server, runs `prepare` on its data directory (CLI commands, or in-process reads once
   * the lock is free), and starts it again on the same data. For set-up that needs the demo
   * municipality, which exists only after the first start.
   */
  restart(prepare: (sesshu: SesshuCli, dataDir: string) => void | Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

function cliFor(dataDir: string): SesshuCli {
  return (...args) => {
    const run = spawnSync(process.execPath, ['bin/sesshu.mjs', ...args], { env: { ...process.env, SESSHU_DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`sesshu ${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout;
  };
}

/** Runs `sesshu demo start` on dataDir and waits for its banner. */
async function serve(dataDir: string): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn(process.execPath, ['bin/sesshu.mjs', 'demo', 'start', '--port', '0'], {
    env: { ...process.env, SESSHU_DATA_DIR: dataDir, SESSHU_LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 150_000; // the demo generates its city first; slow on a loaded machine
  while (!/open http:\/\/localhost:\d+\/[\s\S]*stop with Ctrl\+C/.test(out)) {
    if (child.exitCode !== null) throw new Error(`demo exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`demo did not start in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, out };
}

async function halt(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** `prepare` runs CLI commands on the fresh data directory before the server takes its lock. */
export async function startDemo(prepare: (sesshu: SesshuCli) => void = () => undefined): Promise<RunningDemo> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-e2e-'));
  prepare(cliFor(dataDir));
  const { child, out } = await serve(dataDir);
  const demo: RunningDemo = {
    url: /open (http:\/\/localhost:\d+\/)/.exec(out)?.[1] as string,
    municipalityCode: /団体コード\): (\d{6})/.exec(out)?.[1] as string,
    oneTimePassword: /one-time password[^:]*: (\S+)/.exec(out)?.[1] as string,
    dataDir,
    process: child,
    async restart(again) {
      await halt(demo.process);
      await again(cliFor(dataDir), dataDir);
      const next = await serve(dataDir);
      demo.process = next.child;
      demo.url = /open (http:\/\/localhost:\d+\/)/.exec(next.out)?.[1] as string;
    },
    async stop() {
      await halt(demo.process);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return demo;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export const SCREENSHOT_DIR = path.join(os.tmpdir(), 'sesshu-e2e-screens');

/**
 * Password sign-in, first password change and TOTP enrolment; returns the enrolled secret.
 * `loginId` defaults to the demo's admin; `landing` is where the account ends up (default: home;
 * a venue account is sent on to /venue/session).
 */
export async function firstSignIn(
  page: Page,
  baseUrl: string,
  who: { municipalityCode: string; oneTimePassword: string; newPassword: string; loginId?: string; landing?: string | RegExp },
): Promise<string> {
  const { generateTotp } = await import('../../src/security/totp.ts');
  await page.goto(`${baseUrl}login`);
  await page.fill('#municipalityCode', who.municipalityCode);
  await page.fill('#loginId', who.loginId ?? 'admin');
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
  await page.waitForURL(who.landing ?? baseUrl);
  return secret;
}
