// A small hand-built ledger with known coverage, written straight into the tables (in the tenant's
// scope) so each case is exactly what the test needs: two districts, two birth cohorts (年度), a
// moved-out child, a provisional, a deleted and a non-routine dose, a dose after the as-of day,
// a merged duplicate holding a dose, a removed person and one outside the cohorts.
import crypto from 'node:crypto';
import type { Database } from '../../../src/db/client.ts';
import { withTenantScope } from '../../../src/db/scoped.ts';

export const AS_OF = '2025-10-01';
const HONCHO = 'テスト県さくら市本町1-2';
const UENO = 'テスト県さくら市上野3丁目4';

interface P {
  key: string;
  birth: string;
  address: string;
  status?: 'resident' | 'moved_out' | 'dead' | 'removed';
  statusDate?: string;
  mergedInto?: string;
}
interface D {
  person: string;
  vaccine: string;
  dose: number;
  on: string;
  routine?: boolean;
  state?: 'confirmed' | 'provisional' | 'deleted';
}

export const PERSONS: P[] = [
  { key: 'p1', birth: '2023-05-10', address: HONCHO },
  { key: 'p2', birth: '2024-02-20', address: UENO }, // January–March: still the 2023 年度 cohort
  { key: 'p3', birth: '2024-04-01', address: HONCHO },
  { key: 'p4', birth: '2024-06-01', address: UENO },
  { key: 'p5', birth: '2024-07-01', address: HONCHO, status: 'moved_out', statusDate: '2025-03-01' },
  { key: 'p6', birth: '2023-10-10', address: HONCHO },
  { key: 'p7', birth: '2024-08-01', address: UENO },
  { key: 'p8', birth: '2024-09-09', address: UENO },
  { key: 'p8dup', birth: '2024-09-09', address: UENO, mergedInto: 'p8' },
  { key: 'p9', birth: '2017-05-05', address: HONCHO },
  { key: 'p10', birth: '2024-05-05', address: HONCHO, status: 'removed', statusDate: '2025-01-10' },
];

export const DOSES: D[] = [
  { person: 'p1', vaccine: 'hib', dose: 1, on: '2023-07-15' },
  { person: 'p1', vaccine: 'mr', dose: 1, on: '2024-05-20' },
  { person: 'p2', vaccine: 'hib', dose: 1, on: '2024-04-25' },
  { person: 'p3', vaccine: 'hib', dose: 1, on: '2024-06-10', state: 'provisional' },
  { person: 'p4', vaccine: 'hib', dose: 1, on: '2024-08-10', state: 'deleted' },
  { person: 'p5', vaccine: 'hib', dose: 1, on: '2024-09-01' },
  { person: 'p6', vaccine: 'hib', dose: 1, on: '2023-11-01', routine: false },
  { person: 'p7', vaccine: 'hib', dose: 1, on: '2025-10-05' },
  { person: 'p8dup', vaccine: 'hib', dose: 1, on: '2024-11-11' },
  { person: 'p10', vaccine: 'hib', dose: 1, on: '2024-07-07' },
];

/** Writes the ledger into tenant `code`; returns person ids by key. */
export async function seedLedger(db: Database, code: string, addressNumberBase = 8000): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const p of PERSONS) ids[p.key] = crypto.randomUUID();
  await withTenantScope(db, { municipalityCode: code, userId: 'fixture', terminalId: 'fixture', purpose: 'fixture' }, async (tx) => {
    // Survivors first: merged_into refers to them.
    for (const [i, p] of [...PERSONS].sort((a, b) => Number(a.mergedInto !== undefined) - Number(b.mergedInto !== undefined)).entries()) {
      await tx.query(
        `INSERT INTO persons (municipality_code, id, address_number, name, name_kana, sex, birth_date, address, resident_type, status, status_date,
                              name_key, kana_key, address_key, merged_into)
         VALUES (app_tenant(), $1, $2, $3, 'テスト', 'F', $4, $5, 'japanese', $6, $7, $3, 'テスト', $5, $8)`,
        [ids[p.key], String(addressNumberBase + i), `統計 ${p.key}`, p.birth, p.address, p.status ?? 'resident', p.statusDate ?? null, p.mergedInto ? ids[p.mergedInto] : null],
      );
    }
    for (const d of DOSES) {
      const doseId = crypto.randomUUID();
      const state = d.state ?? 'confirmed';
      await tx.query(
        `INSERT INTO doses (municipality_code, id, person_id, current_version, pending_version, deleted, source)
         VALUES (app_tenant(), $1, $2, $3, $4, false, 'entry')`,
        [doseId, ids[d.person], state === 'provisional' ? null : 1, state === 'provisional' ? 1 : null],
      );
      await tx.query(
        `INSERT INTO dose_versions (municipality_code, dose_id, version, change, vaccine_id, dose_number, administered_on, routine, entered_by, confirmed_by)
         VALUES (app_tenant(), $1, 1, 'create', $2, $3, $4, $5, 'clerk', $6)`,
        [doseId, d.vaccine, d.dose, d.on, d.routine ?? true, state === 'provisional' ? null : 'checker'],
      );
      if (state === 'deleted') {
        await tx.query(
          `INSERT INTO dose_versions (municipality_code, dose_id, version, change, vaccine_id, dose_number, administered_on, routine, reason, entered_by, confirmed_by)
           VALUES (app_tenant(), $1, 2, 'delete', $2, $3, $4, true, '別人の予診票', 'clerk', 'checker')`,
          [doseId, d.vaccine, d.dose, d.on],
        );
        await tx.query('UPDATE doses SET current_version = 2, deleted = true WHERE id = $1', [doseId]);
      }
    }
  });
  return ids;
}
