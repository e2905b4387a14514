// Matching keys for names, kana readings and addresses. Used ONLY to compare and search: a stored
// name keeps its exact characters (髙, 﨑, 𠮷); the key is derived from it and never shown.
// Two spellings of one person (髙橋 / 高橋, ヤマザキ / やまざき, 三丁目4番5号 / 3-4-5) get the
// same key, so a match on the 4 basic facts survives variants, width and spacing.
// control: DATA-04

/**
 * 異体字 → the form used in keys (usually the 常用/通用 form). Data, not code: extend it freely; a
 * character that is not listed is kept as is. Order does not matter; each variant appears once.
 */
export const ITAIJI_TABLE: ReadonlyArray<readonly [variant: string, standard: string]> = [
  ['髙', '高'],
  ['﨑', '崎'], ['碕', '崎'], ['嵜', '崎'],
  ['邊', '辺'], ['邉', '辺'],
  ['齋', '斎'], ['齊', '斎'], ['斉', '斎'],
  ['濵', '浜'], ['濱', '浜'],
  ['澤', '沢'],
  ['櫻', '桜'],
  ['國', '国'],
  ['廣', '広'],
  ['德', '徳'],
  ['冨', '富'],
  ['嶋', '島'], ['嶌', '島'],
  ['桒', '桑'],
  ['\uFA10', '塚'], // 塚 (CJK compatibility ideograph; NFKC already folds it, kept for the record)
  ['𠮷', '吉'],
  ['篭', '籠'],
  ['髮', '髪'],
  ['瀨', '瀬'],
  ['曾', '曽'],
  ['惠', '恵'],
  ['榮', '栄'],
  ['眞', '真'],
  ['壽', '寿'],
  ['實', '実'],
  ['藏', '蔵'],
  ['龍', '竜'],
  ['條', '条'],
  ['淺', '浅'],
  ['黑', '黒'],
  ['靜', '静'],
  ['舘', '館'],
  ['萬', '万'],
  ['與', '与'],
  ['圓', '円'],
  ['來', '来'],
  ['亞', '亜'],
  ['兒', '児'],
  ['彌', '弥'],
  ['豐', '豊'],
  ['鐵', '鉄'],
  ['戶', '戸'],
  ['槇', '槙'],
  ['舩', '船'],
  ['峯', '峰'],
  ['嶽', '岳'],
  ['驛', '駅'],
  ['縣', '県'],
  ['盃', '杯'],
];

const ITAIJI: ReadonlyMap<string, string> = new Map(ITAIJI_TABLE);
const ITAIJI_RE = new RegExp(`[${[...ITAIJI.keys()].join('')}]`, 'gu');

// Standardized variation sequences and ideographic variation selectors (IVS, e.g. 葛 + U+E0100)
// choose a glyph, not a character: drop them.
const VARIATION_SELECTORS = /[\uFE00-\uFE0F]|[\u{E0100}-\u{E01EF}]/gu;
// Any whitespace (NFKC has already turned U+3000 into U+0020) and the name separators ・ and ･.
const SPACES_AND_DOTS = /[\s\u30FB\uFF65\u00B7]/gu;
// Long-vowel marks and the dashes people type for them.
const LONG_VOWELS = /[\u30FC\uFF70\u002D\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFF0D\u301C\uFF5E]/gu;
const HIRAGANA = /[\u3041-\u3096\u309D\u309E]/gu;

/** Small kana folded to full size in kana keys (ァ→ア … ッ→ツ, ヵ→カ, ヶ→ケ, ヮ→ワ). */
export const SMALL_KANA_FOLD: Readonly<Record<string, string>> = {
  ァ: 'ア', ィ: 'イ', ゥ: 'ウ', ェ: 'エ', ォ: 'オ', ッ: 'ツ', ャ: 'ヤ', ュ: 'ユ', ョ: 'ヨ', ヮ: 'ワ',
  ヵ: 'カ', ヶ: 'ケ', ㇰ: 'ク', ㇱ: 'シ', ㇲ: 'ス', ㇳ: 'ト', ㇵ: 'ハ', ㇶ: 'ヒ', ㇷ: 'フ', ㇸ: 'ヘ',
  ㇹ: 'ホ', ㇺ: 'ム', ㇻ: 'ラ', ㇼ: 'リ', ㇽ: 'ル', ㇾ: 'レ', ㇿ: 'ロ',
};
/** Readings that registers write either way: ヂ/ジ, ヅ/ズ, and the historical ヰ/ヱ/ヲ. */
export const KANA_SOUND_FOLD: Readonly<Record<string, string>> = { ヂ: 'ジ', ヅ: 'ズ', ヰ: 'イ', ヱ: 'エ', ヲ: 'オ' };
const SMALL_KANA_RE = new RegExp(`[${Object.keys(SMALL_KANA_FOLD).join('')}]`, 'gu');
const KANA_SOUND_RE = new RegExp(`[${Object.keys(KANA_SOUND_FOLD).join('')}]`, 'gu');

