// 実施依頼書: a letter asking another municipality's mayor to vaccinate a resident staying there
// (里帰り出産, 長期入院, 施設入所). Each issuance is a row with its own number (「健第N号」, counted per
// fiscal year); a reissue is a new row naming the letter it replaces, so the history stays whole.
// control: AC-01, LOG-01, TEN-01
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/client.ts';
import { fiscalYearOf, parseIsoDate } from '../../domain/dates.ts';
import { parseMunicipalityCode } from '../../domain/municipality-code.ts';
import type { MailingAddressee, ReferralLetterData } from '../../documents/mailing.ts';
import type { Actor } from '../../security/actor.ts';
import { perform } from '../../security/guard.ts';
import { InputError, NotFoundError } from '../residents/persons.ts';
import { scheduleEngine, todayInJapan } from '../schedule/contract.ts';

export interface ReferralInput {
  addressNumber: string;
  toMunicipalityCode?: string | null;
  toMunicipalityName: string;
  toMayorName: string;
  stayAddress: string;
  reason: string;
  vaccine: string;
  dose: number;
  validUntil: string;
  /** Default: today in Japan. */
  issuedOn?: string;
  /** The letter this one replaces (lost, extended). */
  replaces?: string | null;
}

export interface ReferralRecord {
  id: string;
  letterNumber: string;
  personId: string;
  addressNumber: string;
  toMunicipalityCode: string | null;
  toMunicipalityName: string;
  toMayorName: string;
  stayAddress: string;
  reason: string;
  vaccine: string;
  dose: number;
  validUntil: string;
  issuedOn: string;
  issuedBy: string;
  issuedAt: string;
  replaces: string | null;
}

