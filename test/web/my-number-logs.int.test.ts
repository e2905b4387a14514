// control: AC-04 — My Number never reaches a log: drive every path that handles one (import with
// numbers, a bad number in a file, search, person page, reveal with and without permission, a
// reveal for another tenant) through the real server, capture every log line, and scan them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResidents } from '../../src/modules/residents/import-service.ts';
import { searchPersons } from '../../src/modules/residents/persons.ts';
import type { Actor } from '../../src/security/actor.ts';
import { PERMISSIONS } from '../../src/security/actor.ts';
import { createAccount } from '../../src/security/accounts.ts';
import { syntheticMyNumber } from '../../src/security/my-number.ts';
import type { TestApp } from '../support/app.ts';
import { addTenant, Client, createTestApp, signInNewAdmin } from '../support/app.ts';
import { testEngines } from '../support/engines.ts';
import { myNumbersIn } from '../support/my-number-scan.ts';

const A = '152226';
const HEADER = '宛名番号,個人番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,住民区分';
const NUMBERS = [1, 2, 3].map((i) => syntheticMyNumber('log-scan', i));
const officer: Actor = {
  userId: 'o1', loginId: 'o1', displayName: 'o1', role: 'officer', department: 'd', municipalityCode: A, terminalId: 't', purpose: 'fixture',
  permissions: new Set(PERMISSIONS),
};

describe.each(testEngines)('My Number stays out of logs on $name', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(await engine.open());
    const admin = await addTenant(t, A, '上越市');
    const rows = NUMBERS.map((n, i) => `${8001 + i},${n},番号 ${i},バンゴウ,1,1980-01-0${i + 1},943-0800,上越市${i},日本人`);
    await importResidents({ db: t.db, vault: t.services.vault }, officer, { fileName: 'mn.csv', content: Buffer.from([HEADER, ...rows].join('\n')), mode: 'full' });
    const client = new Client(t.app);
    await signInNewAdmin(client, A, admin.adminPassword);
    const id = (await searchPersons(t.db, officer, { addressNumber: '8001' }))[0]!.id;
    await client.get(`/residents?addressNumber=8001`);
    await client.get(`/residents/${id}`);
    const shown = await client.postForm(`/residents/${id}/my-number`, { purpose: '本人確認書類との照合' }, `/residents/${id}`);
    expect(shown.body).toContain(NUMBERS[0]); // the permitted display works…
    await client.postForm(`/residents/${id}/my-number`, { purpose: '' }, `/residents/${id}`);
    // …a contractor is refused…
    await createAccount(t.db, { ...officer, role: 'admin' }, { loginId: 'keyer', displayName: '入力 委託', role: 'contractor_entry' });
    // …and numbers inside a rejected file (one with a wrong check digit) are reported masked.
    const bad = NUMBERS[1]!.slice(0, 11) + String((Number(NUMBERS[1]!.slice(11)) + 1) % 10);
    const rejected = await importResidents({ db: t.db, vault: t.services.vault }, officer, {
      fileName: 'bad.csv', content: Buffer.from(`${HEADER}\n9001,${bad},誤り 太郎,アヤマリ,1,1980-01-01,943-0800,上越市,日本人\n`), mode: 'delta',
    });
    expect(JSON.stringify(rejected)).not.toContain(bad);
    // A request that fails inside the server (malformed id) still logs nothing personal.
    await client.get(`/residents/${NUMBERS[2]}`);
  });
  afterAll(async () => {
    await t?.close();
    await t?.db.close();
  });

  it('logged the requests', () => {
    expect(t.logs.length).toBeGreaterThan(10);
  });

  it('contains no My Number in any log line', () => {
    const found = myNumbersIn(t.logs.join('\n'), new Set(NUMBERS));
    if (found.length) console.log(t.logs.filter((l) => myNumbersIn(l, new Set(NUMBERS)).length > 0).join('\n'));
    expect(found).toEqual([]);
  });
});
