// The one database interface the rest of the code sees. Two engines implement it (embedded
// PGlite and PostgreSQL via pg) with the same SQL, so nothing above this layer knows which.

export interface Queryable {
  /** Runs one parameterised statement ($1, $2 …) and returns its rows. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
}

export interface Transaction extends Queryable {
  /**
   * Bulk-loads CSV text (no header) into a TEMPORARY table of this transaction through COPY — for
   * staging large inputs (resident import). Only temporary tables are accepted: on the embedded
   * engine the statement needs more privilege than the scoped role has (see pglite.ts).
   */
  copyIntoTemp(table: string, columns: readonly string[], csv: string): Promise<void>;
  /**
   * Embedded engine only (absent on PostgreSQL): COPY straight into a tenant table that holds none
   * of the current tenant's rows yet — a tenant's first resident load, where INSERT … SELECT under
   * row-level security costs most of the time. Checked before and after (see pglite.ts); the
   * transaction refuses to commit while a load is not verified.
   */
  readonly bulkLoadTenant?: (table: string, columns: readonly string[]) => Promise<TenantBulkLoad>;
}

/** One table's first load by COPY (Transaction.bulkLoadTenant). */
export interface TenantBulkLoad {
  /** COPYs CSV rows (no header; text, or its UTF-8 bytes) and returns how many were copied. */
  write(csv: string | Uint8Array): Promise<number>;
  /** Checks under row-level security that the tenant sees exactly the rows copied; throws if not. */
  finish(): Promise<number>;
}

export type Engine = 'pglite' | 'postgres';

export interface Database extends Queryable {
  readonly engine: Engine;
  /** Runs fn in one transaction: committed when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Bulk-loads CSV text (with header) into a table through COPY — the fastest path on both engines. */
  copyFromCsv(table: string, columns: readonly string[], csv: string): Promise<void>;
  close(): Promise<void>;
}

/** Type OIDs whose default JS mapping we override so both engines return the same shapes. */
export const TYPE_OIDS = { int8: 20, date: 1082 } as const;

/** DATE stays an ISO string: birthdays have no time zone (see ARCHITECTURE.md, Conventions). */
export const parseDate = (v: string): string => v;

/** Counts and sequence numbers fit in a double; bigint would leak into every caller. */
export const parseInt8 = (v: string): number => Number(v);

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe SQL identifier: ${name}`);
  return `"${name}"`;
}
