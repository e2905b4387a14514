// Issue 6 end to end in Chromium on the demo city: an officer previews a selection, creates a
// notice batch from it, downloads its ticket stickers and 予診票 (real PDFs whose text holds the
// selected names and OCR lines of this municipality), and reads the coverage page with its SVG
// charts and a drill-down list. No page or PDF carries a My Number.
// controls: AC-01, AC-04, LOG-01
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCityGenerator } from '../../src/modules/residents/generator.ts';
import { demoCityOptions } from '../../src/modules/demo/setup.ts';
import type { RunningDemo } from './support.ts';
import { myNumbersIn } from '../support/my-number-scan.ts';
import { firstSignIn, launchChromium, SCREENSHOT_DIR, startDemo } from './support.ts';

/** Vaccines tried in turn until one has a selection small enough to print in a test. */
const CANDIDATES = ['mr', 'pcv', 'dpt_ipv_hib', 'hepb', 'bcg', 'var', 'je', 'rota'];

function demoMyNumbers(): Set<string> {
  const gen = createCityGenerator(demoCityOptions());
  const col = gen.header.indexOf('個人番号');
  const out = new Set<string>();
  for (const row of gen.fullRows()) if (row[col]) out.add(row[col] as string);
  return out;
}

function pdfText(pdf: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-e2e-pdf-'));
  try {
    const file = path.join(dir, 'x.pdf');
    fs.writeFileSync(file, pdf);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('selection, mailing batch PDFs and coverage in Chromium', () => {
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;
  let myNumbers: Set<string>;
  const bodies: string[] = [];

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchChromium()]);
    myNumbers = demoMyNumbers();
    const ctx = await browser.newContext({ locale: 'ja-JP' });
    page = await ctx.newPage();
    ctx.on('response', (res) => {
      const type = res.headers()['content-type'] ?? '';
      if (/text\/html/.test(type) && res.status() < 300) void res.text().then((b) => bodies.push(b), () => undefined);
    });
    await firstSignIn(page, demo.url, { municipalityCode: demo.municipalityCode, oneTimePassword: demo.oneTimePassword, newPassword: 'Sakura-Mailings-2026!' });
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  const selected: string[] = [];
  let batchUrl = '';

  it('previews a selection and creates a notice batch from it', async () => {
    let rows = 0;
    for (const vaccine of CANDIDATES) {
      await page.goto(`${demo.url}selection`);
      await page.selectOption('#f-vaccine', vaccine);
      await page.click('form.selection-form button[type=submit]');
      await page.waitForSelector('#selection-rows');
      rows = Number((await page.textContent('#selection-rows'))?.replace(/,/g, ''));
      if (rows >= 1 && rows <= 300) break;
    }
    expect(rows).toBeGreaterThanOrEqual(1);
    expect(rows).toBeLessThanOrEqual(300);
    selected.push(...(await page.$$eval('table.selection-rows tbody th', (ths) => ths.map((th) => th.textContent ?? ''))));
    expect(selected.length).toBeGreaterThan(0);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'selection-ja.png'), fullPage: true });
    await page.click('form.batch-create button[type=submit]');
    await page.waitForURL(/\/selection\/batches\/[0-9a-f-]{36}\?created=1/);
    batchUrl = page.url().split('?')[0] as string;
    expect(await page.textContent('#batch-items')).toContain(String(rows));
  });

  it('downloads ticket stickers and 予診票 holding the selected names and this city’s OCR lines', async () => {
    const tickets = await page.request.get(`${batchUrl}/tickets.pdf`);
    expect(tickets.status()).toBe(200);
    const ticketText = pdfText(await tickets.body());
    const ocr = [...ticketText.matchAll(/\b(\d{18})\b/g)].map((m) => m[1] as string);
    expect(ocr.length).toBeGreaterThan(0);
    for (const line of ocr) expect(line.slice(2, 8)).toBe(demo.municipalityCode);
    const questionnaires = pdfText(await (await page.request.get(`${batchUrl}/questionnaire.pdf`)).body());
    const firstName = (selected[0] ?? '').replace(/\s+/g, ' ').trim();
    expect(questionnaires.replace(/\s+/g, ' ')).toContain(firstName);
    for (const text of [ticketText, questionnaires]) for (const mn of myNumbers) expect(text.includes(mn)).toBe(false);
  });

  it('shows coverage with SVG charts, and the residents behind a count', async () => {
    await page.goto(`${demo.url}coverage`);
    expect(await page.locator('table.cov-table').count()).toBeGreaterThan(0);
    await page.selectOption('#vaccine', 'mr');
    await page.click('form.filter-form button[type=submit]');
    await page.waitForSelector('svg');
    expect(await page.locator('main svg').count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'coverage-ja.png'), fullPage: true });
    const link = page.locator('a[href^="/coverage/persons"]').first();
    const expected = Number((await link.textContent())?.replace(/,/g, ''));
    expect(expected).toBeGreaterThan(0);
    await link.click();
    await page.waitForURL(/\/coverage\/persons/);
    expect(await page.locator('main table tbody tr').count()).toBe(Math.min(expected, 50));
  });

  it('sent no page with a My Number', () => {
    expect(bodies.length).toBeGreaterThan(3);
    for (const body of bodies) expect(myNumbersIn(body, myNumbers).filter((m) => myNumbers.has(m))).toEqual([]);
  });
});
