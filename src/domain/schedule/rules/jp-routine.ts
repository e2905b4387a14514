// The Japanese routine schedule (定期接種) as data — schedule-jp.md §2–§3, sources in
// notes/anchors-japan.md §2. Interpreted by engine.ts; see types.ts for the format and
// docs/schedule.md for the reading of each rule. Keep this file JSON-compatible (no functions).
import type { EligibilityRule, RulePack, SeriesPath } from '../types.ts';

// Hib (単独, legacy route): start-age-dependent series. 初回2・3回目 are not given after reaching
// 12 months; then the 追加 dose is given ≥27 days after the last primary (the "/primaryN" paths).
const HIB_PATHS: SeriesPath[] = [
  {
    id: 'start-2-7m', start: { through: '7m' }, note: '初回3回 + 追加1回',
    doses: [
      {},
      { throughAge: '12m', intervals: [{ from: 1, days: 27 }] },
      { throughAge: '12m', intervals: [{ from: 2, days: 27 }] },
      { intervals: [{ from: 3, months: 7 }] },
    ],
  },
  {
    id: 'start-2-7m/primary2', start: { through: '7m' }, note: '初回3回目が12月を超えた: 初回2回 + 追加 (27日後)',
    doses: [
      {},
      { throughAge: '12m', intervals: [{ from: 1, days: 27 }] },
      { minAge: '12m+1d', intervals: [{ from: 2, days: 27 }] },
    ],
  },
  {
    id: 'start-2-7m/primary1', start: { through: '7m' }, note: '初回2回目が12月を超えた: 初回1回 + 追加 (27日後)',
    doses: [{}, { minAge: '12m+1d', intervals: [{ from: 1, days: 27 }] }],
  },
  {
    id: 'start-7-12m', start: { from: '7m+1d', through: '12m' }, note: '初回2回 + 追加1回',
    doses: [
      {},
      { throughAge: '12m', intervals: [{ from: 1, days: 27 }] },
      { intervals: [{ from: 2, months: 7 }] },
    ],
  },
  {
    id: 'start-7-12m/primary1', start: { from: '7m+1d', through: '12m' }, note: '初回2回目が12月を超えた: 追加 (27日後)',
    doses: [{}, { minAge: '12m+1d', intervals: [{ from: 1, days: 27 }] }],
  },
  { id: 'start-12-60m', start: { from: '12m+1d' }, note: '1回', doses: [{}] },
];

// 小児用肺炎球菌: 初回2・3回目 only before reaching 24 months; 追加 ≥60 days after the last primary
// and from 12 months.
const PCV_PATHS: SeriesPath[] = [
  {
    id: 'start-2-7m', start: { through: '7m' }, note: '初回3回 + 追加1回',
    doses: [
      {},
      { throughAge: '24m', intervals: [{ from: 1, days: 27 }] },
      { throughAge: '24m', intervals: [{ from: 2, days: 27 }] },
      { minAge: '12m', intervals: [{ from: 3, days: 60 }] },
    ],
  },
  {
    id: 'start-2-7m/primary2', start: { through: '7m' }, note: '初回3回目が24月を超えた: 初回2回 + 追加',
    doses: [
      {},
      { throughAge: '24m', intervals: [{ from: 1, days: 27 }] },
      { minAge: '24m+1d', intervals: [{ from: 2, days: 60 }] },
    ],
  },
  {
    id: 'start-2-7m/primary1', start: { through: '7m' }, note: '初回2回目が24月を超えた: 初回1回 + 追加',
    doses: [{}, { minAge: '24m+1d', intervals: [{ from: 1, days: 60 }] }],
  },
  {
    id: 'start-7-12m', start: { from: '7m+1d', through: '12m' }, note: '初回2回 + 追加1回',
    doses: [
      {},
      { throughAge: '24m', intervals: [{ from: 1, days: 27 }] },
      { minAge: '12m', intervals: [{ from: 2, days: 60 }] },
    ],
  },
  {
    id: 'start-7-12m/primary1', start: { from: '7m+1d', through: '12m' }, note: '初回2回目が24月を超えた: 追加',
    doses: [{}, { minAge: '24m+1d', intervals: [{ from: 1, days: 60 }] }],
  },
  {
    id: 'start-12-24m', start: { from: '12m+1d', through: '24m' }, note: '2回 (60日以上)',
    doses: [{}, { intervals: [{ from: 1, days: 60 }] }],
  },
  { id: 'start-24-60m', start: { from: '24m+1d' }, note: '1回', doses: [{}] },
];

