// The coverage pages over the real server on both engines: figures, charts (well-formed SVG) and
// CSV for an administrator, each count a link to its audited list; the auditor gets the numbers
// without links and is refused the list (recorded as denied); bad input names the field.
// controls: AC-01, AC-04, DATA-13, LOG-01
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/security/accounts.ts';
import { actorFor, auditRows } from '../support/actors.ts';
import type { TestApp } from '../support/app.ts';
import { Client, addTenant, createTestApp, expectCspClean, signInNew, signInNewAdmin } from '../support/app.ts';
import { testEngines } from '../support/engines.ts';
import { xmlProblems } from '../support/xml.ts';
import { AS_OF, seedLedger } from '../modules/coverage/ledger.ts';

const A = '152226';
const FILTER = `asOf=${AS_OF}&cohortFrom=2023&cohortTo=2024&vaccine=hib&dose=1`;
const svgs = (body: string): string[] => [...body.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
const unescape = (s: string): string => s.replaceAll('&amp;', '&');

describe.each(testEngines)('coverage pages on $name', (engine) => {
  let t: TestApp;
  let admin: Client;
  let auditor: Client;
  beforeAll(async () => {
    t = await createTestApp(await engine.open());
    const a = await addTenant(t, A, '上越市');
    admin = new Client(t.app);
    await signInNewAdmin(admin, A, a.adminPassword);
    const created = await createAccount(t.db, await actorFor(t.db, A, 'admin'), { loginId: 'kansa', displayName: '監査 担当', role: 'auditor' });
    auditor = new Client(t.app);
    await signInNew(auditor, A, 'kansa', created.oneTimePassword);
    await seedLedger(t.db, A);
  });
  afterAll(async () => {
    await t?.close();
    await t?.db.close();
  });

  it('shows the figures, charts and links for an administrator', async () => {
    const res = await admin.get(`/coverage?${FILTER}`);
    expect(res.statusCode).toBe(200);
    expectCspClean(res.body);
    expect(res.body).toContain('href="/coverage"'); // the menu leads here
    expect(res.body).toContain('42.9%');
    expect(res.body).toMatch(/2023年度生<\/th>\s*<td class="num"><a href="\/coverage\/persons\?[^"]*cohortFrom=2023&amp;cohortTo=2023[^"]*set=population"[^>]*>3<\/a>/);
    const charts = svgs(res.body);
    expect(charts).toHaveLength(3);
    for (const svg of charts) expect(xmlProblems(svg)).toEqual([]);
    expect(charts[1]).toContain('>上野</text>');
    expect(res.body).toContain('/coverage/export?');
    const en = await admin.get(`/coverage?${FILTER}&lang=en`);
    expect(en.body).toContain('Coverage by birth cohort');
    await admin.get('/?lang=ja');
  });

  it('lists the persons behind a count, and records who was shown', async () => {
    const page = await admin.get(`/coverage?${FILTER}`);
    const link = /<a href="(\/coverage\/persons\?[^"]*set=unvaccinated)"/.exec(page.body)?.[1];
    expect(link).toBeDefined();
    const list = await admin.get(unescape(link!));
    expect(list.statusCode).toBe(200);
    expectCspClean(list.body);
    expect(list.body).toContain('統計 p6');
    expect(list.body).not.toMatch(/\b\d{12}\b/); // never a My Number
    const entries = (await auditRows(t.db, A, 'coverage.persons')).filter((e) => e.result === 'ok');
    expect(entries.length).toBeGreaterThan(0);
  });

  it('downloads each table as CSV, in UTF-8 or Shift_JIS', async () => {
    const utf8 = await admin.get(`/coverage/export?${FILTER}&by=district`);
    expect(utf8.statusCode).toBe(200);
    expect(utf8.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(utf8.headers['content-disposition']).toBe(`attachment; filename="coverage-district-hib-1-${AS_OF}.csv"`);
    expect(utf8.body).toBe('\uFEFF地区,対象者数,接種者数,接種率(%)\r\n上野,4,2,50.0\r\n本町,3,1,33.3\r\n');
    const sjis = await admin.get(`/coverage/export?${FILTER}&by=cohort&encoding=cp932`);
    expect(sjis.headers['content-type']).toBe('text/csv; charset=shift_jis');
    expect(iconv.decode(sjis.rawPayload, 'cp932')).toBe('出生年度,対象者数,接種者数,接種率(%)\r\n2023年度生,3,2,66.7\r\n2024年度生,4,1,25.0\r\n');
    const byVaccine = await admin.get(`/coverage/export?${FILTER}&by=vaccine`);
    expect(byVaccine.body.split('\r\n').slice(1, 3)).toEqual(['hib,Hib,1,7,3,42.9', 'mr,麻しん風しん,1,7,1,14.3']);
  });

  it('gives the auditor the numbers only, and records the refused list', async () => {
    const res = await auditor.get(`/coverage?${FILTER}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('42.9%');
    expect(res.body).not.toContain('/coverage/persons');
    const refused = await auditor.get(`/coverage/persons?${FILTER}&set=vaccinated`);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('統計 p');
    const denied = (await auditRows(t.db, A, 'coverage.persons')).filter((e) => e.result === 'denied');
    expect(denied).toEqual([expect.objectContaining({ detail: { permission: 'person.read' } })]);
  });

  it('names the field of bad input and changes nothing', async () => {
    const res = await admin.get('/coverage?asOf=2025-13-01');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('asOf:');
    expectCspClean(res.body);
    expect((await admin.get(`/coverage?asOf=${AS_OF}&cohortFrom=2030&cohortTo=2024`)).statusCode).toBe(400);
    expect((await admin.get(`/coverage/persons?${FILTER}&set=everyone`)).statusCode).toBe(400);
    expect((await admin.get(`/coverage/export?${FILTER}&by=planet`)).statusCode).toBe(400);
  });
});
