// Mailing batches (発送バッチ): a batch freezes its selection — who, which dose, why, the window, the
// addressee as printed, the criteria and the rule pack — so printing it again prints the same
// letters. The same person is not mailed twice for the same dose (a partial unique index on live
// items); a reissue (再発行: lost papers, moved in) voids the old ticket and issues a new number.
// control: DATA-02 (ticket numbers never reused), AC-01, LOG-01, TEN-01
import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import { parseIsoDate } from '../../domain/dates.ts';
import type { MailingAddressee, MailingBatchInfo, MailingItem, MailingKind } from '../../documents/mailing.ts';
import type { Actor } from '../../security/actor.ts';
import { perform } from '../../security/guard.ts';
import { buildOcrLine, issueTickets } from '../records/ticket-numbers.ts';
import { confirmedHistories } from '../records/dose-store.ts';
import { InputError, NotFoundError } from '../residents/persons.ts';
import { scheduleEngine, todayInJapan } from '../schedule/contract.ts';
import { parseCriteria, type CriteriaInput, type SelectionCriteria } from './criteria.ts';
import { countScanned, scanSelection, type SelectionRow } from './scan.ts';
import { criteriaJson, type SelectionHooks } from './service.ts';

export type BatchKind = 'notice' | 'reminder';
export type ReissueReason = 'lost' | 'moved_in';

/** 券種 of a reissued ticket: 2 再発行 (lost papers), 3 転入者. */
const REISSUE_TICKET_KIND: Record<ReissueReason, string> = { lost: '2', moved_in: '3' };
/** Under this age on asOf, letters go to the household's adult (保護者). */
export const GUARDIAN_UNDER_AGE = 18;

export interface RulePackStamp {
  id: string;
  version: string;
  /** SHA-256 of the pack's JSON: two batches with the same hash ran the same rules. */
  hash: string;
}

let stamp: RulePackStamp | null = null;
export function rulePackStamp(): RulePackStamp {
  if (!stamp) {
    const pack = scheduleEngine().compiled.pack;
    stamp = { id: pack.id, version: pack.version, hash: createHash('sha256').update(JSON.stringify(pack)).digest('hex') };
  }
  return stamp;
}

export interface BatchSummary {
  id: string;
  kind: MailingKind;
  asOf: string;
  items: number;
  persons: number;
  /** Rows left out because the person already has a live item for that dose. */
  skipped: number;
  createdBy: string;
  createdAt: string;
}

export interface BatchDetail extends BatchSummary {
  criteria: Record<string, unknown>;
  rulePack: RulePackStamp;
  /** Items since replaced by a reissue. */
  reissued: number;
}

export interface CreateBatchResult extends BatchSummary {
  /** Moved-in persons' rows left out (history unknown: ask the former city, then reissue). */
  movedIn: number;
  scanned: number;
}

const episodic = (): Set<string> => new Set(scheduleEngine().compiled.pack.vaccines.filter((v) => v.episode).map((v) => v.id));
const vaccineOrder = (): Map<string, number> => new Map(scheduleEngine().compiled.pack.vaccines.map((v, i) => [v.id, i] as const).reverse());

function episodeOf(vaccine: string, from: string | null, until: string | null, episodicIds: Set<string>): string {
  return episodicIds.has(vaccine) ? (until ?? from ?? '') : '';
}

/** Mailing order: postcode, address, 宛名番号, then vaccine (pack order) and dose. */
function sortKey(a: MailingAddressee, vaccineIdx: number, dose: number, episode: string): string {
  return [a.postcode ?? '9999999', a.address, a.addressNumber.padStart(15, '0'), String(vaccineIdx).padStart(3, '0'), String(dose).padStart(2, '0'), episode].join('\u0001');
}

