// The per-person history summary the selection scan reads (person_dose_histories, migration 0018)
// must equal the ledger after every kind of write: entry, second-person confirmation, correction,
// deletion, machine-read doses in bulk — and stay within its tenant.
// controls: DATA-14, TEN-01
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.ts';
import { withTenantScope } from '../../../src/db/scoped.ts';
import { insertDoses, type NewDose } from '../../../src/modules/records/dose-store.ts';
import type { RecordDeps } from '../../../src/modules/records/service.ts';
import { confirmDose, correctDose, deleteDose, recordDose } from '../../../src/modules/records/service.ts';
import { importResidents } from '../../../src/modules/residents/import-service.ts';
import { searchPersons } from '../../../src/modules/residents/persons.ts';
import { testEngines } from '../../support/engines.ts';
import { JOETSU as A, KUMAGAYA as B, openTwoCities, RESIDENT_HEADER as HEADER, staffActor as staff } from '../../support/two-cities.ts';

const scope = (code: string) => ({ municipalityCode: code, userId: 'test', terminalId: 't', purpose: 'test' });

/** One dose as the summary writes it: vaccine, dose, date, schedule product, routine. */
const enc = (vaccine: string, dose: number, date: string, product = '', routine = 1): string => [vaccine, dose, date, product, routine].join('\u001f');

const machineDose = (personId: string, vaccine: string, dose: number, date: string): NewDose => ({
  personId, vaccine, dose, date, productName: null, scheduleProduct: null, lotNumber: null, institutionCode: null, doctorName: null,
  place: null, ticketNumber: null, specialCircumstances: null, remarks: null, routine: true, problems: [],
});

