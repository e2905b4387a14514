// Envelope encryption for the My Number vault.
//   master key (config, 32 bytes) ──wraps──▶ per-tenant data key (versioned) ──encrypts──▶ field
//   per-tenant index key (wrapped the same way, never rotated with the data key) ──HMAC──▶ blind index
// Pure: randomness only, no I/O, no clock. Errors never carry plaintext, keys or envelopes.
// control: CRY-01, CRY-05, TEN-03 (storage holds ciphertext only)
import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';
import type { MyNumber } from './my-number.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FIELD_PREFIX = 'v1';
const WRAP_PREFIX = 'k1';
const KEY_ID_RE = /^[A-Za-z0-9_-]{1,32}$/u;
const B64URL_RE = /^[A-Za-z0-9_-]*$/u;

export type VaultErrorCode =
  | 'invalid_master_key'
  | 'invalid_key'
  | 'invalid_context'
  | 'malformed_envelope'
  | 'unknown_key'
  | 'decryption_failed';

/** The only error this module throws on bad input. Its message is fixed per code. */
export class VaultCryptoError extends Error {
  override name = 'VaultCryptoError';
  constructor(
    readonly code: VaultErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface MasterKey {
  /** Short id stored in every wrapped key, so several master keys can coexist during rotation. */
  readonly id: string;
  readonly key: Buffer;
}

/** What a wrapped key protects; part of the wrap AAD, so a data key cannot pass as an index key. */
export type WrappedKeyKind = 'data' | 'index';

export interface TenantKey {
  readonly kind: WrappedKeyKind;
  /** Positive integer, stored in each envelope; bump it on rotation. */
  readonly version: number;
  readonly key: Buffer;
}
export type DataKey = TenantKey & { readonly kind: 'data' };
export type IndexKey = TenantKey & { readonly kind: 'index' };

export interface KeyWrapContext {
  readonly municipalityCode: string;
  readonly kind: WrappedKeyKind;
  readonly version: number;
}

/** Binds a field ciphertext to its row: copying it to another person, column or tenant fails. */
export interface FieldAad {
  readonly municipalityCode: string;
  readonly personId: string;
  /** Column the value lives in; defaults to 'my_number'. */
  readonly column?: string;
}

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

function fromB64url(s: string): Buffer {
  if (!B64URL_RE.test(s)) throw new VaultCryptoError('malformed_envelope', 'envelope is not valid base64url');
  return Buffer.from(s, 'base64url');
}

function checkKeyBytes(key: Buffer, what: string): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new VaultCryptoError('invalid_key', `${what} must be ${KEY_BYTES} bytes`);
  }
}

function checkVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new VaultCryptoError('invalid_context', 'key version must be a positive integer');
  }
}

function checkNonEmpty(value: string, what: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new VaultCryptoError('invalid_context', `${what} must be a non-empty string`);
  }
}

/**
 * Parse the master key from configuration: `base64:…`, `hex:…`, or bare (64 hex chars, otherwise
 * base64/base64url). It must decode to exactly 32 bytes. The message never repeats the value.
 */
export function parseMasterKey(text: string, id: string): MasterKey {
  if (!KEY_ID_RE.test(id)) {
    throw new VaultCryptoError('invalid_master_key', 'master key id must be 1-32 characters of [A-Za-z0-9_-]');
  }
  const raw = (text ?? '').trim();
  let bytes: Buffer;
  if (raw.startsWith('hex:') || /^[0-9a-fA-F]{64}$/u.test(raw)) {
    const hex = raw.startsWith('hex:') ? raw.slice(4) : raw;
    if (!/^(?:[0-9a-fA-F]{2})*$/u.test(hex)) {
      throw new VaultCryptoError('invalid_master_key', 'master key is not valid hex');
    }
    bytes = Buffer.from(hex, 'hex');
  } else {
    const b64 = raw.startsWith('base64:') ? raw.slice(7) : raw;
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/u.test(b64)) {
      throw new VaultCryptoError('invalid_master_key', 'master key is not valid base64 or hex');
    }
    bytes = Buffer.from(b64.replace(/-/gu, '+').replace(/_/gu, '/'), 'base64');
  }
  if (bytes.length !== KEY_BYTES) {
    throw new VaultCryptoError(
      'invalid_master_key',
      `master key must decode to ${KEY_BYTES} bytes (got ${bytes.length}); generate one with: openssl rand -base64 32`,
    );
  }
  return { id, key: bytes };
}

