// `sesshu selection run`, `sesshu batch create|list|print|reissue`, `sesshu referral issue|list`.
// Console actors carry only selection.run. Long runs show a progress bar on stderr; output goes to
// --out or stdout. Exports hold names and 宛名番号, never My Number.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { UsageError } from '../../cli/errors.ts';
import { createProgress, outputMode, type OutputMode } from '../../cli/progress.ts';
import { parseMunicipalityCode } from '../../domain/municipality-code.ts';
import { withRuntime } from '../../runtime.ts';
import { consoleActor, type Actor } from '../../security/actor.ts';
import { ForbiddenError } from '../../security/guard.ts';
import { InputError, NotFoundError } from '../residents/persons.ts';
import { createBatch, listBatches, reissue } from './batches.ts';
import { parseCriteria, type CriteriaInput } from './criteria.ts';
import { printBatch, referralLetterPdf } from './print.ts';
import { issueReferral, listReferrals } from './referrals.ts';
import type { SelectionRow } from './scan.ts';
import { runSelection } from './service.ts';

function actorFor(tenant: string, purpose: string): Actor {
  const code = parseMunicipalityCode(tenant);
  if (!code.ok) throw new UsageError(code.reason);
  return consoleActor(code.code, ['selection.run'], purpose, os.userInfo().username);
}

/** Service errors the user can fix become usage errors (exit 2, one line). */
async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InputError || err instanceof NotFoundError || err instanceof ForbiddenError) throw new UsageError(err.message);
    throw err;
  }
}

interface FilterOpts {
  asOf: string;
  vaccine?: string;
  bornFrom?: string;
  bornTo?: string;
  district?: string;
  notVaccinated?: boolean;
  overdue?: boolean;
  within?: string;
  quiet?: boolean;
  json?: boolean;
}

function withFilters(cmd: Command): Command {
  return cmd
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .requiredOption('--as-of <date>', 'YYYY-MM-DD: the day the schedule is evaluated')
    .option('--vaccine <id>', 'vaccine id, comma-separated ids, or all', 'all')
    .option('--born-from <date>', 'born on or after YYYY-MM-DD')
    .option('--born-to <date>', 'born on or before YYYY-MM-DD')
    .option('--district <name>', '地区 (町域) as read from the address, e.g. 本町')
    .option('--not-vaccinated', 'only dose 1 (no dose of the series yet; this season for flu/covid)')
    .option('--overdue', 'only doses due for at least 90 days')
    .option('--within <days>', 'also doses whose window opens within this many days')
    .option('--quiet', 'no progress bar');
}

function criteriaOf(o: FilterOpts): CriteriaInput {
  return {
    asOf: o.asOf, vaccines: o.vaccine ?? 'all', bornFrom: o.bornFrom ?? null, bornTo: o.bornTo ?? null, district: o.district ?? null,
    notVaccinated: o.notVaccinated === true, overdue: o.overdue === true, withinDays: o.within ?? null,
  };
}

function progressHooks(mode: OutputMode, label: string) {
  const progress = createProgress(mode);
  return {
    progress,
    hooks: { onStart: (total: number) => progress.start(total, label), onProgress: (done: number) => progress.update(done) },
  };
}

const CSV_COLUMNS = ['list', 'person_id', 'address_number', 'name', 'birth_date', 'district', 'vaccine', 'dose', 'status', 'from', 'until', 'reason'];
const csvRow = (list: string, r: SelectionRow): string[] =>
  [list, r.personId, r.addressNumber, r.name, r.birthDate, r.district, r.vaccine, String(r.dose), r.status, r.from ?? '', r.until ?? '', r.reason];

function openOut(out: string | undefined): { write: (s: string) => void; close: () => void } {
  if (!out) return { write: (s) => void process.stdout.write(s), close: () => undefined };
  const fd = fs.openSync(out, 'w');
  return { write: (s) => void fs.writeSync(fd, s), close: () => fs.closeSync(fd) };
}

