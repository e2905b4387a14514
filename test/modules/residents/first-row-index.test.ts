// The duplicate checks' compact index must behave like a Map of digit strings. control: DATA-01
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FirstRowIndex } from '../../../src/modules/residents/first-row-index.ts';

describe('control: DATA-01 FirstRowIndex', () => {
  it('keeps leading zeros apart and returns the first row of a repeated key', () => {
    const ix = new FirstRowIndex();
    expect(ix.firstOrSet('77', 1)).toBeUndefined();
    expect(ix.firstOrSet('077', 2)).toBeUndefined();
    expect(ix.firstOrSet('999999999999999', 3)).toBeUndefined();
    expect(ix.firstOrSet('77', 4)).toBe(1);
    expect(ix.firstOrSet('077', 5)).toBe(2);
    expect(ix.firstOrSet('999999999999999', 6)).toBe(3);
    expect(() => ix.firstOrSet('1234567890123456', 7)).toThrow(/digits/);
  });

  it('agrees with a Map through growth', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[0-9]{1,15}$/), { maxLength: 3000 }), (keys) => {
        const ix = new FirstRowIndex();
        const map = new Map<string, number>();
        keys.forEach((k, row) => {
          expect(ix.firstOrSet(k, row)).toBe(map.get(k));
          if (!map.has(k)) map.set(k, row);
        });
      }),
      { numRuns: 50 },
    );
  });
});
