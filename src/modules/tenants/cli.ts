import type { Command } from 'commander';
import { UsageError } from '../../cli/errors.ts';
import { parseMunicipalityCode } from '../../domain/municipality-code.ts';
import { withRuntime } from '../../runtime.ts';
import { createTenant, listTenants, TenantError } from './service.ts';

export function registerTenantCommands(program: Command): void {
  const tenant = program.command('tenant').description('municipalities (団体)');
  tenant
    .command('create')
    .description('add a municipality (validates the 地方公共団体コード check digit)')
    .requiredOption('--code <code>', '6-digit 地方公共団体コード')
    .requiredOption('--name <name>', 'name, e.g. 上越市')
    .requiredOption('--prefecture <name>', 'prefecture, e.g. 新潟県')
    .option('--name-en <name>', 'English name')
    .option('--json', 'machine-readable output')
    .action(async (opts: { code: string; name: string; prefecture: string; nameEn?: string; json?: boolean }) => {
      const check = parseMunicipalityCode(opts.code);
      if (!check.ok) throw new UsageError(check.reason);
      const row = await withRuntime((rt) =>
        createTenant(rt.db, rt.services.vault, { code: opts.code, name: opts.name, prefecture: opts.prefecture, nameEn: opts.nameEn ?? null }),
      ).catch((err: unknown) => {
        throw err instanceof TenantError ? new UsageError(err.message) : err;
      });
      process.stdout.write(opts.json ? `${JSON.stringify(row)}\n` : `created ${row.code} ${row.name}\n`);
    });
  tenant
    .command('list')
    .description('list municipalities')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const rows = await withRuntime((rt) => listTenants(rt.db));
      if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else for (const r of rows) process.stdout.write(`${r.code}  ${r.prefecture} ${r.name}${r.is_demo ? ' (demo)' : ''}\n`);
    });
}
