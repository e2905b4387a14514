// Production engine: a PostgreSQL server (or Citus coordinator) through a pg connection pool.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database, Transaction } from './client.ts';
import { parseDate, parseInt8, quoteIdent, TYPE_OIDS } from './client.ts';

const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === TYPE_OIDS.date) return parseDate;
    if (oid === TYPE_OIDS.int8) return parseInt8;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

export function openPostgres(url: string, poolSize = 10): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  // An idle client's network error must not crash the process; the next checkout reconnects.
  pool.on('error', () => undefined);
  const asTx = (c: pg.PoolClient): Transaction => ({
    async query<Row>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
      return (await c.query(text, params as unknown[])).rows as Row[];
    },
    async exec(sql: string): Promise<void> {
      await c.query(sql);
    },
    async copyIntoTemp(table, columns, csv) {
      // FROM STDIN needs no file privilege; the temporary-table rule is kept the same as on PGlite.
      const [info] = (await c.query<{ temp: boolean | null }>(
        `SELECT (SELECT c.relpersistence = 't' FROM pg_class c WHERE c.oid = to_regclass($1)) AS temp`, [table])).rows;
      if (!info?.temp) throw new Error(`copyIntoTemp: ${table} is not a temporary table`);
      const sink = c.query(copyFrom(`COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN WITH (FORMAT csv)`));
      await pipeline(Readable.from([csv]), sink);
    },
  });
  const top = {
    query: async <Row>(text: string, params: readonly unknown[] = []): Promise<Row[]> => (await pool.query(text, params as unknown[])).rows as Row[],
    exec: async (sql: string): Promise<void> => {
      await pool.query(sql);
    },
  };
  return {
    engine: 'postgres',
    query: top.query,
    exec: top.exec,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(asTx(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async copyFromCsv(table, columns, csv) {
      const client = await pool.connect();
      try {
        const sink = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv, HEADER true)`));
        await pipeline(Readable.from([csv]), sink);
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
