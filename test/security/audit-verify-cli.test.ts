// control: LOG-03 — `sesshu audit verify` passes on an untouched log and names the first broken
// entry after a row is edited directly in the database.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/pglite.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-verify-'));
const env = { ...process.env, SESSHU_DATA_DIR: dir, DATABASE_URL: '' };
const sesshu = (...args: string[]) => spawnSync(process.execPath, ['bin/sesshu.mjs', ...args], { env, encoding: 'utf8' });

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sesshu audit verify', () => {
  it('passes on an untouched log and names the first broken entry after an edit', async () => {
    expect(sesshu('tenant', 'create', '--code', '152226', '--name', '上越市', '--prefecture', '新潟県').status).toBe(0);
    expect(sesshu('account', 'bootstrap-admin', '--tenant', '152226', '--login', 'admin').status).toBe(0);
    expect(sesshu('account', 'bootstrap-admin', '--tenant', '152226', '--login', 'second').status).toBe(0);
    const ok = sesshu('audit', 'verify', '--tenant', '152226');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('intact: 2 entries');

    const db = await openPglite(dir);
    try {
      // As the database owner — what an intruder with database access could do.
      await db.query(`UPDATE audit_log SET detail = jsonb_set(detail, '{loginId}', '"intruder"') WHERE municipality_code = '152226' AND seq = 1`);
    } finally {
      await db.close();
    }
    const broken = sesshu('audit', 'verify', '--tenant', '152226', '--json');
    expect(broken.status).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, lane: 0, problem: { kind: 'altered', seq: 1 } });
  }, 180_000); // five CLI runs, each opening the embedded database
});
