// Vaccination records (接種記録): entry validated by the schedule engine, a second person's
// confirmation, corrections and deletions as new versions, and the person's full history.
// Every function goes through perform(): one permission check and audit entry per operation.
// controls: DATA-02, DATA-03, DATA-14, LOG-01
import type { Database } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import { parseIsoDate } from '../../domain/dates.ts';
import type { ForecastResult, ValidatedDose } from '../../domain/schedule/index.ts';
import { ScheduleInputError } from '../../domain/schedule/index.ts';
import type { Actor } from '../../security/actor.ts';
import { perform } from '../../security/guard.ts';
import { checkPersonId, InputError, NotFoundError } from '../residents/persons.ts';
import { scheduleEngine } from '../schedule/contract.ts';
import type { DoseFacts, NewDose } from './dose-store.ts';
import { confirmedHistories, insertDoses, personFacts } from './dose-store.ts';
import { checkMasterRefs, loadMasterRefs } from './master-check.ts';

export interface DoseInput {
  personId: string;
  vaccine: string;
  dose: number;
  date: string;
  product?: string | null;
  lot?: string | null;
  institutionCode?: string | null;
  doctor?: string | null;
  place?: string | null;
  ticketNumber?: string | null;
  specialCircumstances?: string | null;
  remarks?: string | null;
}

/** A dose the engine does not count as routine: recorded only when the user confirms it. */
export class NonRoutineDoseError extends Error {
  override name = 'NonRoutineDoseError';
  readonly statusCode = 409;
  constructor(readonly problems: readonly string[]) {
    super(`not a routine dose: ${problems.join(', ')} (定期接種の要件を満たしません)`);
  }
}

export interface CheckedDose {
  facts: DoseFacts;
  validated: ValidatedDose;
}

const clean = (v: string | null | undefined, max = 200): string | null => {
  const t = v?.trim();
  return t ? t.slice(0, max) : null;
};

/** Checks one dose against masters and the person's confirmed history (DATA-02); throws InputError. */
export async function checkDose(tx: ScopedTx, input: DoseInput, today: string): Promise<CheckedDose> {
  checkPersonId(input.personId);
  if (parseIsoDate(input.date) === null) throw new InputError(`接種日が不正です: ${input.date} (invalid vaccination date)`);
  if (input.date > today) throw new InputError(`接種日が未来の日付です: ${input.date} (vaccination date is in the future)`);
  const person = (await personFacts(tx, [input.personId])).get(input.personId);
  if (!person) throw new NotFoundError('no such person (該当する住民がいません)');
  if (input.date < person.birth) throw new InputError('接種日が生年月日より前です (vaccination date is before the birth date)');
  const product = clean(input.product);
  const institution = clean(input.institutionCode, 10);
  const refs = await loadMasterRefs(tx, { products: product ? [product] : [], institutions: institution ? [institution] : [] });
  const masters = checkMasterRefs(refs, { vaccine: input.vaccine, date: input.date, product, lot: clean(input.lot, 20), institutionCode: institution });
  if (!masters.ok) throw new InputError(masters.message);
  const { productName, scheduleProduct, lotNumber: lot, institutionCode } = masters;
  const ticketNumber = clean(input.ticketNumber, 10);
  if (ticketNumber && !/^[0-9]{10}$/.test(ticketNumber)) throw new InputError('接種券番号は10桁の数字です (ticket number must be 10 digits)');
  const history = (await confirmedHistories(tx, [input.personId])).get(input.personId) ?? [];
  const candidate = { vaccine: input.vaccine, dose: input.dose, date: input.date, product: scheduleProduct };
  let validated: ValidatedDose;
  try {
    const all = scheduleEngine().validate({ birth: person.birth, sex: person.sex }, [...history, candidate]);
    validated = all[all.length - 1] as ValidatedDose;
  } catch (err) {
    if (err instanceof ScheduleInputError) throw new InputError(err.message);
    throw err;
  }
  if (history.some((h) => h.vaccine === input.vaccine && h.dose === input.dose && h.date === input.date)) {
    throw new InputError('同じ接種（ワクチン・回数・接種日）が既に登録されています (this dose is already recorded)');
  }
  return {
    validated,
    facts: {
      vaccine: input.vaccine, dose: input.dose, date: input.date, productName, scheduleProduct, lotNumber: lot, institutionCode,
      doctorName: clean(input.doctor, 100), place: clean(input.place), ticketNumber, specialCircumstances: clean(input.specialCircumstances, 500),
      remarks: clean(input.remarks, 500),
    },
  };
}

