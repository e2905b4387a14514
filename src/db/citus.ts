// Citus readiness, derived from the schema itself: tables marked 'citus:distributed' are
// distributed by municipality_code and co-located; 'citus:reference' tables are replicated.
import type { Queryable } from './client.ts';
import { quoteIdent } from './client.ts';

export interface TableMarking {
  table: string;
  marking: string | null;
}

export async function tableMarkings(db: Queryable): Promise<TableMarking[]> {
  return db.query<TableMarking>(
    `SELECT c.relname AS "table", obj_description(c.oid, 'pg_class') AS marking
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
      ORDER BY c.relname`,
  );
}

export async function citusDistributionSql(db: Queryable): Promise<string[]> {
  const tables = await tableMarkings(db);
  const reference = tables.filter((t) => t.marking === 'citus:reference').map((t) => t.table);
  const distributed = tables.filter((t) => t.marking === 'citus:distributed').map((t) => t.table);
  const [anchor, ...rest] = distributed;
  return [
    '-- Run on the Citus coordinator after `sesshu db migrate` (docs/citus.md).',
    ...reference.map((t) => `SELECT create_reference_table('${quoteIdent(t)}');`),
    ...(anchor ? [`SELECT create_distributed_table('${quoteIdent(anchor)}', 'municipality_code');`] : []),
    ...rest.map((t) => `SELECT create_distributed_table('${quoteIdent(t)}', 'municipality_code', colocate_with => '${quoteIdent(anchor as string)}');`),
  ];
}
