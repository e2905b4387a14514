// Synthetic vaccination histories for the demo: a clinic-submission file (clinic-import.ts layout)
// for a demo tenant's residents, with coverage and timing like Japan's — most children on time,
// some late, some never, ~0.5% invalid doses (too young / interval too short), products that match
// the date (pcv13 → pcv15 → pcv20, 五種混合 from 2024-04), lots from the master. Doses are placed in
// the windows the schedule engine forecasts, never by re-deriving rules here. Deterministic for a
// seed (one PRNG per person, keyed by 宛名番号) and streaming (rows are written as produced).
// Demo tenants only: synthetic records of real residents must never reach a real ledger.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import iconv from 'iconv-lite';
import type { Database } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import { formatIsoDate, parseIsoDate, reachMonths, reachYears, type Day } from '../../domain/dates.ts';
import { toJapaneseEraDate } from '../../domain/jp-date-parse.ts';
import { ITAIJI_TABLE } from '../../domain/jp-name-normalize.ts';
import type { DoseRecord, NextDose, Sex } from '../../domain/schedule/index.ts';
import type { Actor } from '../../security/actor.ts';
import { perform } from '../../security/guard.ts';
import { csvLine, mulberry32, type Random } from '../residents/generator.ts';
import { InputError } from '../residents/persons.ts';
import { scheduleEngine } from '../schedule/contract.ts';
import { CLINIC_COLUMNS } from './clinic-import.ts';
import type { MasterImportOutcome, MasterKind } from './masters.ts';
import { importMasters } from './masters.ts';

// ---------------------------------------------------------------------------------------------
// Demo masters

const DEMO_INSTITUTIONS: ReadonlyArray<{ n: string; name: string; kind: 'child' | 'adult' | 'both' | 'venue'; doctors: string[] }> = [
  { n: '0000011', name: 'さくら小児科クリニック', kind: 'child', doctors: ['佐藤 健一', '佐藤 美穂'] },
  { n: '0000029', name: 'ひまわりこどもクリニック', kind: 'child', doctors: ['鈴木 陽子'] },
  { n: '0000037', name: 'みどり小児科医院', kind: 'child', doctors: ['髙橋 誠', '田中 里美'] },
  { n: '0000045', name: 'あおば小児科', kind: 'child', doctors: ['伊藤 大輔'] },
  { n: '0000052', name: '中央内科クリニック', kind: 'adult', doctors: ['渡辺 浩', '山本 裕子'] },
  { n: '0000060', name: 'やまびこ内科医院', kind: 'adult', doctors: ['中村 修'] },
  { n: '0000078', name: 'すずらん内科', kind: 'adult', doctors: ['小林 恵', '加藤 隆'] },
  { n: '0000086', name: 'はなみずき内科・小児科', kind: 'both', doctors: ['吉田 直樹', '山田 亜希子'] },
  { n: '0000094', name: 'さくら市民病院', kind: 'both', doctors: ['佐々木 剛', '山口 真由美', '松本 拓也'] },
  { n: '0000102', name: 'さくら市保健センター', kind: 'venue', doctors: ['井上 正人'] },
];