export interface RecordDeps {
  db: Database;
  today: () => string;
}

/** The engine's verdict on a dose before it is recorded (the entry page asks as the user types). */
export async function previewDose(deps: RecordDeps, actor: Actor, input: DoseInput): Promise<ValidatedDose> {
  return perform(deps.db, actor, { permission: 'dose.enter', action: 'dose.check', subjectPersonId: input.personId }, async ({ tx }) =>
    (await checkDose(tx, input, deps.today())).validated,
  );
}

/** Records a dose from a returned 予診票: provisional until another user confirms it. */
export async function recordDose(deps: RecordDeps, actor: Actor, input: DoseInput & { acceptNonRoutine?: boolean }): Promise<{ doseId: string; validated: ValidatedDose }> {
  return perform(deps.db, actor, { permission: 'dose.enter', action: 'dose.enter', subjectPersonId: input.personId }, async ({ tx, note }) => {
    const { facts, validated } = await checkDose(tx, input, deps.today());
    if (!validated.routine && !input.acceptNonRoutine) throw new NonRoutineDoseError(validated.problems);
    const dose: NewDose = { ...facts, personId: input.personId, routine: validated.routine, problems: validated.problems };
    const [doseId] = await insertDoses(tx, [dose], 'entry', actor.userId, null);
    note({ doseId: doseId ?? null, vaccine: facts.vaccine, dose: facts.dose, routine: validated.routine });
    return { doseId: doseId as string, validated };
  });
}

interface VersionRow {
  dose_id: string;
  person_id: string;
  version: number;
  change: 'create' | 'correct' | 'delete';
  entered_by: string;
  current_version: number | null;
}

async function pendingVersion(tx: ScopedTx, doseId: string): Promise<VersionRow> {
  checkPersonId(doseId);
  const [row] = await tx.query<VersionRow>(
    `SELECT v.dose_id, d.person_id, v.version, v.change, v.entered_by, d.current_version
       FROM doses d JOIN dose_versions v ON v.municipality_code = d.municipality_code AND v.dose_id = d.id AND v.version = d.pending_version
      WHERE d.id = $1 FOR UPDATE OF d`,
    [doseId],
  );
  if (!row) throw new NotFoundError('確認待ちの接種記録がありません (no record waiting for confirmation)');
  return row;
}

/** ダブルチェック: a second user makes the pending version the one in force. control: DATA-03 */
export async function confirmDose(deps: RecordDeps, actor: Actor, doseId: string): Promise<void> {
  await perform(deps.db, actor, { permission: 'dose.confirm', action: 'dose.confirm', detail: { doseId } }, async ({ tx, note }) => {
    const pending = await pendingVersion(tx, doseId);
    note({ subject: pending.person_id, version: pending.version });
    if (pending.entered_by === actor.userId) {
      throw new InputError('入力した本人は確認できません。別の職員が確認してください (the person who entered a record cannot confirm it)');
    }
    await tx.query('UPDATE dose_versions SET confirmed_by = $3, confirmed_at = now() WHERE dose_id = $1 AND version = $2', [doseId, pending.version, actor.userId]);
    await tx.query('UPDATE doses SET current_version = $2, pending_version = NULL, deleted = $3 WHERE id = $1', [doseId, pending.version, pending.change === 'delete']);
  });
}

