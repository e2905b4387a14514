// Synthetic histories (pure part): deterministic for a seed, coverage and timing in the ranges the
// generator promises, products consistent with dates, a few deliberately invalid doses.
import { describe, expect, it } from 'vitest';
import { buildDemoMasters, demoMasterFiles, simulatePerson, type DemoDose, type DemoMasters } from '../../../src/modules/records/demo-doses.ts';
import { mulberry32 } from '../../../src/modules/residents/generator.ts';
import { scheduleEngine } from '../../../src/modules/schedule/contract.ts';

const AS_OF = '2026-01-15';

function masters(): DemoMasters {
  const files = demoMasterFiles('990019', AS_OF);
  const rows = (text: string): string[][] => text.trim().split('\r\n').slice(1).map((l) => l.split(','));
  const doctors = rows(files.doctors);
  return buildDemoMasters(
    rows(files.products).map(([name, vaccine, product]) => ({ name: name!, vaccine_id: vaccine!, schedule_product: product || null })),
    rows(files.lots).map(([product, lot, expires]) => ({ product_name: product!, lot_number: lot!, expires_on: expires! })),
    rows(files.institutions).map(([code, name, , , , , venue]) => ({ code: code!, name: name!, is_venue: venue === '1', doctors: doctors.filter((d) => d[0] === code).map((d) => d[1]!) })),
  );
}

const M = masters();
const cohort = (n: number, birthOf: (i: number) => string, sex: (i: number) => 'M' | 'F' = (i) => (i % 2 ? 'M' : 'F')) =>
  Array.from({ length: n }, (_, i) => {
    const birth = birthOf(i);
    return { birth, sex: sex(i), doses: simulatePerson({ addressNumber: String(i), name: 'x', birth, sex: sex(i), until: null }, M, AS_OF, mulberry32(1000 + i)) };
  });
const share = (people: Array<{ doses: DemoDose[] }>, f: (d: DemoDose) => boolean): number => people.filter((p) => p.doses.some(f)).length / people.length;

describe('synthetic vaccination histories', () => {
  it('is deterministic for a seed', () => {
    const p = { addressNumber: '1', name: 'x', birth: '2019-06-10', sex: 'F' as const, until: null };
    expect(simulatePerson(p, M, AS_OF, mulberry32(7))).toEqual(simulatePerson(p, M, AS_OF, mulberry32(7)));
    expect(simulatePerson(p, M, AS_OF, mulberry32(7))).not.toEqual(simulatePerson(p, M, AS_OF, mulberry32(8)));
  });

  const kids = cohort(1500, (i) => `2018-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`);

  it('gives children Japan-like coverage, on time mostly, and ~0.5% invalid doses', () => {
    expect(share(kids, (d) => d.vaccine === 'mr' && d.dose === 1 && !d.invalid)).toBeGreaterThan(0.93);
    expect(share(kids, (d) => d.vaccine === 'mr' && d.dose === 2 && !d.invalid)).toBeGreaterThan(0.88);
    expect(share(kids, (d) => d.vaccine === 'mr' && d.dose === 2 && !d.invalid)).toBeLessThan(0.97);
    expect(share(kids, (d) => d.vaccine === 'dpt_ipv' && d.dose === 1)).toBeGreaterThan(0.95);
    expect(share(kids, (d) => d.vaccine === 'dpt_ipv_hib')).toBeLessThan(0.01); // born 2018: the 四種混合 route (a late starter may catch up on 五種混合)
    expect(share(kids, (d) => d.vaccine === 'pcv' && d.dose === 1)).toBeGreaterThan(0.95);
    const all = kids.flatMap((k) => k.doses);
    const invalid = all.filter((d) => d.invalid).length / all.length;
    expect(invalid).toBeGreaterThan(0.001);
    expect(invalid).toBeLessThan(0.012);
    // The engine agrees: exactly the deliberately early doses are not routine.
    const engine = scheduleEngine();
    for (const k of kids.slice(0, 300)) {
      const product = (d: DemoDose) => (d.productName ? (M.products.get(d.vaccine)?.find((p) => p.name === d.productName)?.product ?? null) : null);
      const v = engine.validate({ birth: k.birth, sex: k.sex }, k.doses.map((d) => ({ vaccine: d.vaccine, dose: d.dose, date: d.date, product: product(d) })));
      expect(v.map((x) => !x.routine)).toEqual(k.doses.map((d) => d.invalid));
    }
    // MR 1期 is given around the first birthday, mostly within three months of it.
    const mrAge = kids.flatMap((k) => k.doses.filter((d) => d.vaccine === 'mr' && d.dose === 1).map((d) => (Date.parse(d.date) - Date.parse(k.birth)) / 864e5));
    expect(mrAge.filter((a) => a < 365 + 92).length / mrAge.length).toBeGreaterThan(0.8);
  });

  it('uses products and lots that match the date', () => {
    const recent = cohort(400, (i) => `2024-${String(1 + (i % 12)).padStart(2, '0')}-10`);
    const doses = recent.flatMap((k) => k.doses);
    for (const d of doses.filter((x) => x.vaccine === 'pcv')) {
      if (d.date >= '2024-10-01') expect(d.productName).not.toBe('プレベナー13');
      if (d.date <= '2024-03-31') expect(d.productName).toBe('プレベナー13');
    }
    expect(doses.some((d) => d.vaccine === 'dpt_ipv_hib' && d.date >= '2024-04-01')).toBe(true);
    expect(doses.every((d) => d.vaccine !== 'dpt_ipv_hib' || d.date >= '2024-04-01')).toBe(true);
    expect(doses.every((d) => d.date <= AS_OF && d.lot !== null && d.institution.startsWith('991'))).toBe(true);
  });

  it('gives older people flu in about half of the seasons, pneumococcal to a minority, and nothing after --as-of', () => {
    const old = cohort(600, (i) => `19${40 + (i % 15)}-05-${String(1 + (i % 28)).padStart(2, '0')}`);
    const flu = old.flatMap((p) => p.doses.filter((d) => d.vaccine === 'flu'));
    const perSeason = flu.length / old.length / 5; // five seasons of records
    expect(perSeason).toBeGreaterThan(0.35);
    expect(perSeason).toBeLessThan(0.65);
    const hz = old.flatMap((p) => p.doses.filter((d) => d.vaccine === 'hz'));
    expect(hz.every((d) => d.date >= '2025-04-01' && d.productName !== null)).toBe(true);
    expect(old.every((p) => p.doses.every((d) => d.date <= AS_OF))).toBe(true);
    expect(share(old, (d) => d.vaccine === 'pneumo')).toBeLessThan(0.4);
    // Born FY2009: their HPV window (FY of age 12 … FY of age 16) ends 2026-03-31.
    const girls = cohort(600, (i) => (i % 12 < 9 ? `2009-${String(4 + (i % 12)).padStart(2, '0')}-15` : `2010-0${1 + (i % 12) - 9}-15`), () => 'F');
    const hpv = share(girls, (d) => d.vaccine === 'hpv');
    expect(hpv).toBeGreaterThan(0.25);
    expect(hpv).toBeLessThan(0.45);
  });
});
