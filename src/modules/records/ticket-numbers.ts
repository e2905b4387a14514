// 接種券番号 and the 18-digit OCR line (BRIEF §3; seed-003 §3.4–3.5).
//
// Ticket number: 10 digits = a 9-digit serial + 1 check digit. The serial comes from the tenant's
// ticket_counters row, incremented under that row's lock (INSERT … ON CONFLICT DO UPDATE), so two
// issuers never get the same number and a number is never handed out twice: the counter only
// grows, and a rolled-back issue rolls the counter back with it (the numbers were never printed).
// Voided tickets keep their number (tickets table).
//
// Check digit: modulus 10, weights 3-1 (the JAN/EAN scheme). From the rightmost serial digit
// leftwards the weights are 3, 1, 3, 1, …; check = (10 − sum mod 10) mod 10. It catches every
// single-digit misread and most swaps of neighbouring digits (not those that differ by 5, e.g.
// 05 ↔ 50) — enough to stop a mistyped or misread number matching another person's ticket.
//
// OCR line (券面OCR行, also the QR content): 券種(1) + 回数(1) + 市町村コード(6) + 券番号(10) = 18 digits.
// The parser normalises what a keyboard-wedge scanner or a person typed (full-width digits, spaces,
// hyphens), and refuses a line of another municipality before anything is looked up.
// control: DATA-02, AC-07
import type { Database } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import { parseMunicipalityCode } from '../../domain/municipality-code.ts';
import type { Actor } from '../../security/actor.ts';
import { perform } from '../../security/guard.ts';
import { InputError, NotFoundError } from '../residents/persons.ts';

/** Largest serial a 10-digit ticket number can carry (9 digits + check digit). */
export const MAX_TICKET_SERIAL = 999_999_999;

/**
 * 券種 (ticket kind), one digit. sesshu prints 1 for a first issue; the others are for the selection
 * and reissue work (a reissue always gets a new number — the old ticket is voided, never reused).
 */
export const TICKET_KINDS: Readonly<Record<string, string>> = {
  '1': '接種券（通常発行）',
  '2': '接種券（再発行）',
  '3': '接種券（転入者）',
  '4': '予診票一体型接種券',
};

/** Modulus 10, weights 3-1 from the right, over a string of digits. */
export function ticketCheckDigit(serialDigits: string): number {
  if (!/^[0-9]+$/.test(serialDigits)) throw new RangeError('digits only');
  let sum = 0;
  for (let i = serialDigits.length - 1, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) sum += Number(serialDigits[i]) * w;
  return (10 - (sum % 10)) % 10;
}

/** The 10-digit ticket number of a serial (1 … 999,999,999). */
export function formatTicketNumber(serial: number): string {
  if (!Number.isSafeInteger(serial) || serial < 1 || serial > MAX_TICKET_SERIAL) throw new RangeError(`ticket serial out of range: ${serial}`);
  const body = String(serial).padStart(9, '0');
  return `${body}${ticketCheckDigit(body)}`;
}

/** True when s is 10 digits whose last digit is the check digit of the first nine. */
export function isValidTicketNumber(s: string): boolean {
  return /^[0-9]{10}$/.test(s) && ticketCheckDigit(s.slice(0, 9)) === Number(s[9]);
}

export interface OcrLine {
  kind: string;
  doseNumber: number;
  municipalityCode: string;
  ticketNumber: string;
}

export function buildOcrLine(line: OcrLine): string {
  if (!/^[0-9]$/.test(line.kind)) throw new RangeError('券種 must be one digit');
  if (!Number.isInteger(line.doseNumber) || line.doseNumber < 0 || line.doseNumber > 9) throw new RangeError('回数 must be one digit');
  if (!/^[0-9]{6}$/.test(line.municipalityCode)) throw new RangeError('municipality code must be 6 digits');
  if (!isValidTicketNumber(line.ticketNumber)) throw new RangeError('invalid ticket number');
  return `${line.kind}${line.doseNumber}${line.municipalityCode}${line.ticketNumber}`;
}

export type OcrProblem = 'format' | 'length' | 'municipality_invalid' | 'other_municipality' | 'check_digit';

export type OcrParseResult =
  | ({ ok: true } & OcrLine)
  | { ok: false; problem: OcrProblem; ja: string; en: string; municipalityCode?: string };

/** What a scanner or a person typed, as bare digits: NFKC (全角→半角), spaces and hyphens removed. */
export function normaliseOcrInput(raw: string): string {
  return raw.normalize('NFKC').replace(/[\s\-‐－ー]/g, '');
}

/**
 * Parses an OCR line for the actor's municipality. Order: shape, the municipality (another
 * municipality's ticket is refused as such, whatever the rest says), then the ticket check digit.
 */
export function parseOcrLine(raw: string, tenantCode: string): OcrParseResult {
  const s = normaliseOcrInput(raw);
  if (!/^[0-9]*$/.test(s)) {
    return { ok: false, problem: 'format', ja: '数字以外の文字が含まれています。接種券のOCR行（18桁の数字）を読み取ってください', en: 'the OCR line must be digits only' };
  }
  if (s.length !== 18) {
    return {
      ok: false,
      problem: 'length',
      ja: `OCR行は18桁です（読み取った桁数: ${s.length}）。もう一度読み取ってください`,
      en: `the OCR line has 18 digits, not ${s.length}`,
    };
  }
  const municipalityCode = s.slice(2, 8);
  const parsed = parseMunicipalityCode(municipalityCode);
  if (!parsed.ok) {
    return { ok: false, problem: 'municipality_invalid', ja: '市町村コードが正しく読み取れません。もう一度読み取ってください', en: 'the municipality code in the line is not valid (misread?)', municipalityCode };
  }
  if (municipalityCode !== tenantCode) {
    return {
      ok: false,
      problem: 'other_municipality',
      ja: `この接種券は他の市区町村（コード ${municipalityCode}）の接種券です。この会場では登録できません`,
      en: `this ticket belongs to another municipality (${municipalityCode})`,
      municipalityCode,
    };
  }
  const ticketNumber = s.slice(8);
  if (!isValidTicketNumber(ticketNumber)) {
    return { ok: false, problem: 'check_digit', ja: '接種券番号の検査数字が一致しません。読み取り誤りの可能性があります', en: 'the ticket number check digit does not match (misread?)' };
  }
  return { ok: true, kind: s[0] as string, doseNumber: Number(s[1]), municipalityCode, ticketNumber };
}

