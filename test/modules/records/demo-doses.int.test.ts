// Synthetic histories against the database on both engines: demo masters created once, the file
// deterministic for a seed (UTF-8 and CP932), accepted by the clinic import with exactly the
// deliberately invalid doses flagged, confirmed by a second actor; refused for a real tenant.
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.ts';
import { confirmSubmission, importClinicFile } from '../../../src/modules/records/clinic-import.ts';
import { ensureDemoMasters, generateDemoDoses } from '../../../src/modules/records/demo-doses.ts';
import { listMasters } from '../../../src/modules/records/masters.ts';
import { createCityGenerator, csvLine } from '../../../src/modules/residents/generator.ts';
import { importResidents } from '../../../src/modules/residents/import-service.ts';
import { createTenant } from '../../../src/modules/tenants/service.ts';
import { consoleActor } from '../../../src/security/actor.ts';
import { ephemeralKeyring } from '../../../src/security/keyring.ts';
import { createVault } from '../../../src/security/vault.ts';
import { testEngines } from '../../support/engines.ts';

const DEMO = '990019';
const REAL = '152226';
const AS_OF = '2025-09-30';

describe.each(testEngines)('demo vaccination histories on $name', (engine) => {
  let db: Database;
  const importer = consoleActor(DEMO, ['person.import', 'person.read', 'settings.manage', 'dose.enter', 'dose.read'], 'demo', 'tester');
  const checker = consoleActor(DEMO, ['dose.confirm'], 'demo check', 'tester-2');
  beforeAll(async () => {
    db = await engine.open();
    const vault = createVault(ephemeralKeyring());
    await createTenant(db, vault, { code: DEMO, name: 'さくら市（デモ）', prefecture: 'デモ県', isDemo: true });
    await createTenant(db, vault, { code: REAL, name: '上越市', prefecture: '新潟県' });
    const gen = createCityGenerator({ population: 400, seed: 'doses-test', asOf: '2025-04-01', years: 0, dirty: false, municipality: DEMO, cp932: false });
    const lines = [csvLine(gen.header), ...[...gen.fullRows()].map(csvLine)];
    const r = await importResidents({ db, vault }, importer, { fileName: 'city.csv', content: Buffer.from(`${lines.join('\n')}\n`), mode: 'full' });
    expect(r.status).toBe('applied');
  });
  afterAll(() => db?.close());

  const generate = async (seed: string, encoding: 'utf8' | 'cp932' = 'utf8') => {
    const chunks: Buffer[] = [];
    const summary = await generateDemoDoses(db, importer, { asOf: AS_OF, seed, encoding }, (c) => chunks.push(c));
    return { file: Buffer.concat(chunks), summary };
  };

  it('creates the demo masters once', async () => {
    const made = await ensureDemoMasters(db, importer, AS_OF);
    expect(made.map((m) => m.status === 'applied' && [m.kind, m.counts.inserted > 0])).toEqual([
      ['institutions', true], ['doctors', true], ['products', true], ['lots', true],
    ]);
    expect(await ensureDemoMasters(db, importer, AS_OF)).toEqual([]);
    const m = await listMasters(db, importer);
    expect(m.institutions.some((i) => i.is_venue)).toBe(true);
    expect(m.products.find((p) => p.name === 'プレベナー20')).toMatchObject({ vaccine_id: 'pcv', schedule_product: 'pcv20' });
  });

  it('writes the same file for the same seed, and is accepted by the clinic import', async () => {
    const a = await generate('s1');
    const b = await generate('s1');
    const c = await generate('s2');
    expect(a.file.equals(b.file)).toBe(true);
    expect(a.file.equals(c.file)).toBe(false);
    expect(a.summary.rows).toBeGreaterThan(300);
    expect(a.file.toString('utf8').split('\r\n')[0]).toBe('接種券番号,宛名番号,氏名,生年月日,接種日,ワクチン,製品,ロット番号,接種回数,医療機関コード,医師名,備考');
    const r = await importClinicFile({ db, today: () => AS_OF }, importer, { fileName: 'demo.csv', content: a.file });
    expect(r.status).toBe('applied');
    if (r.status !== 'applied') return;
    expect(r.counts.inserted).toBe(a.summary.rows);
    expect(r.counts.nonRoutine).toBe(a.summary.invalid);
    expect(r.provisional).toBe(true);
    expect((await confirmSubmission(db, checker, r.submissionId)).confirmed).toBe(a.summary.rows);
  });

  it('writes CP932 when asked', async () => {
    const { file, summary } = await generate('s1', 'cp932');
    const utf8 = (await generate('s1')).file.toString('utf8');
    const text = iconv.decode(file, 'cp932');
    expect(text.split('\r\n').length).toBe(utf8.split('\r\n').length - summary.skipped * 0); // same rows (names CP932 cannot write are folded)
    expect(summary.rows).toBeGreaterThan(300);
  });

  it('refuses a tenant that is not a demo tenant', async () => {
    const real = consoleActor(REAL, ['person.read'], 'demo', 'tester');
    await expect(generateDemoDoses(db, real, { asOf: AS_OF, seed: 's' }, () => undefined)).rejects.toThrow(/demo tenants only/);
  });
});
