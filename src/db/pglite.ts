// Embedded engine: PGlite (PostgreSQL compiled to WASM) in this process, data under <dataDir>/pglite.
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Transaction } from './client.ts';
import { parseDate, parseInt8, TYPE_OIDS } from './client.ts';
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

function wrap(pg: PGlite, onClose: () => void): Database & { raw: PGlite } {
  const asTx = (q: Pick<PGlite, 'query' | 'exec'>): Transaction => ({
    async query<Row>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
      return (await q.query<Row>(text, params as unknown[])).rows;
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
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
