// `sesshu` command: one subcommand group per module, registered in a fixed order.
import { Command, CommanderError } from 'commander';
import { UsageError } from './cli/errors.ts';
import { registerDbCommands } from './db/cli.ts';
import { registerCoverageCommand } from './modules/coverage/cli.ts';
import { registerDemoCommands } from './modules/demo/cli.ts';
import { registerDemoDosesCommand, registerRecordCommands } from './modules/records/cli.ts';
import { registerResidentCommands } from './modules/residents/cli.ts';
import { registerDemoGenerateCommand } from './modules/residents/cli-generate.ts';
import { registerTicketCommands } from './modules/records/ticket-cli.ts';
import { registerScheduleCommands } from './modules/schedule/cli.ts';
import { registerSelectionCommands } from './modules/selection/cli.ts';
import { registerTenantCommands } from './modules/tenants/cli.ts';
import { registerSecurityCommands } from './security/cli.ts';
import { registerServeCommand } from './web/cli.ts';

export function buildProgram(): Command {
  const program = new Command('sesshu')
    .description('予防接種台帳 — vaccination records for Japanese municipalities')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerServeCommand(program);
  registerDbCommands(program);
  registerTenantCommands(program);
  registerSecurityCommands(program);
  registerResidentCommands(program);
  registerScheduleCommands(program);
  registerTicketCommands(program);
  registerRecordCommands(program);
  registerSelectionCommands(program);
  registerCoverageCommand(program);
  const demo = registerDemoCommands(program);
  registerDemoGenerateCommand(demo);
  registerDemoDosesCommand(demo);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
    if (!(err instanceof CommanderError)) process.stderr.write(`sesshu: ${errorMessage(err)}\n`);
  }
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof UsageError) return 2;
  return 1;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
