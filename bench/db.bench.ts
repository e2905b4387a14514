// Database costs of the foundation, on PGlite and (when BENCH_PG_URL is set) PostgreSQL, each
// with a baseline measured in the same run on the same engine:
//  - bulk load of N rows into an RLS tenant table through the scoped handle (unnest batches)
//    vs raw COPY of the same rows into an unindexed table without RLS;
//  - one scoped transaction (role + tenant + actor set) vs one bare statement;
//  - hash-chained audit appends vs plain inserts of the same rows.
// Run: npx tsx bench/db.bench.ts [--rows N]   Prints ONE JSON object.
import type { Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { openPgliteMemory } from '../src/db/pglite.ts';
import { openScratchPostgres } from '../src/db/scratch.ts';
import { withTenantScope } from '../src/db/scoped.ts';
import { createTenant } from '../src/modules/tenants/service.ts';
import { appendAudit } from '../src/security/audit-log.ts';
import { ephemeralKeyring } from '../src/security/keyring.ts';
import { createVault } from '../src/security/vault.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const ROWS = arg('--rows', 200_000);
const TX = arg('--transactions', 2_000);
const AUDITS = arg('--audits', 2_000);
const CODE = '152226';
const scope = { municipalityCode: CODE, userId: 'bench', terminalId: 'bench', purpose: 'benchmark' };

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function rowsCsv(n: number): { csv: string; ids: number[]; births: string[]; names: string[] } {
  const ids: number[] = [];
  const births: string[] = [];
  const names: string[] = [];
  const lines = ['municipality_code,person_no,birth_date,name'];
  for (let i = 0; i < n; i++) {
    const birth = `${1930 + (i % 95)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const name = `髙橋 太郎${i % 1000}`;
    ids.push(i + 1);
    births.push(birth);
    names.push(name);
    lines.push(`${CODE},${i + 1},${birth},${name}`);
  }
  return { csv: `${lines.join('\n')}\n`, ids, births, names };
}

async function benchEngine(db: Database): Promise<Record<string, unknown>> {
  await migrate(db);
  await createTenant(db, createVault(ephemeralKeyring()), { code: CODE, name: 'ベンチ市', prefecture: 'ベンチ県' });
  await db.exec(`
    CREATE TABLE bench_persons (municipality_code char(6) NOT NULL, person_no bigint NOT NULL, birth_date date NOT NULL, name text NOT NULL,
      PRIMARY KEY (municipality_code, person_no));
    CREATE INDEX ON bench_persons (municipality_code, birth_date);
    SELECT sesshu_tenant_table('bench_persons');
    CREATE TABLE bench_raw (municipality_code char(6), person_no bigint, birth_date date, name text);
    CREATE TABLE bench_plain (municipality_code char(6), seq bigint, action text, detail jsonb);`);
  const data = rowsCsv(ROWS);

  const copyMs = await time(() => db.copyFromCsv('bench_raw', ['municipality_code', 'person_no', 'birth_date', 'name'], data.csv));
  const loadMs = await time(() =>
    withTenantScope(db, scope, async (tx) => {
      const batch = 10_000;
      for (let i = 0; i < ROWS; i += batch) {
        await tx.query(
          `INSERT INTO bench_persons (municipality_code, person_no, birth_date, name)
           SELECT app_tenant(), * FROM unnest($1::bigint[], $2::date[], $3::text[])`,
          [data.ids.slice(i, i + batch), data.births.slice(i, i + batch), data.names.slice(i, i + batch)],
        );
      }
    }),
  );

  const bareMs = await time(async () => {
    // The same indexed look-up as the database owner, outside any transaction: no role, no RLS.
    for (let i = 0; i < TX; i++) await db.query('SELECT count(*) FROM bench_persons WHERE municipality_code = $1 AND person_no = $2', [CODE, i]);
  });
  const scopedMs = await time(async () => {
    for (let i = 0; i < TX; i++) await withTenantScope(db, scope, (tx) => tx.query('SELECT count(*) FROM bench_persons WHERE person_no = $1', [i]));
  });

  const plainMs = await time(() =>
    db.transaction(async (tx) => {
      for (let i = 0; i < AUDITS; i++) await tx.query(`INSERT INTO bench_plain VALUES ($1, $2, 'person.view', '{}')`, [CODE, i]);
    }),
  );
  const who = { userId: 'bench', role: 'officer', department: '健康課', terminalId: 'bench', purpose: 'benchmark' };
  const auditMs = await time(() =>
    withTenantScope(db, scope, async (tx) => {
      for (let i = 0; i < AUDITS; i++) await appendAudit(tx, who, { action: 'person.view', result: 'ok', subjectPersonId: String(i) });
    }),
  );
  return {
    bulkLoad: {
      rows: ROWS,
      scopedUnnestRowsPerSec: Math.round(ROWS / (loadMs / 1000)),
      baselineCopyRowsPerSec: Math.round(ROWS / (copyMs / 1000)),
      ratioTimeVsCopy: +(loadMs / copyMs).toFixed(2),
    },
    scopedTransaction: {
      count: TX,
      scopedMsEach: +(scopedMs / TX).toFixed(3),
      baselineBareStatementMsEach: +(bareMs / TX).toFixed(3),
      ratio: +(scopedMs / bareMs).toFixed(2),
    },
    auditAppend: {
      count: AUDITS,
      chainedPerSec: Math.round(AUDITS / (auditMs / 1000)),
      baselinePlainInsertPerSec: Math.round(AUDITS / (plainMs / 1000)),
      ratioTimeVsPlain: +(auditMs / plainMs).toFixed(2),
    },
  };
}

const result: Record<string, unknown> = { benchmark: 'db', node: process.version };
const pglite = await openPgliteMemory();
result.pglite = await benchEngine(pglite);
await pglite.close();
if (process.env.BENCH_PG_URL) {
  const pg = await openScratchPostgres(process.env.BENCH_PG_URL);
  try {
    result.postgres = await benchEngine(pg);
  } finally {
    await pg.close();
  }
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
