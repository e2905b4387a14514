// control: DATA-01, DATA-02, DATA-06, AC-04 — the whole file is validated first; a bad file yields
// a report (row, line, column, masked value, ja/en reason) and no rows.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { MASKED_MY_NUMBER, syntheticMyNumber } from '../../../src/security/my-number.ts';
import { RESIDENT_COLUMNS, formatResidentFileError, type ResidentColumn } from '../../../src/modules/residents/layout.ts';
import { validateResidentFile, validateResidentFileYielding, type ValidateOptions, type ValidationResult } from '../../../src/modules/residents/validate-file.ts';

type Row = Partial<Record<ResidentColumn, string>>;

const MY_NUMBER = syntheticMyNumber('validate-test', 1);
const BASE: Record<ResidentColumn, string> = {
  宛名番号: '1000000001', 個人番号: MY_NUMBER, 氏名: '山田　太郎', 氏名カナ: 'ヤマダ　タロウ', 性別: '1',
  生年月日: '1980-04-01', 郵便番号: '999-1100', 住所: 'デモ県さくら市本町三丁目4番5号', 世帯番号: '2000000001',
  続柄: '世帯主', 異動事由: '転入', 異動日: '2010-05-06', 住民区分: '日本人', 通称: '', ローマ字氏名: '', 国籍: '',
};

