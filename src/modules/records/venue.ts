// Venue mode (会場モード, issue 7 item 4; seed-003 §3.5 B): a venue tablet scans the ticket's OCR
// line (or its QR, which a keyboard-wedge scanner types as the same 18 digits) and the dose is
// recorded with everything else preset for the session. The tablet can do three things only
// (control AC-07): set the session presets, record a scanned ticket, list today's records at its
// venue. It sees the ticket number, the person's name and the time — never My Number, address,
// birth date or any history.
//
// Decisions (docs/records.md):
// - Venue records are machine-read, not manual entries (DATA-03 speaks of manual entries), so they
//   are in force at once: version 1 is entered by the reader of the venue session
//   (`venue-session:<id>`, the presets + the scanned line) and confirmed by the venue account that
//   scanned it and saw the name on screen. The database's "confirmer ≠ enterer" check holds.
// - A ticket records one dose. A second scan is refused while a dose with that ticket number
//   exists (a deleted dose frees it). The ticket row is locked while recording, so two tablets
//   scanning the same ticket at once cannot both succeed.
// - Doses the schedule engine does not count as routine are refused with the problem in Japanese:
//   the venue cannot judge a 間違い接種 case; such a person is recorded by the health department
//   through normal entry (with its second-person check).
// - The ticket's 回数 gives the dose number; the date is today in Japan; source 'venue'.
// Every function goes through perform() with 'dose.venue'. controls: AC-07, AC-11, DATA-02, LOG-01
import crypto from 'node:crypto';
import type { Database } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import type { ProblemCode } from '../../domain/schedule/index.ts';
import type { Actor } from '../../security/actor.ts';
import { perform } from '../../security/guard.ts';
import { InputError, NotFoundError } from '../residents/persons.ts';
import { insertDoses } from './dose-store.ts';
import { checkDose } from './service.ts';
import { parseOcrLine } from './ticket-numbers.ts';

export interface VenueDeps {
  db: Database;
  /** Today in Japan, YYYY-MM-DD. */
  today: () => string;
}

/** Which sign-in the presets belong to: the account and its staff session (token hash). */
export interface VenueSessionKey {
  staffSessionHash: string;
}

export interface VenuePresets {
  vaccine: string;
  product: string;
  lot: string;
  institutionCode: string;
  doctor: string;
}

export interface VenueSession extends VenuePresets {
  id: string;
  vaccineName: string;
  institutionName: string;
}

export interface VenueOptions {
  vaccines: { id: string; name: string }[];
  products: { name: string; vaccineId: string; maker: string }[];
  lots: { productName: string; lotNumber: string; expiresOn: string | null }[];
  venues: { code: string; name: string }[];
  doctors: { institutionCode: string; name: string }[];
}

export type VenueRefusalCode =
  | 'no_session'
  | 'ocr'
  | 'other_municipality'
  | 'unknown_ticket'
  | 'voided'
  | 'used'
  | 'mismatch'
  | 'wrong_vaccine'
  | 'not_resident'
  | 'not_routine'
  | 'invalid';

/** A scan the venue must not record; the message is the Japanese text shown in large type. */
export class VenueRefusal extends Error {
  override name = 'VenueRefusal';
  readonly statusCode: number;
  constructor(readonly code: VenueRefusalCode, message: string, status = 409) {
    super(message);
    this.statusCode = status;
  }
}

export interface VenueRecord {
  ticketNumber: string | null;
  name: string;
  enteredAt: Date;
}

export interface VenueScanResult {
  ticketNumber: string;
  name: string;
  countToday: number;
  records: VenueRecord[];
}

const PROBLEM_JA: Record<ProblemCode, string> = {
  TOO_YOUNG: '接種可能年齢に達していません',
  TOO_OLD: '対象年齢・期間を過ぎています',
  INTERVAL_TOO_SHORT: '前回の接種からの間隔が不足しています',
  LIVE_INTERVAL: '他の注射生ワクチンから27日以上空いていません',
  SERIES_COMPLETE: '規定の回数を既に接種しています',
  NOT_ELIGIBLE: '定期接種の対象外です',
};

const checkKey = (key: VenueSessionKey): string => {
  if (!/^[0-9a-f]{64}$/.test(key.staffSessionHash)) throw new InputError('invalid session');
  return key.staffSessionHash;
};

