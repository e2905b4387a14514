// The schema's promises, read from PostgreSQL's own catalogue on both engines: every table is
// marked for Citus, every tenant table has RLS and municipality_code leading its keys, and the
// application role cannot edit the audit log. controls: TEN-01, LOG-03
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citusDistributionSql, tableMarkings } from '../../src/db/citus.ts';
import type { Database } from '../../src/db/client.ts';
import { migrationStatus } from '../../src/db/migrate.ts';
import { testEngines } from '../support/engines.ts';

describe.each(testEngines)('schema on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(() => db?.close());

  it('has every migration applied, unchanged', async () => {
    const status = await migrationStatus(db);
    expect(status.length).toBeGreaterThan(1);
    expect(status.every((s) => s.state === 'applied')).toBe(true);
  });

  it('marks every table as distributed, reference or local', async () => {
    const unmarked = (await tableMarkings(db)).filter((t) => !['citus:distributed', 'citus:reference', 'citus:local'].includes(t.marking ?? ''));
    expect(unmarked).toEqual([]);
  });

  it('puts municipality_code first in the primary key and every foreign key of tenant tables, with RLS on', async () => {
    const distributed = (await tableMarkings(db)).filter((t) => t.marking === 'citus:distributed').map((t) => t.table);
    expect(distributed).toContain('staff_accounts');
    for (const table of distributed) {
      const [rls] = await db.query<{ relrowsecurity: boolean }>('SELECT relrowsecurity FROM pg_class WHERE relname = $1', [table]);
      expect(rls?.relrowsecurity, `${table} has RLS`).toBe(true);
      const keys = await db.query<{ contype: string; first_col: string; target: string | null }>(
        `SELECT c.contype, a.attname AS first_col, c.confrelid::regclass::text AS target
           FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'f', 'u')`,
        [table],
      );
      for (const k of keys) {
        if (k.contype === 'f' && !distributed.includes(String(k.target))) continue; // FK to a reference table
        expect(k.first_col, `${table} ${k.contype} key starts with municipality_code`).toBe('municipality_code');
      }
    }
  });

  it('prints the Citus distribution SQL from the markings', async () => {
    const sql = (await citusDistributionSql(db)).join('\n');
    expect(sql).toContain(`create_reference_table('"vaccines"')`);
    expect(sql).toMatch(/create_distributed_table\('"[a-z_]+"', 'municipality_code'\)/);
  });

  it('gives the application role no way to edit or delete audit entries', async () => {
    const grants = await db.query<{ privilege_type: string }>(
      `SELECT privilege_type FROM information_schema.role_table_grants WHERE grantee = 'sesshu_app' AND table_name = 'audit_log'`,
    );
    expect(grants.map((g) => g.privilege_type).sort()).toEqual(['INSERT', 'SELECT']);
  });

  // control: AC-04 — external roles can never be granted My Number permissions, even by data.
  it('refuses a My Number permission for the contractor and venue roles', async () => {
    for (const role of ['contractor_entry', 'venue']) {
      await expect(db.query(`INSERT INTO role_permissions VALUES ($1, 'mynumber.reveal')`, [role])).rejects.toThrow(/external staff/);
    }
  });
});
