// Issue 7, done-when: "a clinic file with one bad row changes nothing and reports the row" — through
// the command an operator runs (`sesshu records import`), on the embedded database. 240 good rows
// and one whose name does not match the ledger: exit code 2, the row reported by line, row and
// column, no dose and no submission recorded; the same file without that row then imports whole
// (so the refused attempt had left nothing behind that could collide with it).
// controls: DATA-01, DATA-02
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../../src/db/pglite.ts';
import { CLINIC_HEADER } from '../../../src/modules/records/clinic-import.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-clinic-cli-'));
const env = { ...process.env, SESSHU_DATA_DIR: dir, DATABASE_URL: '' };
const sesshu = (...args: string[]) => spawnSync(process.execPath, ['bin/sesshu.mjs', ...args], { env, encoding: 'utf8' });
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
const INST = '1512345678';

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function counts(): Promise<{ doses: number; submissions: number }> {
  const db = await openPglite(dir);
  try {
    const [r] = await db.query<{ doses: number; submissions: number }>(
      `SELECT (SELECT count(*)::int FROM dose_versions) AS doses, (SELECT count(*)::int FROM clinic_submissions) AS submissions`,
    );
    return r ?? { doses: -1, submissions: -1 };
  } finally {
    await db.close();
  }
}

describe('sesshu records import: one bad row', () => {
  it('changes nothing, reports the row, and the file without it imports whole', async () => {
    expect(sesshu('tenant', 'create', '--code', '152226', '--name', '上越市', '--prefecture', '新潟県').status).toBe(0);
    // 24 residents aged 65+, each with ten seasons of influenza doses: 240 rows.
    const residents = ['宛名番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,住民区分'];
    for (let i = 0; i < 24; i++) residents.push(`${6001 + i},上越 太郎${'一二三四五六七八九十'[i % 10]}${i < 10 ? '' : i < 20 ? '助' : '介'},ジョウエツ タロウ,1,${1940 + (i % 10)}-0${1 + (i % 9)}-15,943-0800,上越市大手町${i + 1},日本人`);
    const res = sesshu('residents', 'import', file('residents.csv', `${residents.join('\n')}\n`), '--tenant', '152226', '--json', '--quiet');
    expect(res.status, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'applied' });
    const m = (kind: string, text: string) => sesshu('records', 'masters', 'import', file(`${kind}.csv`, text), '--tenant', '152226', '--kind', kind);
    expect(m('institutions', `医療機関コード,名称,住所,電話,契約開始日,契約終了日,会場\n${INST},上越内科クリニック,,,,,0\n`).status).toBe(0);

    const rows: string[] = [];
    for (let i = 0; i < 24; i++) {
      const name = residents[i + 1]?.split(',')[1] ?? '';
      const birth = residents[i + 1]?.split(',')[4] ?? '';
      for (let season = 2015; season < 2025; season++) rows.push(`,${6001 + i},${name},${birth},${season}-11-0${1 + (i % 9)},flu,,,1,${INST},上越 医師,`);
    }
    const bad = rows.slice();
    // Row 137: a name that is not the ledger's for that 宛名番号.
    bad[136] = (bad[136] ?? '').replace(/,上越 太郎[^,]*,/, ',上越 花子,');
    const refused = sesshu('records', 'import', file('bad.csv', `${[CLINIC_HEADER, ...bad].join('\r\n')}\r\n`), '--tenant', '152226');
    expect(refused.status, refused.stderr).toBe(2);
    expect(refused.stdout).toContain('rejected: 1 problem(s); nothing was changed');
    expect(refused.stdout).toMatch(/line 138, row 137, column 氏名: .*\[上越 花子\]/);
    expect(await counts()).toEqual({ doses: 0, submissions: 0 });

    const good = sesshu('records', 'import', file('good.csv', `${[CLINIC_HEADER, ...rows.filter((_, i) => i !== 136)].join('\r\n')}\r\n`), '--tenant', '152226', '--json');
    expect(good.status, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ status: 'applied', provisional: true, counts: { rows: 239, inserted: 239, persons: 24 } });
    expect(await counts()).toEqual({ doses: 239, submissions: 1 });
  }, 180_000); // five CLI runs and two opens of the embedded database
});
