// 接種券 look-up for the entry page: the number printed on a returned 予診票 names the person, the
// vaccine and the dose. Through perform() like every other read (one check, one audit entry).
// controls: AC-01, LOG-01
import type { Database } from '../../db/client.ts';
import type { Actor } from '../../security/actor.ts';
import { perform } from '../../security/guard.ts';
import { InputError, NotFoundError } from '../residents/persons.ts';

export interface TicketInfo {
  ticketNumber: string;
  personId: string;
  vaccineId: string;
  doseNumber: number;
  kind: string;
  voided: boolean;
}

/** Normalises what a clerk typed (full-width digits, spaces, hyphens) to the 10-digit number, or throws InputError. */
export function normaliseTicketNumber(raw: string): string {
  const n = raw.normalize('NFKC').replace(/[\s-]/g, '');
  if (!/^[0-9]{10}$/.test(n)) throw new InputError('接種券番号は10桁の数字です (ticket number must be 10 digits)');
  return n;
}

/** The ticket with this number in the actor's municipality; NotFoundError when there is none. */
export async function findTicket(db: Database, actor: Actor, raw: string): Promise<TicketInfo> {
  const ticketNumber = normaliseTicketNumber(raw);
  return perform(db, actor, { permission: 'dose.enter', action: 'ticket.lookup' }, async ({ tx, note }) => {
    const [row] = await tx.query<{ ticket_number: string; person_id: string; vaccine_id: string; dose_number: number; kind: string; voided_at: Date | null }>(
      'SELECT ticket_number, person_id, vaccine_id, dose_number, kind, voided_at FROM tickets WHERE ticket_number = $1',
      [ticketNumber],
    );
    note({ found: row !== undefined, subject: row?.person_id ?? null });
    if (!row) throw new NotFoundError('該当する接種券がありません (no such ticket)');
    return {
      ticketNumber: row.ticket_number,
      personId: row.person_id,
      vaccineId: row.vaccine_id,
      doseNumber: Number(row.dose_number),
      kind: row.kind,
      voided: row.voided_at !== null,
    };
  });
}
