// Full import of a synthetic city into the embedded database (issue 4's goal: 2 M residents in
// ≤ 60 s, ≤ 3× a raw COPY of the same rows, peak memory ≤ 2 GB), then one day's delta.
// Baseline, same run, same engine: COPY of the same CSV into an unindexed 16-column text table.
// The files are generated to disk first; the COPY baseline and the import then run each in a
// child process of their own, so the import's peak RSS (the kernel's high-water mark, which a
// sampling timer would miss while WASM blocks the event loop) counts neither the generator nor COPY.
// Run: npx tsx bench/residents-import.bench.ts [--population N] [--floor]   (default 2,000,000; ~minutes)
// SESSHU_IMPORT_TRACE=1 adds the import's per-step wall and CPU times on stderr.
// --floor adds the database's share alone: the rows are read, validated and prepared beforehand (the
// import's own code, into files), then a third child runs only the import's database path on them —
// bulkLoadTenant's COPYs into persons and person_history, its isolation and foreign-key checks, and
// the index rebuild — i.e. what the import costs with infinitely fast JavaScript.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../src/db/migrate.ts';
import { openPglite } from '../src/db/pglite.ts';
import { withTenantScope } from '../src/db/scoped.ts';
import { csvSlices } from '../src/modules/residents/decode.ts';
import { HISTORY_COLUMNS, PERSON_COLUMNS } from '../src/modules/residents/first-load-batch.ts';
import { FirstLoadFile } from '../src/modules/residents/first-load-file.ts';
import { createCityGenerator, csvLine } from '../src/modules/residents/generator.ts';
import { importResidents } from '../src/modules/residents/import-service.ts';
import { RESIDENT_COLUMNS } from '../src/modules/residents/layout.ts';
import { createTenant } from '../src/modules/tenants/service.ts';
import type { Actor } from '../src/security/actor.ts';
import { ephemeralKeyring } from '../src/security/keyring.ts';
import { createVault, tenantCryptoOf } from '../src/security/vault.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const CODE = '990019';
const maxRssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const mb = (b: number): number => Math.round(b / 1048576);
const seconds = (ms: number): number => +(ms / 1000).toFixed(1);

