// The auditor's search, review reports, CSV export and verification, on both engines, over audit
// entries seeded at chosen times through the real chained append. control: LOG-05, LOG-03
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { createTenant } from '../../src/modules/tenants/service.ts';
import type { Actor } from '../../src/security/actor.ts';
import { bootstrapAdmin, createAccount } from '../../src/security/accounts.ts';
import type { AuditWho } from '../../src/security/audit-log.ts';
import type { AuditCursor } from '../../src/security/audit-review.ts';
import {
  afterHoursReport,
  AuditQueryError,
  bulkLookupReport,
  exportAuditCsv,
  failedLoginReport,
  formatAuditCursor,
  parseAuditCursor,
  searchAudit,
  selfLookupReport,
  signOffReview,
  slidingBursts,
  verifyAuditLogAs,
} from '../../src/security/audit-review.ts';
import { verifyAuditLog } from '../../src/security/audit-verify.ts';
import { ForbiddenError } from '../../src/security/guard.ts';
import { ephemeralKeyring } from '../../src/security/keyring.ts';
import { createSessionService } from '../../src/security/sessions.ts';
import { createVault } from '../../src/security/vault.ts';
import { actorFor, auditRows, seedAudit } from '../support/actors.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const B = '112020';
const jst = (local: string): Date => new Date(`${local}+09:00`);
const FEB = { from: jst('2026-02-01T00:00:00'), to: jst('2026-03-01T00:00:00') };
const JAN_FEB = { from: jst('2026-01-01T00:00:00'), to: jst('2026-03-01T00:00:00') };