/** The addressee of each person as printed today: name, address, and for children the household's adult. */
async function addressees(tx: ScopedTx, personIds: readonly string[], asOf: string): Promise<Map<string, MailingAddressee>> {
  const rows = await tx.query<{ id: string; address_number: string; name: string; name_kana: string; birth_date: string; sex: 'M' | 'F'; postcode: string | null; address: string; guardian_name: string | null }>(
    `SELECT p.id, p.address_number, p.name, p.name_kana, p.birth_date::text AS birth_date, p.sex, p.postcode, p.address,
            CASE WHEN p.birth_date > ($2::date - make_interval(years => $3))::date AND p.household_number IS NOT NULL THEN (
              SELECT g.name FROM persons g
               WHERE g.municipality_code = p.municipality_code AND g.household_number = p.household_number AND g.id <> p.id
                 AND g.status = 'resident' AND g.merged_into IS NULL AND g.birth_date <= ($2::date - make_interval(years => $3))::date
               ORDER BY (g.relationship = '世帯主') DESC, g.birth_date, g.address_number LIMIT 1) END AS guardian_name
       FROM persons p WHERE p.municipality_code = app_tenant_code() AND p.id = ANY($1::uuid[])`,
    [personIds, asOf, GUARDIAN_UNDER_AGE],
  );
  return new Map(rows.map((r) => [r.id, {
    addressNumber: r.address_number, name: r.name, nameKana: r.name_kana, birthDate: r.birth_date, sex: r.sex,
    postcode: r.postcode ? r.postcode.replace(/[^0-9]/g, '') : null, address: r.address, guardianName: r.guardian_name,
  }]));
}

interface ItemIn {
  personId: string;
  vaccine: string;
  dose: number;
  episode: string;
  status: 'due' | 'upcoming';
  from: string | null;
  until: string | null;
  reason: string;
  ticketNumber: string | null;
  addressee: MailingAddressee;
  sortKey: string;
}

async function insertItems(tx: ScopedTx, batchId: string, channel: 'ticket' | 'reminder', items: readonly ItemIn[]): Promise<void> {
  if (items.length === 0) return;
  const col = <T>(f: (i: ItemIn) => T): T[] => items.map(f);
  await tx.query(
    `INSERT INTO mailing_items (municipality_code, batch_id, person_id, vaccine_id, dose_number, episode, channel, status, window_from, window_until,
       reason, ticket_number, addressee, sort_key)
     SELECT app_tenant(), $1::uuid, u.person, u.vaccine, u.dose, u.episode, $2, u.status, u.wfrom, u.wuntil, u.reason, u.ticket, u.addressee::jsonb, u.skey
       FROM unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[], $8::date[], $9::date[], $10::text[], $11::text[], $12::text[], $13::text[])
         AS u(person, vaccine, dose, episode, status, wfrom, wuntil, reason, ticket, addressee, skey)`,
    [batchId, channel, col((i) => i.personId), col((i) => i.vaccine), col((i) => i.dose), col((i) => i.episode), col((i) => i.status), col((i) => i.from),
      col((i) => i.until), col((i) => i.reason), col((i) => i.ticketNumber), col((i) => JSON.stringify(i.addressee)), col((i) => i.sortKey)],
  );
}

/** Live items (not replaced by a reissue) of these persons on a channel, as person|vaccine|dose|episode keys. */
async function liveItemKeys(tx: ScopedTx, channel: 'ticket' | 'reminder', personIds: readonly string[]): Promise<Set<string>> {
  const rows = await tx.query<{ k: string }>(
    `SELECT person_id || '|' || vaccine_id || '|' || dose_number || '|' || episode AS k FROM mailing_items
      WHERE municipality_code = app_tenant_code() AND channel = $1 AND reissued_at IS NULL AND person_id = ANY($2::uuid[])`,
    [channel, personIds],
  );
  return new Set(rows.map((r) => r.k));
}

const ticketDose = (dose: number): number => (dose <= 9 ? dose : 0);

async function insertBatchRow(tx: ScopedTx, id: string, kind: MailingKind, criteria: Record<string, unknown>, asOf: string, createdBy: string): Promise<void> {
  const s = rulePackStamp();
  await tx.query(
    `INSERT INTO mailing_batches (municipality_code, id, kind, criteria, as_of, rule_pack_id, rule_pack_version, rule_pack_hash, item_count, person_count, created_by)
     VALUES (app_tenant(), $1, $2, $3::jsonb, $4, $5, $6, $7, 0, 0, $8)`,
    [id, kind, JSON.stringify(criteria), asOf, s.id, s.version, s.hash, createdBy],
  );
}