export function generateDataKey(version: number): DataKey {
  checkVersion(version);
  return { kind: 'data', version, key: randomBytes(KEY_BYTES) };
}

export function generateIndexKey(version: number): IndexKey {
  checkVersion(version);
  return { kind: 'index', version, key: randomBytes(KEY_BYTES) };
}

// IVs are cut from a pool of CSPRNG bytes filled 4 KiB at a time: one randomBytes call per IV cost
// about 5 µs, a quarter of a bulk import's encryption time. Each slice is copied out and used once.
const IV_POOL = Buffer.alloc(IV_BYTES * 341);
let ivPoolOffset = IV_POOL.length;

function freshIv(): Buffer {
  if (ivPoolOffset + IV_BYTES > IV_POOL.length) {
    randomFillSync(IV_POOL);
    ivPoolOffset = 0;
  }
  const iv = Buffer.from(IV_POOL.subarray(ivPoolOffset, ivPoolOffset + IV_BYTES));
  ivPoolOffset += IV_BYTES;
  return iv;
}

function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; ct: Buffer; tag: Buffer } {
  const iv = freshIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ct, tag: cipher.getAuthTag() };
}

function gcmOpen(key: Buffer, iv: Buffer, ct: Buffer, tag: Buffer, aad: Buffer): Buffer {
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new VaultCryptoError('malformed_envelope', 'envelope has a wrong iv or tag length');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    // Wrong key, wrong row (AAD) or tampering all look the same from here, by design.
    throw new VaultCryptoError('decryption_failed', 'decryption failed: wrong key, wrong row or tampered data');
  }
}

// JSON arrays give an unambiguous encoding of the AAD parts (no separator-injection games).
function wrapAad(ctx: KeyWrapContext, masterKeyId: string): Buffer {
  return Buffer.from(JSON.stringify(['sesshu.key-wrap.v1', masterKeyId, ctx.municipalityCode, ctx.kind, ctx.version]));
}

function fieldAad(aad: FieldAad, keyVersion: number): Buffer {
  return Buffer.from(
    JSON.stringify(['sesshu.field.v1', aad.municipalityCode, aad.personId, aad.column ?? 'my_number', keyVersion]),
  );
}

function checkWrapContext(ctx: KeyWrapContext): void {
  checkNonEmpty(ctx.municipalityCode, 'municipalityCode');
  checkVersion(ctx.version);
  if (ctx.kind !== 'data' && ctx.kind !== 'index') {
    throw new VaultCryptoError('invalid_context', "key kind must be 'data' or 'index'");
  }
}

/** Wrap a tenant key under the master key: `k1.<masterKeyId>.<iv>.<ct>.<tag>` (base64url parts). */
export function wrapTenantKey(master: MasterKey, tenantKey: TenantKey, municipalityCode: string): string {
  checkKeyBytes(master.key, 'master key');
  checkKeyBytes(tenantKey.key, 'tenant key');
  const ctx: KeyWrapContext = { municipalityCode, kind: tenantKey.kind, version: tenantKey.version };
  checkWrapContext(ctx);
  const { iv, ct, tag } = gcmSeal(master.key, tenantKey.key, wrapAad(ctx, master.id));
  return [WRAP_PREFIX, master.id, b64url(iv), b64url(ct), b64url(tag)].join('.');
}

/** Which master key a wrapped key needs (to pick it from a keyring or plan a rotation). */
export function wrappedMasterKeyId(wrapped: string): string {
  const parts = typeof wrapped === 'string' ? wrapped.split('.') : [];
  const id = parts[1];
  if (parts.length !== 5 || parts[0] !== WRAP_PREFIX || id === undefined || !KEY_ID_RE.test(id)) {
    throw new VaultCryptoError('malformed_envelope', 'wrapped key is malformed');
  }
  return id;
}

