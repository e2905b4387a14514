// Staff sign-in: password, then a second factor, in stages stored on the session, with lockout,
// idle timeout and absolute lifetime. controls: AUTH-02, AUTH-04, AUTH-05, AUTH-06, LOG-02
import crypto from 'node:crypto';
import type { Database } from '../db/client.ts';
import type { ScopedTx } from '../db/scoped.ts';
import { withTenantScope } from '../db/scoped.ts';
import { parseMunicipalityCode } from '../domain/municipality-code.ts';
import type { Actor, Permission } from './actor.ts';
import { EXTERNAL_ROLES, isPermission, isRoleId } from './actor.ts';
import type { AuditWho } from './audit-log.ts';
import { appendAudit } from './audit-log.ts';
import type { PasswordFailure, PasswordPolicy } from './password-policy.ts';
import { checkPassword, REUSED_FAILURE, hashPassword, isExpired, isReused, verifyPassword } from './password-policy.ts';
import { createPolicyCache } from './tenant-policy.ts';
import { createTotpSecret, otpauthUri, verifyTotp } from './totp.ts';
import type { Vault } from './vault.ts';

export type SessionStage = 'password_change' | 'totp_enrol' | 'totp' | 'active';

export interface SessionPolicy {
  maxFailedAttempts: number;
  lockoutMinutes: number;
  idleMinutes: number;
  absoluteHours: number;
}

export type SecondFactorResult = 'ok' | 'invalid' | 'locked';

export const DEFAULT_SESSION_POLICY: SessionPolicy = { maxFailedAttempts: 5, lockoutMinutes: 15, idleMinutes: 30, absoluteHours: 12 };

export interface SessionDeps {
  db: Database;
  vault: Vault;
  /** Overrides every tenant's own policy (tests); normally each tenant's settings decide. control: AUTH-03 */
  passwordPolicy?: PasswordPolicy;
  sessionPolicy?: SessionPolicy;
  now?: () => Date;
}

export type LoginResult =
  | { ok: true; cookieValue: string; stage: SessionStage }
  | { ok: false; reason: 'invalid' | 'locked' };

export interface ResolvedSession {
  actor: Actor;
  stage: SessionStage;
  municipalityName: string;
  roleName: string;
  tokenHash: string;
}

interface AccountRow {
  id: string;
  login_id: string;
  password_hash: string;
  password_changed_at: Date;
  must_change_password: boolean;
  totp_secret: string | null;
  has_webauthn: boolean;
  failed_attempts: number;
  locked_until: Date | null;
  expires_on: string | null;
  disabled_at: Date | null;
  role_id: string;
  department: string;
}

// Verified against when the login id is unknown, so both paths take one argon2 verification.
const DUMMY_HASH = await hashPassword(crypto.randomBytes(16).toString('hex'));

const tokenHash = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');
const anonymous = (loginId: string, terminalId: string): AuditWho => ({
  userId: `login:${loginId.slice(0, 40)}`,
  role: null,
  department: null,
  terminalId,
  purpose: 'sign-in',
});
const scopeFor = (code: string, userId: string, terminalId: string, purpose: string) => ({ municipalityCode: code, userId, terminalId, purpose });

