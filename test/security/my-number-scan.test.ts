// control: AC-04 — the leak detector the log, page and PDF scans rely on finds what it should and
// nothing else (a false alarm from a request id failed CI once).
import { describe, expect, it } from 'vitest';
import { syntheticMyNumber } from '../../src/security/my-number.ts';
import { myNumbersIn } from '../support/my-number-scan.ts';

const n = syntheticMyNumber('scan', 1);

describe('myNumbersIn', () => {
  it('finds a number bare, in full-width digits, and a known one with separators', () => {
    expect(myNumbersIn(`<td>${n}</td>`)).toEqual([n]);
    expect(myNumbersIn(n.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))))).toEqual([n]);
    expect(myNumbersIn(`${n.slice(0, 4)} ${n.slice(4, 8)}-${n.slice(8)}`, new Set([n]))).toEqual([n]);
  });

  it('ignores the digits of a UUID, even when they form a valid number across the hyphens', () => {
    // The request id that once failed the log scan: 5-3832-4770-941 → 538324770941 is valid.
    expect(myNumbersIn('"reqId":"b20736a5-3832-4770-941d-28302d9863a4"')).toEqual([]);
    expect(myNumbersIn(`/residents/00000000-0000-4000-8000-${n}`, new Set([n]))).toEqual([]);
  });

  it('ignores longer digit runs and a wrong check digit', () => {
    expect(myNumbersIn(`1${n}`)).toEqual([]);
    const wrong = n.slice(0, 11) + String((Number(n.slice(11)) + 1) % 10);
    expect(myNumbersIn(wrong)).toEqual([]);
  });
});
