import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEMO_MUNICIPALITY, municipalityCheckDigit, parseMunicipalityCode } from '../../src/domain/municipality-code.ts';

describe('地方公共団体コード', () => {
  // Real codes of the five seed cities and a few others, from the 総務省 code list.
  it.each(['011002', '130001', '152226', '112020', '282022', '472131', '141003', '011045'])('accepts %s', (code) => {
    expect(parseMunicipalityCode(code)).toEqual({ ok: true, code });
  });

  it('accepts full-width digits', () => {
    expect(parseMunicipalityCode('１５２２２６')).toEqual({ ok: true, code: '152226' });
  });

  it('rejects a wrong check digit and says which digit is expected', () => {
    const r = parseMunicipalityCode('152227');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('should be 6');
  });

  it.each(['15222', '1522266', 'abcdef', '', '482225'])('rejects %s', (code) => {
    expect(parseMunicipalityCode(code).ok).toBe(false);
  });

  it('detects every single-digit change', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 47999 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 9 }), (n, pos, delta) => {
        const first5 = String(n).padStart(5, '0');
        const code = first5 + municipalityCheckDigit(first5);
        const digits = code.split('');
        digits[pos] = String((Number(digits[pos]) + delta) % 10);
        const changed = digits.join('');
        // Weights 6..2 are coprime with 11, so one changed digit always changes the sum mod 11;
        // only the 10→0 folding of the check digit can hide it.
        const r = parseMunicipalityCode(changed);
        return !r.ok || municipalityCheckDigit(changed.slice(0, 5)) === municipalityCheckDigit(first5);
      }),
    );
  });

  it('uses a valid code for the demo tenant', () => {
    expect(parseMunicipalityCode(DEMO_MUNICIPALITY.code).ok).toBe(true);
  });
});
