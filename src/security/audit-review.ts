// The auditor's view of the audit log: search, the periodic review reports, CSV export, sign-off
// and chain verification. Every function goes through perform(), so reading the log is itself
// logged (audit.search / audit.report / audit.export / audit.signoff / audit.verify).
// control: LOG-05 (search, review reports, CSV, sign-off), LOG-03 (verification from the web)
import type { Database } from '../db/client.ts';
import type { ScopedTx } from '../db/scoped.ts';
import type { BusinessHours, OffHoursReason } from '../domain/jp-holidays.ts';
import {
  DEFAULT_BUSINESS_HOURS,
  isHoliday,
  isYearEndClosure,
  MAX_HOLIDAY_YEAR,
  MIN_HOLIDAY_YEAR,
  offHoursReason,
  toJstLocalDateTime,
} from '../domain/jp-holidays.ts';
import type { Actor } from './actor.ts';
import type { JsonObject, JsonValue } from './audit-chain.ts';
import type { AuditResult, AuditRow } from './audit-log.ts';
import type { AuditLogVerification } from './audit-verify.ts';
import { verifyAuditChain } from './audit-verify.ts';
import type { CsvCell } from './csv-export.ts';
import { toCsv } from './csv-export.ts';
import { perform } from './guard.ts';

export class AuditQueryError extends Error {
  override name = 'AuditQueryError';
  readonly statusCode = 400;
}

export interface AuditSearchFilter {
  readonly from?: Date | null;
  /** Exclusive. */
  readonly to?: Date | null;
  readonly userId?: string | null;
  readonly loginId?: string | null;
  readonly actionPrefix?: string | null;
  readonly subjectPersonId?: string | null;
  readonly result?: AuditResult | null;
  /** Keyset paging: entries before this one in display order. */
  readonly before?: AuditCursor | null;
  readonly limit?: number;
}

/**
 * An entry's place in display order across chain lanes: time, then lane and seq (control: LOG-03
 * keeps one chain per lane, so no single number orders a tenant's entries).
 */
export interface AuditCursor {
  readonly occurredAt: Date;
  readonly lane: number;
  readonly seq: number;
}

/** The cursor as a URL parameter: epoch milliseconds, lane and seq. */
export function formatAuditCursor(c: AuditCursor): string {
  return `${c.occurredAt.getTime()}.${c.lane}.${c.seq}`;
}

export function parseAuditCursor(s: string): AuditCursor | null {
  const m = /^(\d{1,15})\.(\d{1,4})\.(\d{1,15})$/u.exec(s);
  if (!m) return null;
  const [ms, lane, seq] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return Number.isSafeInteger(ms) && Number.isSafeInteger(seq) && seq >= 1 ? { occurredAt: new Date(ms), lane, seq } : null;
}

/** How an entry is named to people: chain lane and position in it, e.g. 3-1520. */
export const entryRef = (e: { lane: number; seq: number }): string => `${e.lane}-${e.seq}`;

export interface AuditEntryView {
  lane: number;
  seq: number;
  occurredAt: Date;
  userId: string | null;
  loginId: string | null;
  displayName: string | null;
  role: string | null;
  department: string | null;
  terminalId: string | null;
  purpose: string | null;
  subjectPersonId: string | null;
  action: string;
  result: string;
  detail: JsonObject;
}

export interface AuditPage {
  entries: AuditEntryView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: AuditCursor | null;
}

export interface ReportWindow {
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
}

export interface Report<T> {
  rows: T[];
  /** More rows matched than a report shows: narrow the window. */
  truncated: boolean;
}

export interface AfterHoursRow {
  lane: number;
  seq: number;
  occurredAt: Date;
  /** Japan-local 'YYYY-MM-DDTHH:MM:SS'. */
  localTime: string;
  reason: OffHoursReason;
  userId: string | null;
  loginId: string | null;
  displayName: string | null;
  action: string;
  result: string;
  subjectPersonId: string | null;
}

export interface BulkLookupOptions {
  /** More than this many distinct persons within the window is a bulk look-up. */
  readonly threshold?: number;
  readonly windowMinutes?: number;
}