export function registerSelectionCommands(program: Command): void {
  const selection = program.command('selection').description('対象者抽出: who is due for which vaccine');
  withFilters(selection.command('run'))
    .description('list residents to notify (schedule engine over the ledger); moved-in residents with unknown history are listed separately')
    .option('--format <fmt>', 'csv or json', 'csv')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (opts: FilterOpts & { tenant: string; format: string; out?: string }) => {
      if (opts.format !== 'csv' && opts.format !== 'json') throw new UsageError(`--format must be csv or json, not ${opts.format}`);
      const actor = actorFor(opts.tenant, 'selection (対象者抽出)');
      await userErrors(async () => parseCriteria(criteriaOf(opts))); // bad options: nothing written
      const { progress, hooks } = progressHooks(opts.quiet ? 'quiet' : 'human', 'selection');
      const out = openOut(opts.out);
      const movedIn: SelectionRow[] = [];
      const problems: unknown[] = [];
      let first = true;
      try {
        if (opts.format === 'csv') out.write(stringify([CSV_COLUMNS]));
        else out.write('{"rows":[');
        const summary = await withRuntime((rt) => userErrors(() => runSelection(rt.db, actor, criteriaOf(opts), (page) => {
          movedIn.push(...page.movedIn);
          problems.push(...page.problems);
          if (page.rows.length === 0) return;
          if (opts.format === 'csv') out.write(stringify(page.rows.map((r) => csvRow('notify', r))));
          else {
            out.write(`${first ? '' : ','}\n${page.rows.map((r) => JSON.stringify(r)).join(',\n')}`);
            first = false;
          }
        }, hooks)));
        progress.stop();
        if (opts.format === 'csv') out.write(stringify(movedIn.map((r) => csvRow('moved_in', r))));
        else out.write(`\n],"movedIn":${JSON.stringify(movedIn)},"problems":${JSON.stringify(problems)},"summary":${JSON.stringify(summary)}}\n`);
        process.stderr.write(`${summary.rows} rows for ${summary.persons} residents (${summary.scanned} scanned), ${summary.movedIn} moved-in rows with unknown history, ${summary.problems} problems, ${summary.seconds.toFixed(1)} s\n`);
      } finally {
        progress.stop();
        out.close();
      }
    });

  const batch = program.command('batch').description('発送バッチ: frozen selections, printing and reissue');
  withFilters(batch.command('create'))
    .description('run a selection and freeze it as a batch (notice: with 接種券; reminder: 勧奨通知)')
    .requiredOption('--kind <kind>', 'notice or reminder')
    .option('--json', 'machine-readable result')
    .action(async (opts: FilterOpts & { tenant: string; kind: string }) => {
      if (opts.kind !== 'notice' && opts.kind !== 'reminder') throw new UsageError(`--kind must be notice or reminder, not ${opts.kind}`);
      const kind = opts.kind;
      const actor = actorFor(opts.tenant, `mailing batch (${kind})`);
      const { progress, hooks } = progressHooks(outputMode(opts), 'batch');
      const r = await withRuntime((rt) => userErrors(() => createBatch(rt.db, actor, { kind, criteria: criteriaOf(opts) }, hooks))).finally(() => progress.stop());
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else process.stdout.write(`batch ${r.id} (${r.kind}, as of ${r.asOf}): ${r.items} items for ${r.persons} residents; ${r.skipped} already mailed; ${r.movedIn} moved-in rows left out\n`);
    });
  batch
    .command('list')
    .description('the newest batches')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .option('--json', 'machine-readable output')
    .action(async (opts: { tenant: string; json?: boolean }) => {
      const actor = actorFor(opts.tenant, 'mailing batch list');
      const list = await withRuntime((rt) => userErrors(() => listBatches(rt.db, actor)));
      if (opts.json) process.stdout.write(`${JSON.stringify(list)}\n`);
      else for (const b of list) process.stdout.write(`${b.id}  ${b.kind.padEnd(8)} as of ${b.asOf}  ${String(b.items).padStart(8)} items  ${b.createdAt}\n`);
    });
  batch
    .command('print <batch>')
    .description('print a batch as PDFs (予診票, 接種券, 勧奨通知, 宛名シール) into DIR, in mailing order')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .requiredOption('--out <dir>', 'output directory (created if missing)')
    .option('--labels <n>', 'address labels per A4 sheet: 12 or 24', '12')
    .option('--quiet', 'no progress bar')
    .action(async (batchId: string, opts: { tenant: string; out: string; labels: string; quiet?: boolean }) => {
      if (opts.labels !== '12' && opts.labels !== '24') throw new UsageError(`--labels must be 12 or 24, not ${opts.labels}`);
      const labelsPerSheet = opts.labels === '12' ? 12 : 24;
      const actor = actorFor(opts.tenant, 'mailing batch print');
      fs.mkdirSync(opts.out, { recursive: true });
      const progress = createProgress(opts.quiet ? 'quiet' : 'human');
      const files = await withRuntime((rt) => userErrors(() =>
        printBatch(rt.db, actor, batchId, opts.out, { labelsPerSheet }, { start: (n) => progress.start(n, 'print'), update: (n) => progress.update(n) }),
      )).finally(() => progress.stop());
      for (const f of files) process.stdout.write(`${f.kind}: ${path.relative(process.cwd(), f.path) || f.path} (${f.pages} pages)\n`);
    });
  batch
    .command('reissue')
    .description('再発行: void the ticket mailed for this dose and issue a new number (lost papers, or a moved-in resident)')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .requiredOption('--address-number <n>', '宛名番号')
    .requiredOption('--vaccine <id>', 'vaccine id')
    .requiredOption('--dose <n>', 'dose number')
    .requiredOption('--reason <reason>', 'lost or moved_in')
    .option('--as-of <date>', 'for moved_in: the day the schedule is evaluated (default today)')
    .option('--json', 'machine-readable result')
    .action(async (opts: { tenant: string; addressNumber: string; vaccine: string; dose: string; reason: string; asOf?: string; json?: boolean }) => {
      if (opts.reason !== 'lost' && opts.reason !== 'moved_in') throw new UsageError(`--reason must be lost or moved_in, not ${opts.reason}`);
      if (!/^[0-9]{1,2}$/.test(opts.dose)) throw new UsageError(`--dose must be a number 1-99, not ${opts.dose}`);
      const reason = opts.reason;
      const actor = actorFor(opts.tenant, `ticket reissue (${reason})`);
      const r = await withRuntime((rt) => userErrors(() => reissue(rt.db, actor, {
        addressNumber: opts.addressNumber, vaccine: opts.vaccine, dose: Number(opts.dose), reason, ...(opts.asOf ? { asOf: opts.asOf } : {}),
      })));
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else process.stdout.write(`batch ${r.batchId}: new ticket ${r.ticketNumber} (券種 ${r.kind}), OCR line ${r.ocrLine}${r.voidedTicket ? `; voided ${r.voidedTicket}` : ''}\n`);
    });

  const referral = program.command('referral').description('実施依頼書: ask another municipality to vaccinate a resident staying there');
  referral
    .command('issue')
    .description('issue a numbered letter (and write its PDF with --out)')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .requiredOption('--address-number <n>', '宛名番号 of the resident')
    .requiredOption('--to-name <name>', 'the municipality asked, e.g. 上越市')
    .requiredOption('--to-mayor <name>', 'its mayor')
    .option('--to-code <code>', 'its 6-digit municipality code')
    .requiredOption('--stay-address <address>', 'where the resident is staying')
    .requiredOption('--reason <text>', 'why, e.g. 里帰り出産のため')
    .requiredOption('--vaccine <id>', 'vaccine id')
    .requiredOption('--dose <n>', 'dose number')
    .requiredOption('--valid-until <date>', 'YYYY-MM-DD')
    .option('--issued-on <date>', 'YYYY-MM-DD (default today)')
    .option('--replaces <id>', 'id of the letter this one replaces')
    .option('--from-mayor <name>', 'our mayor (default: tenant setting mailing.mayorName)')
    .option('--out <file>', 'write the letter PDF here')
    .option('--json', 'machine-readable result')
    .action(async (opts: { tenant: string; addressNumber: string; toName: string; toMayor: string; toCode?: string; stayAddress: string; reason: string; vaccine: string; dose: string; validUntil: string; issuedOn?: string; replaces?: string; fromMayor?: string; out?: string; json?: boolean }) => {
      if (!/^[0-9]{1,2}$/.test(opts.dose)) throw new UsageError(`--dose must be a number 1-99, not ${opts.dose}`);
      const actor = actorFor(opts.tenant, '実施依頼書 issue');
      const r = await withRuntime((rt) => userErrors(async () => {
        const letter = await issueReferral(rt.db, actor, {
          addressNumber: opts.addressNumber, toMunicipalityName: opts.toName, toMayorName: opts.toMayor, toMunicipalityCode: opts.toCode ?? null,
          stayAddress: opts.stayAddress, reason: opts.reason, vaccine: opts.vaccine, dose: Number(opts.dose), validUntil: opts.validUntil,
          ...(opts.issuedOn ? { issuedOn: opts.issuedOn } : {}), replaces: opts.replaces ?? null,
        });
        if (opts.out) {
          fs.writeFileSync(opts.out, await referralLetterPdf(rt.db, actor, letter.id, opts.fromMayor ? { fromMayorName: opts.fromMayor } : {}));
        }
        return letter;
      }));
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else process.stdout.write(`${r.letterNumber} (${r.id}) to ${r.toMunicipalityName}, valid until ${r.validUntil}${opts.out ? `; PDF: ${opts.out}` : ''}\n`);
    });
  referral
    .command('list')
    .description('issuance history, newest first')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .option('--address-number <n>', 'only this resident')
    .option('--json', 'machine-readable output')
    .action(async (opts: { tenant: string; addressNumber?: string; json?: boolean }) => {
      const actor = actorFor(opts.tenant, '実施依頼書 list');
      const list = await withRuntime((rt) => userErrors(() => listReferrals(rt.db, actor, opts.addressNumber ? { addressNumber: opts.addressNumber } : {})));
      if (opts.json) process.stdout.write(`${JSON.stringify(list)}\n`);
      else for (const r of list) process.stdout.write(`${r.issuedOn}  ${r.letterNumber}  ${r.addressNumber}  → ${r.toMunicipalityName}  ${r.vaccine} ${r.dose}  ${r.replaces ? `(replaces ${r.replaces})` : ''}\n`);
    });
}