function quote(v: string): string {
  return /[",\r\n]/u.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

function csv(rows: Row[], columns: readonly string[] = RESIDENT_COLUMNS): string {
  const lines = [columns.join(',')];
  rows.forEach((r, i) => {
    const full: Record<string, string> = { ...BASE, 宛名番号: String(1000000001 + i), 個人番号: syntheticMyNumber('validate-test', i + 1), ...r };
    lines.push(columns.map((c) => quote(full[c] ?? '')).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}

function validate(text: string | Buffer, options?: ValidateOptions): ValidationResult {
  return validateResidentFile(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, options);
}

function errorsOf(r: ValidationResult): Extract<ValidationResult, { ok: false }>['errors'] {
  if (r.ok) throw new Error('expected the file to be rejected');
  return r.errors;
}

describe('control: DATA-01 validateResidentFile — good files', () => {
  it('returns typed, normalised rows for a UTF-8 file', () => {
    const r = validate(csv([{}, { 性別: '女', 生年月日: 'S55.4.1', 郵便番号: '9991100', 異動事由: '01', 異動日: '昭和55年4月1日', 個人番号: '' }]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.encoding).toBe('utf8');
    expect(r.unknownColumns).toEqual([]);
    expect(r.rows[0]).toMatchObject({
      row: 1, line: 2, addressNumber: '1000000001', myNumber: MY_NUMBER, name: '山田　太郎', nameKana: 'ヤマダ　タロウ',
      sex: 'M', birthDate: '1980-04-01', postcode: '999-1100', householdNumber: '2000000001', relationship: '世帯主',
      event: { kind: 'move_in', date: '2010-05-06' }, residentType: 'japanese', alias: null, romajiName: null, nationality: null,
    });
    expect(r.rows[1]).toMatchObject({ row: 2, line: 3, sex: 'F', birthDate: '1980-04-01', postcode: '999-1100', myNumber: null, event: { kind: 'birth', date: '1980-04-01' } });
  });

  it('reads the same file in CP932 (auto-detected and declared)', () => {
    const text = csv([{ 氏名: '髙橋　﨑子', 氏名カナ: 'タカハシ　サキコ' }, { 氏名: '渡邉　一', 氏名カナ: 'ﾜﾀﾅﾍﾞ ﾊｼﾞﾒ' }]);
    for (const encoding of ['auto', 'cp932'] as const) {
      const r = validate(iconv.encode(text, 'cp932'), { encoding });
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.encoding).toBe('cp932');
      expect(r.rows.map((x) => x.name)).toEqual(['髙橋　﨑子', '渡邉　一']);
      expect(r.rows[1]?.nameKana).toBe('ワタナベ ハジメ'); // half-width kana → full-width, spacing kept
    }
  });

  it('keeps names exactly: 𠮷, 髙, 﨑 and spacing survive UTF-8', () => {
    const r = validate(csv([{ 氏名: '𠮷田　髙﨑', 氏名カナ: 'ヨシダ　タカサキ' }, { 氏名: ' 山田 花子 ' }]));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.rows[0]?.name).toBe('𠮷田　髙﨑');
      expect(r.rows[1]?.name).toBe(' 山田 花子 ');
    }
  });

  it('rejects 𠮷 sent as CP932: it is not representable and arrives as "?"', () => {
    // iconv-lite (like Windows) writes an unmappable character as '?'; the validator refuses the loss.
    const bytes = iconv.encode(csv([{ 氏名: '𠮷田　太郎', 氏名カナ: 'ヨシダ　タロウ' }]), 'cp932');
    expect(iconv.decode(bytes, 'cp932')).toContain('?田');
    const errors = errorsOf(validate(bytes));
    expect(errors[0]).toMatchObject({ row: 1, line: 2, column: '氏名', value: '?田　太郎' });
    expect(errors[0]?.reason.en).toContain('UTF-8');
  });

  it('accepts columns in any order and reports unknown columns without failing', () => {
    const columns: string[] = [...[...RESIDENT_COLUMNS].reverse(), '電話番号', '備考'];
    const r = validate(csv([{}], columns));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.unknownColumns).toEqual(['電話番号', '備考']);
      expect(r.rows[0]?.name).toBe('山田　太郎');
    }
  });

  it('accepts a file without optional columns', () => {
    const columns = ['宛名番号', '氏名', '氏名カナ', '性別', '生年月日', '郵便番号', '住所', '住民区分'];
    const r = validate(csv([{}], columns));
    expect(r.ok && r.rows[0]?.myNumber).toBeNull();
  });

  it('accepts a foreign resident with 通称, ローマ字氏名 and 国籍', () => {
    const r = validate(csv([{ 氏名: 'NGUYEN VAN AN', 氏名カナ: 'グエン　ヴァン　アン', 住民区分: '2', 通称: '中村　安', ローマ字氏名: 'NGUYEN VAN AN', 国籍: 'ベトナム' }]));
    expect(r.ok && r.rows[0]).toMatchObject({ residentType: 'foreign', alias: '中村　安', romajiName: 'NGUYEN VAN AN', nationality: 'ベトナム' });
  });

  it('accepts an empty delta file but not an empty full file', () => {
    expect(validate(`${RESIDENT_COLUMNS.join(',')}\r\n`, { mode: 'delta' }).ok).toBe(true);
    expect(errorsOf(validate(`${RESIDENT_COLUMNS.join(',')}\r\n`))[0]?.code).toBe('no_rows');
  });
});

describe('control: DATA-01 validateResidentFile — bad files', () => {
  it('DATA-06 AC-04: a failed check digit is reported without echoing the number', () => {
    const wrong = `${MY_NUMBER.slice(0, 11)}${(Number(MY_NUMBER[11]) + 1) % 10}`;
    const r = validate(csv([{}, { 個人番号: wrong }]));
    const errors = errorsOf(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ row: 2, line: 3, column: '個人番号', value: MASKED_MY_NUMBER, code: 'invalid_value' });
    const everything = JSON.stringify(r) + errors.map(formatResidentFileError).join('\n');
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(wrong.slice(0, 8));
    expect(everything).not.toContain(MY_NUMBER);
  });

  it('DATA-06: one My Number on two 宛名番号 is rejected, still masked', () => {
    const r = validate(csv([{ 個人番号: MY_NUMBER }, { 個人番号: MY_NUMBER }]));
    const errors = errorsOf(r);
    expect(errors[0]).toMatchObject({ row: 2, column: '個人番号', code: 'duplicate_my_number', value: MASKED_MY_NUMBER });
    expect(JSON.stringify(r)).not.toContain(MY_NUMBER);
  });

  it('rejects a duplicate 宛名番号, naming the first row', () => {
    const errors = errorsOf(validate(csv([{ 宛名番号: '77' }, {}, { 宛名番号: '077' }, { 宛名番号: '77' }])));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ row: 4, line: 5, column: '宛名番号', value: '77', code: 'duplicate_address_number' });
    expect(errors[0]?.reason.en).toContain('row 1');
  });

  it('rejects bad and impossible dates, with row, line and value', () => {
    const errors = errorsOf(validate(csv([{ 生年月日: '2024-02-30' }, { 生年月日: 'H31.5.1' }, { 異動日: '令和0年1月1日' }, { 生年月日: 'yesterday' }])));
    expect(errors.map((e) => [e.row, e.line, e.column, e.value])).toEqual([
      [1, 2, '生年月日', '2024-02-30'],
      [2, 3, '生年月日', 'H31.5.1'],
      [3, 4, '異動日', '令和0年1月1日'],
      [4, 5, '生年月日', 'yesterday'],
    ]);
    for (const e of errors) {
      expect(e.reason.ja).toMatch(/[ぁ-んァ-ン一-龯]/u);
      expect(e.reason.en).toMatch(/[a-z]{3}/u);
    }
  });

  it('checks codes: 性別, 異動事由, 住民区分, 郵便番号, kana', () => {
    const errors = errorsOf(validate(csv([
      { 性別: '3' }, { 異動事由: '99' }, { 異動事由: '引越' }, { 住民区分: '3' }, { 郵便番号: '99-12345' },
      { 氏名カナ: 'やまだ　たろう' }, { 氏名カナ: 'YAMADA' }, { 宛名番号: 'A123' }, { 宛名番号: '1234567890123456' },
    ])));
    expect(errors.map((e) => e.column)).toEqual(['性別', '異動事由', '異動事由', '住民区分', '郵便番号', '氏名カナ', '氏名カナ', '宛名番号', '宛名番号']);
    expect(errors[5]?.reason.ja).toContain('ひらがな');
  });

  it('checks cross-field rules', () => {
    const errors = errorsOf(validate(csv([
      { 異動日: '1970-01-01' }, // before birth
      { 異動事由: '', 異動日: '2020-01-01' },
      { 異動事由: '転居', 異動日: '' },
      { 通称: '中村' }, // 日本人 with 通称
      { 住民区分: '外国人', 国籍: '' },
    ])));
    expect(errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [1, '異動日', 'inconsistent_row'], [2, '異動事由', 'inconsistent_row'], [3, '異動日', 'inconsistent_row'],
      [4, '通称', 'inconsistent_row'], [5, '国籍', 'inconsistent_row'],
    ]);
  });

  it('requires 異動事由 on every row of a delta file', () => {
    const errors = errorsOf(validate(csv([{ 異動事由: '', 異動日: '' }]), { mode: 'delta' }));
    expect(errors[0]).toMatchObject({ row: 1, column: '異動事由' });
  });

  it('refuses 外字 (private use), control characters and replacement characters in names', () => {
    const errors = errorsOf(validate(csv([{ 氏名: '山\uE001' }, { 氏名: '山\u0007' }, { 住所: '本町\uFFFD' }])));
    expect(errors.map((e) => e.column)).toEqual(['氏名', '氏名', '住所']);
    expect(errors[0]?.reason.ja).toContain('外字');
  });

  it('reports missing, duplicate and empty headers and skips the rows', () => {
    const columns: string[] = [...RESIDENT_COLUMNS.filter((c) => c !== '生年月日' && c !== '氏名カナ'), '氏名', ''];
    const errors = errorsOf(validate(csv([{}, {}], columns)));
    expect(errors.map((e) => [e.code, e.column, e.row])).toEqual([
      ['duplicate_header', '氏名', null], ['empty_header', null, null], ['missing_header', '氏名カナ', null], ['missing_header', '生年月日', null],
    ]);
    const delta = errorsOf(validate(csv([{}], RESIDENT_COLUMNS.filter((c) => c !== '異動日')), { mode: 'delta' }));
    expect(delta.map((e) => e.column)).toEqual(['異動日']);
  });

  it('reports a wrong number of fields per row', () => {
    const text = `${csv([{}])}1000000009,,x\r\n`;
    const errors = errorsOf(validate(text));
    expect(errors[0]).toMatchObject({ row: 2, line: 3, code: 'field_count', column: null, value: null });
  });

  it('reports malformed CSV (unclosed quote) and wrong encoding as file errors', () => {
    const broken = `${csv([{}, {}])}1000000009,"unclosed,山田\r\n`;
    expect(errorsOf(validate(broken))[0]).toMatchObject({ code: 'malformed_csv', line: 4 });
    const sjis = iconv.encode(csv([{}]), 'cp932');
    expect(errorsOf(validate(sjis, { encoding: 'utf8' }))[0]).toMatchObject({ code: 'invalid_encoding', line: 1 });
  });

  it('reports a missing header row and size / row limits', () => {
    expect(errorsOf(validate('\r\n\r\n'))[0]?.code).toBe('missing_header');
    expect(errorsOf(validate(csv([{}, {}, {}]), { maxRows: 2 }))[0]?.code).toBe('too_many_rows');
    expect(errorsOf(validate(csv([{}]), { maxBytes: 100 }))[0]?.code).toBe('file_too_large');
  });

  it('keeps the first maxErrors errors and counts all', () => {
    const r = validate(csv(Array.from({ length: 30 }, () => ({ 性別: 'x' }))), { maxErrors: 5 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toHaveLength(5);
      expect(r.errorCount).toBe(30);
    }
  });

  it('formats an error on one line with both languages', () => {
    const [e] = errorsOf(validate(csv([{ 性別: '9' }])));
    expect(e && formatResidentFileError(e)).toBe('line 2, row 1, column 性別: 性別は 1（男）または 2（女）です / 性別 (sex) must be 1 (男, male) or 2 (女, female) [9]');
  });
});

describe('validateResidentFileYielding (the server path)', () => {
  // About 3 MB: more than one 2 MB slice, so the event loop gets a turn in between.
  const many = Array.from({ length: 15_000 }, (_, i) => ({ 宛名番号: String(3000000000 + i), 個人番号: '' }));

  it('gives the same result as validateResidentFile, good or bad, and lets other work run meanwhile', async () => {
    for (const rows of [many, [...many.slice(0, 14_000), { 生年月日: '2023-02-30' }, ...many.slice(14_000)]]) {
      const buf = Buffer.from(csv(rows), 'utf8');
      let turns = 0;
      const tick = setInterval(() => turns++, 0);
      const yielded = await validateResidentFileYielding(buf);
      clearInterval(tick);
      expect(yielded).toEqual(validateResidentFile(buf));
      expect(turns).toBeGreaterThan(0);
    }
  });
});
