// `sesshu selection|batch|referral`: spawns the real binary; bad options exit 2 with a message saying
// which option and why, before any database is opened or any output file written. The services
// behind the commands are covered in-process by selection.int.test.ts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-selection-cli-'));

function sesshu(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/sesshu.mjs', ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SESSHU_DATA_DIR: dataDir, DATABASE_URL: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sesshu selection, batch and referral options', () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('refuses bad criteria before touching the database or the output file', () => {
    const out = path.join(dataDir, 'out.csv');
    const r = sesshu('selection', 'run', '--tenant', '152226', '--as-of', '2025-13-01', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('asOf');
    expect(fs.existsSync(out)).toBe(false);
  });

  // Each spawn costs seconds: one per command family.
  it('refuses a bad batch kind and a bad reissue reason', () => {
    expect(sesshu('batch', 'create', '--tenant', '152226', '--as-of', '2025-11-01', '--kind', 'flyer').stderr).toContain('--kind must be notice or reminder');
    const r = sesshu('batch', 'reissue', '--tenant', '152226', '--address-number', '1', '--vaccine', 'hib', '--dose', '1', '--reason', 'stolen');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--reason must be lost or moved_in');
  });
});