async function loadSession(tx: ScopedTx, actor: Actor, key: VenueSessionKey): Promise<VenueSession | null> {
  const [row] = await tx.query<{
    id: string; vaccine_id: string; vaccine_name: string; product_name: string; lot_number: string; institution_code: string; institution_name: string; doctor_name: string;
  }>(
    `SELECT s.id, s.vaccine_id, v.name_ja AS vaccine_name, s.product_name, s.lot_number, s.institution_code, m.name AS institution_name, s.doctor_name
       FROM venue_sessions s
       JOIN vaccines v ON v.id = s.vaccine_id
       JOIN medical_institutions m ON m.municipality_code = s.municipality_code AND m.code = s.institution_code
      WHERE s.staff_session_hash = $1 AND s.account_id = $2`,
    [checkKey(key), actor.userId],
  );
  if (!row) return null;
  return {
    id: row.id, vaccine: row.vaccine_id, vaccineName: row.vaccine_name, product: row.product_name, lot: row.lot_number,
    institutionCode: row.institution_code, institutionName: row.institution_name, doctor: row.doctor_name,
  };
}

/** The presets of this sign-in, or null when the session has none yet. */
export async function getVenueSession(deps: VenueDeps, actor: Actor, key: VenueSessionKey): Promise<VenueSession | null> {
  return perform(deps.db, actor, { permission: 'dose.venue', action: 'venue.session.view' }, ({ tx }) => loadSession(tx, actor, key));
}

/** The masters a venue chooses its presets from (venues are institutions flagged is_venue). */
export async function venueOptions(deps: VenueDeps, actor: Actor): Promise<VenueOptions> {
  return perform(deps.db, actor, { permission: 'dose.venue', action: 'venue.options' }, async ({ tx }) => {
    const vaccines = await tx.query<{ id: string; name: string }>('SELECT id, name_ja AS name FROM vaccines ORDER BY id');
    const products = await tx.query<{ name: string; vaccine_id: string; maker: string }>('SELECT name, vaccine_id, maker FROM vaccine_products ORDER BY vaccine_id, name');
    const lots = await tx.query<{ product_name: string; lot_number: string; expires_on: string | null }>(
      'SELECT product_name, lot_number, expires_on::text AS expires_on FROM vaccine_lots WHERE expires_on IS NULL OR expires_on >= $1::date ORDER BY product_name, lot_number',
      [deps.today()],
    );
    const venues = await tx.query<{ code: string; name: string }>('SELECT code, name FROM medical_institutions WHERE is_venue ORDER BY code');
    const doctors = await tx.query<{ institution_code: string; name: string }>(
      'SELECT d.institution_code, d.name FROM doctors d JOIN medical_institutions m ON m.municipality_code = d.municipality_code AND m.code = d.institution_code WHERE m.is_venue ORDER BY 1, 2',
    );
    return {
      vaccines,
      products: products.map((p) => ({ name: p.name, vaccineId: p.vaccine_id, maker: p.maker })),
      lots: lots.map((l) => ({ productName: l.product_name, lotNumber: l.lot_number, expiresOn: l.expires_on })),
      venues,
      doctors: doctors.map((d) => ({ institutionCode: d.institution_code, name: d.name })),
    };
  });
}

