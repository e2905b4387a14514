// Worked cases — childhood and adolescent vaccines (mr, var, je, dt, hpv) and the 27-day rule.
import { describe, it } from 'vitest';
import { checkLastDose, checkNext, type DoseCase, type NextCase } from './helpers.ts';

// mr — born 2018-04-01: 1y 2019-03-31, 2y 2020-03-31; enters school 2024-04-01 → 2期 FY2023.
//      born 2018-04-02: enters school 2025-04-01 → 2期 FY2024 (2024-04-01 … 2025-03-31).
const MR: DoseCase[] = [
  { name: '1期 day before 1 year', birth: '2018-04-01', doses: ['mr:1:2019-03-30'], routine: false, problems: ['TOO_YOUNG'] },
  { name: '1期 on reaching 1 year', birth: '2018-04-01', doses: ['mr:1:2019-03-31'], routine: true },
  { name: '1期 on reaching 2 years', birth: '2018-04-01', doses: ['mr:1:2020-03-31'], routine: true },
  { name: '1期 after 2 years', birth: '2018-04-01', doses: ['mr:1:2020-04-01'], routine: false, problems: ['TOO_OLD'] },
  { name: '2期 before the pre-school FY', birth: '2018-04-01', doses: ['mr:1:2019-04-10', 'mr:2:2023-03-31'], routine: false, problems: ['TOO_YOUNG'] },
  { name: '2期 first day of the pre-school FY', birth: '2018-04-01', doses: ['mr:1:2019-04-10', 'mr:2:2023-04-01'], routine: true },
  { name: '2期 last day (31 March before school)', birth: '2018-04-01', doses: ['mr:1:2019-04-10', 'mr:2:2024-03-31'], routine: true },
  { name: '2期 on the school-entry day', birth: '2018-04-01', doses: ['mr:1:2019-04-10', 'mr:2:2024-04-01'], routine: false, problems: ['TOO_OLD'] },
  { name: '2 April birth: one school year later', birth: '2018-04-02', doses: ['mr:2:2024-04-01'], routine: true },
  { name: '2 April birth: 2024-03-31 is too early', birth: '2018-04-02', doses: ['mr:2:2024-03-31'], routine: false, problems: ['TOO_YOUNG'] },
  { name: '2期 without 1期 still counts', birth: '2018-04-02', doses: ['mr:2:2024-06-01'], routine: true },
  { name: '2期 twice', birth: '2018-04-02', doses: ['mr:2:2024-06-01', 'mr:2:2024-09-01'], routine: false, problems: ['SERIES_COMPLETE'] },
];

const MR_NEXT: NextCase[] = [
  { name: '1期 missed: 2期 upcoming', birth: '2018-04-02', asOf: '2021-01-01', vaccine: 'mr', expect: { status: 'upcoming', dose: 2, from: '2024-04-01', until: '2025-03-31' } },
  { name: 'after 1期: 2期 due in the pre-school FY', birth: '2018-04-01', asOf: '2023-05-01', doses: ['mr:1:2019-04-10'], vaccine: 'mr', expect: { status: 'due', dose: 2, from: '2023-04-01', until: '2024-03-31' } },
  { name: 'both periods done', birth: '2018-04-01', asOf: '2024-01-01', doses: ['mr:1:2019-04-10', 'mr:2:2023-05-01'], vaccine: 'mr', expect: { status: 'complete', dose: null } },
  { name: 'both periods missed', birth: '2018-04-01', asOf: '2024-04-01', vaccine: 'mr', expect: { status: 'expired', dose: 1 } },
];

