// Worked cases — infant vaccines (hepb, rota, dpt_ipv_hib, dpt_ipv, hib, pcv, bcg).
// Ages by 民法143条 (schedule-jp.md §1); expected dates computed by hand from the rules.
import { describe, expect, it } from 'vitest';
import { ScheduleInputError } from '../../../src/domain/schedule/index.ts';
import { checkLastDose, checkNext, dose, engine, type DoseCase, type NextCase } from './helpers.ts';

// hepb — born 2024-01-31 (day 31): reaches 1 year on 2025-01-30.
const HEPB: DoseCase[] = [
  { name: 'dose 1 on the birth day', birth: '2024-01-31', doses: ['hepb:1:2024-01-31'], routine: true },
  { name: 'dose 1 on the day 1 year is reached', birth: '2024-01-31', doses: ['hepb:1:2025-01-30'], routine: true },
  { name: 'dose 1 the day after', birth: '2024-01-31', doses: ['hepb:1:2025-01-31'], routine: false, problems: ['TOO_OLD'] },
  { name: 'dose 2 at +27 days (26 between)', birth: '2024-01-31', doses: ['hepb:1:2024-04-01', 'hepb:2:2024-04-28'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'dose 2 at +28 days', birth: '2024-01-31', doses: ['hepb:1:2024-04-01', 'hepb:2:2024-04-29'], routine: true },
  { name: 'dose 3 at dose1+139', birth: '2024-01-31', doses: ['hepb:1:2024-04-01', 'hepb:2:2024-05-01', 'hepb:3:2024-08-18'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'dose 3 at dose1+140', birth: '2024-01-31', doses: ['hepb:1:2024-04-01', 'hepb:2:2024-05-01', 'hepb:3:2024-08-19'], routine: true },
  { name: 'dose 3 counts from dose 1, not dose 2', birth: '2024-01-31', doses: ['hepb:1:2024-04-01', 'hepb:2:2024-07-31', 'hepb:3:2024-08-19'], routine: true },
  { name: 'dose 2 repeated', birth: '2024-01-31', doses: ['hepb:1:2024-04-01', 'hepb:2:2024-05-01', 'hepb:2:2024-06-01'], routine: false, problems: ['SERIES_COMPLETE'] },
  { name: 'before hepb was routine (2016-10-01)', birth: '2016-01-10', doses: ['hepb:1:2016-09-30'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'first day hepb was routine', birth: '2016-01-10', doses: ['hepb:1:2016-10-01'], routine: true },
];

const HEPB_NEXT: NextCase[] = [
  { name: 'newborn: due from birth', birth: '2024-01-31', asOf: '2024-02-01', vaccine: 'hepb', expect: { status: 'due', dose: 1, from: '2024-01-31', until: '2025-01-30' } },
  { name: 'dose 3 window counted from dose 1', birth: '2024-01-31', asOf: '2024-06-01', doses: ['hepb:1:2024-04-01', 'hepb:2:2024-05-01'], vaccine: 'hepb', expect: { status: 'upcoming', dose: 3, from: '2024-08-19', until: '2025-01-30' } },
  { name: 'due on the first day of the window', birth: '2024-01-31', asOf: '2024-08-19', doses: ['hepb:1:2024-04-01', 'hepb:2:2024-05-01'], vaccine: 'hepb', expect: { status: 'due', dose: 3, from: '2024-08-19', until: '2025-01-30' } },
  { name: 'complete', birth: '2024-01-31', asOf: '2024-09-01', doses: ['hepb:1:2024-04-01', 'hepb:2:2024-05-01', 'hepb:3:2024-08-19'], vaccine: 'hepb', expect: { status: 'complete', dose: null } },
  { name: 'window closed unvaccinated', birth: '2016-04-01', asOf: '2020-01-01', vaccine: 'hepb', expect: { status: 'expired', dose: 1 } },
  { name: 'window closed before hepb was routine', birth: '2015-09-01', asOf: '2020-01-01', vaccine: 'hepb', expect: { status: 'ineligible', dose: null } },
];

// rota — born 2024-06-03: 6週0日後 2024-07-15, 24週0日後 2024-11-18, 32週0日後 2025-01-13.
const ROTA: DoseCase[] = [
  { name: 'rota1 d1 day before 6w0d', birth: '2024-06-03', doses: ['rota:1:2024-07-14:rota1'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'rota1 d1 at 6w0d', birth: '2024-06-03', doses: ['rota:1:2024-07-15:rota1'], routine: true },
  { name: 'rota1 d2 at +27', birth: '2024-06-03', doses: ['rota:1:2024-07-15:rota1', 'rota:2:2024-08-11:rota1'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'rota1 d2 at +28', birth: '2024-06-03', doses: ['rota:1:2024-07-15:rota1', 'rota:2:2024-08-12:rota1'], routine: true },
  { name: 'rota1 d2 at 24w0d', birth: '2024-06-03', doses: ['rota:1:2024-09-01:rota1', 'rota:2:2024-11-18:rota1'], routine: true },
  { name: 'rota1 d2 after 24w0d', birth: '2024-06-03', doses: ['rota:1:2024-09-01:rota1', 'rota:2:2024-11-19:rota1'], routine: false, problems: ['TOO_OLD'] },
  { name: 'rota5 d3 at 32w0d', birth: '2024-06-03', doses: ['rota:1:2024-07-15:rota5', 'rota:2:2024-08-12:rota5', 'rota:3:2025-01-13:rota5'], routine: true },
  { name: 'rota5 d3 after 32w0d', birth: '2024-06-03', doses: ['rota:1:2024-07-15:rota5', 'rota:2:2024-08-12:rota5', 'rota:3:2025-01-14:rota5'], routine: false, problems: ['TOO_OLD'] },
  { name: 'product switch rota1 → rota5', birth: '2024-06-03', doses: ['rota:1:2024-07-15:rota1', 'rota:2:2024-08-12:rota5'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'third dose after a complete rota1 series', birth: '2024-06-03', doses: ['rota:1:2024-07-15:rota1', 'rota:2:2024-08-12:rota1', 'rota:3:2024-10-01'], routine: false, problems: ['SERIES_COMPLETE'] },
  { name: 'before rota was routine (2020-10-01)', birth: '2020-07-01', doses: ['rota:1:2020-09-01:rota1'], routine: false, problems: ['NOT_ELIGIBLE'] },
];

const ROTA_NEXT: NextCase[] = [
  { name: 'product unknown: envelope of both products', birth: '2024-06-03', asOf: '2024-07-01', vaccine: 'rota', expect: { status: 'upcoming', dose: 1, from: '2024-07-15', until: '2025-01-13' } },
  { name: 'rota1 started: dose 2 until 24w0d', birth: '2024-06-03', asOf: '2024-08-01', doses: ['rota:1:2024-07-15:rota1'], vaccine: 'rota', expect: { status: 'upcoming', dose: 2, from: '2024-08-12', until: '2024-11-18' } },
  { name: 'rota1 complete after 2', birth: '2024-06-03', asOf: '2024-09-01', doses: ['rota:1:2024-07-15:rota1', 'rota:2:2024-08-12:rota1'], vaccine: 'rota', expect: { status: 'complete', dose: null } },
  { name: 'rota5 started: dose 3 still due', birth: '2024-06-03', asOf: '2024-09-10', doses: ['rota:1:2024-07-15:rota5', 'rota:2:2024-08-12:rota5'], vaccine: 'rota', expect: { status: 'due', dose: 3, from: '2024-09-09', until: '2025-01-13' } },
  { name: 'expired after 32w0d', birth: '2024-06-03', asOf: '2025-01-14', vaccine: 'rota', expect: { status: 'expired', dose: 1 } },
];

// dpt_ipv_hib — born 2024-03-31: reaches 2 months 2024-05-30, 90 months 2031-09-30 (no Sep 31).
const FIVE: DoseCase[] = [
  { name: 'd1 day before 2 months', birth: '2024-03-31', doses: ['dpt_ipv_hib:1:2024-05-29'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'd1 at 2 months', birth: '2024-03-31', doses: ['dpt_ipv_hib:1:2024-05-30'], routine: true },
  { name: 'd2 at +20', birth: '2024-03-31', doses: ['dpt_ipv_hib:1:2024-06-01', 'dpt_ipv_hib:2:2024-06-21'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'd2 at +21', birth: '2024-03-31', doses: ['dpt_ipv_hib:1:2024-06-01', 'dpt_ipv_hib:2:2024-06-22'], routine: true },
  { name: 'd3 at +20', birth: '2024-03-31', doses: ['dpt_ipv_hib:1:2024-06-01', 'dpt_ipv_hib:2:2024-06-22', 'dpt_ipv_hib:3:2024-07-12'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'd4 a day short of 6 months (Aug 31 → Feb 28)', birth: '2024-03-31', doses: ['dpt_ipv_hib:1:2024-06-01', 'dpt_ipv_hib:2:2024-06-22', 'dpt_ipv_hib:3:2024-08-31', 'dpt_ipv_hib:4:2025-02-27'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'd4 at 6 months, clamped to month end', birth: '2024-03-31', doses: ['dpt_ipv_hib:1:2024-06-01', 'dpt_ipv_hib:2:2024-06-22', 'dpt_ipv_hib:3:2024-08-31', 'dpt_ipv_hib:4:2025-02-28'], routine: true },
  { name: 'd4 on the day 90 months is reached', birth: '2024-03-31', doses: ['dpt_ipv_hib:1:2024-06-01', 'dpt_ipv_hib:2:2024-06-22', 'dpt_ipv_hib:3:2024-08-31', 'dpt_ipv_hib:4:2031-09-30'], routine: true },
  { name: 'd4 the day after 90 months', birth: '2024-03-31', doses: ['dpt_ipv_hib:1:2024-06-01', 'dpt_ipv_hib:2:2024-06-22', 'dpt_ipv_hib:3:2024-08-31', 'dpt_ipv_hib:4:2031-10-01'], routine: false, problems: ['TOO_OLD'] },
  { name: 'before 五種混合 was routine (2024-04-01)', birth: '2023-12-01', doses: ['dpt_ipv_hib:1:2024-03-15'], routine: false, problems: ['NOT_ELIGIBLE'] },
];

const FIVE_NEXT: NextCase[] = [
  { name: 'not in force before 2024-04-01', birth: '2023-12-01', asOf: '2024-03-31', vaccine: 'dpt_ipv_hib', expect: null },
  { name: 'in force from 2024-04-01; window starts then', birth: '2023-12-01', asOf: '2024-04-01', vaccine: 'dpt_ipv_hib', expect: { status: 'due', dose: 1, from: '2024-04-01', until: '2031-05-31' } },
  { name: 'booster window', birth: '2024-03-31', asOf: '2024-09-01', doses: ['dpt_ipv_hib:1:2024-06-01', 'dpt_ipv_hib:2:2024-06-22', 'dpt_ipv_hib:3:2024-08-31'], vaccine: 'dpt_ipv_hib', expect: { status: 'upcoming', dose: 4, from: '2025-02-28', until: '2031-09-30' } },
];

// dpt_ipv — start age 3 months before 2023-04-01, 2 months from then; legacy route.
const FOUR: DoseCase[] = [
  { name: 'v1: 2 months is too young before 2023-04-01', birth: '2022-12-01', doses: ['dpt_ipv:1:2023-02-27'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'v1: at 3 months', birth: '2022-12-01', doses: ['dpt_ipv:1:2023-02-28'], routine: true },
  { name: 'v1 on 2023-03-20 (born 2023-01-15, 2 months but not 3)', birth: '2023-01-15', doses: ['dpt_ipv:1:2023-03-20'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'v2 from 2023-04-01: 2 months suffices', birth: '2023-01-15', doses: ['dpt_ipv:1:2023-04-01'], routine: true },
  { name: 'before 四種混合 existed (2012-11-01)', birth: '2012-06-01', doses: ['dpt_ipv:1:2012-10-01'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'legacy route still validates after 2024-04', birth: '2024-01-15', doses: ['dpt_ipv:1:2024-04-01', 'dpt_ipv:2:2024-04-22'], routine: true },
];

const ROUTES: NextCase[] = [
  { name: 'no doses after the switch: 五種混合 route', birth: '2024-05-01', asOf: '2024-08-01', vaccine: 'dpt_ipv_hib', expect: { status: 'due', dose: 1, from: '2024-06-30', until: '2031-10-31' } },
  { name: 'no doses after the switch: dpt_ipv routed away', birth: '2024-05-01', asOf: '2024-08-01', vaccine: 'dpt_ipv', expect: { status: 'ineligible', dose: null } },
  { name: 'no doses after the switch: hib routed away', birth: '2024-05-01', asOf: '2024-08-01', vaccine: 'hib', expect: { status: 'ineligible', dose: null } },
  { name: 'started 四種混合: continues it', birth: '2024-05-01', asOf: '2024-08-01', doses: ['dpt_ipv:1:2024-07-01'], vaccine: 'dpt_ipv', expect: { status: 'due', dose: 2, from: '2024-07-22', until: '2031-10-31' } },
  { name: 'started 四種混合: Hib on the same route', birth: '2024-05-01', asOf: '2024-08-01', doses: ['dpt_ipv:1:2024-07-01'], vaccine: 'hib', expect: { status: 'due', dose: 1, from: '2024-06-30', until: '2029-04-30' } },
  { name: 'started 四種混合: 五種混合 routed away', birth: '2024-05-01', asOf: '2024-08-01', doses: ['dpt_ipv:1:2024-07-01'], vaccine: 'dpt_ipv_hib', expect: { status: 'ineligible', dose: null } },
  { name: 'before the switch: legacy route', birth: '2023-12-01', asOf: '2024-03-01', vaccine: 'dpt_ipv', expect: { status: 'due', dose: 1, from: '2024-01-31', until: '2031-05-31' } },
];

// hib — born 2024-01-15: 2m 2024-03-14, 7m 2024-08-14, 12m 2025-01-14, 60m 2029-01-14.
const HIB: DoseCase[] = [
  { name: 'd1 before 2 months', birth: '2024-01-15', doses: ['hib:1:2024-03-13'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'd2 at +27', birth: '2024-01-15', doses: ['hib:1:2024-04-01', 'hib:2:2024-04-28'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'start at 7 months (3+1): booster 7 months after d3', birth: '2024-01-15', doses: ['hib:1:2024-08-14', 'hib:2:2024-09-11', 'hib:3:2024-10-09', 'hib:4:2025-05-09'], routine: true },
  { name: 'start at 7 months (3+1): booster a day early', birth: '2024-01-15', doses: ['hib:1:2024-08-14', 'hib:2:2024-09-11', 'hib:3:2024-10-09', 'hib:4:2025-05-08'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'start the day after 7 months (2+1): d3 is the booster', birth: '2024-01-15', doses: ['hib:1:2024-08-15', 'hib:2:2024-09-12', 'hib:3:2025-04-12'], routine: true },
  { name: '2+1 booster a day early', birth: '2024-01-15', doses: ['hib:1:2024-08-15', 'hib:2:2024-09-12', 'hib:3:2025-04-11'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: '2+1 then a 4th dose', birth: '2024-01-15', doses: ['hib:1:2024-08-15', 'hib:2:2024-09-12', 'hib:3:2025-04-12', 'hib:4:2025-06-01'], routine: false, problems: ['SERIES_COMPLETE'] },
  { name: 'third primary on the day 12 months is reached', birth: '2024-01-15', doses: ['hib:1:2024-08-14', 'hib:2:2024-09-11', 'hib:3:2025-01-14'], routine: true },
  { name: 'third dose after 12 months becomes the booster (27 days after d2)', birth: '2024-01-15', doses: ['hib:1:2024-08-14', 'hib:2:2024-09-11', 'hib:3:2025-01-15'], routine: true },
  { name: '…and the series is then complete', birth: '2024-01-15', doses: ['hib:1:2024-08-14', 'hib:2:2024-09-11', 'hib:3:2025-01-15', 'hib:4:2025-08-15'], routine: false, problems: ['SERIES_COMPLETE'] },
  { name: 'start after 12 months: one dose', birth: '2024-01-15', doses: ['hib:1:2025-01-15', 'hib:2:2025-03-01'], routine: false, problems: ['SERIES_COMPLETE'] },
  { name: 'd1 on the day 60 months is reached', birth: '2024-01-15', doses: ['hib:1:2029-01-14'], routine: true },
  { name: 'd1 after 60 months', birth: '2024-01-15', doses: ['hib:1:2029-01-15'], routine: false, problems: ['TOO_OLD'] },
  { name: 'product of another vaccine', birth: '2024-01-15', doses: ['hib:1:2024-05-01:pcv20'], routine: false, problems: ['NOT_ELIGIBLE'] },
];

const HIB_NEXT: NextCase[] = [
  { name: 'd3 window spans primary and booster routes', birth: '2024-01-15', asOf: '2024-06-01', doses: ['hib:1:2024-04-01', 'hib:2:2024-05-01'], vaccine: 'hib', expect: { status: 'due', dose: 3, from: '2024-05-29', until: '2029-01-14' } },
  { name: 'booster 7 months after the last primary', birth: '2024-01-15', asOf: '2024-07-01', doses: ['hib:1:2024-04-01', 'hib:2:2024-05-01', 'hib:3:2024-06-01'], vaccine: 'hib', expect: { status: 'upcoming', dose: 4, from: '2025-01-01', until: '2029-01-14' } },
  { name: 'primary 2 missed by 12 months: booster route', birth: '2024-01-15', asOf: '2025-02-01', doses: ['hib:1:2024-04-01'], vaccine: 'hib', expect: { status: 'due', dose: 2, from: '2025-01-15', until: '2029-01-14' } },
  { name: 'one-dose path complete', birth: '2024-01-15', asOf: '2025-03-01', doses: ['hib:1:2025-01-15'], vaccine: 'hib', expect: { status: 'complete', dose: null } },
  { name: 'expired after 60 months (before the 五種 switch)', birth: '2018-01-15', asOf: '2023-01-15', vaccine: 'hib', expect: { status: 'expired', dose: 1 } },
];

// pcv — born 2024-01-15 (as hib); 24 months 2026-01-14.
const PCV: DoseCase[] = [
  { name: 'pcv20 the day before it became routine', birth: '2024-01-15', doses: ['pcv:1:2024-09-30:pcv20'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'pcv20 from 2024-10-01', birth: '2024-01-15', doses: ['pcv:1:2024-10-01:pcv20'], routine: true },
  { name: 'pcv13 on its last day', birth: '2024-01-15', doses: ['pcv:1:2024-09-30:pcv13'], routine: true },
  { name: 'pcv13 after 2024-09-30', birth: '2024-01-15', doses: ['pcv:1:2024-10-01:pcv13'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'pcv15 before 2024-04-01', birth: '2024-01-15', doses: ['pcv:1:2024-03-20:pcv15'], routine: false, problems: ['NOT_ELIGIBLE'] },
  { name: 'pcv15 from 2024-04-01', birth: '2024-01-15', doses: ['pcv:1:2024-04-01:pcv15'], routine: true },
  { name: 'booster before 12 months', birth: '2024-01-15', doses: ['pcv:1:2024-03-14', 'pcv:2:2024-04-11', 'pcv:3:2024-05-09', 'pcv:4:2025-01-13'], routine: false, problems: ['TOO_YOUNG'] },
  { name: 'booster on reaching 12 months', birth: '2024-01-15', doses: ['pcv:1:2024-03-14', 'pcv:2:2024-04-11', 'pcv:3:2024-05-09', 'pcv:4:2025-01-14'], routine: true },
  { name: 'booster 60 days after d3 (+60)', birth: '2023-06-01', doses: ['pcv:1:2023-08-01', 'pcv:2:2023-09-01', 'pcv:3:2024-05-01', 'pcv:4:2024-06-30'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'booster 60 days after d3 (+61)', birth: '2023-06-01', doses: ['pcv:1:2023-08-01', 'pcv:2:2023-09-01', 'pcv:3:2024-05-01', 'pcv:4:2024-07-01'], routine: true },
  { name: 'start 12–24 m: d2 at +60', birth: '2024-01-15', doses: ['pcv:1:2025-02-01', 'pcv:2:2025-04-02'], routine: false, problems: ['INTERVAL_TOO_SHORT'] },
  { name: 'start 12–24 m: d2 at +61', birth: '2024-01-15', doses: ['pcv:1:2025-02-01', 'pcv:2:2025-04-03'], routine: true },
  { name: 'start 12–24 m: no third dose', birth: '2024-01-15', doses: ['pcv:1:2025-02-01', 'pcv:2:2025-04-03', 'pcv:3:2025-10-01'], routine: false, problems: ['SERIES_COMPLETE'] },
  { name: 'start 24–60 m: one dose', birth: '2024-01-15', doses: ['pcv:1:2026-01-15', 'pcv:2:2026-03-20'], routine: false, problems: ['SERIES_COMPLETE'] },
  { name: 'primary 2 after 24 months becomes the booster', birth: '2024-01-15', doses: ['pcv:1:2024-03-14', 'pcv:2:2026-01-15'], routine: true },
  { name: 'd1 on the day 60 months is reached', birth: '2024-01-15', doses: ['pcv:1:2029-01-14'], routine: true },
  { name: 'd1 after 60 months', birth: '2024-01-15', doses: ['pcv:1:2029-01-15'], routine: false, problems: ['TOO_OLD'] },
];

const PCV_NEXT: NextCase[] = [
  { name: 'booster from 12 months', birth: '2024-01-15', asOf: '2024-06-01', doses: ['pcv:1:2024-03-14', 'pcv:2:2024-04-11', 'pcv:3:2024-05-09'], vaccine: 'pcv', expect: { status: 'upcoming', dose: 4, from: '2025-01-14', until: '2029-01-14' } },
  { name: 'start 12–24 m: second dose +61', birth: '2024-01-15', asOf: '2025-03-01', doses: ['pcv:1:2025-02-01'], vaccine: 'pcv', expect: { status: 'upcoming', dose: 2, from: '2025-04-03', until: '2029-01-14' } },
];

// bcg — born 2024-02-29: reaches 1 year on 2025-02-28.
const BCG: DoseCase[] = [
  { name: 'on the birth day', birth: '2024-02-29', doses: ['bcg:1:2024-02-29'], routine: true },
  { name: 'on reaching 1 year (leap-day birth)', birth: '2024-02-29', doses: ['bcg:1:2025-02-28'], routine: true },
  { name: 'the day after', birth: '2024-02-29', doses: ['bcg:1:2025-03-01'], routine: false, problems: ['TOO_OLD'] },
];

const BCG_NEXT: NextCase[] = [
  { name: 'expired', birth: '2024-02-29', asOf: '2025-03-01', vaccine: 'bcg', expect: { status: 'expired', dose: 1 } },
  { name: 'complete', birth: '2024-02-29', asOf: '2025-03-01', doses: ['bcg:1:2024-08-01'], vaccine: 'bcg', expect: { status: 'complete', dose: null } },
];

describe.each([
  ['hepb', HEPB, HEPB_NEXT], ['rota', ROTA, ROTA_NEXT], ['dpt_ipv_hib', FIVE, FIVE_NEXT], ['dpt_ipv', FOUR, ROUTES],
  ['hib', HIB, HIB_NEXT], ['pcv', PCV, PCV_NEXT], ['bcg', BCG, BCG_NEXT],
] as const)('%s', (_id, doseCases, nextCases) => {
  it.each(doseCases.map((c) => [c.name, c] as const))('validate: %s', (_n, c) => checkLastDose(c));
  it.each(nextCases.map((c) => [c.name, c] as const))('forecast: %s', (_n, c) => checkNext(c));
});

describe('input errors', () => {
  it.each([
    ['hib:5:2024-05-01', /out of range/],
    ['hepb:4:2024-05-01', /out of range/],
    ['bcg:2:2024-05-01', /out of range/],
    ['hib:0:2024-05-01', /out of range/],
    ['polio:1:2024-05-01', /unknown vaccine/],
    ['hib:1:2024-02-30', /invalid dose date/],
    ['pcv:1:2024-11-01:pcv21', /unknown product/],
  ])('%s', (spec, msg) => {
    expect(() => engine.validate({ birth: '2024-01-15', sex: 'F' }, [dose(spec)])).toThrow(ScheduleInputError);
    expect(() => engine.validate({ birth: '2024-01-15', sex: 'F' }, [dose(spec)])).toThrow(msg);
  });
  it('bad birth date', () => {
    expect(() => engine.forecast({ birth: '2023-02-29', sex: 'F' }, [], '2024-01-01')).toThrow(/invalid birth date/);
  });
});