/** A correction never overwrites: it is a new version with who, when and why, confirmed like an entry. */
export async function correctDose(deps: RecordDeps, actor: Actor, doseId: string, input: Omit<DoseInput, 'personId'>, reason: string): Promise<number> {
  if (!reason.trim()) throw new InputError('訂正の理由を入力してください (a reason is required)');
  return newVersion(deps, actor, doseId, 'correct', reason, input);
}

export async function deleteDose(deps: RecordDeps, actor: Actor, doseId: string, reason: string): Promise<number> {
  if (!reason.trim()) throw new InputError('削除の理由を入力してください (a reason is required)');
  return newVersion(deps, actor, doseId, 'delete', reason, null);
}

async function newVersion(deps: RecordDeps, actor: Actor, doseId: string, change: 'correct' | 'delete', reason: string, input: Omit<DoseInput, 'personId'> | null): Promise<number> {
  checkPersonId(doseId);
  return perform(deps.db, actor, { permission: 'dose.correct', action: `dose.${change}`, detail: { doseId, reason: reason.slice(0, 300) } }, async ({ tx, note }) => {
    const [dose] = await tx.query<{ person_id: string; current_version: number | null; pending_version: number | null; deleted: boolean }>(
      'SELECT person_id, current_version, pending_version, deleted FROM doses WHERE id = $1 FOR UPDATE',
      [doseId],
    );
    if (!dose || dose.current_version === null) throw new NotFoundError('訂正できる確定済みの接種記録がありません (no confirmed record to change)');
    if (dose.pending_version !== null) throw new InputError('確認待ちの変更があります。先に確認してください (a change is already waiting for confirmation)');
    if (dose.deleted) throw new InputError('削除済みの記録です (the record is deleted)');
    note({ subject: dose.person_id });
    const [current] = await tx.query<{ version: number } & Record<string, unknown>>(
      'SELECT * FROM dose_versions WHERE dose_id = $1 AND version = $2',
      [doseId, dose.current_version],
    );
    if (!current) throw new NotFoundError('no such record');
    let facts: DoseFacts;
    let routine = current.routine as boolean;
    let problems = current.problems as string[];
    if (input) {
      // Validate the corrected dose against the history without its own current version.
      await tx.query('UPDATE doses SET deleted = true WHERE id = $1', [doseId]);
      const checked = await checkDose(tx, { ...input, personId: dose.person_id }, deps.today());
      await tx.query('UPDATE doses SET deleted = false WHERE id = $1', [doseId]);
      facts = checked.facts;
      routine = checked.validated.routine;
      problems = [...checked.validated.problems];
    } else {
      facts = {
        vaccine: current.vaccine_id as string, dose: current.dose_number as number, date: current.administered_on as string,
        productName: current.product_name as string | null, scheduleProduct: current.schedule_product as string | null,
        lotNumber: current.lot_number as string | null, institutionCode: current.institution_code as string | null,
        doctorName: current.doctor_name as string | null, place: current.place as string | null, ticketNumber: current.ticket_number as string | null,
        specialCircumstances: current.special_circumstances as string | null, remarks: current.remarks as string | null,
      };
    }
    const version = Math.max(dose.current_version, ...(await tx.query<{ v: number }>('SELECT max(version) AS v FROM dose_versions WHERE dose_id = $1', [doseId])).map((r) => r.v)) + 1;
    await tx.query(
      `INSERT INTO dose_versions (municipality_code, dose_id, version, change, vaccine_id, dose_number, administered_on, product_name, schedule_product,
         lot_number, institution_code, doctor_name, place, ticket_number, special_circumstances, remarks, routine, problems, reason, entered_by)
       VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
      [doseId, version, change, facts.vaccine, facts.dose, facts.date, facts.productName, facts.scheduleProduct, facts.lotNumber, facts.institutionCode,
        facts.doctorName, facts.place, facts.ticketNumber, facts.specialCircumstances, facts.remarks, routine, problems, reason, actor.userId],
    );
    await tx.query('UPDATE doses SET pending_version = $2 WHERE id = $1', [doseId, version]);
    return version;
  });
}

export interface DoseVersionView {
  version: number;
  change: string;
  vaccine_id: string;
  dose_number: number;
  administered_on: string;
  product_name: string | null;
  schedule_product: string | null;
  lot_number: string | null;
  institution_code: string | null;
  doctor_name: string | null;
  ticket_number: string | null;
  special_circumstances: string | null;
  remarks: string | null;
  routine: boolean;
  problems: string[];
  reason: string | null;
  entered_by: string;
  entered_at: Date;
  confirmed_by: string | null;
  confirmed_at: Date | null;
  /** Display names of the staff accounts (null for an id with no account, e.g. a system import). */
  entered_by_name?: string | null;
  confirmed_by_name?: string | null;
}

export interface DoseView {
  id: string;
  source: string;
  status: 'provisional' | 'confirmed' | 'deleted';
  pending: boolean;
  versions: DoseVersionView[];
}

/** The person's whole ledger: every dose with all its versions, and the forecast as of today. */
export async function personRecord(deps: RecordDeps, actor: Actor, personId: string): Promise<{ doses: DoseView[]; forecast: ForecastResult }> {
  checkPersonId(personId);
  return perform(deps.db, actor, { permission: 'dose.read', action: 'dose.history', subjectPersonId: personId }, async ({ tx }) => {
    const person = (await personFacts(tx, [personId])).get(personId);
    if (!person) throw new NotFoundError('no such person (該当する住民がいません)');
    const doses = await tx.query<{ id: string; source: string; current_version: number | null; pending_version: number | null; deleted: boolean; versions: DoseVersionView[] }>(
      `SELECT d.id, d.source, d.current_version, d.pending_version, d.deleted,
              (SELECT jsonb_agg(to_jsonb(v) || jsonb_build_object('entered_by_name', se.display_name, 'confirmed_by_name', sc.display_name) ORDER BY v.version DESC)
                 FROM dose_versions v
                 LEFT JOIN staff_accounts se ON se.municipality_code = v.municipality_code AND se.id::text = v.entered_by
                 LEFT JOIN staff_accounts sc ON sc.municipality_code = v.municipality_code AND sc.id::text = v.confirmed_by
                WHERE v.municipality_code = d.municipality_code AND v.dose_id = d.id) AS versions
         FROM doses d WHERE d.person_id = $1`,
      [personId],
    );
    const history = (await confirmedHistories(tx, [personId])).get(personId) ?? [];
    const forecast = scheduleEngine().forecast({ birth: person.birth, sex: person.sex }, history, deps.today());
    const views: DoseView[] = doses.map((d) => ({
      id: d.id,
      source: d.source,
      status: d.deleted ? 'deleted' : d.current_version === null ? 'provisional' : 'confirmed',
      pending: d.pending_version !== null,
      versions: d.versions,
    }));
    views.sort((a, b) => (a.versions[0]?.administered_on ?? '').localeCompare(b.versions[0]?.administered_on ?? ''));
    return { doses: views, forecast };
  });
}

/** Records waiting for a second person's check, oldest first (the confirmation queue). */
export async function pendingQueue(deps: RecordDeps, actor: Actor, limit = 100): Promise<Array<DoseVersionView & { dose_id: string; person_id: string; name: string; address_number: string }>> {
  return perform(deps.db, actor, { permission: 'dose.confirm', action: 'dose.queue' }, ({ tx }) =>
    tx.query(
      `SELECT v.*, d.id AS dose_id, d.person_id, p.name, p.address_number, se.display_name AS entered_by_name
         FROM doses d
         JOIN dose_versions v ON v.municipality_code = d.municipality_code AND v.dose_id = d.id AND v.version = d.pending_version
         JOIN persons p ON p.municipality_code = d.municipality_code AND p.id = d.person_id
         LEFT JOIN staff_accounts se ON se.municipality_code = v.municipality_code AND se.id::text = v.entered_by
        ORDER BY v.entered_at LIMIT $1`,
      [limit],
    ),
  );
}
