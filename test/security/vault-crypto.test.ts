import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHmac, randomBytes } from 'node:crypto';
import { parseMyNumber, syntheticMyNumber } from '../../src/security/my-number.ts';
import type { MyNumber } from '../../src/security/my-number.ts';
import {
  VaultCryptoError,
  blindIndex,
  blindIndexEquals,
  blindIndexer,
  decryptField,
  encryptField,
  envelopeKeyVersion,
  fieldSealer,
  generateDataKey,
  generateIndexKey,
  needsReencryption,
  parseMasterKey,
  reencryptField,
  rewrapTenantKey,
  unwrapDataKey,
  unwrapIndexKey,
  wrapDataKey,
  wrapIndexKey,
  wrappedMasterKeyId,
} from '../../src/security/vault-crypto.ts';

const NUMBER = '123456789018';
const MY = NUMBER as MyNumber;
const TENANT_A = '152021'; // 上越市
const TENANT_B = '112020'; // 熊谷市
const aadA = { municipalityCode: TENANT_A, personId: 'p-1' };

function master(id = 'mk1') {
  return parseMasterKey(randomBytes(32).toString('base64'), id);
}

/** Every thrown error: VaultCryptoError, and its message carries no secret. */
function expectVaultError(fn: () => unknown, code: string, secrets: readonly string[] = [NUMBER]): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(VaultCryptoError);
  const err = thrown as VaultCryptoError;
  expect(err.code).toBe(code);
  for (const s of secrets) expect(`${err.message} ${err.stack ?? ''}`).not.toContain(s);
}

describe('control: CRY-05 — master key configuration', () => {
  it('accepts base64, base64url, hex and prefixed forms of 32 bytes', () => {
    const raw = randomBytes(32);
    for (const text of [
      raw.toString('base64'),
      `base64:${raw.toString('base64')}`,
      raw.toString('base64url'),
      raw.toString('hex'),
      `hex:${raw.toString('hex')}`,
      `  ${raw.toString('hex')}\n`,
    ]) {
      expect(parseMasterKey(text, 'k').key.equals(raw)).toBe(true);
    }
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(33).toString('base64')],
    ['hex too short', `hex:${randomBytes(31).toString('hex')}`],
    ['odd hex', 'hex:abc'],
    ['garbage', 'not a key!!'],
    ['empty', ''],
  ])('rejects %s with a clear message that does not echo the value', (_label, text) => {
    expectVaultError(() => parseMasterKey(text, 'k'), 'invalid_master_key', text.length > 3 ? [text] : []);
  });

  it('explains the expected length', () => {
    expect(() => parseMasterKey(randomBytes(16).toString('base64'), 'k')).toThrow(/32 bytes \(got 16\)/);
  });

  it('rejects bad key ids', () => {
    expectVaultError(() => parseMasterKey(randomBytes(32).toString('hex'), 'bad.id'), 'invalid_master_key');
    expectVaultError(() => parseMasterKey(randomBytes(32).toString('hex'), ''), 'invalid_master_key');
  });
});