/**
 * Runs the selection and freezes it as a batch: notice batches issue a 接種券 (券種 1) per item,
 * reminder batches none. Rows of persons already mailed for that dose are skipped and counted;
 * moved-in persons with unknown history are left out (reissue them once their history is known).
 */
export async function createBatch(db: Database, actor: Actor, input: { kind: BatchKind; criteria: CriteriaInput }, hooks: SelectionHooks = {}): Promise<CreateBatchResult> {
  if (input.kind !== 'notice' && input.kind !== 'reminder') throw new InputError(`kind: notice か reminder です (kind must be notice or reminder): ${String(input.kind).slice(0, 20)}`);
  const criteria: SelectionCriteria = parseCriteria(input.criteria);
  const kind = input.kind;
  const channel = kind === 'notice' ? 'ticket' : 'reminder';
  const id = randomUUID();
  return perform(db, actor, { permission: 'selection.run', action: 'mailing.batch_create', detail: { batchId: id, kind, criteria: criteriaJson(criteria) } }, async ({ tx, note }) => {
    await insertBatchRow(tx, id, kind, criteriaJson(criteria), criteria.asOf, actor.userId);
    const episodicIds = episodic();
    const order = vaccineOrder();
    const counts = { items: 0, persons: 0, skipped: 0, movedIn: 0, scanned: 0 };
    async function addPage(t: ScopedTx, rows: readonly SelectionRow[]): Promise<void> {
      if (rows.length === 0) return;
      const ids = [...new Set(rows.map((r) => r.personId))];
      const live = await liveItemKeys(t, channel, ids);
      const fresh = rows.filter((r) => !live.has(`${r.personId}|${r.vaccine}|${r.dose}|${episodeOf(r.vaccine, r.from, r.until, episodicIds)}`));
      counts.skipped += rows.length - fresh.length;
      if (fresh.length === 0) return;
      const who = await addressees(t, [...new Set(fresh.map((r) => r.personId))], criteria.asOf);
      const tickets = kind === 'notice'
        ? await issueTickets(t, fresh.map((r) => ({ personId: r.personId, vaccine: r.vaccine, doseNumber: ticketDose(r.dose), kind: '1' })), actor.userId, id)
        : null;
      const items: ItemIn[] = fresh.map((r, i) => {
        const a = who.get(r.personId) as MailingAddressee;
        const episode = episodeOf(r.vaccine, r.from, r.until, episodicIds);
        return {
          personId: r.personId, vaccine: r.vaccine, dose: r.dose, episode, status: r.status, from: r.from, until: r.until, reason: r.reason,
          ticketNumber: tickets?.[i]?.ticketNumber ?? null, addressee: a, sortKey: sortKey(a, order.get(r.vaccine) ?? 999, r.dose, episode),
        };
      });
      await insertItems(t, id, channel, items);
      counts.items += items.length;
      counts.persons += who.size;
    }
    hooks.onStart?.(await countScanned(tx, criteria));
    for await (const page of scanSelection(tx, criteria, hooks.pageSize)) {
      counts.scanned = page.scanned;
      counts.movedIn += page.movedIn.length;
      await addPage(tx, page.rows);
      hooks.onProgress?.(page.scanned);
    }
    await tx.query('UPDATE mailing_batches SET item_count = $2, person_count = $3, skipped_count = $4 WHERE id = $1', [id, counts.items, counts.persons, counts.skipped]);
    note(counts);
    const [row] = await tx.query<{ created_at: Date }>('SELECT created_at FROM mailing_batches WHERE id = $1', [id]);
    return {
      id, kind, asOf: criteria.asOf, items: counts.items, persons: counts.persons, skipped: counts.skipped, movedIn: counts.movedIn, scanned: counts.scanned,
      createdBy: actor.userId, createdAt: (row?.created_at ?? new Date()).toISOString(),
    };
  });
}

interface BatchRow {
  id: string;
  kind: MailingKind;
  as_of: string;
  item_count: number;
  person_count: number;
  skipped_count: number;
  created_by: string;
  created_at: Date;
  criteria: Record<string, unknown>;
  rule_pack_id: string;
  rule_pack_version: string;
  rule_pack_hash: string;
  reissued: number;
}

