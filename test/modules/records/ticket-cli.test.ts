// `sesshu tickets issue`: spawns the real binary; option errors exit 2 before any database is opened.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-ticket-cli-'));

function sesshu(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/sesshu.mjs', ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SESSHU_DATA_DIR: dataDir, DATABASE_URL: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sesshu tickets issue', () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('refuses bad options before touching the database', () => {
    const r = sesshu('tickets', 'issue', '--tenant', '152226', '--vaccine', 'hib', '--dose', '12', '--address-number', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--dose must be one digit');
    expect(sesshu('tickets', 'issue', '--tenant', '152227', '--vaccine', 'hib', '--dose', '1', '--address-number', '1').code).toBe(2);
  });
  // The full issue (tenant, import, issue) is covered in-process by ticket-issue.int.test.ts; spawning
  // three more processes on an embedded database costs over a minute.
});
