// The first data row of each 宛名番号 or My Number in a file, for the duplicate checks, held in typed
// arrays: a Map of strings for 2 M 宛名番号 and 1.9 M My Numbers took about 500 MB of heap, a quarter
// of the import's memory goal (docs/resident-import.md §10). Open addressing, linear probing.

const DIGITS = /^[0-9]{1,15}$/u;
const TWO_32 = 4294967296;

export class FirstRowIndex {
  private keys = new Float64Array(1024); // 0 = empty slot
  private rows = new Int32Array(1024);
  private size = 0;

  /** The first row recorded for `digits` (1–15 digits); if there is none, records `row` and returns undefined. */
  firstOrSet(digits: string, row: number): number | undefined {
    if (!DIGITS.test(digits)) throw new Error('FirstRowIndex: 1–15 digits expected');
    // A leading 1 keeps leading zeros apart ('077' ≠ '77'); 16 digits stay below 2^53, so exact.
    const key = Number(`1${digits}`);
    let i = this.slot(key);
    const found = this.keys[i];
    if (found === key) return this.rows[i];
    if (2 * (this.size + 1) > this.keys.length) {
      this.grow();
      i = this.slot(key);
    }
    this.keys[i] = key;
    this.rows[i] = row;
    this.size++;
    return undefined;
  }

  /** The slot holding `key`, or the empty slot where it belongs. */
  private slot(key: number): number {
    const mask = this.keys.length - 1;
    let i = Math.imul((key % TWO_32) ^ Math.floor(key / TWO_32), 0x9e3779b1) & mask;
    for (;;) {
      const k = this.keys[i];
      if (k === 0 || k === key) return i;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const keys = this.keys;
    const rows = this.rows;
    this.keys = new Float64Array(keys.length * 2);
    this.rows = new Int32Array(keys.length * 2);
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j] as number;
      if (k === 0) continue;
      const i = this.slot(k);
      this.keys[i] = k;
      this.rows[i] = rows[j] as number;
    }
  }
}
