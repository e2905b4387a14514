// The set-based selection scan: one cursor over the residents (by 宛名番号) with their confirmed
// histories, fetched PAGE_SIZE at a time, the schedule engine in process; no per-person round trip.
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
  birth_date: string;
  sex: Sex;
  moved_in_on: string | null;
  history: string | null;
  name: string;
  address: string;
  /** Position among all residents the filters select, quiet ones included. */
  seq: number;
}

const MEMO_LIMIT = 500_000;
/** Birth days further back than this are never left out as quiet (they are read and forecast). */
const QUIET_YEARS = 125;

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

/** The persons the scan reads (alias p), with the criteria that SQL can apply (birth range, district). */
function personPageSql(criteria: SelectionCriteria): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  // Row-level security filters as well; the explicit tenant condition gives the planner the
  // (municipality_code, …) indexes and row estimates for the tenant.
  const where = ['p.municipality_code = app_tenant_code()', "p.status = 'resident'", 'p.merged_into IS NULL'];
  if (criteria.bornFrom) where.push(`p.birth_date >= $${params.push(criteria.bornFrom)}::date`);
  if (criteria.bornTo) where.push(`p.birth_date <= $${params.push(criteria.bornTo)}::date`);
  if (criteria.district) where.push(`address_district(p.address) = $${params.push(criteria.district)}`);
  return { sql: where.join(' AND '), params };
}

export async function countScanned(tx: ScopedTx, criteria: SelectionCriteria): Promise<number> {
  const { sql, params } = personPageSql(criteria);
  const [row] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM persons p WHERE ${sql}`, params);
  return row?.n ?? 0;
}

/** Quiet birth ranges by (asOf, through): the same for every selection of a day, and ~0.5 s to work out. */
const quietCache = new Map<string, Array<{ sex: Sex; from: string; through: string }>>();

/**
 * Residents the scan need not read: no confirmed dose, and a birth day on which the engine can
 * list nothing for anyone of that sex in [asOf, asOf + withinDays] (Engine.quietBirths, exact).
 * Adults of 20–64 without a routine history are about a third of a city. Their forecast could
 * not throw either (birth and sex come from checked columns), so no problem is lost.
 */
function quietSql(criteria: SelectionCriteria, params: unknown[]): string {
  const through = formatIsoDate((parseIsoDate(criteria.asOf) ?? 0) + (criteria.withinDays ?? 0));
  const earliest = `${Number(criteria.asOf.slice(0, 4)) - QUIET_YEARS}-01-01`;
  const key = `${criteria.asOf}|${through}`;
  let quiet = quietCache.get(key);
  if (quiet === undefined) {
    quiet = (['M', 'F'] as const).flatMap((sex) => scheduleEngine().quietBirths(sex, criteria.asOf, through, earliest).map((r) => ({ sex, ...r })));
    if (quietCache.size >= 32) quietCache.clear();
    quietCache.set(key, quiet);
  }
  const ranges = quiet.map((r) =>
    `(p.sex = $${params.push(r.sex)} AND p.birth_date BETWEEN $${params.push(r.from)}::date AND $${params.push(r.through)}::date)`);
  return ranges.length === 0 ? 'false' : `h.history IS NULL AND (${ranges.join(' OR ')})`;
}

let cursorCount = 0;

/**
 * Opens the scan as one cursor over the residents, each with their confirmed history as the
 * database keeps it summarised (person_dose_histories, migration 0018: fields split by U+001F —
 * vaccine, dose, date, schedule product, routine —, doses by U+001E, oldest first as
 * confirmedHistories() orders it), in 宛名番号 order, leaving out
 * the quiet residents. Set-based and streaming: residents and summaries are both read in 宛名番号
 * order and merge-joined, so rows flow from the first one while the engine works on them — no hash
 * of every history, no sort, no probe per resident (the planner preferred hash + sort, which holds
 * everything back until the end: nested loops, hash joins and sorts are off for this transaction,
 * which also keeps the plan the same on PGlite, whose tables may have no statistics). `seq`
 * numbers every resident the filters select (quiet ones too), so progress counts them. No JIT
 * (compiling it cost more than running it).
 */
async function openScanCursor(tx: ScopedTx, criteria: SelectionCriteria): Promise<string> {
  const { sql, params } = personPageSql(criteria);
  const quiet = quietSql(criteria, params);
  // A name of its own, so two scans in one transaction (a consumer that scans again) cannot collide.
  const name = `selection_scan_${++cursorCount}`;
  await tx.query(
    `SELECT set_config('jit', 'off', true), set_config('enable_nestloop', 'off', true),
            set_config('enable_hashjoin', 'off', true), set_config('enable_sort', 'off', true)`,
  );
  await tx.query(
    `DECLARE ${name} NO SCROLL CURSOR FOR
     SELECT p.id, p.address_number, p.birth_date::text AS birth_date, p.sex, p.moved_in_on::text AS moved_in_on, h.history,
            p.name, p.address, p.seq::int AS seq
       FROM (SELECT p.id, p.address_number, p.birth_date, p.sex, p.moved_in_on, p.name, p.address,
                    row_number() OVER (ORDER BY p.address_number) AS seq
               FROM persons p WHERE ${sql}) p
       LEFT JOIN (SELECT h.person_id, h.address_number, h.history FROM person_dose_histories h
                   WHERE h.municipality_code = app_tenant_code() ORDER BY h.address_number) h
              ON h.address_number = p.address_number AND h.person_id = p.id
      WHERE NOT (${quiet})
      ORDER BY p.address_number`,
    params,
  );
  return name;
}

/** Residents the filters select after 宛名番号 `after` ('' = all): the quiet ones after the last row read. */
async function countAfter(tx: ScopedTx, criteria: SelectionCriteria, after: string): Promise<number> {
  const { sql, params } = personPageSql(criteria);
  const [row] = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM persons p WHERE ${sql} AND p.address_number > $${params.length + 1}`, [...params, after]);
  return row?.n ?? 0;
}

