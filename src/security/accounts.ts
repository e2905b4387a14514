// Staff accounts: creation with a one-time password, listing, disabling, and the administration
// actions below. control: AUTH-01, AUTH-09
import crypto from 'node:crypto';
import type { Database } from '../db/client.ts';
import type { ScopedTx } from '../db/scoped.ts';
import { withSystemTenantAccess } from '../db/system.ts';
import type { Actor, RoleId } from './actor.ts';
import { isRoleId } from './actor.ts';
import { appendAudit } from './audit-log.ts';
import { perform } from './guard.ts';
import { hashPassword } from './password-policy.ts';
import { parseIsoDate } from '../domain/dates.ts';

export class AccountError extends Error {
  override name = 'AccountError';
}

export interface NewAccount {
  loginId: string;
  displayName: string;
  role: RoleId;
  department?: string;
  expiresOn?: string | null;
}

export interface AccountSummary {
  id: string;
  login_id: string;
  display_name: string;
  department: string;
  role_id: string;
  expires_on: string | null;
  disabled_at: Date | null;
  last_login_at: Date | null;
  totp_enrolled: boolean;
  locked_until: Date | null;
}

const LOGIN_ID_RE = /^[a-z0-9][a-z0-9._-]{2,31}$/;

/** 16 characters from four classes, so it passes any policy up to minLength 16. */
export function oneTimePassword(): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '-_.!#%'];
  const all = sets.join('');
  const chars = sets.map((s) => s[crypto.randomInt(s.length)] as string);
  while (chars.length < 16) chars.push(all[crypto.randomInt(all.length)] as string);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = crypto.randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

function checkNewAccount(input: NewAccount): void {
  if (!LOGIN_ID_RE.test(input.loginId)) {
    throw new AccountError('login id must be 3–32 characters: lower-case letters, digits, . _ - (ユーザーIDの形式が不正です)');
  }
  if (!input.displayName.trim()) throw new AccountError('display name must not be empty (氏名を入力してください)');
  if (!isRoleId(input.role)) throw new AccountError(`unknown role ${String(input.role)}`);
  if (input.expiresOn && !/^\d{4}-\d{2}-\d{2}$/.test(input.expiresOn)) throw new AccountError('expiry must be YYYY-MM-DD');
}

