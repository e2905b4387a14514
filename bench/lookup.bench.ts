// Person look-up throughput with auditing on (getPerson through perform(): permission check +
// hash-chained audit entry in the same transaction) vs off (the same query in a tenant-scoped
// transaction without the audit entry), on PGlite and (with BENCH_PG_URL) PostgreSQL.
// Run: npx tsx bench/lookup.bench.ts [--persons N] [--lookups N]   Prints ONE JSON object.
import type { Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { openPgliteMemory } from '../src/db/pglite.ts';
import { openScratchPostgres } from '../src/db/scratch.ts';
import { withTenantScope } from '../src/db/scoped.ts';
import { createCityGenerator, csvLine } from '../src/modules/residents/generator.ts';
import { importResidents } from '../src/modules/residents/import-service.ts';
import { getPerson } from '../src/modules/residents/persons.ts';
import { createTenant } from '../src/modules/tenants/service.ts';
import type { Actor } from '../src/security/actor.ts';
import { PERMISSIONS } from '../src/security/actor.ts';
import { ephemeralKeyring } from '../src/security/keyring.ts';
import { createVault } from '../src/security/vault.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const PERSONS = arg('--persons', 10_000);
const LOOKUPS = arg('--lookups', 2_000);
const CODE = '152226';
const actor: Actor = {
  userId: 'bench', loginId: 'bench', displayName: 'bench', role: 'officer', department: 'd', municipalityCode: CODE, terminalId: 't',
  purpose: 'benchmark', permissions: new Set(PERMISSIONS),
};

async function run(db: Database): Promise<Record<string, unknown>> {
  await migrate(db);
  const vault = createVault(ephemeralKeyring());
  await createTenant(db, vault, { code: CODE, name: 'ベンチ市', prefecture: 'ベンチ県' });
  const gen = createCityGenerator({ population: PERSONS, seed: 'bench', asOf: '2025-04-01', years: 0, dirty: false, municipality: CODE, cp932: false });
  const lines = [csvLine(gen.header)];
  for (const row of gen.fullRows()) lines.push(csvLine(row));
  await importResidents({ db, vault }, actor, { fileName: 'bench.csv', content: Buffer.from(`${lines.join('\n')}\n`), mode: 'full' });
  const ids = await withTenantScope(db, { municipalityCode: CODE, userId: 'b', terminalId: 't', purpose: 'b' }, (tx) =>
    tx.query<{ id: string }>('SELECT id FROM persons ORDER BY address_number LIMIT $1', [LOOKUPS]),
  );
  const pick = (i: number): string => ids[i % ids.length]!.id;

  let t = performance.now();
  for (let i = 0; i < LOOKUPS; i++) {
    const id = pick(i);
    await withTenantScope(db, { municipalityCode: CODE, userId: 'bench', terminalId: 't', purpose: 'benchmark' }, async (tx) => {
      await tx.query('SELECT * FROM persons WHERE id = $1', [id]);
      await tx.query('SELECT seq, kind, event_date, before, after, recorded_at FROM person_history WHERE person_id = $1 ORDER BY seq DESC', [id]);
    });
  }
  const offMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < LOOKUPS; i++) await getPerson(db, actor, pick(i));
  const onMs = performance.now() - t;
  return {
    persons: PERSONS,
    lookups: LOOKUPS,
    auditedPerSec: Math.round(LOOKUPS / (onMs / 1000)),
    baselineUnauditedPerSec: Math.round(LOOKUPS / (offMs / 1000)),
    ratioTimeAuditedVsUnaudited: +(onMs / offMs).toFixed(2),
  };
}

const result: Record<string, unknown> = { benchmark: 'person look-up, audit on vs off' };
const pglite = await openPgliteMemory();
result.pglite = await run(pglite);
await pglite.close();
if (process.env.BENCH_PG_URL) {
  const pg = await openScratchPostgres(process.env.BENCH_PG_URL);
  try {
    result.postgres = await run(pg);
  } finally {
    await pg.close();
  }
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