interface Listed {
  n: NextDose;
  reason: SelectionReason;
}

const NOTHING: readonly Listed[] = [];

/** The forecast entries of a person that the criteria list, or the engine's input error. */
function listedOf(p: PersonRow, criteria: SelectionCriteria, asOfDay: number): readonly Listed[] | ScheduleInputError {
  let next: NextDose[];
  try {
    next = scheduleEngine().forecast({ birth: p.birth_date, sex: p.sex }, parseHistory(p.history), criteria.asOf).next;
  } catch (err) {
    if (!(err instanceof ScheduleInputError)) throw err;
    return err;
  }
  let out: Listed[] | null = null;
  for (const n of next) {
    const reason = classify(n, criteria, asOfDay);
    if (reason !== null) (out ??= []).push({ n, reason });
  }
  return out ?? NOTHING;
}

/**
 * The scan, page by page. A moved-in person (moved_in_on after birth) with no confirmed dose
 * dated before moving in has an unknown earlier history: a row of theirs goes to `movedIn` when
 * the engine says that vaccine was already due or missed the day before they moved in (doses may
 * exist in the former city); rows of vaccines that only became due here stay on the main list.
 */
export async function* scanSelection(tx: ScopedTx, criteria: SelectionCriteria, pageSize = PAGE_SIZE): AsyncGenerator<SelectionPage> {
  const asOfDay = parseIsoDate(criteria.asOf) ?? 0;
  let scanned = 0;
  let last = '';
  // Exact memo: the engine is a pure function of (birth, sex, history, asOf), and many residents
  // share one (most adults have no routine history; classmates share birth days). It keeps only
  // the entries the criteria list (usually none), classified once: small enough to stay cheap for GC.
  // Two levels (birth|sex, then the history string as the database sent it): the long history is
  // hashed in place instead of being copied into a combined key for every resident.
  const memo = new Map<string, Map<string, readonly Listed[] | ScheduleInputError>>();
  let memoSize = 0;
  const cursor = await openScanCursor(tx, criteria);
  const fetch = (): Promise<PersonRow[]> => tx.query<PersonRow>(`FETCH ${Math.max(1, Math.floor(pageSize))} FROM ${cursor}`);
  // The next page is asked for before this one is computed: the database works while the engine does.
  let pending = fetch();
  try {
    for (;;) {
      const persons = await pending;
      if (persons.length === 0) {
        // Quiet residents after the last row read still count as scanned.
        const rest = await countAfter(tx, criteria, last);
        if (rest > 0) yield { scanned: scanned + rest, rows: [], movedIn: [], problems: [] };
        return;
      }
      pending = fetch();
      pending.catch(() => undefined); // awaited next round or in finally
      const lastRow = persons[persons.length - 1] as PersonRow;
      scanned = lastRow.seq;
      last = lastRow.address_number;
      if (memoSize > MEMO_LIMIT) {
        memo.clear();
        memoSize = 0;
      }
      const listed: Array<{ p: PersonRow; l: Listed }> = [];
      const page: SelectionPage = { scanned, rows: [], movedIn: [], problems: [] };
      for (const p of persons) {
        const person = `${p.birth_date}${p.sex}`;
        let byHistory = memo.get(person);
        if (byHistory === undefined) memo.set(person, (byHistory = new Map()));
        let entries = byHistory.get(p.history ?? '');
        if (entries === undefined) {
          entries = listedOf(p, criteria, asOfDay);
          byHistory.set(p.history ?? '', entries);
          memoSize++;
        }
        if (entries instanceof ScheduleInputError) {
          page.problems.push({ personId: p.id, addressNumber: p.address_number, error: entries.message });
          continue;
        }
        for (const l of entries) listed.push({ p, l });
      }
      let before: Map<string, NextDose> | null = null;
      let beforeOf: PersonRow | null = null;
      let district = '';
      for (const { p, l: { n, reason } } of listed) {
        if (beforeOf !== p) {
          beforeOf = p;
          before = beforeMoveIn(p);
          // The district in process, for listed persons only: address_district() per scanned row
          // would cost more than the engine (same definition; test/domain/address-district).
          district = addressDistrict(p.address);
        }
        const row: SelectionRow = {
          personId: p.id, addressNumber: p.address_number, name: p.name, birthDate: p.birth_date, district,
          vaccine: n.vaccine, dose: n.dose as number, status: n.status as 'due' | 'upcoming', from: n.from ?? null, until: n.until ?? null, reason,
        };
        const then = before?.get(n.vaccine);
        if (then && (then.status === 'due' || then.status === 'expired')) page.movedIn.push({ ...row, reason: 'moved_in_history_unknown' });
        else page.rows.push(row);
      }
      yield page;
    }
  } finally {
    // A consumer that stops early leaves a FETCH in flight: let it finish before the cursor goes.
    await pending.catch(() => undefined);
    await tx.exec(`CLOSE ${cursor}`).catch(() => undefined);
  }
}

/** The forecast, with no history, the day before a moved-in person arrived; null when their history is known. */
function beforeMoveIn(p: PersonRow): Map<string, NextDose> | null {
  if (!p.moved_in_on || p.moved_in_on <= p.birth_date) return null;
  if (parseHistory(p.history).some((d) => d.date < (p.moved_in_on as string))) return null;
  const day = (parseIsoDate(p.moved_in_on) ?? 0) - 1;
  try {
    return new Map(scheduleEngine().forecast({ birth: p.birth_date, sex: p.sex }, [], formatIsoDate(day)).next.map((n) => [n.vaccine, n]));
  } catch (err) {
    if (err instanceof ScheduleInputError) return null;
    throw err;
  }
}