// var — born 2022-01-31: 1y 2023-01-30, 3y 2025-01-30.
const VAR: DoseCase[] = [
  { name: 'd1 day before 1 year', birth: '2022-01-31', doses: ['var:1:2023-01-29'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'd1 on reaching 1 year', birth: '2022-01-31', doses: ['var:1:2023-01-30'], routine: true },
  { name: 'd2 3 months: Nov 30 → Feb 29 (leap), a day early', birth: '2022-01-31', doses: ['var:1:2023-11-30', 'var:2:2024-02-28'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'd2 3 months: Nov 30 → Feb 29', birth: '2022-01-31', doses: ['var:1:2023-11-30', 'var:2:2024-02-29'], routine: true },
  { name: 'd2 on reaching 3 years', birth: '2022-01-31', doses: ['var:1:2023-11-30', 'var:2:2025-01-30'], routine: true },
  { name: 'd2 after 3 years', birth: '2022-01-31', doses: ['var:1:2023-11-30', 'var:2:2025-01-31'], routine: false, problems: ['TOO_OLD'] },
  { name: 'before 水痘 was routine (2014-10-01)', birth: '2013-06-01', doses: ['var:1:2014-09-01'], routine: false, problems: ['NOT_ELIGIBLE'] },
];

const VAR_NEXT: NextCase[] = [
  { name: 'second dose 3 months on', birth: '2022-01-31', asOf: '2024-01-01', doses: ['var:1:2023-11-30'], vaccine: 'var', expect: { status: 'upcoming', dose: 2, from: '2024-02-29', until: '2025-01-30' } },
];

// 27-day rule between different injected live vaccines (since 2020-10-01) — born 2023-05-10.
const LIVE: DoseCase[] = [
  { name: 'MR then 水痘 27 days later (26 between)', birth: '2023-05-10', doses: ['mr:1:2024-06-01', 'var:1:2024-06-28'], routine: false, problems: ['LIVE_INTERVAL'] },
  { name: 'MR then 水痘 on day +28', birth: '2023-05-10', doses: ['mr:1:2024-06-01', 'var:1:2024-06-29'], routine: true },
  { name: 'MR and 水痘 on the same day (同時接種)', birth: '2023-05-10', doses: ['mr:1:2024-06-01', 'var:1:2024-06-01'], routine: true },
  { name: 'BCG then oral rota next week: no cross limit', birth: '2023-05-10', doses: ['bcg:1:2023-06-14', 'rota:1:2023-06-21:rota1'], routine: true },
  { name: 'MR then inactivated JE next day: no cross limit', birth: '2023-05-10', doses: ['mr:1:2024-06-01', 'je:1:2024-06-02'], routine: true },
  { name: 'several problems at once: too young and too close', birth: '2023-05-10', doses: ['bcg:1:2023-06-01', 'mr:1:2023-06-10'], routine: false, problems: ['TOO_YOUNG', 'LIVE_INTERVAL'] },
];

const LIVE_NEXT: NextCase[] = [
  { name: '水痘 pushed to day +28 after MR', birth: '2023-05-10', asOf: '2024-06-10', doses: ['mr:1:2024-06-01'], vaccine: 'var', expect: { status: 'upcoming', dose: 1, from: '2024-06-29', until: '2026-05-09' } },
];

// je — born 2015-10-31: 6m 2016-04-30 (no Apr 31), 90m 2023-04-30, 9y 2024-10-30, 13y 2028-10-30.
const JE: DoseCase[] = [
  { name: 'd1 day before 6 months', birth: '2015-10-31', doses: ['je:1:2016-04-29'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'd1 on reaching 6 months (month-end birth)', birth: '2015-10-31', doses: ['je:1:2016-04-30'], routine: true },
  { name: 'd2 at +6', birth: '2015-10-31', doses: ['je:1:2018-05-01', 'je:2:2018-05-07'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'd2 at +7', birth: '2015-10-31', doses: ['je:1:2018-05-01', 'je:2:2018-05-08'], routine: true },
  { name: 'd3 6 months after d2, a day early', birth: '2015-10-31', doses: ['je:1:2018-05-01', 'je:2:2018-05-08', 'je:3:2018-11-07'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'd3 6 months after d2', birth: '2015-10-31', doses: ['je:1:2018-05-01', 'je:2:2018-05-08', 'je:3:2018-11-08'], routine: true },
  { name: 'd3 on reaching 90 months', birth: '2015-10-31', doses: ['je:1:2018-05-01', 'je:2:2018-05-08', 'je:3:2023-04-30'], routine: true },
  { name: 'd3 after 90 months', birth: '2015-10-31', doses: ['je:1:2018-05-01', 'je:2:2018-05-08', 'je:3:2023-05-01'], routine: false, problems: ['TOO_OLD'] },
  { name: '2期 before 9 years', birth: '2015-10-31', doses: ['je:1:2018-05-01', 'je:2:2018-05-08', 'je:3:2018-11-08', 'je:4:2024-10-29'], routine: false, problems: ['TOO_YOUNG'] },
  { name: '2期 on reaching 9 years', birth: '2015-10-31', doses: ['je:1:2018-05-01', 'je:2:2018-05-08', 'je:3:2018-11-08', 'je:4:2024-10-30'], routine: true },
  { name: '2期 on reaching 13 years', birth: '2015-10-31', doses: ['je:1:2018-05-01', 'je:2:2018-05-08', 'je:3:2018-11-08', 'je:4:2028-10-30'], routine: true },
  { name: '2期 after 13 years', birth: '2015-10-31', doses: ['je:1:2018-05-01', 'je:2:2018-05-08', 'je:3:2018-11-08', 'je:4:2028-10-31'], routine: false, problems: ['TOO_OLD'] },
  { name: '特例①: 2期 6 days after 1期追加 (+6)', birth: '2000-06-01', doses: ['je:1:2015-01-01', 'je:2:2015-01-08', 'je:3:2015-07-08', 'je:4:2015-07-14'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: '特例①: 2期 +7 after 1期追加', birth: '2000-06-01', doses: ['je:1:2015-01-01', 'je:2:2015-01-08', 'je:3:2015-07-08', 'je:4:2015-07-15'], routine: true },
  { name: '特例①: until reaching 20 years', birth: '2000-06-01', doses: ['je:4:2020-05-31'], routine: true },
  { name: '特例①: the day after 20 years', birth: '2000-06-01', doses: ['je:4:2020-06-01'], routine: false, problems: ['TOO_OLD'] },
  { name: '特例① first cohort day (1995-04-02)', birth: '1995-04-02', doses: ['je:1:2010-01-01'], routine: true },
  { name: 'born 1995-04-01: outside 特例①', birth: '1995-04-01', doses: ['je:1:2010-01-01'], routine: false, problems: ['TOO_OLD'] },
  { name: '特例② last cohort day (2009-10-01): 1期 at 9–13', birth: '2009-10-01', doses: ['je:1:2019-01-01'], routine: true },
  { name: 'born 2009-10-02: no 特例, 1期 at 9 is too old', birth: '2009-10-02', doses: ['je:1:2019-01-01'], routine: false, problems: ['TOO_OLD'] },
  { name: '特例② first cohort day (2007-04-02)', birth: '2007-04-02', doses: ['je:1:2017-01-01'], routine: true },
];

const JE_NEXT: NextCase[] = [
  { name: 'after 1期: 2期 at 9', birth: '2015-10-31', asOf: '2019-01-01', doses: ['je:1:2018-05-01', 'je:2:2018-05-08', 'je:3:2018-11-08'], vaccine: 'je', expect: { status: 'upcoming', dose: 4, from: '2024-10-30', until: '2028-10-30' } },
  { name: '1期 missed, no 特例', birth: '2015-10-31', asOf: '2024-01-01', vaccine: 'je', expect: { status: 'expired', dose: 1 } },
  { name: '特例②: 1期 due at 9–13', birth: '2008-06-01', asOf: '2018-01-01', vaccine: 'je', expect: { status: 'due', dose: 1, from: '2017-05-31', until: '2021-05-31' } },
];

// dt — born 2012-04-01: 11y 2023-03-31, 13y 2025-03-31.
const DT: DoseCase[] = [
  { name: 'day before 11 years', birth: '2012-04-01', doses: ['dt:1:2023-03-30'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'on reaching 11 years', birth: '2012-04-01', doses: ['dt:1:2023-03-31'], routine: true },
  { name: 'on reaching 13 years', birth: '2012-04-01', doses: ['dt:1:2025-03-31'], routine: true },
  { name: 'after 13 years', birth: '2012-04-01', doses: ['dt:1:2025-04-01'], routine: false, problems: ['TOO_OLD'] },
];

const DT_NEXT: NextCase[] = [
  { name: 'upcoming at 11', birth: '2012-04-01', asOf: '2020-01-01', vaccine: 'dt', expect: { status: 'upcoming', dose: 1, from: '2023-03-31', until: '2025-03-31' } },
];

// hpv — born 2012-04-01 F: FY of reaching 12 = FY2023 → 2023-04-01 … FY of reaching 16 = FY2027 → 2028-03-31.
const HPV: DoseCase[] = [
  { name: 'before the FY of 12 (1 April birth)', birth: '2012-04-01', doses: ['hpv:1:2023-03-31'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'first day of the FY of 12 (1 April birth)', birth: '2012-04-01', doses: ['hpv:1:2023-04-01'], routine: true },
  { name: 'last day of the FY of 16', birth: '2012-04-01', doses: ['hpv:1:2028-03-31'], routine: true },
  { name: 'after the FY of 16', birth: '2012-04-01', doses: ['hpv:1:2028-04-01'], routine: false, problems: ['TOO_OLD'] },
  { name: '2 April birth starts a year later', birth: '2012-04-02', doses: ['hpv:1:2024-03-31'], routine: false, problems: ['TOO_YOUNG'] },
  { name: '2 April birth: 2024-04-01', birth: '2012-04-02', doses: ['hpv:1:2024-04-01'], routine: true },
  { name: 'boys are not eligible', birth: '2012-04-01', sex: 'M', doses: ['hpv:1:2024-05-01'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'hpv2 d2 one month: Jan 31 → Feb 29, a day early', birth: '2010-06-01', doses: ['hpv:1:2024-01-31:hpv2', 'hpv:2:2024-02-28:hpv2'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'hpv2 d2 one month: Jan 31 → Feb 29', birth: '2010-06-01', doses: ['hpv:1:2024-01-31:hpv2', 'hpv:2:2024-02-29:hpv2'], routine: true },
  { name: 'hpv2 d3 5 months after d1 (Jan 31 → Jun 30), a day early', birth: '2010-06-01', doses: ['hpv:1:2024-01-31:hpv2', 'hpv:2:2024-02-29:hpv2', 'hpv:3:2024-06-29:hpv2'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'hpv2 d3 5 months after d1', birth: '2010-06-01', doses: ['hpv:1:2024-01-31:hpv2', 'hpv:2:2024-02-29:hpv2', 'hpv:3:2024-06-30:hpv2'], routine: true },
  { name: 'hpv2 d3 2.5 months after d2 binds (May 1 + 2m + 15d = Jul 16), a day early', birth: '2010-06-01', doses: ['hpv:1:2024-01-10:hpv2', 'hpv:2:2024-05-01:hpv2', 'hpv:3:2024-07-15:hpv2'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'hpv2 d3 2.5 months after d2', birth: '2010-06-01', doses: ['hpv:1:2024-01-10:hpv2', 'hpv:2:2024-05-01:hpv2', 'hpv:3:2024-07-16:hpv2'], routine: true },
  { name: 'hpv4 d3 3 months after d2, a day early', birth: '2010-06-01', doses: ['hpv:1:2024-01-10:hpv4', 'hpv:2:2024-02-10:hpv4', 'hpv:3:2024-05-09:hpv4'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'hpv4 d3 3 months after d2', birth: '2010-06-01', doses: ['hpv:1:2024-01-10:hpv4', 'hpv:2:2024-02-10:hpv4', 'hpv:3:2024-05-10:hpv4'], routine: true },
  { name: 'mixed products', birth: '2010-06-01', doses: ['hpv:1:2024-01-10:hpv2', 'hpv:2:2024-02-10:hpv4'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'hpv9 before 2023-04-01', birth: '2010-06-01', doses: ['hpv:1:2023-03-01:hpv9'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'hpv9 2-dose: complete, a third dose is surplus', birth: '2011-01-10', doses: ['hpv:1:2026-01-09:hpv9', 'hpv:2:2026-06-09:hpv9', 'hpv:3:2026-10-01:hpv9'], routine: false, problems: ['SERIES_COMPLETE'] },
  { name: 'catch-up: born 2000 in 2023', birth: '2000-05-05', doses: ['hpv:1:2023-05-01'], routine: true },
  { name: 'catch-up extension needs an earlier dose', birth: '2000-05-05', doses: ['hpv:1:2025-05-01'], routine: false, problems: ['TOO_OLD'] },
  { name: 'catch-up extension with a dose in 2022–2024', birth: '2000-05-05', doses: ['hpv:1:2024-06-01', 'hpv:2:2025-05-01'], routine: true },
  { name: 'catch-up extension ends 2026-03-31', birth: '2000-05-05', doses: ['hpv:1:2024-06-01', 'hpv:2:2025-05-01', 'hpv:3:2026-04-01'], routine: false, problems: ['TOO_OLD'] },
  { name: 'last catch-up cohort day (2009-04-01): extension', birth: '2009-04-01', doses: ['hpv:1:2025-03-31', 'hpv:2:2025-05-01'], routine: true },
  { name: 'born 1997-04-01: before the catch-up cohort, never eligible', birth: '1997-04-01', doses: ['hpv:1:2023-05-01'], routine: false, problems: ['NOT_ELIGIBLE'] },
];

const HPV_NEXT: NextCase[] = [
  { name: 'hpv9 2-dose path complete (d1 on reaching 15)', birth: '2011-01-10', asOf: '2026-07-01', doses: ['hpv:1:2026-01-09:hpv9', 'hpv:2:2026-06-09:hpv9'], vaccine: 'hpv', expect: { status: 'complete', dose: null } },
  { name: 'hpv9 d2 before 5 months: 3-dose path, d3 3 months on', birth: '2011-01-10', asOf: '2026-07-01', doses: ['hpv:1:2026-01-09:hpv9', 'hpv:2:2026-06-08:hpv9'], vaccine: 'hpv', expect: { status: 'upcoming', dose: 3, from: '2026-09-08', until: '2027-03-31' } },
  { name: 'hpv9 d1 after reaching 15: 3 doses', birth: '2011-01-10', asOf: '2026-07-01', doses: ['hpv:1:2026-01-10:hpv9', 'hpv:2:2026-06-10:hpv9'], vaccine: 'hpv', expect: { status: 'upcoming', dose: 3, from: '2026-09-10', until: '2027-03-31' } },
  { name: 'catch-up with a dose: due until 2026-03-31', birth: '2000-05-05', asOf: '2025-06-01', doses: ['hpv:1:2024-06-01'], vaccine: 'hpv', expect: { status: 'due', dose: 2, from: '2024-07-01', until: '2026-03-31' } },
  { name: 'catch-up without a dose: expired', birth: '2000-05-05', asOf: '2025-06-01', vaccine: 'hpv', expect: { status: 'expired', dose: 1 } },
  { name: 'boys: ineligible', birth: '2012-04-01', sex: 'M', asOf: '2024-01-01', vaccine: 'hpv', expect: { status: 'ineligible', dose: null } },
];

describe.each([
  ['mr', MR, MR_NEXT], ['var', VAR, VAR_NEXT], ['live 27-day rule', LIVE, LIVE_NEXT], ['je', JE, JE_NEXT],
  ['dt', DT, DT_NEXT], ['hpv', HPV, HPV_NEXT],
] as const)('%s', (_id, doseCases, nextCases) => {
  it.each(doseCases.map((c) => [c.name, c] as const))('validate: %s', (_n, c) => checkLastDose(c));
  it.each(nextCases.map((c) => [c.name, c] as const))('forecast: %s', (_n, c) => checkNext(c));
});
