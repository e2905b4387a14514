// Graceful shutdown: SIGTERM stops the server, closes the database and releases the data
// directory's lock, so the next process can open it at once.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('sesshu serve', () => {
  it('shuts down cleanly on SIGTERM and releases the lock', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-stop-'));
    try {
      const child = spawn(process.execPath, ['bin/sesshu.mjs', 'serve', '--port', '0'], {
        env: { ...process.env, SESSHU_DATA_DIR: dir, DATABASE_URL: '', SESSHU_LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      const deadline = Date.now() + 60_000;
      while (!/listening on (http:\/\/[\d.:]+)/.test(out)) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const url = /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1] as string;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(fs.existsSync(path.join(dir, 'sesshu.lock'))).toBe(true);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(fs.existsSync(path.join(dir, 'sesshu.lock'))).toBe(false);
      expect(out).toContain('shutting down');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