describe('control: CRY-01 — data keys wrapped by the master key', () => {
  it('CRY-01 wraps and unwraps a tenant data key', () => {
    const mk = master();
    const dk = generateDataKey(1);
    const wrapped = wrapDataKey(mk, dk, TENANT_A);
    expect(wrapped).toMatch(/^k1\.mk1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(wrapped).not.toContain(dk.key.toString('base64url'));
    expect(wrappedMasterKeyId(wrapped)).toBe('mk1');
    const back = unwrapDataKey(mk, wrapped, TENANT_A, 1);
    expect(back.key.equals(dk.key)).toBe(true);
    expect(back).toMatchObject({ kind: 'data', version: 1 });
  });

  it('TEN-01 a wrapped key moved to another tenant, version or kind does not unwrap', () => {
    const mk = master();
    const wrapped = wrapDataKey(mk, generateDataKey(2), TENANT_A);
    expectVaultError(() => unwrapDataKey(mk, wrapped, TENANT_B, 2), 'decryption_failed');
    expectVaultError(() => unwrapDataKey(mk, wrapped, TENANT_A, 3), 'decryption_failed');
    expectVaultError(() => unwrapIndexKey(mk, wrapped, TENANT_A, 2), 'decryption_failed');
  });

  it('a wrong master key or a tampered blob fails', () => {
    const mk = master();
    const wrapped = wrapDataKey(mk, generateDataKey(1), TENANT_A);
    expectVaultError(() => unwrapDataKey(master('mk1'), wrapped, TENANT_A, 1), 'decryption_failed');
    expectVaultError(() => unwrapDataKey(master('mk2'), wrapped, TENANT_A, 1), 'unknown_key');
    const parts = wrapped.split('.');
    const ct = Buffer.from(parts[3] ?? '', 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[3] = ct.toString('base64url');
    expectVaultError(() => unwrapDataKey(mk, parts.join('.'), TENANT_A, 1), 'decryption_failed');
    expectVaultError(() => unwrapDataKey(mk, 'k1.mk1.abc', TENANT_A, 1), 'malformed_envelope');
    expectVaultError(() => unwrapDataKey(mk, 'k1.mk1.a*c.def.ghi', TENANT_A, 1), 'malformed_envelope');
  });

  it('CRY-05 master-key rotation: rewrap under the new key, old and new coexist in a keyring', () => {
    const oldMk = master('mk2024');
    const newMk = master('mk2025');
    const dk = generateDataKey(4);
    const wrappedOld = wrapDataKey(oldMk, dk, TENANT_A);
    const wrappedNew = rewrapTenantKey(oldMk, newMk, wrappedOld, { municipalityCode: TENANT_A, kind: 'data', version: 4 });
    expect(wrappedMasterKeyId(wrappedNew)).toBe('mk2025');
    const ring = [newMk, oldMk];
    expect(unwrapDataKey(ring, wrappedNew, TENANT_A, 4).key.equals(dk.key)).toBe(true);
    expect(unwrapDataKey(ring, wrappedOld, TENANT_A, 4).key.equals(dk.key)).toBe(true);
    // once the old master key is retired, only the rewrapped copy opens
    expectVaultError(() => unwrapDataKey([newMk], wrappedOld, TENANT_A, 4), 'unknown_key');
    // field ciphertext does not change on master-key rotation
    const env = encryptField(dk, NUMBER, aadA);
    expect(decryptField(unwrapDataKey(newMk, wrappedNew, TENANT_A, 4), env, aadA)).toBe(NUMBER);
  });

  it('validates versions and key sizes', () => {
    expectVaultError(() => generateDataKey(0), 'invalid_context');
    expectVaultError(() => generateDataKey(1.5), 'invalid_context');
    expectVaultError(
      () => encryptField({ kind: 'data', version: 1, key: Buffer.alloc(16) }, NUMBER, aadA),
      'invalid_key',
    );
  });
});

describe('control: CRY-01 — field envelope', () => {
  it('CRY-01 round-trips and has the documented shape', () => {
    const dk = generateDataKey(7);
    const env = encryptField(dk, NUMBER, aadA);
    expect(env).toMatch(/^v1\.7\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}$/);
    expect(env).not.toContain(NUMBER);
    expect(envelopeKeyVersion(env)).toBe(7);
    expect(decryptField(dk, env, aadA)).toBe(NUMBER);
  });

  it('a sealer for many rows gives envelopes decryptField opens, bound to each row (property)', () => {
    const dk = generateDataKey(3);
    const seal = fieldSealer(dk, TENANT_A, 'totp_secret');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 32 }), fc.string({ minLength: 1, maxLength: 20 }), (pt, pid) => {
        const env = seal(pt, pid);
        expect(decryptField(dk, env, { municipalityCode: TENANT_A, personId: pid, column: 'totp_secret' })).toBe(pt);
        expectVaultError(() => decryptField(dk, env, { municipalityCode: TENANT_A, personId: `${pid}x`, column: 'totp_secret' }), 'decryption_failed');
      }),
      { numRuns: 100 },
    );
    expectVaultError(() => seal(NUMBER, ''), 'invalid_context');
  });

  it('uses a fresh IV every time', () => {
    const dk = generateDataKey(1);
    const seen = new Set(Array.from({ length: 200 }, () => encryptField(dk, NUMBER, aadA)));
    expect(seen.size).toBe(200);
  });

  it('round-trips arbitrary text (property)', () => {
    const dk = generateDataKey(1);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), fc.string({ minLength: 1, maxLength: 20 }), (pt, pid) => {
        const aad = { municipalityCode: TENANT_A, personId: pid };
        expect(decryptField(dk, encryptField(dk, pt, aad), aad)).toBe(pt);
      }),
      { numRuns: 200 },
    );
  });

  it('TEN-01 a ciphertext copied to another person, tenant or column fails', () => {
    const dk = generateDataKey(1);
    const env = encryptField(dk, NUMBER, aadA);
    expectVaultError(() => decryptField(dk, env, { ...aadA, personId: 'p-2' }), 'decryption_failed');
    expectVaultError(() => decryptField(dk, env, { ...aadA, municipalityCode: TENANT_B }), 'decryption_failed');
    expectVaultError(() => decryptField(dk, env, { ...aadA, column: 'totp_secret' }), 'decryption_failed');
    // AAD parts cannot be shifted between fields ("15202|1" vs "152021|")
    const tricky = encryptField(dk, NUMBER, { municipalityCode: '15202', personId: '1p-1' });
    expectVaultError(() => decryptField(dk, tricky, { municipalityCode: '152021', personId: 'p-1' }), 'decryption_failed');
  });

  it('detects tampering with any part, and a forged key version', () => {
    const dk = generateDataKey(1);
    const env = encryptField(dk, NUMBER, aadA);
    for (const i of [2, 3, 4]) {
      const parts = env.split('.');
      const buf = Buffer.from(parts[i] ?? '', 'base64url');
      buf[buf.length - 1] = (buf[buf.length - 1] ?? 0) ^ 0x80;
      parts[i] = buf.toString('base64url');
      expectVaultError(() => decryptField(dk, parts.join('.'), aadA), 'decryption_failed');
    }
    const dk2 = { ...dk, version: 2 };
    expectVaultError(() => decryptField(dk2, env.replace(/^v1\.1\./, 'v1.2.'), aadA), 'decryption_failed');
  });

  it('reports unknown versions and malformed envelopes without echoing them', () => {
    const dk = generateDataKey(1);
    const env = encryptField(dk, NUMBER, aadA);
    expectVaultError(() => decryptField(generateDataKey(2), env, aadA), 'unknown_key', [env]);
    for (const bad of ['', NUMBER, 'v2.1.a.b.c', 'v1.0.a.b.c', 'v1.x.a.b.c', 'v1.1.a.b', 'v1.1.a.b.c.d', 'v1.1.!!.b.c']) {
      expectVaultError(() => decryptField(dk, bad, aadA), 'malformed_envelope', [NUMBER]);
    }
    expectVaultError(() => decryptField(dk, env, { municipalityCode: '', personId: 'x' }), 'invalid_context');
  });

  it('CRY-05 data-key rotation re-encrypts under the new version', () => {
    const k1 = generateDataKey(1);
    const k2 = generateDataKey(2);
    const env1 = encryptField(k1, NUMBER, aadA);
    expect(needsReencryption(env1, 2)).toBe(true);
    const env2 = reencryptField([k1], k2, env1, aadA);
    expect(envelopeKeyVersion(env2)).toBe(2);
    expect(needsReencryption(env2, 2)).toBe(false);
    expect(decryptField([k2, k1], env2, aadA)).toBe(NUMBER);
    expect(decryptField([k2, k1], env1, aadA)).toBe(NUMBER);
    // the AAD still binds after rotation
    expectVaultError(() => reencryptField([k1], k2, env1, { ...aadA, personId: 'p-9' }), 'decryption_failed');
  });
});

