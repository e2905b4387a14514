// `sesshu records masters import|list`, `sesshu records import` (clinic files), `sesshu records confirm`
// and `sesshu demo doses`. Console actors carry only the permission each job needs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../cli/errors.ts';
import { parseIsoDate } from '../../domain/dates.ts';
import { parseMunicipalityCode } from '../../domain/municipality-code.ts';
import { withRuntime } from '../../runtime.ts';
import { consoleActor, type Permission } from '../../security/actor.ts';
import { DEFAULT_MAX_BYTES, type DeclaredEncoding } from '../residents/decode.ts';
import { formatFileError } from '../residents/layout.ts';
import { todayInJapan } from '../schedule/contract.ts';
import { confirmSubmission, importClinicFile } from './clinic-import.ts';
import { ensureDemoMasters, writeDemoDosesFile } from './demo-doses.ts';
import { importMasters, isMasterKind, listMasters, MASTER_KINDS } from './masters.ts';

function tenantOf(raw: string): string {
  const code = parseMunicipalityCode(raw);
  if (!code.ok) throw new UsageError(code.reason);
  return code.code;
}

function encodingOf(raw: string | undefined): DeclaredEncoding {
  if (!raw) return 'auto';
  const e = raw.toLowerCase();
  if (['utf8', 'utf-8'].includes(e)) return 'utf8';
  if (['cp932', 'shift_jis', 'sjis'].includes(e)) return 'cp932';
  throw new UsageError(`--encoding must be cp932 or utf8, not ${raw}`);
}

function readUpload(file: string): Buffer {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`${file}: no such file`);
  }
  if (stat.size > DEFAULT_MAX_BYTES) throw new UsageError(`${file}: ${stat.size} bytes is over the limit of ${DEFAULT_MAX_BYTES}`);
  return fs.readFileSync(file);
}

const actorFor = (code: string, perms: Permission[], purpose: string) => consoleActor(code, perms, purpose, os.userInfo().username);

