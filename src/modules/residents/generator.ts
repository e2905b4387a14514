// Synthetic city for demos, load tests and validator tests: a full resident-register file in the
// import layout, then yearly delta files of births, deaths and moves that are consistent with it.
// Deterministic for a seed (own PRNG), streaming (rows are produced one at a time), and compact:
// per person only a few typed-array entries are kept, and any person is rebuilt on demand from its
// household's seed. Pure: the CLI (cli-generate.ts) does the writing.
// Every 個人番号 here is synthetic (syntheticMyNumber) — never use this data as real.
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { dayFromCivil, parseIsoDate, ymdOf, type Day } from '../../domain/dates.ts';
import { syntheticMyNumber } from '../../security/my-number.ts';
import { RESIDENT_COLUMNS, eventLabel, type ResidentEventKind } from './layout.ts';

// ---------------------------------------------------------------------------------------------
// PRNG: mulberry32, seeded per household so that any household can be rebuilt in isolation.

export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit mix of two integers (murmur3 finaliser). */
function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function int(rng: Random, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Weighted choice over a fixed table, by binary search on cumulative weights. */
class Weighted<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;
  constructor(private readonly items: readonly T[], weight: (item: T) => number) {
    let sum = 0;
    for (const item of items) {
      sum += weight(item);
      this.cumulative.push(sum);
    }
    this.total = sum;
  }
  pick(rng: Random): T {
    const x = rng() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}

// ---------------------------------------------------------------------------------------------
// Tables. Readings are the usual ones; variants (異体字) share the reading of the standard form.

interface Reading {
  readonly kanji: string;
  readonly kana: string;
}
interface Surname extends Reading {
  readonly weight: number;
  /** 異体字 spellings and their share of this surname (e.g. 髙橋 ≈ 2 % of 高橋). */
  readonly variants?: ReadonlyArray<readonly [kanji: string, share: number]>;
}

// Weights ≈ per-mille of the population (rough national frequencies).
const SURNAMES: readonly Surname[] = [
  { kanji: '佐藤', kana: 'サトウ', weight: 15 }, { kanji: '鈴木', kana: 'スズキ', weight: 14 },
  { kanji: '高橋', kana: 'タカハシ', weight: 11, variants: [['髙橋', 0.02]] },
  { kanji: '田中', kana: 'タナカ', weight: 10.5 }, { kanji: '伊藤', kana: 'イトウ', weight: 8.5 },
  { kanji: '渡辺', kana: 'ワタナベ', weight: 8.5, variants: [['渡邊', 0.04], ['渡邉', 0.05]] },
  { kanji: '山本', kana: 'ヤマモト', weight: 8.5 }, { kanji: '中村', kana: 'ナカムラ', weight: 8 },
  { kanji: '小林', kana: 'コバヤシ', weight: 8 }, { kanji: '加藤', kana: 'カトウ', weight: 7 },
  { kanji: '吉田', kana: 'ヨシダ', weight: 6.5, variants: [['𠮷田', 0.004]] },
  { kanji: '山田', kana: 'ヤマダ', weight: 6.5 }, { kanji: '佐々木', kana: 'ササキ', weight: 5.5 },
  { kanji: '山口', kana: 'ヤマグチ', weight: 5 }, { kanji: '松本', kana: 'マツモト', weight: 5 },
  { kanji: '井上', kana: 'イノウエ', weight: 5 }, { kanji: '木村', kana: 'キムラ', weight: 4.5 },
  { kanji: '林', kana: 'ハヤシ', weight: 4.2 },
  { kanji: '斎藤', kana: 'サイトウ', weight: 4.2, variants: [['齋藤', 0.12], ['齊藤', 0.05]] },
  { kanji: '清水', kana: 'シミズ', weight: 4 },
  { kanji: '山崎', kana: 'ヤマザキ', weight: 3.5, variants: [['山﨑', 0.05]] },
  { kanji: '森', kana: 'モリ', weight: 3.5 }, { kanji: '池田', kana: 'イケダ', weight: 3.3 },
  { kanji: '橋本', kana: 'ハシモト', weight: 3.3 }, { kanji: '阿部', kana: 'アベ', weight: 3.3 },
  { kanji: '石川', kana: 'イシカワ', weight: 3.2 }, { kanji: '山下', kana: 'ヤマシタ', weight: 3 },
  { kanji: '中島', kana: 'ナカジマ', weight: 3, variants: [['中嶋', 0.1]] },
  { kanji: '石井', kana: 'イシイ', weight: 3 }, { kanji: '小川', kana: 'オガワ', weight: 3 },
  { kanji: '前田', kana: 'マエダ', weight: 3 }, { kanji: '岡田', kana: 'オカダ', weight: 3 },
  { kanji: '長谷川', kana: 'ハセガワ', weight: 3 }, { kanji: '藤田', kana: 'フジタ', weight: 3 },
  { kanji: '後藤', kana: 'ゴトウ', weight: 3 }, { kanji: '近藤', kana: 'コンドウ', weight: 2.8 },
  { kanji: '村上', kana: 'ムラカミ', weight: 2.7 }, { kanji: '遠藤', kana: 'エンドウ', weight: 2.6 },
  { kanji: '青木', kana: 'アオキ', weight: 2.6 }, { kanji: '坂本', kana: 'サカモト', weight: 2.6 },
  { kanji: '斉藤', kana: 'サイトウ', weight: 2.5 }, { kanji: '福田', kana: 'フクダ', weight: 2.5 },
  { kanji: '太田', kana: 'オオタ', weight: 2.5 }, { kanji: '西村', kana: 'ニシムラ', weight: 2.4 },
  { kanji: '藤井', kana: 'フジイ', weight: 2.4 }, { kanji: '岡本', kana: 'オカモト', weight: 2.3 },
  { kanji: '藤原', kana: 'フジワラ', weight: 2.3 }, { kanji: '金子', kana: 'カネコ', weight: 2.3 },
  { kanji: '三浦', kana: 'ミウラ', weight: 2.3 }, { kanji: '中野', kana: 'ナカノ', weight: 2.3 },
  { kanji: '中川', kana: 'ナカガワ', weight: 2.2 }, { kanji: '原田', kana: 'ハラダ', weight: 2.2 },
  { kanji: '松田', kana: 'マツダ', weight: 2.2 }, { kanji: '竹内', kana: 'タケウチ', weight: 2.1 },
  { kanji: '小野', kana: 'オノ', weight: 2.1 }, { kanji: '田村', kana: 'タムラ', weight: 2.1 },
  { kanji: '中山', kana: 'ナカヤマ', weight: 2 }, { kanji: '和田', kana: 'ワダ', weight: 2 },
  { kanji: '石田', kana: 'イシダ', weight: 2 }, { kanji: '森田', kana: 'モリタ', weight: 2 },
  { kanji: '上田', kana: 'ウエダ', weight: 2 }, { kanji: '原', kana: 'ハラ', weight: 2 },
  { kanji: '内田', kana: 'ウチダ', weight: 1.9 }, { kanji: '柴田', kana: 'シバタ', weight: 1.9 },
  { kanji: '酒井', kana: 'サカイ', weight: 1.9 },
  { kanji: '宮崎', kana: 'ミヤザキ', weight: 1.9, variants: [['宮﨑', 0.04]] },
  { kanji: '横山', kana: 'ヨコヤマ', weight: 1.9 }, { kanji: '高木', kana: 'タカギ', weight: 1.8, variants: [['髙木', 0.02]] },
  { kanji: '安藤', kana: 'アンドウ', weight: 1.8 }, { kanji: '宮本', kana: 'ミヤモト', weight: 1.8 },
  { kanji: '大野', kana: 'オオノ', weight: 1.8 }, { kanji: '小島', kana: 'コジマ', weight: 1.8, variants: [['小嶋', 0.08]] },
  { kanji: '工藤', kana: 'クドウ', weight: 1.8 }, { kanji: '谷口', kana: 'タニグチ', weight: 1.7 },
  { kanji: '今井', kana: 'イマイ', weight: 1.7 }, { kanji: '高田', kana: 'タカダ', weight: 1.7, variants: [['髙田', 0.02]] },
  { kanji: '増田', kana: 'マスダ', weight: 1.7 }, { kanji: '丸山', kana: 'マルヤマ', weight: 1.7 },
  { kanji: '杉山', kana: 'スギヤマ', weight: 1.7 }, { kanji: '村田', kana: 'ムラタ', weight: 1.6 },
  { kanji: '大塚', kana: 'オオツカ', weight: 1.6, variants: [['大\uFA10', 0.01]] },
  { kanji: '新井', kana: 'アライ', weight: 1.6 }, { kanji: '小山', kana: 'コヤマ', weight: 1.6 },
  { kanji: '平野', kana: 'ヒラノ', weight: 1.6 }, { kanji: '藤本', kana: 'フジモト', weight: 1.6 },
  { kanji: '河野', kana: 'コウノ', weight: 1.6 }, { kanji: '上野', kana: 'ウエノ', weight: 1.5 },
  { kanji: '野口', kana: 'ノグチ', weight: 1.5 }, { kanji: '武田', kana: 'タケダ', weight: 1.5 },
  { kanji: '松井', kana: 'マツイ', weight: 1.5 }, { kanji: '千葉', kana: 'チバ', weight: 1.5 },
  { kanji: '岩崎', kana: 'イワサキ', weight: 1.5, variants: [['岩﨑', 0.04]] },
  { kanji: '菅原', kana: 'スガワラ', weight: 1.5 }, { kanji: '木下', kana: 'キノシタ', weight: 1.5 },
  { kanji: '久保', kana: 'クボ', weight: 1.5 }, { kanji: '佐野', kana: 'サノ', weight: 1.5 },
  { kanji: '野村', kana: 'ノムラ', weight: 1.5 }, { kanji: '松尾', kana: 'マツオ', weight: 1.5 },
  { kanji: '市川', kana: 'イチカワ', weight: 1.4 }, { kanji: '菊地', kana: 'キクチ', weight: 1.4 },
  { kanji: '杉本', kana: 'スギモト', weight: 1.4 }, { kanji: '古川', kana: 'フルカワ', weight: 1.4 },
  { kanji: '大西', kana: 'オオニシ', weight: 1.4 },
  { kanji: '島田', kana: 'シマダ', weight: 1.4, variants: [['嶋田', 0.05]] },
  { kanji: '水野', kana: 'ミズノ', weight: 1.4 }, { kanji: '桜井', kana: 'サクライ', weight: 1.4, variants: [['櫻井', 0.03]] },
  { kanji: '高野', kana: 'タカノ', weight: 1.3 }, { kanji: '渡部', kana: 'ワタナベ', weight: 1.3 },
  { kanji: '吉川', kana: 'ヨシカワ', weight: 1.3 }, { kanji: '山内', kana: 'ヤマウチ', weight: 1.3 },
  { kanji: '西田', kana: 'ニシダ', weight: 1.3 }, { kanji: '飯田', kana: 'イイダ', weight: 1.3 },
  { kanji: '菅野', kana: 'カンノ', weight: 1.3 },
  { kanji: '浜田', kana: 'ハマダ', weight: 1.2, variants: [['濱田', 0.05], ['濵田', 0.01]] },
  { kanji: '沢田', kana: 'サワダ', weight: 1, variants: [['澤田', 0.3]] },
  { kanji: '広瀬', kana: 'ヒロセ', weight: 1, variants: [['廣瀬', 0.05]] },
  { kanji: '富田', kana: 'トミタ', weight: 1, variants: [['冨田', 0.2]] },
  { kanji: '徳永', kana: 'トクナガ', weight: 0.8, variants: [['德永', 0.03]] },
  { kanji: '桑原', kana: 'クワハラ', weight: 0.8, variants: [['桒原', 0.01]] },
  { kanji: '国分', kana: 'コクブン', weight: 0.4, variants: [['國分', 0.05]] },
  { kanji: '長瀬', kana: 'ナガセ', weight: 0.4, variants: [['長瀨', 0.02]] },
  { kanji: '曽根', kana: 'ソネ', weight: 0.4, variants: [['曾根', 0.2]] },
];

interface GivenName extends Reading {
  readonly weight: number;
}
// Given names by birth cohort (<1950, 1950–69, 1970–89, 1990–2009, 2010–): names follow fashion.
const COHORT_START = [0, 1950, 1970, 1990, 2010] as const;
function names(list: string): GivenName[] {
  return list.split(' ').map((pair, i) => {
    const [kanji = '', kana = ''] = pair.split(':');
    return { kanji, kana, weight: 1 / (1 + i * 0.08) };
  });
}
const MALE_NAMES: readonly (readonly GivenName[])[] = [
  names('清:キヨシ 茂:シゲル 勇:イサム 博:ヒロシ 実:ミノル 進:ススム 正:タダシ 三郎:サブロウ 正男:マサオ 一郎:イチロウ 武:タケシ 昭:アキラ 勝:マサル 稔:ミノル 弘:ヒロシ'),
  names('誠:マコト 浩:ヒロシ 隆:タカシ 修:オサム 健一:ケンイチ 博之:ヒロユキ 和彦:カズヒコ 秀樹:ヒデキ 明:アキラ 聡:サトシ 正人:マサト 幸一:コウイチ 剛:ツヨシ 英樹:ヒデキ 茂:シゲル'),
  names('大輔:ダイスケ 拓也:タクヤ 健太:ケンタ 直樹:ナオキ 和也:カズヤ 達也:タツヤ 哲也:テツヤ 翔:ショウ 亮:リョウ 誠:マコト 健:ケン 雄一:ユウイチ 大介:ダイスケ 智也:トモヤ 剛:ツヨシ'),
  names('翔太:ショウタ 拓海:タクミ 大輝:ダイキ 翔:ショウ 健太:ケンタ 大樹:ダイキ 蓮:レン 颯太:ソウタ 悠斗:ユウト 陸:リク 大翔:ヒロト 翼:ツバサ 優斗:ユウト 海斗:カイト 駿:シュン'),
  names('蓮:レン 陽翔:ハルト 湊:ミナト 悠真:ユウマ 大翔:ヒロト 樹:イツキ 蒼:アオイ 朝陽:アサヒ 律:リツ 碧:アオイ 颯真:ソウマ 陽向:ヒナタ 悠人:ユウト 奏太:ソウタ 湊斗:ミナト'),
];
const FEMALE_NAMES: readonly (readonly GivenName[])[] = [
  names('和子:カズコ 幸子:サチコ 節子:セツコ 文子:フミコ 千代子:チヨコ 久子:ヒサコ 美代子:ミヨコ 静子:シズコ 芳子:ヨシコ 花子:ハナコ 照子:テルコ 信子:ノブコ 八重子:ヤエコ 光子:ミツコ 喜美子:キミコ'),
  names('恵子:ケイコ 京子:キョウコ 洋子:ヨウコ 陽子:ヨウコ 裕子:ユウコ 智子:トモコ 由美子:ユミコ 久美子:クミコ 直美:ナオミ 真由美:マユミ 明美:アケミ 順子:ジュンコ 典子:ノリコ 和美:カズミ 美智子:ミチコ'),
  names('愛:アイ 彩:アヤ 舞:マイ 綾香:アヤカ 麻衣:マイ 智美:トモミ 恵:メグミ 美穂:ミホ 友美:トモミ 沙織:サオリ 香織:カオリ 由佳:ユカ 陽子:ヨウコ 裕子:ユウコ 真由美:マユミ'),
  names('美咲:ミサキ 葵:アオイ 七海:ナナミ 陽菜:ヒナ さくら:サクラ 萌:モエ 彩花:アヤカ 優花:ユウカ 美羽:ミウ 結衣:ユイ 真央:マオ 未来:ミク 遥:ハルカ 杏:アン 千尋:チヒロ'),
  names('陽葵:ヒマリ 結菜:ユナ 凛:リン 紬:ツムギ 芽依:メイ 澪:ミオ 葵:アオイ 結愛:ユア 莉子:リコ 咲良:サクラ 杏:アン 陽菜:ヒナ 美桜:ミオ 心春:コハル 詩:ウタ'),
];

interface Nationality {
  readonly name: string;
  readonly weight: number;
  /** Share of residents of this nationality who register a 通称 (alias). */
  readonly aliasShare: number;
  /** Family names: kanji (or '' for alphabet-only), romaji, kana. */
  readonly family: readonly (readonly [string, string, string])[];
  readonly male: readonly (readonly [string, string, string])[];
  readonly female: readonly (readonly [string, string, string])[];
  /** Vietnamese-style middle name by sex (VAN / THI). */
  readonly middle?: { readonly M: readonly [string, string]; readonly F: readonly [string, string] };
  /** Age range of adults: 特別永住者 (韓国) are older than recent arrivals. */
  readonly adultAge: readonly [number, number];
}
function triples(list: string): (readonly [string, string, string])[] {
  return list.split(' ').map((t) => {
    const [kanji = '', romaji = '', kana = ''] = t.split(':');
    return [kanji, romaji, kana] as const;
  });
}
const NATIONALITIES: readonly Nationality[] = [
  { name: '中国', weight: 28, aliasShare: 0.1, adultAge: [20, 60],
    family: triples('王:WANG:ワン 李:LI:リ 張:ZHANG:チャン 劉:LIU:リュウ 陳:CHEN:チェン 楊:YANG:ヤン 趙:ZHAO:チャオ 黄:HUANG:ホアン 周:ZHOU:チョウ 呉:WU:ウー'),
    male: triples('偉:WEI:ウェイ 強:QIANG:チアン 磊:LEI:レイ 洋:YANG:ヤン 勇:YONG:ヨン 軍:JUN:ジュン 傑:JIE:ジエ 明:MING:ミン'),
    female: triples('芳:FANG:ファン 娜:NA:ナー 敏:MIN:ミン 静:JING:ジン 麗:LI:リー 艶:YAN:イェン 婷:TING:ティン 華:HUA:ホア') },
  { name: 'ベトナム', weight: 21, aliasShare: 0, adultAge: [19, 40],
    family: triples(':NGUYEN:グエン :TRAN:チャン :LE:レ :PHAM:ファム :HOANG:ホアン :VU:ヴ :DO:ド :BUI:ブイ'),
    middle: { M: ['VAN', 'ヴァン'], F: ['THI', 'ティ'] },
    male: triples(':AN:アン :NAM:ナム :DUC:ドゥック :HUNG:フン :MINH:ミン :TUAN:トゥアン'),
    female: triples(':HOA:ホア :LAN:ラン :MAI:マイ :THU:トゥ :LINH:リン :HUONG:フオン') },
  { name: '韓国', weight: 14, aliasShare: 0.45, adultAge: [25, 90],
    family: triples('金:KIM:キム 李:LEE:イ 朴:PARK:パク 崔:CHOI:チェ 鄭:JEONG:チョン 姜:KANG:カン 趙:CHO:チョ 尹:YOON:ユン'),
    male: triples('志勲:JIHUN:ジフン 賢宇:HYEONU:ヒョヌ 敏俊:MINJUN:ミンジュン 英浩:YEONGHO:ヨンホ 成浩:SEONGHO:ソンホ 秀賢:SUHYEON:スヒョン'),
    female: triples('瑞妍:SEOYEON:ソヨン 智恩:JIEUN:ジウン 美淑:MISUK:ミスク 惠珍:HYEJIN:ヘジン 秀珍:SUJIN:スジン 恩貞:EUNJEONG:ウンジョン') },
  { name: 'フィリピン', weight: 10, aliasShare: 0, adultAge: [22, 60],
    family: triples(':SANTOS:サントス :REYES:レイエス :CRUZ:クルス :GARCIA:ガルシア :BAUTISTA:バウティスタ :MENDOZA:メンドーサ'),
    male: triples(':JOSE:ホセ :MARK:マーク :JOHN:ジョン :PAOLO:パオロ'),
    female: triples(':MARIA:マリア :ANA:アナ :GRACE:グレース :JOY:ジョイ') },
  { name: 'ブラジル', weight: 7, aliasShare: 0, adultAge: [20, 65],
    family: triples(':SILVA:シルバ :SANTOS:サントス :OLIVEIRA:オリベイラ :SOUZA:ソウザ :PEREIRA:ペレイラ :COSTA:コスタ'),
    male: triples(':LUCAS:ルーカス :GABRIEL:ガブリエル :RAFAEL:ラファエル :PEDRO:ペドロ'),
    female: triples(':ANA:アナ :JULIANA:ジュリアナ :MARIANA:マリアナ :BEATRIZ:ベアトリス') },
  { name: 'ネパール', weight: 6, aliasShare: 0, adultAge: [19, 45],
    family: triples(':GURUNG:グルン :TAMANG:タマン :SHRESTHA:シュレスタ :RAI:ライ :MAGAR:マガル :THAPA:タパ'),
    male: triples(':RAM:ラム :KRISHNA:クリシュナ :BIKASH:ビカス :SURESH:スレシュ'),
    female: triples(':SITA:シタ :ANITA:アニタ :SUNITA:スニタ :GITA:ギタ') },
  { name: 'インドネシア', weight: 5, aliasShare: 0, adultAge: [19, 40],
    family: triples(':SANTOSO:サントソ :LESTARI:レスタリ :WIJAYA:ウィジャヤ :SAPUTRA:サプトラ'),
    male: triples(':BUDI:ブディ :AGUS:アグス :WAHYU:ワフユ :RIZKY:リズキ'),
    female: triples(':DEWI:デウィ :SRI:スリ :PUTRI:プトリ :AYU:アユ') },
  { name: '米国', weight: 3, aliasShare: 0, adultAge: [22, 70],
    family: triples(':SMITH:スミス :JOHNSON:ジョンソン :WILLIAMS:ウィリアムズ :BROWN:ブラウン :MILLER:ミラー'),
    male: triples(':JAMES:ジェームズ :MICHAEL:マイケル :DAVID:デイビッド :DANIEL:ダニエル'),
    female: triples(':MARY:メアリー :EMILY:エミリー :SARAH:サラ :JESSICA:ジェシカ') },
  { name: '台湾', weight: 2.5, aliasShare: 0.05, adultAge: [22, 65],
    family: triples('陳:CHEN:チェン 林:LIN:リン 黄:HUANG:ホアン 張:CHANG:チャン'),
    male: triples('志明:CHIHMING:ジーミン 家豪:CHIAHAO:ジアハオ 建宏:CHIENHUNG:ジェンホン'),
    female: triples('淑芬:SHUFEN:シューフェン 怡君:YICHUN:イージュン 雅婷:YATING:ヤーティン') },
];

// Japan's population by 5-year age band (2023 estimate, thousands): 0–4 … 100+.
const AGE_BANDS = [4300, 4950, 5300, 5500, 6200, 6400, 6500, 7200, 8000, 9600, 9300, 8000, 7400, 7700, 9300, 7000, 5700, 3900, 1900, 550, 90];

interface District {
  readonly name: string;
  readonly postcode: string;
  /** Number of 丁目; 0 = a 大字 area addressed by 番地 only. */
  readonly chome: number;
  readonly weight: number;
}
const DISTRICTS: readonly District[] = [
  ['本町', 4], ['中央', 5], ['栄町', 3], ['旭町', 3], ['緑町', 4], ['若葉台', 3], ['桜ケ丘', 5], ['東雲', 2],
  ['南町', 4], ['北町', 3], ['西原', 3], ['東原', 2], ['松が丘', 4], ['富士見', 3], ['日の出町', 2], ['城山', 3],
  ['新町', 2], ['駅前', 2], ['川端', 3], ['港町', 2], ['青葉', 5], ['春日', 3], ['高砂', 2], ['柳町', 2],
  ['大字上野', 0], ['大字下野', 0], ['大字中津', 0], ['大字吉田', 0], ['大字広瀬', 0], ['大字山崎', 0],
].map(([name, chome], i) => ({
  name: String(name),
  chome: Number(chome),
  postcode: `999-${String(1100 + i * 10).padStart(4, '0')}`,
  weight: Number(chome) === 0 ? 1 : 2 + (i % 4),
}));
const BUILDINGS = ['さくらハイツ', 'グリーンコーポ', 'メゾン本町', 'サンライズマンション', 'パークサイド', 'コーポ青葉', 'レジデンス中央', 'ハイム旭'];
const KANJI_NUMBERS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const CITY_PREFIX = 'デモ県さくら市';

// ---------------------------------------------------------------------------------------------
// People and households.

type Sex = 'M' | 'F';
interface Foreign {
  readonly nationality: string;
  readonly romaji: string;
  readonly alias: string | null;
}
interface Person {
  id: number;
  surname: Reading;
  given: Reading;
  readonly sex: Sex;
  readonly birth: Day;
  readonly relationship: string;
  readonly foreign: Foreign | null;
  /** Last event before the full file (the register's 最終異動). */
  readonly event: ResidentEventKind;
  readonly eventDate: Day;
}
interface Address {
  readonly text: string;
  readonly postcode: string;
}
interface Household {
  readonly h: number;
  readonly address: Address;
  readonly members: Person[];
}

export interface CityOptions {
  readonly population: number;
  readonly seed: string;
  /** Date of the full file, YYYY-MM-DD. */
  readonly asOf: string;
  /** Yearly delta files after asOf. */
  readonly years: number;
  /** About 1 % of the full file's rows carry a deliberate error. */
  readonly dirty: boolean;
  readonly municipality: string;
  /** Keep to characters CP932 can encode (𠮷田 → 吉田), as a Shift_JIS register must. */
  readonly cp932: boolean;
}

export interface DeltaPeriod {
  readonly index: number;
  /** First and last day covered, YYYY-MM-DD. */
  readonly from: string;
  readonly to: string;
}

function isoOf(day: Day): string {
  const ymd = ymdOf(day);
  const y = Math.floor(ymd / 10000);
  const m = Math.floor(ymd / 100) % 100;
  const d = ymd % 100;
  return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

function dayOfIso(iso: string): Day {
  const [y = 0, m = 0, d = 0] = iso.split('-').map(Number);
  return dayFromCivil(y, m, d);
}

const YEAR = 365.2425;

function ageOn(birth: Day, day: Day): number {
  return Math.floor((day - birth) / YEAR);
}

/**
 * Set of 12-digit numbers (open addressing on a Float64Array: 8 bytes a slot, no per-entry objects).
 * syntheticMyNumber draws from 10^11 bodies, so among 2 M persons a dozen collide; a number already
 * issued is not issued again (DATA-06: one number, one person).
 */
export class NumberSet {
  private slots = new Float64Array(1 << 16);
  private size = 0;
  /** Adds n; false if it was already there. */
  add(n: number): boolean {
    if (this.size * 2 >= this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    const key = n + 1; // 0 marks an empty slot
    for (let i = mix(n % 4294967296, Math.floor(n / 4294967296)) & mask; ; i = (i + 1) & mask) {
      const v = this.slots[i];
      if (v === key) return false;
      if (v === 0) {
        this.slots[i] = key;
        this.size++;
        return true;
      }
    }
  }
  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.size = 0;
    for (const v of old) if (v !== 0) this.add(v - 1);
  }
}

/** Growable Int32 column (one entry per person or household). */
class Column {
  private data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  get(i: number): number {
    return this.data[i] ?? 0;
  }
  set(i: number, v: number): void {
    this.data[i] = v;
  }
}

// Person status in the generator's state.
const Status = { Resident: 0, MovedOut: 1, Dead: 2 } as const;

/** A row in layout order (RESIDENT_COLUMNS). */
export type LayoutRow = string[];

export interface CityGenerator {
  readonly header: readonly string[];
  /** Full-file rows (header not included). Call once, before any delta. */
  fullRows(): Generator<LayoutRow>;
  /** Rows of delta period k (1-based), in date order. Call for k = 1, 2, … in order. */
  deltaRows(k: number): Generator<LayoutRow>;
  deltaPeriod(k: number): DeltaPeriod;
  /** Data-row numbers (1-based) of the deliberately bad rows of the full file. */
  readonly dirtyRows: readonly number[];
  /** Persons written to the full file. */
  readonly fullRowCount: () => number;
}

function canEncodeCp932(s: string): boolean {
  return iconv.decode(iconv.encode(s, 'cp932'), 'cp932') === s;
}

export function createCityGenerator(options: CityOptions): CityGenerator {
  const { population, seed, asOf, years, dirty, municipality, cp932 } = options;
  if (!Number.isSafeInteger(population) || population < 1) throw new RangeError('population must be a positive integer');
  if (parseIsoDate(asOf) === null) throw new RangeError('asOf must be a date YYYY-MM-DD');
  if (!Number.isSafeInteger(years) || years < 0) throw new RangeError('years must be a non-negative integer');
  const seedHash = createHash('sha256').update(`sesshu.demo-city\u0000${municipality}\u0000${seed}`).digest().readInt32LE(0);
  const myNumberSeed = `${municipality}:${seed}`;
  const asOfDay = dayOfIso(asOf);
  const keep = (s: string): boolean => !cp932 || canEncodeCp932(s);

  const surnames = new Weighted(SURNAMES, (s) => s.weight);
  const maleNames = MALE_NAMES.map((list) => new Weighted(list.filter((n) => keep(n.kanji)), (n) => n.weight));
  const femaleNames = FEMALE_NAMES.map((list) => new Weighted(list.filter((n) => keep(n.kanji)), (n) => n.weight));
  const nationalities = new Weighted(NATIONALITIES, (n) => n.weight);
  const districts = new Weighted(DISTRICTS, (d) => d.weight);
  const variantOk = new Map<string, boolean>();
  const bandCache = new Map<string, Weighted<number>>();

  function surnameOf(rng: Random): Reading {
    const s = surnames.pick(rng);
    if (s.variants !== undefined) {
      let x = rng();
      for (const [kanji, share] of s.variants) {
        if (x < share) {
          let okay = variantOk.get(kanji);
          if (okay === undefined) variantOk.set(kanji, (okay = keep(kanji)));
          return okay ? { kanji, kana: s.kana } : s;
        }
        x -= share;
      }
    }
    return s;
  }

  function givenOf(rng: Random, sex: Sex, birth: Day): Reading {
    const year = Math.floor(ymdOf(birth) / 10000);
    let cohort = 0;
    for (let i = 0; i < COHORT_START.length; i++) if (year >= (COHORT_START[i] ?? 0)) cohort = i;
    const table = (sex === 'M' ? maleNames : femaleNames)[cohort];
    return table === undefined ? { kanji: '太郎', kana: 'タロウ' } : table.pick(rng);
  }

  /** An age drawn from Japan's pyramid, limited to [lo, hi]. */
  function ageBetween(rng: Random, lo: number, hi: number): number {
    const key = `${lo}:${hi}`;
    let w = bandCache.get(key);
    if (w === undefined) {
      const ages: number[] = [];
      for (let a = lo; a <= hi; a++) ages.push(a);
      w = new Weighted(ages, (a) => AGE_BANDS[Math.min(Math.floor(a / 5), AGE_BANDS.length - 1)] ?? 0);
      bandCache.set(key, w);
    }
    return w.pick(rng);
  }

  function birthFor(rng: Random, age: number, ref: Day): Day {
    return ref - Math.floor((age + rng()) * YEAR);
  }

  function addressOf(rng: Random): Address {
    const d = districts.pick(rng);
    let text: string;
    if (d.chome === 0) {
      text = `${CITY_PREFIX}${d.name}${int(rng, 1, 3500)}番地`;
    } else {
      text = `${CITY_PREFIX}${d.name}${KANJI_NUMBERS[int(rng, 1, d.chome)]}丁目${int(rng, 1, 30)}番${int(rng, 1, 25)}号`;
    }
    if (rng() < 0.35) {
      const building = BUILDINGS[int(rng, 0, BUILDINGS.length - 1)] ?? '';
      text += `\u3000${building}${int(rng, 1, 8)}0${int(rng, 1, 9)}号室`;
    }
    return { text, postcode: d.postcode };
  }

  function foreignName(rng: Random, nat: Nationality, sex: Sex, family: readonly [string, string, string]): { name: Reading; romaji: string; given: Reading } {
    const list = sex === 'M' ? nat.male : nat.female;
    let g = list[int(rng, 0, list.length - 1)] ?? ['', 'A', 'ア'];
    if (g[0] !== '' && !keep(g[0])) g = list.find((x) => keep(x[0])) ?? g;
    const [fk, fr, fkana] = family;
    if (fk !== '' && g[0] !== '') {
      // Kanji-name nationalities (中国, 韓国, 台湾): 氏名 in kanji, romaji alongside.
      return { name: { kanji: fk, kana: fkana }, given: { kanji: g[0], kana: g[2] }, romaji: `${fr} ${g[1]}` };
    }
    const middle = nat.middle?.[sex];
    const given: Reading = middle === undefined
      ? { kanji: g[1], kana: g[2] }
      : { kanji: `${middle[0]} ${g[1]}`, kana: `${middle[1]}\u3000${g[2]}` };
    return { name: { kanji: fr, kana: fkana }, given, romaji: `${fr} ${given.kanji}` };
  }

  /**
   * Rebuilds household h exactly as first generated (same seed → same people), for a household
   * that settled by `ref` (asOf for the full file, the move-in day for newcomers).
   */
  function buildHousehold(h: number, ref: Day, firstId: number): Household {
    const rng = mulberry32(mix(seedHash, h));
    const address = addressOf(rng);
    const members: Person[] = [];
    const isForeign = rng() < 0.02;
    const nat = isForeign ? nationalities.pick(rng) : null;
    const family = nat === null ? null : (nat.family[int(rng, 0, nat.family.length - 1)] ?? null);
    const surname = surnameOf(rng);

    // Settling date: when the household's last event happened (転入 or 転居), after the head came of age.
    const type = rng();
    let headAge: number;
    let kind: 'single' | 'couple' | 'family' | 'single-parent' | 'three-gen';
    if (nat !== null) {
      headAge = int(rng, nat.adultAge[0], nat.adultAge[1]);
      kind = type < 0.55 ? 'single' : type < 0.75 ? 'couple' : 'family';
    } else if (type < 0.38) {
      // One-person households: many are elderly (roughly half are 65+ in Japan).
      kind = 'single';
      headAge = rng() < 0.55 ? ageBetween(rng, 65, 100) : ageBetween(rng, 18, 64);
    } else if (type < 0.58) {
      kind = 'couple';
      headAge = rng() < 0.8 ? ageBetween(rng, 62, 95) : ageBetween(rng, 24, 59);
    } else if (type < 0.85) {
      kind = 'family';
      headAge = ageBetween(rng, 28, 62);
    } else if (type < 0.94) {
      kind = 'single-parent';
      headAge = ageBetween(rng, 25, 60);
    } else {
      kind = 'three-gen';
      headAge = ageBetween(rng, 32, 58);
    }
    const headSex: Sex = kind === 'single' ? (headAge >= 70 ? (rng() < 0.65 ? 'F' : 'M') : rng() < 0.5 ? 'F' : 'M')
      : kind === 'single-parent' ? (rng() < 0.85 ? 'F' : 'M') : rng() < 0.85 ? 'M' : 'F';
    const headBirth = birthFor(rng, headAge, ref);
    const settled = Math.min(ref - 1, headBirth + Math.floor(18 * YEAR) + Math.floor(rng() * (ref - headBirth - 18 * YEAR)));
    const settleEvent: ResidentEventKind = nat !== null || rng() < 0.6 ? 'move_in' : 'relocation';

    const add = (sex: Sex, birth: Day, relationship: string, given?: Reading): void => {
      const isNewborn = birth >= settled;
      let personSurname = surname;
      let personGiven = given ?? givenOf(rng, sex, birth);
      let foreign: Foreign | null = null;
      if (nat !== null && family !== null) {
        const fn = foreignName(rng, nat, sex, family);
        personSurname = fn.name;
        personGiven = fn.given;
        const alias = rng() < nat.aliasShare ? `${surnameOf(rng).kanji}\u3000${givenOf(rng, sex, birth).kanji}` : null;
        foreign = { nationality: nat.name, romaji: fn.romaji, alias };
      }
      members.push({
        id: firstId + members.length,
        surname: personSurname,
        given: personGiven,
        sex,
        birth,
        relationship,
        foreign,
        event: isNewborn ? 'birth' : settleEvent,
        eventDate: isNewborn ? birth : settled,
      });
    };

    add(headSex, headBirth, '世帯主');
    let mother: Day | null = headSex === 'F' ? headBirth : null;
    if (kind === 'couple' || kind === 'family' || kind === 'three-gen') {
      const spouseBirth = Math.min(ref - Math.floor(18 * YEAR), headBirth + Math.floor((rng() * 8 - 2) * YEAR));
      add(headSex === 'M' ? 'F' : 'M', spouseBirth, headSex === 'M' ? '妻' : '夫');
      mother = headSex === 'M' ? spouseBirth : headBirth;
    }
    if (kind === 'family' || kind === 'single-parent' || kind === 'three-gen') {
      const kids = rng() < 0.4 ? 1 : rng() < 0.8 ? 2 : 3;
      let last = (mother ?? headBirth) + Math.floor((22 + rng() * 12) * YEAR);
      for (let i = 0; i < kids && last < ref; i++) {
        // Children left home by their late twenties in most households.
        if (ref - last < 29 * YEAR || rng() < 0.3) add(rng() < 0.512 ? 'M' : 'F', last, '子');
        last += Math.floor((1.5 + rng() * 3) * YEAR);
      }
    }
    if (kind === 'three-gen') {
      const parentsBirth = headBirth - Math.floor((25 + rng() * 10) * YEAR);
      if (ageOn(parentsBirth, ref) < 100) {
        if (rng() < 0.6) add('M', parentsBirth, '父');
        add('F', parentsBirth + Math.floor(rng() * 3 * YEAR), '母');
      }
    }
    return { h, address, members };
  }

  // --- State kept per person / household (typed arrays: a few bytes each) ---
  const householdOf = new Column(population);
  const memberOf = new Column(population);
  const birthOf = new Column(population);
  const femaleOf = new Column(population);
  const statusOf = new Column(population);
  const householdFirst = new Column(population / 2);
  const householdRef = new Column(population / 2);
  const newborns = new Map<number, Person>(); // not derivable from a household seed
  const extraMembers = new Map<number, number[]>(); // household → newborn ids
  const movedAddress = new Map<number, Address>(); // household → address after 転居
  const renamed = new Map<number, Reading>(); // person → surname after 氏名変更
  const dirtyRows: number[] = [];
  let written = 0;
  let householdCount = 0;

  let cached: Household | null = null;
  function household(h: number): Household {
    if (cached?.h !== h) cached = buildHousehold(h, householdRef.get(h), householdFirst.get(h));
    return cached;
  }

  function personOf(id: number): Person {
    const born = newborns.get(id);
    const p = born ?? household(householdOf.get(id)).members[memberOf.get(id)];
    if (p === undefined) throw new Error(`no person ${id}`);
    const surname = renamed.get(id);
    return surname === undefined ? p : { ...p, surname };
  }

  function addressOfHousehold(h: number): Address {
    return movedAddress.get(h) ?? household(h).address;
  }

  const issued = new NumberSet();
  const withoutNumber = new Set<number>(); // persons whose drawn number collided with an earlier one

  function hasMyNumber(id: number): boolean {
    return (mix(seedHash ^ 0x5bd1e995, id) >>> 0) / 4294967296 < 0.95 && !withoutNumber.has(id);
  }

  /** Called once per person, when first written: reserves their number or marks them without one. */
  function issueMyNumber(id: number): string {
    if (!hasMyNumber(id)) return '';
    const n = syntheticMyNumber(myNumberSeed, id);
    if (issued.add(Number(n))) return n;
    withoutNumber.add(id);
    return '';
  }

  /** `myNumber`: pass the number when it is at hand (it costs a hash to recompute). */
  function row(p: Person, h: number, event: ResidentEventKind, eventDate: Day, myNumber?: string): LayoutRow {
    const address = addressOfHousehold(h);
    const f = p.foreign;
    const name = f === null || /[\u3400-\u9FFF\u{20000}-\u{3FFFF}]/u.test(p.surname.kanji)
      ? `${p.surname.kanji}\u3000${p.given.kanji}`
      : `${p.surname.kanji} ${p.given.kanji}`;
    return [
      String(1_000_000_000 + p.id),
      myNumber ?? (hasMyNumber(p.id) ? syntheticMyNumber(myNumberSeed, p.id) : ''),
      name,
      `${p.surname.kana}\u3000${p.given.kana}`,
      p.sex === 'M' ? '1' : '2',
      isoOf(p.birth),
      address.postcode,
      address.text,
      String(2_000_000_000 + h),
      p.relationship,
      eventLabel(event),
      isoOf(eventDate),
      f === null ? '日本人' : '外国人',
      f?.alias ?? '',
      f?.romaji ?? '',
      f?.nationality ?? '',
    ];
  }

  /** Swaps one cell for a value the validator must reject (for --dirty). */
  function spoil(r: LayoutRow, rng: Random, previous: LayoutRow | null): void {
    const kind = int(rng, 0, 7);
    const col = (name: (typeof RESIDENT_COLUMNS)[number]): number => RESIDENT_COLUMNS.indexOf(name);
    switch (kind) {
      case 0: r[col('生年月日')] = '2023-02-30'; break;
      case 1: r[col('生年月日')] = 'H31.5.1'; break;
      case 2: {
        const n = syntheticMyNumber(myNumberSeed, written);
        r[col('個人番号')] = n.slice(0, 11) + String((Number(n[11]) + 1) % 10);
        break;
      }
      case 3: r[col('異動事由')] = '99'; break;
      case 4: r[col('宛名番号')] = previous?.[0] ?? '0'; if (previous === null) r[col('性別')] = '9'; break;
      case 5: r[col('性別')] = '3'; break;
      case 6: r[col('郵便番号')] = '99-12345'; break;
      default: r[col('氏名カナ')] = 'やまだ\u3000たろう'; break;
    }
  }

  function* fullRows(): Generator<LayoutRow> {
    const rng = mulberry32(mix(seedHash, -1));
    let previous: LayoutRow | null = null;
    for (let h = 0; written < population; h++) {
      householdFirst.push(written);
      householdRef.push(asOfDay);
      householdCount++;
      const hh = buildHousehold(h, asOfDay, written);
      cached = hh;
      for (let i = 0; i < hh.members.length && written < population; i++) {
        const p = hh.members[i] as Person;
        householdOf.push(h);
        memberOf.push(i);
        birthOf.push(p.birth);
        femaleOf.push(p.sex === 'F' ? 1 : 0);
        statusOf.push(Status.Resident);
        const r = row(p, h, p.event, p.eventDate, issueMyNumber(p.id));
        written++;
        if (dirty && rng() < 0.01) {
          spoil(r, rng, previous);
          dirtyRows.push(written);
        }
        previous = r;
        yield r;
      }
    }
  }

  function deltaPeriod(k: number): DeltaPeriod {
    const from = dayOfIso(asOf) + 1;
    const [y = 0, m = 0, d = 0] = asOf.split('-').map(Number);
    const start = k === 1 ? from : dayFromCivil(y + k - 1, m, d) + 1;
    return { index: k, from: isoOf(start), to: isoOf(dayFromCivil(y + k, m, d)) };
  }

  /** Resident members of a household (original members plus those born later). */
  function residentsOf(h: number): number[] {
    const ids: number[] = [];
    const first = householdFirst.get(h);
    const end = h + 1 < householdCount ? householdFirst.get(h + 1) : householdOf.length;
    for (let id = first; id < end; id++) {
      // Newborns (memberOf −1) may sit in this id range but are listed in extraMembers.
      if (householdOf.get(id) === h && memberOf.get(id) !== -1 && statusOf.get(id) === Status.Resident) ids.push(id);
    }
    for (const id of extraMembers.get(h) ?? []) if (statusOf.get(id) === Status.Resident) ids.push(id);
    return ids;
  }

  // Yearly rates per resident (Japan-like; births ≈ 6.5 per 1,000, deaths ≈ 11.5 per 1,000).
  const RATES = { birth: 0.0065, death: 0.0115, moveIn: 0.035, moveOut: 0.035, relocation: 0.03, nameChange: 0.004 } as const;
  const MORTALITY: readonly [number, number][] = [[5, 0.0005], [40, 0.0006], [60, 0.004], [70, 0.01], [80, 0.025], [90, 0.07], [200, 0.2]];
  function mortality(age: number): number {
    for (const [upTo, q] of MORTALITY) if (age < upTo) return q;
    return 0.2;
  }

  /** A child born to `mother`: her surname (and nationality), a name in fashion for the year. */
  function newbornOf(rng: Random, mother: Person, id: number, sex: Sex, day: Day): Person {
    const base = { id, sex, birth: day, relationship: '子', event: 'birth' as const, eventDate: day };
    const nat = mother.foreign === null ? undefined : NATIONALITIES.find((n) => n.name === mother.foreign?.nationality);
    if (mother.foreign === null || nat === undefined) {
      return { ...base, surname: mother.surname, given: givenOf(rng, sex, day), foreign: null };
    }
    const familyRomaji = mother.foreign.romaji.split(' ')[0] ?? '';
    const kanjiFamily = /[\u3400-\u9FFF]/u.test(mother.surname.kanji) ? mother.surname.kanji : '';
    const fn = foreignName(rng, nat, sex, [kanjiFamily, familyRomaji, mother.surname.kana]);
    return { ...base, surname: fn.name, given: fn.given, foreign: { nationality: nat.name, romaji: fn.romaji, alias: null } };
  }

  let residents = 0;
  let periodsDone = 0;

  function* deltaRows(k: number): Generator<LayoutRow> {
    if (k !== periodsDone + 1 || k > years) throw new RangeError(`delta period ${k}: generate periods 1…${years} in order, after the full file`);
    periodsDone = k;
    if (k === 1) {
      residents = 0;
      for (let id = 0; id < statusOf.length; id++) if (statusOf.get(id) === Status.Resident) residents++;
    }
    const period = deltaPeriod(k);
    const rng = mulberry32(mix(seedHash, -1000 - k));
    const touched = new Set<number>(); // one event per person per file (宛名番号 unique per file)
    const acc = { birth: 0, death: 0, moveIn: 0, moveOut: 0, relocation: 0, nameChange: 0 };
    const randomPerson = (): number => int(rng, 0, householdOf.length - 1);
    const free = (ids: readonly number[]): boolean => ids.length > 0 && ids.every((id) => !touched.has(id));

    for (let day = dayOfIso(period.from); day <= dayOfIso(period.to); day++) {
      const perDay = residents / 365;
      for (const key of Object.keys(acc) as (keyof typeof acc)[]) acc[key] += RATES[key] * perDay * (0.5 + rng());

      while (acc.birth >= 1) {
        acc.birth -= 1;
        for (let attempt = 0; attempt < 60; attempt++) {
          const m = randomPerson();
          const age = ageOn(birthOf.get(m), day);
          if (statusOf.get(m) !== Status.Resident || femaleOf.get(m) !== 1 || age < 20 || age > 44) continue;
          const mother = personOf(m);
          const h = householdOf.get(m);
          const sex: Sex = rng() < 0.512 ? 'M' : 'F';
          const id = householdOf.length;
          const baby = newbornOf(rng, mother, id, sex, day);
          newborns.set(id, baby);
          extraMembers.set(h, [...(extraMembers.get(h) ?? []), id]);
          householdOf.push(h);
          memberOf.push(-1);
          birthOf.push(day);
          femaleOf.push(sex === 'F' ? 1 : 0);
          statusOf.push(Status.Resident);
          residents++;
          touched.add(id);
          yield row(baby, h, 'birth', day, issueMyNumber(id));
          break;
        }
      }
      while (acc.death >= 1) {
        acc.death -= 1;
        for (let attempt = 0; attempt < 400; attempt++) {
          const id = randomPerson();
          if (statusOf.get(id) !== Status.Resident || touched.has(id)) continue;
          if (rng() * 0.2 > mortality(ageOn(birthOf.get(id), day))) continue;
          statusOf.set(id, Status.Dead);
          residents--;
          touched.add(id);
          yield row(personOf(id), householdOf.get(id), 'death', day);
          break;
        }
      }
      while (acc.moveOut >= 1) {
        const h = householdOf.get(randomPerson());
        const ids = residentsOf(h);
        if (!free(ids)) { acc.moveOut -= 0.5; continue; }
        acc.moveOut -= ids.length;
        for (const id of ids) {
          statusOf.set(id, Status.MovedOut);
          residents--;
          touched.add(id);
          yield row(personOf(id), h, 'move_out', day);
        }
      }
      while (acc.relocation >= 1) {
        const h = householdOf.get(randomPerson());
        const ids = residentsOf(h);
        if (!free(ids)) { acc.relocation -= 0.5; continue; }
        acc.relocation -= ids.length;
        movedAddress.set(h, addressOf(rng));
        for (const id of ids) {
          touched.add(id);
          yield row(personOf(id), h, 'relocation', day);
        }
      }
      while (acc.nameChange >= 1) {
        acc.nameChange -= 1;
        for (let attempt = 0; attempt < 200; attempt++) {
          const id = randomPerson();
          const age = ageOn(birthOf.get(id), day);
          if (statusOf.get(id) !== Status.Resident || touched.has(id) || age < 20 || age > 40) continue;
          const p = personOf(id);
          if (p.foreign !== null || residentsOf(householdOf.get(id)).length !== 1) continue;
          let surname = surnameOf(rng);
          if (surname.kana === p.surname.kana) surname = surnameOf(rng);
          renamed.set(id, surname);
          touched.add(id);
          yield row({ ...p, surname }, householdOf.get(id), 'name_change', day);
          break;
        }
      }
      while (acc.moveIn >= 1) {
        const h = householdCount++;
        householdFirst.push(householdOf.length);
        householdRef.push(day);
        const hh = buildHousehold(h, day, householdOf.length);
        cached = hh;
        acc.moveIn -= hh.members.length;
        for (let i = 0; i < hh.members.length; i++) {
          const p = hh.members[i] as Person;
          householdOf.push(h);
          memberOf.push(i);
          birthOf.push(p.birth);
          femaleOf.push(p.sex === 'F' ? 1 : 0);
          statusOf.push(Status.Resident);
          residents++;
          touched.add(p.id);
          yield row(p, h, 'move_in', day, issueMyNumber(p.id));
        }
      }
    }
  }

  return {
    header: RESIDENT_COLUMNS,
    fullRows,
    deltaRows,
    deltaPeriod,
    dirtyRows,
    fullRowCount: () => written,
  };
}

/** One CSV line (RFC 4180 quoting only where needed), without the line break. */
export function csvLine(fields: readonly string[]): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] ?? '';
    if (i > 0) out += ',';
    out += /[",\r\n]/u.test(f) ? `"${f.replace(/"/gu, '""')}"` : f;
  }
  return out;
}
