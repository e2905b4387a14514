// control: TEN-01 — a query that forgets the tenant sees nothing, on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { withTenantScope } from '../../src/db/scoped.ts';
import { withSystemAccess } from '../../src/db/system.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const B = '112020';
const scope = (municipalityCode: string) => ({ municipalityCode, userId: 'u1', terminalId: 't1', purpose: 'test' });

describe.each(testEngines)('tenant isolation on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.open();
    await withSystemAccess(db, 'test fixture: two tenants', async (tx) => {
      await tx.query(`INSERT INTO municipalities (code, name, prefecture) VALUES ($1, '上越市', '新潟県'), ($2, '熊谷市', '埼玉県')`, [A, B]);
      await tx.query(`INSERT INTO tenant_settings (municipality_code, settings) VALUES ($1, '{"x":1}'), ($2, '{"x":2}')`, [A, B]);
    });
  });
  afterAll(() => db?.close());

  it('sees only its own rows with a tenant set', async () => {
    const rows = await withTenantScope(db, scope(A), (tx) => tx.query('SELECT municipality_code FROM tenant_settings'));
    expect(rows).toEqual([{ municipality_code: A }]);
  });

  it('sees no rows when the tenant was never set', async () => {
    const rows = await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('role', 'sesshu_app', true)`);
      return tx.query('SELECT * FROM tenant_settings');
    });
    expect(rows).toEqual([]);
  });

  it('cannot write rows for another tenant', async () => {
    await expect(
      withTenantScope(db, scope(A), (tx) => tx.query(`INSERT INTO tenant_settings (municipality_code) VALUES ($1)`, ['011002'])),
    ).rejects.toThrow(/row-level security/);
    const n = await withTenantScope(db, scope(A), (tx) =>
      tx.query(`UPDATE tenant_settings SET settings = '{}' WHERE municipality_code = $1 RETURNING 1`, [B]),
    );
    expect(n).toEqual([]);
  });

  it('does not leak the tenant setting to the next transaction', async () => {
    await withTenantScope(db, scope(A), (tx) => tx.query('SELECT 1'));
    const role = await db.query<{ r: string; t: string | null }>(`SELECT current_user AS r, app_tenant() AS t`);
    expect(role[0]?.t).toBeNull();
    expect(role[0]?.r).not.toBe('sesshu_app');
  });
});