/** Products per vaccine: name, rule-pack product id (when it matters), maker, lot prefix. */
const DEMO_PRODUCTS: ReadonlyArray<{ name: string; vaccine: string; product: string | null; maker: string; lot: string }> = [
  { name: 'ビームゲン', vaccine: 'hepb', product: null, maker: 'KMバイオロジクス', lot: 'BG' },
  { name: 'ヘプタバックス-II', vaccine: 'hepb', product: null, maker: 'MSD', lot: 'HV' },
  { name: 'ロタリックス', vaccine: 'rota', product: 'rota1', maker: 'GSK', lot: 'RX' },
  { name: 'ロタテック', vaccine: 'rota', product: 'rota5', maker: 'MSD', lot: 'RT' },
  { name: 'ゴービック', vaccine: 'dpt_ipv_hib', product: null, maker: 'BIKEN', lot: 'GV' },
  { name: 'クイントバック', vaccine: 'dpt_ipv_hib', product: null, maker: 'KMバイオロジクス', lot: 'QB' },
  { name: 'テトラビック', vaccine: 'dpt_ipv', product: null, maker: 'BIKEN', lot: 'TB' },
  { name: 'クアトロバック', vaccine: 'dpt_ipv', product: null, maker: 'KMバイオロジクス', lot: 'QV' },
  { name: 'アクトヒブ', vaccine: 'hib', product: null, maker: 'サノフィ', lot: 'AH' },
  { name: 'プレベナー13', vaccine: 'pcv', product: 'pcv13', maker: 'ファイザー', lot: 'P13' },
  { name: 'バクニュバンス', vaccine: 'pcv', product: 'pcv15', maker: 'MSD', lot: 'VX' },
  { name: 'プレベナー20', vaccine: 'pcv', product: 'pcv20', maker: 'ファイザー', lot: 'P20' },
  { name: '乾燥BCGワクチン', vaccine: 'bcg', product: null, maker: '日本ビーシージー製造', lot: 'KB' },
  { name: 'ミールビック', vaccine: 'mr', product: null, maker: 'BIKEN', lot: 'MB' },
  { name: '乾燥弱毒生麻しん風しん混合ワクチン「KMB」', vaccine: 'mr', product: null, maker: 'KMバイオロジクス', lot: 'MK' },
  { name: '乾燥弱毒生水痘ワクチン「ビケン」', vaccine: 'var', product: null, maker: 'BIKEN', lot: 'VB' },
  { name: 'ジェービックV', vaccine: 'je', product: null, maker: 'BIKEN', lot: 'JB' },
  { name: 'エンセバック', vaccine: 'je', product: null, maker: 'KMバイオロジクス', lot: 'EV' },
  { name: 'DTビック', vaccine: 'dt', product: null, maker: 'BIKEN', lot: 'DT' },
  { name: 'サーバリックス', vaccine: 'hpv', product: 'hpv2', maker: 'GSK', lot: 'CV' },
  { name: 'ガーダシル', vaccine: 'hpv', product: 'hpv4', maker: 'MSD', lot: 'GD' },
  { name: 'シルガード9', vaccine: 'hpv', product: 'hpv9', maker: 'MSD', lot: 'SG' },
  { name: 'インフルエンザHAワクチン「第一三共」', vaccine: 'flu', product: null, maker: '第一三共', lot: 'FD' },
  { name: 'インフルエンザHAワクチン「KMB」', vaccine: 'flu', product: null, maker: 'KMバイオロジクス', lot: 'FK' },
  { name: 'ニューモバックスNP', vaccine: 'pneumo', product: 'ppsv23', maker: 'MSD', lot: 'NP' },
  { name: 'プレベナー20（成人）', vaccine: 'pneumo', product: 'pcv20', maker: 'ファイザー', lot: 'PA' },
  { name: 'コミナティ', vaccine: 'covid', product: null, maker: 'ファイザー', lot: 'CM' },
  { name: 'スパイクバックス', vaccine: 'covid', product: null, maker: 'モデルナ', lot: 'SV' },
  { name: '乾燥弱毒生水痘ワクチン「ビケン」（帯状疱疹）', vaccine: 'hz', product: 'hz_live', maker: 'BIKEN', lot: 'ZL' },
  { name: 'シングリックス', vaccine: 'hz', product: 'hz_rzv', maker: 'GSK', lot: 'SX' },
];

/** Earliest dose date the demo generates (older records are not in a municipal ledger). */
const HISTORY_START = '2001-04-01';

function institutionCode(municipalityCode: string, n: string): string {
  return `${municipalityCode.slice(0, 2)}1${n}`;
}

