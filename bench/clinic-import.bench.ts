// Import of a clinic submission file (接種記録ファイル) with every row validated — person by 宛名番号
// with name and birth date against the ledger, masters, duplicates — and every dose evaluated by
// the schedule engine against the confirmed history plus the file's earlier rows, all in one
// transaction (issue 7's goal: 100,000 rows in ≤ 15 s).
// The file: the demo dose generator's synthetic histories for a generated city (about 4 doses per
// resident), cut to --rows rows. Baseline, same run, same engine: COPY of the same CSV rows into an
// unindexed 12-column text table. PGlite always; PostgreSQL too when BENCH_PG_URL is set.
// Run: npx tsx bench/clinic-import.bench.ts [--rows N]   (default 100,000; ~1–2 minutes per engine)
import os from 'node:os';
import type { Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { openPgliteMemory } from '../src/db/pglite.ts';
import { openScratchPostgres } from '../src/db/scratch.ts';
import { CLINIC_COLUMNS, importClinicFile } from '../src/modules/records/clinic-import.ts';
import { ensureDemoMasters, generateDemoDoses } from '../src/modules/records/demo-doses.ts';
import { createCityGenerator, csvLine } from '../src/modules/residents/generator.ts';
import { importResidents } from '../src/modules/residents/import-service.ts';
import { createTenant } from '../src/modules/tenants/service.ts';
import type { Actor } from '../src/security/actor.ts';
import { ephemeralKeyring } from '../src/security/keyring.ts';
import { createVault } from '../src/security/vault.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt;
};
const ROWS = arg('--rows', 100_000);
/** The generator writes about 4 doses per resident; a little more population than needed, then cut. */
const POPULATION = arg('--population', Math.ceil(ROWS / 3.5));
const CODE = '990019';
/** Residents as of this date; doses up to AS_OF (the import's "today"). */
const CITY_AS_OF = '2025-04-01';
const AS_OF = '2025-09-30';
const actor: Actor = {
  userId: 'bench', loginId: 'bench', displayName: 'bench', role: 'officer', department: 'd', municipalityCode: CODE, terminalId: 't',
  purpose: 'benchmark', permissions: new Set(['person.import', 'person.read', 'settings.manage', 'dose.enter']),
};

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const mb = (b: number): number => Math.round(b / 1048576);
const secs = (ms: number): number => +(ms / 1000).toFixed(2);

const gen = createCityGenerator({ population: POPULATION, seed: 'bench-clinic', asOf: CITY_AS_OF, years: 0, dirty: false, municipality: CODE, cp932: false });
const cityLines: string[] = [csvLine(gen.header)];
for (const row of gen.fullRows()) cityLines.push(csvLine(row));
const city = Buffer.from(`${cityLines.join('\n')}\n`);
cityLines.length = 0;

/** The clinic file, made once from the first engine's ledger (same city, same masters, same seed: same file). */
let clinicFile: Buffer | undefined;
let generated = { rows: 0, invalid: 0, seconds: 0 };
const fileBytes = (): number => clinicFile?.length ?? 0;

async function benchEngine(db: Database, engine: string): Promise<Record<string, unknown>> {
  await migrate(db);
  const vault = createVault(ephemeralKeyring());
  await createTenant(db, vault, { code: CODE, name: 'ベンチ市', prefecture: 'ベンチ県', isDemo: true });
  let t = performance.now();
  const residents = await importResidents({ db, vault }, actor, { fileName: 'city.csv', content: city, mode: 'full' });
  if (residents.status !== 'applied') throw new Error(`residents ${residents.status}`);
  const residentsMs = performance.now() - t;
  await ensureDemoMasters(db, actor, AS_OF);

  if (!clinicFile) {
    const chunks: Buffer[] = [];
    const summary = await generateDemoDoses(db, actor, { asOf: AS_OF, seed: 'bench' }, (c) => chunks.push(c));
    const lines = Buffer.concat(chunks).toString('utf8').split('\r\n');
    const kept = lines.slice(0, ROWS + 1).filter((l) => l !== '');
    clinicFile = Buffer.from(`${kept.join('\r\n')}\r\n`);
    generated = { rows: kept.length - 1, invalid: summary.invalid, seconds: summary.seconds };
  }
  const rows = generated.rows;

  await db.exec(`CREATE TABLE bench_raw (${CLINIC_COLUMNS.map((_, i) => `c${i} text`).join(', ')})`);
  t = performance.now();
  await db.copyFromCsv('bench_raw', CLINIC_COLUMNS.map((_, i) => `c${i}`), clinicFile.toString('utf8'));
  const copyMs = performance.now() - t;
  const [copied] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_raw');
  if (copied?.n !== rows) throw new Error(`COPY loaded ${copied?.n} rows, expected ${rows}`);
  await db.exec('DROP TABLE bench_raw');

  peakRss = process.memoryUsage().rss;
  const rssBefore = peakRss;
  t = performance.now();
  const out = await importClinicFile({ db, today: () => AS_OF }, actor, { fileName: 'clinic.csv', content: clinicFile });
  const importMs = performance.now() - t;
  if (out.status !== 'applied') throw new Error(`clinic import ${out.status}: ${JSON.stringify(out).slice(0, 800)}`);
  const [stored] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dose_versions');
  if (stored?.n !== rows) throw new Error(`${stored?.n} dose versions stored, expected ${rows}`);

  return {
    engine,
    residents: { count: residents.counts.inserted, importSeconds: secs(residentsMs) },
    clinicImport: {
      rows,
      seconds: secs(importMs),
      rowsPerSec: Math.round(rows / (importMs / 1000)),
      peakRssMB: mb(Math.max(peakRss, process.memoryUsage().rss)),
      processMaxRssMB: mb(process.resourceUsage().maxRSS * 1024),
      rssBeforeMB: mb(rssBefore),
      counts: out.counts,
      goal: { seconds: 15 },
      meetsGoal: importMs <= 15_000,
    },
    baselineRawCopy: { seconds: secs(copyMs), rowsPerSec: Math.round(rows / (copyMs / 1000)) },
    ratioImportVsCopy: +(importMs / copyMs).toFixed(1),
  };
}

const result: Record<string, unknown> = { benchmark: 'clinic file import with schedule validation', cpus: os.cpus().length, node: process.version };
try {
  const pglite = await openPgliteMemory();
  try {
    result.pglite = await benchEngine(pglite, 'PGlite (embedded, in memory)');
  } finally {
    await pglite.close();
  }
  result.file = { rows: generated.rows, population: POPULATION, MB: +(fileBytes() / 1048576).toFixed(1), deliberatelyInvalid: generated.invalid, generateSeconds: +generated.seconds.toFixed(1) };
  if (process.env.BENCH_PG_URL) {
    const pg = await openScratchPostgres(process.env.BENCH_PG_URL);
    try {
      result.postgres = await benchEngine(pg, 'PostgreSQL');
    } finally {
      await pg.close();
    }
  }
} finally {
  clearInterval(sampler);
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
