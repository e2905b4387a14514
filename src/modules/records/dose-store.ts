// Set-based reads and writes of the ledger, shared by manual entry, clinic files, venues and the
// demo: doses and their versions, and each person's confirmed history in engine form.
import type { ScopedTx } from '../../db/scoped.ts';
import { timeOrderedUuids } from '../../db/time-ordered-id.ts';
import type { DoseRecord, Person } from '../../domain/schedule/index.ts';

export interface DoseFacts {
  vaccine: string;
  dose: number;
  date: string;
  productName: string | null;
  scheduleProduct: string | null;
  lotNumber: string | null;
  institutionCode: string | null;
  doctorName: string | null;
  place: string | null;
  ticketNumber: string | null;
  specialCircumstances: string | null;
  remarks: string | null;
}

export interface NewDose extends DoseFacts {
  personId: string;
  routine: boolean;
  problems: readonly string[];
}

export type DoseSource = 'entry' | 'clinic_file' | 'venue' | 'migration';

/**
 * The confirmed, not deleted doses of each person, oldest first, as the schedule engine reads them.
 * The explicit char(6) tenant condition lets PostgreSQL use doses_person: the RLS policy compares
 * municipality_code as text, which no index serves (a selection page otherwise scans every dose).
 */
export async function confirmedHistories(tx: ScopedTx, personIds: readonly string[]): Promise<Map<string, DoseRecord[]>> {
  const rows = await tx.query<{ person_id: string; vaccine_id: string; dose_number: number; administered_on: string; schedule_product: string | null }>(
    `SELECT d.person_id, v.vaccine_id, v.dose_number, v.administered_on, v.schedule_product
       FROM doses d JOIN dose_versions v ON v.municipality_code = d.municipality_code AND v.dose_id = d.id AND v.version = d.current_version
      WHERE d.municipality_code = app_tenant_code() AND d.person_id = ANY($1::uuid[]) AND NOT d.deleted
      ORDER BY v.administered_on, v.vaccine_id, v.dose_number`,
    [personIds],
  );
  const out = new Map<string, DoseRecord[]>(personIds.map((id) => [id, []]));
  for (const r of rows) out.get(r.person_id)?.push({ vaccine: r.vaccine_id, dose: r.dose_number, date: r.administered_on, product: r.schedule_product });
  return out;
}

export async function personFacts(tx: ScopedTx, personIds: readonly string[]): Promise<Map<string, Person & { name: string; status: string }>> {
  const rows = await tx.query<{ id: string; birth_date: string; sex: 'M' | 'F'; name: string; status: string }>(
    'SELECT id, birth_date, sex, name, status FROM persons WHERE id = ANY($1::uuid[])',
    [personIds],
  );
  return new Map(rows.map((r) => [r.id, { birth: r.birth_date, sex: r.sex, name: r.name, status: r.status }]));
}

/**
 * Inserts new doses as version 1. Manual entries stay provisional (pending) until a second person
 * confirms them; machine-read sources are confirmed by `confirmedBy` at once. Versions from a clinic
 * file carry `submissionId`, so the file can be confirmed as a batch.
 */
export async function insertDoses(
  tx: ScopedTx,
  doses: readonly NewDose[],
  source: DoseSource,
  enteredBy: string,
  confirmedBy: string | null,
  options: { submissionId?: string | null } = {},
): Promise<string[]> {
  // Increasing ids: each primary-key insert appends to the index instead of searching it.
  const ids = timeOrderedUuids(doses.length);
  const BATCH = 5000;
  for (let i = 0; i < doses.length; i += BATCH) {
    const part = doses.slice(i, i + BATCH);
    const pid = ids.slice(i, i + BATCH);
    const col = <T>(f: (d: NewDose) => T): T[] => part.map(f);
    await tx.query(
      `INSERT INTO doses (municipality_code, id, person_id, current_version, pending_version, source)
       SELECT app_tenant(), id, person_id, $3::int, $4::int, $5 FROM unnest($1::uuid[], $2::uuid[]) AS u(id, person_id)`,
      [pid, col((d) => d.personId), confirmedBy ? 1 : null, confirmedBy ? null : 1, source],
    );
    await tx.query(
      `INSERT INTO dose_versions (municipality_code, dose_id, version, change, vaccine_id, dose_number, administered_on, product_name,
         schedule_product, lot_number, institution_code, doctor_name, place, ticket_number, special_circumstances, remarks, routine, problems,
         entered_by, confirmed_by, confirmed_at, submission_id)
       SELECT app_tenant(), u.id, 1, 'create', u.vaccine, u.dose, u.date, u.product_name, u.schedule_product, u.lot, u.inst, u.doctor,
              u.place, u.ticket, u.special, u.remarks, u.routine, COALESCE(string_to_array(u.problems, ','), '{}'), $16, $17::text,
              CASE WHEN $17::text IS NULL THEN NULL ELSE now() END, $18::uuid
         FROM unnest($1::uuid[], $2::text[], $3::int[], $4::date[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::text[], $12::text[], $13::text[], $14::boolean[], $15::text[])
           AS u(id, vaccine, dose, date, product_name, schedule_product, lot, inst, doctor, place, ticket, special, remarks, routine, problems)`,
      [
        pid, col((d) => d.vaccine), col((d) => d.dose), col((d) => d.date), col((d) => d.productName), col((d) => d.scheduleProduct),
        col((d) => d.lotNumber), col((d) => d.institutionCode), col((d) => d.doctorName), col((d) => d.place), col((d) => d.ticketNumber),
        col((d) => d.specialCircumstances), col((d) => d.remarks), col((d) => d.routine), col((d) => (d.problems.length ? d.problems.join(',') : null)),
        enteredBy, confirmedBy, options.submissionId ?? null,
      ],
    );
  }
  return ids;
}
