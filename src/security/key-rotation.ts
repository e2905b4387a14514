// Key rotation (control: CRY-01; docs/operations.md): re-wrap every tenant key under the current
// master key, or give a tenant a new data key and re-encrypt every field under it. Each runs in
// one transaction: it completes or leaves the previous keys and envelopes in place.
import type { Database, Transaction } from '../db/client.ts';
import { withSystemAccess } from '../db/system.ts';
import type { Keyring } from './keyring.ts';
import type { DataKey } from './vault-crypto.ts';
import { envelopeKeyVersion, generateDataKey, reencryptField, rewrapTenantKey, unwrapDataKey, wrapDataKey, wrappedMasterKeyId } from './vault-crypto.ts';

/** Every encrypted column, with what its envelopes are bound to (the AAD's person id and column). */
const ENCRYPTED_FIELDS = [
  { table: 'persons', key: 'id', column: 'my_number_enc', aadColumn: undefined },
  { table: 'staff_accounts', key: 'id', column: 'totp_secret', aadColumn: 'totp_secret' },
  { table: 'staff_sessions', key: 'token_hash', column: 'pending_totp_secret', aadColumn: 'pending_totp_secret' },
] as const;

const PAGE = 5000;

export async function rotateMasterKey(db: Database, keyring: Keyring): Promise<{ rewrapped: number }> {
  return withSystemAccess(db, `re-wrap tenant keys under master key ${keyring.current.id}`, async (tx) => {
    const rows = await tx.query<{ municipality_code: string; kind: 'data' | 'index'; version: number; wrapped: string }>(
      'SELECT municipality_code, kind, version, wrapped FROM tenant_keys',
    );
    let rewrapped = 0;
    for (const r of rows) {
      if (wrappedMasterKeyId(r.wrapped) === keyring.current.id) continue;
      const wrapped = rewrapTenantKey(keyring.all, keyring.current, r.wrapped, { municipalityCode: r.municipality_code, kind: r.kind, version: r.version });
      await tx.query('UPDATE tenant_keys SET wrapped = $4 WHERE municipality_code = $1 AND kind = $2 AND version = $3', [
        r.municipality_code, r.kind, r.version, wrapped,
      ]);
      rewrapped++;
    }
    return { rewrapped };
  });
}

export async function rotateDataKey(db: Database, keyring: Keyring, code: string): Promise<{ version: number; reencrypted: number }> {
  return withSystemAccess(db, `rotate data key of ${code}`, async (tx) => {
    const rows = await tx.query<{ version: number; wrapped: string }>(
      `SELECT version, wrapped FROM tenant_keys WHERE municipality_code = $1 AND kind = 'data' AND retired_at IS NULL ORDER BY version DESC`,
      [code],
    );
    if (rows.length === 0) throw new Error(`municipality ${code} has no data key`);
    const oldKeys = rows.map((r) => unwrapDataKey(keyring.all, r.wrapped, code, r.version));
    const next = generateDataKey((rows[0]?.version ?? 0) + 1);
    await tx.query(`INSERT INTO tenant_keys (municipality_code, kind, version, wrapped) VALUES ($1, 'data', $2, $3)`, [
      code, next.version, wrapDataKey(keyring.current, next, code),
    ]);
    let reencrypted = 0;
    for (const field of ENCRYPTED_FIELDS) reencrypted += await reencryptColumn(tx, code, field, oldKeys, next);
    // Old keys stay readable until nothing uses them; then they are retired, not deleted.
    await tx.query(`UPDATE tenant_keys SET retired_at = now() WHERE municipality_code = $1 AND kind = 'data' AND version < $2`, [code, next.version]);
    return { version: next.version, reencrypted };
  });
}

async function reencryptColumn(
  tx: Transaction,
  code: string,
  field: (typeof ENCRYPTED_FIELDS)[number],
  oldKeys: readonly DataKey[],
  next: DataKey,
): Promise<number> {
  let after = '';
  let count = 0;
  for (;;) {
    const rows = await tx.query<{ k: string; v: string }>(
      `SELECT ${field.key}::text AS k, ${field.column} AS v FROM ${field.table}
        WHERE municipality_code = $1 AND ${field.column} IS NOT NULL AND ${field.key}::text > $2 ORDER BY ${field.key}::text LIMIT ${PAGE}`,
      [code, after],
    );
    if (rows.length === 0) return count;
    const keys: string[] = [];
    const values: string[] = [];
    for (const r of rows) {
      if (envelopeKeyVersion(r.v) === next.version) continue;
      const aad = { municipalityCode: code, personId: r.k, ...(field.aadColumn ? { column: field.aadColumn } : {}) };
      keys.push(r.k);
      values.push(reencryptField(oldKeys, next, r.v, aad));
    }
    if (keys.length > 0) {
      await tx.query(
        `UPDATE ${field.table} t SET ${field.column} = u.v FROM unnest($2::text[], $3::text[]) AS u(k, v)
          WHERE t.municipality_code = $1 AND t.${field.key}::text = u.k`,
        [code, keys, values],
      );
    }
    count += keys.length;
    after = rows.at(-1)?.k ?? after;
  }
}
