import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PASSWORD_POLICY,
  PasswordPolicyError,
  checkPassword,
  hashPassword,
  isExpired,
  isReused,
  isSimilarPassword,
  needsRehash,
  passwordExpiresAt,
  reuseVariants,
  validatePolicy,
  verifyPassword,
} from '../../src/security/password-policy.ts';
import type { PasswordPolicy } from '../../src/security/password-policy.ts';

const policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY;
const who = { loginId: 'tanaka.h', displayName: '田中 花子' };
const codes = (pw: string, p: PasswordPolicy = policy, ctx: Parameters<typeof checkPassword>[2] = who) =>
  checkPassword(p, pw, ctx).map((f) => f.code);

describe('control: AUTH-03 — password rules', () => {
  it('AUTH-03 defaults: 12 chars, 3 classes, history 5, 180 days', () => {
    expect(policy).toEqual({ minLength: 12, requireClasses: 3, historyCount: 5, maxAgeDays: 180 });
    expect(validatePolicy(policy)).toBe(policy);
  });

  it('AUTH-03 accepts a good password', () => {
    expect(codes('Kasumi-Bridge-7r')).toEqual([]);
    expect(codes('correct horse Battery')).toEqual([]);
  });

  it('AUTH-03 enforces minimum length (per-tenant)', () => {
    expect(codes('Ab3$efgh')).toContain('too_short');
    expect(codes('Ab3$efghijkl')).not.toContain('too_short');
    expect(codes('Ab3$efghijkl', { ...policy, minLength: 16 })).toContain('too_short');
    expect(codes('A'.repeat(60) + 'b3$'.repeat(30))).toContain('too_long');
  });

  it('AUTH-03 counts characters, not UTF-16 units, after NFKC (full-width = half-width)', () => {
    // 12 full-width characters normalise to 12 ASCII characters
    expect(codes('Ｋａｓｕｍｉ－Ｂｒｉｄ７')).toEqual(codes('Kasumi-Brid7'));
  });

  it('AUTH-03 requires character classes', () => {
    expect(codes('kasumibridgeseven')).toContain('classes');
    expect(codes('kasumibridge7seven')).toContain('classes');
    expect(codes('kasumiBridge7seven')).not.toContain('classes');
    expect(codes('kasumibridgeseven', { ...policy, requireClasses: 1 })).not.toContain('classes');
    expect(codes('かすみばしななつのほし', { ...policy, minLength: 8, requireClasses: 2 })).toContain('classes');
  });

  it('AUTH-03 refuses the login id and the name', () => {
    expect(codes('xTanaka.H-2025!')).toContain('contains_login_id');
    expect(codes('h.akanat-Zz99!q')).toContain('contains_login_id'); // reversed
    expect(codes('Kasumi田中Bridge7')).toContain('contains_name');
    expect(codes('Kasumi花子Bridge7')).toContain('contains_name');
    expect(codes('Hanako-Bridge-7', policy, { loginId: 'u01', displayName: 'Hanako TANAKA' })).toContain('contains_name');
    expect(codes('Kasumi-Bridge-7r', policy, { loginId: 'ab', displayName: null })).toEqual([]);
  });

  it('AUTH-03 refuses common and trivial passwords', () => {
    expect(codes('Password2025!')).toContain('common');
    expect(codes('P@ssw0rd')).toContain('common');
    expect(codes('Sesshu!2024xx')).not.toContain('common'); // the word is only a part
    expect(codes('aaaaaaaaaaaa')).toContain('repetitive');
    expect(codes('abababababab')).toContain('repetitive');
    expect(codes('Ab1Ab1Ab1Ab1')).toContain('repetitive');
    expect(codes('123456789012')).toContain('repetitive');
    expect(codes('qwertyuiopas')).toContain('repetitive');
    expect(codes('zyxwvutsrqpo')).toContain('repetitive');
  });

  it('AUTH-03 refuses a password similar to the current one', () => {
    const ctx = { ...who, currentPassword: 'Kasumi-Bridge-7r' };
    expect(codes('Kasumi-Bridge-8r', policy, ctx)).toContain('similar_to_current');
    expect(codes('kasumi-bridge-7R!', policy, ctx)).toContain('similar_to_current');
    expect(codes('Kasumi-Bridge-2026', policy, ctx)).toContain('similar_to_current');
    expect(codes('Orchid+Lantern+42', policy, ctx)).toEqual([]);
    expect(isSimilarPassword('Spring2025!!x', 'Spring2026!!x')).toBe(true);
    expect(isSimilarPassword('Orchid+Lantern+42', 'Kasumi-Bridge-7r')).toBe(false);
  });

  it('AUTH-03 messages are bilingual and never contain the password', () => {
    const pw = 'tanaka.hXX';
    const failures = checkPassword(policy, pw, who);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      expect(f.en).toMatch(/[A-Za-z]/);
      expect(`${f.ja}${f.en}`).not.toContain(pw);
    }
    expect(failures.find((f) => f.code === 'too_short')?.ja).toContain('12文字以上');
  });

  it('validates tenant policies', () => {
    expect(() => validatePolicy({ ...policy, minLength: 4 })).toThrow(PasswordPolicyError);
    expect(() => validatePolicy({ ...policy, requireClasses: 5 })).toThrow(PasswordPolicyError);
    expect(() => validatePolicy({ ...policy, historyCount: -1 })).toThrow(PasswordPolicyError);
    expect(() => validatePolicy({ ...policy, maxAgeDays: 0 })).toThrow(PasswordPolicyError);
    expect(validatePolicy({ ...policy, maxAgeDays: null }).maxAgeDays).toBeNull();
  });
});

