// Embedded engine: PGlite (PostgreSQL compiled to WASM) in this process, data under <dataDir>/pglite.
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, TenantBulkLoad, Transaction } from './client.ts';
import { parseDate, parseInt8, quoteIdent, TYPE_OIDS } from './client.ts';
import { acquireDataDirLock } from './lock.ts';
import { SCOPED_ROLE } from './scoped.ts';

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
  await copyBlobAsSession(q, info.role, target, columns.map(quoteIdent).join(', '), csv, false);
}

/**
 * One COPY FROM '/dev/blob' run as the session's own role (see copyIntoTempTable), optionally with
 * per-row triggers off (bulkLoadTenant), then back to `role`. Returns the rows copied. A failing
 * COPY aborts the transaction, so the role is never left switched for later statements.
 */
async function copyBlobAsSession(
  q: Pick<PGlite, 'query'>, role: string, target: string, cols: string, csv: string | Uint8Array, replica: boolean,
): Promise<number> {
  await q.query(`SELECT set_config('role', 'none', true), set_config('session_replication_role', $1, true)`, [replica ? 'replica' : 'origin']);
  const r = await q.query(`COPY ${target} (${cols}) FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: copyInput(csv) });
  await q.query(`SELECT set_config('session_replication_role', 'origin', true), set_config('role', $1, true)`, [role]);
  return r.affectedRows ?? 0;
}

/**
 * The Blob PGlite reads a COPY from. PGlite asks it for its arrayBuffer(); a Blob made of the bytes
 * copies them once when made and twice more when read (about 6 s of a 2 M-resident first load on the
 * thread that runs the database). Bytes that fill their own ArrayBuffer (a prepared batch) are
 * handed over as they are; the caller does not touch them until the COPY has run.
 */
export function copyInput(csv: string | Uint8Array): Blob {
  if (typeof csv === 'string' || csv.byteOffset !== 0 || csv.byteLength !== csv.buffer.byteLength || !(csv.buffer instanceof ArrayBuffer)) return new Blob([csv]);
  return new OwnBytesBlob(csv.buffer);
}

/** A Blob over bytes it does not copy. Every way of reading it gives those bytes (PGlite uses arrayBuffer()). */
class OwnBytesBlob extends Blob {
  readonly #bytes: ArrayBuffer;

  constructor(bytes: ArrayBuffer) {
    super([]);
    this.#bytes = bytes;
    Object.defineProperty(this, 'size', { value: bytes.byteLength });
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(this.#bytes);
  }

  override stream(): ReturnType<Blob['stream']> {
    return new Blob([this.#bytes]).stream();
  }

  override bytes(): ReturnType<Blob['bytes']> {
    return Promise.resolve(new Uint8Array(this.#bytes));
  }

  override text(): Promise<string> {
    return Promise.resolve(new TextDecoder().decode(this.#bytes));
  }

  override slice(...args: Parameters<Blob['slice']>): Blob {
    return new Blob([this.#bytes]).slice(...args);
  }
}

/**
 * A tenant's first load of a table by COPY (Transaction.bulkLoadTenant). COPY as the scoped role is
 * refused on a table with row-level security, and INSERT … SELECT checks the policy, a foreign key
 * and the unique indexes per row (about 50 µs a row in WASM). So, as for copyIntoTemp, the session's
 * own role runs each COPY — and isolation is proved instead of checked per row. control: TEN-01
 * - before: the transaction is scoped (SCOPED_ROLE, a tenant set), the table has row-level
 *   security, the scoped role may INSERT into it, and it holds no row of this tenant;
 * - after (finish): the scoped role, under the policy, sees exactly as many rows as were copied —
 *   a row written with another municipality's code would be invisible, so the counts would differ
 *   and the transaction rolls back. The transaction does not commit while a load is unfinished.
 *   The count proves it only if the table is written by nothing else between begin and finish (an
 *   INSERT of the tenant's own could offset a foreign row); the resident import writes it only so.
 * Foreign keys are checked once per load, set-based, instead of by a trigger per row (half the
 * cost of a history row): the COPY runs with session_replication_role = replica, which is why a
 * table with triggers of its own is refused, and finish() looks for rows without their parent.
 * CHECK, NOT NULL and unique constraints are enforced by the COPY itself.
 */
async function beginTenantBulkLoad(
  q: Pick<PGlite, 'query'>, table: string, columns: readonly string[], unfinished: Set<string>,
): Promise<TenantBulkLoad> {
  const target = quoteIdent(table);
  const cols = columns.map(quoteIdent).join(', ');
  if (!columns.includes('municipality_code')) throw new Error(`bulkLoadTenant: ${table}: the rows must carry municipality_code`);
  const [info] = (
    await q.query<{ role: string; tenant: string | null; rls: boolean | null }>(
      `SELECT current_user AS role, app_tenant_code() AS tenant,
              (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = to_regclass($1) AND c.relpersistence = 'p') AS rls`,
      [table],
    )
  ).rows;
  if (info?.role !== SCOPED_ROLE || info.tenant === null) throw new Error('bulkLoadTenant: not in a tenant-scoped transaction');
  const tenant = info.tenant;
  if (info.rls !== true) throw new Error(`bulkLoadTenant: ${table} is not a tenant table with row-level security`);
  const [check] = (
    await q.query<{ can_insert: boolean; empty: boolean; triggers: boolean }>(
      `SELECT has_table_privilege(current_user, $1, 'INSERT') AS can_insert, NOT EXISTS (SELECT 1 FROM ${target}) AS empty,
              EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass($1) AND NOT tgisinternal) AS triggers`,
      [table],
    )
  ).rows;
  if (check?.can_insert !== true) throw new Error(`bulkLoadTenant: the scoped role may not insert into ${table}`);
  if (check.triggers) throw new Error(`bulkLoadTenant: ${table} has triggers, which a bulk load would skip`);
  if (check.empty !== true) throw new Error(`bulkLoadTenant: ${table} already holds rows of this tenant`);
  if (unfinished.has(table)) throw new Error(`bulkLoadTenant: ${table} is already being loaded`);
  unfinished.add(table);
  let copied = 0;
  return {
    async write(csv) {
      if (!unfinished.has(table)) throw new Error(`bulkLoadTenant: the load of ${table} is finished`);
      const n = await copyBlobAsSession(q, info.role, target, cols, csv, true);
      copied += n;
      return n;
    },
    async finish() {
      const [seen] = (
        await q.query<{ role: string; tenant: string | null; n: number }>(
          `SELECT current_user AS role, app_tenant_code() AS tenant, (SELECT count(*) FROM ${target})::int AS n`,
        )
      ).rows;
      if (seen?.role !== info.role || seen.tenant !== tenant || seen.n !== copied) {
        throw new Error(`bulkLoadTenant: ${copied} rows copied into ${table}, but ${seen?.n ?? 0} are visible to the tenant`);
      }
      // Both as the session's own role (the owner), in one switch: ANALYZE — PGlite runs no
      // autovacuum, so without it a freshly loaded table has no planner statistics and every later
      // query plans it as nearly empty (the checks below included: a key that is NULL in every row
      // is then looked up through its partial index) — and the foreign keys as their triggers would
      // have checked them.
      await q.query(`SELECT set_config('role', 'none', true)`);
      await q.query(`ANALYZE ${target}`);
      await checkForeignKeys(q, table, tenant);
      await q.query(`SELECT set_config('role', $1, true)`, [info.role]);
      unfinished.delete(table);
      return copied;
    },
  };
}

/**
 * The foreign keys of `table` for the tenant's rows, as the triggers skipped during a bulk load
 * would have checked them (MATCH SIMPLE: a key with a NULL column is not checked), one anti-join
 * per constraint. The caller runs it as the session's role, like the triggers: a parent is found in
 * any tenant.
 */
async function checkForeignKeys(q: Pick<PGlite, 'query'>, table: string, tenant: string): Promise<void> {
  const fks = (
    await q.query<{ name: string; parent: string; cols: string[]; parent_cols: string[] }>(
      `SELECT c.conname AS name, p.relname AS parent,
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS cols,
              array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS parent_cols
         FROM pg_constraint c JOIN pg_class p ON p.oid = c.confrelid
        WHERE c.conrelid = to_regclass($1) AND c.contype = 'f'`,
      [table],
    )
  ).rows;
  for (const fk of fks) {
    if (fk.cols.length === 1 && fk.cols[0] === 'municipality_code') {
      // Every copied row carries the tenant's code (finish() has just counted them under the
      // policy), so this key holds if the tenant's own parent row exists: one look-up, not a scan.
      const [parent] = (await q.query<{ found: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM ${quoteIdent(fk.parent)} WHERE ${quoteIdent(fk.parent_cols[0] ?? '')} = $1) AS found`, [tenant],
      )).rows;
      if (parent?.found !== true) throw new Error(`bulkLoadTenant: ${table} violates foreign key ${fk.name}`);
      continue;
    }
    const present = fk.cols.map((c) => `t.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
    const match = fk.cols.map((c, i) => `p.${quoteIdent(fk.parent_cols[i] ?? '')} = t.${quoteIdent(c)}`).join(' AND ');
    const [orphan] = (
      await q.query<{ found: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM ${quoteIdent(table)} t WHERE t.municipality_code = $1 AND ${present}
                          AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(fk.parent)} p WHERE ${match})) AS found`,
        [tenant],
      )
    ).rows;
    if (orphan?.found !== false) throw new Error(`bulkLoadTenant: ${table} violates foreign key ${fk.name}`);
  }
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
    transaction: (fn) =>
      pg.transaction(async (tx) => {
        const unfinished = new Set<string>();
        const result = await fn({ ...asTx(tx), bulkLoadTenant: (table, columns) => beginTenantBulkLoad(tx, table, columns, unfinished) });
        if (unfinished.size > 0) throw new Error(`bulkLoadTenant: ${[...unfinished].join(', ')} not verified; rolled back`);
        return result;
      }),
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
