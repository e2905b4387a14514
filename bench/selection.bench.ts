// Selection (対象者抽出) for every routine vaccine over a synthetic city, against a full scan of the
// dose table in the same run, plus a check of the answer against engine.forecast person by person
// on a random sample. Residents come from the city generator and are loaded by COPY (not through
// the importer); histories are the demo simulation (src/modules/records/demo-doses.ts) run once
// per birth week, sex and one of four variants, shifted to each person's birth date — realistic
// coverage and timing without simulating 2 M people. All doses are confirmed.
// Run: BENCH_PG_URL=postgres://… npx tsx bench/selection.bench.ts [--persons N] [--sample N] [--keep]
// Default: 2,000,000 residents on PostgreSQL (BENCH_PG_URL), 20,000 on PGlite without it.
// Loading 2 M takes long: --keep leaves the loaded database in place and logs its URL; run again
// with BENCH_DB_URL=that URL to skip the load (the tenant and city are taken as they are).
// Prints ONE JSON object.
import { createHash, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { parse } from 'csv-parse/sync';
import type { Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { openPgliteMemory } from '../src/db/pglite.ts';
import { openPostgres } from '../src/db/postgres.ts';
import { openScratchPostgres } from '../src/db/scratch.ts';
import { withTenantScope } from '../src/db/scoped.ts';
import { formatIsoDate, parseIsoDate } from '../src/domain/dates.ts';
import type { DoseRecord, Sex } from '../src/domain/schedule/index.ts';
import { buildDemoMasters, demoMasterFiles, simulatePerson, type DemoDose } from '../src/modules/records/demo-doses.ts';
import { createCityGenerator, csvLine, mulberry32 } from '../src/modules/residents/generator.ts';
import { scheduleEngine } from '../src/modules/schedule/contract.ts';
import { runSelection } from '../src/modules/selection/service.ts';
import { createTenant } from '../src/modules/tenants/service.ts';
import type { Actor } from '../src/security/actor.ts';
import { ephemeralKeyring } from '../src/security/keyring.ts';
import { createVault } from '../src/security/vault.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const PG_URL = process.env.BENCH_PG_URL;
const REUSE_URL = process.env.BENCH_DB_URL;
const KEEP = process.argv.includes('--keep');
const PERSONS = arg('--persons', PG_URL || REUSE_URL ? 2_000_000 : 20_000);
const SAMPLE = arg('--sample', 10_000);
const CODE = '990019';
const CITY_AS_OF = '2025-04-01';
const HISTORY_AS_OF = '2025-09-30';
const AS_OF = '2025-11-01';
const CHUNK = 100_000;
const scope = { municipalityCode: CODE, userId: 'bench', terminalId: 't', purpose: 'benchmark' };
const actor: Actor = {
  userId: 'bench', loginId: 'bench', displayName: 'bench', role: 'officer', department: 'd', municipalityCode: CODE, terminalId: 't',
  purpose: 'benchmark', permissions: new Set(['selection.run']),
};

function log(msg: string): void {
  process.stderr.write(`[selection bench] ${msg}\n`);
}

/** Demo masters as the simulation reads them, straight from the demo master files. */
function masters() {
  const files = demoMasterFiles(CODE, HISTORY_AS_OF);
  const rows = (text: string): string[][] => (parse(text, { from_line: 2 }) as string[][]);
  const doctors = new Map<string, string[]>();
  for (const [code = '', name = ''] of rows(files.doctors)) doctors.set(code, [...(doctors.get(code) ?? []), name]);
  return buildDemoMasters(
    rows(files.products).map(([name = '', vaccine = '', product = '']) => ({ name, vaccine_id: vaccine, schedule_product: product || null })),
    rows(files.lots).map(([product = '', lot = '', expires = '']) => ({ product_name: product, lot_number: lot, expires_on: expires || null })),
    rows(files.institutions).map(([code = '', name = '', , , , , venue = '']) => ({ code, name, is_venue: venue === '1', doctors: doctors.get(code) ?? null })),
  );
}

interface Template {
  birth: number;
  doses: DemoDose[];
}

async function load(db: Database): Promise<number> {
  const started = performance.now();
  const m = masters();
  const templates = new Map<string, Template>();
  const asOfDay = parseIsoDate(AS_OF) ?? 0;
  const template = (birth: number, sex: Sex, variant: number): Template => {
    const week = birth - (birth % 7);
    const k = `${week}|${sex}|${variant}`;
    let t = templates.get(k);
    if (!t) {
      const rng = mulberry32(week * 8 + variant * 2 + (sex === 'F' ? 1 : 0));
      t = { birth: week, doses: simulatePerson({ addressNumber: k, name: '', birth: formatIsoDate(week), sex, until: null }, m, HISTORY_AS_OF, rng) };
      templates.set(k, t);
    }
    return t;
  };
  const gen = createCityGenerator({ population: PERSONS, seed: 'selection-bench', asOf: CITY_AS_OF, years: 0, dirty: false, municipality: CODE, cp932: false });
  const personCols = ['municipality_code', 'id', 'address_number', 'name', 'name_kana', 'sex', 'birth_date', 'postcode', 'address', 'household_number',
    'relationship', 'resident_type', 'status', 'moved_in_on', 'name_key', 'kana_key', 'address_key'];
  const doseCols = ['municipality_code', 'id', 'person_id', 'current_version', 'source'];
  const versionCols = ['municipality_code', 'dose_id', 'version', 'change', 'vaccine_id', 'dose_number', 'administered_on', 'schedule_product', 'routine',
    'entered_by', 'confirmed_by', 'confirmed_at'];
  const productOf = new Map<string, string | null>();
  for (const list of m.products.values()) for (const p of list) productOf.set(p.name, p.product);
  let persons: string[] = [csvLine(personCols)];
  let doses: string[] = [csvLine(doseCols)];
  let versions: string[] = [csvLine(versionCols)];
  let doseCount = 0;
  let n = 0;
  const flush = async (): Promise<void> => {
    await db.copyFromCsv('persons', personCols, `${persons.join('\n')}\n`);
    await db.copyFromCsv('doses', doseCols, `${doses.join('\n')}\n`);
    await db.copyFromCsv('dose_versions', versionCols, `${versions.join('\n')}\n`);
    persons = [csvLine(personCols)];
    doses = [csvLine(doseCols)];
    versions = [csvLine(versionCols)];
  };
  for (const r of gen.fullRows()) {
    const [addressNumber = '', , name = '', kana = '', sexCode = '', birth = '', postcode = '', address = '', household = '', relationship = '', event = '', eventDate = '', residentType = ''] = r;
    const id = randomUUID();
    const sex: Sex = sexCode === '2' ? 'F' : 'M';
    const movedIn = event === '転入' && eventDate > birth ? eventDate : '';
    persons.push(csvLine([CODE, id, addressNumber, name, kana, sex, birth, postcode, address, household, relationship, residentType === '外国人' ? 'foreign' : 'japanese',
      'resident', movedIn, name, kana, address]));
    n++;
    const birthDay = parseIsoDate(birth) ?? 0;
    const variant = createHash('md5').update(addressNumber).digest()[0]! & 3;
    const t = template(birthDay, sex, variant);
    const shift = birthDay - t.birth;
    // Moved-in residents: what was given before they arrived is recorded elsewhere (or, for a
    // third of them, was entered here from the former city's certificate).
    const cut = movedIn && variant !== 0 ? movedIn : '';
    for (const d of t.doses) {
      const day = (parseIsoDate(d.date) ?? 0) + shift;
      if (day > asOfDay) continue;
      const date = formatIsoDate(day);
      if (cut && date < cut) continue;
      const doseId = randomUUID();
      doses.push(`${CODE},${doseId},${id},1,migration`);
      versions.push(`${CODE},${doseId},1,create,${d.vaccine},${d.dose},${date},${d.productName ? (productOf.get(d.productName) ?? '') : ''},${d.invalid ? 'f' : 't'},bench,bench-checker,2025-10-01`);
      doseCount++;
    }
    if (n % CHUNK === 0) {
      await flush();
      log(`loaded ${n} residents, ${doseCount} doses (${templates.size} histories simulated)`);
    }
  }
  await flush();
  await db.exec('ANALYZE persons; ANALYZE doses; ANALYZE dose_versions;');
  return (performance.now() - started) / 1000;
}

/** A random sample of the scanned residents, for the per-person check. */
async function drawSample(db: Database): Promise<Map<string, { id: string; birth: string; sex: Sex }>> {
  const rows = await withTenantScope(db, scope, (tx) =>
    tx.query<{ id: string; address_number: string; birth: string; sex: Sex }>(
      `SELECT id, address_number, birth_date::text AS birth, sex FROM persons
        WHERE status = 'resident' AND merged_into IS NULL ORDER BY md5(id::text) LIMIT $1`,
      [SAMPLE],
    ),
  );
  return new Map(rows.map((r) => [r.address_number, { id: r.id, birth: r.birth, sex: r.sex }]));
}

async function run(db: Database, reuse: boolean): Promise<Record<string, unknown>> {
  await migrate(db);
  let loadSeconds: number | null = null;
  if (!reuse) {
    await createTenant(db, createVault(ephemeralKeyring()), { code: CODE, name: 'ベンチ市', prefecture: 'デモ県', isDemo: true });
    loadSeconds = await load(db);
    log(`load done in ${loadSeconds.toFixed(0)} s`);
  }
  const [counted] = await withTenantScope(db, scope, (tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM persons'));
  const residents = counted?.n ?? 0;
  const sample = await drawSample(db);

  // Baseline: one full scan of the confirmed dose table (doses ⋈ current dose_versions), server side.
  let t = performance.now();
  const [scan] = await withTenantScope(db, scope, (tx) =>
    tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM doses d JOIN dose_versions v ON v.municipality_code = d.municipality_code AND v.dose_id = d.id AND v.version = d.current_version
        WHERE NOT d.deleted`,
    ),
  );
  const scanSeconds = (performance.now() - t) / 1000;
  log(`full dose scan: ${scan?.n} rows in ${scanSeconds.toFixed(1)} s`);

  const selected = new Map<string, string[]>();
  const key = (v: string, dose: number, status: string, from: string | null, until: string | null) => `${v}|${dose}|${status}|${from}|${until}`;
  t = performance.now();
  const cpu = process.cpuUsage();
  const summary = await runSelection(db, actor, { asOf: AS_OF, vaccines: 'all' }, (page) => {
    for (const r of [...page.rows, ...page.movedIn]) {
      if (!sample.has(r.addressNumber)) continue;
      const list = selected.get(r.addressNumber) ?? [];
      list.push(key(r.vaccine, r.dose, r.status, r.from, r.until));
      selected.set(r.addressNumber, list);
    }
  });
  const selectionSeconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const nodeCpuSeconds = (used.user + used.system) / 1e6;
  log(`selection: ${summary.rows} rows, ${summary.movedIn} moved-in rows in ${selectionSeconds.toFixed(1)} s`);

  // The per-person answer: each sampled resident's history read alone, engine.forecast, due entries.
  // Sampled residents the scan left out as quiet (no dose, a birth day with nothing to list): the
  // check below must find no row for them either.
  const quiet = new Map((['M', 'F'] as const).map((sex) => [sex, scheduleEngine().quietBirths(sex, AS_OF, AS_OF, '1900-01-01')]));
  let mismatches = 0;
  let quietSampled = 0;
  await withTenantScope(db, scope, async (tx) => {
    for (const [addressNumber, p] of sample) {
      const history = await tx.query<DoseRecord>(
        `SELECT v.vaccine_id AS vaccine, v.dose_number AS dose, v.administered_on::text AS date, v.schedule_product AS product
           FROM doses d JOIN dose_versions v ON v.municipality_code = d.municipality_code AND v.dose_id = d.id AND v.version = d.current_version
          WHERE d.person_id = $1 AND NOT d.deleted ORDER BY v.administered_on, v.vaccine_id, v.dose_number`,
        [p.id],
      );
      const expected = scheduleEngine().forecast({ birth: p.birth, sex: p.sex }, history, AS_OF).next
        .filter((x) => x.status === 'due').map((x) => key(x.vaccine, x.dose as number, x.status, x.from ?? null, x.until ?? null)).sort();
      const got = (selected.get(addressNumber) ?? []).sort();
      if (history.length === 0 && quiet.get(p.sex)?.some((r) => r.from <= p.birth && p.birth <= r.through)) quietSampled++;
      if (expected.join('\n') !== got.join('\n')) mismatches++;
    }
  });
  log(`sample of ${sample.size}: ${mismatches} mismatches`);
  return {
    residents,
    doses: scan?.n ?? 0,
    loadSeconds: loadSeconds === null ? null : +loadSeconds.toFixed(1),
    selectionSeconds: +selectionSeconds.toFixed(2),
    residentsPerSecond: Math.round(residents / selectionSeconds),
    /** CPU of this process during the selection (the engine, row parsing); the rest is the database. */
    selectionNodeCpuSeconds: +nodeCpuSeconds.toFixed(2),
    rows: summary.rows,
    personsToNotify: summary.persons,
    movedInRows: summary.movedIn,
    engineProblems: summary.problems,
    baselineFullDoseScanSeconds: +scanSeconds.toFixed(2),
    ratioSelectionVsFullDoseScan: +(selectionSeconds / scanSeconds).toFixed(1),
    goalSeconds: 30,
    sampleChecked: sample.size,
    sampleMismatches: mismatches,
    /** Sampled residents the scan did not read (quiet): checked like the rest. */
    sampleQuiet: quietSampled,
    machineLoad: loadavg().map((x) => +x.toFixed(2)),
  };
}

const result: Record<string, unknown> = { benchmark: 'selection for all routine vaccines vs a full scan of the dose table', asOf: AS_OF };
/** The database: the loaded one to reuse, a kept one (its URL logged), a scratch one dropped at the end, or PGlite. */
async function openBenchDb(): Promise<{ db: Database; reuse: boolean }> {
  if (REUSE_URL) return { db: openPostgres(REUSE_URL, 4), reuse: true };
  if (!PG_URL) return { db: await openPgliteMemory(), reuse: false };
  if (!KEEP) return { db: await openScratchPostgres(PG_URL), reuse: false };
  const url = new URL(PG_URL);
  url.pathname = `/sesshu_bench_${PERSONS}_${Date.now().toString(36)}`;
  const admin = openPostgres(PG_URL, 1);
  await admin.exec(`CREATE DATABASE ${url.pathname.slice(1)}`);
  await admin.close();
  log(`kept database (reuse with BENCH_DB_URL): ${url.toString()}`);
  return { db: openPostgres(url.toString(), 4), reuse: false };
}

const { db, reuse } = await openBenchDb();
try {
  result[db.engine] = await run(db, reuse);
} finally {
  await db.close();
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
