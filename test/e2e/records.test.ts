// Issue 7 end to end, in Chromium against the real `npm start` server and its demo city (10,000
// residents, every one with a synthetic My Number, and their vaccination histories):
// the administrator creates a contracted-entry account, a second officer and a venue tablet on
// /accounts; the contractor records a dose from a 予診票 found by 宛名番号 (provisional); the
// officer confirms it on the queue; the venue tablet sets its presets and records two tickets by
// typing their OCR lines, and a ticket typed twice is refused. Every HTML page and JSON body those
// three users receive is checked for My Numbers: any of the demo residents' numbers (with or
// without separators) and any standalone 12-digit run with a valid check digit.
// controls: AC-01, AC-07, AC-11, DATA-02, DATA-03, MN-01
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MUNICIPALITY } from '../../src/domain/municipality-code.ts';
import { DEMO_POPULATION, demoCityOptions } from '../../src/modules/demo/setup.ts';
import { confirmedHistories, personFacts } from '../../src/modules/records/dose-store.ts';
import { createCityGenerator } from '../../src/modules/residents/generator.ts';
import { scheduleEngine, todayInJapan } from '../../src/modules/schedule/contract.ts';
import { withTenantScope } from '../../src/db/scoped.ts';
import { openRuntime } from '../../src/runtime.ts';
import type { RunningDemo } from './support.ts';
import { myNumbersIn } from '../support/my-number-scan.ts';
import { firstSignIn, launchChromium, startDemo } from './support.ts';

interface Fixture {
  today: string;
  vaccine: string;
  dose: number;
  /** A master product of the vaccine and a lot of it in date today. */
  product: string;
  lot: string;
  clinic: { code: string; doctor: string };
  venue: { code: string; doctor: string };
  /** 宛名番号 and name: [0] for the 予診票, [1] and [2] for the venue. */
  persons: Array<{ addressNumber: string; name: string }>;
}

/**
 * Residents for whom `vaccine` dose `dose` is due today by the schedule engine, given their demo
 * histories (which depend on the day the demo was created), with the masters to record it.
 * Read in-process while the server is stopped (the embedded database allows one process).
 */
async function chooseFixture(dataDir: string): Promise<Fixture> {
  const rt = await openRuntime({ env: { ...process.env, SESSHU_DATA_DIR: dataDir, DATABASE_URL: '' } });
  try {
    return await withTenantScope(rt.db, { municipalityCode: DEMO_MUNICIPALITY.code, userId: 'e2e-setup', terminalId: 'e2e', purpose: 'choose test fixtures' }, async (tx) => {
      const today = todayInJapan();
      const persons = await tx.query<{ id: string; address_number: string; name: string }>(
        `SELECT id, address_number, name FROM persons WHERE status = 'resident' AND merged_into IS NULL ORDER BY address_number`,
      );
      const ids = persons.map((p) => p.id);
      const facts = await personFacts(tx, ids);
      const histories = await confirmedHistories(tx, ids);
      const due = new Map<string, typeof persons>();
      for (const p of persons) {
        const f = facts.get(p.id);
        if (!f) continue;
        const forecast = scheduleEngine().forecast({ birth: f.birth, sex: f.sex }, histories.get(p.id) ?? [], today);
        for (const n of forecast.next) {
          if (n.status !== 'due' || n.dose === null || n.dose > 9) continue;
          const key = `${n.vaccine}#${n.dose}`;
          due.set(key, [...(due.get(key) ?? []), p]);
        }
      }
      for (const [key, list] of [...due].sort((a, b) => b[1].length - a[1].length)) {
        if (list.length < 3) break;
        const [vaccine, dose] = key.split('#') as [string, string];
        const [lot] = await tx.query<{ product_name: string; lot_number: string }>(
          `SELECT l.product_name, l.lot_number FROM vaccine_lots l JOIN vaccine_products p ON p.municipality_code = l.municipality_code AND p.name = l.product_name
            WHERE p.vaccine_id = $1 AND l.expires_on >= $2::date ORDER BY l.expires_on, l.product_name, l.lot_number LIMIT 1`,
          [vaccine, today],
        );
        if (!lot) continue;
        const inst = await tx.query<{ code: string; is_venue: boolean; doctor: string }>(
          `SELECT i.code, i.is_venue, min(d.name) AS doctor FROM medical_institutions i JOIN doctors d ON d.municipality_code = i.municipality_code AND d.institution_code = i.code
            GROUP BY i.code, i.is_venue ORDER BY i.code`,
        );
        const clinic = inst.find((i) => !i.is_venue);
        const venue = inst.find((i) => i.is_venue);
        if (!clinic || !venue) throw new Error('the demo masters have no clinic or no venue');
        return {
          today, vaccine, dose: Number(dose), product: lot.product_name, lot: lot.lot_number,
          clinic: { code: clinic.code, doctor: clinic.doctor }, venue: { code: venue.code, doctor: venue.doctor },
          persons: list.slice(0, 3).map((p) => ({ addressNumber: p.address_number, name: p.name })),
        };
      }
      throw new Error(`no vaccine is due today for three demo residents: ${[...due].map(([k, v]) => `${k}:${v.length}`).join(' ')}`);
    });
  } finally {
    await rt.close();
  }
}

