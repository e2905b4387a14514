// control: DATA-04 — matching keys survive 異体字, width, spacing and kana variants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressKey, ITAIJI_TABLE, kanaKey, kanjiNumeralToNumber, nameKey } from '../../src/domain/jp-name-normalize.ts';

describe('control: DATA-04 nameKey', () => {
  it('folds the 異体字 of the brief to one key', () => {
    const same: [string, string][] = [
      ['髙橋　一郎', '高橋 一郎'], ['山﨑', '山崎'], ['山碕', '山崎'], ['山嵜', '山崎'],
      ['渡邊', '渡辺'], ['渡邉', '渡辺'], ['齋藤', '斎藤'], ['齊藤', '斎藤'], ['斉藤', '斎藤'],
      ['濵田', '浜田'], ['濱田', '浜田'], ['澤田', '沢田'], ['櫻井', '桜井'], ['國分', '国分'],
      ['廣瀬', '広瀬'], ['德永', '徳永'], ['冨田', '富田'], ['嶋田', '島田'], ['大嶌', '大島'],
      ['桒原', '桑原'], ['大\uFA10', '大塚'], ['𠮷田', '吉田'], ['篭橋', '籠橋'], ['長瀨', '長瀬'], ['曾根', '曽根'],
    ];
    for (const [a, b] of same) expect(nameKey(a), `${a} ~ ${b}`).toBe(nameKey(b));
  });

  it('ignores width, spaces (incl. U+3000), ・ and case', () => {
    expect(nameKey('山田　太郎')).toBe(nameKey('山田太郎'));
    expect(nameKey(' 山田 太郎 ')).toBe('山田太郎');
    expect(nameKey('ＮＧＵＹＥＮ　ＶＡＮ　ＡＮ')).toBe(nameKey('nguyen van an'));
    expect(nameKey('グエン・ヴァン・アン')).toBe(nameKey('グエン ヴァン アン'));
    expect(nameKey('ｸﾞｴﾝ')).toBe(nameKey('グエン'));
  });

  it('folds hiragana, long vowels, ヶ and 々', () => {
    expect(nameKey('さくら')).toBe(nameKey('サクラ'));
    expect(nameKey('ジョーンズ')).toBe(nameKey('ジョ-ンズ'));
    expect(nameKey('ジョーンズ')).toBe(nameKey('ジョｰンズ'));
    expect(nameKey('ジョーンズ')).toBe(nameKey('ジョ‐ンズ'));
    expect(nameKey('一ヶ谷')).toBe(nameKey('一ケ谷'));
    expect(nameKey('佐々木')).toBe(nameKey('佐佐木'));
    expect(nameKey('々')).toBe('々');
    expect(nameKey(nameKey('ア々々'))).toBe(nameKey('ア々々'));
  });

  it('drops variation selectors (IVS)', () => {
    expect(nameKey('葛\u{E0100}城')).toBe(nameKey('葛城'));
  });

  it('keeps different names apart', () => {
    expect(nameKey('高橋')).not.toBe(nameKey('高槁'));
    expect(nameKey('山崎')).not.toBe(nameKey('山埼'));
    expect(nameKey('埼玉')).not.toBe(nameKey('崎玉'));
  });

  it('is idempotent and maps every table variant to its standard form (property)', () => {
    for (const [variant, standard] of ITAIJI_TABLE) expect(nameKey(variant)).toBe(nameKey(standard));
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (s) => {
      expect(nameKey(nameKey(s))).toBe(nameKey(s));
    }));
  });

  it('has no variant listed twice', () => {
    const variants = ITAIJI_TABLE.map(([v]) => v);
    expect(new Set(variants).size).toBe(variants.length);
  });
});

describe('control: DATA-04 kanaKey', () => {
  it('folds width, hiragana, spaces and small kana', () => {
    expect(kanaKey('ﾔﾏﾀﾞ ﾀﾛｳ')).toBe(kanaKey('ヤマダ　タロウ'));
    expect(kanaKey('やまだ　たろう')).toBe(kanaKey('ヤマダタロウ'));
    expect(kanaKey('キャンベル')).toBe(kanaKey('キヤンベル'));
    expect(kanaKey('ハットリ')).toBe(kanaKey('ハツトリ'));
    expect(kanaKey('ヴィエン')).toBe(kanaKey('ヴイエン'));
    expect(kanaKey('ヵ')).toBe('カ');
  });

  it('folds the readings registers spell either way', () => {
    expect(kanaKey('ツヅキ')).toBe(kanaKey('ツズキ'));
    expect(kanaKey('チヂワ')).toBe(kanaKey('チジワ'));
    expect(kanaKey('ヲノ')).toBe(kanaKey('オノ'));
  });

  it('unifies long vowel marks but keeps them', () => {
    expect(kanaKey('オーノ')).toBe(kanaKey('オｰノ'));
    expect(kanaKey('オーノ')).toBe(kanaKey('オ−ノ'));
    expect(kanaKey('オーノ')).not.toBe(kanaKey('オノ'));
  });
});

describe('control: DATA-04 addressKey', () => {
  it('writes block numbers as 3-4-5 in all common notations', () => {
    const k = addressKey('デモ県さくら市本町3-4-5');
    for (const s of [
      'デモ県さくら市本町三丁目4番5号',
      'デモ県さくら市本町三丁目四番五号',
      'デモ県さくら市本町3丁目4番地5',
      'デモ県さくら市本町3丁目4番地の5',
      'デモ県さくら市本町三丁目四番地の五',
      'デモ県さくら市本町３－４－５',
      'デモ県さくら市本町3ー4ー5',
      'デモ県さくら市本町　3‐4‐5',
      'デモ県さくら市本町3丁目4-5',
    ]) expect(addressKey(s), s).toBe(k);
  });

  it('keeps kanji numerals that are part of a place name', () => {
    expect(addressKey('千代田区一番町5番地')).toBe('千代田区一番町5');
    expect(addressKey('四日市市')).toBe('四日市市');
    expect(addressKey('八王子市')).toBe('八王子市');
  });

  it('folds 大字, ヶ/ケ, 異体字 and room numbers', () => {
    expect(addressKey('さくら市大字上野1234番地')).toBe(addressKey('さくら市上野1234'));
    expect(addressKey('さくら市桜ヶ丘2丁目1番1号')).toBe(addressKey('さくら市桜ケ丘2-1-1'));
    expect(addressKey('さくら市山﨑1番地')).toBe(addressKey('さくら市山崎1'));
    expect(addressKey('本町1-2-3　さくらハイツ101号室')).toBe(addressKey('本町1丁目2番3号 さくらハイツ101'));
  });

  it('reads kanji numerals', () => {
    expect(kanjiNumeralToNumber('三')).toBe(3);
    expect(kanjiNumeralToNumber('十')).toBe(10);
    expect(kanjiNumeralToNumber('十二')).toBe(12);
    expect(kanjiNumeralToNumber('二十三')).toBe(23);
    expect(kanjiNumeralToNumber('百五')).toBe(105);
    expect(kanjiNumeralToNumber('一〇一')).toBe(101);
    expect(kanjiNumeralToNumber('本')).toBeNull();
    expect(addressKey('本町二十三丁目1番')).toBe('本町23-1');
  });
});
