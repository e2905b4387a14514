// `sesshu schedule …` — the schedule engine on the command line. The JSON shapes printed here are
// a contract other tools rely on (issue 5): change them only by adding, never by renaming.
import type { Command } from 'commander';
import { UsageError } from '../../cli/errors.ts';
import { parseIsoDate } from '../../domain/dates.ts';
import {
  createEngine, JP_ROUTINE, ScheduleInputError, type DoseRecord, type Engine, type NextDose, type Sex,
} from '../../domain/schedule/index.ts';

let engine: Engine | null = null;
function getEngine(): Engine {
  engine ??= createEngine(JP_ROUTINE);
  return engine;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function requireDate(value: string, flag: string): string {
  if (parseIsoDate(value) === null) throw new UsageError(`${flag}: invalid date '${value}' (expected an existing date as YYYY-MM-DD)`);
  return value;
}

/** Parses VACCINE:DOSE:YYYY-MM-DD[:PRODUCT]. Vaccine, range and product are checked by the engine. */
export function parseDoseArg(arg: string): DoseRecord {
  const parts = arg.split(':');
  if (parts.length < 3 || parts.length > 4) {
    throw new UsageError(`--dose '${arg}': expected VACCINE:DOSE:YYYY-MM-DD[:PRODUCT]`);
  }
  const [vaccine = '', doseText = '', date = '', product] = parts;
  if (!/^[1-9][0-9]{0,2}$/.test(doseText)) throw new UsageError(`--dose '${arg}': dose must be a positive whole number`);
  requireDate(date, `--dose '${arg}'`);
  if (product !== undefined && product === '') throw new UsageError(`--dose '${arg}': empty product`);
  return { vaccine, dose: Number(doseText), date, product: product ?? null };
}

/** A contract-shaped `next` entry: from/until only for due and upcoming. */
function nextJson(n: NextDose): Record<string, unknown> {
  const o: Record<string, unknown> = { vaccine: n.vaccine, status: n.status, dose: n.dose };
  if (n.status === 'due' || n.status === 'upcoming') {
    o.from = n.from ?? null;
    o.until = n.until ?? null;
  }
  return o;
}

function todayInJapan(): string {
  // The CLI owns the clock; the domain never reads it.
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo' }).format(new Date());
}

interface ForecastOpts {
  birth: string;
  sex: string;
  asOf: string;
  dose: string[];
  json?: boolean;
}

interface RulesOpts {
  date?: string;
  json?: boolean;
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('定期接種スケジュール: rules, validation and forecasts');

  schedule
    .command('forecast')
    .description('validate recorded doses and forecast the next dose of every vaccine in force')
    .requiredOption('--birth <date>', 'birth date, YYYY-MM-DD')
    .requiredOption('--sex <sex>', 'M or F')
    .requiredOption('--as-of <date>', 'forecast date, YYYY-MM-DD')
    .option('--dose <spec>', 'recorded dose VACCINE:DOSE:YYYY-MM-DD[:PRODUCT] (repeatable)', collect, [] as string[])
    .option('--json', 'print one JSON object')
    .action((opts: ForecastOpts) => {
      const birth = requireDate(opts.birth, '--birth');
      const asOf = requireDate(opts.asOf, '--as-of');
      if (opts.sex !== 'M' && opts.sex !== 'F') throw new UsageError(`--sex: expected M or F, got '${opts.sex}'`);
      const sex: Sex = opts.sex;
      const history = opts.dose.map(parseDoseArg);
      let result;
      try {
        result = getEngine().forecast({ birth, sex }, history, asOf);
      } catch (err) {
        if (err instanceof ScheduleInputError) throw new UsageError(err.message);
        throw err;
      }
      const doses = result.doses.map((d) => ({
        vaccine: d.vaccine, dose: d.dose, date: d.date, product: d.product, routine: d.routine, problems: d.problems,
      }));
      const next = result.next.map(nextJson);
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify({ asOf, birth, sex, doses, next })}\n`);
        return;
      }
      const lines = [`as of ${asOf} — born ${birth} (${sex})`];
      for (const d of doses) {
        lines.push(`  dose ${d.vaccine}:${d.dose} ${d.date}${d.product ? ` ${d.product}` : ''}  ${d.routine ? 'routine' : `not routine: ${d.problems.join(', ')}`}`);
      }
      for (const n of result.next) {
        const win = n.status === 'due' || n.status === 'upcoming' ? ` dose ${n.dose} ${n.from} … ${n.until ?? '(no limit)'}` : '';
        lines.push(`  ${n.vaccine.padEnd(12)} ${n.status}${win}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  schedule
    .command('rules')
    .description('the rule pack in force on a date (default: today in Japan)')
    .option('--date <date>', 'YYYY-MM-DD')
    .option('--json', 'print one JSON object')
    .action((opts: RulesOpts) => {
      const date = opts.date === undefined ? todayInJapan() : requireDate(opts.date, '--date');
      const e = getEngine();
      const vaccines = e.rulesAt(date);
      const day = parseIsoDate(date) ?? 0;
      const crossVaccine = JP_ROUTINE.crossVaccine.filter((c) =>
        (c.validFrom === undefined || (parseIsoDate(c.validFrom) ?? 0) <= day) && (c.validTo === undefined || (parseIsoDate(c.validTo) ?? 0) >= day));
      if (opts.json === true) {
        const out = {
          date, pack: { id: JP_ROUTINE.id, version: JP_ROUTINE.version },
          seasons: e.compiled.seasons, crossVaccine, vaccines,
        };
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      const lines = [`${JP_ROUTINE.id} ${JP_ROUTINE.version} — in force on ${date}`];
      for (const v of vaccines) lines.push(`  ${v.id.padEnd(12)} ${v.class}  ${v.name}${v.provisional ? ' (provisional)' : ''}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
