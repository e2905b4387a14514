// The set-based selection scan: residents in keyset pages of PAGE_SIZE (by 宛名番号) with their
// confirmed histories, one query a page, the schedule engine in process; no per-person round trip.
// Moved-out, dead, removed and merged persons are not scanned at all (status = 'resident' AND
// merged_into IS NULL).
import type { ScopedTx } from '../../db/scoped.ts';
import { addressDistrict } from '../../domain/address-district.ts';
import { formatIsoDate, parseIsoDate } from '../../domain/dates.ts';
import { ScheduleInputError, type DoseRecord, type NextDose, type Sex } from '../../domain/schedule/index.ts';
import { scheduleEngine } from '../schedule/contract.ts';
import { OVERDUE_AFTER_DAYS, type SelectionCriteria } from './criteria.ts';

export const PAGE_SIZE = 10_000;

export type SelectionReason = 'window_open' | 'overdue' | 'window_opens_soon' | 'moved_in_history_unknown';

export interface SelectionRow {
  personId: string;
  addressNumber: string;
  name: string;
  birthDate: string;
  district: string;
  vaccine: string;
  dose: number;
  status: 'due' | 'upcoming';
  from: string | null;
  until: string | null;
  reason: SelectionReason;
}

export interface SelectionProblem {
  personId: string;
  addressNumber: string;
  /** The engine's message (bad date, unknown product): no personal data. */
  error: string;
}

export interface SelectionPage {
  /** Persons scanned so far (all pages). */
  scanned: number;
  rows: SelectionRow[];
  /** Rows of moved-in persons whose history before moving in is unknown: ask the former city. */
  movedIn: SelectionRow[];
  problems: SelectionProblem[];
}

interface PersonRow {
  id: string;
  address_number: string;
  name: string;
  birth_date: string;
  sex: Sex;
  moved_in_on: string | null;
  address: string;
  history: string | null;
}

const MEMO_LIMIT = 200_000;

function parseHistory(text: string | null): DoseRecord[] {
  if (!text) return [];
  return text.split('\u001e').map((d) => {
    const [vaccine = '', dose = '', date = '', product = ''] = d.split('\u001f');
    return { vaccine, dose: Number(dose), date, product: product === '' ? null : product };
  });
}

/** Does a `next` entry go on the list, and with which reason? Pure; shared with the tests' statement of the rule. */
export function classify(n: NextDose, criteria: SelectionCriteria, asOfDay: number): SelectionReason | null {
  if (n.dose === null || !n.from) return null;
  if (criteria.vaccines !== 'all' && !criteria.vaccines.includes(n.vaccine)) return null;
  const from = parseIsoDate(n.from) ?? asOfDay;
  let reason: SelectionReason;
  if (n.status === 'due') reason = asOfDay - from >= OVERDUE_AFTER_DAYS ? 'overdue' : 'window_open';
  else if (n.status === 'upcoming' && criteria.withinDays !== undefined && from - asOfDay <= criteria.withinDays) reason = 'window_opens_soon';
  else return null;
  if (criteria.overdue && reason !== 'overdue') return null;
  if (criteria.notVaccinated && n.dose !== 1) return null;
  return reason;
}

/** The persons a page scans, with the criteria that SQL can apply (birth range, district). */
function personPageSql(criteria: SelectionCriteria): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  // The char(6) tenant condition lets PostgreSQL walk the (municipality_code, address_number) index
  // in order (the RLS policy compares as text, which no index serves).
  const where = ['municipality_code = app_tenant_code()', "status = 'resident'", 'merged_into IS NULL'];
  if (criteria.bornFrom) where.push(`birth_date >= $${params.push(criteria.bornFrom)}::date`);
  if (criteria.bornTo) where.push(`birth_date <= $${params.push(criteria.bornTo)}::date`);
  if (criteria.district) where.push(`address_district(address) = $${params.push(criteria.district)}`);
  return { sql: where.join(' AND '), params };
}