/** Sets (or replaces) the presets of this sign-in after checking each against the masters. */
export async function saveVenueSession(deps: VenueDeps, actor: Actor, key: VenueSessionKey, input: VenuePresets): Promise<VenueSession> {
  const hash = checkKey(key);
  const p = {
    vaccine: input.vaccine.trim(),
    product: input.product.trim(),
    lot: input.lot.normalize('NFKC').trim(),
    institutionCode: input.institutionCode.normalize('NFKC').trim(),
    doctor: input.doctor.trim(),
  };
  return perform(deps.db, actor, { permission: 'dose.venue', action: 'venue.session.set', detail: { vaccine: p.vaccine.slice(0, 40), institution: p.institutionCode.slice(0, 10) } }, async ({ tx }) => {
    const errors: string[] = [];
    const [vaccine] = await tx.query('SELECT 1 FROM vaccines WHERE id = $1', [p.vaccine]);
    if (!vaccine) errors.push('ワクチンを選んでください');
    const [product] = await tx.query<{ vaccine_id: string }>('SELECT vaccine_id FROM vaccine_products WHERE name = $1', [p.product]);
    if (!product) errors.push('製品をワクチン製品マスタから選んでください');
    else if (vaccine && product.vaccine_id !== p.vaccine) errors.push(`製品「${p.product}」は選んだワクチンの製品ではありません`);
    if (!/^[A-Za-z0-9-]{1,20}$/.test(p.lot)) errors.push('ロット番号は英数字とハイフン20文字以内です');
    else if (product) {
      const lots = await tx.query<{ lot_number: string; expires_on: string | null }>('SELECT lot_number, expires_on::text AS expires_on FROM vaccine_lots WHERE product_name = $1', [p.product]);
      const found = lots.find((l) => l.lot_number === p.lot);
      if (lots.length > 0 && !found) errors.push(`ロット番号 ${p.lot} はロットマスタにありません`);
      if (found?.expires_on && found.expires_on < deps.today()) errors.push(`ロット ${p.lot} は有効期限（${found.expires_on}）切れです`);
    }
    const [venue] = await tx.query<{ is_venue: boolean }>('SELECT is_venue FROM medical_institutions WHERE code = $1', [p.institutionCode]);
    if (!venue?.is_venue) errors.push('会場を会場マスタ（接種会場の医療機関）から選んでください');
    if (!p.doctor || p.doctor.length > 100) errors.push('医師名を入力してください（100文字以内）');
    else if (venue?.is_venue) {
      const doctors = await tx.query<{ name: string }>('SELECT name FROM doctors WHERE institution_code = $1', [p.institutionCode]);
      if (doctors.length > 0 && !doctors.some((d) => d.name === p.doctor)) errors.push(`医師「${p.doctor}」はこの会場の医師マスタにありません`);
    }
    if (errors.length) throw new InputError(errors.join(' / '));
    await tx.query(
      `INSERT INTO venue_sessions (municipality_code, id, account_id, staff_session_hash, vaccine_id, product_name, lot_number, institution_code, doctor_name)
       VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (municipality_code, staff_session_hash) DO UPDATE
         SET vaccine_id = EXCLUDED.vaccine_id, product_name = EXCLUDED.product_name, lot_number = EXCLUDED.lot_number,
             institution_code = EXCLUDED.institution_code, doctor_name = EXCLUDED.doctor_name, updated_at = now()
       WHERE venue_sessions.account_id = EXCLUDED.account_id`,
      [crypto.randomUUID(), actor.userId, hash, p.vaccine, p.product, p.lot, p.institutionCode, p.doctor],
    );
    const saved = await loadSession(tx, actor, key);
    if (!saved) throw new NotFoundError('venue session not saved');
    return saved;
  });
}

async function todayAtVenue(tx: ScopedTx, institutionCode: string, today: string): Promise<VenueRecord[]> {
  const rows = await tx.query<{ ticket_number: string | null; name: string; entered_at: Date }>(
    `SELECT v.ticket_number, p.name, v.entered_at
       FROM dose_versions v
       JOIN doses d ON d.municipality_code = v.municipality_code AND d.id = v.dose_id
       JOIN persons p ON p.municipality_code = d.municipality_code AND p.id = d.person_id
      WHERE v.institution_code = $1 AND v.administered_on = $2::date AND v.version = 1 AND d.source = 'venue' AND NOT d.deleted
      ORDER BY v.entered_at DESC, v.ticket_number DESC`,
    [institutionCode, today],
  );
  return rows.map((r) => ({ ticketNumber: r.ticket_number, name: r.name, enteredAt: new Date(r.entered_at) }));
}

/** Today's records at the session's venue, newest first (ticket number, name, time only). */
export async function venueRecordsToday(deps: VenueDeps, actor: Actor, key: VenueSessionKey): Promise<{ session: VenueSession | null; records: VenueRecord[] }> {
  return perform(deps.db, actor, { permission: 'dose.venue', action: 'dose.venue.list' }, async ({ tx, note }) => {
    const session = await loadSession(tx, actor, key);
    if (!session) return { session: null, records: [] };
    const records = await todayAtVenue(tx, session.institutionCode, deps.today());
    note({ institution: session.institutionCode, count: records.length });
    return { session, records };
  });
}

