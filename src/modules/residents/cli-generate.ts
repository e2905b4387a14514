// `sesshu demo generate` — writes a synthetic city's resident-register files (full + yearly deltas)
// in the import layout. Streaming: rows are encoded and written in ~1 MB chunks, so memory stays
// flat whatever the population. The generator itself is pure (generator.ts); this file owns I/O.
import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import iconv from 'iconv-lite';
import { UsageError } from '../../cli/errors.ts';
import { parseIsoDate } from '../../domain/dates.ts';
import { DEMO_MUNICIPALITY, parseMunicipalityCode } from '../../domain/municipality-code.ts';
import { createCityGenerator, csvLine, type LayoutRow } from './generator.ts';

export type OutputEncoding = 'utf8' | 'cp932';

export interface GenerateOptions {
  readonly population: number;
  readonly seed: string;
  readonly out: string;
  readonly dirty: boolean;
  readonly asOf: string;
  readonly years: number;
  readonly encoding: OutputEncoding;
  readonly municipality: string;
  /** Progress bar on stderr (only when it is a TTY). */
  readonly progress: boolean;
}

export interface GenerateSummary {
  readonly files: readonly { readonly path: string; readonly rows: number }[];
  readonly dirtyRows: number;
  readonly seconds: number;
}

/** A fixed default keeps the output reproducible from the seed alone (no clock). */
export const DEFAULT_AS_OF = '2025-04-01';
export const MAX_POPULATION = 10_000_000;
export const MAX_YEARS = 30;
const CHUNK_BYTES = 4 << 20;

/** `city.csv` → `city.delta-2026.csv` (year of the period's last day). */
export function deltaFileName(out: string, year: string): string {
  const ext = path.extname(out);
  const stem = ext.toLowerCase() === '.csv' ? out.slice(0, -ext.length) : out;
  return `${stem}.delta-${year}.csv`;
}

/**
 * Writes header + rows with CRLF line ends. Each line is encoded into a fixed buffer as soon as it
 * is made, so no line outlives its row (few, short-lived allocations: this loop runs millions of times).
 */
function writeRows(file: string, header: readonly string[], rows: Iterable<LayoutRow>, encoding: OutputEncoding, onRows: (n: number) => void): number {
  const fd = fs.openSync(file, 'w');
  const out = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  let count = 0;
  const flush = (): void => {
    fs.writeSync(fd, out, 0, used);
    used = 0;
  };
  const put = (line: string): void => {
    const text = `${line}\r\n`;
    // Worst case 3 bytes per UTF-16 unit in UTF-8 (2 in CP932).
    if (used + text.length * 3 > out.length) flush();
    if (encoding === 'cp932') used += iconv.encode(text, 'cp932').copy(out, used);
    else used += out.write(text, used, 'utf8');
  };
  try {
    put(csvLine(header));
    for (const row of rows) {
      put(csvLine(row));
      count++;
      if ((count & 0x3fff) === 0) onRows(count);
    }
    flush();
    onRows(count);
  } finally {
    fs.closeSync(fd);
  }
  return count;
}

/** Generates the files. Throws UsageError for bad options; the CLI wrapper prints the summary. */
export function generateDemoFiles(opts: GenerateOptions): GenerateSummary {
  const started = performance.now();
  const gen = createCityGenerator({
    population: opts.population,
    seed: opts.seed,
    asOf: opts.asOf,
    years: opts.years,
    dirty: opts.dirty,
    municipality: opts.municipality,
    cp932: opts.encoding === 'cp932',
  });
  const showProgress = opts.progress && process.stderr.isTTY === true;
  const bar = showProgress
    ? new cliProgress.SingleBar({ stream: process.stderr, format: '{file} [{bar}] {value}/{total} rows | {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;

  const files: { path: string; rows: number }[] = [];
  bar?.start(opts.population, 0, { file: path.basename(opts.out) });
  files.push({ path: opts.out, rows: writeRows(opts.out, gen.header, gen.fullRows(), opts.encoding, (n) => bar?.update(n)) });
  bar?.stop();
  for (let k = 1; k <= opts.years; k++) {
    const period = gen.deltaPeriod(k);
    const file = deltaFileName(opts.out, period.to.slice(0, 4));
    files.push({ path: file, rows: writeRows(file, gen.header, gen.deltaRows(k), opts.encoding, () => undefined) });
  }
  return { files, dirtyRows: gen.dirtyRows.length, seconds: (performance.now() - started) / 1000 };
}

interface RawOptions {
  population: string;
  seed: string;
  out: string;
  dirty?: boolean;
  asOf: string;
  years: string;
  encoding: string;
  municipality: string;
  quiet?: boolean;
}

function wholeNumber(value: string, flag: string, min: number, max: number): number {
  if (!/^[0-9]+$/u.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got '${value}'`);
  }
  return Number(value);
}

export function parseGenerateOptions(raw: RawOptions): GenerateOptions {
  const population = wholeNumber(raw.population.replace(/_/gu, ''), '--population', 1, MAX_POPULATION);
  const years = wholeNumber(raw.years, '--years', 0, MAX_YEARS);
  if (parseIsoDate(raw.asOf) === null) throw new UsageError(`--as-of: invalid date '${raw.asOf}' (expected YYYY-MM-DD)`);
  if (raw.encoding !== 'utf8' && raw.encoding !== 'cp932') throw new UsageError(`--encoding: expected utf8 or cp932, got '${raw.encoding}'`);
  const code = parseMunicipalityCode(raw.municipality);
  if (!code.ok) throw new UsageError(`--municipality: ${code.reason}`);
  if (raw.seed === '') throw new UsageError('--seed: must not be empty');
  return {
    population, years, seed: raw.seed, out: raw.out, dirty: raw.dirty === true, asOf: raw.asOf,
    encoding: raw.encoding, municipality: code.code, progress: raw.quiet !== true,
  };
}

/** Adds `generate` to the `demo` command group (the lead registers the group in src/cli.ts). */
export function registerDemoGenerateCommand(demo: Command): void {
  demo
    .command('generate')
    .description('synthetic city: full resident-register file (+ yearly delta files) in the import layout')
    .requiredOption('--population <n>', 'number of residents in the full file')
    .option('--seed <s>', 'seed: same seed, same city', 'sesshu')
    .requiredOption('--out <file>', 'full file to write; deltas go next to it as <name>.delta-YYYY.csv')
    .option('--dirty', 'make ~1% of the full file\'s rows invalid (validator testing)')
    .option('--as-of <date>', 'date of the full file, YYYY-MM-DD', DEFAULT_AS_OF)
    .option('--years <k>', 'yearly delta files after --as-of (births, deaths, moves)', '0')
    .option('--encoding <enc>', 'utf8 or cp932 (Shift_JIS; 𠮷 is written as 吉)', 'utf8')
    .option('--municipality <code>', '6-digit municipality code (seeds the city)', DEMO_MUNICIPALITY.code)
    .option('--quiet', 'no progress bar')
    .action((raw: RawOptions) => {
      const opts = parseGenerateOptions(raw);
      const summary = generateDemoFiles(opts);
      const total = summary.files.reduce((n, f) => n + f.rows, 0);
      for (const f of summary.files) process.stdout.write(`${f.path}\t${f.rows} rows\n`);
      if (opts.dirty) process.stdout.write(`deliberately invalid rows: ${summary.dirtyRows}\n`);
      if (opts.progress) {
        process.stderr.write(`generated ${total} rows in ${summary.seconds.toFixed(1)} s (${Math.round(total / Math.max(summary.seconds, 0.001))} rows/s)\n`);
      }
    });
}
