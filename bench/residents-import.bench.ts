// Full import of a synthetic city into the embedded database (issue 4's goal: 2 M residents in
// ≤ 60 s, ≤ 3× a raw COPY of the same rows, peak memory ≤ 2 GB), then one day's delta.
// Baseline, same run, same engine: COPY of the same CSV into an unindexed 16-column text table.
// Run: npx tsx bench/residents-import.bench.ts [--population N]   (default 2,000,000; ~minutes)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../src/db/migrate.ts';
import { openPglite } from '../src/db/pglite.ts';
import { createCityGenerator, csvLine } from '../src/modules/residents/generator.ts';
import { importResidents } from '../src/modules/residents/import-service.ts';
import { RESIDENT_COLUMNS } from '../src/modules/residents/layout.ts';
import { createTenant } from '../src/modules/tenants/service.ts';
import type { Actor } from '../src/security/actor.ts';
import { ephemeralKeyring } from '../src/security/keyring.ts';
import { createVault } from '../src/security/vault.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const POPULATION = arg('--population', 2_000_000);
const CODE = '990019';
const actor: Actor = {
  userId: 'bench', loginId: 'bench', displayName: 'bench', role: 'officer', department: 'd', municipalityCode: CODE, terminalId: 't',
  purpose: 'benchmark', permissions: new Set(['person.import']),
};

// The kernel's high-water mark: a sampling timer would miss peaks while WASM blocks the event loop.
const maxRssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const mb = (b: number): number => Math.round(b / 1048576);

const gen = createCityGenerator({ population: POPULATION, seed: 'bench', asOf: '2025-04-01', years: 1, dirty: false, municipality: CODE, cp932: false });
let t = performance.now();
const lines: string[] = [csvLine(gen.header)];
for (const row of gen.fullRows()) lines.push(csvLine(row));
const full = Buffer.from(`${lines.join('\n')}\n`);
lines.length = 0;
const deltaAll = [...gen.deltaRows(1)];
const eventDateIdx = RESIDENT_COLUMNS.indexOf('異動日');
const busiest = [...deltaAll.reduce((m, r) => m.set(r[eventDateIdx] ?? '', (m.get(r[eventDateIdx] ?? '') ?? 0) + 1), new Map<string, number>())].sort((a, b) => b[1] - a[1])[0]?.[0];
const dayRows = deltaAll.filter((r) => r[eventDateIdx] === busiest);
const seen = new Set<string>();
const oneDay = dayRows.filter((r) => (seen.has(r[0] ?? '') ? false : (seen.add(r[0] ?? ''), true)));
const delta = Buffer.from(`${[csvLine(gen.header), ...oneDay.map(csvLine)].join('\n')}\n`);
const generateMs = performance.now() - t;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-bench-'));
const db = await openPglite(dir);
try {
  await migrate(db);
  const vault = createVault(ephemeralKeyring());
  await createTenant(db, vault, { code: CODE, name: 'ベンチ市', prefecture: 'ベンチ県' });
  await db.exec(`CREATE TABLE bench_raw (${RESIDENT_COLUMNS.map((_, i) => `c${i} text`).join(', ')})`);
  t = performance.now();
  await db.copyFromCsv('bench_raw', RESIDENT_COLUMNS.map((_, i) => `c${i}`), full.toString('utf8'));
  const copyMs = performance.now() - t;
  await db.exec('DROP TABLE bench_raw');

  const rssBeforeImportMB = mb(process.memoryUsage().rss);
  t = performance.now();
  const out = await importResidents({ db, vault }, actor, { fileName: 'city.csv', content: full, mode: 'full' });
  const importMs = performance.now() - t;

  if (out.status !== 'applied') throw new Error(`import ${out.status}: ${JSON.stringify(out).slice(0, 500)}`);

  t = performance.now();
  const d = await importResidents({ db, vault }, actor, { fileName: 'day.csv', content: delta, mode: 'delta' });
  const deltaMs = performance.now() - t;
  if (d.status !== 'applied') throw new Error(`delta ${d.status}: ${JSON.stringify(d).slice(0, 500)}`);

  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: 'resident import (embedded PGlite)',
        population: POPULATION,
        fileMB: mb(full.length),
        generateSeconds: +(generateMs / 1000).toFixed(1),
        fullImport: {
          seconds: +(importMs / 1000).toFixed(1),
          rowsPerSec: Math.round(POPULATION / (importMs / 1000)),
          // Whole process, including the in-memory file and generator (rssBeforeImportMB) — an upper bound.
          peakRssMB: maxRssMB(),
          rssBeforeImportMB,
          counts: out.counts,
          goal: { seconds: 60, ratioToCopy: 3, peakRssMB: 2048 },
        },
        baselineRawCopy: { seconds: +(copyMs / 1000).toFixed(1), rowsPerSec: Math.round(POPULATION / (copyMs / 1000)) },
        ratioImportVsCopy: +(importMs / copyMs).toFixed(2),
        oneDayDelta: { date: busiest, rows: oneDay.length, seconds: +(deltaMs / 1000).toFixed(2), counts: d.counts },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