// ---------------------------------------------------------------------------------------------
// Issuing

export interface TicketRequest {
  personId: string;
  vaccine: string;
  /** 回数 printed on the ticket, 0–9 (0: not tied to a dose number). */
  doseNumber: number;
  /** 券種, one digit; default '1'. */
  kind?: string;
}

export interface IssuedTicket {
  personId: string;
  vaccine: string;
  doseNumber: number;
  kind: string;
  ticketNumber: string;
  ocrLine: string;
}

/**
 * Issues one ticket per request, set-based: one counter update (row lock held to commit) and one
 * INSERT for the whole batch. Runs inside the caller's perform() ('selection.run').
 */
export async function issueTickets(tx: ScopedTx, requests: readonly TicketRequest[], issuedBy: string, batchId: string | null = null): Promise<IssuedTicket[]> {
  if (requests.length === 0) return [];
  for (const r of requests) {
    if (!Number.isInteger(r.doseNumber) || r.doseNumber < 0 || r.doseNumber > 9) throw new InputError(`回数は0〜9の1桁です (dose number must be one digit): ${r.doseNumber}`);
    if (r.kind !== undefined && !/^[0-9]$/.test(r.kind)) throw new InputError(`券種は1桁の数字です (ticket kind must be one digit): ${r.kind}`);
  }
  const vaccines = [...new Set(requests.map((r) => r.vaccine))];
  const known = new Set((await tx.query<{ id: string }>('SELECT id FROM vaccines WHERE id = ANY($1::text[])', [vaccines])).map((v) => v.id));
  const unknown = vaccines.filter((v) => !known.has(v));
  if (unknown.length) throw new InputError(`ワクチンが不明です (unknown vaccine): ${unknown.join(', ')}`);
  const [counter] = await tx.query<{ last_number: string | number; code: string }>(
    `INSERT INTO ticket_counters (municipality_code, last_number) VALUES (app_tenant(), $1)
     ON CONFLICT (municipality_code) DO UPDATE SET last_number = ticket_counters.last_number + EXCLUDED.last_number
     RETURNING last_number, municipality_code AS code`,
    [requests.length],
  );
  if (!counter) throw new Error('ticket counter not updated');
  const last = Number(counter.last_number);
  if (last > MAX_TICKET_SERIAL) throw new InputError('接種券番号の上限に達しました (ticket numbers exhausted for this municipality)');
  const first = last - requests.length + 1;
  const issued: IssuedTicket[] = requests.map((r, i) => {
    const ticketNumber = formatTicketNumber(first + i);
    const kind = r.kind ?? '1';
    return {
      personId: r.personId,
      vaccine: r.vaccine,
      doseNumber: r.doseNumber,
      kind,
      ticketNumber,
      ocrLine: buildOcrLine({ kind, doseNumber: r.doseNumber, municipalityCode: counter.code.trim(), ticketNumber }),
    };
  });
  const col = <T>(f: (t: IssuedTicket) => T): T[] => issued.map(f);
  await tx.query(
    `INSERT INTO tickets (municipality_code, ticket_number, kind, dose_number, person_id, vaccine_id, issued_by, batch_id)
     SELECT app_tenant(), u.num, u.kind, u.dose, u.person, u.vaccine, $6, $7::uuid
       FROM unnest($1::text[], $2::text[], $3::int[], $4::uuid[], $5::text[]) AS u(num, kind, dose, person, vaccine)`,
    [col((t) => t.ticketNumber), col((t) => t.kind), col((t) => t.doseNumber), col((t) => t.personId), col((t) => t.vaccine), issuedBy, batchId],
  );
  return issued;
}

/** Issues a single ticket for the person with this 宛名番号 (the CLI; batches come with selection). */
export async function issueTicketByAddressNumber(
  db: Database,
  actor: Actor,
  input: { addressNumber: string; vaccine: string; doseNumber: number; kind?: string },
): Promise<IssuedTicket> {
  if (!/^[0-9]{1,15}$/.test(input.addressNumber)) throw new InputError('宛名番号は15桁以内の数字です (address number must be digits)');
  return perform(db, actor, { permission: 'selection.run', action: 'ticket.issue', detail: { vaccine: input.vaccine, dose: input.doseNumber } }, async ({ tx, note }) => {
    const [person] = await tx.query<{ id: string }>('SELECT id FROM persons WHERE address_number = $1 AND merged_into IS NULL', [input.addressNumber]);
    if (!person) throw new NotFoundError('該当する住民がいません (no person with this address number)');
    const [ticket] = await issueTickets(tx, [{ personId: person.id, vaccine: input.vaccine, doseNumber: input.doseNumber, ...(input.kind ? { kind: input.kind } : {}) }], actor.userId);
    if (!ticket) throw new Error('no ticket issued');
    note({ subject: person.id, ticketNumber: ticket.ticketNumber });
    return ticket;
  });
}
