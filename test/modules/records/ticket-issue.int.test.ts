// Issuing 接種券 on both engines: numbers unique per tenant, increasing, never reused (voided or
// rolled back), concurrent issuers never collide, 'selection.run' required. controls: DATA-02, TEN-01
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.ts';
import { withTenantScope } from '../../../src/db/scoped.ts';
import { formatTicketNumber, isValidTicketNumber, issueTicketByAddressNumber, issueTickets, parseOcrLine } from '../../../src/modules/records/ticket-numbers.ts';
import { importResidents } from '../../../src/modules/residents/import-service.ts';
import { searchPersons } from '../../../src/modules/residents/persons.ts';
import { createTenant } from '../../../src/modules/tenants/service.ts';
import type { Actor } from '../../../src/security/actor.ts';
import { PERMISSIONS } from '../../../src/security/actor.ts';
import { ForbiddenError } from '../../../src/security/guard.ts';
import { ephemeralKeyring } from '../../../src/security/keyring.ts';
import { createVault } from '../../../src/security/vault.ts';
import { testScope } from '../../support/actors.ts';
import { testEngines } from '../../support/engines.ts';

const A = '152226';
const B = '112020';
const HEADER = '宛名番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,住民区分';
const staff = (code: string, perms: readonly (typeof PERMISSIONS)[number][] = PERMISSIONS.filter((p) => !p.startsWith('mynumber'))): Actor => ({
  userId: `officer-${code}`, loginId: 'o', displayName: 'o', role: 'officer', department: 'd', municipalityCode: code, terminalId: 't', purpose: 'test', permissions: new Set(perms),
});

describe.each(testEngines)('ticket issue on $name', (engine) => {
  let db: Database;
  const officer = staff(A);
  const persons: string[] = [];

  beforeAll(async () => {
    db = await engine.open();
    const vault = createVault(ephemeralKeyring());
    await createTenant(db, vault, { code: A, name: '上越市', prefecture: '新潟県' });
    await createTenant(db, vault, { code: B, name: '熊谷市', prefecture: '埼玉県' });
    const rows = Array.from({ length: 5 }, (_, i) => `${8001 + i},接種 太郎${i},セッシュ タロウ,1,2024-0${i + 1}-10,943-0800,上越市大手町${i + 1},日本人`);
    await importResidents({ db, vault }, officer, { fileName: 'a.csv', content: Buffer.from(`${HEADER}\n${rows.join('\n')}\n`), mode: 'full' });
    await importResidents({ db, vault }, staff(B), { fileName: 'b.csv', content: Buffer.from(`${HEADER}\n8001,熊谷 花子,クマガヤ ハナコ,2,2024-01-10,360-0000,熊谷市宮町1,日本人\n`), mode: 'full' });
    for (let i = 0; i < 5; i++) persons.push((await searchPersons(db, officer, { addressNumber: String(8001 + i) }))[0]!.id);
  });
  afterAll(() => db?.close());

  it('issues a single ticket with a valid number and OCR line', async () => {
    const t = await issueTicketByAddressNumber(db, officer, { addressNumber: '8001', vaccine: 'hib', doseNumber: 1 });
    expect(t.ticketNumber).toBe(formatTicketNumber(1));
    expect(t.ocrLine).toBe(`11${A}${t.ticketNumber}`);
    expect(parseOcrLine(t.ocrLine, A)).toMatchObject({ ok: true, ticketNumber: t.ticketNumber, doseNumber: 1, kind: '1' });
    const k = await issueTicketByAddressNumber(db, officer, { addressNumber: '8002', vaccine: 'mr', doseNumber: 2, kind: '2' });
    expect(k.ticketNumber).toBe(formatTicketNumber(2));
    expect(k.ocrLine.slice(0, 2)).toBe('22');
  });

  it('issues batches set-based with consecutive increasing numbers', async () => {
    const batch = await withTenantScope(db, testScope(A), (tx) =>
      issueTickets(tx, persons.map((personId) => ({ personId, vaccine: 'pcv', doseNumber: 1 })), 'test', crypto.randomUUID()),
    );
    expect(batch.map((b) => b.ticketNumber)).toEqual([3, 4, 5, 6, 7].map(formatTicketNumber));
    expect(batch.every((b) => isValidTicketNumber(b.ticketNumber))).toBe(true);
  });

  it('never reuses a number: not after a void, not after a rolled-back issue', async () => {
    await withTenantScope(db, testScope(A), (tx) => tx.query('UPDATE tickets SET voided_at = now() WHERE ticket_number = $1', [formatTicketNumber(7)]));
    await expect(
      withTenantScope(db, testScope(A), async (tx) => {
        await issueTickets(tx, [{ personId: persons[0]!, vaccine: 'hib', doseNumber: 2 }], 'test');
        throw new Error('printer jam');
      }),
    ).rejects.toThrow('printer jam');
    const next = await issueTicketByAddressNumber(db, officer, { addressNumber: '8001', vaccine: 'hib', doseNumber: 2 });
    // 8 was never handed out (its transaction rolled back, counter included); 7 stays voided.
    expect(next.ticketNumber).toBe(formatTicketNumber(8));
    const all = await withTenantScope(db, testScope(A), (tx) => tx.query<{ ticket_number: string }>('SELECT ticket_number FROM tickets ORDER BY ticket_number'));
    expect(new Set(all.map((r) => r.ticket_number)).size).toBe(all.length);
  });

  it('gives concurrent issuers distinct numbers', async () => {
    const issued = await Promise.all(
      Array.from({ length: 8 }, (_, i) => issueTicketByAddressNumber(db, officer, { addressNumber: String(8001 + (i % 5)), vaccine: 'bcg', doseNumber: 1 })),
    );
    const numbers = issued.map((t) => t.ticketNumber).sort();
    expect(new Set(numbers).size).toBe(8);
    expect(numbers).toEqual([9, 10, 11, 12, 13, 14, 15, 16].map(formatTicketNumber));
  });

  it('keeps one counter per tenant and refuses bad input and missing permission', async () => {
    const b = await issueTicketByAddressNumber(db, staff(B), { addressNumber: '8001', vaccine: 'hib', doseNumber: 1 });
    expect(b.ticketNumber).toBe(formatTicketNumber(1));
    expect(b.ocrLine).toBe(`11${B}${b.ticketNumber}`);
    await expect(issueTicketByAddressNumber(db, officer, { addressNumber: '9999', vaccine: 'hib', doseNumber: 1 })).rejects.toThrow(/no person/);
    await expect(issueTicketByAddressNumber(db, officer, { addressNumber: '8001', vaccine: 'nope', doseNumber: 1 })).rejects.toThrow(/unknown vaccine/);
    await expect(issueTicketByAddressNumber(db, officer, { addressNumber: '8001', vaccine: 'hib', doseNumber: 10 })).rejects.toThrow(/one digit/);
    const noSelection = staff(A, ['person.read', 'dose.enter', 'dose.read']);
    await expect(issueTicketByAddressNumber(db, noSelection, { addressNumber: '8001', vaccine: 'hib', doseNumber: 1 })).rejects.toBeInstanceOf(ForbiddenError);
    // B's person is not visible from A: the address number exists in both tenants, A's is found.
    const a = await issueTicketByAddressNumber(db, officer, { addressNumber: '8001', vaccine: 'je', doseNumber: 1 });
    expect(a.ocrLine.slice(2, 8)).toBe(A);
  });
});
