// Account administration on both engines: role changes with reason and approver, end dates,
// revocation, password reset, the account review, forged ids from another municipality, and the
// per-tenant password policy. controls: AUTH-03, AUTH-07, AUTH-08, AUTH-09, AUTH-12, AC-02, TEN-01
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { withTenantScope } from '../../src/db/scoped.ts';
import { createTenant } from '../../src/modules/tenants/service.ts';
import type { Actor } from '../../src/security/actor.ts';
import { accountReview, accountReviewCsv } from '../../src/security/account-review.ts';
import {
  AccountError,
  bootstrapAdmin,
  changeRole,
  createAccount,
  disableAccount,
  NoSuchAccountError,
  resetPassword,
  revokeSessions,
  setExpiry,
} from '../../src/security/accounts.ts';
import { ForbiddenError } from '../../src/security/guard.ts';
import { ephemeralKeyring } from '../../src/security/keyring.ts';
import { createSessionService } from '../../src/security/sessions.ts';
import { policyFromSettings, setPasswordPolicy } from '../../src/security/tenant-policy.ts';
import { createVault } from '../../src/security/vault.ts';
import { actorFor, auditRows, testScope } from '../support/actors.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const B = '112020';

describe.each(testEngines)('account administration on $name', (engine) => {
  let db: Database;
  let sessions: ReturnType<typeof createSessionService>;
  let adminA: Actor;
  let adminB: Actor;
  let clock = Date.now();
  const now = () => new Date(clock);

  const newAccount = async (loginId: string, role: 'officer' | 'contractor_entry' = 'officer') => {
    const created = await createAccount(db, adminA, { loginId, displayName: `職員 ${loginId}`, role, department: '健康づくり課' });
    return created;
  };
  const signIn = async (code: string, loginId: string, password: string) => {
    const r = await sessions.login({ municipalityCode: code, loginId, password, terminalId: 't' });
    if (!r.ok) throw new Error(`sign-in failed: ${r.reason}`);
    return r.cookieValue;
  };
  const accountRow = (code: string, id: string) =>
    withTenantScope(db, testScope(code), async (tx) => {
      const [row] = await tx.query<{ role_id: string; disabled_at: Date | null; expires_on: string | null; must_change_password: boolean }>(
        'SELECT role_id, disabled_at, expires_on, must_change_password FROM staff_accounts WHERE id = $1',
        [id],
      );
      return row;
    });

  beforeAll(async () => {
    db = await engine.open();
    const vault = createVault(ephemeralKeyring());
    sessions = createSessionService({ db, vault, now });
    for (const code of [A, B]) {
      await createTenant(db, vault, { code, name: code, prefecture: 'テスト県' });
      await bootstrapAdmin(db, code);
    }
    adminA = await actorFor(db, A, 'admin');
    adminB = await actorFor(db, B, 'admin');
  });
  afterAll(async () => {
    await db?.close();
  });

  // control: AUTH-08 — disabling ends every open session at once.
  it('disabling an account revokes its open session', async () => {
    const { id, oneTimePassword } = await newAccount('taishoku');
    const cookie = await signIn(A, 'taishoku', oneTimePassword);
    expect(await sessions.resolve(cookie)).not.toBeNull();
    await disableAccount(db, adminA, id, '退職');
    expect(await sessions.resolve(cookie)).toBeNull();
    expect((await sessions.login({ municipalityCode: A, loginId: 'taishoku', password: oneTimePassword, terminalId: 't' })).ok).toBe(false);
    const [entry] = await auditRows(db, A, 'account.disable');
    expect(entry).toMatchObject({ user_id: adminA.userId, result: 'ok', detail: { accountId: id, reason: '退職' } });
  });

  it('revokes sessions on request', async () => {
    const { id, oneTimePassword } = await newAccount('tanmatsu');
    const c1 = await signIn(A, 'tanmatsu', oneTimePassword);
    const c2 = await signIn(A, 'tanmatsu', oneTimePassword);
    expect(await revokeSessions(db, adminA, id)).toBe(2);
    expect(await sessions.resolve(c1)).toBeNull();
    expect(await sessions.resolve(c2)).toBeNull();
    expect((await auditRows(db, A, 'account.revoke_sessions')).at(-1)?.detail).toMatchObject({ accountId: id, revoked: 2 });
  });

  // control: AC-02 — every role change records before, after, reason, approver and department.
  it('changes a role with reason and approver, recording before and after', async () => {
    const { id } = await newAccount('haichi');
    await expect(changeRole(db, adminA, id, { role: 'auditor', reason: '', approvedBy: '課長' })).rejects.toThrow(AccountError);
    await expect(changeRole(db, adminA, id, { role: 'auditor', reason: '異動', approvedBy: ' ' })).rejects.toThrow(AccountError);
    await changeRole(db, adminA, id, { role: 'auditor', reason: '監査担当へ異動', approvedBy: '健康づくり課長 山田', requestingDepartment: '総務課' });
    expect((await accountRow(A, id))?.role_id).toBe('auditor');
    expect((await auditRows(db, A, 'account.role_change')).at(-1)).toMatchObject({
      result: 'ok',
      detail: { accountId: id, before: 'officer', after: 'auditor', reason: '監査担当へ異動', approvedBy: '健康づくり課長 山田', requestingDepartment: '総務課' },
    });
    // Administrators cannot change their own role.
    await expect(changeRole(db, adminA, adminA.userId, { role: 'officer', reason: 'x', approvedBy: 'y' })).rejects.toThrow(AccountError);
    await expect(disableAccount(db, adminA, adminA.userId, 'x')).rejects.toThrow(AccountError);
  });

  // control: AUTH-07 — an end date stops sign-in and every request after it.
  it('sets an end date that stops the account after it passes', async () => {
    const { id, oneTimePassword } = await newAccount('rinji');
    const cookie = await signIn(A, 'rinji', oneTimePassword);
    await expect(setExpiry(db, adminA, id, '2026-02-30')).rejects.toThrow(AccountError);
    await setExpiry(db, adminA, id, '2020-01-01');
    expect((await accountRow(A, id))?.expires_on).toBe('2020-01-01');
    expect(await sessions.resolve(cookie)).toBeNull();
    expect((await sessions.login({ municipalityCode: A, loginId: 'rinji', password: oneTimePassword, terminalId: 't' })).ok).toBe(false);
    await setExpiry(db, adminA, id, null);
    expect((await auditRows(db, A, 'account.expiry')).map((e) => [e.detail.before, e.detail.after])).toEqual([[null, '2020-01-01'], ['2020-01-01', null]]);
  });

  // control: AUTH-12 — reset issues a one-time password, unlocks, and ends sessions.
  it('resets a password: one-time password, must change, unlocked, sessions revoked', async () => {
    const { id, oneTimePassword } = await newAccount('wasure');
    const cookie = await signIn(A, 'wasure', oneTimePassword);
    for (let i = 0; i < 5; i++) await sessions.login({ municipalityCode: A, loginId: 'wasure', password: 'wrong', terminalId: 't' });
    expect(await sessions.login({ municipalityCode: A, loginId: 'wasure', password: oneTimePassword, terminalId: 't' })).toEqual({ ok: false, reason: 'locked' });
    const reset = await resetPassword(db, adminA, id);
    expect(reset.oneTimePassword).not.toBe(oneTimePassword);
    expect(await sessions.resolve(cookie)).toBeNull();
    const fresh = await sessions.login({ municipalityCode: A, loginId: 'wasure', password: reset.oneTimePassword, terminalId: 't' });
    expect(fresh).toMatchObject({ ok: true, stage: 'password_change' });
    expect(JSON.stringify(await auditRows(db, A, 'account.password_reset'))).not.toContain(reset.oneTimePassword);
  });

  // control: TEN-01, AUTH-08 — another municipality's real account id is simply not found, and
  // the refused attempt stays in the acting municipality's log.
  it("refuses another municipality's account even with its real id, and logs the attempt", async () => {
    const { id: victimId } = await createAccount(db, adminB, { loginId: 'b-staff', displayName: '熊谷 職員', role: 'officer' });
    await expect(disableAccount(db, adminA, victimId, '不正')).rejects.toThrow(NoSuchAccountError);
    await expect(resetPassword(db, adminA, victimId)).rejects.toThrow(NoSuchAccountError);
    await expect(changeRole(db, adminA, victimId, { role: 'admin', reason: 'x', approvedBy: 'y' })).rejects.toThrow(NoSuchAccountError);
    await expect(revokeSessions(db, adminA, victimId)).rejects.toThrow(NoSuchAccountError);
    await expect(setExpiry(db, adminA, victimId, '2020-01-01')).rejects.toThrow(NoSuchAccountError);
    const victim = await accountRow(B, victimId);
    expect(victim).toMatchObject({ role_id: 'officer', disabled_at: null, expires_on: null });
    const attempts = [
      ...(await auditRows(db, A, 'account.disable')),
      ...(await auditRows(db, A, 'account.password_reset')),
      ...(await auditRows(db, A, 'account.role_change')),
    ].filter((e) => e.detail.accountId === victimId);
    expect(attempts.map((e) => [e.result, e.detail.reason])).toEqual([
      ['failed', 'NoSuchAccountError'],
      ['failed', 'NoSuchAccountError'],
      ['failed', 'NoSuchAccountError'],
    ]);
    expect((await auditRows(db, B, 'account.disable')).filter((e) => e.detail.accountId === victimId)).toEqual([]);
  });

  it('stops malformed ids before SQL with "no such account"', async () => {
    for (const forged of ["1' OR '1'='1", 'not-a-uuid', '', '00000000-0000-0000-0000-00000000000g']) {
      await expect(disableAccount(db, adminA, forged, 'x')).rejects.toThrow(NoSuchAccountError);
      await expect(resetPassword(db, adminA, forged)).rejects.toThrow(/no such account/);
    }
  });

  it('needs account.manage', async () => {
    const { id } = await newAccount('itaku', 'contractor_entry');
    const contractor = await actorFor(db, A, 'itaku');
    await expect(disableAccount(db, contractor, adminA.userId, 'x')).rejects.toThrow(ForbiddenError);
    await expect(resetPassword(db, contractor, id)).rejects.toThrow(ForbiddenError);
    await expect(accountReview(db, contractor, now())).rejects.toThrow(ForbiddenError);
  });

  // control: AUTH-09 — who holds which role (granted when, by whom), dormant, expired, locked, no TOTP.
  it('produces the account review with flags and grants, and a CSV', async () => {
    const { id } = await newAccount('kigen');
    await setExpiry(db, adminA, id, new Date(clock + 10 * 86_400_000).toISOString().slice(0, 10));
    const review = await accountReview(db, adminA, now());
    const row = (login: string) => review.rows.find((r) => r.loginId === login);
    expect(row('kigen')?.flags).toEqual(expect.arrayContaining(['expiring', 'no_second_factor', 'must_change_password']));
    expect(row('kigen')?.roleGrantedBy).toBe('admin');
    expect(row('taishoku')?.flags).toContain('disabled');
    expect(row('haichi')).toMatchObject({ role: 'auditor', roleGrantedBy: 'admin' });
    expect(row('admin')?.roleGrantedBy).toBe('system');
    expect(row('b-staff')).toBeUndefined();
    expect(review.counts.total).toBe(review.rows.length);
    const later = await accountReview(db, adminA, new Date(clock + 100 * 86_400_000));
    expect(later.rows.filter((r) => !r.flags.includes('dormant'))).toEqual([]);
    expect(later.rows.find((r) => r.loginId === 'kigen')?.flags).toContain('expired');
    const csv = await accountReviewCsv(db, adminA, now());
    expect(csv.csv.startsWith('\uFEFFid,login_id,')).toBe(true);
    expect(csv.csv).toContain('kigen');
    expect((await auditRows(db, A, 'account.export')).at(-1)).toMatchObject({ result: 'ok', detail: { export: 'account_review' } });
  });

  // control: AUTH-03 — each municipality's own password policy applies to its users.
  it("applies each municipality's password policy", async () => {
    expect(policyFromSettings({ minLength: 20 })).toMatchObject({ minLength: 20, requireClasses: 3 });
    expect(policyFromSettings({ minLength: 4 })).toBeNull();
    expect(policyFromSettings('nonsense')).toBeNull();
    await expect(setPasswordPolicy(db, adminA, { minLength: 4, requireClasses: 3, historyCount: 5, maxAgeDays: 90 })).rejects.toThrow();
    const contractor = await actorFor(db, A, 'itaku');
    await expect(setPasswordPolicy(db, contractor, { minLength: 20, requireClasses: 3, historyCount: 5, maxAgeDays: 90 })).rejects.toThrow(ForbiddenError);
    await setPasswordPolicy(db, adminA, { minLength: 20, requireClasses: 3, historyCount: 5, maxAgeDays: 90 });
    sessions.invalidatePasswordPolicy(A);
    expect((await auditRows(db, A, 'settings.password_policy')).at(-1)).toMatchObject({
      result: 'ok',
      detail: { before: { minLength: 12 }, after: { minLength: 20 } },
    });

    const sixteen = 'Kumagaya-2026-Ok';
    const a = await newAccount('seisaku');
    const sA = await sessions.resolve(await signIn(A, 'seisaku', a.oneTimePassword));
    const rA = await sessions.changePassword(sA!, { current: a.oneTimePassword, next: sixteen });
    expect(rA.ok).toBe(false);
    expect(!rA.ok && rA.failures !== 'wrong_current' && rA.failures.map((f) => f.code)).toEqual(['too_short']);

    const b = await createAccount(db, adminB, { loginId: 'seisaku', displayName: '職員 seisaku', role: 'officer' });
    const sB = await sessions.resolve(await signIn(B, 'seisaku', b.oneTimePassword));
    expect((await sessions.changePassword(sB!, { current: b.oneTimePassword, next: sixteen })).ok).toBe(true);
    expect((await sessions.passwordPolicyOf(sA!)).minLength).toBe(20);
    clock += 1000;
  });
});