export async function countScanned(tx: ScopedTx, criteria: SelectionCriteria): Promise<number> {
  const { sql, params } = personPageSql(criteria);
  const [row] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM persons WHERE ${sql}`, params);
  return row?.n ?? 0;
}

/**
 * The scan, page by page. A moved-in person (moved_in_on after birth) with no confirmed dose
 * dated before moving in has an unknown earlier history: a row of theirs goes to `movedIn` when
 * the engine says that vaccine was already due or missed the day before they moved in (doses may
 * exist in the former city); rows of vaccines that only became due here stay on the main list.
 */
export async function* scanSelection(tx: ScopedTx, criteria: SelectionCriteria, pageSize = PAGE_SIZE): AsyncGenerator<SelectionPage> {
  const engine = scheduleEngine();
  const asOfDay = parseIsoDate(criteria.asOf) ?? 0;
  const { sql, params } = personPageSql(criteria);
  const keyAt = params.length + 1;
  let scanned = 0;
  // Exact memo: the engine is a pure function of (birth, sex, history, asOf), and many residents
  // share one (most adults have no routine history; classmates share birth days).
  const memo = new Map<string, NextDose[] | ScheduleInputError>();
  // One query a page: the residents and, per resident, the confirmed history as one string
  // (fields split by U+001F, doses by U+001E), oldest first as confirmedHistories() orders it.
  const fetch = (key: string): Promise<PersonRow[]> =>
    tx.query<PersonRow>(
      `SELECT p.id, p.address_number, p.name, p.birth_date::text AS birth_date, p.sex, p.moved_in_on::text AS moved_in_on, p.address,
              (SELECT string_agg(concat_ws(chr(31), v.vaccine_id, v.dose_number, v.administered_on, v.schedule_product), chr(30)
                                 ORDER BY v.administered_on, v.vaccine_id, v.dose_number)
                 FROM doses d JOIN dose_versions v ON v.municipality_code = d.municipality_code AND v.dose_id = d.id AND v.version = d.current_version
                WHERE d.municipality_code = p.municipality_code AND d.person_id = p.id AND NOT d.deleted) AS history
         FROM persons p WHERE ${sql} AND address_number > $${keyAt} ORDER BY address_number LIMIT $${keyAt + 1}`,
      [...params, key, pageSize],
    );
  // The next page is asked for before this one is computed: the database works while the engine does.
  let pending = fetch('');
  for (;;) {
    const persons = await pending;
    if (persons.length === 0) return;
    pending = fetch((persons[persons.length - 1] as PersonRow).address_number);
    pending.catch(() => undefined); // awaited next round; a consumer that stops early must not see it
    scanned += persons.length;
    if (memo.size > MEMO_LIMIT) memo.clear();
    const page: SelectionPage = { scanned, rows: [], movedIn: [], problems: [] };
    for (const p of persons) {
      const memoKey = `${p.birth_date}|${p.sex}|${p.history ?? ''}`;
      let next = memo.get(memoKey);
      if (next === undefined) {
        try {
          next = engine.forecast({ birth: p.birth_date, sex: p.sex }, parseHistory(p.history), criteria.asOf).next;
        } catch (err) {
          if (!(err instanceof ScheduleInputError)) throw err;
          next = err;
        }
        memo.set(memoKey, next);
      }
      if (next instanceof ScheduleInputError) {
        page.problems.push({ personId: p.id, addressNumber: p.address_number, error: next.message });
        continue;
      }
      let before: Map<string, NextDose> | null | undefined;
      let district: string | undefined;
      for (const n of next) {
        const reason = classify(n, criteria, asOfDay);
        if (reason === null) continue;
        const row: SelectionRow = {
          // The district in process, for listed persons only: address_district() per scanned row
          // would cost more than the engine (same definition; test/domain/address-district).
          personId: p.id, addressNumber: p.address_number, name: p.name, birthDate: p.birth_date, district: (district ??= addressDistrict(p.address)),
          vaccine: n.vaccine, dose: n.dose as number, status: n.status as 'due' | 'upcoming', from: n.from ?? null, until: n.until ?? null, reason,
        };
        if (before === undefined) before = beforeMoveIn(p, parseHistory(p.history));
        const then = before?.get(n.vaccine);
        if (then && (then.status === 'due' || then.status === 'expired')) page.movedIn.push({ ...row, reason: 'moved_in_history_unknown' });
        else page.rows.push(row);
      }
    }
    yield page;
  }
}

/** The forecast, with no history, the day before a moved-in person arrived; null when their history is known. */
function beforeMoveIn(p: PersonRow, history: readonly DoseRecord[]): Map<string, NextDose> | null {
  if (!p.moved_in_on || p.moved_in_on <= p.birth_date) return null;
  if (history.some((d) => d.date < (p.moved_in_on as string))) return null;
  const day = (parseIsoDate(p.moved_in_on) ?? 0) - 1;
  try {
    return new Map(scheduleEngine().forecast({ birth: p.birth_date, sex: p.sex }, [], formatIsoDate(day)).next.map((n) => [n.vaccine, n]));
  } catch (err) {
    if (err instanceof ScheduleInputError) return null;
    throw err;
  }
}
