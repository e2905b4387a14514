// control: TEN-01 — as tenant B's administrator, attack every route the server has (walked from
// its route table, so new routes are covered the day they are added) with tenant A's real ids,
// guessed ids and tenant-looking query parameters. Nothing of A may come back, and forged-id
// look-ups are logged in B's audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenantScope } from '../../src/db/scoped.ts';
import { importResidents } from '../../src/modules/residents/import-service.ts';
import { searchPersons } from '../../src/modules/residents/persons.ts';
import { confirmDose, recordDose } from '../../src/modules/records/service.ts';
import type { Actor } from '../../src/security/actor.ts';
import { PERMISSIONS } from '../../src/security/actor.ts';
import type { TestApp } from '../support/app.ts';
import { addTenant, Client, createTestApp, signInNewAdmin } from '../support/app.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const B = '112020';
const SECRET_NAME = '秘密 太郎';
const SECRET_KANA = 'ヒミツ タロウ';
const SECRET_ADDRESS_NUMBER = '777001';
const officerOf = (code: string, userId: string): Actor => ({
  userId, loginId: userId, displayName: userId, role: 'officer', department: 'd', municipalityCode: code, terminalId: 't', purpose: 'fixture',
  permissions: new Set(PERMISSIONS),
});

describe.each(testEngines)('tenant isolation over every route on $name', (engine) => {
  let t: TestApp;
  let b: Client;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t = await createTestApp(await engine.open());
    await addTenant(t, A, '上越市');
    const adminB = await addTenant(t, B, '熊谷市');
    const csv = `宛名番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,住民区分\n${SECRET_ADDRESS_NUMBER},${SECRET_NAME},${SECRET_KANA},1,2025-01-10,943-0800,上越市秘密町1,日本人\n`;
    await importResidents({ db: t.db, vault: t.services.vault }, officerOf(A, 'a1'), { fileName: 'a.csv', content: Buffer.from(csv), mode: 'full' });
    ids.person = (await searchPersons(t.db, officerOf(A, 'a1'), { addressNumber: SECRET_ADDRESS_NUMBER }))[0]!.id;
    const deps = { db: t.db, today: () => '2025-10-01' };
    ids.dose = (await recordDose(deps, officerOf(A, 'a1'), { personId: ids.person, vaccine: 'hib', dose: 1, date: '2025-03-20' })).doseId;
    await confirmDose(deps, officerOf(A, 'a2'), ids.dose);
    ids.pendingDose = (await recordDose(deps, officerOf(A, 'a1'), { personId: ids.person, vaccine: 'bcg', dose: 1, date: '2025-06-01' })).doseId;
    ids.account = await withTenantScope(t.db, { municipalityCode: A, userId: 'x', terminalId: 'x', purpose: 'fixture' }, async (tx) =>
      (await tx.query<{ id: string }>(`SELECT id FROM staff_accounts WHERE login_id = 'admin'`))[0]!.id,
    );
    b = new Client(t.app);
    await signInNewAdmin(b, B, adminB.adminPassword);
  });
  afterAll(async () => {
    await t?.close();
    await t?.db.close();
  });

  /** Fills each :param with one of A's real ids; routes whose ids are not uuids get the 宛名番号 too. */
  function urlsFor(pattern: string): string[] {
    const params = pattern.match(/:[A-Za-z]+/g) ?? [];
    if (params.length === 0) return [`${pattern}?tenant=${A}&municipalityCode=${A}&personId=${ids.person}&addressNumber=${SECRET_ADDRESS_NUMBER}`];
    const candidates = [ids.person, ids.dose, ids.pendingDose, ids.account, SECRET_ADDRESS_NUMBER, "1' OR '1'='1"];
    return candidates.map((value) => params.reduce((url, p) => url.replace(p, encodeURIComponent(value!)), pattern));
  }

  it('never shows tenant A data to tenant B, whatever the route and ids', async () => {
    const routes = t.app.routeTable.filter((r) => !r.url.startsWith('/assets') && r.url !== '/logout' && !r.url.includes('*'));
    expect(routes.length).toBeGreaterThan(20);
    const token = /name="_csrf" value="([^"]+)"/.exec((await b.get('/')).body)?.[1] ?? '';
    const leaks: string[] = [];
    const statuses = new Map<number, number>();
    for (const route of routes) {
      for (const url of urlsFor(route.url)) {
        const body = new URLSearchParams({
          _csrf: token, personId: ids.person!, doseId: ids.dose!, accountId: ids.account!, id: ids.person!, municipalityCode: A,
          addressNumber: SECRET_ADDRESS_NUMBER, purpose: '確認のため', reason: '攻撃テスト', survivorId: ids.person!, duplicateId: ids.person!,
        }).toString();
        const res = route.method === 'GET' ? await b.get(url) : await b.send(route.method as 'POST', url, body);
        const text = res.body;
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        // The attack only means something while B is really signed in.
        expect(res.headers.location ?? '', `${route.method} ${url}`).not.toMatch(/^\/login/);
        if (text.includes(SECRET_NAME) || text.includes(SECRET_KANA) || text.includes(`>${SECRET_ADDRESS_NUMBER}<`) || text.includes('秘密町')) {
          leaks.push(`${route.method} ${url} → ${res.statusCode}`);
        }
        expect(res.statusCode, `${route.method} ${url}`).toBeLessThan(500);
      }
    }
    expect(leaks).toEqual([]);
    expect(statuses.get(200) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(10);
  });

  it("leaves tenant A's records unchanged", async () => {
    const rows = await withTenantScope(t.db, { municipalityCode: A, userId: 'x', terminalId: 'x', purpose: 'check' }, (tx) =>
      tx.query<{ current_version: number | null; pending_version: number | null; deleted: boolean }>('SELECT current_version, pending_version, deleted FROM doses ORDER BY created_at'),
    );
    expect(rows).toEqual([
      { current_version: 1, pending_version: null, deleted: false },
      { current_version: null, pending_version: 1, deleted: false },
    ]);
    const accounts = await withTenantScope(t.db, { municipalityCode: A, userId: 'x', terminalId: 'x', purpose: 'check' }, (tx) =>
      tx.query<{ disabled_at: Date | null; role_id: string }>(`SELECT disabled_at, role_id FROM staff_accounts WHERE login_id = 'admin'`),
    );
    expect(accounts).toEqual([{ disabled_at: null, role_id: 'admin' }]);
  });

  it("logs B's forged look-ups of A's person in B's audit log", async () => {
    const failed = await withTenantScope(t.db, { municipalityCode: B, userId: 'x', terminalId: 'x', purpose: 'check' }, (tx) =>
      tx.query<{ action: string }>(`SELECT action FROM audit_log WHERE result IN ('failed', 'denied') AND (subject_person_id = $1 OR detail::text LIKE '%' || $1 || '%')`, [ids.person]),
    );
    expect(failed.length).toBeGreaterThan(0);
  });
});
