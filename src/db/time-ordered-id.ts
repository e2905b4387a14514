// Time-ordered UUIDs (RFC 9562 version 7) for rows inserted in bulk: 48 bits of Unix milliseconds,
// then a 12-bit counter that keeps ids increasing within one millisecond, then 62 random bits.
// Increasing keys land on the right-most leaf of a B-tree index, which PostgreSQL appends to
// without descending the tree: a 100,000-row clinic file's primary-key inserts stay cheap.
import crypto from 'node:crypto';

let lastMs = 0;
let counter = 0;

/** `n` ids, each greater than the previous one (and than any earlier call's in this process). */
export function timeOrderedUuids(n: number, now: () => number = Date.now): string[] {
  const out: string[] = new Array<string>(n);
  const rand = crypto.randomBytes(8 * n);
  for (let i = 0; i < n; i++) {
    let ms = now();
    if (ms <= lastMs) {
      ms = lastMs;
      counter++;
      if (counter > 0xfff) {
        // 4096 ids in one millisecond: borrow the next millisecond rather than repeat an id.
        ms = lastMs + 1;
        counter = 0;
      }
    } else counter = 0;
    lastMs = ms;
    const hex = ms.toString(16).padStart(12, '0');
    const r = rand.subarray(8 * i, 8 * i + 8);
    r[0] = ((r[0] as number) & 0x3f) | 0x80; // variant 10
    const tail = r.toString('hex');
    out[i] = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${counter.toString(16).padStart(3, '0')}-${tail.slice(0, 4)}-${tail.slice(4, 16)}`;
  }
  return out;
}
