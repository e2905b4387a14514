// `sesshu coverage --tenant CODE --as-of YYYY-MM-DD [--by vaccine|cohort|district|month] …`: the
// coverage tables as CSV or JSON, for reports sent upward. A console actor holding only
// statistics.read runs it, so the run is checked and audited like a page view; it prints
// aggregates only (control: DATA-13).
import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../../cli/errors.ts';
import { parseMunicipalityCode } from '../../domain/municipality-code.ts';
import { withRuntime } from '../../runtime.ts';
import { consoleActor } from '../../security/actor.ts';
import { encodeCsv } from '../../security/csv-export.ts';
import { todayInJapan } from '../schedule/contract.ts';
import { coverageCsv } from './csv.ts';
import type { CoverageDimension, CoverageFilter } from './service.ts';
import { COVERAGE_DIMENSIONS, CoverageInputError, coverageReport, isCoverageDimension, parseCoverageFilter } from './service.ts';

interface CoverageOptions {
  tenant: string;
  asOf?: string;
  by: string;
  vaccine?: string;
  dose?: string;
  cohortFrom?: string;
  cohortTo?: string;
  district?: string;
  months?: string;
  format: string;
  encoding: string;
  lang: string;
  out?: string;
}

function checked(opts: CoverageOptions): { code: string; by: CoverageDimension; filter: CoverageFilter } {
  const code = parseMunicipalityCode(opts.tenant);
  if (!code.ok) throw new UsageError(code.reason);
  if (!isCoverageDimension(opts.by)) throw new UsageError(`--by must be one of ${COVERAGE_DIMENSIONS.join(', ')}, not ${opts.by}`);
  if (!['csv', 'json'].includes(opts.format)) throw new UsageError(`--format must be csv or json, not ${opts.format}`);
  if (!['utf8', 'cp932'].includes(opts.encoding)) throw new UsageError(`--encoding must be utf8 or cp932, not ${opts.encoding}`);
  if (!['ja', 'en'].includes(opts.lang)) throw new UsageError(`--lang must be ja or en, not ${opts.lang}`);
  if (opts.by !== 'vaccine' && !opts.vaccine) throw new UsageError(`--by ${opts.by} needs --vaccine ID`);
  try {
    const filter = parseCoverageFilter(
      { asOf: opts.asOf, vaccine: opts.vaccine, dose: opts.dose, cohortFrom: opts.cohortFrom, cohortTo: opts.cohortTo, district: opts.district, months: opts.months },
      todayInJapan(),
    );
    return { code: code.code, by: opts.by, filter };
  } catch (err) {
    if (err instanceof CoverageInputError) throw new UsageError(`--${err.field.replace(/[A-Z]/gu, (c) => `-${c.toLowerCase()}`)}: ${err.message}`);
    throw err;
  }
}

export function registerCoverageCommand(program: Command): void {
  program
    .command('coverage')
    .description('coverage statistics (接種率) by vaccine, birth cohort (年度), district or month, as CSV or JSON')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .option('--as-of <date>', 'the day the figures are for, YYYY-MM-DD (default: today in Japan)')
    .option('--by <dimension>', COVERAGE_DIMENSIONS.join('|'), 'vaccine')
    .option('--vaccine <id>', 'vaccine id (hib, mr, …); needed for --by cohort|district|month')
    .option('--dose <n>', 'dose number (default 1)')
    .option('--cohort-from <fy>', 'first birth cohort, as the fiscal year (年度) of birth (default: as-of 年度 − 6)')
    .option('--cohort-to <fy>', 'last birth cohort (default: the as-of 年度)')
    .option('--district <name>', `only this district (地区); '-' for addresses with none`)
    .option('--months <n>', 'months for --by month, ending with the as-of month (default 12)')
    .option('--format <fmt>', 'csv or json', 'csv')
    .option('--encoding <enc>', 'CSV encoding: utf8 (with BOM) or cp932', 'utf8')
    .option('--lang <lang>', 'CSV headers: ja or en', 'ja')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (opts: CoverageOptions) => {
      const { code, by, filter } = checked(opts);
      const actor = consoleActor(code, ['statistics.read'], 'coverage statistics', os.userInfo().username);
      const report = await withRuntime(async (rt) => {
        try {
          return await coverageReport(rt.db, actor, filter, [by]);
        } catch (err) {
          if (err instanceof CoverageInputError) throw new UsageError(err.message);
          throw err;
        }
      });
      const lang = opts.lang === 'en' ? 'en' : 'ja';
      const bytes =
        opts.format === 'json'
          ? Buffer.from(`${JSON.stringify({ filter: report.filter, vaccineName: report.vaccineName, total: report.total, by, rows: rowsOf(report, by) }, null, 2)}\n`)
          : encodeCsv(coverageCsv(report, by, lang).csv, opts.encoding === 'cp932' ? 'cp932' : 'utf8');
      if (opts.out) {
        fs.writeFileSync(opts.out, bytes);
        process.stderr.write(`${opts.out}: coverage by ${by}, ${rowsOf(report, by).length} rows\n`);
      } else process.stdout.write(bytes);
    });
}

function rowsOf(report: Awaited<ReturnType<typeof coverageReport>>, by: CoverageDimension): readonly object[] {
  return (by === 'vaccine' ? report.byVaccine : by === 'cohort' ? report.byCohort : by === 'district' ? report.byDistrict : report.byMonth) ?? [];
}