function pickMaster(masters: MasterKey | readonly MasterKey[], id: string): MasterKey {
  const list: readonly MasterKey[] = Array.isArray(masters) ? masters : [masters as MasterKey];
  const found = list.find((m) => m.id === id);
  if (found === undefined) throw new VaultCryptoError('unknown_key', 'no master key with the id this key was wrapped under');
  return found;
}

export function unwrapTenantKey(
  masters: MasterKey | readonly MasterKey[],
  wrapped: string,
  ctx: KeyWrapContext,
): TenantKey {
  checkWrapContext(ctx);
  const id = wrappedMasterKeyId(wrapped);
  const [, , ivS, ctS, tagS] = wrapped.split('.') as [string, string, string, string, string];
  const master = pickMaster(masters, id);
  checkKeyBytes(master.key, 'master key');
  const key = gcmOpen(master.key, fromB64url(ivS), fromB64url(ctS), fromB64url(tagS), wrapAad(ctx, id));
  if (key.length !== KEY_BYTES) throw new VaultCryptoError('malformed_envelope', 'wrapped key has a wrong length');
  return { kind: ctx.kind, version: ctx.version, key };
}

export function wrapDataKey(master: MasterKey, dataKey: DataKey, municipalityCode: string): string {
  return wrapTenantKey(master, dataKey, municipalityCode);
}

export function unwrapDataKey(
  masters: MasterKey | readonly MasterKey[],
  wrapped: string,
  municipalityCode: string,
  version: number,
): DataKey {
  return unwrapTenantKey(masters, wrapped, { municipalityCode, kind: 'data', version }) as DataKey;
}

export function wrapIndexKey(master: MasterKey, indexKey: IndexKey, municipalityCode: string): string {
  return wrapTenantKey(master, indexKey, municipalityCode);
}

export function unwrapIndexKey(
  masters: MasterKey | readonly MasterKey[],
  wrapped: string,
  municipalityCode: string,
  version: number,
): IndexKey {
  return unwrapTenantKey(masters, wrapped, { municipalityCode, kind: 'index', version }) as IndexKey;
}

/** Master-key rotation: unwrap with the old key(s), wrap under the new one. The tenant key is unchanged. */
export function rewrapTenantKey(
  oldMasters: MasterKey | readonly MasterKey[],
  newMaster: MasterKey,
  wrapped: string,
  ctx: KeyWrapContext,
): string {
  const tenantKey = unwrapTenantKey(oldMasters, wrapped, ctx);
  return wrapTenantKey(newMaster, tenantKey, ctx.municipalityCode);
}

function checkFieldAad(aad: FieldAad): void {
  checkNonEmpty(aad.municipalityCode, 'municipalityCode');
  checkNonEmpty(aad.personId, 'personId');
  if (aad.column !== undefined) checkNonEmpty(aad.column, 'column');
}

/** Encrypt a field: `v1.<keyVersion>.<iv>.<ct>.<tag>`, AES-256-GCM, AAD = (tenant, person, column, version). */
export function encryptField(dataKey: DataKey, plaintext: string, aad: FieldAad): string {
  return fieldSealer(dataKey, aad.municipalityCode, aad.column)(plaintext, aad.personId);
}

/** encryptField for many rows of one tenant and column: the key and context are checked once (a bulk import seals millions). */
export function fieldSealer(dataKey: DataKey, municipalityCode: string, column = 'my_number'): (plaintext: string, personId: string) => string {
  checkKeyBytes(dataKey.key, 'data key');
  checkVersion(dataKey.version);
  checkNonEmpty(municipalityCode, 'municipalityCode');
  checkNonEmpty(column, 'column');
  const prefix = `${FIELD_PREFIX}.${dataKey.version}.`;
  return (plaintext, personId) => {
    checkNonEmpty(personId, 'personId');
    if (typeof plaintext !== 'string') throw new VaultCryptoError('invalid_context', 'plaintext must be a string');
    const { iv, ct, tag } = gcmSeal(dataKey.key, Buffer.from(plaintext, 'utf8'), fieldAad({ municipalityCode, personId, column }, dataKey.version));
    return `${prefix}${b64url(iv)}.${b64url(ct)}.${b64url(tag)}`;
  };
}

