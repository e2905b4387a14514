import type { Command } from 'commander';
import { UsageError } from '../cli/errors.ts';
import { withRuntime } from '../runtime.ts';
import { ROLE_IDS } from './actor.ts';
import { bootstrapAdmin } from './accounts.ts';
import { purgeAuditLog } from './audit-retention.ts';
import { verifyAuditLog } from './audit-verify.ts';
import { rotateDataKey, rotateMasterKey } from './key-rotation.ts';
import { parseMunicipalityCode } from '../domain/municipality-code.ts';

function tenantArg(code: string): string {
  const parsed = parseMunicipalityCode(code);
  if (!parsed.ok) throw new UsageError(parsed.reason);
  return parsed.code;
}

export function registerSecurityCommands(program: Command): void {
  const audit = program.command('audit').description('audit log (アクセス記録)');
  audit
    .command('verify')
    .description('re-hash every chain lane of the tenant audit log and report the first altered, inserted or deleted entry')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .option('--json', 'machine-readable output')
    .action(async (opts: { tenant: string; json?: boolean }) => {
      const code = tenantArg(opts.tenant);
      const result = await withRuntime((rt) => verifyAuditLog(rt.db, code));
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.ok) {
        const heads = result.lanes.filter((l) => l.seq > 0).map((l) => `${l.lane}:${l.seq}`).join(' ');
        process.stdout.write(`audit chain of ${code} intact: ${result.count} entries in ${result.lanes.length} lanes, heads (lane:seq) ${heads || 'none'}\n`);
      } else process.stdout.write(`audit chain of ${code} BROKEN in lane ${result.lane} at seq ${result.problem.seq}: ${result.problem.kind} — ${result.problem.message}\n`);
      if (!result.ok) process.exitCode = 1;
    });

  audit
    .command('purge')
    .description('delete audit entries older than the retention period (tenant setting auditRetentionDays, at least 366)')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .option('--dry-run', 'only count what would be purged')
    .action(async (opts: { tenant: string; dryRun?: boolean }) => {
      const code = tenantArg(opts.tenant);
      const r = await withRuntime((rt) => purgeAuditLog(rt.db, code, new Date(), { dryRun: opts.dryRun ?? false }));
      process.stdout.write(
        `${opts.dryRun ? 'would purge' : 'purged'} ${r.purged} entries older than ${r.olderThan} (retention ${r.retentionDays} days)` +
          `${r.purgedThrough.length ? `; lanes now anchored at (lane:seq) ${r.purgedThrough.map((p) => `${p.lane}:${p.seq}`).join(' ')}` : ''}\n`,
      );
    });

  const keys = program.command('keys').description('encryption keys of the My Number vault (鍵管理)');
  keys
    .command('rotate-master')
    .description('re-wrap every tenant key under the first key of SESSHU_MASTER_KEYS (list the old key after it)')
    .action(async () => {
      const result = await withRuntime((rt) => rotateMasterKey(rt.db, rt.keyring));
      process.stdout.write(`re-wrapped ${result.rewrapped} tenant key(s); the old master key can be removed from SESSHU_MASTER_KEYS\n`);
    });
  keys
    .command('rotate-data')
    .description("give a municipality a new data key and re-encrypt its My Numbers and secrets under it")
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .action(async (opts: { tenant: string }) => {
      const code = tenantArg(opts.tenant);
      const result = await withRuntime((rt) => rotateDataKey(rt.db, rt.keyring, code));
      process.stdout.write(`${code}: data key version ${result.version}; re-encrypted ${result.reencrypted} value(s)\n`);
    });

  const account = program.command('account').description('staff accounts (職員アカウント)');
  account
    .command('bootstrap-admin')
    .description("create a tenant's first administrator and print its one-time password")
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .option('--login <id>', 'login id', 'admin')
    .option('--name <name>', 'display name', '管理者')
    .action(async (opts: { tenant: string; login: string; name: string }) => {
      const code = tenantArg(opts.tenant);
      const created = await withRuntime((rt) => bootstrapAdmin(rt.db, code, { loginId: opts.login, displayName: opts.name }));
      process.stdout.write(`created ${opts.login} in ${code}; one-time password: ${created.oneTimePassword}\n`);
    });
  account
    .command('roles')
    .description('list the role ids')
    .action(() => {
      process.stdout.write(`${ROLE_IDS.join('\n')}\n`);
    });
}
