// `sesshu residents import FILE --tenant CODE [--delta] [--encoding cp932|utf8]`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../cli/errors.ts';
import { createProgress, outputMode } from '../../cli/progress.ts';
import { parseMunicipalityCode } from '../../domain/municipality-code.ts';
import { withRuntime } from '../../runtime.ts';
import { consoleActor } from '../../security/actor.ts';
import { DEFAULT_MAX_BYTES } from './decode.ts';
import { importResidents } from './import-service.ts';
import { formatResidentFileError } from './layout.ts';

interface ImportOpts {
  tenant: string;
  delta?: boolean;
  encoding?: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerResidentCommands(program: Command): void {
  const residents = program.command('residents').description('resident register intake (住民記録連携)');
  residents
    .command('import <file>')
    .description('import a full (default) or delta resident file; all or nothing, re-import is harmless')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .option('--delta', 'the file is a delta of movement events (異動)')
    .option('--encoding <enc>', 'cp932 or utf8 (default: detect)')
    .option('--json', 'machine-readable result')
    .option('--quiet', 'no progress output')
    .action(async (file: string, opts: ImportOpts) => {
      const code = parseMunicipalityCode(opts.tenant);
      if (!code.ok) throw new UsageError(code.reason);
      if (opts.encoding && !['cp932', 'utf8', 'shift_jis', 'sjis', 'utf-8'].includes(opts.encoding.toLowerCase())) {
        throw new UsageError(`--encoding must be cp932 or utf8, not ${opts.encoding}`);
      }
      const encoding = !opts.encoding ? 'auto' : opts.encoding.toLowerCase().startsWith('utf') ? 'utf8' : 'cp932';
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch {
        throw new UsageError(`${file}: no such file`);
      }
      if (stat.size > DEFAULT_MAX_BYTES) throw new UsageError(`${file}: ${stat.size} bytes is over the limit of ${DEFAULT_MAX_BYTES}`);
      const content = fs.readFileSync(file);
      const mode = outputMode(opts);
      const progress = createProgress(mode);
      let phase = '';
      const outcome = await withRuntime((rt) =>
        importResidents(
          { db: rt.db, vault: rt.services.vault },
          consoleActor(code.code, ['person.import'], 'resident register import', os.userInfo().username),
          { fileName: path.basename(file), content, mode: opts.delta ? 'delta' : 'full', encoding },
          (p, done, total) => {
            if (p !== phase) {
              if (phase) progress.stop();
              phase = p;
              progress.start(total, p);
            }
            progress.update(done);
          },
        ),
      );
      if (phase) progress.stop();
      if (opts.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
      else if (outcome.status === 'applied') {
        const c = outcome.counts;
        process.stdout.write(
          `imported ${c.rows} rows (${outcome.encoding}): ${c.inserted} new, ${c.updated} changed, ${c.unchanged} unchanged, ` +
            `${c.events} events, ${c.absentRemoved} missing from the snapshot flagged as removed\n`,
        );
        if (outcome.unknownColumns.length) process.stdout.write(`ignored unknown columns: ${outcome.unknownColumns.join(', ')}\n`);
      } else if (outcome.status === 'duplicate') process.stdout.write(`this file was already imported (import ${outcome.importId}); nothing changed\n`);
      else {
        process.stdout.write(`rejected: ${outcome.errorCount} problem(s); nothing was changed\n`);
        for (const e of outcome.errors) process.stdout.write(`${formatResidentFileError(e)}\n`);
      }
      if (outcome.status === 'rejected') process.exitCode = 2;
    });
}
