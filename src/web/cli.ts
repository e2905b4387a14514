import type { Command } from 'commander';
import { openRuntime } from '../runtime.ts';
import { startServer } from './start.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the staff web UI and JSON API (SESSHU_HOST / SESSHU_PORT)')
    .option('--port <n>', 'port', (v) => Number(v))
    .option('--host <addr>', 'address to listen on')
    .action(async (opts: { port?: number; host?: string }) => {
      const rt = await openRuntime();
      const app = await startServer(rt, opts);
      process.stderr.write(`sesshu listening on ${app.listeningOrigin}\n`);
    });
}
