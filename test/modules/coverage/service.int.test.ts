// Coverage on both engines over a hand-built ledger with known counts: the population on the as-of
// day (moved-out, removed, merged and out-of-cohort persons left out), only confirmed routine doses
// by the as-of day counted (provisional, deleted, non-routine and later doses not), a merged
// duplicate's dose counted for its survivor; by vaccine, birth 年度, district and month; the lists
// behind the figures for officers only, audited per person; the auditor sees numbers only and
// the refused list is audited as denied; another tenant sees none of it.
// controls: DATA-13, AC-01, LOG-01, LOG-05, TEN-01
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.ts';
import { withTenantScope } from '../../../src/db/scoped.ts';
import { coverageCsv } from '../../../src/modules/coverage/csv.ts';
import type { CoverageFilter } from '../../../src/modules/coverage/service.ts';
import { CoverageInputError, coveragePersons, coverageReport, parseCoverageFilter } from '../../../src/modules/coverage/service.ts';
import { createTenant } from '../../../src/modules/tenants/service.ts';
import type { Actor, Permission, RoleId } from '../../../src/security/actor.ts';
import { ForbiddenError } from '../../../src/security/guard.ts';
import { ephemeralKeyring } from '../../../src/security/keyring.ts';
import { createVault } from '../../../src/security/vault.ts';
import { auditRows, testScope } from '../../support/actors.ts';
import { testEngines } from '../../support/engines.ts';
import { AS_OF, seedLedger } from './ledger.ts';

const A = '152226';
const B = '112020';
const staff = (code: string, userId: string, role: RoleId, perms: Permission[]): Actor => ({
  userId, loginId: userId, displayName: userId, role, department: 'd', municipalityCode: code, terminalId: 't', purpose: 'test', permissions: new Set(perms),
});
const officer = staff(A, 'officer-1', 'officer', ['person.read', 'statistics.read', 'dose.read']);
const auditor = staff(A, 'auditor-1', 'auditor', ['audit.read', 'audit.verify', 'account.review', 'statistics.read']);
const filter = (raw: Record<string, string> = {}): CoverageFilter => parseCoverageFilter({ asOf: AS_OF, cohortFrom: '2023', cohortTo: '2024', vaccine: 'hib', ...raw }, AS_OF);

