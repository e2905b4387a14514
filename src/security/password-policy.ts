// Per-tenant password policy, checks with bilingual messages, argon2id hashing and reuse checks.
// No clock: `now` is always passed in.
// control: AUTH-03 (length, expiry, no equal/similar reuse), AUTH-12 (salted slow hashes)
import { hash, verify } from '@node-rs/argon2';
import type { Algorithm } from '@node-rs/argon2';

export interface PasswordPolicy {
  readonly minLength: number;
  /** How many of the four classes (lower, upper, digit, other) must appear: 0–4. */
  readonly requireClasses: number;
  /** The last N passwords (current included) may not be reused. 0 = no history check. */
  readonly historyCount: number;
  /** Days until a password expires; null = never. */
  readonly maxAgeDays: number | null;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = Object.freeze({
  minLength: 12,
  requireClasses: 3,
  historyCount: 5,
  maxAgeDays: 180,
});

/** Upper bound: keeps hashing cost bounded and rejects pasted blobs. */
export const MAX_PASSWORD_LENGTH = 128;

export type PasswordFailureCode =
  | 'too_short'
  | 'too_long'
  | 'classes'
  | 'contains_login_id'
  | 'contains_name'
  | 'common'
  | 'repetitive'
  | 'similar_to_current'
  | 'reused';

export interface PasswordFailure {
  readonly code: PasswordFailureCode;
  readonly ja: string;
  readonly en: string;
}


export interface PasswordContext {
  readonly loginId: string;
  readonly displayName?: string | null;
  /** The current password, when the user types it to change it: enables the similarity check. */
  readonly currentPassword?: string | null;
}

export class PasswordPolicyError extends Error {
  override name = 'PasswordPolicyError';
}

/** Validate a tenant-supplied policy (settings screen, config) before storing it. */
export function validatePolicy(p: PasswordPolicy): PasswordPolicy {
  const int = (v: number, lo: number, hi: number): boolean => Number.isSafeInteger(v) && v >= lo && v <= hi;
  if (!int(p.minLength, 8, MAX_PASSWORD_LENGTH)) throw new PasswordPolicyError(`minLength must be 8–${MAX_PASSWORD_LENGTH}`);
  if (!int(p.requireClasses, 0, 4)) throw new PasswordPolicyError('requireClasses must be 0–4');
  if (!int(p.historyCount, 0, 24)) throw new PasswordPolicyError('historyCount must be 0–24');
  if (p.maxAgeDays !== null && !int(p.maxAgeDays, 1, 3650)) throw new PasswordPolicyError('maxAgeDays must be 1–3650 or null');
  return p;
}

// NFKC so that full-width and half-width input are the same password (NIST SP 800-63B §5.1.1.2).
export function normalizePassword(pw: string): string {
  return pw.normalize('NFKC');
}

function countClasses(pw: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (const ch of pw) {
    if (/[a-z]/u.test(ch)) lower = 1;
    else if (/[A-Z]/u.test(ch)) upper = 1;
    else if (/[0-9]/u.test(ch)) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

// A short deny-list of the passwords most tried against Japanese office systems.
const COMMON = new Set([
  'password', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'password1', 'password123', 'qwerty', 'qwertyuiop',
  'asdfghjkl', 'letmein', 'welcome', 'admin', 'administrator', 'iloveyou', 'abc123', 'sesshu', 'yobousesshu',
  'changeme', 'default', 'secret', 'shiyakusho', 'yakuba', 'kenkou', 'hokenjo', 'vaccine', 'sakura',
]);

function skeleton(pw: string): string {
  return normalizePassword(pw).toLowerCase().replace(/[^a-z\p{L}]/gu, '');
}

function isCommon(pw: string): boolean {
  const lower = normalizePassword(pw).toLowerCase();
  if (COMMON.has(lower)) return true;
  const core = skeleton(pw);
  // "Password2025!" style: a common word padded with digits and symbols.
  return core.length > 0 && COMMON.has(core) && core.length >= lower.length / 2;
}

const SEQUENCES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnm'];

/** One or two distinct characters, a short unit repeated ("abcabcabcabc"), or a keyboard/alphabet run. */
function isRepetitive(pw: string): boolean {
  const s = normalizePassword(pw).toLowerCase();
  const chars = [...s];
  if (new Set(chars).size <= 2) return true;
  for (let unit = 1; unit <= 4; unit++) {
    const u = chars.slice(0, unit).join('');
    if (chars.length >= unit * 3 && u.repeat(Math.ceil(chars.length / unit)).startsWith(s)) return true;
  }
  return SEQUENCES.some((seq) => {
    const cyc = seq.repeat(Math.ceil(s.length / seq.length) + 1);
    const rev = [...cyc].reverse().join('');
    return cyc.includes(s) || rev.includes(s);
  });
}

function levenshtein(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[y.length] ?? 0;
}

/** Equal to, or a small edit of, the current password (case-insensitive), or the same letters with new digits. */
export function isSimilarPassword(candidate: string, current: string): boolean {
  const a = normalizePassword(candidate).toLowerCase();
  const b = normalizePassword(current).toLowerCase();
  if (levenshtein(a, b) <= 3) return true;
  // Same letters with different digits/symbols ("Spring2025!" → "Spring-2026").
  const sa = skeleton(candidate);
  return sa.length >= 6 && levenshtein(sa, skeleton(current)) <= 1;
}

function nameParts(displayName: string): string[] {
  return normalizePassword(displayName)
    .toLowerCase()
    .split(/[\s\u3000・,.]+/u)
    // Two CJK characters (田中) are a real name part; Latin parts need three letters.
    .filter((p) => (/^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+$/u.test(p) ? p.length >= 2 : p.length >= 3));
}

const MSG: Record<PasswordFailureCode, (p: PasswordPolicy) => { ja: string; en: string }> = {
  too_short: (p) => ({ ja: `パスワードは${p.minLength}文字以上にしてください。`, en: `Use at least ${p.minLength} characters.` }),
  too_long: () => ({
    ja: `パスワードは${MAX_PASSWORD_LENGTH}文字以下にしてください。`,
    en: `Use at most ${MAX_PASSWORD_LENGTH} characters.`,
  }),
  classes: (p) => ({
    ja: `英小文字・英大文字・数字・記号のうち${p.requireClasses}種類以上を含めてください。`,
    en: `Use at least ${p.requireClasses} of: lower-case letters, upper-case letters, digits, symbols.`,
  }),
  contains_login_id: () => ({ ja: 'ログインIDを含むパスワードは使用できません。', en: 'The password must not contain your login ID.' }),
  contains_name: () => ({ ja: '氏名を含むパスワードは使用できません。', en: 'The password must not contain your name.' }),
  common: () => ({ ja: '推測されやすいパスワードは使用できません。', en: 'This password is too common and easy to guess.' }),
  repetitive: () => ({
    ja: '同じ文字の繰り返しや連続した文字列は使用できません。',
    en: 'The password must not be a repetition or a simple sequence.',
  }),
  reused: () => ({ ja: '最近使用したパスワードは使用できません。', en: 'A recently used password cannot be used again.' }),
  similar_to_current: () => ({
    ja: '現在のパスワードと似たパスワードは使用できません。',
    en: 'The new password is too similar to the current one.',
  }),
};

/** All policy failures for a candidate (empty = acceptable). Messages never echo the password. */
export function checkPassword(policy: PasswordPolicy, candidate: string, ctx: PasswordContext): PasswordFailure[] {
  const failures: PasswordFailureCode[] = [];
  const pw = normalizePassword(candidate);
  const lower = pw.toLowerCase();
  const length = [...pw].length;
  if (length < policy.minLength) failures.push('too_short');
  if (length > MAX_PASSWORD_LENGTH) failures.push('too_long');
  if (countClasses(pw) < policy.requireClasses) failures.push('classes');
  const login = normalizePassword(ctx.loginId).toLowerCase();
  if (login.length >= 3 && (lower.includes(login) || lower.includes([...login].reverse().join('')))) {
    failures.push('contains_login_id');
  }
  if (ctx.displayName && nameParts(ctx.displayName).some((part) => lower.includes(part))) failures.push('contains_name');
  if (isCommon(pw)) failures.push('common');
  if (length > 0 && isRepetitive(pw)) failures.push('repetitive');
  if (ctx.currentPassword && isSimilarPassword(pw, ctx.currentPassword)) failures.push('similar_to_current');
  return failures.map((code) => ({ code, ...MSG[code](policy) }));
}

const DAY_MS = 86_400_000;

/** When a password changed at `changedAt` expires under the policy; null = never. */
export function passwordExpiresAt(changedAt: Date, policy: PasswordPolicy): Date | null {
  return policy.maxAgeDays === null ? null : new Date(changedAt.getTime() + policy.maxAgeDays * DAY_MS);
}

export function isExpired(changedAt: Date, now: Date, policy: PasswordPolicy): boolean {
  const at = passwordExpiresAt(changedAt, policy);
  return at !== null && now.getTime() >= at.getTime();
}

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const ARGON2ID = 2 as Algorithm;
export const ARGON2_OPTIONS = Object.freeze({ algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 });

export async function hashPassword(password: string): Promise<string> {
  if ([...password].length > MAX_PASSWORD_LENGTH) throw new PasswordPolicyError('password too long to hash');
  return hash(normalizePassword(password), ARGON2_OPTIONS);
}

/** False (never a throw) for a wrong password or an unreadable stored hash. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  if (typeof storedHash !== 'string' || !storedHash.startsWith('$argon2')) return false;
  if ([...password].length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await verify(storedHash, normalizePassword(password));
  } catch {
    return false;
  }
}

/** True when a stored hash uses weaker or different parameters and should be replaced at next login. */
export function needsRehash(storedHash: string): boolean {
  const o = ARGON2_OPTIONS;
  return !storedHash.startsWith(`$argon2id$v=19$m=${o.memoryCost},t=${o.timeCost},p=${o.parallelism}$`);
}

/**
 * Whether the candidate equals one of the previous passwords (newest first; pass the current
 * hash too). Also tries the common "bump the trailing number" variants (Foo2025 → Foo2024/Foo2026),
 * because only hashes are kept. Cost: up to 3 argon2 verifications per stored hash.
 */
export async function isReused(
  candidate: string,
  previousHashes: readonly string[],
  options: { readonly historyCount?: number } = {},
): Promise<boolean> {
  const hashes = options.historyCount === undefined ? previousHashes : previousHashes.slice(0, options.historyCount);
  const variants = reuseVariants(candidate);
  for (const h of hashes) {
    for (const v of variants) {
      if (await verifyPassword(h, v)) return true;
    }
  }
  return false;
}

/** The candidate itself plus its trailing number ±1 (keeping zero padding). Exported for tests. */
export function reuseVariants(candidate: string): string[] {
  const out = [candidate];
  const m = /^(.*?)(\d+)(\D*)$/u.exec(normalizePassword(candidate));
  if (m) {
    const [, head = '', digits = '', tail = ''] = m;
    const n = BigInt(digits);
    for (const d of [n - 1n, n + 1n]) {
      if (d < 0n) continue;
      out.push(`${head}${d.toString().padStart(digits.length, '0')}${tail}`);
    }
  }
  return out;
}

/** Reported by the caller after isReused(): only it holds the account's password history. */
export const REUSED_FAILURE: PasswordFailure = Object.freeze({ code: 'reused', ...MSG.reused(DEFAULT_PASSWORD_POLICY) });