/** First and last day a rule-pack product can be used, over the vaccine's rule versions. */
function productWindows(vaccine: string, product: string | null): Array<[Day, Day]> {
  const out: Array<[Day, Day]> = [];
  for (const v of scheduleEngine().compiled.pack.vaccines) {
    if (v.id !== vaccine) continue;
    const vf = v.validFrom ? (parseIsoDate(v.validFrom) ?? 0) : 0;
    const vt = v.validTo ? (parseIsoDate(v.validTo) ?? 0) : 1e8;
    if (product === null) {
      out.push([vf, vt]);
      continue;
    }
    const p = v.products?.find((x) => x.id === product);
    if (!p) continue;
    out.push([Math.max(vf, p.validFrom ? (parseIsoDate(p.validFrom) ?? 0) : 0), Math.min(vt, p.validTo ? (parseIsoDate(p.validTo) ?? 0) : 1e8)]);
  }
  return out;
}

/** The four demo master files (CSV text) for a municipality, with lots up to the year after `until`. */
export function demoMasterFiles(municipalityCode: string, until: string): Record<MasterKind, string> {
  const lastYear = Number(until.slice(0, 4)) + 1;
  const inst = [['医療機関コード', '名称', '住所', '電話', '契約開始日', '契約終了日', '会場']];
  const doctors = [['医療機関コード', '医師名']];
  DEMO_INSTITUTIONS.forEach((i, k) => {
    const code = institutionCode(municipalityCode, i.n);
    inst.push([code, i.name, `デモ県さくら市中央${k + 1}-${(k * 7) % 20 + 1}`, `0120-000-${String(100 + k).padStart(3, '0')}`, '2000-04-01', '', i.kind === 'venue' ? '1' : '0']);
    for (const d of i.doctors) doctors.push([code, d]);
  });
  const products = [['製品名', 'ワクチン', '製品区分', 'メーカー'], ...DEMO_PRODUCTS.map((p) => [p.name, p.vaccine, p.product ?? '', p.maker])];
  const lots = [['製品名', 'ロット番号', '有効期限']];
  const first = Number(HISTORY_START.slice(0, 4));
  for (const p of DEMO_PRODUCTS) {
    const windows = productWindows(p.vaccine, p.product);
    for (let y = first; y <= lastYear; y++) {
      for (const half of [0, 1]) {
        const start = parseIsoDate(`${y}-${half === 0 ? '01' : '07'}-01`) ?? 0;
        const end = start + 181;
        if (!windows.some(([f, t]) => f <= end && start <= t)) continue;
        // A lot is in use for six months and expires a year after it was released.
        lots.push([p.name, `${p.lot}${String(y % 100).padStart(2, '0')}${half === 0 ? 'A' : 'B'}`, formatIsoDate(reachYears(start, 1) + 1)]);
      }
    }
  }
  const text = (rows: string[][]): string => `${rows.map(csvLine).join('\r\n')}\r\n`;
  return { institutions: text(inst), doctors: text(doctors), products: text(products), lots: text(lots) };
}

/**
 * Creates the demo masters (institutions, doctors, products, lots) through the masters import when
 * the institution master is empty. Needs settings.manage. Returns the import outcomes (none when
 * the master already had institutions).
 */