export function registerRecordCommands(program: Command): void {
  const records = program.command('records').description('vaccination records (接種記録): masters and clinic files');
  const masters = records.command('masters').description('医療機関・医師・ワクチン製品・ロット masters');
  masters
    .command('import <file>')
    .description('import a master CSV (all or nothing; rows are upserted by key)')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .requiredOption('--kind <kind>', MASTER_KINDS.join('|'))
    .option('--encoding <enc>', 'cp932 or utf8 (default: detect)')
    .option('--json', 'machine-readable result')
    .action(async (file: string, opts: { tenant: string; kind: string; encoding?: string; json?: boolean }) => {
      const code = tenantOf(opts.tenant);
      if (!isMasterKind(opts.kind)) throw new UsageError(`--kind must be one of ${MASTER_KINDS.join(', ')}`);
      const kind = opts.kind;
      const encoding = encodingOf(opts.encoding);
      const content = readUpload(file);
      const outcome = await withRuntime((rt) =>
        importMasters(rt.db, actorFor(code, ['settings.manage'], `${kind} master import`), { kind, fileName: path.basename(file), content, encoding }),
      );
      if (opts.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
      else if (outcome.status === 'applied') {
        const c = outcome.counts;
        process.stdout.write(`${kind}: ${c.rows} rows (${outcome.encoding}): ${c.inserted} new, ${c.updated} changed, ${c.unchanged} unchanged\n`);
        if (outcome.unknownColumns.length) process.stdout.write(`ignored unknown columns: ${outcome.unknownColumns.join(', ')}\n`);
      } else {
        process.stdout.write(`rejected: ${outcome.errorCount} problem(s); nothing was changed\n`);
        for (const e of outcome.errors) process.stdout.write(`${formatFileError(e)}\n`);
      }
      if (outcome.status === 'rejected') process.exitCode = 2;
    });
  masters
    .command('list')
    .description('print the masters as JSON')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .option('--kind <kind>', MASTER_KINDS.join('|'))
    .action(async (opts: { tenant: string; kind?: string }) => {
      const code = tenantOf(opts.tenant);
      if (opts.kind !== undefined && !isMasterKind(opts.kind)) throw new UsageError(`--kind must be one of ${MASTER_KINDS.join(', ')}`);
      const kinds = opts.kind !== undefined && isMasterKind(opts.kind) ? [opts.kind] : MASTER_KINDS;
      const listing = await withRuntime((rt) => listMasters(rt.db, actorFor(code, ['dose.read'], 'master listing'), kinds));
      process.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
    });

  records
    .command('import <file>')
    .description('import a clinic submission file (all or nothing; re-import of the same file is harmless)')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .option('--encoding <enc>', 'cp932 or utf8 (default: detect)')
    .option('--json', 'machine-readable result')
    .action(async (file: string, opts: { tenant: string; encoding?: string; json?: boolean }) => {
      const code = tenantOf(opts.tenant);
      const encoding = encodingOf(opts.encoding);
      const content = readUpload(file);
      const outcome = await withRuntime((rt) =>
        importClinicFile({ db: rt.db, today: () => todayInJapan() }, actorFor(code, ['dose.enter'], 'clinic submission import'), { fileName: path.basename(file), content, encoding }),
      );
      if (opts.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
      else if (outcome.status === 'applied') {
        const c = outcome.counts;
        process.stdout.write(
          `submission ${outcome.submissionId}: ${c.inserted} doses for ${c.persons} persons (${outcome.encoding}); ${c.nonRoutine} not routine (flagged for review); ` +
            `${outcome.provisional ? 'provisional until another user confirms the file' : 'confirmed by tenant policy'}\n`,
        );
        for (const f of outcome.flagged.slice(0, 50)) process.stdout.write(`  flagged: line ${f.line}, row ${f.row}: ${f.vaccine} ${f.dose} on ${f.date}: ${f.problems.join(', ')}\n`);
        if (outcome.unknownColumns.length) process.stdout.write(`ignored unknown columns: ${outcome.unknownColumns.join(', ')}\n`);
      } else if (outcome.status === 'duplicate') process.stdout.write(`this file was already imported (submission ${outcome.submissionId}); nothing changed\n`);
      else {
        process.stdout.write(`rejected: ${outcome.errorCount} problem(s); nothing was changed\n`);
        for (const e of outcome.errors) process.stdout.write(`${formatFileError(e)}\n`);
      }
      if (outcome.status === 'rejected') process.exitCode = 2;
    });

  records
    .command('confirm <submission>')
    .description('confirm every pending record of a clinic submission (must be a different user than the importer)')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .action(async (submission: string, opts: { tenant: string }) => {
      const code = tenantOf(opts.tenant);
      const r = await withRuntime((rt) => confirmSubmission(rt.db, actorFor(code, ['dose.confirm'], 'clinic submission confirmation'), submission));
      process.stdout.write(`confirmed ${r.confirmed} records\n`);
    });
}

/** Adds `doses` to the `demo` command group. */
export function registerDemoDosesCommand(demo: Command): void {
  demo
    .command('doses')
    .description('write a clinic-submission file of synthetic vaccination histories for a demo tenant\'s residents')
    .requiredOption('--tenant <code>', '6-digit municipality code (a demo tenant)')
    .requiredOption('--as-of <date>', 'no dose after this date, YYYY-MM-DD')
    .requiredOption('--out <file>', 'file to write')
    .option('--seed <s>', 'seed: same seed, same histories', 'sesshu')
    .option('--encoding <enc>', 'utf8 or cp932', 'utf8')
    .action(async (opts: { tenant: string; asOf: string; out: string; seed: string; encoding: string }) => {
      const code = tenantOf(opts.tenant);
      if (parseIsoDate(opts.asOf) === null) throw new UsageError(`--as-of: invalid date '${opts.asOf}' (expected YYYY-MM-DD)`);
      if (opts.encoding !== 'utf8' && opts.encoding !== 'cp932') throw new UsageError(`--encoding: expected utf8 or cp932, got '${opts.encoding}'`);
      const encoding = opts.encoding;
      const summary = await withRuntime(async (rt) => {
        const actor = actorFor(code, ['person.read', 'settings.manage'], 'demo vaccination histories');
        await ensureDemoMasters(rt.db, actor, opts.asOf);
        return writeDemoDosesFile(rt.db, actor, { asOf: opts.asOf, seed: opts.seed, encoding, out: opts.out });
      });
      process.stdout.write(`${opts.out}\t${summary.rows} rows for ${summary.persons} persons (${summary.invalid} deliberately invalid) in ${summary.seconds.toFixed(1)} s\n`);
      if (summary.skipped) process.stdout.write(`left out ${summary.skipped} persons whose names CP932 cannot write\n`);
    });
}