/** The demo city as src/modules/demo/setup.ts generates it: 宛名番号 → name, and every My Number. */
function demoCity(): { names: Map<string, string>; myNumbers: Set<string> } {
  const gen = createCityGenerator(demoCityOptions());
  const col = (name: string): number => gen.header.indexOf(name);
  const [addr, name, mn] = [col('宛名番号'), col('氏名'), col('個人番号')];
  const names = new Map<string, string>();
  const myNumbers = new Set<string>();
  for (const row of gen.fullRows()) {
    names.set(row[addr] ?? '', row[name] ?? '');
    if (row[mn]) myNumbers.add(row[mn]);
  }
  return { names, myNumbers };
}

/** Every same-origin HTML or JSON body a browser context receives. */
function recordBodies(ctx: BrowserContext, origin: string, who: string, into: Array<Promise<{ who: string; url: string; body: string } | null>>): void {
  ctx.on('response', (res) => {
    const type = res.headers()['content-type'] ?? '';
    if (!res.url().startsWith(origin) || !/text\/html|json/.test(type) || (res.status() >= 300 && res.status() < 400)) return;
    into.push(res.text().then((body) => ({ who, url: res.url(), body }), () => null));
  });
}

describe('vaccination records in Chromium: 予診票 entry, second-person check, venue mode, no My Number', () => {
  let demo: RunningDemo;
  let browser: Browser;
  let fx: Fixture;
  const ocr: string[] = [];
  const tickets: string[] = [];
  let city: { names: Map<string, string>; myNumbers: Set<string> };
  const bodies: Array<Promise<{ who: string; url: string; body: string } | null>> = [];
  const passwords: Record<string, string> = {};
  let admin: Page;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchChromium()]);
    city = demoCity();
    // The demo municipality exists only once the server has created it: stop, set up, start again.
    await demo.restart(async (sesshu, dataDir) => {
      fx = await chooseFixture(dataDir);
      for (const p of fx.persons.slice(1)) {
        const issued = JSON.parse(sesshu('tickets', 'issue', '--tenant', demo.municipalityCode, '--vaccine', fx.vaccine, '--dose', String(fx.dose), '--address-number', p.addressNumber, '--json')) as { ticketNumber: string; ocrLine: string };
        tickets.push(issued.ticketNumber);
        ocr.push(issued.ocrLine);
      }
    });
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('uses the demo city the generator makes (so its My Numbers are the ones checked for)', () => {
    expect(city.myNumbers.size).toBeGreaterThan(DEMO_POPULATION * 0.9);
    for (const p of fx.persons) expect(city.names.get(p.addressNumber)).toBe(p.name);
    expect(ocr).toHaveLength(2);
    expect(ocr.every((l) => /^[0-9]{18}$/.test(l))).toBe(true);
    // The detector itself is tested in test/security/my-number-scan.test.ts.
  });

  it('lets the administrator create the three accounts on /accounts, each password shown once', async () => {
    const ctx = await browser.newContext({ locale: 'ja-JP' });
    admin = await ctx.newPage();
    await firstSignIn(admin, demo.url, { municipalityCode: demo.municipalityCode, oneTimePassword: demo.oneTimePassword, newPassword: 'Sakura-Kirokubo-Kanri-2026!' });
    for (const [loginId, name, role] of [['itaku01', '入力委託 一号', 'contractor_entry'], ['kakunin01', '確認 二郎', 'officer'], ['kaijo01', '会場 端末1', 'venue']] as const) {
      await admin.goto(`${demo.url}accounts`);
      await admin.fill('#loginId', loginId);
      await admin.fill('#displayName', name);
      await admin.fill('#department', '健康づくり課');
      await admin.selectOption('#create-role', role);
      await admin.click('form[action="/accounts"] button[type=submit]');
      const password = ((await admin.textContent('#one-time-password')) ?? '').trim();
      expect(password.length).toBeGreaterThanOrEqual(12);
      passwords[loginId] = password;
      await admin.goto(`${demo.url}accounts`);
      expect(await admin.content()).not.toContain(password);
    }
  });

  async function signedIn(loginId: string, landing?: RegExp): Promise<Page> {
    const ctx = await browser.newContext({ locale: 'ja-JP' });
    recordBodies(ctx, demo.url, loginId, bodies);
    const page = await ctx.newPage();
    await firstSignIn(page, demo.url, {
      municipalityCode: demo.municipalityCode, loginId, oneTimePassword: passwords[loginId] ?? '', newPassword: `Sakura-Yobou-${loginId.length * 7}-Sesshu-2026!`, ...(landing ? { landing } : {}),
    });
    return page;
  }

  let contractorPersonName = '';
  it('contractor: finds the person by 宛名番号 and records the 予診票 dose as provisional', async () => {
    const p = await signedIn('itaku01');
    const person = fx.persons[0] as Fixture['persons'][number];
    contractorPersonName = person.name;
    await p.goto(`${demo.url}records/entry`);
    await p.fill('#addressNumber', person.addressNumber);
    await p.click('form.find-form button[type=submit]');
    await expect(p.locator('.person-card .person-name').textContent()).resolves.toBe(person.name);
    await p.selectOption('#vaccine', fx.vaccine);
    await p.fill('#dose', String(fx.dose));
    await p.fill('#date', fx.today);
    await p.fill('#product', fx.product);
    await p.fill('#lot', fx.lot);
    await p.fill('#institutionCode', fx.clinic.code);
    await p.fill('#doctor', fx.clinic.doctor);
    await p.locator('#doctor').dispatchEvent('change');
    // The schedule engine's verdict arrives through htmx while typing.
    await p.locator('#entry-check .check-ok').waitFor({ timeout: 10_000 });
    await p.click('form.entry-form button[type=submit]');
    await p.waitForURL(/\/records\/entry\?saved=/);
    await expect(p.locator('.message.success').textContent()).resolves.toContain('仮登録');
  });

  it('second officer: confirms it on the queue', async () => {
    const p = await signedIn('kakunin01');
    await p.goto(`${demo.url}records/queue`);
    const row = p.locator('tr[data-dose]', { hasText: contractorPersonName });
    await expect(row.count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toContain('入力委託 一号');
    await row.locator('button[type=submit]').click();
    await p.waitForURL(/\/records\/queue\?done=confirmed$/);
    await expect(p.locator('tr[data-dose]', { hasText: contractorPersonName }).count()).resolves.toBe(0);
    // The ledger shows the dose confirmed.
    await p.goto(`${demo.url}records?addressNumber=${fx.persons[0]?.addressNumber ?? ''}`);
    await p.click(`main table a[href^="/records/person/"]`);
    await p.waitForURL(/\/records\/person\/[0-9a-f-]{36}$/);
    await expect(p.locator('main').textContent()).resolves.toContain('確定');
  });

  it('venue: presets, two OCR lines typed and counted, the same line again refused', async () => {
    const p = await signedIn('kaijo01', /\/venue\/session$/);
    await p.selectOption('#vaccine', fx.vaccine);
    await p.selectOption('#product', fx.product);
    await p.fill('#lot', fx.lot);
    await p.selectOption('#institutionCode', fx.venue.code);
    await p.fill('#doctor', fx.venue.doctor);
    await p.click('.venue-session-form button[type=submit]');
    await p.waitForURL(/\/venue$/);
    await expect(p.locator('#venue-count').textContent()).resolves.toBe('0');
    /** Types a line as a keyboard-wedge scanner does, ending with Enter, and waits for the answer page. */
    const scan = async (line: string): Promise<void> => {
      await p.locator('#ocr').pressSequentially(line);
      await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.keyboard.press('Enter')]);
    };
    for (const [i, line] of ocr.entries()) {
      await scan(line);
      await expect(p.locator('#venue-ticket').textContent()).resolves.toBe(tickets[i]);
      await expect(p.locator('#venue-name').textContent()).resolves.toContain(fx.persons[i + 1]?.name);
      await expect(p.locator('#venue-count').textContent()).resolves.toBe(String(i + 1));
    }
    await scan(ocr[0] as string);
    await expect(p.locator('#venue-error').textContent()).resolves.toContain('使用済み');
    await expect(p.locator('#venue-count').textContent()).resolves.toBe('2');
  });

  it('sent none of the three users a My Number, in any page or JSON body', async () => {
    const got = (await Promise.all(bodies)).filter((b) => b !== null);
    const byUser = (who: string) => got.filter((b) => b.who === who).length;
    expect(byUser('itaku01')).toBeGreaterThanOrEqual(5);
    expect(byUser('kakunin01')).toBeGreaterThanOrEqual(4);
    expect(byUser('kaijo01')).toBeGreaterThanOrEqual(5);
    // The pages did carry the people's other details, so the check looked at real content.
    expect(got.some((b) => b.who === 'itaku01' && b.body.includes(fx.persons[0]?.addressNumber ?? '?'))).toBe(true);
    expect(got.some((b) => b.who === 'kaijo01' && b.body.includes(tickets[1] ?? '?'))).toBe(true);
    const leaks = got.flatMap((b) => myNumbersIn(b.body, city.myNumbers).map((n) => `${b.who} ${b.url}: ${n}`));
    expect(leaks).toEqual([]);
  });
});