describe.each(testEngines)('person dose history summaries on $name', (engine) => {
  let db: Database;
  let deps: RecordDeps;
  const clerk = staff(A, 'clerk-1');
  const checker = staff(A, 'checker-2');
  const ids: Record<string, string> = {};

  /** The summary of every person of a tenant next to the history read from the ledger itself. */
  async function summaryAndLedger(code: string): Promise<{ summary: Record<string, string>; ledger: Record<string, string> }> {
    return withTenantScope(db, scope(code), async (tx) => {
      const rows = await tx.query<{ person_id: string; history: string }>('SELECT person_id, history FROM person_dose_histories');
      const doses = await tx.query<{ person_id: string; vaccine_id: string; dose_number: number; administered_on: string; schedule_product: string | null; routine: boolean }>(
        `SELECT d.person_id, v.vaccine_id, v.dose_number, v.administered_on, v.schedule_product, v.routine
           FROM doses d JOIN dose_versions v ON v.dose_id = d.id AND v.version = d.current_version
          WHERE NOT d.deleted ORDER BY v.administered_on, v.vaccine_id, v.dose_number`);
      const ledger: Record<string, string> = {};
      for (const d of doses) {
        const one = enc(d.vaccine_id, d.dose_number, d.administered_on, d.schedule_product ?? '', d.routine ? 1 : 0);
        ledger[d.person_id] = ledger[d.person_id] === undefined ? one : `${ledger[d.person_id]}\u001e${one}`;
      }
      return { summary: Object.fromEntries(rows.map((r) => [r.person_id, r.history])), ledger };
    });
  }

  async function expectInStep(code = A): Promise<Record<string, string>> {
    const { summary, ledger } = await summaryAndLedger(code);
    expect(summary).toEqual(ledger);
    return summary;
  }

  beforeAll(async () => {
    const opened = await openTwoCities(engine);
    db = opened.db;
    const vault = opened.vault;
    deps = { db, today: () => '2025-10-01' };
    const csv = `${HEADER}\n5001,接種 花子,セッシュ ハナコ,2,2025-03-15,943-0800,上越市大手町1,日本人\n5002,髙橋 一郎,タカハシ イチロウ,1,2024-12-01,943-0800,上越市大手町2,日本人\n`;
    await importResidents({ db, vault }, clerk, { fileName: 'p.csv', content: Buffer.from(csv), mode: 'full' });
    await importResidents({ db, vault }, staff(B, 'b-clerk'), { fileName: 'p.csv', content: Buffer.from(`${HEADER}\n7001,熊谷 次郎,クマガヤ ジロウ,1,2025-01-10,360-0001,熊谷市本町1,日本人\n`), mode: 'full' });
    for (const n of ['5001', '5002']) ids[n] = (await searchPersons(db, clerk, { addressNumber: n }))[0]!.id;
    ids['7001'] = (await searchPersons(db, staff(B, 'b-clerk'), { addressNumber: '7001' }))[0]!.id;
  });
  afterAll(() => db?.close());

  it('has no row for a provisional entry, and the confirmed dose once a second person confirms it', async () => {
    const { doseId } = await recordDose(deps, clerk, { personId: ids['5001']!, vaccine: 'hib', dose: 1, date: '2025-05-20' });
    expect(await expectInStep()).toEqual({});
    await confirmDose(deps, checker, doseId);
    expect(await expectInStep()).toEqual({ [ids['5001']!]: enc('hib', 1, '2025-05-20') });
  });

  it('follows a correction only once it is confirmed, and a deletion', async () => {
    const { doseId } = await recordDose(deps, clerk, { personId: ids['5001']!, vaccine: 'pcv', dose: 1, date: '2025-05-20' });
    await confirmDose(deps, checker, doseId);
    const before = await expectInStep();
    await correctDose(deps, clerk, doseId, { vaccine: 'pcv', dose: 1, date: '2025-05-21' }, '日付の誤り');
    expect(await expectInStep()).toEqual(before); // the correction waits for its check
    await confirmDose(deps, checker, doseId);
    expect((await expectInStep())[ids['5001']!]).toBe(`${enc('hib', 1, '2025-05-20')}\u001e${enc('pcv', 1, '2025-05-21')}`);
    await deleteDose(deps, clerk, doseId, '重複登録');
    await confirmDose(deps, checker, doseId);
    expect((await expectInStep())[ids['5001']!]).toBe(enc('hib', 1, '2025-05-20'));
  });

  it('takes machine-read doses in bulk, oldest first with their schedule product and whether routine', async () => {
    await withTenantScope(db, scope(A), (tx) => insertDoses(tx, [
      machineDose(ids['5002']!, 'hib', 2, '2025-03-01'),
      { ...machineDose(ids['5002']!, 'rota', 1, '2025-02-01'), scheduleProduct: 'rotarix', routine: false },
      machineDose(ids['5002']!, 'hib', 1, '2025-02-01'),
      machineDose(ids['5001']!, 'hepb', 1, '2025-05-20'),
    ], 'migration', 'machine', 'machine-check'));
    const summary = await expectInStep();
    expect(summary[ids['5002']!]).toBe([enc('hib', 1, '2025-02-01'), enc('rota', 1, '2025-02-01', 'rotarix', 0), enc('hib', 2, '2025-03-01')].join('\u001e'));
    expect(summary[ids['5001']!]).toBe(`${enc('hepb', 1, '2025-05-20')}\u001e${enc('hib', 1, '2025-05-20')}`);
  });

  // control: TEN-01 — each municipality sees and refreshes only its own summaries.
  it('keeps each municipality to its own summaries', async () => {
    await withTenantScope(db, scope(B), (tx) => insertDoses(tx, [machineDose(ids['7001']!, 'bcg', 1, '2025-06-01')], 'migration', 'machine', 'machine-check'));
    expect(Object.keys(await expectInStep(B))).toEqual([ids['7001']]);
    expect(Object.keys(await expectInStep(A)).sort()).toEqual([ids['5001'], ids['5002']].sort());
    // A forged id of the other municipality changes nothing there.
    const n = await withTenantScope(db, scope(A), (tx) => tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM person_dose_histories WHERE person_id = $1', [ids['7001']]));
    expect(n[0]?.n).toBe(0);
  });

  it('refuses to rewrite the facts of a version (a correction is a new version), so no summary goes stale', async () => {
    await expect(withTenantScope(db, scope(A), (tx) => tx.query("UPDATE dose_versions SET administered_on = '2025-01-01'"))).rejects.toThrow(/permission denied/);
    await expectInStep();
  });
});