export interface BulkLookupRow {
  userId: string;
  loginId: string | null;
  displayName: string | null;
  /** The burst: from the first to the last look-up of the windows over the threshold. */
  firstAt: Date;
  lastAt: Date;
  /** The most distinct persons seen in any one window of the burst. */
  peakDistinctPersons: number;
  lookups: number;
}

export interface FailedLoginRow {
  userId: string;
  loginId: string | null;
  displayName: string | null;
  /** True when the login id named no account (guessing, typos). */
  unknownAccount: boolean;
  failures: number;
  lockouts: number;
  terminals: number;
  firstAt: Date;
  lastAt: Date;
}

/**
 * Which person a staff account is, or lives with. Pending person linkage: the residents module
 * will provide it once a `persons` table exists; until then callers pass nothing and the
 * self-look-up report is empty rather than guessed.
 */
export interface StaffPersonLink {
  readonly accountId: string;
  readonly personId: string;
  readonly relation: 'self' | 'household';
}

export interface SelfLookupRow {
  lane: number;
  seq: number;
  occurredAt: Date;
  userId: string;
  loginId: string | null;
  displayName: string | null;
  relation: 'self' | 'household';
  subjectPersonId: string;
  action: string;
  result: string;
}

export type ReportKind = 'after_hours' | 'bulk_lookups' | 'failed_logins' | 'self_lookups';
export const REPORT_KINDS: readonly ReportKind[] = ['after_hours', 'bulk_lookups', 'failed_logins', 'self_lookups'];

export const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
/** Exports and reports stop here and say so; a wider need is a job for the CLI. */
export const MAX_REPORT_ROWS = 50_000;
const MAX_WINDOW_DAYS = 366;
const DEFAULT_BULK = { threshold: 100, windowMinutes: 60 } as const;
const RESULTS: ReadonlySet<string> = new Set(['ok', 'denied', 'failed']);
const FAILED_LOGIN_ACTIONS = ['login.failed', 'login.totp', 'totp.enrol'];

export function isReportKind(v: string): v is ReportKind {
  return (REPORT_KINDS as readonly string[]).includes(v);
}

// ---- validation: refuse bad input before it reaches SQL, with a 400 rather than a database error

function checkText(name: string, v: string | null | undefined, max = 100): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (v.length > max || [...v].some((c) => c.charCodeAt(0) < 0x20)) throw new AuditQueryError(`${name} is not valid`);
  return v;
}

function checkFilter(f: AuditSearchFilter, maxLimit = MAX_PAGE_SIZE): AuditSearchFilter {
  const limit = f.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxLimit) throw new AuditQueryError(`limit must be 1–${maxLimit}`);
  const b = f.before;
  if (b && (Number.isNaN(b.occurredAt.getTime()) || !Number.isSafeInteger(b.lane) || b.lane < 0 || !Number.isSafeInteger(b.seq) || b.seq < 1)) {
    throw new AuditQueryError('the paging position is not valid');
  }
  for (const d of [f.from, f.to]) if (d && Number.isNaN(d.getTime())) throw new AuditQueryError('date is not valid');
  if (f.actionPrefix && !/^[a-z_.]{1,60}$/u.test(f.actionPrefix)) throw new AuditQueryError('action must be lower-case letters, _ and .');
  if (f.result && !RESULTS.has(f.result)) throw new AuditQueryError('result must be ok, denied or failed');
  return {
    from: f.from ?? null,
    to: f.to ?? null,
    userId: checkText('user id', f.userId),
    loginId: checkText('login id', f.loginId?.trim().toLowerCase()),
    actionPrefix: f.actionPrefix ?? null,
    subjectPersonId: checkText('subject', f.subjectPersonId),
    result: f.result ?? null,
    before: f.before ?? null,
    limit,
  };
}

export function checkWindow(w: ReportWindow): ReportWindow {
  if (Number.isNaN(w.from.getTime()) || Number.isNaN(w.to.getTime())) throw new AuditQueryError('date is not valid');
  if (w.to <= w.from) throw new AuditQueryError('the end of the period must be after its start');
  if (w.to.getTime() - w.from.getTime() > MAX_WINDOW_DAYS * 86_400_000) throw new AuditQueryError(`a report covers at most ${MAX_WINDOW_DAYS} days`);
  const years = [toJstLocalDateTime(w.from), toJstLocalDateTime(w.to)].map((s) => Number(s.slice(0, 4)));
  if (years.some((y) => y < MIN_HOLIDAY_YEAR || y > MAX_HOLIDAY_YEAR)) throw new AuditQueryError('the period is out of range');
  return w;
}

