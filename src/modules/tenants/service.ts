// Tenants (municipalities): created by the operator through the system escape hatch, since a new
// tenant has no rows yet that row-level security could let anyone write.
import type { Database } from '../../db/client.ts';
import { withSystemAccess } from '../../db/system.ts';
import { parseMunicipalityCode } from '../../domain/municipality-code.ts';
import { genesisHash } from '../../security/audit-chain.ts';
import { AUDIT_LANES } from '../../security/audit-log.ts';
import type { Vault } from '../../security/vault.ts';

export interface NewTenant {
  code: string;
  name: string;
  nameEn?: string | null;
  prefecture: string;
  isDemo?: boolean;
}

export interface TenantRow {
  code: string;
  name: string;
  name_en: string | null;
  prefecture: string;
  is_demo: boolean;
}

export class TenantError extends Error {
  override name = 'TenantError';
}

export async function createTenant(db: Database, vault: Vault, input: NewTenant): Promise<TenantRow> {
  const parsed = parseMunicipalityCode(input.code);
  if (!parsed.ok) throw new TenantError(parsed.reason);
  const name = input.name.trim();
  if (!name) throw new TenantError('municipality name must not be empty (団体名を入力してください)');
  return withSystemAccess(db, `create tenant ${parsed.code}`, async (tx) => {
    const exists = await tx.query('SELECT 1 FROM municipalities WHERE code = $1', [parsed.code]);
    if (exists.length > 0) throw new TenantError(`municipality ${parsed.code} already exists`);
    const [row] = await tx.query<TenantRow>(
      `INSERT INTO municipalities (code, name, name_en, prefecture, is_demo) VALUES ($1, $2, $3, $4, $5)
       RETURNING code, name, name_en, prefecture, is_demo`,
      [parsed.code, name, input.nameEn ?? null, input.prefecture, input.isDemo ?? false],
    );
    await tx.query('INSERT INTO tenant_settings (municipality_code) VALUES ($1)', [parsed.code]);
    const lanes = Array.from({ length: AUDIT_LANES }, (_, lane) => lane);
    await tx.query(
      'INSERT INTO audit_heads (municipality_code, lane, seq, entry_hash) SELECT $1, lane, 0, hash FROM unnest($2::int[], $3::text[]) AS u(lane, hash)',
      [parsed.code, lanes, lanes.map((lane) => genesisHash(parsed.code, lane))],
    );
    await vault.createTenantKeys(tx, parsed.code);
    return row as TenantRow;
  });
}

export async function listTenants(db: Database): Promise<TenantRow[]> {
  // Municipality names and codes are public reference data; no tenant scope needed.
  return db.query<TenantRow>('SELECT code, name, name_en, prefecture, is_demo FROM municipalities ORDER BY code');
}

export async function getTenant(db: Database, code: string): Promise<TenantRow | null> {
  const [row] = await db.query<TenantRow>('SELECT code, name, name_en, prefecture, is_demo FROM municipalities WHERE code = $1', [code]);
  return row ?? null;
}