describe.each(testEngines)('audit review on $name', (engine) => {
  let db: Database;
  let admin: Actor;
  let auditor: Actor;
  let officer: Actor;
  let auditorB: Actor;
  const who = (a: Actor): AuditWho => ({ userId: a.userId, role: a.role, department: a.department, terminalId: a.terminalId, purpose: 'test' });

  beforeAll(async () => {
    db = await engine.open();
    const vault = createVault(ephemeralKeyring());
    for (const code of [A, B]) {
      await createTenant(db, vault, { code, name: code === A ? '上越市' : '熊谷市', prefecture: 'テスト県' });
      await bootstrapAdmin(db, code);
    }
    admin = await actorFor(db, A, 'admin');
    await createAccount(db, admin, { loginId: 'kansa', displayName: '監査 花子', role: 'auditor' });
    await createAccount(db, admin, { loginId: 'tanto', displayName: '担当 一郎', role: 'officer' });
    await createAccount(db, admin, { loginId: 'tanto2', displayName: '担当 二郎', role: 'officer' });
    await createAccount(db, admin, { loginId: 'tanto3', displayName: '担当 三郎', role: 'officer' });
    auditor = await actorFor(db, A, 'kansa');
    officer = await actorFor(db, A, 'tanto');
    const adminB = await actorFor(db, B, 'admin');
    await createAccount(db, adminB, { loginId: 'kansa', displayName: '監査 次郎', role: 'auditor' });
    auditorB = await actorFor(db, B, 'kansa');

    // After hours: 成人の日 (2026-01-12), a Tuesday evening and early morning, a Saturday; one in hours.
    const view = (subject: string) => ({ action: 'person.view', result: 'ok' as const, subjectPersonId: subject });
    await seedAudit(db, A, who(officer), view('p-holiday'), jst('2026-01-12T10:00:00'));
    await seedAudit(db, A, who(officer), view('p-evening'), jst('2026-02-03T22:30:00'));
    await seedAudit(db, A, who(officer), view('p-early'), jst('2026-02-03T08:29:00'));
    await seedAudit(db, A, who(officer), view('p-office'), jst('2026-02-03T10:00:00'));
    await seedAudit(db, A, who(officer), view('p-saturday'), jst('2026-02-07T11:00:00'));

    // Bulk: tanto2 looks up 101 persons in 30 minutes; tanto3 120 persons spread over two hours.
    const tanto2 = await actorFor(db, A, 'tanto2');
    const tanto3 = await actorFor(db, A, 'tanto3');
    const base = jst('2026-02-04T10:00:00').getTime();
    for (let i = 0; i < 101; i++) await seedAudit(db, A, who(tanto2), view(`bulk-${i}`), new Date(base + i * 18_000));
    for (let i = 0; i < 120; i++) await seedAudit(db, A, who(tanto3), view(`spread-${i}`), new Date(base + i * 60_000));

    // Failed sign-ins through the real session service: five wrong passwords lock tanto.
    const sessions = createSessionService({ db, vault, now: () => jst('2026-02-05T09:00:00') });
    for (let i = 0; i < 5; i++) await sessions.login({ municipalityCode: A, loginId: 'tanto', password: 'wrong', terminalId: 't1' });
    await sessions.login({ municipalityCode: A, loginId: 'ghost', password: 'x', terminalId: 't2' });
  });
  afterAll(async () => {
    await db?.close();
  });

  // control: LOG-05 — holiday and after-hours access, by jp-holidays on the JST wall clock.
  it('finds after-hours and holiday access', async () => {
    const report = await afterHoursReport(db, auditor, JAN_FEB);
    const bySubject = new Map(report.rows.filter((r) => r.subjectPersonId?.startsWith('p-')).map((r) => [r.subjectPersonId, r.reason]));
    expect(Object.fromEntries(bySubject)).toEqual({
      'p-holiday': 'holiday',
      'p-evening': 'after_end',
      'p-early': 'before_start',
      'p-saturday': 'weekend',
    });
    expect(report.rows.find((r) => r.subjectPersonId === 'p-holiday')?.localTime).toBe('2026-01-12T10:00:00');
    expect(report.truncated).toBe(false);
  });

  // control: LOG-05 — bulk look-ups: more than N distinct persons within a sliding window.
  it('detects bulk look-ups with a sliding window', async () => {
    const report = await bulkLookupReport(db, auditor, FEB);
    expect(report.rows.map((r) => r.loginId)).toEqual(['tanto2']);
    expect(report.rows[0]?.peakDistinctPersons).toBe(101);
    const lower = await bulkLookupReport(db, auditor, FEB, { bulk: { threshold: 50, windowMinutes: 60 } });
    expect(lower.rows.map((r) => r.loginId).sort()).toEqual(['tanto2', 'tanto3']);
    expect(lower.rows.find((r) => r.loginId === 'tanto3')?.peakDistinctPersons).toBe(60);
    await expect(bulkLookupReport(db, auditor, FEB, { bulk: { threshold: 0 } })).rejects.toThrow(AuditQueryError);
  });

  it('merges overlapping windows into one burst', () => {
    const ev = (min: number, subject: string) => ({ user_id: 'u', occurred_at: new Date(min * 60_000), subject_person_id: subject });
    const events = Array.from({ length: 10 }, (_, i) => ev(i, `s${i}`));
    expect(slidingBursts(events, 3, 5 * 60_000)).toEqual([
      { userId: 'u', firstAt: new Date(0), lastAt: new Date(9 * 60_000), peakDistinctPersons: 5, lookups: 10 },
    ]);
    expect(slidingBursts(events.map((e) => ({ ...e, subject_person_id: 'same' })), 3, 5 * 60_000)).toEqual([]);
  });

  // control: LOG-05, AUTH-04 — failed sign-ins and lockouts, also for unknown login ids.
  it('reports failed sign-ins and lockouts', async () => {
    const report = await failedLoginReport(db, auditor, FEB);
    const tanto = report.rows.find((r) => r.loginId === 'tanto');
    expect(tanto).toMatchObject({ failures: 5, lockouts: 1, unknownAccount: false, terminals: 1 });
    expect(report.rows.find((r) => r.loginId === 'ghost')).toMatchObject({ failures: 1, lockouts: 0, unknownAccount: true });
    expect(report.rows[0]?.loginId).toBe('tanto');
  });

  // control: LOG-05 — look-ups of oneself: pending person linkage, so empty without a mapping.
  it('reports self look-ups only from a staff-person mapping', async () => {
    expect((await selfLookupReport(db, auditor, JAN_FEB)).rows).toEqual([]);
    const linked = await selfLookupReport(db, auditor, JAN_FEB, {
      links: [
        { accountId: officer.userId, personId: 'p-evening', relation: 'self' },
        { accountId: officer.userId, personId: 'p-saturday', relation: 'household' },
      ],
    });
    expect(linked.rows.map((r) => [r.subjectPersonId, r.relation]).sort()).toEqual([['p-evening', 'self'], ['p-saturday', 'household']]);
  });

  // control: LOG-05 — search by user, action, result, subject and period, newest first, keyset pages.
  it('searches with filters and keyset paging', async () => {
    const failed = await searchAudit(db, auditor, { loginId: 'tanto', actionPrefix: 'login.', result: 'failed' });
    expect(failed.entries).toHaveLength(5);
    expect(failed.entries.every((e) => e.action === 'login.failed' && e.loginId === 'tanto')).toBe(true);
    const times = failed.entries.map((e) => e.occurredAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const p1 = await searchAudit(db, auditor, { userId: officer.userId, actionPrefix: 'person.', limit: 2 });
    expect(p1.entries).toHaveLength(2);
    expect(p1.nextBefore).not.toBeNull();
    const p2 = await searchAudit(db, auditor, { userId: officer.userId, actionPrefix: 'person.', limit: 2, before: p1.nextBefore });
    const last = p1.entries.at(-1);
    expect(p2.entries.length).toBeGreaterThan(0);
    expect(p2.entries.every((e) => last && (e.occurredAt < last.occurredAt || (e.occurredAt.getTime() === last.occurredAt.getTime() && e.seq < last.seq)))).toBe(true);
    expect(p2.entries.some((e) => p1.entries.some((f) => f.lane === e.lane && f.seq === e.seq))).toBe(false);
    // The cursor travels as a URL parameter and back unchanged; a bad one is refused.
    expect(parseAuditCursor(formatAuditCursor(p1.nextBefore as AuditCursor))).toEqual(p1.nextBefore);
    expect(parseAuditCursor('12.x.3')).toBeNull();

    const subject = await searchAudit(db, auditor, { subjectPersonId: 'p-holiday' });
    expect(subject.entries.map((e) => e.subjectPersonId)).toEqual(['p-holiday']);
    const period = await searchAudit(db, auditor, { from: jst('2026-02-03T00:00:00'), to: jst('2026-02-04T00:00:00'), actionPrefix: 'person.' });
    expect(period.entries.map((e) => e.subjectPersonId).sort()).toEqual(['p-early', 'p-evening', 'p-office']);
    // Wildcards are not wildcards: left() compares literally.
    await expect(searchAudit(db, auditor, { actionPrefix: '%' })).rejects.toThrow(AuditQueryError);
    expect((await searchAudit(db, auditor, { actionPrefix: 'login_' })).entries).toEqual([]);
  });

  // control: LOG-05 — reading the log is itself logged.
  it('audits every search and report', async () => {
    await searchAudit(db, auditor, { subjectPersonId: 'p-office' });
    const searches = await auditRows(db, A, 'audit.search');
    expect(searches.at(-1)).toMatchObject({ user_id: auditor.userId, result: 'ok' });
    const reports = await auditRows(db, A, 'audit.report');
    expect(reports.map((r) => r.detail.report)).toEqual(expect.arrayContaining(['after_hours', 'bulk_lookups', 'failed_logins', 'self_lookups']));
  });

  // control: LOG-05 — CSV with a BOM, and the export is audited.
  it('exports searches and reports as CSV with a BOM, audited as audit.export', async () => {
    const file = await exportAuditCsv(db, auditor, { kind: 'search', filter: { actionPrefix: 'login.' } });
    expect(file.csv.startsWith('\uFEFFentry,occurred_at_jst,')).toBe(true);
    expect(file.csv).toContain('\r\n');
    expect(file.rows).toBeGreaterThanOrEqual(6);
    const report = await exportAuditCsv(db, auditor, { kind: 'after_hours', window: JAN_FEB });
    expect(report.csv.startsWith('\uFEFF')).toBe(true);
    expect(report.csv).toContain('2026-01-12 10:00:00,holiday');
    expect(report.filename).toMatch(/^audit-after-hours-\d{8}-\d{6}\.csv$/);
    const exports = await auditRows(db, A, 'audit.export');
    expect(exports.map((e) => e.detail.export)).toEqual(['search', 'after_hours']);
    expect(exports[0]?.detail.rows).toBe(file.rows);
  });

  it('records a sign-off in the chain', async () => {
    await signOffReview(db, auditor, { report: 'after_hours', window: FEB, comment: '確認済み' });
    const page = await searchAudit(db, auditor, { actionPrefix: 'audit.signoff' });
    expect(page.entries[0]?.detail).toMatchObject({ report: 'after_hours', comment: '確認済み' });
  });

  // control: AC-01 — no audit.read, no search; the refusal is logged.
  it('refuses staff without audit.read and logs the refusal', async () => {
    await expect(searchAudit(db, officer, {})).rejects.toThrow(ForbiddenError);
    await expect(exportAuditCsv(db, officer, { kind: 'failed_logins', window: FEB })).rejects.toThrow(ForbiddenError);
    const denied = (await auditRows(db, A, 'audit.search')).filter((r) => r.result === 'denied');
    expect(denied.map((d) => d.user_id)).toContain(officer.userId);
  });

  // control: TEN-01 — another municipality's auditor sees none of these entries.
  it("keeps one municipality's log from another's auditor", async () => {
    const page = await searchAudit(db, auditorB, { loginId: 'tanto' });
    expect(page.entries).toEqual([]);
    expect((await afterHoursReport(db, auditorB, JAN_FEB)).rows.filter((r) => r.subjectPersonId?.startsWith('p-'))).toEqual([]);
  });

  // control: LOG-03 — verification from the auditor's own scoped transaction; same result as the CLI.
  it('verifies the chain as the auditor and refuses those without audit.verify', async () => {
    const result = await verifyAuditLogAs(db, auditor);
    expect(result.ok).toBe(true);
    expect((await verifyAuditLog(db, A)).ok).toBe(true);
    await expect(verifyAuditLogAs(db, admin)).rejects.toThrow(ForbiddenError);
    expect((await auditRows(db, A, 'audit.verify')).map((r) => r.result)).toEqual(['ok', 'denied']);
  });
});
