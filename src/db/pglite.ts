// Embedded engine: PGlite (PostgreSQL compiled to WASM) in this process, data under <dataDir>/pglite.
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Transaction } from './client.ts';
import { parseDate, parseInt8, quoteIdent, TYPE_OIDS } from './client.ts';
import { acquireDataDirLock } from './lock.ts';

const parsers = { [TYPE_OIDS.date]: parseDate, [TYPE_OIDS.int8]: parseInt8 };

/** Opens the embedded database, holding the data directory's exclusive lock until close(). */
export async function openPglite(dataDir: string): Promise<Database> {
  const lock = acquireDataDirLock(dataDir);
  try {
    const pg = await PGlite.create(path.join(dataDir, 'pglite'), { parsers });
    return wrap(pg, () => lock.release());
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** A throw-away in-memory database (tests, benchmarks); `fromDump` skips initdb. */
export async function openPgliteMemory(fromDump?: Blob): Promise<Database> {
  const pg = await PGlite.create({ parsers, ...(fromDump ? { loadDataDir: fromDump } : {}) });
  return wrap(pg, () => undefined);
}

/** Snapshot of a (migrated) in-memory database, to clone test databases quickly. */
export async function dumpPglite(db: Database): Promise<Blob> {
  const pg = (db as Database & { raw?: PGlite }).raw;
  if (!pg) throw new Error('not a PGlite database');
  return pg.dumpDataDir('none');
}

/**
 * COPY into a temporary table inside the caller's transaction. PGlite reads the data from the file
 * '/dev/blob', and PostgreSQL lets only pg_read_server_files copy from a file — which the scoped role
 * sesshu_app must not hold (on a real server it could read any file). The embedded engine is a
 * single in-process user, so for this one statement the session's own role is restored and the
 * scoped role set again right after; the target must be a temporary table, i.e. one this transaction
 * made for its own input, so no tenant table can be written this way (TEN-01 holds).
 */
async function copyIntoTempTable(q: Pick<PGlite, 'query'>, table: string, columns: readonly string[], csv: string): Promise<void> {
  const target = quoteIdent(table);
  const [info] = (
    await q.query<{ role: string; temp: boolean | null }>(
      `SELECT current_user AS role, (SELECT c.relpersistence = 't' FROM pg_class c WHERE c.oid = to_regclass($1)) AS temp`,
      [table],
    )
  ).rows;
  if (!info?.temp) throw new Error(`copyIntoTemp: ${table} is not a temporary table`);
  await q.query(`SELECT set_config('role', 'none', true)`);
  await q.query(`COPY ${target} (${columns.map(quoteIdent).join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv]) });
  await q.query(`SELECT set_config('role', $1, true)`, [info.role]);
}

function wrap(pg: PGlite, onClose: () => void): Database & { raw: PGlite } {
  const asTx = (q: Pick<PGlite, 'query' | 'exec'>): Transaction => ({
    async query<Row>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
      return (await q.query<Row>(text, params as unknown[])).rows;
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
    copyIntoTemp: (table, columns, csv) => copyIntoTempTable(q, table, columns, csv),
  });
  const top = asTx(pg);
  return {
    engine: 'pglite',
    raw: pg,
    query: top.query,
    exec: top.exec,
    transaction: (fn) => pg.transaction((tx) => fn(asTx(tx))),
    async copyFromCsv(table, columns, csv) {
      const cols = columns.join(', ');
      await pg.query(`COPY ${table} (${cols}) FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], {
        blob: new Blob([csv]),
      });
    },
    async close() {
      try {
        await pg.close();
      } finally {
        onClose();
      }
    },
  };
}