interface ParsedField {
  readonly keyVersion: number;
  readonly iv: Buffer;
  readonly ct: Buffer;
  readonly tag: Buffer;
}

function parseField(envelope: string): ParsedField {
  const parts = typeof envelope === 'string' ? envelope.split('.') : [];
  const [prefix, ver, ivS, ctS, tagS] = parts;
  if (parts.length !== 5 || prefix !== FIELD_PREFIX || ver === undefined || !/^[1-9][0-9]{0,8}$/u.test(ver)) {
    throw new VaultCryptoError('malformed_envelope', 'field envelope is malformed');
  }
  return {
    keyVersion: Number(ver),
    iv: fromB64url(ivS ?? ''),
    ct: fromB64url(ctS ?? ''),
    tag: fromB64url(tagS ?? ''),
  };
}

/** The data-key version an envelope needs; lets the caller load only that key. */
export function envelopeKeyVersion(envelope: string): number {
  return parseField(envelope).keyVersion;
}

export function needsReencryption(envelope: string, currentVersion: number): boolean {
  return envelopeKeyVersion(envelope) !== currentVersion;
}

export function decryptField(keys: DataKey | readonly DataKey[], envelope: string, aad: FieldAad): string {
  checkFieldAad(aad);
  const parsed = parseField(envelope);
  const list: readonly DataKey[] = Array.isArray(keys) ? keys : [keys as DataKey];
  const key = list.find((k) => k.version === parsed.keyVersion);
  if (key === undefined) throw new VaultCryptoError('unknown_key', 'no data key with the version this field needs');
  checkKeyBytes(key.key, 'data key');
  const pt = gcmOpen(key.key, parsed.iv, parsed.ct, parsed.tag, fieldAad(aad, parsed.keyVersion));
  return pt.toString('utf8');
}

/** Data-key rotation: decrypt with whichever old key the envelope names, encrypt under the new key. */
export function reencryptField(
  oldKeys: DataKey | readonly DataKey[],
  newKey: DataKey,
  envelope: string,
  aad: FieldAad,
): string {
  return encryptField(newKey, decryptField(oldKeys, envelope, aad), aad);
}

/**
 * Keyed blind index for equality lookup: hex HMAC-SHA256 under the tenant's *index* key.
 * Decision: a separate random index key per tenant (wrapped like the data key), not one derived
 * from the data key, so rotating the data key never changes existing index values. The tenant
 * code is inside the MAC input, so equal numbers in two tenants never share an index value even
 * if a key were copied. Takes a parsed MyNumber so formatting variants index identically.
 */
export function blindIndex(indexKey: IndexKey, municipalityCode: string, myNumber: MyNumber): string {
  return blindIndexer(indexKey, municipalityCode)(myNumber);
}

/** blindIndex for many numbers of one tenant: the key and context are checked once. */
export function blindIndexer(indexKey: IndexKey, municipalityCode: string): (myNumber: MyNumber) => string {
  checkKeyBytes(indexKey.key, 'index key');
  checkNonEmpty(municipalityCode, 'municipalityCode');
  const head = `${JSON.stringify(['sesshu.blind-index.my-number.v1', municipalityCode]).slice(0, -1)},`;
  return (myNumber) => {
    if (typeof myNumber !== 'string' || !/^[0-9]{12}$/u.test(myNumber)) {
      throw new VaultCryptoError('invalid_context', 'blind index needs a parsed 12-digit My Number');
    }
    return createHmac('sha256', indexKey.key).update(`${head}"${myNumber}"]`).digest('hex');
  };
}

/** Constant-time comparison for blind-index values held in memory. */
export function blindIndexEquals(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