// 四種混合 / 五種混合 1期: 初回3回 (20日以上) + 追加 (初回3回目から6か月以上).
const DPT_PATHS: SeriesPath[] = [
  {
    id: 'primary3+booster',
    doses: [
      {},
      { intervals: [{ from: 1, days: 20 }] },
      { intervals: [{ from: 2, days: 20 }] },
      { intervals: [{ from: 3, months: 6 }] },
    ],
  },
];

// B類 elderly: from 65, or 60–64 with a 1級-level heart/kidney/respiratory or HIV disability.
const ELDERLY_65_PLUS: EligibilityRule[] = [
  { window: { kind: 'age', from: '65y' } },
  { window: { kind: 'age', from: '60y', through: '65y' }, requires: { disability: ['organ', 'hiv'] } },
];

export const JP_ROUTINE: RulePack = {
  id: 'jp-routine',
  version: '2026.04-draft',
  description: '予防接種法 定期接種 (A類・B類) — schedule-jp.md',
  seasons: {
    flu: { start: '10-01', end: '01-31' },
    covid: { start: '10-01', end: '03-31' },
  },
  crossVaccine: [
    // Since 2020-10-01 only 注射生 → 注射生 is restricted (27日以上). Earlier rules are not modelled.
    { id: 'injected-live-27d', validFrom: '2020-10-01', injectedLiveDays: 27 },
  ],
  vaccines: [
    {
      id: 'hepb', name: 'B型肝炎', class: 'A', validFrom: '2016-10-01',
      eligibility: [{ window: { kind: 'age', from: '0d', through: '1y' } }],
      paths: [{
        id: '3-dose',
        doses: [{}, { intervals: [{ from: 1, days: 27 }] }, { intervals: [{ from: 1, days: 139 }] }],
      }],
      longIllness: { years: 2 },
    },
    {
      id: 'rota', name: 'ロタウイルス', class: 'A', validFrom: '2020-10-01',
      products: [{ id: 'rota1', name: 'ロタリックス (1価)' }, { id: 'rota5', name: 'ロタテック (5価)' }],
      eligibility: [{ window: { kind: 'age', from: '6w', through: '32w' } }],
      paths: [
        {
          id: 'rota1', products: ['rota1'],
          doses: [{ throughAge: '24w' }, { throughAge: '24w', intervals: [{ from: 1, days: 27 }] }],
        },
        {
          id: 'rota5', products: ['rota5'],
          doses: [{}, { intervals: [{ from: 1, days: 27 }] }, { intervals: [{ from: 2, days: 27 }] }],
        },
      ],
      note: 'Same product throughout. Not covered by 長期療養特例.',
    },
    {
      id: 'dpt_ipv_hib', name: '五種混合 (DPT-IPV-Hib)', class: 'A', validFrom: '2024-04-01',
      eligibility: [{ window: { kind: 'age', from: '2m', through: '90m' } }],
      paths: DPT_PATHS,
      longIllness: { years: 2, capAge: '15y' },
      route: { group: 'dpt-hib', role: 'combined' },
    },
    {
      id: 'dpt_ipv', name: '四種混合 (DPT-IPV)', class: 'A', validFrom: '2012-11-01', validTo: '2023-03-31',
      eligibility: [{ window: { kind: 'age', from: '3m', through: '90m' } }],
      paths: DPT_PATHS,
      longIllness: { years: 2, capAge: '15y' },
      route: { group: 'dpt-hib', role: 'legacy' },
    },
    {
      id: 'dpt_ipv', name: '四種混合 (DPT-IPV)', class: 'A', validFrom: '2023-04-01',
      eligibility: [{ window: { kind: 'age', from: '2m', through: '90m' } }],
      paths: DPT_PATHS,
      longIllness: { years: 2, capAge: '15y' },
      route: { group: 'dpt-hib', role: 'legacy' },
      note: 'Start age lowered from 3 to 2 months on 2023-04-01.',
    },
    {
      id: 'hib', name: 'Hib', class: 'A', validFrom: '2013-04-01',
      eligibility: [{ window: { kind: 'age', from: '2m', through: '60m' } }],
      paths: HIB_PATHS,
      longIllness: { years: 2, capAge: '10y' },
      route: { group: 'dpt-hib', role: 'legacy' },
    },
    {
      id: 'pcv', name: '小児用肺炎球菌', class: 'A', validFrom: '2013-04-01',
      products: [
        { id: 'pcv13', name: 'プレベナー13', validTo: '2024-09-30' },
        { id: 'pcv15', name: 'バクニュバンス', validFrom: '2024-04-01' },
        { id: 'pcv20', name: 'プレベナー20', validFrom: '2024-10-01' },
      ],
      eligibility: [{ window: { kind: 'age', from: '2m', through: '60m' } }],
      paths: PCV_PATHS,
      longIllness: { years: 2, capAge: '6y' },
    },
    {
      id: 'bcg', name: 'BCG', class: 'A', injectedLive: true,
      eligibility: [{ window: { kind: 'age', from: '0d', through: '1y' } }],
      paths: [{ id: '1-dose', doses: [{}] }],
      longIllness: { years: 2, capAge: '4y' },
    },
    {
      id: 'mr', name: '麻しん風しん (MR)', class: 'A', validFrom: '2006-04-01', injectedLive: true,
      eligibility: [
        { doses: [1], window: { kind: 'age', from: '1y', through: '2y' }, note: '第1期' },
        { doses: [2], window: { kind: 'preSchoolYear', from: '5y', through: '7y' }, note: '第2期' },
      ],
      paths: [{ id: '1期+2期', doses: [{}, { standalone: true }] }],
      longIllness: { years: 2 },
    },
    {
      id: 'var', name: '水痘', class: 'A', validFrom: '2014-10-01', injectedLive: true,
      eligibility: [{ window: { kind: 'age', from: '1y', through: '3y' } }],
      paths: [{ id: '2-dose', doses: [{}, { intervals: [{ from: 1, months: 3 }] }] }],
      longIllness: { years: 2 },
    },
    {
      id: 'je', name: '日本脳炎', class: 'A',
      eligibility: [
        { doses: [1, 2, 3], window: { kind: 'age', from: '6m', through: '90m' }, note: '1期' },
        { doses: [4], window: { kind: 'age', from: '9y', through: '13y' }, note: '2期' },
        {
          doses: [1, 2, 3], window: { kind: 'age', from: '6m', through: '20y' },
          born: { from: '1995-04-02', through: '2007-04-01' }, note: '特例①: 20歳に至るまで',
        },
        {
          doses: [4], window: { kind: 'age', from: '9y', through: '20y' },
          born: { from: '1995-04-02', through: '2007-04-01' }, note: '特例①: 20歳に至るまで',
        },
        {
          doses: [1, 2, 3], window: { kind: 'age', from: '9y', through: '13y' },
          born: { from: '2007-04-02', through: '2009-10-01' }, note: '特例②: 1期の不足分を9–13歳で',
        },
      ],
      paths: [{
        id: '1期初回2+1期追加+2期',
        doses: [
          {},
          { intervals: [{ from: 1, days: 6 }] },
          { intervals: [{ from: 2, months: 6 }] },
          { intervals: [{ from: 3, days: 6 }] },
        ],
      }],
      longIllness: { years: 2 },
    },
    {
      id: 'dt', name: '二種混合 (DT) 第2期', class: 'A',
      eligibility: [{ window: { kind: 'age', from: '11y', through: '13y' } }],
      paths: [{ id: '1-dose', doses: [{}] }],
      longIllness: { years: 2 },
    },
    {
      id: 'hpv', name: 'ヒトパピローマウイルス (HPV)', class: 'A', validFrom: '2013-04-01', sex: 'F',
      products: [
        { id: 'hpv2', name: 'サーバリックス (2価)' },
        { id: 'hpv4', name: 'ガーダシル (4価)' },
        { id: 'hpv9', name: 'シルガード9 (9価)', validFrom: '2023-04-01' },
      ],
      eligibility: [
        { window: { kind: 'fiscalYearOfAge', fromYears: 12, throughYears: 16 }, note: '小6–高1相当' },
        {
          window: { kind: 'dates', from: '2022-04-01', through: '2025-03-31' },
          born: { from: '1997-04-02', through: '2009-04-01' }, note: 'キャッチアップ接種',
        },
        {
          window: { kind: 'dates', from: '2025-04-01', through: '2026-03-31' },
          born: { from: '1997-04-02', through: '2009-04-01' },
          requires: { doseBetween: { from: '2022-04-01', through: '2025-03-31' } },
          note: 'キャッチアップ経過措置: 2022-04-01–2025-03-31 に1回以上接種した者',
        },
      ],
      paths: [
        {
          id: 'hpv2', products: ['hpv2'],
          doses: [
            {},
            { intervals: [{ from: 1, months: 1 }] },
            { intervals: [{ from: 1, months: 5 }, { from: 2, months: 2, extraDays: 15 }] },
          ],
        },
        {
          id: 'hpv4', products: ['hpv4'],
          doses: [{}, { intervals: [{ from: 1, months: 1 }] }, { intervals: [{ from: 2, months: 3 }] }],
        },
        {
          id: 'hpv9-2dose', products: ['hpv9'], start: { through: '15y' }, note: '1回目が15歳に至るまで',
          doses: [{}, { intervals: [{ from: 1, months: 5 }] }],
        },
        {
          id: 'hpv9-3dose', products: ['hpv9'],
          doses: [{}, { intervals: [{ from: 1, months: 1 }] }, { intervals: [{ from: 2, months: 3 }] }],
        },
      ],
      longIllness: { years: 2 },
    },
    {
      id: 'flu', name: '高齢者インフルエンザ', class: 'B', validFrom: '2001-11-07', episode: 'season',
      eligibility: [...ELDERLY_65_PLUS],
      paths: [{ id: '1-per-season', doses: [{}] }],
      note: 'Not covered by 長期療養特例.',
    },
    {
      id: 'pneumo', name: '高齢者肺炎球菌', class: 'B', validFrom: '2014-10-01', validTo: '2024-03-31',
      products: [{ id: 'ppsv23', name: 'ニューモバックスNP (PPSV23)' }],
      eligibility: [
        { window: { kind: 'age', from: '65y', through: '66y' } },
        {
          window: { kind: 'fiscalYearEndAge', ages: [65, 70, 75, 80, 85, 90, 95, 100], fiscalYears: { from: 2014, through: 2023 } },
          note: '経過措置 FY2014–FY2023',
        },
        { window: { kind: 'age', from: '60y', through: '65y' }, requires: { disability: ['organ', 'hiv'] } },
      ],
      paths: [{ id: '1-dose', doses: [{}] }],
      longIllness: { years: 1 },
    },
    {
      id: 'pneumo', name: '高齢者肺炎球菌', class: 'B', validFrom: '2024-04-01', validTo: '2026-03-31',
      products: [{ id: 'ppsv23', name: 'ニューモバックスNP (PPSV23)' }],
      eligibility: [
        { window: { kind: 'age', from: '65y', through: '66y' } },
        { window: { kind: 'age', from: '60y', through: '65y' }, requires: { disability: ['organ', 'hiv'] } },
      ],
      paths: [{ id: '1-dose', doses: [{}] }],
      longIllness: { years: 1 },
    },
    {
      id: 'pneumo', name: '高齢者肺炎球菌', class: 'B', validFrom: '2026-04-01',
      products: [{ id: 'pcv20', name: 'プレベナー20 (PCV20)' }],
      eligibility: [
        { window: { kind: 'age', from: '65y', through: '66y' } },
        { window: { kind: 'age', from: '60y', through: '65y' }, requires: { disability: ['organ', 'hiv'] } },
      ],
      paths: [{ id: '1-dose', doses: [{}] }],
      longIllness: { years: 1 },
      note: 'PPSV23 → PCV20, no transitional cohort; a prior routine PPSV23 dose completes the series.',
    },
    {
      id: 'covid', name: '新型コロナウイルス (B類)', class: 'B', validFrom: '2024-04-01', episode: 'season',
      eligibility: [...ELDERLY_65_PLUS],
      paths: [{ id: '1-per-season', doses: [{}] }],
      note: 'Not covered by 長期療養特例.',
    },
    {
      id: 'hz', name: '帯状疱疹', class: 'B', validFrom: '2025-04-01',
      products: [
        { id: 'hz_live', name: 'ビケン (乾燥弱毒生水痘ワクチン)', injectedLive: true },
        { id: 'hz_rzv', name: 'シングリックス (組換え)' },
      ],
      eligibility: [
        { window: { kind: 'fiscalYearEndAge', ages: [65] } },
        {
          window: { kind: 'fiscalYearEndAge', ages: [70, 75, 80, 85, 90, 95, 100], fiscalYears: { from: 2025, through: 2029 } },
          note: '経過措置 FY2025–FY2029',
        },
        { window: { kind: 'fiscalYearEndAge', minAge: 101, fiscalYears: { from: 2025, through: 2025 } }, note: '100歳以上 (FY2025のみ)' },
        { window: { kind: 'age', from: '60y', through: '65y' }, requires: { disability: ['hiv'] } },
      ],
      paths: [
        { id: 'live', products: ['hz_live'], doses: [{}] },
        { id: 'recombinant', products: ['hz_rzv'], doses: [{}, { intervals: [{ from: 1, months: 2 }] }] },
      ],
      longIllness: { years: 1 },
    },
    {
      id: 'rsv', name: 'RSウイルス 母子免疫', class: 'A', validFrom: '2026-04-01', provisional: true,
      sex: 'F', episode: 'pregnancy',
      eligibility: [{ window: { kind: 'pregnancy', from: '28w', through: '36w+6d' } }],
      paths: [{ id: '1-per-pregnancy', doses: [{}] }],
      note: 'Planned; class and window to verify (妊娠28週0日–36週6日). Needs a recorded pregnancy.',
    },
  ],
};
