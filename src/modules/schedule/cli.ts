// `sesshu schedule …` — the schedule engine on the command line. The JSON shapes printed here are
// a contract other tools rely on (issue 5): change them only by adding, never by renaming.
import type { Command } from 'commander';
import { UsageError } from '../../cli/errors.ts';
import { parseIsoDate } from '../../domain/dates.ts';
import { JP_ROUTINE, ScheduleInputError, type DoseRecord, type Sex } from '../../domain/schedule/index.ts';
import { parseDoseSpec, rulesJson, runForecast, todayInJapan } from './contract.ts';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function dateProblem(value: string, flag: string): string {
  return `${flag}: invalid date '${value}' (expected an existing date as YYYY-MM-DD)`;
}

function requireDate(value: string, flag: string): string {
  if (parseIsoDate(value) === null) throw new UsageError(dateProblem(value, flag));
  return value;
}

/** Parses VACCINE:DOSE:YYYY-MM-DD[:PRODUCT]. Vaccine, range and product are checked by the engine. */
export function parseDoseArg(arg: string): DoseRecord {
  const r = parseDoseSpec(arg);
  if (r.ok) return r.dose;
  const flag = `--dose '${arg}'`;
  switch (r.problem.kind) {
    case 'shape': throw new UsageError(`${flag}: expected VACCINE:DOSE:YYYY-MM-DD[:PRODUCT]`);
    case 'dose': throw new UsageError(`${flag}: dose must be a positive whole number`);
    case 'date': throw new UsageError(dateProblem(r.problem.date, flag));
    case 'product': throw new UsageError(`${flag}: empty product`);
  }
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
      let run;
      try {
        run = runForecast({ birth, sex, asOf, doses: history });
      } catch (err) {
        if (err instanceof ScheduleInputError) throw new UsageError(err.message);
        throw err;
      }
      const { json, result } = run;
      const doses = json.doses;
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify(json)}\n`);
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
      const out = rulesJson(date);
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      const lines = [`${JP_ROUTINE.id} ${JP_ROUTINE.version} — in force on ${date}`];
      for (const v of out.vaccines) lines.push(`  ${v.id.padEnd(12)} ${v.class}  ${v.name}${v.provisional ? ' (provisional)' : ''}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
