// Checks a batch before anything is written, and the order every printed document follows.
// Bad input fails with the item's position and 宛名番号 and writes no file.
import { parseIsoDate } from '../domain/dates.ts';
import type { MailingAddressee, MailingBatchInfo, MailingItem, PrintOptions } from './mailing.ts';

export class MailingInputError extends Error {
  override name = 'MailingInputError';
}

export function checkBatchInfo(info: MailingBatchInfo, options: PrintOptions): void {
  const bad = (field: string, why: string): never => {
    throw new MailingInputError(`batch ${info.batchId}: ${field} ${why}`);
  };
  if (!/^\d{6}$/.test(info.municipalityCode)) bad('municipalityCode', `must be 6 digits, got '${info.municipalityCode}'`);
  if (parseIsoDate(info.issuedOn) === null) bad('issuedOn', `must be a date YYYY-MM-DD, got '${info.issuedOn}'`);
  if (!['notice', 'reminder', 'reissue'].includes(info.kind)) bad('kind', `must be notice, reminder or reissue, got '${String(info.kind)}'`);
  if (options.labelsPerSheet !== 12 && options.labelsPerSheet !== 24) bad('labelsPerSheet', `must be 12 or 24, got ${String(options.labelsPerSheet)}`);
}

export function checkItem(item: MailingItem, index: number, info: MailingBatchInfo): void {
  const p = item.person;
  const bad = (field: string, why: string): never => {
    throw new MailingInputError(`batch ${info.batchId}, item ${index + 1} (宛名番号 ${p.addressNumber}): ${field} ${why}`);
  };
  if (!p.name.trim()) bad('name', 'is empty');
  if (parseIsoDate(p.birthDate) === null) bad('birthDate', `must be a date YYYY-MM-DD, got '${p.birthDate}'`);
  if (p.postcode !== null && !/^\d{7}$/.test(p.postcode)) bad('postcode', `must be 7 digits without a hyphen, got '${p.postcode}'`);
  if (!Number.isInteger(item.doseNumber) || item.doseNumber < 1) bad('doseNumber', `must be a whole number ≥ 1, got ${item.doseNumber}`);
  for (const [field, v] of [['dueFrom', item.dueFrom], ['dueUntil', item.dueUntil]] as const) {
    if (v !== null && parseIsoDate(v) === null) bad(field, `must be a date YYYY-MM-DD, got '${v}'`);
  }
  const t = item.ticket;
  if (t) {
    if (!/^\d{10}$/.test(t.ticketNumber)) bad('ticket.ticketNumber', `must be 10 digits, got '${t.ticketNumber}'`);
    if (!/^\d{18}$/.test(t.ocrLine)) bad('ticket.ocrLine', `must be 18 digits, got '${t.ocrLine}'`);
    if (t.ocrLine.slice(8) !== t.ticketNumber) bad('ticket.ocrLine', `must end with the ticket number ${t.ticketNumber}`);
    if (t.ocrLine.slice(2, 8) !== info.municipalityCode) bad('ticket.ocrLine', `must carry the municipality code ${info.municipalityCode}`);
  }
}

/** Postcode order (unknown postcodes last); stable, so the mailing order decides within a postcode. */
export function inPostcodeOrder<T>(rows: readonly T[], person: (row: T) => MailingAddressee): T[] {
  const key = (row: T): string => person(row).postcode ?? '9999999z';
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** One envelope per person: the items of each 宛名番号 together, in the order first seen. */
export function byAddressee(items: readonly MailingItem[]): MailingItem[][] {
  const groups = new Map<string, MailingItem[]>();
  for (const item of items) {
    const g = groups.get(item.person.addressNumber);
    if (g) g.push(item);
    else groups.set(item.person.addressNumber, [item]);
  }
  return [...groups.values()];
}
