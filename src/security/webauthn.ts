// WebAuthn security keys and passkeys as a second factor beside TOTP, bound to the staff session:
// the challenge waits on the session row, is used once and expires; a verified key makes the
// session active through the same activateSession as TOTP; every ceremony is audited in its own
// transaction. control: AUTH-02, LOG-02
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  WebAuthnCredential,
} from '@simplewebauthn/server';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { z } from 'zod';
import type { Database } from '../db/client.ts';
import type { ScopedTx } from '../db/scoped.ts';
import type { AuditWho } from './audit-log.ts';
import { appendAudit } from './audit-log.ts';
import type { ResolvedSession } from './sessions.ts';
import { activateSession, withSessionScope } from './sessions.ts';

/** Who the browser talks to: keys are scoped to `id` (the host name) and answers must come from `origin`. */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

export function relyingPartyFor(origin: string): RelyingParty {
  const url = new URL(origin);
  return { id: url.hostname, name: 'sesshu 予防接種台帳', origin: url.origin };
}

export interface WebAuthnDeps {
  db: Database;
  now?: () => Date;
  /** How long a challenge may wait for the browser's answer. */
  challengeSeconds?: number;
}

export interface SecurityKey {
  id: string;
  nickname: string;
  transports: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type WebAuthnFailure =
  | 'wrong_stage'
  | 'no_challenge'
  | 'challenge_expired'
  | 'bad_response'
  | 'unknown_credential'
  | 'duplicate_credential'
  | 'not_verified'
  | 'counter_regressed'
  | 'reauth_required';

/**
 * Adding a key to an account that is already signed in needs a recent sign-in (password and second
 * factor within this many minutes): a stolen or left-open session cannot plant its own key. control: AUTH-02
 */
export const RECENT_SIGN_IN_MINUTES = 10;

export type WebAuthnResult = { ok: true; activated: boolean } | { ok: false; reason: WebAuthnFailure };
export type RemoveResult = 'removed' | 'not_found' | 'last_factor';

type Purpose = 'register' | 'authenticate';

const TRANSPORTS = new Set<string>(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);
const b64url = z.string().max(16_384).regex(/^[A-Za-z0-9_-]*$/);
const credentialId = z.string().min(16).max(1400).regex(/^[A-Za-z0-9_-]+$/);
const common = {
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};
const RegistrationBody = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64url,
    attestationObject: b64url,
    transports: z.array(z.string().max(32)).max(16).optional(),
  }),
});
const AuthenticationBody = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64url,
    authenticatorData: b64url,
    signature: b64url,
    userHandle: b64url.optional(),
  }),
});
/** Control characters and surrounding space are dropped; an empty name gets a dated default. */
const cleanNickname = (raw: string | undefined, at: Date): string => {
  const cleaned = [...(raw ?? '')].filter((ch) => ch >= ' ' && ch !== '\u007f').join('').trim().slice(0, 60);
  return cleaned || `セキュリティキー ${at.toISOString().slice(0, 10)}`;
};
const idForAudit = (id: string): string => id.slice(0, 16);