describe.each(testEngines)('coverage statistics on $name', (engine) => {
  let db: Database;
  let ids: Record<string, string>;
  beforeAll(async () => {
    db = await engine.open();
    const vault = createVault(ephemeralKeyring());
    await createTenant(db, vault, { code: A, name: '上越市', prefecture: '新潟県' });
    await createTenant(db, vault, { code: B, name: '熊谷市', prefecture: '埼玉県' });
    ids = await seedLedger(db, A);
  });
  afterAll(() => db?.close());

  it('counts residents on the as-of day and their confirmed routine doses, by cohort, district and month', async () => {
    const r = await coverageReport(db, officer, filter(), ['vaccine', 'cohort', 'district', 'month']);
    // p1 p2 p3 p4 p6 p7 p8 are counted; hib 1 is held by p1, p2 and p8 (through its merged duplicate).
    expect(r.total).toEqual({ denominator: 7, vaccinated: 3, coverage: 42.9 });
    expect(r.byVaccine).toEqual([
      { vaccine: 'hib', nameJa: 'Hib', nameEn: 'Hib', dose: 1, denominator: 7, vaccinated: 3, coverage: 42.9 },
      { vaccine: 'mr', nameJa: '麻しん風しん', nameEn: 'Measles-rubella', dose: 1, denominator: 7, vaccinated: 1, coverage: 14.3 },
    ]);
    expect(r.byCohort).toEqual([
      { cohort: 2023, denominator: 3, vaccinated: 2, coverage: 66.7 },
      { cohort: 2024, denominator: 4, vaccinated: 1, coverage: 25 },
    ]);
    expect(r.byDistrict).toEqual([
      { district: '上野', denominator: 4, vaccinated: 2, coverage: 50 },
      { district: '本町', denominator: 3, vaccinated: 1, coverage: 33.3 },
    ]);
    const months = r.byMonth ?? [];
    expect(months.map((m) => m.month)).toEqual(['2024-11', '2024-12', '2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10']);
    expect(months[0]).toEqual({ month: '2024-11', doses: 1, newlyVaccinated: 1, denominator: 7, vaccinated: 3, coverage: 42.9 });
    expect(months.slice(1).every((m) => m.doses === 0 && m.vaccinated === 3)).toBe(true);
  });

  it('takes the population of the as-of day: before the move-out the moved-out child and its dose count', async () => {
    const r = await coverageReport(db, officer, filter({ asOf: '2025-01-01', months: '6' }), ['month']);
    expect(r.total).toEqual({ denominator: 8, vaccinated: 4, coverage: 50 });
    expect(r.byMonth?.map((m) => [m.month, m.newlyVaccinated, m.vaccinated])).toEqual([
      ['2024-08', 0, 2], ['2024-09', 1, 3], ['2024-10', 0, 3], ['2024-11', 1, 4], ['2024-12', 0, 4], ['2025-01', 0, 4],
    ]);
  });

  it('filters by district (and by the addresses with none) and fills empty cohorts', async () => {
    const honcho = await coverageReport(db, officer, filter({ district: '本町', cohortFrom: '2022' }), ['cohort']);
    expect(honcho.total).toEqual({ denominator: 3, vaccinated: 1, coverage: 33.3 });
    expect(honcho.byCohort?.map((c) => [c.cohort, c.denominator, c.coverage])).toEqual([[2022, 0, null], [2023, 2, 50], [2024, 1, 0]]);
    expect((await coverageReport(db, officer, filter({ district: '-' }), [])).total.denominator).toBe(0);
  });

  it('refuses bad input with the field and the reason', async () => {
    expect(() => filter({ asOf: '2025-02-30' })).toThrow(/asOf: .*YYYY-MM-DD/);
    expect(() => filter({ cohortFrom: '2025' })).toThrow(/cohortFrom: .*2025.*2024/);
    expect(() => filter({ dose: 'x' })).toThrow(CoverageInputError);
    expect(() => filter({ vaccine: 'DROP TABLE' })).toThrow(/vaccine:/);
    await expect(coverageReport(db, officer, filter({ vaccine: 'nosuch' }), ['cohort'])).rejects.toThrow(/no vaccine 'nosuch'/);
    await expect(coverageReport(db, officer, filter({ vaccine: '' }), ['district'])).rejects.toThrow(/choose a vaccine/);
  });

  it('lists the persons behind a figure for an officer, and audits each person shown', async () => {
    const un = await coveragePersons(db, officer, { filter: filter(), set: 'unvaccinated', month: null, page: 1 });
    expect(un.total).toBe(4);
    expect(un.rows.map((p) => p.id)).toEqual([ids.p6, ids.p3, ids.p4, ids.p7]);
    expect(Object.keys(un.rows[0]!).sort()).toEqual(['addressNumber', 'birthDate', 'district', 'doseDate', 'id', 'name']);
    const nov = await coveragePersons(db, officer, { filter: filter(), set: 'vaccinated', month: '2024-11', page: 1 });
    expect(nov.rows).toEqual([expect.objectContaining({ id: ids.p8, doseDate: '2024-11-11', district: '上野', birthDate: '2024-09-09' })]);
    const all = await coveragePersons(db, officer, { filter: filter({ cohortFrom: '2024' }), set: 'population', month: null, page: 1 });
    expect(all.total).toBe(4);
    expect((await coveragePersons(db, officer, { filter: filter(), set: 'population', month: null, page: 2 })).rows).toEqual([]);
    const shown = await withTenantScope(db, testScope(A), (tx) =>
      tx.query<{ subject_person_id: string }>(`SELECT subject_person_id FROM audit_log WHERE action = 'coverage.person' AND user_id = 'officer-1' ORDER BY seq`),
    );
    expect(shown.map((s) => s.subject_person_id).slice(0, 5)).toEqual([ids.p6, ids.p3, ids.p4, ids.p7, ids.p8]);
    const list = (await auditRows(db, A, 'coverage.persons')).filter((e) => e.user_id === 'officer-1');
    expect(list[0]).toMatchObject({ result: 'ok', detail: { set: 'unvaccinated', vaccine: 'hib', total: 4, shown: 4 } });
  });

  it('gives the auditor the numbers but not the list, and records the refusal', async () => {
    expect((await coverageReport(db, auditor, filter(), ['district'])).total.vaccinated).toBe(3);
    await expect(coveragePersons(db, auditor, { filter: filter(), set: 'unvaccinated', month: null, page: 1 })).rejects.toBeInstanceOf(ForbiddenError);
    const denied = (await auditRows(db, A, 'coverage.persons')).filter((e) => e.user_id === 'auditor-1');
    expect(denied).toEqual([expect.objectContaining({ result: 'denied', detail: { permission: 'person.read' } })]);
    const contractor = staff(A, 'c-1', 'contractor_entry', ['person.read', 'dose.enter']);
    await expect(coverageReport(db, contractor, filter(), [])).rejects.toBeInstanceOf(ForbiddenError);
    await expect(coveragePersons(db, contractor, { filter: filter(), set: 'population', month: null, page: 1 })).rejects.toThrow(/statistics\.read/);
  });

  it('shows another municipality nothing of this ledger', async () => {
    const other = staff(B, 'b-officer', 'officer', ['person.read', 'statistics.read']);
    expect((await coverageReport(db, other, filter(), ['vaccine'])).total).toEqual({ denominator: 0, vaccinated: 0, coverage: null });
    expect((await coveragePersons(db, other, { filter: filter(), set: 'population', month: null, page: 1 })).rows).toEqual([]);
  });

  it('writes each table as formula-safe CSV', async () => {
    const r = await coverageReport(db, officer, filter(), ['vaccine', 'cohort', 'district', 'month']);
    expect(coverageCsv(r, 'cohort', 'ja')).toEqual({
      filename: `coverage-cohort-hib-1-${AS_OF}.csv`,
      csv: '\uFEFF出生年度,対象者数,接種者数,接種率(%)\r\n2023年度生,3,2,66.7\r\n2024年度生,4,1,25.0\r\n',
    });
    expect(coverageCsv(r, 'district', 'en').csv).toBe('\uFEFFdistrict,residents,vaccinated,coverage (%)\r\n上野,4,2,50.0\r\n本町,3,1,33.3\r\n');
    expect(coverageCsv(r, 'vaccine', 'ja').csv.split('\r\n')[1]).toBe('hib,Hib,1,7,3,42.9');
    expect(coverageCsv(r, 'month', 'en').csv.split('\r\n')[1]).toBe('2024-11,1,1,7,3,42.9');
    const hostile = { ...r, byDistrict: [{ district: '=HYPERLINK("x")', denominator: 1, vaccinated: 0, coverage: 0 }] };
    expect(coverageCsv(hostile, 'district', 'ja').csv).toContain(`"'=HYPERLINK(""x"")",1,0,0.0`);
  });
});
