// The periodic account review (アカウント棚卸し): who holds which role, granted when and by whom,
// last sign-in, and the accounts that need action — dormant, expired or expiring, locked, without
// a second factor (neither TOTP nor a security key). Read through perform() so the review itself is on the record. control: AUTH-09
import type { Database } from '../db/client.ts';
import type { ScopedTx } from '../db/scoped.ts';
import { toJstLocalDateTime } from '../domain/jp-holidays.ts';
import type { Actor } from './actor.ts';
import type { JsonObject } from './audit-chain.ts';
import type { CsvFile } from './audit-review.ts';
import { toCsv } from './csv-export.ts';
import { perform } from './guard.ts';

export interface AccountReviewOptions {
  /** No sign-in for this many days (or never, for an account this old) makes an account dormant. */
  readonly dormantDays?: number;
  /** An end date within this many days is "expiring". */
  readonly expiringDays?: number;
}

export type AccountFlag = 'disabled' | 'dormant' | 'expired' | 'expiring' | 'locked' | 'no_second_factor' | 'must_change_password';

export interface AccountReviewRow {
  id: string;
  loginId: string;
  displayName: string;
  department: string;
  role: string;
  roleNameJa: string;
  roleNameEn: string;
  createdAt: Date;
  lastLoginAt: Date | null;
  expiresOn: string | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  lockedUntil: Date | null;
  totpEnrolled: boolean;
  securityKeys: number;
  /** The last audited grant of the current role (account.create or account.role_change). */
  roleGrantedAt: Date | null;
  roleGrantedBy: string | null;
  flags: AccountFlag[];
}

export interface AccountReview {
  generatedAt: Date;
  dormantDays: number;
  expiringDays: number;
  rows: AccountReviewRow[];
  counts: Record<AccountFlag | 'total', number>;
}

export const DEFAULT_ACCOUNT_REVIEW = { dormantDays: 90, expiringDays: 30 } as const;
const FLAGS: readonly AccountFlag[] = ['disabled', 'dormant', 'expired', 'expiring', 'locked', 'no_second_factor', 'must_change_password'];

interface Row {
  id: string;
  login_id: string;
  display_name: string;
  department: string;
  role_id: string;
  name_ja: string;
  name_en: string;
  created_at: Date;
  last_login_at: Date | null;
  expires_on: string | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
  locked_until: Date | null;
  totp_enrolled: boolean;
  security_keys: number;
  must_change_password: boolean;
  granted_at: Date | null;
  granted_by: string | null;
  granted_by_login: string | null;
}

function days(n: number | undefined, fallback: number): number {
  const v = n ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1 || v > 3650) throw new RangeError('days must be 1–3650');
  return v;
}

