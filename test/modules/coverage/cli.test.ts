// `sesshu coverage` as an operator runs it, on the embedded database: CSV by district (Shift_JIS,
// English headers, to a file), JSON by month, the console actor's run audited, and bad options refused
// with the option named (exit 2).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../../src/db/pglite.ts';
import { withTenantScope } from '../../../src/db/scoped.ts';
import { createTenant } from '../../../src/modules/tenants/service.ts';
import { openRuntime } from '../../../src/runtime.ts';
import { testScope } from '../../support/actors.ts';
import { AS_OF, seedLedger } from './ledger.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-coverage-cli-'));
const env = { ...process.env, SESSHU_DATA_DIR: dir, DATABASE_URL: '' };
const sesshu = (...args: string[]) => spawnSync(process.execPath, ['bin/sesshu.mjs', ...args], { env, encoding: 'utf8', timeout: 60_000 });
const base = ['coverage', '--tenant', '152226', '--as-of', AS_OF, '--cohort-from', '2023', '--cohort-to', '2024'];

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sesshu coverage', () => {
  it('prints the tables as CSV or JSON and refuses bad options', async () => {
    // The tenant and ledger are made in-process (each spawned command here migrates and opens the
    // embedded database, seconds each on a busy machine); the commands under test are spawned.
    const rt = await openRuntime({ env });
    try {
      await createTenant(rt.db, rt.services.vault, { code: '152226', name: '上越市', prefecture: '新潟県' });
      await seedLedger(rt.db, '152226');
    } finally {
      await rt.close();
    }
    const out = path.join(dir, 'district.csv');
    const csv = sesshu(...base, '--by', 'district', '--vaccine', 'hib', '--encoding', 'cp932', '--lang', 'en', '--out', out);
    expect(csv.status, csv.stderr).toBe(0);
    expect(iconv.decode(fs.readFileSync(out), 'cp932')).toBe('district,residents,vaccinated,coverage (%)\r\n上野,4,2,50.0\r\n本町,3,1,33.3\r\n');

    const json = sesshu(...base, '--by', 'month', '--vaccine', 'hib', '--months', '3', '--format', 'json');
    expect(json.status, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { total: unknown; by: string; rows: { month: string; vaccinated: number }[] };
    expect(parsed.total).toEqual({ denominator: 7, vaccinated: 3, coverage: 42.9 });
    expect(parsed.rows.map((r) => [r.month, r.vaccinated])).toEqual([['2025-08', 3], ['2025-09', 3], ['2025-10', 3]]);

    const noVaccine = sesshu(...base, '--by', 'cohort');
    expect(noVaccine.status).toBe(2);
    expect(noVaccine.stderr).toContain('--by cohort needs --vaccine');
    const badDate = sesshu('coverage', '--tenant', '152226', '--as-of', '2025-02-30');
    expect(badDate.status).toBe(2);
    expect(badDate.stderr).toMatch(/--as-of: asOf: .*YYYY-MM-DD/);

    const check = await openPglite(dir);
    try {
      const runs = await withTenantScope(check, testScope('152226'), (tx) =>
        tx.query<{ user_id: string; result: string }>(`SELECT user_id, result FROM audit_log WHERE action = 'coverage.report' ORDER BY seq`),
      );
      expect(runs.map((r) => r.result)).toEqual(['ok', 'ok']);
      expect(runs[0]?.user_id).toMatch(/^console:/);
    } finally {
      await check.close();
    }
  }, 300_000);
});