const BATCH_COLUMNS = `b.id, b.kind, b.as_of::text AS as_of, b.item_count, b.person_count, b.skipped_count, b.created_by, b.created_at, b.criteria,
  b.rule_pack_id, b.rule_pack_version, b.rule_pack_hash`;

function summaryOf(r: BatchRow): BatchSummary {
  return { id: r.id, kind: r.kind, asOf: r.as_of, items: r.item_count, persons: r.person_count, skipped: r.skipped_count, createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString() };
}

function checkBatchId(id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new InputError('バッチIDの形式が正しくありません (batch id must be a UUID)');
  return id.toLowerCase();
}

export async function listBatches(db: Database, actor: Actor, limit = 100): Promise<BatchSummary[]> {
  return perform(db, actor, { permission: 'selection.run', action: 'mailing.batch_list' }, async ({ tx }) => {
    const rows = await tx.query<BatchRow>(`SELECT ${BATCH_COLUMNS}, 0 AS reissued FROM mailing_batches b ORDER BY b.created_at DESC, b.id LIMIT $1`, [Math.min(Math.max(1, limit), 1000)]);
    return rows.map(summaryOf);
  });
}

export async function getBatch(db: Database, actor: Actor, batchId: string): Promise<BatchDetail> {
  const id = checkBatchId(batchId);
  return perform(db, actor, { permission: 'selection.run', action: 'mailing.batch_view', detail: { batchId: id } }, async ({ tx }) => {
    const [r] = await tx.query<BatchRow>(
      `SELECT ${BATCH_COLUMNS}, (SELECT count(*)::int FROM mailing_items i WHERE i.batch_id = b.id AND i.reissued_at IS NOT NULL) AS reissued
         FROM mailing_batches b WHERE b.id = $1`,
      [id],
    );
    if (!r) throw new NotFoundError('該当するバッチがありません (no such batch)');
    return { ...summaryOf(r), criteria: r.criteria, rulePack: { id: r.rule_pack_id, version: r.rule_pack_version, hash: r.rule_pack_hash }, reissued: r.reissued };
  });
}

/** Letterhead facts of a batch: municipality, sender block (tenant setting `mailing.senderName/senderContact`), issue date. */
export async function batchPrintInfo(db: Database, actor: Actor, batchId: string): Promise<MailingBatchInfo> {
  const id = checkBatchId(batchId);
  return perform(db, actor, { permission: 'selection.run', action: 'mailing.batch_view', detail: { batchId: id } }, async ({ tx }) => {
    const [r] = await tx.query<{ kind: MailingKind; created_at: Date; name: string; sender: string | null; contact: string | null }>(
      `SELECT b.kind, b.created_at, m.name, s.settings #>> '{mailing,senderName}' AS sender, s.settings #>> '{mailing,senderContact}' AS contact
         FROM mailing_batches b JOIN municipalities m ON m.code = b.municipality_code
         LEFT JOIN tenant_settings s ON s.municipality_code = b.municipality_code
        WHERE b.id = $1`,
      [id],
    );
    if (!r) throw new NotFoundError('該当するバッチがありません (no such batch)');
    return {
      batchId: id, kind: r.kind, municipalityCode: actor.municipalityCode, municipalityName: r.name,
      senderName: r.sender ?? `${r.name} 予防接種担当`, senderContact: r.contact ?? '', issuedOn: todayInJapan(new Date(r.created_at)),
    };
  });
}

export const PRINT_PAGE = 5000;

/**
 * The items of a batch in mailing order (postcode, address, 宛名番号), as frozen when the batch was
 * made — printing twice yields the same items. Items replaced by a reissue are left out (their
 * ticket is void). Pages of PRINT_PAGE, each one audited read.
 */
