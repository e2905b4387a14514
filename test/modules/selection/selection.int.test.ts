// Selection and mailings on both engines, over a small synthetic city (generator + demo doses,
// imported and confirmed the way a real ledger fills): the set-based selection agrees with
// engine.forecast for every resident (the 2 M-resident run is bench/selection.bench.ts), filters,
// exclusions, the moved-in list, batches that never mail the same dose twice, reissue that voids
// and renumbers, 実施依頼書, tenant separation and refusal without selection.run (audited).
// controls: AC-01, LOG-01, TEN-01, DATA-02
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MailingBatchInfo, MailingItem, ReferralLetterData } from '../../../src/documents/mailing.ts';
import type { Database } from '../../../src/db/client.ts';
import { withTenantScope } from '../../../src/db/scoped.ts';
import { formatIsoDate, parseIsoDate } from '../../../src/domain/dates.ts';
import type { DoseRecord, Sex } from '../../../src/domain/schedule/index.ts';
import { confirmSubmission, importClinicFile } from '../../../src/modules/records/clinic-import.ts';
import { ensureDemoMasters, generateDemoDoses } from '../../../src/modules/records/demo-doses.ts';
import { parseOcrLine } from '../../../src/modules/records/ticket-numbers.ts';
import { createCityGenerator, csvLine } from '../../../src/modules/residents/generator.ts';
import { importResidents } from '../../../src/modules/residents/import-service.ts';
import { scheduleEngine } from '../../../src/modules/schedule/contract.ts';
import {
  batchPrintInfo, batchPrintItems, createBatch, getBatch, issueReferral, listBatches, listReferrals, OVERDUE_AFTER_DAYS, previewSelection,
  printBatch, referralLetterPdf, reissue, runSelection, type SelectionRow,
} from '../../../src/modules/selection/index.ts';
import { createTenant } from '../../../src/modules/tenants/service.ts';
import { consoleActor } from '../../../src/security/actor.ts';
import { ForbiddenError } from '../../../src/security/guard.ts';
import { ephemeralKeyring } from '../../../src/security/keyring.ts';
import { createVault } from '../../../src/security/vault.ts';
import { auditRows, testScope } from '../../support/actors.ts';
import { testEngines } from '../../support/engines.ts';

// The renderers are another module's work: this side is tested up to the call.
const printed = vi.hoisted(() => ({ batches: [] as Array<{ info: unknown; items: unknown[]; outDir: string; options: unknown }>, letters: [] as unknown[] }));
vi.mock('../../../src/documents/print-batch.ts', () => ({
  printMailingBatch: async (info: unknown, items: AsyncIterable<unknown>, outDir: string, options: unknown) => {
    const list: unknown[] = [];
    for await (const i of items) list.push(i);
    printed.batches.push({ info, items: list, outDir, options });
    return [{ kind: 'labels', path: `${outDir}/labels.pdf`, pages: 1 }];
  },
  renderReferralLetter: async (data: unknown) => {
    printed.letters.push(data);
    return Buffer.from('%PDF-');
  },
}));

const DEMO = '990019';
const OTHER = '152226';
const HISTORY_AS_OF = '2025-09-30';
const AS_OF = '2025-11-01';
const POPULATION = 500;

type Row = Pick<SelectionRow, 'addressNumber' | 'vaccine' | 'dose' | 'status' | 'from' | 'until'>;
const key = (r: Row): string => `${r.addressNumber}|${r.vaccine}|${r.dose}|${r.status}|${r.from}|${r.until}`;

async function collect(db: Database, actor: ReturnType<typeof consoleActor>, criteria: Parameters<typeof runSelection>[2], pageSize?: number) {
  const rows: SelectionRow[] = [];
  const movedIn: SelectionRow[] = [];
  const summary = await runSelection(db, actor, criteria, (p) => {
    rows.push(...p.rows);
    movedIn.push(...p.movedIn);
  }, pageSize ? { pageSize } : {});
  return { rows, movedIn, summary };
}