/** Records the dose of a scanned ticket with the session's presets, or refuses with a VenueRefusal. */
export async function recordVenueScan(deps: VenueDeps, actor: Actor, key: VenueSessionKey, ocrInput: string): Promise<VenueScanResult> {
  return perform(deps.db, actor, { permission: 'dose.venue', action: 'dose.venue' }, async ({ tx, note }) => {
    const session = await loadSession(tx, actor, key);
    if (!session) throw new VenueRefusal('no_session', '会場の設定（ワクチン・ロット・会場・医師）が済んでいません', 409);
    const parsed = parseOcrLine(ocrInput.slice(0, 100), actor.municipalityCode);
    if (!parsed.ok) {
      note({ refused: parsed.problem });
      if (parsed.problem === 'other_municipality') throw new VenueRefusal('other_municipality', parsed.ja, 422);
      throw new VenueRefusal('ocr', parsed.ja, 400);
    }
    note({ ticketNumber: parsed.ticketNumber, institution: session.institutionCode });
    const [ticket] = await tx.query<{ person_id: string; vaccine_id: string; dose_number: number; kind: string; voided_at: Date | null }>(
      'SELECT person_id, vaccine_id, dose_number, kind, voided_at FROM tickets WHERE ticket_number = $1 FOR UPDATE',
      [parsed.ticketNumber],
    );
    if (!ticket) throw new VenueRefusal('unknown_ticket', `接種券番号 ${parsed.ticketNumber} は発行されていません（該当する接種券がありません）`, 404);
    note({ subject: ticket.person_id });
    if (ticket.voided_at) throw new VenueRefusal('voided', `接種券番号 ${parsed.ticketNumber} は無効になった接種券です（再発行済みなど）。使用できません`);
    if (ticket.kind !== parsed.kind || Number(ticket.dose_number) !== parsed.doseNumber) {
      throw new VenueRefusal('mismatch', '券面の券種・回数が発行記録と一致しません。接種券を確認してください');
    }
    if (ticket.vaccine_id !== session.vaccine) {
      const [v] = await tx.query<{ name_ja: string }>('SELECT name_ja FROM vaccines WHERE id = $1', [ticket.vaccine_id]);
      throw new VenueRefusal('wrong_vaccine', `この接種券は「${v?.name_ja ?? ticket.vaccine_id}」の接種券です。この会場のワクチン（${session.vaccineName}）では登録できません`);
    }
    const [used] = await tx.query<{ administered_on: string }>(
      `SELECT v.administered_on::text AS administered_on FROM dose_versions v
         JOIN doses d ON d.municipality_code = v.municipality_code AND d.id = v.dose_id
        WHERE v.ticket_number = $1 AND NOT d.deleted LIMIT 1`,
      [parsed.ticketNumber],
    );
    if (used) throw new VenueRefusal('used', `接種券番号 ${parsed.ticketNumber} は使用済みです（${used.administered_on} に接種記録あり）`);
    const [person] = await tx.query<{ name: string; status: string }>('SELECT name, status FROM persons WHERE id = $1', [ticket.person_id]);
    if (!person) throw new VenueRefusal('unknown_ticket', '接種券の対象者が見つかりません', 404);
    if (person.status !== 'resident') {
      const why = person.status === 'moved_out' ? '転出済み' : person.status === 'dead' ? '死亡' : '住民記録が無効';
      throw new VenueRefusal('not_resident', `この方は${why}のため、この接種券では登録できません。窓口に確認してください`);
    }
    const doseNumber = Number(ticket.dose_number);
    if (doseNumber < 1) throw new VenueRefusal('mismatch', 'この接種券には回数が記載されていません。会場では登録できません');
    const today = deps.today();
    let checked;
    try {
      checked = await checkDose(
        tx,
        {
          personId: ticket.person_id, vaccine: session.vaccine, dose: doseNumber, date: today, product: session.product, lot: session.lot,
          institutionCode: session.institutionCode, doctor: session.doctor, place: session.institutionName, ticketNumber: parsed.ticketNumber,
        },
        today,
      );
    } catch (err) {
      if (err instanceof InputError || err instanceof NotFoundError) throw new VenueRefusal('invalid', err.message.replace(/ \([^)]*\)$/, ''), 400);
      throw err;
    }
    if (!checked.validated.routine) {
      note({ problems: checked.validated.problems });
      const why = checked.validated.problems.map((p) => PROBLEM_JA[p]).join('、');
      throw new VenueRefusal('not_routine', `定期接種の要件を満たさないため会場では登録できません（${why}）。保健センターに確認してください`);
    }
    await insertDoses(
      tx,
      [{ ...checked.facts, personId: ticket.person_id, routine: true, problems: [] }],
      'venue',
      `venue-session:${session.id}`,
      actor.userId,
    );
    const records = await todayAtVenue(tx, session.institutionCode, today);
    note({ count: records.length });
    return { ticketNumber: parsed.ticketNumber, name: person.name, countToday: records.length, records };
  });
}