describe('control: CRY-01 — blind index', () => {
  it('CRY-01 is stable, deterministic and formatting-independent', () => {
    const ik = generateIndexKey(1);
    const a = parseMyNumber('1234-5678-9018');
    const b = parseMyNumber('１２３４５６７８９０１８');
    if (!a.ok || !b.ok) throw new Error('fixture');
    const ia = blindIndex(ik, TENANT_A, a.value);
    expect(ia).toMatch(/^[0-9a-f]{64}$/);
    expect(blindIndex(ik, TENANT_A, b.value)).toBe(ia);
    expect(blindIndexEquals(ia, blindIndex(ik, TENANT_A, MY))).toBe(true);
    expect(ia).not.toContain(NUMBER);
  });

  it('keeps its stored format: HMAC-SHA-256 of the JSON (purpose, tenant, number), in hex', () => {
    // Stored blind indexes are looked up by recomputing them: the input may never change.
    const ik = generateIndexKey(1);
    const expected = createHmac('sha256', ik.key).update(JSON.stringify(['sesshu.blind-index.my-number.v1', TENANT_A, NUMBER])).digest('hex');
    expect(blindIndex(ik, TENANT_A, MY)).toBe(expected);
    expect(blindIndexer(ik, TENANT_A)(MY)).toBe(expected);
  });

  it('does not depend on the data key, so data-key rotation keeps it valid', () => {
    const mk = master();
    const ik = generateIndexKey(1);
    const before = blindIndex(ik, TENANT_A, MY);
    // rotate the data key and the master key; the index key is only rewrapped
    const wrapped = wrapIndexKey(mk, ik, TENANT_A);
    const mk2 = master('mk2');
    const rewrapped = rewrapTenantKey(mk, mk2, wrapped, { municipalityCode: TENANT_A, kind: 'index', version: 1 });
    const ik2 = unwrapIndexKey(mk2, rewrapped, TENANT_A, 1);
    expect(blindIndex(ik2, TENANT_A, MY)).toBe(before);
  });

  it('TEN-01 differs per tenant and per key, and separates numbers', () => {
    const ik = generateIndexKey(1);
    expect(blindIndex(ik, TENANT_A, MY)).not.toBe(blindIndex(ik, TENANT_B, MY));
    expect(blindIndex(ik, TENANT_A, MY)).not.toBe(blindIndex(generateIndexKey(1), TENANT_A, MY));
    const nums = Array.from({ length: 300 }, (_, i) => syntheticMyNumber('bi', i));
    expect(new Set(nums.map((n) => blindIndex(ik, TENANT_A, n))).size).toBe(new Set(nums).size);
  });

  it('refuses unparsed input', () => {
    const ik = generateIndexKey(1);
    expectVaultError(() => blindIndex(ik, TENANT_A, '1234-5678-9018' as MyNumber), 'invalid_context', ['5678']);
    expect(blindIndexEquals('ab', 'abc')).toBe(false);
  });
});