async function insertAccount(tx: ScopedTx, input: NewAccount): Promise<{ id: string; oneTimePassword: string }> {
  const taken = await tx.query('SELECT 1 FROM staff_accounts WHERE login_id = $1', [input.loginId]);
  if (taken.length > 0) throw new AccountError(`login id ${input.loginId} is already in use (このユーザーIDは使用されています)`);
  const password = oneTimePassword();
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO staff_accounts (municipality_code, login_id, display_name, department, role_id, password_hash, expires_on)
     VALUES (app_tenant(), $1, $2, $3, $4, $5, $6) RETURNING id`,
    [input.loginId, input.displayName.trim(), input.department ?? '', input.role, await hashPassword(password), input.expiresOn ?? null],
  );
  if (!row) throw new Error('account insert returned nothing');
  return { id: row.id, oneTimePassword: password };
}

export async function createAccount(db: Database, actor: Actor, input: NewAccount): Promise<{ id: string; oneTimePassword: string }> {
  checkNewAccount(input);
  return perform(db, actor, { permission: 'account.manage', action: 'account.create', detail: { loginId: input.loginId, role: input.role } }, async ({ tx, note }) => {
    const created = await insertAccount(tx, input);
    note({ accountId: created.id });
    return created;
  });
}

/** The first administrator of a new tenant: there is no actor yet who could create it. */
export async function bootstrapAdmin(
  db: Database,
  municipalityCode: string,
  input: Omit<NewAccount, 'role'> = { loginId: 'admin', displayName: '管理者' },
): Promise<{ id: string; oneTimePassword: string }> {
  const account: NewAccount = { ...input, role: 'admin' };
  checkNewAccount(account);
  return withSystemTenantAccess(db, `bootstrap first administrator of ${municipalityCode}`, municipalityCode, async (tx) => {
    const created = await insertAccount(tx, account);
    await appendAudit(tx, { userId: 'system', role: 'system', department: null, terminalId: 'cli', purpose: 'bootstrap' }, {
      action: 'account.create',
      result: 'ok',
      detail: { loginId: account.loginId, role: 'admin', accountId: created.id },
    });
    return created;
  });
}

export async function listAccounts(db: Database, actor: Actor): Promise<AccountSummary[]> {
  return perform(db, actor, { permission: 'account.review', action: 'account.list' }, ({ tx }) =>
    tx.query<AccountSummary>(
      `SELECT id, login_id, display_name, department, role_id, expires_on, disabled_at, last_login_at,
              totp_secret IS NOT NULL AS totp_enrolled, locked_until
         FROM staff_accounts ORDER BY login_id`,
    ),
  );
}

/** Disabling (異動・退職) also revokes every open session at once. control: AUTH-08 */
export async function disableAccount(db: Database, actor: Actor, accountId: string, reason: string): Promise<void> {
  accountId = checkAccountId(accountId);
  if (!reason.trim()) throw new AccountError('a reason is required to disable an account (理由を入力してください)');
  notSelf(actor, accountId);
  await perform(db, actor, { permission: 'account.manage', action: 'account.disable', detail: { accountId, reason } }, async ({ tx }) => {
    const rows = await tx.query('UPDATE staff_accounts SET disabled_at = now(), disabled_reason = $2 WHERE id = $1 RETURNING 1', [
      accountId,
      reason,
    ]);
    if (rows.length === 0) throw new NoSuchAccountError(NO_SUCH_ACCOUNT);
    await tx.query('UPDATE staff_sessions SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL', [accountId]);
  });
}

// ---- account administration (controls AUTH-07, AUTH-08, AUTH-12, AC-02). Another tenant's account
// id is simply not found: row-level security hides it, and the refused attempt is audited.

export class NoSuchAccountError extends AccountError {
  override name = 'NoSuchAccountError';
}

const NO_SUCH_ACCOUNT = 'no such account in this municipality (該当するアカウントがありません)';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

/** Forged or mistyped ids stop here, before SQL, with the same answer as an unknown id. */
export function checkAccountId(id: string): string {
  if (!UUID_RE.test(id)) throw new NoSuchAccountError(NO_SUCH_ACCOUNT);
  return id.toLowerCase();
}

/** Administrators change other people's accounts, never their own role or access. */
function notSelf(actor: Actor, accountId: string): void {
  if (actor.userId === accountId) throw new AccountError('you cannot change your own account here (自分自身のアカウントは変更できません)');
}

async function mustExist(tx: ScopedTx, accountId: string): Promise<{ role_id: string; expires_on: string | null }> {
  const [row] = await tx.query<{ role_id: string; expires_on: string | null }>(
    'SELECT role_id, expires_on FROM staff_accounts WHERE id = $1 FOR UPDATE',
    [accountId],
  );
  if (!row) throw new NoSuchAccountError(NO_SUCH_ACCOUNT);
  return row;
}

async function revokeAll(tx: ScopedTx, accountId: string): Promise<number> {
  const rows = await tx.query('UPDATE staff_sessions SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL RETURNING 1', [accountId]);
  return rows.length;
}

/** Ends every open session of an account (a lost terminal, a suspected takeover). control: AUTH-08 */
export async function revokeSessions(db: Database, actor: Actor, accountId: string): Promise<number> {
  accountId = checkAccountId(accountId);
  return perform(db, actor, { permission: 'account.manage', action: 'account.revoke_sessions', detail: { accountId } }, async ({ tx, note }) => {
    await mustExist(tx, accountId);
    const revoked = await revokeAll(tx, accountId);
    note({ revoked });
    return revoked;
  });
}

/** Sets or clears the end date; sign-in and every request refuse the account after it. control: AUTH-07 */
export async function setExpiry(db: Database, actor: Actor, accountId: string, expiresOn: string | null): Promise<void> {
  accountId = checkAccountId(accountId);
  if (expiresOn !== null && !parseIsoDate(expiresOn)) throw new AccountError('expiry must be a date YYYY-MM-DD (有効期限の形式が不正です)');
  await perform(db, actor, { permission: 'account.manage', action: 'account.expiry', detail: { accountId, after: expiresOn } }, async ({ tx, note }) => {
    const before = await mustExist(tx, accountId);
    await tx.query('UPDATE staff_accounts SET expires_on = $2 WHERE id = $1', [accountId, expiresOn]);
    note({ before: before.expires_on });
  });
}

export interface RoleChange {
  role: RoleId;
  /** Why (異動, 担当替え …); required. control: AC-02 */
  reason: string;
  /** Who approved the change (name or post); required. control: AC-02 */
  approvedBy: string;
  /** The department that asked for it. */
  requestingDepartment?: string;
}

/** Changes the role; it takes effect on the holder's next request (permissions are read per request). control: AUTH-08, AC-02 */
export async function changeRole(db: Database, actor: Actor, accountId: string, change: RoleChange): Promise<void> {
  accountId = checkAccountId(accountId);
  if (!isRoleId(change.role)) throw new AccountError(`unknown role ${String(change.role)}`);
  const reason = change.reason.trim();
  const approvedBy = change.approvedBy.trim();
  if (!reason || !approvedBy) throw new AccountError('reason and approver are required (理由と承認者を入力してください)');
  if (reason.length > 500 || approvedBy.length > 100) throw new AccountError('reason or approver is too long');
  notSelf(actor, accountId);
  const detail = { accountId, after: change.role, reason, approvedBy, requestingDepartment: change.requestingDepartment?.trim().slice(0, 100) ?? '' };
  await perform(db, actor, { permission: 'account.manage', action: 'account.role_change', detail }, async ({ tx, note }) => {
    const before = await mustExist(tx, accountId);
    await tx.query('UPDATE staff_accounts SET role_id = $2 WHERE id = $1', [accountId, change.role]);
    note({ before: before.role_id });
  });
}

/** A new one-time password, to be changed at the next sign-in; unlocks and ends every session. control: AUTH-12 */
export async function resetPassword(db: Database, actor: Actor, accountId: string): Promise<{ oneTimePassword: string }> {
  accountId = checkAccountId(accountId);
  return perform(db, actor, { permission: 'account.manage', action: 'account.password_reset', detail: { accountId } }, async ({ tx, note }) => {
    await mustExist(tx, accountId);
    const password = oneTimePassword();
    await tx.query(
      `UPDATE staff_accounts SET password_hash = $2, must_change_password = true, password_changed_at = now(),
              failed_attempts = 0, locked_until = NULL WHERE id = $1`,
      [accountId, await hashPassword(password)],
    );
    note({ revoked: await revokeAll(tx, accountId) });
    return { oneTimePassword: password };
  });
}