export function createSessionService(deps: SessionDeps) {
  const { db, vault } = deps;
  // control: AUTH-03 — each tenant's own policy, read in the sign-in transaction, cached briefly.
  const tenantPolicies = createPolicyCache(60_000, () => (deps.now ?? (() => new Date()))().getTime());
  const passwordPolicyFor = (tx: ScopedTx, code: string): Promise<PasswordPolicy> =>
    deps.passwordPolicy ? Promise.resolve(deps.passwordPolicy) : tenantPolicies.get(tx, code);
  const policy = deps.sessionPolicy ?? DEFAULT_SESSION_POLICY;
  const now = deps.now ?? (() => new Date());

  async function login(input: { municipalityCode: string; loginId: string; password: string; terminalId: string }): Promise<LoginResult> {
    const code = parseMunicipalityCode(input.municipalityCode);
    const loginId = input.loginId.trim().toLowerCase();
    if (!code.ok) {
      await verifyPassword(DUMMY_HASH, input.password);
      return { ok: false, reason: 'invalid' };
    }
    const who = anonymous(loginId, input.terminalId);
    const at = now();
    return withTenantScope(db, scopeFor(code.code, who.userId as string, input.terminalId, 'sign-in'), async (tx) => {
      const [account] = await tx.query<AccountRow>(
        `SELECT id, login_id, password_hash, password_changed_at, must_change_password, totp_secret, failed_attempts,
                locked_until, expires_on, disabled_at, role_id, department, ${HAS_WEBAUTHN}
           FROM staff_accounts a WHERE login_id = $1 FOR UPDATE`,
        [loginId],
      );
      if (!account) {
        await verifyPassword(DUMMY_HASH, input.password);
        await appendAudit(tx, who, { action: 'login.failed', result: 'failed', detail: { why: 'unknown_login_id' } }, at);
        return { ok: false, reason: 'invalid' } as const;
      }
      const accountWho: AuditWho = { ...who, userId: account.id, role: account.role_id, department: account.department };
      if (account.locked_until && account.locked_until > at) {
        await appendAudit(tx, accountWho, { action: 'login.failed', result: 'denied', detail: { why: 'locked' } }, at);
        return { ok: false, reason: 'locked' } as const;
      }
      const passwordOk = await verifyPassword(account.password_hash, input.password);
      const unusable = account.disabled_at ? 'disabled' : account.expires_on && account.expires_on < isoDate(at) ? 'expired' : null;
      if (!passwordOk || unusable) {
        const failures = passwordOk ? account.failed_attempts : account.failed_attempts + 1;
        const lock = failures >= policy.maxFailedAttempts;
        await tx.query('UPDATE staff_accounts SET failed_attempts = $2, locked_until = $3 WHERE id = $1', [
          account.id,
          lock ? 0 : failures,
          lock ? new Date(at.getTime() + policy.lockoutMinutes * 60_000) : account.locked_until,
        ]);
        await appendAudit(tx, accountWho, { action: 'login.failed', result: 'failed', detail: { why: unusable ?? 'wrong_password' } }, at);
        if (lock) await appendAudit(tx, accountWho, { action: 'account.lockout', result: 'ok', detail: { minutes: policy.lockoutMinutes } }, at);
        return { ok: false, reason: lock ? 'locked' : 'invalid' } as const;
      }
      // Failures are cleared when the whole sign-in succeeds (activateSession), not after the password
      // alone, so second-factor guesses keep counting across fresh password sign-ins. control: AUTH-04
      await tx.query('UPDATE staff_accounts SET locked_until = NULL WHERE id = $1', [account.id]);
      const passwordPolicy = await passwordPolicyFor(tx, code.code);
      const stage: SessionStage =
        account.must_change_password || isExpired(account.password_changed_at, at, passwordPolicy)
          ? 'password_change'
          : secondFactorStage(account);
      const token = crypto.randomBytes(32).toString('base64url');
      await tx.query(
        `INSERT INTO staff_sessions (municipality_code, token_hash, account_id, terminal_id, stage, created_at, last_seen_at, expires_at)
         VALUES (app_tenant(), $1, $2, $3, $4, $5, $5, $6)`,
        [tokenHash(token), account.id, input.terminalId, stage, at, new Date(at.getTime() + policy.absoluteHours * 3_600_000)],
      );
      await appendAudit(tx, accountWho, { action: 'login.password_ok', result: 'ok', detail: { next: stage } }, at);
      return { ok: true, cookieValue: `${code.code}.${token}`, stage } as const;
    });
  }

  /** Finds the session behind a cookie; null when unknown, revoked, idle too long or expired. */
  async function resolve(cookieValue: string | undefined): Promise<ResolvedSession | null> {
    const parsed = parseCookie(cookieValue);
    if (!parsed) return null;
    const at = now();
    const hash = tokenHash(parsed.token);
    return withTenantScope(db, scopeFor(parsed.code, 'session', 'unknown', 'session check'), async (tx) => {
      const [row] = await tx.query<{
        account_id: string;
        stage: SessionStage;
        terminal_id: string;
        last_seen_at: Date;
        expires_at: Date;
        revoked_at: Date | null;
        login_id: string;
        display_name: string;
        department: string;
        role_id: string;
        disabled_at: Date | null;
        expires_on: string | null;
        permissions: string[];
        role_name: string;
        municipality_name: string;
      }>(
        `SELECT s.account_id, s.stage, s.terminal_id, s.last_seen_at, s.expires_at, s.revoked_at,
                a.login_id, a.display_name, a.department, a.role_id, a.disabled_at, a.expires_on,
                ARRAY(SELECT permission_id FROM role_permissions rp WHERE rp.role_id = a.role_id ORDER BY 1) AS permissions,
                r.name_ja AS role_name, m.name AS municipality_name
           FROM staff_sessions s
           JOIN staff_accounts a ON a.municipality_code = s.municipality_code AND a.id = s.account_id
           JOIN roles r ON r.id = a.role_id
           JOIN municipalities m ON m.code = s.municipality_code
          WHERE s.token_hash = $1`,
        [hash],
      );
      if (!row || row.revoked_at) return null;
      const idleLimit = new Date(row.last_seen_at.getTime() + policy.idleMinutes * 60_000);
      const unusable = row.disabled_at || (row.expires_on && row.expires_on < isoDate(at));
      if (at > row.expires_at || at > idleLimit || unusable) {
        await tx.query('UPDATE staff_sessions SET revoked_at = $2 WHERE token_hash = $1', [hash, at]);
        const why = unusable ? 'account_unusable' : at > row.expires_at ? 'absolute_lifetime' : 'idle_timeout';
        await appendAudit(tx, { userId: row.account_id, role: row.role_id, department: row.department, terminalId: row.terminal_id, purpose: 'session' }, {
          action: 'session.expired',
          result: 'ok',
          detail: { why },
        }, at);
        return null;
      }
      // Touch at most once a minute: a busy page must not write on every request.
      if (at.getTime() - row.last_seen_at.getTime() > 60_000) {
        await tx.query('UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1', [hash, at]);
      }
      if (!isRoleId(row.role_id)) return null;
      const external = EXTERNAL_ROLES.has(row.role_id);
      // Defence in depth for control AC-04: external roles never carry My Number permissions.
      const permissions = new Set<Permission>(
        row.permissions.filter(isPermission).filter((p) => !(external && p.startsWith('mynumber.'))),
      );
      const actor: Actor = {
        userId: row.account_id,
        loginId: row.login_id,
        displayName: row.display_name,
        role: row.role_id,
        department: row.department,
        municipalityCode: parsed.code,
        terminalId: row.terminal_id,
        purpose: '予防接種事務',
        permissions: row.stage === 'active' ? permissions : new Set(),
      };
      return { actor, stage: row.stage, municipalityName: row.municipality_name, roleName: row.role_name, tokenHash: hash };
    });
  }

  const inSession = <T>(s: ResolvedSession, fn: (tx: ScopedTx, who: AuditWho) => Promise<T>): Promise<T> => withSessionScope(db, s, fn);

  async function changePassword(
    s: ResolvedSession,
    input: { current: string; next: string },
  ): Promise<{ ok: true; stage: SessionStage } | { ok: false; failures: PasswordFailure[] | 'wrong_current' }> {
    const at = now();
    return inSession(s, async (tx, who) => {
      const passwordPolicy = await passwordPolicyFor(tx, s.actor.municipalityCode);
      const [acc] = await tx.query<{ password_hash: string; totp_secret: string | null; has_webauthn: boolean; display_name: string }>(
        `SELECT password_hash, totp_secret, display_name, ${HAS_WEBAUTHN} FROM staff_accounts a WHERE id = $1 FOR UPDATE`,
        [s.actor.userId],
      );
      if (!acc || !(await verifyPassword(acc.password_hash, input.current))) {
        await appendAudit(tx, who, { action: 'password.change', result: 'failed', detail: { why: 'wrong_current' } }, at);
        return { ok: false, failures: 'wrong_current' } as const;
      }
      let failures = checkPassword(passwordPolicy, input.next, { loginId: s.actor.loginId, displayName: acc.display_name, currentPassword: input.current });
      const history = await tx.query<{ password_hash: string }>(
        'SELECT password_hash FROM password_history WHERE account_id = $1 ORDER BY changed_at DESC LIMIT $2',
        [s.actor.userId, passwordPolicy.historyCount],
      );
      const hashes = [acc.password_hash, ...history.map((h) => h.password_hash)];
      if (failures.length === 0 && (await isReused(input.next, hashes, { historyCount: passwordPolicy.historyCount + 1 }))) {
        failures = [REUSED_FAILURE];
      }
      if (failures.length > 0) {
        await appendAudit(tx, who, { action: 'password.change', result: 'failed', detail: { why: failures.map((f) => f.code).join(',') } }, at);
        return { ok: false, failures } as const;
      }
      await tx.query('INSERT INTO password_history (municipality_code, account_id, password_hash) VALUES (app_tenant(), $1, $2)', [
        s.actor.userId,
        acc.password_hash,
      ]);
      await tx.query('UPDATE staff_accounts SET password_hash = $2, password_changed_at = $3, must_change_password = false WHERE id = $1', [
        s.actor.userId,
        await hashPassword(input.next),
        at,
      ]);
      const stage: SessionStage = s.stage === 'password_change' ? secondFactorStage(acc) : s.stage;
      await tx.query('UPDATE staff_sessions SET stage = $2 WHERE token_hash = $1', [s.tokenHash, stage]);
      await appendAudit(tx, who, { action: 'password.change', result: 'ok' }, at);
      return { ok: true, stage } as const;
    });
  }

  /** Starts (or continues) TOTP enrolment: the secret waits on the session until a code proves it. */
  async function totpEnrolment(s: ResolvedSession): Promise<{ secret: string; uri: string }> {
    return inSession(s, async (tx) => {
      const [row] = await tx.query<{ pending_totp_secret: string | null }>(
        'SELECT pending_totp_secret FROM staff_sessions WHERE token_hash = $1',
        [s.tokenHash],
      );
      const aad = { personId: s.tokenHash, column: 'pending_totp_secret' };
      let secret: string;
      if (row?.pending_totp_secret) {
        secret = await vault.decrypt(tx, s.actor.municipalityCode, row.pending_totp_secret, aad);
      } else {
        secret = createTotpSecret();
        await tx.query('UPDATE staff_sessions SET pending_totp_secret = $2 WHERE token_hash = $1', [
          s.tokenHash,
          await vault.encrypt(tx, s.actor.municipalityCode, secret, aad),
        ]);
      }
      return { secret, uri: otpauthUri(`${s.actor.municipalityCode}:${s.actor.loginId}`, secret) };
    });
  }

  /**
   * A wrong second factor counts towards lockout like a wrong password: otherwise whoever holds a
   * password could guess codes, signing in again whenever the session is refused. Reaching the
   * limit locks the account and ends this half-signed-in session. control: AUTH-04, LOG-02
   */
  async function countSecondFactorFailure(tx: ScopedTx, s: ResolvedSession, who: AuditWho, at: Date): Promise<boolean> {
    const [row] = await tx.query<{ failed_attempts: number }>(
      'UPDATE staff_accounts SET failed_attempts = failed_attempts + 1 WHERE id = $1 RETURNING failed_attempts',
      [s.actor.userId],
    );
    if (!row || row.failed_attempts < policy.maxFailedAttempts) return false;
    await tx.query('UPDATE staff_accounts SET failed_attempts = 0, locked_until = $2 WHERE id = $1', [
      s.actor.userId,
      new Date(at.getTime() + policy.lockoutMinutes * 60_000),
    ]);
    await tx.query('UPDATE staff_sessions SET revoked_at = $2 WHERE token_hash = $1', [s.tokenHash, at]);
    await appendAudit(tx, who, { action: 'account.lockout', result: 'ok', detail: { minutes: policy.lockoutMinutes, factor: 'totp' } }, at);
    return true;
  }

  /** Checks a TOTP code (enrolment or sign-in); success makes the session active. */
  async function verifySecondFactor(s: ResolvedSession, token: string): Promise<SecondFactorResult> {
    const at = now();
    return inSession(s, async (tx, who) => {
      const [row] = await tx.query<{ pending_totp_secret: string | null; totp_secret: string | null; totp_last_step: number | null }>(
        `SELECT s.pending_totp_secret, a.totp_secret, a.totp_last_step
           FROM staff_sessions s JOIN staff_accounts a ON a.municipality_code = s.municipality_code AND a.id = s.account_id
          WHERE s.token_hash = $1 FOR UPDATE OF a`,
        [s.tokenHash],
      );
      if (!row) return 'invalid';
      const enrolling = s.stage === 'totp_enrol';
      const envelope = enrolling ? row.pending_totp_secret : row.totp_secret;
      if (!envelope) return 'invalid';
      const aad = enrolling ? { personId: s.tokenHash, column: 'pending_totp_secret' } : { personId: s.actor.userId, column: 'totp_secret' };
      const secret = await vault.decrypt(tx, s.actor.municipalityCode, envelope, aad);
      const check = verifyTotp({ secret, token, now: at, lastUsedStep: row.totp_last_step });
      if (!check.ok) {
        await appendAudit(tx, who, { action: enrolling ? 'totp.enrol' : 'login.totp', result: 'failed', detail: { why: check.reason } }, at);
        return (await countSecondFactorFailure(tx, s, who, at)) ? 'locked' : 'invalid';
      }
      const stored = enrolling
        ? await vault.encrypt(tx, s.actor.municipalityCode, secret, { personId: s.actor.userId, column: 'totp_secret' })
        : row.totp_secret;
      await tx.query('UPDATE staff_accounts SET totp_secret = $2, totp_last_step = $3 WHERE id = $1', [s.actor.userId, stored, check.timeStep]);
      if (enrolling) await appendAudit(tx, who, { action: 'totp.enrol', result: 'ok' }, at);
      await activateSession(tx, s, who, at, 'totp');
      return 'ok';
    });
  }

  async function logout(s: ResolvedSession): Promise<void> {
    await inSession(s, async (tx, who) => {
      await tx.query('UPDATE staff_sessions SET revoked_at = $2 WHERE token_hash = $1', [s.tokenHash, now()]);
      await appendAudit(tx, who, { action: 'logout', result: 'ok' });
    });
  }

  /** The policy of a signed-in user's tenant (the password page's hint). */
  const passwordPolicyOf = (s: ResolvedSession): Promise<PasswordPolicy> => inSession(s, (tx) => passwordPolicyFor(tx, s.actor.municipalityCode));
  /** Call after a tenant's policy changes so the next sign-in reads it at once. */
  const invalidatePasswordPolicy = (code: string): void => tenantPolicies.invalidate(code);

  return { passwordPolicyOf, invalidatePasswordPolicy, login, resolve, changePassword, totpEnrolment, verifySecondFactor, logout };
}

