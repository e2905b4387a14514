// Worked cases — B類 and adult vaccines (flu, pneumo, covid, hz) and RSV 母子免疫 (provisional).
import { describe, expect, it } from 'vitest';
import { createEngine, EXAMPLE_LOCAL_MUMPS, checkMunicipalityConfig } from '../../../src/domain/schedule/index.ts';
import { checkLastDose, checkNext, dose, type DoseCase, type NextCase } from './helpers.ts';

// flu — born 1959-11-20: reaches 65 on 2024-11-19. Default season 10-01 … 01-31.
const FLU: DoseCase[] = [
  { name: 'day before 65', birth: '1959-11-20', doses: ['flu:1:2024-11-18'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'on reaching 65', birth: '1959-11-20', doses: ['flu:1:2024-11-19'], routine: true },
  { name: 'second dose in the same season', birth: '1959-11-20', doses: ['flu:1:2024-11-19', 'flu:1:2025-01-10'], routine: false, problems: ['SERIES_COMPLETE'] },
  { name: 'out of season', birth: '1959-11-20', doses: ['flu:1:2025-03-01'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'next season counts again', birth: '1959-11-20', doses: ['flu:1:2024-11-19', 'flu:1:2025-10-01'], routine: true },
  { name: 'last day of the season (31 Jan)', birth: '1959-11-20', doses: ['flu:1:2025-01-31'], routine: true },
  { name: '60–64 with a 1級 disability', birth: '1962-01-10', doses: ['flu:1:2024-11-01'], routine: true, person: { disability: 'organ' } },
  { name: '60–64 without', birth: '1962-01-10', doses: ['flu:1:2024-11-01'], routine: false, problems: ['TOO_YOUNG'] },
];

const FLU_NEXT: NextCase[] = [
  { name: 'turns 65 mid-season: from the reaching day', birth: '1959-11-20', asOf: '2024-12-01', vaccine: 'flu', expect: { status: 'due', dose: 1, from: '2024-11-19', until: '2025-01-31' } },
  { name: 'before the season', birth: '1959-11-20', asOf: '2024-06-01', vaccine: 'flu', expect: { status: 'upcoming', dose: 1, from: '2024-11-19', until: '2025-01-31' } },
  { name: 'this season done: next season', birth: '1959-11-20', asOf: '2025-01-20', doses: ['flu:1:2024-11-19'], vaccine: 'flu', expect: { status: 'upcoming', dose: 1, from: '2025-10-01', until: '2026-01-31' } },
  { name: 'between seasons', birth: '1959-11-20', asOf: '2025-03-01', vaccine: 'flu', expect: { status: 'upcoming', dose: 1, from: '2025-10-01', until: '2026-01-31' } },
  { name: 'young adult: the season in which 65 is reached', birth: '1990-01-01', asOf: '2025-01-01', vaccine: 'flu', expect: { status: 'upcoming', dose: 1, from: '2054-12-31', until: '2055-01-31' } },
];

// pneumo — born 1960-04-01: 65 on 2025-03-31, 66 on 2026-03-31 (PPSV23 era);
//          born 1960-04-02: 65 on 2025-04-01, 66 on 2026-04-01 (PCV20 from 2026-04-01).
const PNEUMO: DoseCase[] = [
  { name: 'day before 65', birth: '1960-04-01', doses: ['pneumo:1:2025-03-30:ppsv23'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'on reaching 65', birth: '1960-04-01', doses: ['pneumo:1:2025-03-31:ppsv23'], routine: true },
  { name: 'ppsv23 on reaching 66 (last PPSV23 day)', birth: '1960-04-01', doses: ['pneumo:1:2026-03-31:ppsv23'], routine: true },
  { name: 'pcv20 before 2026-04-01', birth: '1960-04-01', doses: ['pneumo:1:2026-03-31:pcv20'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'pcv20 from 2026-04-01', birth: '1960-04-02', doses: ['pneumo:1:2026-04-01:pcv20'], routine: true },
  { name: 'ppsv23 after 2026-03-31', birth: '1960-04-02', doses: ['pneumo:1:2026-04-01:ppsv23'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'after 66', birth: '1960-04-02', doses: ['pneumo:1:2026-04-02:pcv20'], routine: false, problems: ['TOO_OLD'] },
  { name: 'prior routine PPSV23 excludes PCV20', birth: '1960-04-02', doses: ['pneumo:1:2025-05-01:ppsv23', 'pneumo:1:2026-04-01:pcv20'], routine: false, problems: ['SERIES_COMPLETE'] },
  { name: 'FY2014–2023 cohort (70 in FY2019)', birth: '1949-06-01', doses: ['pneumo:1:2019-07-01'], routine: true },
  { name: 'cohort FY2018 (70 reached 2019-02-28): too old in FY2019', birth: '1949-03-01', doses: ['pneumo:1:2019-07-01'], routine: false, problems: ['TOO_OLD'] },
  { name: '60–64 with a 1級 disability', birth: '1962-06-01', doses: ['pneumo:1:2024-06-01:ppsv23'], routine: true, person: { disability: 'hiv' } },
];

const PNEUMO_NEXT: NextCase[] = [
  { name: 'due between 65 and 66', birth: '1960-04-02', asOf: '2026-01-01', vaccine: 'pneumo', expect: { status: 'due', dose: 1, from: '2025-04-01', until: '2026-04-01' } },
  { name: 'complete', birth: '1960-04-02', asOf: '2026-01-01', doses: ['pneumo:1:2025-05-01:ppsv23'], vaccine: 'pneumo', expect: { status: 'complete', dose: null } },
  { name: 'missed', birth: '1950-01-01', asOf: '2025-01-01', vaccine: 'pneumo', expect: { status: 'expired', dose: 1 } },
];

// covid — B類 from 2024-04-01, season 10-01 … 03-31.
const COVID: DoseCase[] = [
  { name: 'before 65', birth: '1959-11-20', doses: ['covid:1:2024-10-01'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'on reaching 65', birth: '1959-11-20', doses: ['covid:1:2024-11-19'], routine: true },
  { name: 'before B類 (2024-04-01)', birth: '1950-01-01', doses: ['covid:1:2024-03-01'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'last day of the season', birth: '1950-01-01', doses: ['covid:1:2025-03-31'], routine: true },
  { name: 'out of season', birth: '1950-01-01', doses: ['covid:1:2025-04-01'], routine: false, problems: ['NOT_ELIGIBLE'] },
];

const COVID_NEXT: NextCase[] = [
  { name: 'not in force on 2024-03-31', birth: '1950-01-01', asOf: '2024-03-31', vaccine: 'covid', expect: null },
  { name: 'in force from 2024-04-01', birth: '1959-11-20', asOf: '2024-04-01', vaccine: 'covid', expect: { status: 'upcoming', dose: 1, from: '2024-11-19', until: '2025-03-31' } },
];

// hz — born 1961-04-01: 65 reached 2026-03-31 → FY2025. born 1961-04-02 → FY2026.
const HZ: DoseCase[] = [
  { name: 'FY of 65: first day', birth: '1961-04-01', doses: ['hz:1:2025-04-01:hz_live'], routine: true },
  { name: 'FY of 65: last day', birth: '1961-04-01', doses: ['hz:1:2026-03-31:hz_live'], routine: true },
  { name: 'after the FY', birth: '1961-04-01', doses: ['hz:1:2026-04-01:hz_live'], routine: false, problems: ['TOO_OLD'] },
  { name: '2 April birth: next FY', birth: '1961-04-02', doses: ['hz:1:2026-03-31:hz_live'], routine: false, problems: ['TOO_YOUNG'] },
  { name: '2 April birth: 2026-04-01', birth: '1961-04-02', doses: ['hz:1:2026-04-01:hz_live'], routine: true },
  { name: 'transitional: 70 in FY2025', birth: '1955-06-01', doses: ['hz:1:2025-06-01:hz_rzv'], routine: true },
  { name: 'transitional: 72 in FY2025 waits for 75 (FY2028)', birth: '1953-06-01', doses: ['hz:1:2025-06-01:hz_rzv'], routine: false, problems: ['TOO_YOUNG'] },
  { name: '100 and over in FY2025', birth: '1920-01-01', doses: ['hz:1:2025-06-01:hz_rzv'], routine: true },
  { name: '100 in FY2026', birth: '1926-06-01', doses: ['hz:1:2026-06-01:hz_rzv'], routine: true },
  { name: 'hz_rzv d2 2 months (Dec 31 → Feb 28), a day early', birth: '1961-04-01', doses: ['hz:1:2025-12-31:hz_rzv', 'hz:2:2026-02-27:hz_rzv'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'hz_rzv d2 2 months', birth: '1961-04-01', doses: ['hz:1:2025-12-31:hz_rzv', 'hz:2:2026-02-28:hz_rzv'], routine: true },
  { name: 'live then recombinant: complete and wrong product', birth: '1961-04-01', doses: ['hz:1:2025-06-01:hz_live', 'hz:2:2025-09-01:hz_rzv'], routine: false, problems: ['SERIES_COMPLETE', 'NOT_ELIGIBLE'] },
  { name: 'before 帯状疱疹 was routine', birth: '1960-01-01', doses: ['hz:1:2025-03-01:hz_rzv'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: '60–64 with HIV disability', birth: '1963-01-10', doses: ['hz:1:2025-06-01:hz_rzv'], routine: true, person: { disability: 'hiv' } },
  { name: '60–64 with another disability: not eligible until FY2027', birth: '1963-01-10', doses: ['hz:1:2025-06-01:hz_rzv'], routine: false, problems: ['TOO_YOUNG'], person: { disability: 'organ' } },
];

const HZ_NEXT: NextCase[] = [
  { name: 'not in force before 2025-04-01', birth: '1961-04-01', asOf: '2025-03-31', vaccine: 'hz', expect: null },
  { name: 'FY of 65', birth: '1961-04-01', asOf: '2025-04-01', vaccine: 'hz', expect: { status: 'due', dose: 1, from: '2025-04-01', until: '2026-03-31' } },
  { name: 'transitional cohort later', birth: '1953-06-01', asOf: '2025-06-01', vaccine: 'hz', expect: { status: 'upcoming', dose: 1, from: '2028-04-01', until: '2029-03-31' } },
  { name: 'recombinant second dose', birth: '1961-04-01', asOf: '2026-01-15', doses: ['hz:1:2025-12-31:hz_rzv'], vaccine: 'hz', expect: { status: 'upcoming', dose: 2, from: '2026-02-28', until: '2026-03-31' } },
  { name: 'live: one dose completes', birth: '1961-04-01', asOf: '2026-01-15', doses: ['hz:1:2025-12-31:hz_live'], vaccine: 'hz', expect: { status: 'complete', dose: null } },
];

// rsv — provisional: pregnant persons 28w0d … 36w6d, from 2026-04-01.
const PREG = { pregnancies: [{ start: '2026-01-01' }] };
const RSV: DoseCase[] = [
  { name: 'day before 28w0d', birth: '1995-05-05', doses: ['rsv:1:2026-07-15'], routine: false, problems: ['NOT_ELIGIBLE'], person: PREG },
  { name: 'at 28w0d', birth: '1995-05-05', doses: ['rsv:1:2026-07-16'], routine: true, person: PREG },
  { name: 'at 36w6d', birth: '1995-05-05', doses: ['rsv:1:2026-09-16'], routine: true, person: PREG },
  { name: 'at 37w0d', birth: '1995-05-05', doses: ['rsv:1:2026-09-17'], routine: false, problems: ['NOT_ELIGIBLE'], person: PREG },
  { name: 'no pregnancy recorded', birth: '1995-05-05', doses: ['rsv:1:2026-07-16'], routine: false, problems: ['NOT_ELIGIBLE'] },
];

const RSV_NEXT: NextCase[] = [
  { name: 'not in force before 2026-04-01', birth: '1995-05-05', asOf: '2026-03-31', vaccine: 'rsv', expect: null },
  { name: 'no pregnancy: ineligible', birth: '1995-05-05', asOf: '2026-04-01', vaccine: 'rsv', expect: { status: 'ineligible', dose: null } },
  { name: 'men: ineligible', birth: '1995-05-05', sex: 'M', asOf: '2026-04-01', vaccine: 'rsv', expect: { status: 'ineligible', dose: null } },
  { name: 'pregnant: upcoming 28w0d–36w6d', birth: '1995-05-05', asOf: '2026-05-01', vaccine: 'rsv', expect: { status: 'upcoming', dose: 1, from: '2026-07-16', until: '2026-09-16' }, person: PREG },
  { name: 'given: complete', birth: '1995-05-05', asOf: '2026-08-01', doses: ['rsv:1:2026-07-20'], vaccine: 'rsv', expect: { status: 'complete', dose: null }, person: PREG },
];

describe.each([
  ['flu', FLU, FLU_NEXT], ['pneumo', PNEUMO, PNEUMO_NEXT], ['covid', COVID, COVID_NEXT], ['hz', HZ, HZ_NEXT], ['rsv', RSV, RSV_NEXT],
] as const)('%s', (_id, doseCases, nextCases) => {
  it.each(doseCases.map((c) => [c.name, c] as const))('validate: %s', (_n, c) => checkLastDose(c));
  it.each(nextCases.map((c) => [c.name, c] as const))('forecast: %s', (_n, c) => checkNext(c));
});

describe('municipality configuration', () => {
  it('overrides the flu season', () => {
    const e = createEngine(undefined, checkMunicipalityConfig({ seasons: { flu: { start: '10-15', end: '02-15' } } }));
    const n = e.forecast({ birth: '1959-11-20', sex: 'F' }, [], '2025-02-10').next.find((x) => x.vaccine === 'flu');
    expect(n).toMatchObject({ status: 'due', from: '2024-11-19', until: '2025-02-15' });
    const v = e.validate({ birth: '1959-11-20', sex: 'F' }, [dose('flu:1:2024-10-10')]);
    // Before 65 (2024-11-19) and before the configured season start (10-15): both problems.
    expect(v[0]).toMatchObject({ routine: false, problems: ['TOO_YOUNG', 'NOT_ELIGIBLE'] });
  });

  it('adds a local injected-live vaccine that joins the 27-day rule', () => {
    const e = createEngine(undefined, checkMunicipalityConfig({ localVaccines: [EXAMPLE_LOCAL_MUMPS] }));
    const v = e.validate({ birth: '2023-05-10', sex: 'M' }, [dose('mumps:1:2024-06-01'), dose('mr:1:2024-06-10')]);
    expect(v.map((x) => [x.routine, x.problems])).toEqual([[true, []], [false, ['LIVE_INTERVAL']]]);
    const ids = e.forecast({ birth: '2023-05-10', sex: 'M' }, [], '2024-06-01').next.map((n) => n.vaccine);
    expect(ids).toContain('mumps');
  });

  it('rejects bad configuration', () => {
    expect(() => checkMunicipalityConfig({ seasons: { flu: { start: '13-01', end: '01-31' } } })).toThrow(/season/);
    expect(() => checkMunicipalityConfig({ seasons: { hib: { start: '10-01', end: '01-31' } } })).toThrow(/not a seasonal/);
    expect(() => checkMunicipalityConfig({ localVaccines: [{ ...EXAMPLE_LOCAL_MUMPS, id: 'mr' }] })).toThrow(/collides/);
    expect(() => checkMunicipalityConfig({ localVaccines: [{ ...EXAMPLE_LOCAL_MUMPS, eligibility: [{ window: { kind: 'age', from: '1 year' } }] }] })).toThrow(/bad age/);
  });
});