function describeFilter(f: AuditSearchFilter): JsonObject {
  const out: Record<string, JsonValue> = {};
  if (f.from) out.from = f.from.toISOString();
  if (f.to) out.to = f.to.toISOString();
  if (f.userId) out.userId = f.userId;
  if (f.loginId) out.loginId = f.loginId;
  if (f.actionPrefix) out.actionPrefix = f.actionPrefix;
  if (f.result) out.result = f.result;
  if (f.before) out.before = formatAuditCursor(f.before);
  return out;
}

const describeWindow = (w: ReportWindow): JsonObject => ({ from: w.from.toISOString(), to: w.to.toISOString() });

// ---- queries on a scoped transaction (the public functions below wrap them in perform)

type EntryRow = Omit<AuditRow, 'municipality_code' | 'prev_hash' | 'entry_hash'> & {
  login_id: string | null;
  display_name: string | null;
};

// Audit user ids are account uuids as text (or 'login:…' before sign-in, or 'system').
const ACCOUNT_JOIN = 'LEFT JOIN staff_accounts a ON a.municipality_code = l.municipality_code AND a.id::text = l.user_id';

async function searchIn(tx: ScopedTx, f: AuditSearchFilter): Promise<AuditPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.from) where.push(`l.occurred_at >= ${p(f.from)}`);
  if (f.to) where.push(`l.occurred_at < ${p(f.to)}`);
  if (f.userId) where.push(`l.user_id = ${p(f.userId)}`);
  if (f.loginId) {
    const n = p(f.loginId);
    where.push(`(l.user_id IN (SELECT id::text FROM staff_accounts WHERE login_id = ${n}) OR l.user_id = 'login:' || ${n})`);
  }
  // left() rather than LIKE: no wildcard in the input can widen the match.
  if (f.actionPrefix) {
    const n = p(f.actionPrefix);
    where.push(`left(l.action, length(${n})) = ${n}`);
  }
  if (f.subjectPersonId) where.push(`l.subject_person_id = ${p(f.subjectPersonId)}`);
  if (f.result) where.push(`l.result = ${p(f.result)}`);
  if (f.before) where.push(`(l.occurred_at, l.lane, l.seq) < (${p(f.before.occurredAt)}::timestamptz, ${p(f.before.lane)}::smallint, ${p(f.before.seq)}::bigint)`);
  const limit = f.limit ?? DEFAULT_PAGE_SIZE;
  const rows = await tx.query<EntryRow>(
    `SELECT l.lane, l.seq, l.occurred_at, l.user_id, a.login_id, a.display_name, l.role_id, l.department, l.terminal_id, l.purpose,
            l.subject_person_id, l.action, l.result, l.detail
       FROM audit_log l ${ACCOUNT_JOIN}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY l.occurred_at DESC, l.lane DESC, l.seq DESC LIMIT ${p(limit + 1)}`,
    params,
  );
  const more = rows.length > limit;
  const entries = rows.slice(0, limit).map(toView);
  const last = entries.at(-1);
  return { entries, nextBefore: more && last ? { occurredAt: last.occurredAt, lane: last.lane, seq: last.seq } : null };
}

function toView(r: EntryRow): AuditEntryView {
  return {
    lane: r.lane,
    seq: r.seq,
    occurredAt: r.occurred_at,
    userId: r.user_id,
    loginId: r.login_id ?? loginOfAttempt(r.user_id),
    displayName: r.display_name,
    role: r.role_id,
    department: r.department,
    terminalId: r.terminal_id,
    purpose: r.purpose,
    subjectPersonId: r.subject_person_id,
    action: r.action,
    result: r.result,
    detail: r.detail,
  };
}

const loginOfAttempt = (userId: string | null): string | null => (userId?.startsWith('login:') ? userId.slice(6) : null);

