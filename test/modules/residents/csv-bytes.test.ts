import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { CsvBytes } from '../../../src/modules/residents/csv-bytes.ts';

const text = (u: Uint8Array): string => Buffer.from(u).toString('utf8');

describe('CsvBytes (COPY input)', () => {
  it('writes NULL as an empty field, free text quoted, quotes doubled, exact characters', () => {
    const w = new CsvBytes(1);
    w.bare('990019').comma().text('𠮷田　"髙"').comma().bare(null).comma().text('').comma().text(null).endRow();
    expect(text(w.take())).toBe('990019,"𠮷田　""髙""",,"",\n');
  });

  it('grows past its first guess and reads back as the same records', () => {
    const w = new CsvBytes(8);
    const rows = Array.from({ length: 2000 }, (_, i) => [String(i), `﨑${'あ'.repeat(i % 50)},"x"\n`]);
    for (const [n, t] of rows) w.bare(n as string).comma().text(t as string).endRow();
    const out = w.take();
    expect(out.buffer.byteLength).toBe(out.byteLength); // a buffer of its own: transferable
    expect(parse(text(out))).toEqual(rows);
  });
});
