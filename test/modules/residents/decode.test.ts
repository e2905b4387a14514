// control: DATA-01 — encodings are declared or detected, never guessed silently; bad bytes and
// malformed CSV are reported with a byte offset / line.
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  decodeUpload, firstInvalidCp932, firstInvalidUtf8, lineOfOffset, readCsvRecords, type CsvRecord,
} from '../../../src/modules/residents/decode.ts';

const TEXT = '宛名番号,氏名\r\n1,山田　太郎\r\n2,髙橋　﨑子\r\n';

function records(text: string, maxRows?: number): { recs: CsvRecord[]; result: ReturnType<typeof readCsvRecords> } {
  const recs: CsvRecord[] = [];
  const result = readCsvRecords(Buffer.from(text, 'utf8'), (r) => recs.push(r), { maxRows });
  return { recs, result };
}

describe('control: DATA-01 decodeUpload', () => {
  it('detects UTF-8 with and without BOM', () => {
    const plain = decodeUpload(Buffer.from(TEXT, 'utf8'));
    expect(plain.ok && plain.encoding).toBe('utf8');
    const bom = decodeUpload(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]));
    expect(bom.ok).toBe(true);
    if (bom.ok) {
      expect(bom.bom).toBe(true);
      expect(bom.utf8.toString('utf8')).toBe(TEXT); // BOM removed
    }
  });

  it('detects CP932 and converts it to UTF-8 (髙 and 﨑 are in CP932)', () => {
    const sjis = iconv.encode(TEXT, 'cp932');
    expect(isUtf8(sjis)).toBe(false);
    const r = decodeUpload(sjis);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.encoding).toBe('cp932');
      expect(r.utf8.toString('utf8')).toBe(TEXT);
    }
    const declared = decodeUpload(sjis, { encoding: 'cp932' });
    expect(declared.ok && declared.utf8.toString('utf8')).toBe(TEXT);
  });

  it('reads half-width kana in CP932', () => {
    const r = decodeUpload(iconv.encode('ﾔﾏﾀﾞ', 'cp932'), { encoding: 'cp932' });
    expect(r.ok && r.utf8.toString('utf8')).toBe('ﾔﾏﾀﾞ');
  });

  it('rejects a CP932 file declared as UTF-8, naming the byte offset and line', () => {
    const sjis = iconv.encode('a,b\n1,2\n3,山田\n', 'cp932');
    const r = decodeUpload(sjis, { encoding: 'utf8' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_encoding');
      expect(r.error.line).toBe(3);
      expect(r.error.reason.en).toContain('byte offset 10');
      expect(r.error.reason.en).toContain('line 3');
      expect(r.error.reason.ja).toContain('3行目');
    }
  });

  it('rejects bytes that are not CP932 when CP932 is declared', () => {
    const bad = Buffer.concat([iconv.encode('a,b\r\n1,', 'cp932'), Buffer.from([0x85, 0x40]), Buffer.from('\r\n')]);
    const r = decodeUpload(bad, { encoding: 'cp932' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.line).toBe(2);
      expect(r.error.reason.en).toContain('0x85 0x40');
    }
    expect(firstInvalidCp932(Buffer.from([0x41, 0xfd]))).toBe(1);
    expect(firstInvalidCp932(Buffer.from([0x88]))).toBe(0); // truncated double-byte character
  });

  it('refuses a UTF-8 BOM declared as CP932, UTF-16, and bytes in neither encoding', () => {
    const bom = decodeUpload(Buffer.from('\uFEFFa,b\n', 'utf8'), { encoding: 'cp932' });
    expect(!bom.ok && bom.error.reason.en).toContain('BOM');
    const utf16 = decodeUpload(Buffer.from('\uFEFFa,b', 'utf16le'));
    expect(!utf16.ok && utf16.error.reason.en).toContain('UTF-16');
    const junk = decodeUpload(Buffer.from([0x41, 0x0a, 0x42, 0xff, 0xff]));
    expect(junk.ok).toBe(false);
    if (!junk.ok) {
      expect(junk.error.reason.en).toContain('neither UTF-8 nor CP932');
      expect(junk.error.line).toBe(2);
    }
  });

  it('enforces the size limit and rejects an empty file', () => {
    const r = decodeUpload(Buffer.alloc(2000, 0x41), { maxBytes: 1000 });
    expect(!r.ok && r.error.code).toBe('file_too_large');
    const e = decodeUpload(Buffer.alloc(0));
    expect(!e.ok && e.error.code).toBe('empty_file');
  });

  it('firstInvalidUtf8 agrees with the platform validator (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(firstInvalidUtf8(bytes) === -1).toBe(isUtf8(bytes));
    }));
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
      expect(firstInvalidUtf8(Buffer.from(s, 'utf8'))).toBe(-1);
    }));
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // encoded surrogate
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0x80]))).toBe(0); // overlong
  });

  it('lineOfOffset counts LF', () => {
    const b = Buffer.from('a\r\nb\nc');
    expect(lineOfOffset(b, 0)).toBe(1);
    expect(lineOfOffset(b, 3)).toBe(2);
    expect(lineOfOffset(b, 5)).toBe(3);
  });
});

describe('control: DATA-01 readCsvRecords', () => {
  it('handles quotes, embedded newlines, CRLF/LF and blank lines with correct start lines', () => {
    const { recs, result } = records('a,b\r\n1,"x\r\ny"\r\n\r\n3,"he said ""hi"""\n4,5');
    expect(result).toEqual({ ok: true, records: 4 });
    expect(recs.map((r) => r.line)).toEqual([1, 2, 5, 6]);
    expect(recs[1]?.fields).toEqual(['1', 'x\r\ny']);
    expect(recs[2]?.fields).toEqual(['3', 'he said "hi"']);
  });

  it('gives the same records and errors when parsed in slices smaller than a record', () => {
    const sliced = (text: string): { recs: CsvRecord[]; result: ReturnType<typeof readCsvRecords> } => {
      const recs: CsvRecord[] = [];
      const result = readCsvRecords(Buffer.from(text, 'utf8'), (r) => recs.push(r), { sliceBytes: 3 });
      return { recs, result };
    };
    for (const text of ['a,b\r\n1,"x\r\ny"\r\n\r\n3,"he said ""hi"""\n4,5', 'a,b\n1,2\n3,"unclosed\n4,5\n6,7\n', 'a,b\n1,12345"678901\n2,"\n"\n']) {
      expect(sliced(text)).toEqual(records(text));
    }
  });

  it('reports an unclosed quote at the line where the broken record starts', () => {
    const { result } = records('a,b\n1,2\n3,"unclosed\n4,5\n6,7\n');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('malformed_csv');
      expect(result.error.line).toBe(3);
      expect(result.error.reason.en).toContain('line 3');
    }
  });

  it('reports a stray quote without echoing the field', () => {
    const { result } = records('a,b\n1,12345"678901\n');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.line).toBe(2);
      expect(JSON.stringify(result.error)).not.toContain('12345');
    }
  });

  it('stops at the row limit with a clear error', () => {
    const ok = records('h\n1\n2\n3\n', 3);
    expect(ok.result.ok).toBe(true);
    const tooMany = records('h\n1\n2\n3\n4\n', 3);
    expect(!tooMany.result.ok && tooMany.result.error.code).toBe('too_many_rows');
    expect(!tooMany.result.ok && tooMany.result.error.reason.en).toContain('3 data rows');
  });
});