export type SessionService = ReturnType<typeof createSessionService>;

/** Runs fn in the session's tenant scope, auditing as the session's account. */
export async function withSessionScope<T>(db: Database, s: ResolvedSession, fn: (tx: ScopedTx, who: AuditWho) => Promise<T>): Promise<T> {
  const a = s.actor;
  const who: AuditWho = { userId: a.userId, role: a.role, department: a.department, terminalId: a.terminalId, purpose: 'sign-in' };
  return withTenantScope(db, scopeFor(a.municipalityCode, a.userId, a.terminalId, 'sign-in'), (tx) => fn(tx, who));
}

/**
 * The one way a session becomes active, whichever second factor (TOTP or WebAuthn) has just been
 * proved in this transaction: clears pending enrolment state and records login.ok. control: AUTH-02
 */
export async function activateSession(tx: ScopedTx, s: ResolvedSession, who: AuditWho, at: Date, factor: 'totp' | 'webauthn'): Promise<void> {
  const updated = await tx.query(
    `UPDATE staff_sessions
        SET stage = 'active', pending_totp_secret = NULL, last_seen_at = $2,
            webauthn_challenge = NULL, webauthn_challenge_purpose = NULL, webauthn_challenge_expires_at = NULL
      WHERE token_hash = $1 AND stage IN ('totp_enrol', 'totp') AND revoked_at IS NULL
      RETURNING token_hash`,
    [s.tokenHash, at],
  );
  if (updated.length !== 1) throw new Error('only a session waiting for its second factor can become active');
  await tx.query('UPDATE staff_accounts SET last_login_at = $2, failed_attempts = 0 WHERE id = $1', [s.actor.userId, at]);
  await appendAudit(tx, who, { action: 'login.ok', result: 'ok', detail: { factor } }, at);
}

/** An account with any second factor must prove it; one with none enrols one first. control: AUTH-02 */
function secondFactorStage(account: { totp_secret: string | null; has_webauthn: boolean }): SessionStage {
  return account.totp_secret || account.has_webauthn ? 'totp' : 'totp_enrol';
}

const HAS_WEBAUTHN = `EXISTS (SELECT 1 FROM webauthn_credentials w
                               WHERE w.municipality_code = a.municipality_code AND w.account_id = a.id) AS has_webauthn`;

function parseCookie(value: string | undefined): { code: string; token: string } | null {
  if (!value) return null;
  const m = /^(\d{6})\.([A-Za-z0-9_-]{43})$/.exec(value);
  return m ? { code: m[1] as string, token: m[2] as string } : null;
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
