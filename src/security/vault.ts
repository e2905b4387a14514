// The My Number vault and other encrypted fields: per-tenant data and index keys, unwrapped with
// the master keyring on first use and cached in memory. control: CRY-01
import type { Transaction } from '../db/client.ts';
import type { ScopedTx } from '../db/scoped.ts';
import type { Keyring } from './keyring.ts';
import type { MyNumber } from './my-number.ts';
import type { DataKey, FieldAad, IndexKey } from './vault-crypto.ts';
import {
  blindIndex,
  blindIndexer,
  decryptField,
  encryptField,
  envelopeKeyVersion,
  fieldSealer,
  generateDataKey,
  generateIndexKey,
  unwrapDataKey,
  unwrapIndexKey,
  wrapDataKey,
  wrapIndexKey,
} from './vault-crypto.ts';

interface TenantKeys {
  data: DataKey[]; // newest first
  index: IndexKey;
}

interface KeyRow {
  kind: 'data' | 'index';
  version: number;
  wrapped: string;
}

export interface TenantCrypto {
  encrypt(plaintext: string, aad: Omit<FieldAad, 'municipalityCode'>): string;
  blindIndex(myNumber: MyNumber): string;
}

/**
 * One tenant's current data key and index key, unwrapped: what tenantCryptoOf needs to encrypt in
 * another thread (the import's preparation worker). It is passed by postMessage inside the process
 * only — never in argv, the environment, a file or a log. control: CRY-01
 */
export interface TenantKeyMaterial {
  readonly municipalityCode: string;
  readonly data: DataKey;
  readonly index: IndexKey;
}

/** Synchronous encryption and blind index with one tenant's keys. */
export function tenantCryptoOf(keys: TenantKeyMaterial): TenantCrypto {
  const { municipalityCode, data, index } = keys;
  const seal = new Map<string, (plaintext: string, personId: string) => string>();
  const sealer = (column = 'my_number'): ((plaintext: string, personId: string) => string) => {
    let s = seal.get(column);
    if (s === undefined) seal.set(column, (s = fieldSealer(data, municipalityCode, column)));
    return s;
  };
  return {
    encrypt: (plaintext, aad) => sealer(aad.column)(plaintext, aad.personId),
    blindIndex: blindIndexer(index, municipalityCode),
  };
}

export interface Vault {
  encrypt(tx: ScopedTx, municipalityCode: string, plaintext: string, aad: Omit<FieldAad, 'municipalityCode'>): Promise<string>;
  decrypt(tx: ScopedTx, municipalityCode: string, envelope: string, aad: Omit<FieldAad, 'municipalityCode'>): Promise<string>;
  blindIndex(tx: ScopedTx, municipalityCode: string, myNumber: MyNumber): Promise<string>;
  /** Synchronous encryption and blind index for one tenant, for bulk work (imports). */
  tenantCrypto(tx: ScopedTx, municipalityCode: string): Promise<TenantCrypto>;
  /** The same keys as material for tenantCryptoOf in a worker thread of this process (see TenantKeyMaterial). */
  tenantKeyMaterial(tx: ScopedTx, municipalityCode: string): Promise<TenantKeyMaterial>;
  /** Creates the first data and index keys of a new tenant (system transaction). */
  createTenantKeys(tx: Transaction, municipalityCode: string): Promise<void>;
}

export function createVault(keyring: Keyring): Vault {
  const cache = new Map<string, TenantKeys>();

  async function keysOf(tx: ScopedTx, code: string): Promise<TenantKeys> {
    const hit = cache.get(code);
    if (hit) return hit;
    const rows = await tx.query<KeyRow>(
      'SELECT kind, version, wrapped FROM tenant_keys WHERE retired_at IS NULL ORDER BY version DESC',
    );
    const data = rows.filter((r) => r.kind === 'data').map((r) => unwrapDataKey(keyring.all, r.wrapped, code, r.version));
    const indexRow = rows.find((r) => r.kind === 'index');
    if (data.length === 0 || !indexRow) throw new Error(`no vault keys for municipality ${code}`);
    const keys = { data, index: unwrapIndexKey(keyring.all, indexRow.wrapped, code, indexRow.version) };
    cache.set(code, keys);
    return keys;
  }

  async function materialOf(tx: ScopedTx, code: string): Promise<TenantKeyMaterial> {
    const { data, index } = await keysOf(tx, code);
    return { municipalityCode: code, data: data[0] as DataKey, index };
  }

  return {
    async encrypt(tx, code, plaintext, aad) {
      const { data } = await keysOf(tx, code);
      return encryptField(data[0] as DataKey, plaintext, { ...aad, municipalityCode: code });
    },
    async decrypt(tx, code, envelope, aad) {
      let { data } = await keysOf(tx, code);
      // A key rotated by another process since we cached: reload once.
      if (!data.some((k) => k.version === envelopeKeyVersion(envelope))) {
        cache.delete(code);
        ({ data } = await keysOf(tx, code));
      }
      return decryptField(data, envelope, { ...aad, municipalityCode: code });
    },
    async blindIndex(tx, code, myNumber) {
      const { index } = await keysOf(tx, code);
      return blindIndex(index, code, myNumber);
    },
    async tenantCrypto(tx, code) {
      return tenantCryptoOf(await materialOf(tx, code));
    },
    tenantKeyMaterial: materialOf,
    async createTenantKeys(tx, code) {
      await tx.query(
        `INSERT INTO tenant_keys (municipality_code, kind, version, wrapped) VALUES ($1, 'data', 1, $2), ($1, 'index', 1, $3)`,
        [code, wrapDataKey(keyring.current, generateDataKey(1), code), wrapIndexKey(keyring.current, generateIndexKey(1), code)],
      );
    },
  };
}
