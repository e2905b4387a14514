// 長期療養特例 worked cases and engine-wide contract invariants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoDate, parseIsoDate } from '../../../src/domain/dates.ts';
import { ROUTINE_VACCINE_IDS, type DoseRecord } from '../../../src/domain/schedule/index.ts';
import { checkLastDose, checkNext, engine, type DoseCase, type NextCase } from './helpers.ts';

// Extension = until (the day the circumstance ceased + N years − 1 day), capped by age; A類 N=2, B類 N=1.
const ILL = (from: string, to: string) => ({ longIllness: [{ from, to }] });

const LONG_ILLNESS: DoseCase[] = [
  // hib born 2020-01-15: normally until 60 months (2025-01-14); ill until 2024-06-30 → 2026-06-29.
  { name: 'hib without the 特例', birth: '2020-01-15', doses: ['hib:1:2026-06-29'], routine: false, problems: ['TOO_OLD'] },
  { name: 'hib: 2 years after recovery', birth: '2020-01-15', doses: ['hib:1:2026-06-29'], routine: true, person: ILL('2020-02-01', '2024-06-30') },
  { name: 'hib: the day after', birth: '2020-01-15', doses: ['hib:1:2026-06-30'], routine: false, problems: ['TOO_OLD'], person: ILL('2020-02-01', '2024-06-30') },
  { name: 'hib: capped on reaching 10 years', birth: '2020-01-15', doses: ['hib:1:2030-01-14'], routine: true, person: ILL('2020-02-01', '2029-06-30') },
  { name: 'hib: past the 10-year cap', birth: '2020-01-15', doses: ['hib:1:2030-01-15'], routine: false, problems: ['TOO_OLD'], person: ILL('2020-02-01', '2029-06-30') },
  { name: 'bcg: capped on reaching 4 years', birth: '2020-01-15', doses: ['bcg:1:2024-01-14'], routine: true, person: ILL('2020-01-20', '2023-06-01') },
  { name: 'bcg: past the 4-year cap', birth: '2020-01-15', doses: ['bcg:1:2024-01-15'], routine: false, problems: ['TOO_OLD'], person: ILL('2020-01-20', '2023-06-01') },
  { name: 'pcv: capped on reaching 6 years', birth: '2020-01-15', doses: ['pcv:1:2026-01-14'], routine: true, person: ILL('2020-02-01', '2025-06-30') },
  { name: 'pcv: past the 6-year cap', birth: '2020-01-15', doses: ['pcv:1:2026-01-15'], routine: false, problems: ['TOO_OLD'], person: ILL('2020-02-01', '2025-06-30') },
  { name: 'rota: not covered', birth: '2024-06-03', doses: ['rota:1:2025-02-01:rota5'], routine: false, problems: ['TOO_OLD'], person: ILL('2024-06-10', '2024-12-31') },
  { name: 'illness outside the target age: no extension', birth: '2020-01-15', doses: ['hepb:1:2022-07-01'], routine: false, problems: ['TOO_OLD'], person: ILL('2022-01-01', '2022-06-01') },
  { name: 'pneumo (B類): 1 year after recovery', birth: '1958-05-01', doses: ['pneumo:1:2025-12-30:ppsv23'], routine: true, person: ILL('2023-01-01', '2024-12-31') },
  { name: 'pneumo (B類): the day after', birth: '1958-05-01', doses: ['pneumo:1:2025-12-31:ppsv23'], routine: false, problems: ['TOO_OLD'], person: ILL('2023-01-01', '2024-12-31') },
];

const LONG_ILLNESS_NEXT: NextCase[] = [
  { name: 'hib due under the 特例 on the 1-dose path (start after 12 months)', birth: '2020-01-15', asOf: '2025-06-01', doses: ['dpt_ipv:1:2020-03-15'], vaccine: 'hib', expect: { status: 'due', dose: 1, from: '2021-01-15', until: '2026-06-29' }, person: ILL('2020-02-01', '2024-06-30') },
];

describe('長期療養特例', () => {
  it.each(LONG_ILLNESS.map((c) => [c.name, c] as const))('validate: %s', (_n, c) => checkLastDose(c));
  it.each(LONG_ILLNESS_NEXT.map((c) => [c.name, c] as const))('forecast: %s', (_n, c) => checkNext(c));
});

describe('contract invariants', () => {
  it.each([
    ['2024-03-31', 13], ['2024-04-01', 15], ['2025-03-31', 15], ['2025-04-01', 16], ['2026-04-01', 17],
  ])('on %s exactly %i vaccine ids are in force, once each', (asOf, count) => {
    const ids = engine.forecast({ birth: '2020-01-01', sex: 'F' }, [], asOf).next.map((n) => n.vaccine);
    expect(ids.length).toBe(count);
    expect(new Set(ids).size).toBe(count);
    for (const id of ids) expect(ROUTINE_VACCINE_IDS).toContain(id);
  });

  const FIRST = parseIsoDate('1920-01-01') ?? 0;
  const LAST = parseIsoDate('2030-12-31') ?? 0;
  const vaccineDoses: [string, number][] = [
    ['hepb', 3], ['rota', 3], ['dpt_ipv_hib', 4], ['dpt_ipv', 4], ['hib', 4], ['pcv', 4], ['bcg', 1], ['mr', 2], ['var', 2],
    ['je', 4], ['dt', 1], ['hpv', 3], ['flu', 1], ['pneumo', 1], ['covid', 1], ['hz', 2], ['rsv', 1],
  ];
  const doseArb = fc.record({
    v: fc.integer({ min: 0, max: vaccineDoses.length - 1 }),
    n: fc.integer({ min: 1, max: 4 }),
    offset: fc.integer({ min: 0, max: 365 * 80 }),
  });

  it('property: any birth 1920–2030 and history gives a well-formed forecast', () => {
    fc.assert(fc.property(
      fc.integer({ min: FIRST, max: LAST }), fc.constantFrom<'M' | 'F'>('M', 'F'), fc.integer({ min: 0, max: 365 * 100 }),
      fc.array(doseArb, { maxLength: 12 }),
      (birth, sex, asOfOffset, raw) => {
        const history: DoseRecord[] = raw.map((r) => {
          const [vaccine, max] = vaccineDoses[r.v] ?? ['bcg', 1];
          return { vaccine, dose: Math.min(r.n, max), date: formatIsoDate(birth + r.offset) };
        });
        const asOf = formatIsoDate(birth + asOfOffset);
        const res = engine.forecast({ birth: formatIsoDate(birth), sex }, history, asOf);
        expect(res.doses.length).toBe(history.length);
        for (const d of res.doses) expect(d.routine).toBe(d.problems.length === 0);
        const ids = res.next.map((n) => n.vaccine);
        expect(new Set(ids).size).toBe(ids.length);
        for (const n of res.next) {
          if (n.status === 'due' || n.status === 'upcoming') {
            expect(n.from).toBeDefined();
            const from = n.from ?? '';
            if (n.status === 'due') expect(from <= asOf).toBe(true);
            else expect(from > asOf).toBe(true);
            if (n.until !== null && n.until !== undefined) {
              expect(n.until >= from).toBe(true);
              expect(n.until >= asOf).toBe(true);
            }
          } else {
            expect(n.from).toBeUndefined();
          }
        }
      },
    ), { numRuns: 3000 });
  });
});