export async function* batchPrintItems(db: Database, actor: Actor, batchId: string): AsyncGenerator<MailingItem> {
  const id = checkBatchId(batchId);
  let after = '';
  for (;;) {
    const rows = await perform(db, actor, { permission: 'selection.run', action: 'mailing.batch_items', detail: { batchId: id } }, async ({ tx }) => {
      if (after === '') {
        const [b] = await tx.query<{ id: string }>('SELECT id FROM mailing_batches WHERE id = $1', [id]);
        if (!b) throw new NotFoundError('該当するバッチがありません (no such batch)');
      }
      return tx.query<{ sort_key: string; addressee: MailingAddressee; vaccine_id: string; name_ja: string; dose_number: number; window_from: string | null; window_until: string | null; ticket_number: string | null; ticket_kind: string | null; ticket_dose: number | null }>(
        `SELECT i.sort_key, i.addressee, i.vaccine_id, v.name_ja, i.dose_number, i.window_from::text AS window_from, i.window_until::text AS window_until,
                i.ticket_number, t.kind AS ticket_kind, t.dose_number AS ticket_dose
           FROM mailing_items i JOIN vaccines v ON v.id = i.vaccine_id
           LEFT JOIN tickets t ON t.municipality_code = i.municipality_code AND t.ticket_number = i.ticket_number
          WHERE i.municipality_code = app_tenant_code() AND i.batch_id = $1 AND i.reissued_at IS NULL AND i.sort_key > $2
          ORDER BY i.sort_key LIMIT $3`,
        [id, after, PRINT_PAGE],
      );
    });
    for (const r of rows) {
      yield {
        person: r.addressee, vaccineId: r.vaccine_id, vaccineName: r.name_ja, doseNumber: r.dose_number, dueFrom: r.window_from, dueUntil: r.window_until,
        ticket: r.ticket_number && r.ticket_kind
          ? { ticketNumber: r.ticket_number, kind: r.ticket_kind, ocrLine: buildOcrLine({ kind: r.ticket_kind, doseNumber: r.ticket_dose ?? 0, municipalityCode: actor.municipalityCode, ticketNumber: r.ticket_number }) }
          : null,
      };
    }
    if (rows.length < PRINT_PAGE) return;
    after = (rows[rows.length - 1] as { sort_key: string }).sort_key;
  }
}

export interface ReissueInput {
  addressNumber: string;
  vaccine: string;
  dose: number;
  reason: ReissueReason;
  /** The day the forecast is made for a moved-in person (default: today in Japan). */
  asOf?: string;
}

export interface ReissueResult {
  batchId: string;
  ticketNumber: string;
  ocrLine: string;
  kind: string;
  /** The ticket made void, when the person had one for this dose. */
  voidedTicket: string | null;
}

/**
 * 再発行: a one-item batch of kind 'reissue' with a new ticket number (券種 2 lost, 3 moved in).
 * The person's live ticket item for this dose, if any, is marked replaced and its ticket voided;
 * the old number is never reused. Lost papers need that earlier item; a moved-in person needs the
 * engine to say the dose is due or upcoming now (their earlier history entered first).
 */