/** Writes the full file and a one-day delta (the busiest day of the first delta year) to `dir`. */
function generate(dir: string, population: number): { fullBytes: number; deltaDate: string; deltaRows: number } {
  const gen = createCityGenerator({ population, seed: 'bench', asOf: '2025-04-01', years: 1, dirty: false, municipality: CODE, cp932: false });
  const fd = fs.openSync(path.join(dir, 'city.csv'), 'w');
  let lines: string[] = [csvLine(gen.header)];
  for (const row of gen.fullRows()) {
    lines.push(csvLine(row));
    if (lines.length === 50_000) {
      fs.writeSync(fd, `${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length > 0) fs.writeSync(fd, `${lines.join('\n')}\n`);
  fs.closeSync(fd);
  const eventDateIdx = RESIDENT_COLUMNS.indexOf('異動日');
  const deltaAll = [...gen.deltaRows(1)];
  const perDay = deltaAll.reduce((m, r) => m.set(r[eventDateIdx] ?? '', (m.get(r[eventDateIdx] ?? '') ?? 0) + 1), new Map<string, number>());
  const busiest = [...perDay].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  const seen = new Set<string>();
  const oneDay = deltaAll.filter((r) => r[eventDateIdx] === busiest && !seen.has(r[0] ?? '') && seen.add(r[0] ?? ''));
  fs.writeFileSync(path.join(dir, 'day.csv'), `${[csvLine(gen.header), ...oneDay.map(csvLine)].join('\n')}\n`);
  return { fullBytes: fs.statSync(path.join(dir, 'city.csv')).size, deltaDate: busiest, deltaRows: oneDay.length };
}

async function withDatabase<T>(fn: (deps: Parameters<typeof importResidents>[0]) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-bench-db-'));
  const db = await openPglite(dir);
  try {
    await migrate(db);
    const vault = createVault(ephemeralKeyring());
    await createTenant(db, vault, { code: CODE, name: 'ベンチ市', prefecture: 'ベンチ県' });
    return await fn({ db, vault });
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Child: the raw COPY of the same file. */
async function copyPhase(dir: string): Promise<object> {
  return withDatabase(async ({ db }) => {
    await db.exec(`CREATE TABLE bench_raw (${RESIDENT_COLUMNS.map((_, i) => `c${i} text`).join(', ')})`);
    const t = performance.now();
    await db.copyFromCsv('bench_raw', RESIDENT_COLUMNS.map((_, i) => `c${i}`), fs.readFileSync(path.join(dir, 'city.csv'), 'utf8'));
    return { ms: performance.now() - t, peakRssMB: maxRssMB() };
  });
}

/** Child: the import of the full file (the upload bytes read from disk), then the one-day delta. */
async function importPhase(dir: string): Promise<object> {
  const actor: Actor = {
    userId: 'bench', loginId: 'bench', displayName: 'bench', role: 'officer', department: 'd', municipalityCode: CODE, terminalId: 't',
    purpose: 'benchmark', permissions: new Set(['person.import']),
  };
  return withDatabase(async (deps) => {
    const rssBeforeMB = mb(process.memoryUsage().rss);
    let t = performance.now();
    const out = await importResidents(deps, actor, { fileName: 'city.csv', content: fs.readFileSync(path.join(dir, 'city.csv')), mode: 'full' });
    const ms = performance.now() - t;
    const peakRssMB = maxRssMB();
    if (out.status !== 'applied') throw new Error(`import ${out.status}: ${JSON.stringify(out).slice(0, 500)}`);
    t = performance.now();
    const d = await importResidents(deps, actor, { fileName: 'day.csv', content: fs.readFileSync(path.join(dir, 'day.csv')), mode: 'delta' });
    const deltaMs = performance.now() - t;
    if (d.status !== 'applied') throw new Error(`delta ${d.status}: ${JSON.stringify(d).slice(0, 500)}`);
    return { ms, peakRssMB, rssBeforeMB, counts: out.counts, deltaMs, deltaCounts: d.counts };
  });
}

/** Parent, for --floor: the file's COPY input for persons and history, made by the first load's own code. */
function prepareFloorInput(dir: string): void {
  const utf8 = fs.readFileSync(path.join(dir, 'city.csv'));
  const crypto = tenantCryptoOf({
    municipalityCode: CODE, data: { kind: 'data', version: 1, key: Buffer.alloc(32, 1) }, index: { kind: 'index', version: 1, key: Buffer.alloc(32, 2) },
  });
  const file = new FirstLoadFile(crypto, { municipalityCode: CODE, importId: '01900000-0000-7000-8000-000000000000', userId: 'bench' });
  const persons = fs.openSync(path.join(dir, 'floor-persons.csv'), 'w');
  const history = fs.openSync(path.join(dir, 'floor-history.csv'), 'w');
  const batches: number[] = [];
  for (const slice of csvSlices(utf8)) {
    const p = file.slice(utf8.subarray(slice.from, slice.to), slice).prepared;
    if (p === null) continue;
    fs.writeSync(persons, p.persons);
    fs.writeSync(history, p.history);
    batches.push(p.persons.byteLength, p.history.byteLength);
  }
  fs.closeSync(persons);
  fs.closeSync(history);
  if (!file.finish('utf8').ok) throw new Error('the generated file did not validate');
  fs.writeFileSync(path.join(dir, 'floor-batches.json'), JSON.stringify(batches));
}

/** Child, for --floor: the first load's database path alone, on the prepared batches, in one tenant-scoped transaction. */
async function floorPhase(dir: string): Promise<object> {
  const sizes = JSON.parse(fs.readFileSync(path.join(dir, 'floor-batches.json'), 'utf8')) as number[];
  const persons = fs.openSync(path.join(dir, 'floor-persons.csv'), 'r');
  const history = fs.openSync(path.join(dir, 'floor-history.csv'), 'r');
  const read = (fd: number, n: number): Uint8Array => {
    const out = new Uint8Array(n);
    fs.readSync(fd, out, 0, n, null);
    return out;
  };
  return withDatabase(async ({ db }) => {
    const ms: Record<string, number> = { copyPersons: 0, copyHistory: 0, readFiles: 0 };
    const t0 = performance.now();
    await withTenantScope(db, { municipalityCode: CODE, userId: 'bench', terminalId: 't', purpose: 'benchmark' }, async (tx) => {
      if (tx.bulkLoadTenant === undefined) throw new Error('no bulk load on this engine');
      await tx.query('SELECT sesshu_persons_bulk_load_begin()');
      const p = await tx.bulkLoadTenant('persons', PERSON_COLUMNS);
      const h = await tx.bulkLoadTenant('person_history', HISTORY_COLUMNS);
      for (let i = 0; i < sizes.length; i += 2) {
        let t = performance.now();
        const pb = read(persons, sizes[i] ?? 0);
        const hb = read(history, sizes[i + 1] ?? 0);
        ms.readFiles = (ms.readFiles ?? 0) + performance.now() - t;
        t = performance.now();
        await p.write(pb);
        ms.copyPersons = (ms.copyPersons ?? 0) + performance.now() - t;
        t = performance.now();
        await h.write(hb);
        ms.copyHistory = (ms.copyHistory ?? 0) + performance.now() - t;
      }
      let t = performance.now();
      await p.finish();
      await h.finish();
      ms.verify = performance.now() - t;
      t = performance.now();
      await tx.query('SELECT sesshu_persons_bulk_load_end()');
      ms.indexes = performance.now() - t;
    });
    const total = performance.now() - t0 - (ms.readFiles ?? 0);
    return { ms: total, steps: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, seconds(v)])) };
  });
}

function runChild(phase: 'copy' | 'import' | 'floor', dir: string): Record<string, unknown> {
  const run = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--phase', phase, '--dir', dir], {
    encoding: 'utf8', env: process.env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`${phase} phase failed (exit ${run.status})`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const phase = arg('--phase');
if (phase === 'copy' || phase === 'import' || phase === 'floor') {
  const dir = arg('--dir') ?? '';
  process.stdout.write(JSON.stringify(phase === 'copy' ? await copyPhase(dir) : phase === 'import' ? await importPhase(dir) : await floorPhase(dir)));
} else {
  const n = Number(arg('--population'));
  const population = Number.isFinite(n) && n > 0 ? n : 2_000_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-bench-files-'));
  try {
    const t = performance.now();
    const files = generate(dir, population);
    const generateMs = performance.now() - t;
    const copy = runChild('copy', dir) as { ms: number; peakRssMB: number };
    const imp = runChild('import', dir) as { ms: number; peakRssMB: number; rssBeforeMB: number; counts: object; deltaMs: number; deltaCounts: object };
    let floor: { ms: number; steps: object } | null = null;
    if (process.argv.includes('--floor')) {
      prepareFloorInput(dir);
      floor = runChild('floor', dir) as { ms: number; steps: object };
    }
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'resident import (embedded PGlite)',
          population,
          fileMB: mb(files.fullBytes),
          generateSeconds: seconds(generateMs),
          loadAverage: os.loadavg().map((l) => +l.toFixed(1)), // the machine may be shared: read the ratio
          fullImport: {
            seconds: seconds(imp.ms),
            rowsPerSec: Math.round(population / (imp.ms / 1000)),
            // The import's own process (PGlite included), from reading the upload to commit.
            peakRssMB: imp.peakRssMB,
            rssBeforeImportMB: imp.rssBeforeMB,
            counts: imp.counts,
            goal: { seconds: 60, ratioToCopy: 3, peakRssMB: 2048 },
          },
          baselineRawCopy: { seconds: seconds(copy.ms), rowsPerSec: Math.round(population / (copy.ms / 1000)), peakRssMB: copy.peakRssMB },
          ratioImportVsCopy: +(imp.ms / copy.ms).toFixed(2),
          // The database's share alone (--floor): the import could not be faster than this.
          ...(floor === null ? {} : { databaseOnly: { seconds: seconds(floor.ms), steps: floor.steps, ratioToCopy: +(floor.ms / copy.ms).toFixed(2) } }),
          oneDayDelta: { date: files.deltaDate, rows: files.deltaRows, seconds: +(imp.deltaMs / 1000).toFixed(2), counts: imp.deltaCounts },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