describe('control: AUTH-03 — expiry', () => {
  const changed = new Date('2025-01-01T00:00:00Z');
  it('AUTH-03 expires exactly maxAgeDays after the change', () => {
    expect(passwordExpiresAt(changed, policy)?.toISOString()).toBe('2025-06-30T00:00:00.000Z');
    expect(isExpired(changed, new Date('2025-06-29T23:59:59.999Z'), policy)).toBe(false);
    expect(isExpired(changed, new Date('2025-06-30T00:00:00Z'), policy)).toBe(true);
  });
  it('never expires when maxAgeDays is null', () => {
    const p = { ...policy, maxAgeDays: null };
    expect(passwordExpiresAt(changed, p)).toBeNull();
    expect(isExpired(changed, new Date('2099-01-01T00:00:00Z'), p)).toBe(false);
  });
});

describe('control: AUTH-12 — argon2id hashing', () => {
  it('AUTH-12 hashes with argon2id m=19456,t=2,p=1 and a random salt', async () => {
    const a = await hashPassword('Kasumi-Bridge-7r');
    const b = await hashPassword('Kasumi-Bridge-7r');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('Kasumi');
    expect(needsRehash(a)).toBe(false);
    expect(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(true);
  });

  it('verifies, treats full-width input as the same password, and never throws', async () => {
    const h = await hashPassword('Kasumi-Bridge-7r');
    expect(await verifyPassword(h, 'Kasumi-Bridge-7r')).toBe(true);
    expect(await verifyPassword(h, 'Ｋａｓｕｍｉ－Ｂｒｉｄｇｅ－７ｒ')).toBe(true);
    expect(await verifyPassword(h, 'kasumi-bridge-7r')).toBe(false);
    expect(await verifyPassword('garbage', 'x')).toBe(false);
    expect(await verifyPassword('$argon2id$broken', 'x')).toBe(false);
    expect(await verifyPassword(h, 'x'.repeat(1000))).toBe(false);
    await expect(hashPassword('x'.repeat(1000))).rejects.toThrow(PasswordPolicyError);
  });

  it('AUTH-03 detects reuse of the last N passwords, including a bumped trailing number', async () => {
    const history = [await hashPassword('Spring-Field-2025'), await hashPassword('Orchid+Lantern+42'), await hashPassword('Old-Old-Old-1')];
    expect(await isReused('Spring-Field-2025', history)).toBe(true);
    expect(await isReused('Spring-Field-2026', history)).toBe(true);
    expect(await isReused('Orchid+Lantern+41', history)).toBe(true);
    expect(await isReused('Completely-New-99', history)).toBe(false);
    expect(await isReused('Old-Old-Old-1', history, { historyCount: 2 })).toBe(false);
    expect(await isReused('Old-Old-Old-1', history, { historyCount: 3 })).toBe(true);
    expect(await isReused('anything', [])).toBe(false);
  }, 30_000);

  it('reuse variants keep zero padding and never go negative', () => {
    expect(reuseVariants('abc09!')).toEqual(['abc09!', 'abc08!', 'abc10!']);
    expect(reuseVariants('abc0')).toEqual(['abc0', 'abc1']);
    expect(reuseVariants('nodigits')).toEqual(['nodigits']);
  });
});