describe.each(testEngines)('selection and mailings on $name', (engine) => {
  let db: Database;
  const officer = consoleActor(DEMO, ['person.import', 'person.read', 'settings.manage', 'dose.enter', 'dose.read', 'selection.run'], 'selection test', 'tester');
  const checker = consoleActor(DEMO, ['dose.confirm'], 'check', 'tester-2');
  const other = consoleActor(OTHER, ['person.import', 'selection.run'], 'selection test', 'tester');
  const sql = <T>(text: string, params: unknown[] = [], code = DEMO) => withTenantScope(db, testScope(code), (tx) => tx.query<T>(text, params));

  beforeAll(async () => {
    db = await engine.open();
    const vault = createVault(ephemeralKeyring());
    await createTenant(db, vault, { code: DEMO, name: 'さくら市（デモ）', prefecture: 'デモ県', isDemo: true });
    await createTenant(db, vault, { code: OTHER, name: '上越市', prefecture: '新潟県' });
    const gen = createCityGenerator({ population: POPULATION, seed: 'selection-test', asOf: '2025-04-01', years: 0, dirty: false, municipality: DEMO, cp932: false });
    const lines = [csvLine(gen.header), ...[...gen.fullRows()].map(csvLine)];
    expect((await importResidents({ db, vault }, officer, { fileName: 'city.csv', content: Buffer.from(`${lines.join('\n')}\n`), mode: 'full' })).status).toBe('applied');
    await ensureDemoMasters(db, officer, HISTORY_AS_OF);
    const chunks: Buffer[] = [];
    await generateDemoDoses(db, officer, { asOf: HISTORY_AS_OF, seed: 'sel' }, (c) => chunks.push(c));
    const r = await importClinicFile({ db, today: () => HISTORY_AS_OF }, officer, { fileName: 'demo.csv', content: Buffer.concat(chunks) });
    if (r.status !== 'applied') throw new Error('demo doses rejected');
    await confirmSubmission(db, checker, r.submissionId);
    // Exclusions: one dead, one moved out, one merged into another person.
    const some = await sql<{ id: string }>("SELECT id FROM persons WHERE birth_date > '2015-01-01' ORDER BY address_number LIMIT 5");
    await sql("UPDATE persons SET status = 'dead', status_date = '2025-06-01' WHERE id = $1", [some[0]?.id]);
    await sql("UPDATE persons SET status = 'moved_out', status_date = '2025-06-01' WHERE id = $1", [some[1]?.id]);
    await sql('UPDATE persons SET merged_into = $2 WHERE id = $1', [some[2]?.id, some[3]?.id]);
    const HEADER = '宛名番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,住民区分';
    await importResidents({ db, vault }, other, { fileName: 'o.csv', content: Buffer.from(`${HEADER}\n7001,上越 花子,ジョウエツ ハナコ,2,2025-06-10,943-0800,新潟県上越市大手町1,日本人\n`), mode: 'full' });
  }, 120_000);
  afterAll(() => db?.close());

  it('agrees with engine.forecast for every resident, and leaves out the dead, the moved out and the merged', async () => {
    const { rows, movedIn, summary } = await collect(db, officer, { asOf: AS_OF, vaccines: 'all', withinDays: 30 }, 37); // pages of 37: many page boundaries
    // The rule stated independently: every due entry, and upcoming ones opening within 30 days.
    const persons = await sql<{ id: string; address_number: string; birth_date: string; sex: Sex }>(
      "SELECT id, address_number, birth_date::text AS birth_date, sex FROM persons WHERE status = 'resident' AND merged_into IS NULL",
    );
    const expected = new Set<string>();
    const asOfDay = parseIsoDate(AS_OF) ?? 0;
    for (const p of persons) {
      const history = await sql<{ vaccine: string; dose: number; date: string; product: string | null }>(
        `SELECT v.vaccine_id AS vaccine, v.dose_number AS dose, v.administered_on::text AS date, v.schedule_product AS product
           FROM doses d JOIN dose_versions v ON v.dose_id = d.id AND v.version = d.current_version
          WHERE d.person_id = $1 AND NOT d.deleted ORDER BY v.administered_on, v.vaccine_id, v.dose_number`,
        [p.id],
      );
      const f = scheduleEngine().forecast({ birth: p.birth_date, sex: p.sex }, history as DoseRecord[], AS_OF);
      for (const n of f.next) {
        const opensIn = n.from ? (parseIsoDate(n.from) ?? 0) - asOfDay : Infinity;
        if (n.status === 'due' || (n.status === 'upcoming' && opensIn <= 30)) {
          expected.add(key({ addressNumber: p.address_number, vaccine: n.vaccine, dose: n.dose as number, status: n.status, from: n.from ?? null, until: n.until ?? null }));
        }
      }
    }
    const got = [...rows, ...movedIn].map(key);
    expect(new Set(got).size).toBe(got.length);
    expect(new Set(got)).toEqual(expected);
    expect(summary.scanned).toBe(persons.length);
    expect(summary.scanned).toBeLessThan(POPULATION + 200);
    expect(rows.length).toBeGreaterThan(50);
    const excluded = await sql<{ address_number: string }>("SELECT address_number FROM persons WHERE status <> 'resident' OR merged_into IS NOT NULL");
    expect(excluded.length).toBeGreaterThanOrEqual(3);
    const gone = new Set(excluded.map((e) => e.address_number));
    expect(got.some((k) => gone.has(k.split('|')[0] as string))).toBe(false);
  });

  it('filters by vaccine, birth range, district, not vaccinated and overdue', async () => {
    const all = await collect(db, officer, { asOf: AS_OF, vaccines: 'all' });
    const only = await collect(db, officer, { asOf: AS_OF, vaccines: ['flu', 'pcv'] });
    expect(only.rows.map(key).sort()).toEqual(all.rows.filter((r) => r.vaccine === 'flu' || r.vaccine === 'pcv').map(key).sort());
    expect(only.rows.length).toBeGreaterThan(0);
    const born = await collect(db, officer, { asOf: AS_OF, vaccines: 'all', bornFrom: '2020-01-01', bornTo: '2024-12-31' });
    expect(born.rows.map(key).sort()).toEqual(all.rows.filter((r) => r.birthDate >= '2020-01-01' && r.birthDate <= '2024-12-31').map(key).sort());
    const district = all.rows.find((r) => r.district !== '')?.district as string;
    const inDistrict = await collect(db, officer, { asOf: AS_OF, vaccines: 'all', district });
    expect(inDistrict.rows.map(key).sort()).toEqual(all.rows.filter((r) => r.district === district).map(key).sort());
    expect(inDistrict.rows.length).toBeLessThan(all.rows.length);
    const first = await collect(db, officer, { asOf: AS_OF, vaccines: 'all', notVaccinated: true });
    expect(first.rows.map(key).sort()).toEqual(all.rows.filter((r) => r.dose === 1).map(key).sort());
    const overdue = await collect(db, officer, { asOf: AS_OF, vaccines: 'all', overdue: true });
    expect(overdue.rows.length).toBeGreaterThan(0);
    expect(overdue.rows.every((r) => r.reason === 'overdue' && (parseIsoDate(AS_OF) ?? 0) - (parseIsoDate(r.from as string) ?? 0) >= OVERDUE_AFTER_DAYS)).toBe(true);
    expect(overdue.rows.map(key).sort()).toEqual(all.rows.filter((r) => r.reason === 'overdue').map(key).sort());
    await expect(previewSelection(db, officer, { asOf: '2025-13-01' })).rejects.toThrow(/asOf/);
    await expect(previewSelection(db, officer, { asOf: AS_OF, vaccines: ['nope'] })).rejects.toThrow(/vaccine/);
    const preview = await previewSelection(db, officer, { asOf: AS_OF }, 10);
    expect(preview.rows).toHaveLength(10);
    expect(preview.truncated).toBe(true);
    expect(preview.summary.rows).toBe(all.rows.length);
  });

  it('lists moved-in residents with no history from before moving in separately', async () => {
    // An older resident with no doses at all, due for something: moved in ten days ago.
    const all = await collect(db, officer, { asOf: AS_OF, vaccines: 'all' });
    const [noDoses] = await sql<{ id: string; address_number: string }>(
      `SELECT p.id, p.address_number FROM persons p WHERE p.status = 'resident' AND p.merged_into IS NULL AND p.birth_date < '1955-01-01'
          AND NOT EXISTS (SELECT 1 FROM doses d WHERE d.person_id = p.id) AND p.address_number = ANY($1::text[]) ORDER BY p.address_number LIMIT 1`,
      [all.rows.filter((r) => r.vaccine === 'flu').map((r) => r.addressNumber)],
    );
    expect(noDoses).toBeDefined();
    // A child with doses before moving in: history known, stays on the main list.
    const [known] = await sql<{ id: string; address_number: string; first: string }>(
      `SELECT p.id, p.address_number, min(v.administered_on)::text AS first FROM persons p JOIN doses d ON d.person_id = p.id
         JOIN dose_versions v ON v.dose_id = d.id AND v.version = d.current_version
        WHERE p.status = 'resident' AND p.merged_into IS NULL AND p.address_number = ANY($1::text[]) GROUP BY p.id, p.address_number ORDER BY p.address_number LIMIT 1`,
      [all.rows.map((r) => r.addressNumber)],
    );
    const movedOn = formatIsoDate((parseIsoDate(AS_OF) ?? 0) - 10);
    await sql('UPDATE persons SET moved_in_on = $2 WHERE id = $1', [noDoses?.id, movedOn]);
    await sql('UPDATE persons SET moved_in_on = $2 WHERE id = $1', [known?.id, formatIsoDate((parseIsoDate(known?.first as string) ?? 0) + 1)]);
    const after = await collect(db, officer, { asOf: AS_OF, vaccines: 'all' });
    const flu = after.movedIn.find((r) => r.addressNumber === noDoses?.address_number && r.vaccine === 'flu');
    expect(flu?.reason).toBe('moved_in_history_unknown');
    expect(after.rows.some((r) => r.addressNumber === noDoses?.address_number && r.vaccine === 'flu')).toBe(false);
    expect(after.movedIn.some((r) => r.addressNumber === known?.address_number)).toBe(false);
    expect(after.rows.filter((r) => r.addressNumber === known?.address_number).map(key)).toEqual(all.rows.filter((r) => r.addressNumber === known?.address_number).map(key));
    await sql('UPDATE persons SET moved_in_on = NULL WHERE id = ANY($1::uuid[])', [[noDoses?.id, known?.id]]);
  });

  it('freezes a notice batch with tickets, never mails the same dose twice, and prints it the same way twice in mailing order', async () => {
    const criteria = { asOf: AS_OF, vaccines: ['hib', 'pcv', 'mr', 'dpt_ipv_hib', 'hepb', 'bcg'] };
    const sel = await collect(db, officer, criteria);
    const b = await createBatch(db, officer, { kind: 'notice', criteria }, { pageSize: 50 });
    expect(b.items).toBe(sel.rows.length);
    expect(b.items).toBeGreaterThan(0);
    expect(b.skipped).toBe(0);
    const again = await createBatch(db, officer, { kind: 'notice', criteria });
    expect(again).toMatchObject({ items: 0, skipped: sel.rows.length });
    const reminder = await createBatch(db, officer, { kind: 'reminder', criteria });
    expect(reminder.items).toBe(sel.rows.length);
    const detail = await getBatch(db, officer, b.id);
    expect(detail).toMatchObject({ kind: 'notice', asOf: AS_OF, items: b.items, rulePack: { id: scheduleEngine().compiled.pack.id } });
    expect(detail.rulePack.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(detail.criteria).toMatchObject({ asOf: AS_OF, vaccines: criteria.vaccines });
    expect((await listBatches(db, officer)).map((x) => x.id)).toEqual(expect.arrayContaining([b.id, again.id, reminder.id]));

    const printedList: MailingItem[] = [];
    for await (const item of batchPrintItems(db, officer, b.id)) printedList.push(item);
    const printedAgain = [];
    for await (const item of batchPrintItems(db, officer, b.id)) printedAgain.push(item);
    expect(printedAgain).toEqual(printedList);
    expect(printedList).toHaveLength(b.items);
    const order = printedList.map((i) => [i.person.postcode ?? '9999999', i.person.address, i.person.addressNumber.padStart(15, '0')].join('\u0001'));
    expect(order).toEqual([...order].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    for (const i of printedList) {
      expect(i.ticket?.kind).toBe('1');
      expect(parseOcrLine(i.ticket?.ocrLine as string, DEMO)).toMatchObject({ ok: true, ticketNumber: i.ticket?.ticketNumber, doseNumber: i.doseNumber });
      expect(i.vaccineName).not.toBe('');
    }
    // Children's letters go to an adult of their household.
    const child = printedList.find((i) => i.person.birthDate > '2023-01-01');
    expect(child?.person.guardianName).toEqual(expect.any(String));
    const [g] = await sql<{ ok: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM persons c JOIN persons g ON g.household_number = c.household_number
                       WHERE c.address_number = $1 AND g.name = $2 AND g.birth_date <= '2007-11-01') AS ok`,
      [child?.person.addressNumber, child?.person.guardianName],
    );
    expect(g?.ok).toBe(true);
    // The tickets carry the batch id.
    const [t] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM tickets WHERE batch_id = $1 AND voided_at IS NULL', [b.id]);
    expect(t?.n).toBe(b.items);
    // The database itself refuses a second live item for the same dose.
    const [one] = await sql<Record<string, unknown>>('SELECT * FROM mailing_items WHERE batch_id = $1 LIMIT 1', [b.id]);
    await expect(sql(
      `INSERT INTO mailing_items (municipality_code, batch_id, person_id, vaccine_id, dose_number, episode, channel, status, reason, ticket_number, addressee, sort_key)
       VALUES (app_tenant(), $1, $2, $3, $4, $5, 'ticket', 'due', 'x', $6, '{}', 'x')`,
      [again.id, one?.person_id, one?.vaccine_id, one?.dose_number, one?.episode, one?.ticket_number],
    )).rejects.toThrow(/mailing_items_once|duplicate|unique/);
    const info = await batchPrintInfo(db, officer, b.id);
    expect(info).toMatchObject({ batchId: b.id, kind: 'notice', municipalityCode: DEMO, municipalityName: 'さくら市（デモ）' });
    // printBatch hands the renderer exactly these items, in this order, with the options given.
    const files = await printBatch(db, officer, b.id, '/tmp/out', { labelsPerSheet: 24 });
    expect(files).toHaveLength(1);
    const call = printed.batches.at(-1) as { info: MailingBatchInfo; items: MailingItem[]; outDir: string; options: unknown };
    expect(call).toMatchObject({ info, outDir: '/tmp/out', options: { labelsPerSheet: 24 } });
    expect(call.items).toEqual(printedList);
  });

  it('reissues lost papers with a new number and voids the old ticket; a moved-in person gets 券種 3', async () => {
    const [item] = await sql<{ batch_id: string; address_number: string; vaccine_id: string; dose_number: number; ticket_number: string }>(
      `SELECT i.batch_id, p.address_number, i.vaccine_id, i.dose_number, i.ticket_number FROM mailing_items i JOIN persons p ON p.id = i.person_id
        WHERE i.channel = 'ticket' AND i.reissued_at IS NULL ORDER BY i.sort_key LIMIT 1`,
    );
    if (!item) throw new Error('no item');
    const input = { addressNumber: item.address_number, vaccine: item.vaccine_id, dose: item.dose_number, reason: 'lost' as const, asOf: AS_OF };
    const r1 = await reissue(db, officer, input);
    expect(r1.voidedTicket).toBe(item.ticket_number);
    expect(r1.ticketNumber > item.ticket_number).toBe(true);
    expect(r1.kind).toBe('2');
    const r2 = await reissue(db, officer, input);
    expect(r2.voidedTicket).toBe(r1.ticketNumber);
    const voided = await sql<{ ticket_number: string; voided: boolean }>(
      'SELECT ticket_number, voided_at IS NOT NULL AS voided FROM tickets WHERE ticket_number = ANY($1::text[]) ORDER BY ticket_number',
      [[item.ticket_number, r1.ticketNumber, r2.ticketNumber]],
    );
    expect(voided.map((v) => v.voided)).toEqual([true, true, false]);
    const original = [];
    for await (const i of batchPrintItems(db, officer, item.batch_id)) original.push(i);
    expect(original.some((i) => i.ticket?.ticketNumber === item.ticket_number)).toBe(false);
    const reprint = [];
    for await (const i of batchPrintItems(db, officer, r2.batchId)) reprint.push(i);
    expect(reprint.map((i) => i.ticket?.ticketNumber)).toEqual([r2.ticketNumber]);
    expect((await getBatch(db, officer, r2.batchId)).kind).toBe('reissue');
    // Lost papers for a dose never mailed: nothing to reissue.
    await expect(reissue(db, officer, { ...input, dose: 9 })).rejects.toThrow(/nothing to reissue/);

    // Moved in: a dose due now that was never mailed.
    const sel = await collect(db, officer, { asOf: AS_OF, vaccines: ['flu'] });
    const mailed = new Set((await sql<{ address_number: string }>("SELECT p.address_number FROM mailing_items i JOIN persons p ON p.id = i.person_id WHERE i.vaccine_id = 'flu'")).map((x) => x.address_number));
    const target = sel.rows.find((r) => !mailed.has(r.addressNumber)) as SelectionRow;
    const moved = await reissue(db, officer, { addressNumber: target.addressNumber, vaccine: 'flu', dose: target.dose, reason: 'moved_in', asOf: AS_OF });
    expect(moved).toMatchObject({ kind: '3', voidedTicket: null });
    await expect(reissue(db, officer, { addressNumber: target.addressNumber, vaccine: 'flu', dose: target.dose + 1, reason: 'moved_in', asOf: AS_OF })).rejects.toThrow(/not due/);
    // And a later notice batch does not mail that person's flu dose again.
    const later = await createBatch(db, officer, { kind: 'notice', criteria: { asOf: AS_OF, vaccines: ['flu'] } });
    const flu = [];
    for await (const i of batchPrintItems(db, officer, later.id)) flu.push(i);
    expect(flu.some((i) => i.person.addressNumber === target.addressNumber)).toBe(false);
    expect(later.skipped).toBe(1);
  });

  it('issues 実施依頼書 with numbers and keeps the issuance history', async () => {
    const [p] = await sql<{ address_number: string }>("SELECT address_number FROM persons WHERE status = 'resident' AND merged_into IS NULL ORDER BY address_number LIMIT 1");
    const base = { addressNumber: p?.address_number as string, toMunicipalityCode: '152226', toMunicipalityName: '上越市', toMayorName: '上越 一郎', stayAddress: '新潟県上越市木田1-1-1', reason: '里帰り出産のため', vaccine: 'hib', dose: 1, validUntil: '2026-03-31', issuedOn: AS_OF };
    const a = await issueReferral(db, officer, base);
    const b = await issueReferral(db, officer, { ...base, replaces: a.id, reason: '紛失による再発行' });
    expect([a.letterNumber, b.letterNumber]).toEqual(['健第1号', '健第2号']);
    expect(b.replaces).toBe(a.id);
    await referralLetterPdf(db, officer, b.id, { fromMayorName: 'さくら 太郎' });
    expect(printed.letters.at(-1) as ReferralLetterData).toMatchObject({
      letterNumber: '健第2号', issuedOn: AS_OF, fromMunicipalityName: 'さくら市（デモ）', fromMayorName: 'さくら 太郎', toMunicipalityName: '上越市',
      toMayorName: '上越 一郎', stayAddress: base.stayAddress, reason: '紛失による再発行', vaccineName: expect.any(String), doseNumber: 1, validUntil: '2026-03-31',
      person: { addressNumber: base.addressNumber },
    });
    expect((await listReferrals(db, officer, { addressNumber: base.addressNumber })).map((r) => r.id)).toEqual([b.id, a.id]);
    await expect(issueReferral(db, officer, { ...base, validUntil: '2025-01-01' })).rejects.toThrow(/validUntil/);
    await expect(issueReferral(db, officer, { ...base, stayAddress: '' })).rejects.toThrow(/stayAddress/);
    expect(await listReferrals(db, other)).toEqual([]);
  });

  it('keeps tenants apart and refuses, with an audit entry, an actor without selection.run', async () => {
    const [b] = await listBatches(db, officer, 1);
    expect(await listBatches(db, other)).toEqual([]);
    await expect(getBatch(db, other, b?.id as string)).rejects.toThrow(/no such batch/);
    await expect(batchPrintItems(db, other, b?.id as string).next()).rejects.toThrow(/no such batch/);
    const otherSel = await collect(db, other, { asOf: AS_OF, vaccines: 'all' });
    expect(new Set(otherSel.rows.map((r) => r.addressNumber))).toEqual(new Set(['7001']));
    const reader = consoleActor(DEMO, ['person.read'], 'no selection', 'reader');
    await expect(previewSelection(db, reader, { asOf: AS_OF })).rejects.toThrow(ForbiddenError);
    await expect(createBatch(db, reader, { kind: 'notice', criteria: { asOf: AS_OF } })).rejects.toThrow(ForbiddenError);
    const denied = (await auditRows(db, DEMO, 'selection.run')).filter((r) => r.result === 'denied');
    expect(denied.length).toBe(1);
    expect((await auditRows(db, DEMO, 'mailing.batch_create')).some((r) => r.result === 'denied')).toBe(true);
    const ok = (await auditRows(db, DEMO, 'mailing.batch_create')).filter((r) => r.result === 'ok');
    expect(ok[0]?.detail).toMatchObject({ items: expect.any(Number), kind: 'notice' });
  });
});