function addDays(isoDate: string, n: number): string {
  const t = new Date(`${isoDate}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

export async function accountReview(db: Database, actor: Actor, now: Date, opts: AccountReviewOptions = {}): Promise<AccountReview> {
  return perform(db, actor, { permission: 'account.review', action: 'account.review' }, ({ tx, note }) => reviewIn(tx, now, opts, note));
}

async function reviewIn(
  tx: ScopedTx,
  now: Date,
  opts: AccountReviewOptions,
  note: (d: JsonObject) => void,
): Promise<AccountReview> {
  const dormantDays = days(opts.dormantDays, DEFAULT_ACCOUNT_REVIEW.dormantDays);
  const expiringDays = days(opts.expiringDays, DEFAULT_ACCOUNT_REVIEW.expiringDays);
  // The grant comes from the audit chain: the last successful create or role change naming the account.
  const rows = await tx.query<Row>(
    `WITH grants AS (
       SELECT DISTINCT ON (l.detail->>'accountId') l.detail->>'accountId' AS account_id, l.occurred_at, l.user_id
         FROM audit_log l
        WHERE l.action IN ('account.create', 'account.role_change') AND l.result = 'ok'
        ORDER BY l.detail->>'accountId', l.occurred_at DESC, l.lane DESC, l.seq DESC)
     SELECT a.id, a.login_id, a.display_name, a.department, a.role_id, r.name_ja, r.name_en, a.created_at, a.last_login_at,
            a.expires_on, a.disabled_at, a.disabled_reason, a.locked_until, a.totp_secret IS NOT NULL AS totp_enrolled,
            (SELECT count(*) FROM webauthn_credentials w WHERE w.municipality_code = a.municipality_code AND w.account_id = a.id) AS security_keys,
            a.must_change_password, g.occurred_at AS granted_at, g.user_id AS granted_by, gb.login_id AS granted_by_login
       FROM staff_accounts a
       JOIN roles r ON r.id = a.role_id
       LEFT JOIN grants g ON g.account_id = a.id::text
       LEFT JOIN staff_accounts gb ON gb.municipality_code = a.municipality_code AND gb.id::text = g.user_id
      ORDER BY a.login_id`,
  );
  const today = toJstLocalDateTime(now).slice(0, 10);
  const dormantSince = new Date(now.getTime() - dormantDays * 86_400_000);
  const expiringBy = addDays(today, expiringDays);
  const out = rows.map((r): AccountReviewRow => {
    const flags: AccountFlag[] = [];
    if (r.disabled_at) flags.push('disabled');
    if ((r.last_login_at ?? r.created_at) < dormantSince) flags.push('dormant');
    if (r.expires_on && r.expires_on < today) flags.push('expired');
    else if (r.expires_on && r.expires_on <= expiringBy) flags.push('expiring');
    if (r.locked_until && r.locked_until > now) flags.push('locked');
    if (!r.totp_enrolled && Number(r.security_keys) === 0) flags.push('no_second_factor');
    if (r.must_change_password) flags.push('must_change_password');
    return {
      id: r.id,
      loginId: r.login_id,
      displayName: r.display_name,
      department: r.department,
      role: r.role_id,
      roleNameJa: r.name_ja,
      roleNameEn: r.name_en,
      createdAt: r.created_at,
      lastLoginAt: r.last_login_at,
      expiresOn: r.expires_on,
      disabledAt: r.disabled_at,
      disabledReason: r.disabled_reason,
      lockedUntil: r.locked_until,
      totpEnrolled: r.totp_enrolled,
      securityKeys: Number(r.security_keys),
      roleGrantedAt: r.granted_at,
      roleGrantedBy: r.granted_by_login ?? r.granted_by,
      flags,
    };
  });
  const counts = { total: out.length } as Record<AccountFlag | 'total', number>;
  for (const f of FLAGS) counts[f] = out.filter((r) => r.flags.includes(f)).length;
  note({ rows: out.length });
  return { generatedAt: now, dormantDays, expiringDays, rows: out, counts };
}

const jst = (d: Date | null): string => (d ? toJstLocalDateTime(d).replace('T', ' ') : '');

/** The review as CSV (UTF-8 with BOM), audited as account.export. */
export async function accountReviewCsv(db: Database, actor: Actor, now: Date, opts: AccountReviewOptions = {}): Promise<CsvFile> {
  return perform(db, actor, { permission: 'account.review', action: 'account.export', detail: { export: 'account_review' } }, async ({ tx, note }) => {
    const review = await reviewIn(tx, now, opts, note);
    const csv = toCsv(
      ['id', 'login_id', 'display_name', 'department', 'role', 'role_name', 'created_at_jst', 'last_login_at_jst', 'expires_on', 'disabled_at_jst',
        'disabled_reason', 'locked_until_jst', 'totp_enrolled', 'security_keys', 'role_granted_at_jst', 'role_granted_by', 'flags'],
      review.rows.map((r) => [
        r.id, r.loginId, r.displayName, r.department, r.role, r.roleNameJa, jst(r.createdAt), jst(r.lastLoginAt), r.expiresOn, jst(r.disabledAt),
        r.disabledReason, jst(r.lockedUntil), r.totpEnrolled, r.securityKeys, jst(r.roleGrantedAt), r.roleGrantedBy, r.flags.join(' '),
      ]),
    );
    const stamp = toJstLocalDateTime(now).replace(/[-:]/gu, '').replace('T', '-');
    return { filename: `account-review-${stamp}.csv`, csv, rows: review.rows.length, truncated: false };
  });
}