export async function ensureDemoMasters(db: Database, actor: Actor, until: string): Promise<MasterImportOutcome[]> {
  const [row] = await perform(db, actor, { permission: 'settings.manage', action: 'records.masters_check' }, ({ tx }) =>
    tx.query<{ n: number }>('SELECT count(*)::int AS n FROM medical_institutions'),
  );
  if ((row?.n ?? 0) > 0) return [];
  const files = demoMasterFiles(actor.municipalityCode, until);
  const out: MasterImportOutcome[] = [];
  for (const kind of ['institutions', 'doctors', 'products', 'lots'] as const) {
    const r = await importMasters(db, actor, { kind, fileName: `demo-${kind}.csv`, content: Buffer.from(files[kind]) });
    if (r.status !== 'applied') throw new Error(`demo ${kind} master rejected: ${JSON.stringify(r.errors.slice(0, 3))}`);
    out.push(r);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Coverage and timing

interface Plan {
  /** Probability of starting the series (or, episodic: of a dose in a given season). */
  take: number;
  /** Probability of each further dose once started. */
  next: number;
  episodic?: boolean;
  /** Child vaccine: may get a dose slightly too early (~0.5%). */
  child?: boolean;
  /** Timing: 'child' (on time mostly), 'season' (early in the season), 'uniform' (anywhere in the window). */
  timing: 'child' | 'season' | 'uniform';
  /** Customary age in months for dose 1 when the legal window opens earlier (日本脳炎 at 3, BCG at 5 months). */
  usualMonths?: number;
}

const PLANS: Record<string, Plan> = {
  hepb: { take: 0.965, next: 0.99, child: true, timing: 'child', usualMonths: 2 },
  rota: { take: 0.9, next: 0.98, child: true, timing: 'child' },
  dpt_ipv_hib: { take: 0.975, next: 0.99, child: true, timing: 'child' },
  dpt_ipv: { take: 0.975, next: 0.99, child: true, timing: 'child' },
  hib: { take: 0.975, next: 0.99, child: true, timing: 'child' },
  pcv: { take: 0.975, next: 0.99, child: true, timing: 'child' },
  bcg: { take: 0.975, next: 1, child: true, timing: 'child', usualMonths: 5 },
  mr: { take: 0.965, next: 0.965, child: true, timing: 'child' },
  var: { take: 0.94, next: 0.95, child: true, timing: 'child' },
  je: { take: 0.9, next: 0.96, child: true, timing: 'child', usualMonths: 36 },
  dt: { take: 0.8, next: 1, timing: 'child' },
  hpv: { take: 0.35, next: 0.9, timing: 'uniform' },
  flu: { take: 0.5, next: 1, episodic: true, timing: 'season' },
  covid: { take: 0.25, next: 1, episodic: true, timing: 'season' },
  pneumo: { take: 0.3, next: 1, timing: 'uniform' },
  hz: { take: 0.2, next: 0.9, timing: 'uniform' },
};

/** HPV uptake by birth cohort: the 2013–2021 suspension of active recommendation shows in the data. */
function hpvTake(birth: string): number {
  if (birth < '2000-04-02') return 0.05;
  if (birth < '2009-04-02') return 0.15;
  return 0.35;
}

const int = (rng: Random, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

function delay(rng: Random, timing: Plan['timing'], length: number): number {
  const r = rng();
  if (timing === 'uniform') return int(rng, 0, length);
  if (timing === 'season') return r < 0.85 ? int(rng, 0, Math.min(45, length)) : int(rng, 0, length);
  if (r < 0.8) return int(rng, 0, Math.min(21, length)); // on time
  if (r < 0.95) return int(rng, Math.min(21, length), Math.min(120, length)); // late
  return int(rng, 0, length); // anywhere in the window
}

/** Days on which the rule pack changes (a vaccine or product comes into force): the simulation looks again then. */
let checkpoints: Day[] | null = null;
function packCheckpoints(): Day[] {
  if (checkpoints) return checkpoints;
  const set = new Set<Day>();
  for (const v of scheduleEngine().compiled.pack.vaccines) {
    if (v.validFrom) set.add(parseIsoDate(v.validFrom) ?? 0);
    for (const p of v.products ?? []) if (p.validFrom) set.add(parseIsoDate(p.validFrom) ?? 0);
  }
  checkpoints = [...set].sort((a, b) => a - b);
  return checkpoints;
}

// ---------------------------------------------------------------------------------------------
// One person's history

export interface DemoPerson {
  addressNumber: string;
  name: string;
  birth: string;
  sex: Sex;
  /** Last day the person can be vaccinated here (death, moving out); null when resident. */
  until: string | null;
}

export interface DemoMasters {
  /** Products by vaccine, with the rule-pack product and when the product can be used. */
  products: Map<string, Array<{ name: string; product: string | null; windows: Array<[Day, Day]> }>>;
  /** Lots by product: [lot, expiry day] sorted by expiry. */
  lots: Map<string, Array<[string, Day]>>;
  childClinics: Array<{ code: string; doctors: string[] }>;
  adultClinics: Array<{ code: string; doctors: string[] }>;
  venues: Array<{ code: string; doctors: string[] }>;
}

export interface DemoDose {
  vaccine: string;
  dose: number;
  date: string;
  productName: string | null;
  lot: string | null;
  institution: string;
  doctor: string;
  /** Deliberately given too early (the import records it as non-routine). */
  invalid: boolean;
}

interface Decision {
  take: boolean;
  day: Day;
  invalidDay: Day | null;
}

function pick<T>(rng: Random, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)] as T;
}

/**
 * Simulates one person's doses up to `asOf`: repeatedly asks the engine what is due (forecast as of
 * the last event), decides by the coverage table whether and when the next dose happens, and adds
 * it. Doses on nearby days are given together (同時接種), as clinics do.
 */
export function simulatePerson(p: DemoPerson, masters: DemoMasters, asOf: string, rng: Random): DemoDose[] {
  const engine = scheduleEngine();
  const birth = parseIsoDate(p.birth);
  const asOfDay = parseIsoDate(asOf);
  if (birth === null || asOfDay === null) return [];
  const stop = Math.min(asOfDay, p.until ? (parseIsoDate(p.until) ?? asOfDay) : asOfDay);
  const adult = reachYears(birth, 20) < asOfDay;
  // Children from birth; adults (B類 records are kept five years) from five years back.
  let cursor = Math.max(birth, parseIsoDate(HISTORY_START) ?? 0, adult ? asOfDay - 5 * 365 : birth);
  const person = { birth: p.birth, sex: p.sex };
  const history: DoseRecord[] = [];
  const out: DemoDose[] = [];
  const decisions = new Map<string, Decision>();
  const started = new Map<string, string | null>(); // vaccine → product name of the series
  const refusesSeries = new Set<string>();
  const lastDay = new Map<string, Day>(); // vaccine → day of its latest dose
  const given = new Set<string>(); // vaccine|dose given as planned (not deliberately early)
  const fluHabit = pick(rng, [0.9, 0.9, 0.9, 0.5, 0.5, 0.5, 0.05, 0.05, 0.05, 0.05]);
  const childClinic = pick(rng, masters.childClinics.length ? masters.childClinics : masters.adultClinics);
  const adultClinic = pick(rng, masters.adultClinics.length ? masters.adultClinics : masters.childClinics);
  const checks = packCheckpoints();
  for (let guard = 0; guard < 500 && cursor <= stop; guard++) {
    const f = engine.forecast(person, history, formatIsoDate(cursor));
    let recheck = checks.find((d) => d > cursor) ?? Infinity;
    const ready: Array<{ n: NextDose; day: Day; invalid: boolean; until: Day }> = [];
    for (const n of f.next) {
      if ((n.status !== 'due' && n.status !== 'upcoming') || n.dose === null || !n.from) continue;
      const plan = PLANS[n.vaccine];
      if (!plan || refusesSeries.has(n.vaccine)) continue;
      const opens = parseIsoDate(n.from) ?? cursor;
      const notBefore = Math.max(cursor, (lastDay.get(n.vaccine) ?? -Infinity) + 1);
      const from = Math.max(opens, notBefore);
      const until = n.until ? (parseIsoDate(n.until) ?? from) : from + 365;
      if (from > until) continue;
      const key = plan.episodic ? `${n.vaccine}|${n.until ?? ''}` : `${n.vaccine}|${n.dose}`;
      let d = decisions.get(key);
      if (!d) {
        const first = plan.episodic || n.dose === 1 || !started.has(n.vaccine);
        const take = n.vaccine === 'hpv' && first ? hpvTake(p.birth)
          : n.vaccine === 'flu' ? fluHabit
            : first ? plan.take : n.vaccine === 'je' && n.dose === 4 ? 0.85 : plan.next;
        const yes = rng() < take;
        const usual = plan.usualMonths !== undefined && n.dose === 1 ? Math.min(until, Math.max(from, reachMonths(birth, plan.usualMonths))) : from;
        const day = usual + delay(rng, plan.timing, until - usual);
        // Too young / too soon: a few days before the window the engine gives opens.
        const early = plan.child === true && rng() < 0.005 ? opens - int(rng, 1, 10) : null;
        d = { take: yes, day, invalidDay: early !== null && early >= notBefore && early >= birth ? early : null };
        decisions.set(key, d);
        if (!yes && !plan.episodic) refusesSeries.add(n.vaccine);
      }
      if (!d.take) {
        if (plan.episodic && until + 1 < recheck) recheck = until + 1;
        continue;
      }
      if (d.invalidDay === null && d.day < from) d.day = from + int(rng, 0, Math.min(14, until - from));
      if (d.invalidDay === null && d.day > until) {
        d.take = false; // pushed out of its window by other doses: missed
        continue;
      }
      ready.push({ n, day: d.invalidDay ?? d.day, invalid: d.invalidDay !== null, until });
    }
    if (ready.length === 0) {
      if (recheck === Infinity || recheck > stop) break;
      cursor = recheck;
      continue;
    }
    const visit = Math.min(...ready.map((r) => r.day));
    if (visit > stop) break;
    if (visit >= recheck) {
      cursor = recheck;
      continue;
    }
    // Everything due within a week of the visit and already open is given the same day.
    const clinicPool = reachYears(birth, 16) > visit ? childClinic : adultClinic;
    const today = ready.filter((r) => r.day === visit || (!r.invalid && r.day <= visit + 7 && (parseIsoDate(r.n.from as string) ?? Infinity) <= visit && visit <= r.until));
    for (const r of today) {
      const vaccine = r.n.vaccine;
      const doseKey = `${vaccine}|${r.n.dose}|${PLANS[vaccine]?.episodic ? (r.n.until ?? '') : ''}`;
      if (!r.invalid && given.has(doseKey)) {
        refusesSeries.add(vaccine); // the engine did not count a planned dose: stop rather than repeat it
        continue;
      }
      const accepts = (sp: string | null): boolean =>
        engine.validate(person, [...history, { vaccine, dose: r.n.dose as number, date: formatIsoDate(visit), product: sp }]).at(-1)?.routine === true;
      const productName = chooseProduct(masters, vaccine, visit, started.get(vaccine) ?? null, rng, (sp) => r.invalid || accepts(sp));
      const spOf = (name: string | null): string | null => (name === null ? null : (masters.products.get(vaccine)?.find((x) => x.name === name)?.product ?? null));
      // A rule change between the forecast and the dose day can make an "early" dose valid after all.
      if (r.invalid && accepts(spOf(productName))) r.invalid = false;
      if (!r.invalid) given.add(doseKey);
      lastDay.set(vaccine, visit);
      started.set(vaccine, productName);
      const clinic = vaccine === 'bcg' && masters.venues.length > 0 && rng() < 0.7 ? pick(rng, masters.venues) : rng() < 0.85 ? clinicPool : pick(rng, [...masters.childClinics, ...masters.adultClinics]);
      const sp = spOf(productName);
      history.push({ vaccine, dose: r.n.dose as number, date: formatIsoDate(visit), product: sp });
      out.push({
        vaccine, dose: r.n.dose as number, date: formatIsoDate(visit), productName, lot: productName === null ? null : lotFor(masters, productName, visit),
        institution: clinic.code, doctor: pick(rng, clinic.doctors), invalid: r.invalid,
      });
      const key = PLANS[vaccine]?.episodic ? `${vaccine}|${r.n.until ?? ''}` : `${vaccine}|${r.n.dose}`;
      const d = decisions.get(key);
      if (d && r.invalid) d.invalidDay = null; // the dose is repeated properly later
      else decisions.delete(key);
    }
    cursor = visit;
  }
  return out;
}

/**
 * The product used on a day: the series' product while it is in use, else one in use that day.
 * Where the product decides the series (ロタ 1価/5価, HPV, 帯状疱疹), one the engine accepts here.
 */
function chooseProduct(masters: DemoMasters, vaccine: string, day: Day, previous: string | null, rng: Random, accepts: (scheduleProduct: string | null) => boolean): string | null {
  const usable = (masters.products.get(vaccine) ?? []).filter((p) => p.windows.some(([f, t]) => f <= day && day <= t));
  if (usable.length === 0) return null;
  const prev = previous === null ? undefined : usable.find((p) => p.name === previous);
  if (prev) return prev.name;
  const first = pick(rng, usable);
  if (usable.every((p) => p.product === first.product) || accepts(first.product)) return first.name;
  return (usable.find((p) => p.product !== first.product && accepts(p.product)) ?? first).name;
}

/** The lot in use on a day: the one expiring soonest that has not expired. */
function lotFor(masters: DemoMasters, productName: string, day: Day): string | null {
  const lots = masters.lots.get(productName);
  if (!lots) return null;
  for (const [lot, expires] of lots) if (expires >= day) return lot;
  return null;
}

// ---------------------------------------------------------------------------------------------
// The file

export interface DemoDosesOptions {
  asOf: string;
  seed: string;
  encoding?: 'utf8' | 'cp932';
}

export interface DemoDosesSummary {
  persons: number;
  rows: number;
  invalid: number;
  /** Persons left out because their name cannot be written in CP932. */
  skipped: number;
  seconds: number;
}

const ITAIJI = new Map(ITAIJI_TABLE);

function canCp932(s: string): boolean {
  return iconv.decode(iconv.encode(s, 'cp932'), 'cp932') === s;
}

/** A name as a clinic might write it: sometimes with the standard form of a 異体字 (髙 → 高). */
function clinicName(name: string, rng: Random, cp932: boolean): string | null {
  let out = name;
  if (rng() < 0.3) out = [...name].map((ch) => ITAIJI.get(ch) ?? ch).join('');
  if (cp932 && !canCp932(out)) {
    out = [...out].map((ch) => (canCp932(ch) ? ch : (ITAIJI.get(ch) ?? ch))).join('');
    if (!canCp932(out)) return null;
  }
  return out;
}

async function loadDemoMasters(tx: ScopedTx): Promise<DemoMasters> {
  const products = await tx.query<{ name: string; vaccine_id: string; schedule_product: string | null }>('SELECT name, vaccine_id, schedule_product FROM vaccine_products ORDER BY name');
  const lots = await tx.query<{ product_name: string; lot_number: string; expires_on: string | null }>('SELECT product_name, lot_number, expires_on FROM vaccine_lots ORDER BY product_name, expires_on, lot_number');
  const inst = await tx.query<{ code: string; name: string; is_venue: boolean; doctors: string[] | null }>(
    `SELECT i.code, i.name, i.is_venue, (SELECT array_agg(d.name ORDER BY d.name) FROM doctors d WHERE d.institution_code = i.code) AS doctors
       FROM medical_institutions i ORDER BY i.code`,
  );
  return buildDemoMasters(products, lots, inst);
}

/** The generator's view of the masters (rows as the master tables hold them). */
export function buildDemoMasters(
  products: ReadonlyArray<{ name: string; vaccine_id: string; schedule_product: string | null }>,
  lots: ReadonlyArray<{ product_name: string; lot_number: string; expires_on: string | null }>,
  inst: ReadonlyArray<{ code: string; name: string; is_venue: boolean; doctors: string[] | null }>,
): DemoMasters {
  const m: DemoMasters = { products: new Map(), lots: new Map(), childClinics: [], adultClinics: [], venues: [] };
  for (const p of products) {
    let list = m.products.get(p.vaccine_id);
    if (!list) m.products.set(p.vaccine_id, (list = []));
    list.push({ name: p.name, product: p.schedule_product, windows: productWindows(p.vaccine_id, p.schedule_product) });
  }
  for (const l of lots) {
    let list = m.lots.get(l.product_name);
    if (!list) m.lots.set(l.product_name, (list = []));
    list.push([l.lot_number, l.expires_on ? (parseIsoDate(l.expires_on) ?? 1e8) : 1e8]);
  }
  for (const list of m.lots.values()) list.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
  for (const i of inst) {
    const entry = { code: i.code, doctors: i.doctors?.length ? i.doctors : [''] };
    if (i.is_venue) m.venues.push(entry);
    else if (/小児|こども|子ども/u.test(i.name)) m.childClinics.push(entry);
    else if (/内科/u.test(i.name) && !/小児/u.test(i.name)) m.adultClinics.push(entry);
    else {
      m.childClinics.push(entry);
      m.adultClinics.push(entry);
    }
  }
  if (m.childClinics.length + m.adultClinics.length === 0) throw new InputError('医療機関マスタが空です (the institution master is empty)');
  return m;
}

const PAGE = 5000;

/**
 * Generates the demo clinic file for the actor's tenant, handing each encoded chunk to `write`.
 * Reads persons and masters in one audited operation (person.read); refuses a tenant that is not
 * a demo tenant.
 */
export async function generateDemoDoses(db: Database, actor: Actor, opts: DemoDosesOptions, write: (chunk: Buffer) => void): Promise<DemoDosesSummary> {
  const started = performance.now();
  if (parseIsoDate(opts.asOf) === null) throw new InputError(`invalid --as-of date: ${opts.asOf}`);
  const cp932 = opts.encoding === 'cp932';
  const summary = { persons: 0, rows: 0, invalid: 0, skipped: 0 };
  await perform(db, actor, { permission: 'person.read', action: 'demo.doses', detail: { asOf: opts.asOf, seed: opts.seed.slice(0, 100) } }, async ({ tx, note }) => {
    const [tenant] = await tx.query<{ is_demo: boolean }>('SELECT is_demo FROM municipalities WHERE code = app_tenant_code()');
    if (!tenant?.is_demo) throw new InputError('デモ用の団体にのみ作成できます (synthetic histories are for demo tenants only)');
    const masters = await loadDemoMasters(tx);
    let buf: string[] = [];
    let size = 0;
    const flush = (): void => {
      if (buf.length === 0) return;
      const text = buf.join('');
      write(cp932 ? iconv.encode(text, 'cp932') : Buffer.from(text, 'utf8'));
      buf = [];
      size = 0;
    };
    const put = (line: string): void => {
      buf.push(`${line}\r\n`);
      size += line.length;
      if (size > 1 << 20) flush();
    };
    put(csvLine(CLINIC_COLUMNS));
    let after = '';
    for (;;) {
      const persons = await tx.query<{ address_number: string; name: string; birth_date: string; sex: Sex; status: string; status_date: string | null }>(
        `SELECT address_number, name, birth_date, sex, status, status_date FROM persons
          WHERE merged_into IS NULL AND address_number > $1 ORDER BY address_number LIMIT $2`,
        [after, PAGE],
      );
      if (persons.length === 0) break;
      after = (persons[persons.length - 1] as (typeof persons)[number]).address_number;
      for (const row of persons) {
        const rng = mulberry32(createHash('sha256').update(`sesshu.demo-doses\u0000${opts.seed}\u0000${row.address_number}`).digest().readInt32LE(0));
        const name = clinicName(row.name, rng, cp932);
        if (name === null) {
          summary.skipped++;
          continue;
        }
        const doses = simulatePerson(
          { addressNumber: row.address_number, name: row.name, birth: row.birth_date, sex: row.sex, until: row.status === 'resident' ? null : row.status_date },
          masters, opts.asOf, rng,
        );
        if (doses.length > 0) summary.persons++;
        for (const d of doses) {
          // Some clinics write the birth date in 和暦.
          const birth = rng() < 0.05 ? (toJapaneseEraDate(row.birth_date) ?? row.birth_date) : row.birth_date;
          put(csvLine(['', row.address_number, name, birth, d.date, d.vaccine, d.productName ?? '', d.lot ?? '', String(d.dose), d.institution, d.doctor, '']));
          summary.rows++;
          if (d.invalid) summary.invalid++;
        }
      }
    }
    flush();
    note({ ...summary });
  });
  return { ...summary, seconds: (performance.now() - started) / 1000 };
}

/** Writes the demo clinic file to a path (streaming). */
export async function writeDemoDosesFile(db: Database, actor: Actor, opts: DemoDosesOptions & { out: string }): Promise<DemoDosesSummary> {
  const fd = fs.openSync(opts.out, 'w');
  try {
    return await generateDemoDoses(db, actor, opts, (chunk) => {
      fs.writeSync(fd, chunk);
    });
  } finally {
    fs.closeSync(fd);
  }
}