function text(field: string, v: string | undefined, max: number): string {
  const s = (v ?? '').trim();
  if (s.length === 0 || s.length > max) throw new InputError(`${field}: 1〜${max}文字で入力してください (must be 1-${max} characters)`);
  return s;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkInput(input: ReferralInput): ReferralInput & { issuedOn: string } {
  if (!/^[0-9]{1,15}$/.test(input.addressNumber)) throw new InputError('addressNumber: 宛名番号は15桁以内の数字です (address number must be 1-15 digits)');
  let toCode: string | null = null;
  if (input.toMunicipalityCode) {
    const c = parseMunicipalityCode(input.toMunicipalityCode);
    if (!c.ok) throw new InputError(`toMunicipalityCode: ${c.reason}`);
    toCode = c.code;
  }
  if (!scheduleEngine().compiled.pack.vaccines.some((v) => v.id === input.vaccine)) throw new InputError(`vaccine: 不明なワクチンです (unknown vaccine): ${input.vaccine.slice(0, 30)}`);
  if (!Number.isInteger(input.dose) || input.dose < 1 || input.dose > 99) throw new InputError('dose: 接種回数は1〜99です (dose must be 1-99)');
  const issuedOn = input.issuedOn ?? todayInJapan();
  for (const [f, d] of [['issuedOn', issuedOn], ['validUntil', input.validUntil]] as const) {
    if (parseIsoDate(d) === null) throw new InputError(`${f}: 日付は YYYY-MM-DD で指定してください (not a date: ${String(d).slice(0, 20)})`);
  }
  if (input.validUntil < issuedOn) throw new InputError('validUntil: 有効期限が発行日より前です (validUntil is before the issue date)');
  if (input.replaces && !UUID.test(input.replaces)) throw new InputError('replaces: 依頼書IDの形式が正しくありません (must be a letter id)');
  return {
    ...input, issuedOn, toMunicipalityCode: toCode,
    toMunicipalityName: text('toMunicipalityName', input.toMunicipalityName, 100), toMayorName: text('toMayorName', input.toMayorName, 100),
    stayAddress: text('stayAddress', input.stayAddress, 300), reason: text('reason', input.reason, 500),
  };
}

const RECORD_SQL = `SELECT r.id, r.letter_number, r.person_id, p.address_number, r.to_municipality_code, r.to_municipality_name, r.to_mayor_name, r.stay_address,
       r.reason, r.vaccine_id, r.dose_number, r.valid_until::text AS valid_until, r.issued_on::text AS issued_on, r.issued_by, r.issued_at, r.replaces
  FROM referral_letters r JOIN persons p ON p.municipality_code = r.municipality_code AND p.id = r.person_id`;

interface RecordRow {
  id: string; letter_number: string; person_id: string; address_number: string; to_municipality_code: string | null; to_municipality_name: string;
  to_mayor_name: string; stay_address: string; reason: string; vaccine_id: string; dose_number: number; valid_until: string; issued_on: string;
  issued_by: string; issued_at: Date; replaces: string | null;
}

function recordOf(r: RecordRow): ReferralRecord {
  return {
    id: r.id, letterNumber: r.letter_number, personId: r.person_id, addressNumber: r.address_number, toMunicipalityCode: r.to_municipality_code,
    toMunicipalityName: r.to_municipality_name, toMayorName: r.to_mayor_name, stayAddress: r.stay_address, reason: r.reason, vaccine: r.vaccine_id,
    dose: r.dose_number, validUntil: r.valid_until, issuedOn: r.issued_on, issuedBy: r.issued_by, issuedAt: new Date(r.issued_at).toISOString(), replaces: r.replaces,
  };
}

/** Issues a letter: a new number for the fiscal year of issuedOn (prefix: tenant setting mailing.letterPrefix, default 健). */
export async function issueReferral(db: Database, actor: Actor, raw: ReferralInput): Promise<ReferralRecord> {
  const input = checkInput(raw);
  const id = randomUUID();
  return perform(db, actor, { permission: 'selection.run', action: 'referral.issue', detail: { letterId: id, vaccine: input.vaccine, dose: input.dose } }, async ({ tx, note }) => {
    const [person] = await tx.query<{ id: string }>(`SELECT id FROM persons WHERE address_number = $1 AND merged_into IS NULL AND status = 'resident'`, [input.addressNumber]);
    if (!person) throw new NotFoundError('該当する住民がいません (no resident with this address number)');
    if (input.replaces) {
      const [prev] = await tx.query<{ person_id: string }>('SELECT person_id FROM referral_letters WHERE id = $1', [input.replaces.toLowerCase()]);
      if (!prev || prev.person_id !== person.id) throw new NotFoundError('置き換える依頼書がこの住民にありません (no such letter for this person)');
    }
    const fy = fiscalYearOf(parseIsoDate(input.issuedOn) ?? 0);
    // The tenant's row in ticket_counters is not involved: the letter numbers are per fiscal year,
    // serialised by the unique key (a concurrent issuer fails and retries, nothing is skipped).
    const [seq] = await tx.query<{ n: number; prefix: string | null }>(
      `SELECT coalesce(max(letter_seq), 0) + 1 AS n,
              (SELECT settings #>> '{mailing,letterPrefix}' FROM tenant_settings) AS prefix
         FROM referral_letters WHERE fiscal_year = $1`,
      [fy],
    );
    const n = seq?.n ?? 1;
    const letterNumber = `${seq?.prefix ?? '健'}第${n}号`;
    await tx.query(
      `INSERT INTO referral_letters (municipality_code, id, fiscal_year, letter_seq, letter_number, person_id, to_municipality_code, to_municipality_name,
         to_mayor_name, stay_address, reason, vaccine_id, dose_number, valid_until, replaces, issued_on, issued_by)
       VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [id, fy, n, letterNumber, person.id, input.toMunicipalityCode ?? null, input.toMunicipalityName, input.toMayorName, input.stayAddress, input.reason,
        input.vaccine, input.dose, input.validUntil, input.replaces?.toLowerCase() ?? null, input.issuedOn, actor.userId],
    );
    note({ subject: person.id, letterNumber });
    const [row] = await tx.query<RecordRow>(`${RECORD_SQL} WHERE r.id = $1`, [id]);
    return recordOf(row as RecordRow);
  });
}

/** The issuance history: every letter, newest first; for one person when addressNumber is given. */
export async function listReferrals(db: Database, actor: Actor, filter: { addressNumber?: string } = {}): Promise<ReferralRecord[]> {
  if (filter.addressNumber !== undefined && !/^[0-9]{1,15}$/.test(filter.addressNumber)) throw new InputError('addressNumber: 宛名番号は15桁以内の数字です (address number must be 1-15 digits)');
  return perform(db, actor, { permission: 'selection.run', action: 'referral.list' }, async ({ tx }) => {
    const rows = filter.addressNumber
      ? await tx.query<RecordRow>(`${RECORD_SQL} WHERE p.address_number = $1 ORDER BY r.issued_at DESC, r.letter_seq DESC LIMIT 1000`, [filter.addressNumber])
      : await tx.query<RecordRow>(`${RECORD_SQL} ORDER BY r.issued_at DESC, r.letter_seq DESC LIMIT 1000`);
    return rows.map(recordOf);
  });
}

/** What the letter prints (renderReferralLetter): mayor names from tenant setting mailing.mayorName unless given. */
export async function referralLetterData(db: Database, actor: Actor, letterId: string, opts: { fromMayorName?: string } = {}): Promise<ReferralLetterData> {
  if (!UUID.test(letterId)) throw new InputError('依頼書IDの形式が正しくありません (letter id must be a UUID)');
  return perform(db, actor, { permission: 'selection.run', action: 'referral.view', detail: { letterId } }, async ({ tx }) => {
    const [r] = await tx.query<RecordRow & { name: string; name_kana: string; birth_date: string; sex: 'M' | 'F'; postcode: string | null; address: string; muni: string; mayor: string | null; vaccine_name: string }>(
      `SELECT r.*, r.valid_until::text AS valid_until, r.issued_on::text AS issued_on, p.address_number, p.name, p.name_kana, p.birth_date::text AS birth_date, p.sex, p.postcode, p.address,
              m.name AS muni, (SELECT settings #>> '{mailing,mayorName}' FROM tenant_settings) AS mayor, v.name_ja AS vaccine_name
         FROM referral_letters r JOIN persons p ON p.municipality_code = r.municipality_code AND p.id = r.person_id
         JOIN municipalities m ON m.code = r.municipality_code JOIN vaccines v ON v.id = r.vaccine_id
        WHERE r.id = $1`,
      [letterId.toLowerCase()],
    );
    if (!r) throw new NotFoundError('該当する依頼書がありません (no such letter)');
    const person: MailingAddressee = {
      addressNumber: r.address_number, name: r.name, nameKana: r.name_kana, birthDate: r.birth_date, sex: r.sex,
      postcode: r.postcode ? r.postcode.replace(/[^0-9]/g, '') : null, address: r.address, guardianName: null,
    };
    return {
      letterNumber: r.letter_number, issuedOn: r.issued_on, fromMunicipalityName: r.muni, fromMayorName: opts.fromMayorName ?? r.mayor ?? `${r.muni}長`,
      toMunicipalityName: r.to_municipality_name, toMayorName: r.to_mayor_name, person, stayAddress: r.stay_address, reason: r.reason,
      vaccineName: r.vaccine_name, doseNumber: r.dose_number, validUntil: r.valid_until,
    };
  });
}
