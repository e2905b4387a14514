import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MASKED_MY_NUMBER,
  MY_NUMBER_MESSAGES,
  isValidMyNumber,
  maskMyNumber,
  myNumberCheckDigit,
  parseMyNumber,
  syntheticMyNumber,
  syntheticMyNumbers,
} from '../../src/security/my-number.ts';

// Independent formulation of 番号法施行令 第8条: weights written left to right for digits 1..11
// (Q_n for n = 11 … 1), so this table does not reuse the module's loop.
const WEIGHTS_LEFT_TO_RIGHT = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
function referenceCheckDigit(first11: string): number {
  const r = [...first11].reduce((s, c, i) => s + Number(c) * (WEIGHTS_LEFT_TO_RIGHT[i] ?? 0), 0) % 11;
  return r <= 1 ? 0 : 11 - r;
}

// Hand-computed (sum shown) — each is valid.
const VALID: ReadonlyArray<[string, string]> = [
  ['123456789018', 'sum 212, r=3 → 8'],
  ['000000000000', 'sum 0, r=0 → 0'],
  ['111111111118', 'sum 47, r=3 → 8'],
  ['999999999996', 'sum 423, r=5 → 6'],
  ['100000000005', 'sum 6, r=6 → 5'],
  ['000000000019', 'sum 2, r=2 → 9'],
  ['000000000060', 'sum 12, r=1 → 0'],
  ['000000000310', 'sum 11, r=0 → 0'],
  ['987654321093', 'sum 228, r=8 → 3'],
];

describe('control: DATA-06 — My Number check digit', () => {
  it.each(VALID)('DATA-06 accepts %s (%s)', (n) => {
    const r = parseMyNumber(n);
    expect(r).toEqual({ ok: true, value: n });
    expect(isValidMyNumber(n)).toBe(true);
    expect(myNumberCheckDigit(n.slice(0, 11))).toBe(Number(n[11]));
  });

  it('DATA-06 rejects every wrong check digit', () => {
    for (const [n] of VALID) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === n[11]) continue;
        const r = parseMyNumber(n.slice(0, 11) + String(d));
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.reason).toBe('check_digit');
      }
    }
  });

  it('DATA-06 module agrees with the independent reference on random bodies', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{11}$/), (body) => {
        expect(myNumberCheckDigit(body)).toBe(referenceCheckDigit(body));
        expect(parseMyNumber(body + String(referenceCheckDigit(body))).ok).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('normalises full-width digits, spaces and hyphens', () => {
    for (const input of [
      '１２３４５６７８９０１８',
      '1234 5678 9018',
      '1234-5678-9018',
      '１２３４－５６７８－９０１８',
      '1234\u30005678\u30009018',
      ' 123456789018 ',
      '1234ー5678ー9018',
    ]) {
      expect(parseMyNumber(input)).toEqual({ ok: true, value: '123456789018' });
    }
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['12345678901', 'wrong_length'],
    ['1234567890180', 'wrong_length'],
    ['12345678901a', 'invalid_characters'],
    ['123456789O18', 'invalid_characters'],
    ['1'.repeat(500), 'wrong_length'],
    ['123456789019', 'check_digit'],
  ])('rejects %j as %s', (input, reason) => {
    const r = parseMyNumber(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe(reason);
  });

  it('rejects non-string input', () => {
    expect(parseMyNumber(123456789018).ok).toBe(false);
    expect(parseMyNumber(null).ok).toBe(false);
    expect(isValidMyNumber('1234-5678-9018')).toBe(false); // only the normalised form is a MyNumber
  });
});

describe('control: AC-04 — no echo, masked by default', () => {
  it('AC-04 failure messages (ja and en) are fixed strings that never contain the input', () => {
    for (const m of Object.values(MY_NUMBER_MESSAGES)) {
      expect(`${m.ja} ${m.en}`).not.toMatch(/[0-9]{3,}/); // at most "12" (桁 / digits)
    }
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9 -]{1,20}$/), (input) => {
        const r = parseMyNumber(input);
        if (!r.ok) expect(r.message).toBe(MY_NUMBER_MESSAGES[r.reason]);
      }),
    );
  });

  it('AC-04 mask is constant and reveals no digit', () => {
    expect(maskMyNumber('123456789018')).toBe(MASKED_MY_NUMBER);
    expect(maskMyNumber('987654321093')).toBe(MASKED_MY_NUMBER);
    expect(MASKED_MY_NUMBER).not.toMatch(/[0-9]/);
    expect(maskMyNumber(null)).toBe('');
    expect(maskMyNumber(undefined)).toBe('');
    expect(maskMyNumber('')).toBe('');
  });
});

describe('synthetic My Numbers', () => {
  it('are valid, deterministic and seed-dependent', () => {
    const a = syntheticMyNumbers('demo-city', 500);
    expect(a).toEqual(syntheticMyNumbers('demo-city', 500));
    expect(new Set(a).size).toBe(500);
    for (const n of a) {
      expect(n).toMatch(/^[0-9]{12}$/);
      expect(referenceCheckDigit(n.slice(0, 11))).toBe(Number(n[11]));
    }
    expect(syntheticMyNumber('other')).not.toBe(syntheticMyNumber('demo-city'));
    expect(syntheticMyNumber('demo-city', 3)).toBe(a[3]);
  });

  it('rejects a bad index', () => {
    expect(() => syntheticMyNumber('x', -1)).toThrow(RangeError);
    expect(() => myNumberCheckDigit('123')).toThrow(RangeError);
  });
});