export function createWebAuthnService(deps: WebAuthnDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const challengeMs = (deps.challengeSeconds ?? 300) * 1000;

  async function keysOf(tx: ScopedTx, accountId: string): Promise<SecurityKey[]> {
    const rows = await tx.query<{ credential_id: string; nickname: string; transports: string[]; created_at: Date; last_used_at: Date | null }>(
      `SELECT credential_id, nickname, transports, created_at, last_used_at
         FROM webauthn_credentials WHERE account_id = $1 ORDER BY created_at, credential_id`,
      [accountId],
    );
    return rows.map((r) => ({ id: r.credential_id, nickname: r.nickname, transports: r.transports, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
  }

  async function storeChallenge(tx: ScopedTx, s: ResolvedSession, purpose: Purpose, challenge: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE staff_sessions SET webauthn_challenge = $2, webauthn_challenge_purpose = $3, webauthn_challenge_expires_at = $4
        WHERE token_hash = $1`,
      [s.tokenHash, challenge, purpose, new Date(at.getTime() + challengeMs)],
    );
  }

  /**
   * Takes the session's pending challenge and clears it in the same statement, so that whatever
   * happens next the challenge cannot be answered twice. Also re-reads the stage under a row lock.
   */
  async function takeChallenge(
    tx: ScopedTx,
    s: ResolvedSession,
    purpose: Purpose,
    at: Date,
  ): Promise<{ ok: true; challenge: string; stage: string } | { ok: false; reason: 'wrong_stage' | 'no_challenge' | 'challenge_expired' }> {
    const [row] = await tx.query<{ stage: string; challenge: string | null; purpose: string | null; expires_at: Date | null }>(
      `WITH old AS (
         SELECT token_hash, stage, webauthn_challenge AS challenge, webauthn_challenge_purpose AS purpose,
                webauthn_challenge_expires_at AS expires_at
           FROM staff_sessions WHERE token_hash = $1 AND revoked_at IS NULL FOR UPDATE)
       UPDATE staff_sessions s
          SET webauthn_challenge = NULL, webauthn_challenge_purpose = NULL, webauthn_challenge_expires_at = NULL
         FROM old WHERE s.token_hash = old.token_hash
       RETURNING old.stage, old.challenge, old.purpose, old.expires_at`,
      [s.tokenHash],
    );
    if (!row || !stageAllows(row.stage, purpose)) return { ok: false, reason: 'wrong_stage' };
    if (!row.challenge || row.purpose !== purpose || !row.expires_at) return { ok: false, reason: 'no_challenge' };
    if (row.expires_at <= at) return { ok: false, reason: 'challenge_expired' };
    return { ok: true, challenge: row.challenge, stage: row.stage };
  }

  /** The account's keys, for the key list and the "use a security key" button. */
  async function listKeys(s: ResolvedSession): Promise<SecurityKey[]> {
    return withSessionScope(db, s, (tx) => keysOf(tx, s.actor.userId));
  }

  /** Which second factors the account holds. */
  async function secondFactors(s: ResolvedSession): Promise<{ totp: boolean; keys: number }> {
    return withSessionScope(db, s, async (tx) => {
      const [row] = await tx.query<{ totp: boolean; keys: number }>(
        `SELECT a.totp_secret IS NOT NULL AS totp,
                (SELECT count(*)::int FROM webauthn_credentials w WHERE w.account_id = a.id) AS keys
           FROM staff_accounts a WHERE a.id = $1`,
        [s.actor.userId],
      );
      return { totp: row?.totp ?? false, keys: row?.keys ?? 0 };
    });
  }

  /** Options for navigator.credentials.create(): while enrolling a first factor, or when signed in. */
  async function registrationOptions(s: ResolvedSession, rp: RelyingParty): Promise<PublicKeyCredentialCreationOptionsJSON | WebAuthnFailure> {
    if (!stageAllows(s.stage, 'register')) return 'wrong_stage';
    const at = now();
    return withSessionScope(db, s, async (tx, who) => {
      if (s.stage === 'active') {
        const [session] = await tx.query<{ created_at: Date }>('SELECT created_at FROM staff_sessions WHERE token_hash = $1', [s.tokenHash]);
        if (!session || at.getTime() - new Date(session.created_at).getTime() > RECENT_SIGN_IN_MINUTES * 60_000) {
          await appendAudit(tx, who, { action: 'webauthn.register', result: 'denied', detail: { why: 'reauth_required' } }, at);
          return 'reauth_required';
        }
      }
      const existing = await keysOf(tx, s.actor.userId);
      const options = await generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        // The user handle is the account's random id, not its login id or name.
        userID: Buffer.from(s.actor.userId.replaceAll('-', ''), 'hex'),
        userName: `${s.actor.loginId}@${s.actor.municipalityCode}`,
        userDisplayName: s.actor.displayName,
        timeout: Math.min(challengeMs, 120_000),
        attestationType: 'none',
        excludeCredentials: existing.map((k) => ({ id: k.id, transports: k.transports })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
      await storeChallenge(tx, s, 'register', options.challenge, at);
      return options;
    });
  }

  /**
   * Checks the browser's answer to registrationOptions and stores the new key. During enrolment
   * (stage totp_enrol) the key is also the second factor just proved, so the session becomes active.
   */
  async function verifyRegistration(s: ResolvedSession, rp: RelyingParty, body: unknown, nickname?: string): Promise<WebAuthnResult> {
    const at = now();
    return withSessionScope(db, s, async (tx, who) => {
      const fail = async (reason: WebAuthnFailure): Promise<WebAuthnResult> => {
        await appendAudit(tx, who, { action: 'webauthn.register', result: 'failed', detail: { why: reason } }, at);
        return { ok: false, reason };
      };
      const taken = await takeChallenge(tx, s, 'register', at);
      if (!taken.ok) return fail(taken.reason);
      const parsed = RegistrationBody.safeParse(body);
      if (!parsed.success) return fail('bad_response');
      let info;
      try {
        const result = await verifyRegistrationResponse({
          response: parsed.data as RegistrationResponseJSON,
          expectedChallenge: taken.challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          // A second factor after the password: presence is required, a PIN or fingerprint is not.
          requireUserVerification: false,
        });
        if (!result.verified) return fail('not_verified');
        info = result.registrationInfo;
      } catch {
        return fail('not_verified');
      }
      const credential = info.credential;
      const [taken2] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM webauthn_credentials WHERE credential_id = $1', [credential.id]);
      if ((taken2?.n ?? 0) > 0) return fail('duplicate_credential');
      const transports = (credential.transports ?? []).filter((t) => TRANSPORTS.has(t));
      const name = cleanNickname(nickname, at);
      await tx.query(
        `INSERT INTO webauthn_credentials (municipality_code, credential_id, account_id, public_key, counter, transports, nickname, created_at)
         VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7)`,
        [credential.id, s.actor.userId, Buffer.from(credential.publicKey).toString('base64url'), credential.counter, transports, name, at],
      );
      await appendAudit(tx, who, {
        action: 'webauthn.register',
        result: 'ok',
        detail: { credential: idForAudit(credential.id), transports, deviceType: info.credentialDeviceType, userVerified: info.userVerified },
      }, at);
      const enrolling = taken.stage === 'totp_enrol';
      if (enrolling) await activateSession(tx, s, who, at, 'webauthn');
      return { ok: true, activated: enrolling };
    });
  }

  /** Options for navigator.credentials.get() at the second-factor step; null when the account has no key. */
  async function authenticationOptions(s: ResolvedSession, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
    if (!stageAllows(s.stage, 'authenticate')) return null;
    const at = now();
    return withSessionScope(db, s, async (tx) => {
      const keys = await keysOf(tx, s.actor.userId);
      if (keys.length === 0) return null;
      const options = await generateAuthenticationOptions({
        rpID: rp.id,
        allowCredentials: keys.map((k) => ({ id: k.id, transports: k.transports })),
        timeout: Math.min(challengeMs, 120_000),
        userVerification: 'preferred',
      });
      await storeChallenge(tx, s, 'authenticate', options.challenge, at);
      return options;
    });
  }

  /** Checks an assertion from one of the account's own keys; success makes the session active. */
  async function verifyAuthentication(s: ResolvedSession, rp: RelyingParty, body: unknown): Promise<WebAuthnResult> {
    const at = now();
    return withSessionScope(db, s, async (tx, who) => {
      const fail = async (reason: WebAuthnFailure, extra: Record<string, string> = {}): Promise<WebAuthnResult> => {
        await appendAudit(tx, who, { action: 'login.webauthn', result: 'failed', detail: { why: reason, ...extra } }, at);
        return { ok: false, reason };
      };
      const taken = await takeChallenge(tx, s, 'authenticate', at);
      if (!taken.ok) return fail(taken.reason);
      const parsed = AuthenticationBody.safeParse(body);
      if (!parsed.success) return fail('bad_response');
      const [key] = await tx.query<{ public_key: string; counter: number; transports: string[] }>(
        `SELECT public_key, counter, transports FROM webauthn_credentials
          WHERE credential_id = $1 AND account_id = $2 FOR UPDATE`,
        [parsed.data.id, s.actor.userId],
      );
      if (!key) return fail('unknown_credential');
      let newCounter: number;
      try {
        const result = await verifyAuthenticationResponse({
          response: parsed.data as AuthenticationResponseJSON,
          expectedChallenge: taken.challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          // Counter 0 here switches off the library's own check, which runs before the signature
          // is verified; ours below runs after, so only a genuine key can raise the clone alarm.
          credential: {
            id: parsed.data.id,
            publicKey: Buffer.from(key.public_key, 'base64url'),
            counter: 0,
            transports: key.transports as WebAuthnCredential['transports'],
          },
          requireUserVerification: false,
        });
        if (!result.verified) return fail('not_verified');
        newCounter = result.authenticationInfo.newCounter;
      } catch {
        return fail('not_verified');
      }
      // A signature counter that does not grow means two authenticators share one key. control: AUTH-02
      if ((newCounter > 0 || key.counter > 0) && newCounter <= key.counter) {
        return fail('counter_regressed', { credential: idForAudit(parsed.data.id), stored: String(key.counter), received: String(newCounter) });
      }
      await tx.query('UPDATE webauthn_credentials SET counter = $2, last_used_at = $3 WHERE credential_id = $1', [parsed.data.id, newCounter, at]);
      await appendAudit(tx, who, { action: 'login.webauthn', result: 'ok', detail: { credential: idForAudit(parsed.data.id) } }, at);
      await activateSession(tx, s, who, at, 'webauthn');
      return { ok: true, activated: true };
    });
  }

  /** Removes one of the signed-in user's keys, unless it is the account's only second factor. */
  async function removeKey(s: ResolvedSession, id: string): Promise<RemoveResult> {
    if (s.stage !== 'active') return 'not_found';
    const at = now();
    return withSessionScope(db, s, async (tx, who: AuditWho) => {
      const [acc] = await tx.query<{ totp: boolean }>('SELECT totp_secret IS NOT NULL AS totp FROM staff_accounts WHERE id = $1 FOR UPDATE', [
        s.actor.userId,
      ]);
      const keys = await keysOf(tx, s.actor.userId);
      if (!keys.some((k) => k.id === id)) return 'not_found';
      if (!acc?.totp && keys.length === 1) {
        await appendAudit(tx, who, { action: 'webauthn.remove', result: 'denied', detail: { why: 'last_factor', credential: idForAudit(id) } }, at);
        return 'last_factor';
      }
      await tx.query('DELETE FROM webauthn_credentials WHERE credential_id = $1 AND account_id = $2', [id, s.actor.userId]);
      await appendAudit(tx, who, { action: 'webauthn.remove', result: 'ok', detail: { credential: idForAudit(id) } }, at);
      return 'removed';
    });
  }

  return { listKeys, secondFactors, registrationOptions, verifyRegistration, authenticationOptions, verifyAuthentication, removeKey };
}

export type WebAuthnService = ReturnType<typeof createWebAuthnService>;

/** Adding a key: while enrolling the first factor, or once fully signed in. Using one: at the second-factor step only. */
function stageAllows(stage: string, purpose: Purpose): boolean {
  return purpose === 'register' ? stage === 'totp_enrol' || stage === 'active' : stage === 'totp';
}