function hiraganaToKatakana(s: string): string {
  return s.replace(HIRAGANA, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

function foldItaiji(s: string): string {
  return s.replace(ITAIJI_RE, (c) => ITAIJI.get(c) ?? c);
}

/** 々 repeats the previous character: 佐々木 and 佐佐木 are one key. */
function expandRepeatMark(s: string): string {
  if (!s.includes('々')) return s;
  let out = '';
  let prev = '';
  for (const c of s) {
    const ch = c === '々' && prev !== '' ? prev : c;
    out += ch;
    prev = ch;
  }
  return out;
}

/** Romaji is ASCII after NFKC; full Unicode upper-casing could un-normalise other scripts. */
function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/gu, (m) => m.toUpperCase());
}

function base(s: string): string {
  return s.normalize('NFKC').replace(VARIATION_SELECTORS, '');
}

/**
 * Key for a name in kanji or in the alphabet: NFKC (width), no spaces or ・, hiragana → katakana,
 * long-vowel marks unified to ー, ヶ/ヵ → ケ, 々 expanded, 異体字 folded, a–z upper-cased.
 */
export function nameKey(s: string): string {
  let k = base(s).replace(SPACES_AND_DOTS, '');
  k = hiraganaToKatakana(k).replace(LONG_VOWELS, 'ー').replace(/[ヶヵ]/gu, 'ケ');
  return asciiUpper(foldItaiji(expandRepeatMark(k)));
}

/**
 * Key for a kana reading: as nameKey, plus small kana folded to full size (キャ ≈ キヤ) and the
 * ヂ/ジ, ヅ/ズ, ヰ/イ, ヱ/エ, ヲ/オ pairs folded, because readings are keyed in either way.
 */
export function kanaKey(s: string): string {
  let k = base(s).replace(SPACES_AND_DOTS, '');
  k = hiraganaToKatakana(k).replace(LONG_VOWELS, 'ー');
  k = k.replace(SMALL_KANA_RE, (c) => SMALL_KANA_FOLD[c] ?? c);
  return asciiUpper(k.replace(KANA_SOUND_RE, (c) => KANA_SOUND_FOLD[c] ?? c));
}

const KANJI_DIGIT: Readonly<Record<string, number>> = {
  〇: 0, 零: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const KANJI_UNIT: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };

/** 三 → 3, 十二 → 12, 二十三 → 23, 百五 → 105, 一〇一 → 101. Null if not a kanji numeral. */
export function kanjiNumeralToNumber(s: string): number | null {
  if (s === '' || ![...s].every((c) => c in KANJI_DIGIT || c in KANJI_UNIT)) return null;
  if (![...s].some((c) => c in KANJI_UNIT)) {
    return Number([...s].map((c) => KANJI_DIGIT[c]).join(''));
  }
  let total = 0;
  let digit: number | null = null;
  for (const c of s) {
    const unit = KANJI_UNIT[c];
    if (unit === undefined) {
      digit = KANJI_DIGIT[c] ?? 0;
    } else {
      total += (digit ?? 1) * unit;
      digit = null;
    }
  }
  return total + (digit ?? 0);
}

const KANJI_NUM = '[〇零一二三四五六七八九十百千]+';
// A kanji numeral counts as a block number only right before 丁目, 番地, 号, or 番 when 番 is
// followed by a number, a dash or the end — so 一番町 and 八王子 keep their kanji.
const KANJI_BLOCK = new RegExp(`(${KANJI_NUM})(?=丁目|番地|号|番(?:[0-9〇零一二三四五六七八九十-]|$))`, 'gu');
// …and right after 番地の / 番の at the end (四番地の五).
const KANJI_AFTER_NO = new RegExp(`(?<=番地?の)(${KANJI_NUM})(?=号|$)`, 'gu');
const DASHES = /[\u002D\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFF0D\uFF70]/gu;

/**
 * Key for an address: NFKC, no spaces, 異体字 and ヶ/ヵ folded, 大字 dropped, hyphen variants
 * unified, and block numbers (丁目・番地・番・号, の between numbers) written as 3-4-5 —
 * 'さくら市本町三丁目4番地5号' and 'さくら市本町3-4-5' share a key. Kanji numerals elsewhere
 * (四日市, 一番町) are kept. Prefecture/city omission is not folded: compare like with like.
 */
export function addressKey(s: string): string {
  let k = base(s).replace(/\s+/gu, '');
  k = foldItaiji(expandRepeatMark(k)).replace(/[ヶヵケ]/gu, 'ケ').replace(/大字/gu, '');
  const toDigits = (n: string): string => String(kanjiNumeralToNumber(n) ?? n);
  k = k.replace(KANJI_BLOCK, toDigits).replace(KANJI_AFTER_NO, toDigits);
  // ー between digits is a dash typed with the kana key.
  k = k.replace(DASHES, '-').replace(/(?<=[0-9])ー(?=[0-9])/gu, '-');
  k = k
    .replace(/([0-9]+)丁目/gu, '$1-')
    .replace(/([0-9]+)番地?の?(?=[0-9]|-|$)/gu, '$1-')
    .replace(/([0-9]+)番地/gu, '$1-')
    .replace(/([0-9]+)号?室/gu, '$1')
    .replace(/([0-9]+)号/gu, '$1')
    .replace(/(?<=[0-9])の(?=[0-9])/gu, '-');
  // Collapse runs, and drop a dash that no longer separates two numbers.
  return k.replace(/-{2,}/gu, '-').replace(/-(?![0-9])/gu, '').replace(/(?<![0-9])-/gu, '');
}