/** JST calendar days in the window that are holidays or the year-end closure (for the SQL pre-filter). */
function closedDays(w: ReportWindow): string[] {
  const out: string[] = [];
  const last = toJstLocalDateTime(w.to).slice(0, 10);
  for (let day = toJstLocalDateTime(w.from).slice(0, 10); day <= last; ) {
    if (isHoliday(day) || isYearEndClosure(day)) out.push(day);
    const t = new Date(`${day}T00:00:00Z`);
    t.setUTCDate(t.getUTCDate() + 1);
    day = t.toISOString().slice(0, 10);
  }
  return out;
}

async function afterHoursIn(tx: ScopedTx, w: ReportWindow, hours: BusinessHours, cap: number): Promise<Report<AfterHoursRow>> {
  // JST has no daylight saving: UTC + 9 h is the wall clock, with no dependence on tz data. SQL
  // keeps a superset (weekend, outside hours, closed days); jp-holidays then names the reason.
  const local = `((l.occurred_at AT TIME ZONE 'UTC') + interval '9 hours')`;
  const rows = await tx.query<EntryRow>(
    `SELECT l.lane, l.seq, l.occurred_at, l.user_id, a.login_id, a.display_name, l.role_id, l.department, l.terminal_id, l.purpose,
            l.subject_person_id, l.action, l.result, l.detail
       FROM audit_log l ${ACCOUNT_JOIN}
      WHERE l.occurred_at >= $1 AND l.occurred_at < $2 AND l.user_id IS NOT NULL
        AND (extract(isodow FROM ${local}) >= 6 OR ${local}::time < $3::time OR ${local}::time >= $4::time
             OR to_char(${local}, 'YYYY-MM-DD') = ANY($5::text[]))
      ORDER BY l.occurred_at DESC, l.lane DESC, l.seq DESC LIMIT $6`,
    [w.from, w.to, hours.start, hours.end, closedDays(w), cap + 1],
  );
  const out: AfterHoursRow[] = [];
  for (const r of rows.slice(0, cap)) {
    const localTime = toJstLocalDateTime(r.occurred_at);
    const reason = offHoursReason(localTime, hours);
    if (!reason) continue;
    out.push({
      lane: r.lane,
      seq: r.seq,
      occurredAt: r.occurred_at,
      localTime,
      reason,
      userId: r.user_id,
      loginId: r.login_id ?? loginOfAttempt(r.user_id),
      displayName: r.display_name,
      action: r.action,
      result: r.result,
      subjectPersonId: r.subject_person_id,
    });
  }
  return { rows: out, truncated: rows.length > cap };
}

