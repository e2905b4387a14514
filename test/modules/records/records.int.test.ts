// The ledger on both engines: entry validated by the schedule engine, the second person's check,
// corrections as versions, deletion, history with forecast, tenant isolation.
// controls: DATA-02, DATA-03, DATA-14, TEN-01
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.ts';
import { withTenantScope } from '../../../src/db/scoped.ts';
import { importResidents } from '../../../src/modules/residents/import-service.ts';
import { searchPersons } from '../../../src/modules/residents/persons.ts';
import type { RecordDeps } from '../../../src/modules/records/service.ts';
import { confirmDose, correctDose, deleteDose, NonRoutineDoseError, pendingQueue, personRecord, previewDose, recordDose } from '../../../src/modules/records/service.ts';
import { ForbiddenError } from '../../../src/security/guard.ts';
import { testEngines } from '../../support/engines.ts';
import { JOETSU as A, KUMAGAYA as B, openTwoCities, RESIDENT_HEADER as HEADER, staffActor as staff } from '../../support/two-cities.ts';


describe.each(testEngines)('vaccination records on $name', (engine) => {
  let db: Database;
  let deps: RecordDeps;
  let child: string;
  const clerk = staff(A, 'clerk-1');
  const checker = staff(A, 'checker-2');
  beforeAll(async () => {
    const opened = await openTwoCities(engine);
    db = opened.db;
    const vault = opened.vault;
    deps = { db, today: () => '2025-10-01' };
    const csv = `${HEADER}\n5001,接種 花子,セッシュ ハナコ,2,2025-03-15,943-0800,上越市大手町1,日本人\n`;
    await importResidents({ db, vault }, clerk, { fileName: 'p.csv', content: Buffer.from(csv), mode: 'full' });
    child = (await searchPersons(db, clerk, { addressNumber: '5001' }))[0]!.id;
    await withTenantScope(db, { municipalityCode: A, userId: 'setup', terminalId: 't', purpose: 'setup' }, (tx) =>
      tx.query(`INSERT INTO medical_institutions (municipality_code, code, name) VALUES (app_tenant(), '1512345678', '上越こどもクリニック')`),
    );
  });
  afterAll(() => db?.close());

  it('previews the engine verdict as the user types', async () => {
    // Born 2025-03-15: reaches 2 months on 2025-05-14, so Hib on 2025-05-13 is too young.
    expect(await previewDose(deps, clerk, { personId: child, vaccine: 'hib', dose: 1, date: '2025-05-13' })).toMatchObject({ routine: false, problems: ['TOO_YOUNG'] });
    expect(await previewDose(deps, clerk, { personId: child, vaccine: 'hib', dose: 1, date: '2025-05-14' })).toMatchObject({ routine: true, problems: [] });
  });

  it('asks for confirmation before recording a non-routine dose', async () => {
    await expect(recordDose(deps, clerk, { personId: child, vaccine: 'hepb', dose: 1, date: '2025-03-10' })).rejects.toThrow(/before the birth date/);
    await expect(recordDose(deps, clerk, { personId: child, vaccine: 'bcg', dose: 1, date: '2026-01-01' })).rejects.toThrow(/future/);
    await expect(recordDose(deps, clerk, { personId: child, vaccine: 'pcv', dose: 1, date: '2025-05-01' })).rejects.toBeInstanceOf(NonRoutineDoseError);
    const r = await recordDose(deps, clerk, { personId: child, vaccine: 'pcv', dose: 1, date: '2025-05-01', acceptNonRoutine: true });
    expect(r.validated.problems).toEqual(['TOO_YOUNG']);
  });

  // control: DATA-03 — provisional until a different person confirms.
  it('keeps an entry provisional until a second person confirms it', async () => {
    const { doseId } = await recordDose(deps, clerk, { personId: child, vaccine: 'hib', dose: 1, date: '2025-05-20', institutionCode: '1512345678', doctor: '上越 太郎' });
    let rec = await personRecord(deps, clerk, child);
    expect(rec.doses.find((d) => d.id === doseId)?.status).toBe('provisional');
    expect(rec.forecast.doses.some((d) => d.vaccine === 'hib')).toBe(false); // not in force yet
    await expect(confirmDose(deps, clerk, doseId)).rejects.toThrow(/cannot confirm/);
    expect((await pendingQueue(deps, checker)).map((q) => q.dose_id)).toContain(doseId);
    await confirmDose(deps, checker, doseId);
    rec = await personRecord(deps, clerk, child);
    expect(rec.doses.find((d) => d.id === doseId)?.status).toBe('confirmed');
    expect(rec.forecast.next.find((n) => n.vaccine === 'hib')).toMatchObject({ status: 'due', dose: 2 });
  });

  it('refuses an unknown institution and a duplicate of a confirmed dose', async () => {
    await expect(recordDose(deps, clerk, { personId: child, vaccine: 'hib', dose: 2, date: '2025-06-20', institutionCode: '9999999999' })).rejects.toThrow(/医療機関マスタ/);
    await expect(recordDose(deps, clerk, { personId: child, vaccine: 'hib', dose: 1, date: '2025-05-20' })).rejects.toThrow(/already recorded/);
  });

  // control: DATA-14 — corrections are new versions with who, when and why.
  it('corrects by adding a version, confirmed by another person, and keeps every version', async () => {
    const rec = await personRecord(deps, clerk, child);
    const hib = rec.doses.find((d) => d.versions[0]?.vaccine_id === 'hib' && d.status === 'confirmed')!;
    await expect(correctDose(deps, clerk, hib.id, { vaccine: 'hib', dose: 1, date: '2025-05-21' }, '')).rejects.toThrow(/reason/);
    const v = await correctDose(deps, clerk, hib.id, { vaccine: 'hib', dose: 1, date: '2025-05-21', institutionCode: '1512345678' }, '予診票の日付の読み違い');
    expect(v).toBe(2);
    await confirmDose(deps, checker, hib.id);
    const after = (await personRecord(deps, clerk, child)).doses.find((d) => d.id === hib.id)!;
    expect(after.versions.map((x) => [x.version, x.change, x.administered_on])).toEqual([
      [2, 'correct', '2025-05-21'],
      [1, 'create', '2025-05-20'],
    ]);
    expect(after.versions[0]?.reason).toBe('予診票の日付の読み違い');
  });

  it('deletes by a confirmed version, keeping the history', async () => {
    const { doseId } = await recordDose(deps, clerk, { personId: child, vaccine: 'bcg', dose: 1, date: '2025-09-01' });
    await confirmDose(deps, checker, doseId);
    await deleteDose(deps, clerk, doseId, '別人の予診票だった');
    await confirmDose(deps, checker, doseId);
    const d = (await personRecord(deps, clerk, child)).doses.find((x) => x.id === doseId)!;
    expect(d.status).toBe('deleted');
    expect(d.versions).toHaveLength(2);
  });

  it('refuses corrections to roles without dose.correct, and other tenants see nothing', async () => {
    const contractor = staff(A, 'c-1', 'contractor_entry', ['person.read', 'dose.enter', 'schedule.read']);
    const rec = await personRecord(deps, clerk, child);
    await expect(correctDose(deps, contractor, rec.doses[0]!.id, { vaccine: 'hib', dose: 1, date: '2025-05-21' }, 'x')).rejects.toBeInstanceOf(ForbiddenError);
    const other = staff(B, 'b-1');
    await expect(personRecord(deps, other, child)).rejects.toThrow(/no such person/);
    await expect(confirmDose(deps, other, rec.doses[0]!.id)).rejects.toThrow(/no record waiting/);
    await expect(recordDose(deps, other, { personId: child, vaccine: 'hib', dose: 2, date: '2025-07-01' })).rejects.toThrow(/no such person/);
  });
});