export async function reissue(db: Database, actor: Actor, input: ReissueInput): Promise<ReissueResult> {
  if (!/^[0-9]{1,15}$/.test(input.addressNumber)) throw new InputError('addressNumber: 宛名番号は15桁以内の数字です (address number must be 1-15 digits)');
  if (input.reason !== 'lost' && input.reason !== 'moved_in') throw new InputError('reason: lost か moved_in です (reason must be lost or moved_in)');
  if (!Number.isInteger(input.dose) || input.dose < 1 || input.dose > 99) throw new InputError('dose: 接種回数は1〜99です (dose must be 1-99)');
  const asOf = input.asOf ?? todayInJapan();
  if (parseIsoDate(asOf) === null) throw new InputError(`asOf: 日付は YYYY-MM-DD で指定してください (not a date: ${asOf.slice(0, 20)})`);
  if (!scheduleEngine().compiled.pack.vaccines.some((v) => v.id === input.vaccine)) throw new InputError(`vaccine: 不明なワクチンです (unknown vaccine): ${input.vaccine.slice(0, 30)}`);
  const id = randomUUID();
  return perform(db, actor, { permission: 'selection.run', action: 'mailing.reissue', detail: { batchId: id, vaccine: input.vaccine, dose: input.dose, reason: input.reason } }, async ({ tx, note }) => {
    const [person] = await tx.query<{ id: string; birth_date: string; sex: 'M' | 'F' }>(
      `SELECT id, birth_date::text AS birth_date, sex FROM persons WHERE address_number = $1 AND merged_into IS NULL AND status = 'resident'`,
      [input.addressNumber],
    );
    if (!person) throw new NotFoundError('該当する住民がいません (no resident with this address number)');
    const [old] = await tx.query<{ batch_id: string; episode: string; status: 'due' | 'upcoming'; window_from: string | null; window_until: string | null; reason: string; ticket_number: string }>(
      `SELECT batch_id, episode, status, window_from::text AS window_from, window_until::text AS window_until, reason, ticket_number FROM mailing_items
        WHERE person_id = $1 AND vaccine_id = $2 AND dose_number = $3 AND channel = 'ticket' AND reissued_at IS NULL
        ORDER BY window_until DESC NULLS LAST LIMIT 1 FOR UPDATE`,
      [person.id, input.vaccine, input.dose],
    );
    let item: { episode: string; status: 'due' | 'upcoming'; from: string | null; until: string | null; reason: string };
    if (input.reason === 'lost' || old) {
      if (!old) throw new NotFoundError('この接種の接種券は発行されていません (no ticket was mailed for this dose: nothing to reissue)');
      item = { episode: old.episode, status: old.status, from: old.window_from, until: old.window_until, reason: `reissue_${input.reason}` };
    } else {
      const history = (await confirmedHistories(tx, [person.id])).get(person.id) ?? [];
      const n = scheduleEngine().forecast({ birth: person.birth_date, sex: person.sex }, history, asOf).next.find((x) => x.vaccine === input.vaccine);
      if (!n || (n.status !== 'due' && n.status !== 'upcoming') || n.dose !== input.dose) {
        throw new InputError(`${asOf} 時点で ${input.vaccine} ${input.dose}回目は接種対象ではありません (not due: the schedule says ${n ? `${n.status}${n.dose ? ` dose ${n.dose}` : ''}` : 'no rule'})`);
      }
      item = { episode: episodeOf(input.vaccine, n.from ?? null, n.until ?? null, episodic()), status: n.status, from: n.from ?? null, until: n.until ?? null, reason: 'reissue_moved_in' };
    }
    if (old) {
      await tx.query(
        `UPDATE mailing_items SET reissued_at = now(), reissue_reason = $5
          WHERE batch_id = $1 AND person_id = $2 AND vaccine_id = $3 AND dose_number = $4 AND episode = $6 AND channel = 'ticket'`,
        [old.batch_id, person.id, input.vaccine, input.dose, input.reason, old.episode],
      );
      await tx.query('UPDATE tickets SET voided_at = now() WHERE ticket_number = $1 AND voided_at IS NULL', [old.ticket_number]);
    }
    await insertBatchRow(tx, id, 'reissue', { reissueOf: old?.batch_id ?? null, addressNumber: input.addressNumber, vaccine: input.vaccine, dose: input.dose, reason: input.reason }, asOf, actor.userId);
    const [ticket] = await issueTickets(tx, [{ personId: person.id, vaccine: input.vaccine, doseNumber: ticketDose(input.dose), kind: REISSUE_TICKET_KIND[input.reason] }], actor.userId, id);
    if (!ticket) throw new Error('no ticket issued');
    const who = (await addressees(tx, [person.id], asOf)).get(person.id) as MailingAddressee;
    await insertItems(tx, id, 'ticket', [{
      personId: person.id, vaccine: input.vaccine, dose: input.dose, episode: item.episode, status: item.status, from: item.from, until: item.until, reason: item.reason,
      ticketNumber: ticket.ticketNumber, addressee: who, sortKey: sortKey(who, vaccineOrder().get(input.vaccine) ?? 999, input.dose, item.episode),
    }]);
    await tx.query('UPDATE mailing_batches SET item_count = 1, person_count = 1 WHERE id = $1', [id]);
    note({ subject: person.id, ticketNumber: ticket.ticketNumber, voidedTicket: old?.ticket_number ?? null });
    return { batchId: id, ticketNumber: ticket.ticketNumber, ocrLine: ticket.ocrLine, kind: ticket.kind, voidedTicket: old?.ticket_number ?? null };
  });
}