async function namesOf(tx: ScopedTx, userIds: readonly string[]): Promise<Map<string, { login_id: string; display_name: string }>> {
  if (userIds.length === 0) return new Map();
  const rows = await tx.query<{ id: string; login_id: string; display_name: string }>(
    'SELECT id::text AS id, login_id, display_name FROM staff_accounts WHERE id::text = ANY($1::text[])',
    [userIds],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

async function bulkLookupsIn(tx: ScopedTx, w: ReportWindow, opts: BulkLookupOptions, cap: number): Promise<Report<BulkLookupRow>> {
  const threshold = opts.threshold ?? DEFAULT_BULK.threshold;
  const windowMs = (opts.windowMinutes ?? DEFAULT_BULK.windowMinutes) * 60_000;
  if (!Number.isSafeInteger(threshold) || threshold < 1) throw new AuditQueryError('threshold must be a positive integer');
  if (!(windowMs >= 60_000 && windowMs <= 86_400_000)) throw new AuditQueryError('window must be 1–1440 minutes');
  // Only users over the threshold across the whole period can be over it in a sliding window.
  const rows = await tx.query<{ user_id: string; occurred_at: Date; subject_person_id: string }>(
    `WITH heavy AS (
       SELECT user_id FROM audit_log
        WHERE occurred_at >= $1 AND occurred_at < $2 AND subject_person_id IS NOT NULL AND user_id IS NOT NULL
        GROUP BY user_id HAVING count(DISTINCT subject_person_id) > $3)
     SELECT l.user_id, l.occurred_at, l.subject_person_id
       FROM audit_log l JOIN heavy h ON h.user_id = l.user_id
      WHERE l.occurred_at >= $1 AND l.occurred_at < $2 AND l.subject_person_id IS NOT NULL
      ORDER BY l.user_id, l.occurred_at, l.lane, l.seq LIMIT $4`,
    [w.from, w.to, threshold, MAX_REPORT_ROWS * 10],
  );
  const bursts: Omit<BulkLookupRow, 'loginId' | 'displayName'>[] = [];
  for (let start = 0; start < rows.length; ) {
    let end = start;
    while (end < rows.length && rows[end]?.user_id === rows[start]?.user_id) end++;
    bursts.push(...slidingBursts(rows.slice(start, end), threshold, windowMs));
    start = end;
  }
  const names = await namesOf(tx, [...new Set(bursts.map((b) => b.userId))]);
  const out = bursts
    .sort((a, b) => b.peakDistinctPersons - a.peakDistinctPersons || a.firstAt.getTime() - b.firstAt.getTime())
    .map((b) => ({ ...b, loginId: names.get(b.userId)?.login_id ?? loginOfAttempt(b.userId), displayName: names.get(b.userId)?.display_name ?? null }));
  return { rows: out.slice(0, cap), truncated: out.length > cap };
}

/** One user's look-ups in time order → the bursts where some window held more than `threshold` persons. */
export function slidingBursts(
  events: readonly { user_id: string; occurred_at: Date; subject_person_id: string }[],
  threshold: number,
  windowMs: number,
): Omit<BulkLookupRow, 'loginId' | 'displayName'>[] {
  const out: Omit<BulkLookupRow, 'loginId' | 'displayName'>[] = [];
  const inWindow = new Map<string, number>();
  let left = 0;
  let current: (typeof out)[number] | null = null;
  let lastCounted = -1;
  for (let right = 0; right < events.length; right++) {
    const ev = events[right] as (typeof events)[number];
    const t = ev.occurred_at.getTime();
    inWindow.set(ev.subject_person_id, (inWindow.get(ev.subject_person_id) ?? 0) + 1);
    while (left < right && (events[left] as (typeof events)[number]).occurred_at.getTime() <= t - windowMs) {
      const gone = (events[left] as (typeof events)[number]).subject_person_id;
      const n = (inWindow.get(gone) ?? 0) - 1;
      if (n === 0) inWindow.delete(gone);
      else inWindow.set(gone, n);
      left++;
    }
    if (inWindow.size <= threshold) continue;
    const windowStart = (events[left] as (typeof events)[number]).occurred_at;
    if (current && windowStart.getTime() <= current.lastAt.getTime()) {
      current.lastAt = ev.occurred_at;
      current.peakDistinctPersons = Math.max(current.peakDistinctPersons, inWindow.size);
      current.lookups += right - lastCounted;
    } else {
      current = { userId: ev.user_id, firstAt: windowStart, lastAt: ev.occurred_at, peakDistinctPersons: inWindow.size, lookups: right - left + 1 };
      out.push(current);
    }
    lastCounted = right;
  }
  return out;
}

async function failedLoginsIn(tx: ScopedTx, w: ReportWindow, cap: number): Promise<Report<FailedLoginRow>> {
  const rows = await tx.query<{
    user_id: string;
    login_id: string | null;
    display_name: string | null;
    failures: number;
    lockouts: number;
    terminals: number;
    first_at: Date;
    last_at: Date;
  }>(
    `SELECT l.user_id, a.login_id, a.display_name,
            count(*) FILTER (WHERE l.action <> 'account.lockout') AS failures,
            count(*) FILTER (WHERE l.action = 'account.lockout') AS lockouts,
            count(DISTINCT l.terminal_id) AS terminals, min(l.occurred_at) AS first_at, max(l.occurred_at) AS last_at
       FROM audit_log l ${ACCOUNT_JOIN}
      WHERE l.occurred_at >= $1 AND l.occurred_at < $2 AND l.user_id IS NOT NULL
        AND (l.action = 'account.lockout' OR (l.action = ANY($3::text[]) AND l.result <> 'ok'))
      GROUP BY l.user_id, a.login_id, a.display_name
      ORDER BY lockouts DESC, failures DESC, l.user_id LIMIT $4`,
    [w.from, w.to, FAILED_LOGIN_ACTIONS, cap + 1],
  );
  return {
    rows: rows.slice(0, cap).map((r) => ({
      userId: r.user_id,
      loginId: r.login_id ?? loginOfAttempt(r.user_id),
      displayName: r.display_name,
      unknownAccount: r.login_id === null && r.user_id.startsWith('login:'),
      failures: Number(r.failures),
      lockouts: Number(r.lockouts),
      terminals: Number(r.terminals),
      firstAt: r.first_at,
      lastAt: r.last_at,
    })),
    truncated: rows.length > cap,
  };
}

async function selfLookupsIn(tx: ScopedTx, w: ReportWindow, links: readonly StaffPersonLink[], cap: number): Promise<Report<SelfLookupRow>> {
  if (links.length === 0) return { rows: [], truncated: false };
  const rows = await tx.query<EntryRow & { relation: 'self' | 'household' }>(
    `SELECT l.lane, l.seq, l.occurred_at, l.user_id, a.login_id, a.display_name, l.role_id, l.department, l.terminal_id, l.purpose,
            l.subject_person_id, l.action, l.result, l.detail, k.relation
       FROM unnest($3::text[], $4::text[], $5::text[]) AS k(user_id, person_id, relation)
       JOIN audit_log l ON l.user_id = k.user_id AND l.subject_person_id = k.person_id
       ${ACCOUNT_JOIN}
      WHERE l.occurred_at >= $1 AND l.occurred_at < $2
      ORDER BY l.occurred_at DESC, l.lane DESC, l.seq DESC LIMIT $6`,
    [w.from, w.to, links.map((k) => k.accountId), links.map((k) => k.personId), links.map((k) => k.relation), cap + 1],
  );
  return {
    rows: rows.slice(0, cap).map((r) => ({
      lane: r.lane,
      seq: r.seq,
      occurredAt: r.occurred_at,
      userId: r.user_id as string,
      loginId: r.login_id,
      displayName: r.display_name,
      relation: r.relation,
      subjectPersonId: r.subject_person_id as string,
      action: r.action,
      result: r.result,
    })),
    truncated: rows.length > cap,
  };
}

// ---- the audited entry points

export interface ReportOptions {
  readonly businessHours?: BusinessHours;
  readonly bulk?: BulkLookupOptions;
  /** Staff ↔ person links for the self-look-up report (pending the residents module). */
  readonly links?: readonly StaffPersonLink[];
  readonly limit?: number;
}

export async function searchAudit(db: Database, actor: Actor, filter: AuditSearchFilter): Promise<AuditPage> {
  const f = checkFilter(filter);
  // Searching one person's access history is itself an access concerning that person.
  return perform(db, actor, { permission: 'audit.read', action: 'audit.search', subjectPersonId: f.subjectPersonId ?? null, detail: describeFilter(f) }, ({ tx, note }) =>
    searchIn(tx, f).then((page) => {
      note({ rows: page.entries.length });
      return page;
    }),
  );
}

export type ReportRows = {
  after_hours: AfterHoursRow;
  bulk_lookups: BulkLookupRow;
  failed_logins: FailedLoginRow;
  self_lookups: SelfLookupRow;
};

function runReport<K extends ReportKind>(tx: ScopedTx, kind: K, w: ReportWindow, opts: ReportOptions, cap: number): Promise<Report<ReportRows[K]>>;
function runReport(tx: ScopedTx, kind: ReportKind, w: ReportWindow, opts: ReportOptions, cap: number): Promise<Report<ReportRows[ReportKind]>> {
  switch (kind) {
    case 'after_hours':
      return afterHoursIn(tx, w, opts.businessHours ?? DEFAULT_BUSINESS_HOURS, cap);
    case 'bulk_lookups':
      return bulkLookupsIn(tx, w, opts.bulk ?? {}, cap);
    case 'failed_logins':
      return failedLoginsIn(tx, w, cap);
    case 'self_lookups':
      return selfLookupsIn(tx, w, opts.links ?? [], cap);
  }
}

function reportDetail(kind: ReportKind, w: ReportWindow, opts: ReportOptions): JsonObject {
  const detail: Record<string, JsonValue> = { report: kind, ...describeWindow(w) };
  if (kind === 'bulk_lookups') {
    detail.threshold = opts.bulk?.threshold ?? DEFAULT_BULK.threshold;
    detail.windowMinutes = opts.bulk?.windowMinutes ?? DEFAULT_BULK.windowMinutes;
  }
  if (kind === 'self_lookups') detail.linkedAccounts = new Set((opts.links ?? []).map((k) => k.accountId)).size;
  return detail;
}

export async function auditReport<K extends ReportKind>(
  db: Database,
  actor: Actor,
  kind: K,
  window: ReportWindow,
  opts: ReportOptions = {},
): Promise<Report<ReportRows[K]>> {
  const w = checkWindow(window);
  const cap = Math.min(opts.limit ?? 1000, MAX_REPORT_ROWS);
  return perform(db, actor, { permission: 'audit.read', action: 'audit.report', detail: reportDetail(kind, w, opts) }, async ({ tx, note }) => {
    const report = await runReport(tx, kind, w, opts, cap);
    note({ rows: report.rows.length, truncated: report.truncated });
    return report;
  });
}

export const afterHoursReport = (db: Database, actor: Actor, w: ReportWindow, opts: ReportOptions = {}) => auditReport(db, actor, 'after_hours', w, opts);
export const bulkLookupReport = (db: Database, actor: Actor, w: ReportWindow, opts: ReportOptions = {}) => auditReport(db, actor, 'bulk_lookups', w, opts);
export const failedLoginReport = (db: Database, actor: Actor, w: ReportWindow, opts: ReportOptions = {}) => auditReport(db, actor, 'failed_logins', w, opts);
/** Pending person linkage: without `links` the report is empty (see StaffPersonLink). */
export const selfLookupReport = (db: Database, actor: Actor, w: ReportWindow, opts: ReportOptions = {}) => auditReport(db, actor, 'self_lookups', w, opts);

export type AuditExportRequest =
  | { readonly kind: 'search'; readonly filter: AuditSearchFilter }
  | { readonly kind: ReportKind; readonly window: ReportWindow; readonly options?: ReportOptions };

export interface CsvFile {
  filename: string;
  csv: string;
  rows: number;
  truncated: boolean;
}

const iso = (d: Date | null): string => (d ? d.toISOString() : '');
const jst = (d: Date): string => toJstLocalDateTime(d).replace('T', ' ');

/** A search or report as CSV; the export is audited as audit.export with its filter and row count. */
export async function exportAuditCsv(db: Database, actor: Actor, req: AuditExportRequest, now: Date = new Date()): Promise<CsvFile> {
  const stamp = toJstLocalDateTime(now).replace(/[-:]/gu, '').replace('T', '-');
  if (req.kind === 'search') {
    const f = checkFilter({ ...req.filter, before: req.filter.before ?? null, limit: MAX_REPORT_ROWS }, MAX_REPORT_ROWS);
    return perform(
      db,
      actor,
      { permission: 'audit.read', action: 'audit.export', subjectPersonId: f.subjectPersonId ?? null, detail: { export: 'search', ...describeFilter(f) } },
      async ({ tx, note }) => {
        const page = await searchIn(tx, f);
        note({ rows: page.entries.length, truncated: page.nextBefore !== null });
        const csv = toCsv(
          ['entry', 'occurred_at_jst', 'occurred_at_utc', 'user_id', 'login_id', 'display_name', 'role', 'department', 'terminal_id', 'purpose', 'subject_person_id', 'action', 'result', 'detail'],
          page.entries.map((e) => [
            entryRef(e), jst(e.occurredAt), iso(e.occurredAt), e.userId, e.loginId, e.displayName, e.role, e.department, e.terminalId, e.purpose,
            e.subjectPersonId, e.action, e.result, JSON.stringify(e.detail),
          ]),
        );
        return { filename: `audit-search-${stamp}.csv`, csv, rows: page.entries.length, truncated: page.nextBefore !== null };
      },
    );
  }
  const w = checkWindow(req.window);
  const opts = req.options ?? {};
  const kind = req.kind;
  return perform(db, actor, { permission: 'audit.read', action: 'audit.export', detail: { export: kind, ...reportDetail(kind, w, opts) } }, async ({ tx, note }) => {
    const report = await runReport(tx, kind, w, opts, MAX_REPORT_ROWS);
    note({ rows: report.rows.length, truncated: report.truncated });
    const [header, rows] = reportTable(kind, report.rows);
    return { filename: `audit-${kind.replace('_', '-')}-${stamp}.csv`, csv: toCsv(header, rows), rows: report.rows.length, truncated: report.truncated };
  });
}

function reportTable(kind: ReportKind, rows: ReportRows[ReportKind][]): [string[], CsvCell[][]] {
  switch (kind) {
    case 'after_hours':
      return [
        ['entry', 'occurred_at_jst', 'reason', 'user_id', 'login_id', 'display_name', 'action', 'result', 'subject_person_id'],
        (rows as AfterHoursRow[]).map((r) => [entryRef(r), r.localTime.replace('T', ' '), r.reason, r.userId, r.loginId, r.displayName, r.action, r.result, r.subjectPersonId]),
      ];
    case 'bulk_lookups':
      return [
        ['user_id', 'login_id', 'display_name', 'first_at_jst', 'last_at_jst', 'peak_distinct_persons', 'lookups'],
        (rows as BulkLookupRow[]).map((r) => [r.userId, r.loginId, r.displayName, jst(r.firstAt), jst(r.lastAt), r.peakDistinctPersons, r.lookups]),
      ];
    case 'failed_logins':
      return [
        ['user_id', 'login_id', 'display_name', 'unknown_account', 'failures', 'lockouts', 'terminals', 'first_at_jst', 'last_at_jst'],
        (rows as FailedLoginRow[]).map((r) => [r.userId, r.loginId, r.displayName, r.unknownAccount, r.failures, r.lockouts, r.terminals, jst(r.firstAt), jst(r.lastAt)]),
      ];
    case 'self_lookups':
      return [
        ['entry', 'occurred_at_jst', 'user_id', 'login_id', 'display_name', 'relation', 'subject_person_id', 'action', 'result'],
        (rows as SelfLookupRow[]).map((r) => [entryRef(r), jst(r.occurredAt), r.userId, r.loginId, r.displayName, r.relation, r.subjectPersonId, r.action, r.result]),
      ];
  }
}

/**
 * The reviewer's recorded sign-off (LOG-05, AUTH-09 "a security officer signs off"); it lives in
 * the chain itself. A log report covers a period; the account review is a snapshot and has none.
 */
export async function signOffReview(
  db: Database,
  actor: Actor,
  input: { report: ReportKind | 'account_review'; window?: ReportWindow | null; comment: string },
): Promise<void> {
  const comment = input.comment.trim();
  if (comment.length > 1000) throw new AuditQueryError('comment is too long (1000 characters at most)');
  const accounts = input.report === 'account_review';
  if (!accounts && !isReportKind(input.report)) throw new AuditQueryError('unknown report');
  if (!accounts && !input.window) throw new AuditQueryError('a report sign-off needs its period');
  const period = input.window ? describeWindow(checkWindow(input.window)) : {};
  const permission = accounts ? 'account.review' : 'audit.read';
  await perform(db, actor, { permission, action: 'audit.signoff', detail: { report: input.report, ...period, comment } }, async () => undefined);
}

/** Chain verification from the web, inside the actor's own scoped and audited transaction. control: LOG-03 */
export async function verifyAuditLogAs(db: Database, actor: Actor): Promise<AuditLogVerification> {
  return perform(db, actor, { permission: 'audit.verify', action: 'audit.verify' }, async ({ tx, note }) => {
    const result = await verifyAuditChain(tx, actor.municipalityCode);
    note(result.ok ? { ok: true, count: result.count, lanes: result.lanes.length } : { ok: false, problem: result.problem.kind, lane: result.lane, seq: result.problem.seq });
    return result;
  });
}
