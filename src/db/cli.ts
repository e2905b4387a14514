import type { Command } from 'commander';
import { outputMode } from '../cli/progress.ts';
import { loadConfig } from '../config.ts';
import { citusDistributionSql } from './citus.ts';
import { migrate, migrationStatus } from './migrate.ts';
import { openDatabase } from './open.ts';
import type { Database } from './client.ts';

async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig());
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database: migrations and status (データベース)');
  db.command('migrate')
    .description('apply pending migrations')
    .option('--json', 'machine-readable output')
    .option('--quiet', 'print nothing on success')
    .action(async (opts: { json?: boolean; quiet?: boolean }) => {
      const mode = outputMode(opts);
      const applied = await withDb((d) =>
        migrate(d, (m) => {
          if (mode === 'human') process.stderr.write(`applying ${String(m.version).padStart(4, '0')}_${m.name}\n`);
        }),
      );
      if (mode === 'json') process.stdout.write(`${JSON.stringify({ applied })}\n`);
      else if (mode === 'human') process.stdout.write(applied.length ? `applied ${applied.length} migration(s)\n` : 'database is up to date\n');
    });
  db.command('status')
    .description('list migrations and whether each is applied')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const rows = await withDb(async (d) => ({ engine: d.engine, migrations: await migrationStatus(d) }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows)}\n`);
        return;
      }
      process.stdout.write(`engine: ${rows.engine}\n`);
      for (const m of rows.migrations) {
        process.stdout.write(`${String(m.version).padStart(4, '0')}_${m.name.padEnd(28)} ${m.state.padEnd(8)} ${m.appliedAt ?? ''}\n`);
      }
    });
  db.command('citus-sql')
    .description('print the SQL that distributes the schema on a Citus cluster (see docs/citus.md)')
    .action(async () => {
      process.stdout.write(`${(await withDb(citusDistributionSql)).join('\n')}\n`);
    });
}
