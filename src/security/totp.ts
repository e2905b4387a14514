// TOTP second factor over otplib (RFC 6238: SHA-1, 6 digits, 30 s), ±1 step, replay refusal.
// No clock: the caller passes `now`; the caller stores the returned timeStep as "last used".
// control: AUTH-02 (second factor at every staff login)
import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one (clock drift of the user's phone). */
export const TOTP_WINDOW_STEPS = 1;
const SECRET_BYTES = 20; // 160 bits, RFC 4226's recommendation

export type TotpFailureReason = 'malformed' | 'invalid' | 'replayed';

export type TotpVerification =
  | { readonly ok: true; readonly timeStep: number; readonly delta: number }
  | { readonly ok: false; readonly reason: TotpFailureReason };

export interface TotpEnrolment {
  /** Base32 secret. Store it encrypted (vault-crypto encryptField, column 'totp_secret'). */
  readonly secret: string;
  readonly uri: string;
}

export class TotpError extends Error {
  override name = 'TotpError';
}

function epochSeconds(now: Date): number {
  const ms = now.getTime();
  if (!Number.isFinite(ms) || ms < 0) throw new TotpError('now must be a valid date');
  return Math.floor(ms / 1000);
}

export function createTotpSecret(): string {
  return generateSecret({ length: SECRET_BYTES });
}

/** otpauth:// URI for the QR code. `account` is the label shown in the authenticator app. */
export function otpauthUri(account: string, secret: string, issuer = 'sesshu'): string {
  if (account.length === 0 || issuer.length === 0) throw new TotpError('account and issuer must be non-empty');
  return generateURI({ issuer, label: account, secret, digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

/** A fresh secret and its URI; the account is enrolled only after confirmTotpEnrolment succeeds. */
export function beginTotpEnrolment(account: string, issuer = 'sesshu'): TotpEnrolment {
  const secret = createTotpSecret();
  return { secret, uri: otpauthUri(account, secret, issuer) };
}

/** The RFC 6238 time step for an instant. */
export function totpTimeStep(now: Date): number {
  return Math.floor(epochSeconds(now) / TOTP_PERIOD_SECONDS);
}

/** Current code, for tests and the demo only. */
export function generateTotp(secret: string, now: Date): string {
  return generateSync({ secret, epoch: epochSeconds(now), digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

/** Accept "123 456", "123-456" and full-width digits, as typed on a phone or an IME. */
export function normalizeTotpToken(token: string): string | null {
  const t = token
    .replace(/[０-９]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000-]/gu, '');
  return new RegExp(`^[0-9]{${TOTP_DIGITS}}$`, 'u').test(t) ? t : null;
}

/**
 * Verify a code at `now` within ±1 step. A code whose step is ≤ lastUsedStep is refused as
 * 'replayed' (a valid code may be used once). On success, persist `timeStep` as the new
 * lastUsedStep in the same transaction that creates the session.
 */
export function verifyTotp(input: {
  readonly secret: string;
  readonly token: string;
  readonly now: Date;
  readonly lastUsedStep?: number | null;
}): TotpVerification {
  const token = typeof input.token === 'string' ? normalizeTotpToken(input.token) : null;
  if (token === null) return { ok: false, reason: 'malformed' };
  const epoch = epochSeconds(input.now);
  let result;
  try {
    result = verifySync({
      secret: input.secret,
      token,
      epoch,
      epochTolerance: TOTP_WINDOW_STEPS * TOTP_PERIOD_SECONDS,
      digits: TOTP_DIGITS,
      period: TOTP_PERIOD_SECONDS,
    });
  } catch (err) {
    if (err instanceof TotpError) throw err;
    // A broken stored secret is a server fault, not a wrong code; the message names no secret.
    throw new TotpError('stored TOTP secret is unusable');
  }
  if (!result.valid) return { ok: false, reason: 'invalid' };
  // The matched RFC 6238 step (t0 = 0); the functional API's result type does not expose it.
  const timeStep = Math.floor(epoch / TOTP_PERIOD_SECONDS) + result.delta;
  const last = input.lastUsedStep;
  if (last !== null && last !== undefined && timeStep <= last) return { ok: false, reason: 'replayed' };
  return { ok: true, timeStep, delta: result.delta };
}
