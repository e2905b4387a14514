import { describe, expect, it } from 'vitest';
import { generateSync } from 'otplib';
import {
  TotpError,
  beginTotpEnrolment,
  createTotpSecret,
  generateTotp,
  normalizeTotpToken,
  otpauthUri,
  totpTimeStep,
  verifyTotp,
} from '../../src/security/totp.ts';

// RFC 6238 Appendix B secret ("12345678901234567890", 20 bytes) in base32.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const at = (epochSeconds: number) => new Date(epochSeconds * 1000);

describe('control: AUTH-02 — TOTP second factor', () => {
  it('AUTH-02 matches the RFC 6238 SHA-1 test vectors (6-digit truncation)', () => {
    // RFC values are 8 digits; the 6-digit code is the last six.
    expect(generateTotp(RFC_SECRET, at(59))).toBe('287082');
    expect(generateTotp(RFC_SECRET, at(1111111109))).toBe('081804');
    expect(generateTotp(RFC_SECRET, at(1234567890))).toBe('005924');
    expect(generateTotp(RFC_SECRET, at(2000000000))).toBe('279037');
  });

  it('AUTH-02 accepts the current code and returns its time step', () => {
    const now = at(1_750_000_015);
    const token = generateTotp(RFC_SECRET, now);
    expect(verifyTotp({ secret: RFC_SECRET, token, now })).toEqual({ ok: true, timeStep: totpTimeStep(now), delta: 0 });
  });

  it('AUTH-02 accepts ±1 step and refuses ±2', () => {
    const t = 1_750_000_000; // step boundary is irrelevant: use steps explicitly
    const step = Math.floor(t / 30);
    const now = at(t);
    for (const d of [-1, 1]) {
      const token = generateTotp(RFC_SECRET, at((step + d) * 30));
      expect(verifyTotp({ secret: RFC_SECRET, token, now })).toEqual({ ok: true, timeStep: step + d, delta: d });
    }
    for (const d of [-2, 2, 10]) {
      const token = generateTotp(RFC_SECRET, at((step + d) * 30));
      expect(verifyTotp({ secret: RFC_SECRET, token, now })).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('AUTH-02 refuses a replayed code, and any code from an earlier or equal step', () => {
    const now = at(1_750_000_020);
    const token = generateTotp(RFC_SECRET, now);
    const first = verifyTotp({ secret: RFC_SECRET, token, now, lastUsedStep: null });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(verifyTotp({ secret: RFC_SECRET, token, now, lastUsedStep: first.timeStep })).toEqual({ ok: false, reason: 'replayed' });
    // the previous step's code is also refused once the current one was used
    const older = generateTotp(RFC_SECRET, at((first.timeStep - 1) * 30));
    expect(verifyTotp({ secret: RFC_SECRET, token: older, now, lastUsedStep: first.timeStep })).toEqual({ ok: false, reason: 'replayed' });
    // the next step's code still works
    const later = at((first.timeStep + 1) * 30 + 3);
    const next = generateTotp(RFC_SECRET, later);
    expect(verifyTotp({ secret: RFC_SECRET, token: next, now: later, lastUsedStep: first.timeStep })).toMatchObject({ ok: true });
  });

  it('AUTH-02 a clock that went backwards does not crash the check', () => {
    const now = at(1_750_000_020);
    const token = generateTotp(RFC_SECRET, now);
    expect(verifyTotp({ secret: RFC_SECRET, token, now, lastUsedStep: totpTimeStep(now) + 100 })).toEqual({ ok: false, reason: 'replayed' });
  });

  it('normalises typed tokens and refuses malformed ones', () => {
    expect(normalizeTotpToken(' 123 456 ')).toBe('123456');
    expect(normalizeTotpToken('１２３４５６')).toBe('123456');
    expect(normalizeTotpToken('123-456')).toBe('123456');
    for (const bad of ['', '12345', '1234567', '12a456', '１２３']) {
      expect(normalizeTotpToken(bad)).toBeNull();
      expect(verifyTotp({ secret: RFC_SECRET, token: bad, now: at(0) })).toEqual({ ok: false, reason: 'malformed' });
    }
    const now = at(1_750_000_020);
    const spaced = generateTotp(RFC_SECRET, now).replace(/^(\d{3})/, '$1 ');
    expect(verifyTotp({ secret: RFC_SECRET, token: spaced, now }).ok).toBe(true);
  });

  it('throws a secret-free error for an unusable stored secret', () => {
    expect(() => verifyTotp({ secret: 'TOO-SHORT!', token: '123456', now: at(100) })).toThrow(TotpError);
    expect(() => verifyTotp({ secret: 'ABC', token: '123456', now: at(100) })).toThrow(/^(?!.*ABC).*$/);
    expect(() => verifyTotp({ secret: RFC_SECRET, token: '123456', now: new Date(Number.NaN) })).toThrow(TotpError);
  });
});

describe('TOTP enrolment', () => {
  it('creates 160-bit base32 secrets that otplib accepts', () => {
    const s = createTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(createTotpSecret()).not.toBe(s);
    const now = at(1_750_000_020);
    expect(generateTotp(s, now)).toBe(generateSync({ secret: s, epoch: 1_750_000_020 }));
  });

  it('builds the otpauth URI with issuer sesshu by default', () => {
    const uri = otpauthUri('tanaka@152021', RFC_SECRET);
    const u = new URL(uri);
    expect(u.protocol).toBe('otpauth:');
    expect(u.host).toBe('totp');
    expect(decodeURIComponent(u.pathname)).toBe('/sesshu:tanaka@152021');
    expect(u.searchParams.get('secret')).toBe(RFC_SECRET);
    expect(u.searchParams.get('issuer')).toBe('sesshu');
    expect(otpauthUri('a', RFC_SECRET, '上越市 予防接種')).toContain(encodeURIComponent('上越市 予防接種'));
    expect(() => otpauthUri('', RFC_SECRET)).toThrow(TotpError);
  });

  it('enrolment returns a secret and its matching URI', () => {
    const e = beginTotpEnrolment('tanaka@152021');
    expect(new URL(e.uri).searchParams.get('secret')).toBe(e.secret);
  });
});
