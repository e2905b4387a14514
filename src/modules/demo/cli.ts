import type { Command } from 'commander';
import { openRuntime } from '../../runtime.ts';
import { startServer } from '../../web/start.ts';
import { ensureDemoTenant } from './setup.ts';

export function registerDemoCommands(program: Command): Command {
  const demo = program.command('demo').description('demo municipality and synthetic data (デモ)');
  demo
    .command('start')
    .description('create the embedded database and demo municipality if missing, then serve the UI (npm start)')
    .option('--port <n>', 'port', (v) => Number(v))
    .action(async (opts: { port?: number }) => {
      const rt = await openRuntime({ env: { SESSHU_DEFAULT_TENANT: '990019', ...process.env } });
      const setup = await ensureDemoTenant(rt);
      const app = await startServer(rt, opts.port === undefined ? {} : { port: opts.port });
      const address = app.server.address();
      const url = `http://localhost:${typeof address === 'object' && address ? address.port : rt.config.port}/`;
      const lines = [
        '',
        `  sesshu is running: open ${url}`,
        `  municipality code (団体コード): ${setup.municipalityCode}${setup.created ? ` — demo city with ${setup.residents} synthetic residents` : ''}`,
        setup.admin
          ? `  user (ユーザーID): ${setup.admin.loginId}   one-time password (初期パスワード): ${setup.admin.oneTimePassword}`
          : '  the demo administrator already exists; its one-time password was printed on the first start.',
        setup.admin
          ? '  first sign-in: choose a new password, then add the shown key to an authenticator app (TOTP) or register a security key.'
          : '  lost it? stop the server, delete ./data, and run npm start again.',
        '  stop with Ctrl+C',
        '',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  return demo;
}
