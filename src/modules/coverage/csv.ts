// Coverage tables as CSV (formula-safe cells and quoting from security/csv-export.ts). Aggregates
// only: the lists of persons are never exported here. control: DATA-13
import type { CsvCell } from '../../security/csv-export.ts';
import { toCsv } from '../../security/csv-export.ts';
import type { CoverageDimension, CoverageReport } from './service.ts';

export type CsvLocale = 'ja' | 'en';

export function cohortLabel(cohort: number, locale: CsvLocale): string {
  return locale === 'ja' ? `${cohort}年度生` : `FY${cohort}`;
}

export function districtLabel(district: string, locale: CsvLocale): string {
  return district !== '' ? district : locale === 'ja' ? '（地区不明）' : '(no district)';
}

const HEADERS: Record<CoverageDimension, Record<CsvLocale, string[]>> = {
  vaccine: { ja: ['ワクチン', 'ワクチン名', '回数'], en: ['vaccine', 'vaccine name', 'dose'] },
  cohort: { ja: ['出生年度'], en: ['birth cohort (fiscal year)'] },
  district: { ja: ['地区'], en: ['district'] },
  month: { ja: ['年月', '接種数', '新規接種者数'], en: ['month', 'doses', 'newly vaccinated'] },
};
const FIGURES: Record<CsvLocale, string[]> = {
  ja: ['対象者数', '接種者数', '接種率(%)'],
  en: ['residents', 'vaccinated', 'coverage (%)'],
};

/** The rows of one table of the report; an empty table when the report lacks it. */
export function coverageCsv(report: CoverageReport, by: CoverageDimension, locale: CsvLocale): { filename: string; csv: string } {
  const figures = (c: { denominator: number; vaccinated: number; coverage: number | null }): CsvCell[] => [c.denominator, c.vaccinated, c.coverage === null ? '' : c.coverage.toFixed(1)];
  let rows: CsvCell[][];
  switch (by) {
    case 'vaccine':
      rows = (report.byVaccine ?? []).map((r) => [r.vaccine, locale === 'ja' ? r.nameJa : r.nameEn, r.dose, ...figures(r)]);
      break;
    case 'cohort':
      rows = (report.byCohort ?? []).map((r) => [cohortLabel(r.cohort, locale), ...figures(r)]);
      break;
    case 'district':
      rows = (report.byDistrict ?? []).map((r) => [districtLabel(r.district, locale), ...figures(r)]);
      break;
    case 'month':
      rows = (report.byMonth ?? []).map((r) => [r.month, r.doses, r.newlyVaccinated, ...figures(r)]);
      break;
  }
  const f = report.filter;
  const what = f.vaccine && by !== 'vaccine' ? `-${f.vaccine}-${f.dose}` : '';
  return { filename: `coverage-${by}${what}-${f.asOf}.csv`, csv: toCsv([...HEADERS[by][locale], ...FIGURES[locale]], rows) };
}
