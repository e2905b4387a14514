// Two processes on one PGlite directory silently lose rows, so the second must fail at once.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError } from '../../src/db/lock.ts';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('data directory lock', () => {
  it('refuses a second process with a message that says what to do', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir, 'serve');
    try {
      const started = Date.now();
      const second = spawnSync(process.execPath, ['bin/sesshu.mjs', 'db', 'status'], {
        env: { ...process.env, SESSHU_DATA_DIR: dir, DATABASE_URL: '' },
        encoding: 'utf8',
      });
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`data directory ${dir} is in use by process ${process.pid}`);
      expect(second.stderr).toContain('set DATABASE_URL');
      // "At once": it did not wait for the database to open.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(fs.existsSync(path.join(dir, 'pglite'))).toBe(false);
    } finally {
      lock.release();
    }
  });

  it('refuses a second opener in the same process too', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    lock.release();
    acquireDataDirLock(dir).release();
  });

  it('takes over the lock of a process that died without releasing it', () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(path.join(dir, 'sesshu.lock'), JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), command: 'serve', since: 'x' }));
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(fs.readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(lock.path)).toBe(false);
  });
});
