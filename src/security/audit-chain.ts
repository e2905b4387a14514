// Per-tenant hash chains (lanes) over audit entries: entryHash = SHA-256(prevHash || canonical(entry)).
// Pure: the caller supplies entries (ordered by seq) and stores what chainEntry returns.
// control: LOG-03 (tamper-evident chain, verify names the first broken entry)
import { createHash } from 'node:crypto';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue };
export type JsonObject = { readonly [k: string]: JsonValue };

/** The hashed content of an audit entry. Absent facts are null, never undefined. */
export interface AuditEntryData {
  /** Per-tenant sequence, 1, 2, 3 … without gaps. */
  readonly seq: number;
  /** UTC instant exactly as Date#toISOString() prints it (ms precision, trailing Z). */
  readonly occurredAt: string;
  readonly municipalityCode: string;
  readonly userId: string | null;
  readonly role: string | null;
  readonly department: string | null;
  readonly terminalId: string | null;
  readonly purpose: string | null;
  readonly subjectPersonId: string | null;
  readonly action: string;
  readonly result: string;
  readonly detail: JsonObject;
}

export interface ChainedAuditEntry extends AuditEntryData {
  readonly prevHash: string;
  readonly entryHash: string;
}

export type ChainProblemKind =
  | 'malformed' // an entry cannot be canonicalised (bad field type, bad timestamp …)
  | 'wrong_tenant' // an entry of another municipality inside this tenant's chain
  | 'altered' // stored entryHash does not match the entry's own content
  | 'inserted' // a second entry with a seq already seen
  | 'out_of_order' // seq lower than expected but not a duplicate, or a later entry fills the gap
  | 'gap' // a seq is missing (deleted entry)
  | 'wrong_prev' // prevHash does not equal the previous entry's entryHash
  | 'checkpoint_mismatch' // hash differs from one recorded outside the chain
  | 'truncated'; // chain ends before a recorded checkpoint (tail deleted)

export interface ChainProblem {
  readonly kind: ChainProblemKind;
  /** The seq the problem is about (for 'gap': the missing seq). */
  readonly seq: number;
  /** Position in the input array, or -1 when the problem is past its end. */
  readonly index: number;
  readonly message: string;
}

export type ChainVerification =
  | { readonly ok: true; readonly count: number; readonly lastSeq: number; readonly lastHash: string }
  | { readonly ok: false; readonly problem: ChainProblem };

/** A known (seq, hash) pair: the chain start after a retention purge, or a head hash kept elsewhere. */
export interface ChainCheckpoint {
  readonly seq: number;
  readonly entryHash: string;
}

export interface VerifyOptions {
  /** Every entry must belong to this tenant. */
  readonly municipalityCode: string;
  /** The chain lane the entries belong to (default 0); picks the genesis hash. */
  readonly lane?: number;
  /** Where the slice starts; default: seq 0 with the lane's genesis hash. */
  readonly anchor?: ChainCheckpoint;
  /** Hashes recorded outside the database (daily digest, report sign-off). */
  readonly checkpoints?: readonly ChainCheckpoint[];
}

export class AuditChainError extends Error {
  override name = 'AuditChainError';
}

const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/u;
const HASH_RE = /^[0-9a-f]{64}$/u;
const NULLABLE_FIELDS = ['userId', 'role', 'department', 'terminalId', 'purpose', 'subjectPersonId'] as const;

/**
 * Starting prevHash of one of a tenant's chain lanes: binds the lane to its municipality (and its
 * lane number) from entry 1. Lane 0 keeps the original single-chain value, so chains written
 * before lanes existed verify unchanged. Migration 0012 computes the same value in SQL.
 */
export function genesisHash(municipalityCode: string, lane = 0): string {
  const seed = lane === 0 ? `sesshu.audit.genesis.v1\u0000${municipalityCode}` : `sesshu.audit.lane.v1/${municipalityCode}/${lane}`;
  return createHash('sha256').update(seed).digest('hex');
}

function canonicalJson(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new AuditChainError(`${path} is not a finite number`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v, `${path}[${i}]`)).join(',')}]`;
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new AuditChainError(`${path} is not a plain object`);
      const rec = value as Record<string, unknown>;
      // undefined members are dropped, as JSON/jsonb would drop them, so a stored entry re-hashes equal.
      const keys = Object.keys(rec)
        .filter((k) => rec[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new AuditChainError(`${path} has an unsupported type`);
  }
}

/**
 * Canonical serialisation: JSON, object keys sorted at every depth, no whitespace, only the
 * hashed fields (prevHash, entryHash and any database id are excluded). Throws on bad field types.
 */
export function canonicalizeAuditEntry(entry: AuditEntryData): string {
  if (!Number.isSafeInteger(entry.seq) || entry.seq < 1) throw new AuditChainError('seq must be a positive integer');
  if (typeof entry.occurredAt !== 'string' || !ISO_UTC_MS.test(entry.occurredAt) || Number.isNaN(Date.parse(entry.occurredAt))) {
    throw new AuditChainError('occurredAt must be a UTC ISO timestamp as printed by Date#toISOString()');
  }
  for (const f of ['municipalityCode', 'action', 'result'] as const) {
    if (typeof entry[f] !== 'string' || entry[f].length === 0) throw new AuditChainError(`${f} must be a non-empty string`);
  }
  for (const f of NULLABLE_FIELDS) {
    const v = entry[f];
    if (v !== null && typeof v !== 'string') throw new AuditChainError(`${f} must be a string or null`);
  }
  if (entry.detail === null || typeof entry.detail !== 'object' || Array.isArray(entry.detail)) {
    throw new AuditChainError('detail must be an object');
  }
  const picked: Record<string, unknown> = {
    seq: entry.seq,
    occurredAt: entry.occurredAt,
    municipalityCode: entry.municipalityCode,
    userId: entry.userId,
    role: entry.role,
    department: entry.department,
    terminalId: entry.terminalId,
    purpose: entry.purpose,
    subjectPersonId: entry.subjectPersonId,
    action: entry.action,
    result: entry.result,
    detail: entry.detail,
  };
  return canonicalJson(picked, 'entry');
}

export function computeEntryHash(prevHash: string, entry: AuditEntryData): string {
  if (!HASH_RE.test(prevHash)) throw new AuditChainError('prevHash must be 64 lowercase hex characters');
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalizeAuditEntry(entry), 'utf8').digest('hex');
}

/**
 * Build the next entry of one lane. `prev` is the lane's current head (null for the first entry);
 * the caller must read it and insert the result in one transaction under the lane head's lock.
 */
export function chainEntry(
  prev: ChainCheckpoint | null,
  data: Omit<AuditEntryData, 'seq'>,
  lane = 0,
): ChainedAuditEntry {
  const seq = prev === null ? 1 : prev.seq + 1;
  const prevHash = prev === null ? genesisHash(data.municipalityCode, lane) : prev.entryHash;
  const entry: AuditEntryData = { ...data, seq };
  return { ...entry, prevHash, entryHash: computeEntryHash(prevHash, entry) };
}

function problem(kind: ChainProblemKind, seq: number, index: number, message: string): ChainVerification {
  return { ok: false, problem: { kind, seq, index, message } };
}

/**
 * Verify entries ordered by seq (as the database returns them). Reports the first problem only.
 * A rewrite of every hash from some point on is detectable only through `checkpoints`.
 */
export function verifyChain(entries: readonly ChainedAuditEntry[], options: VerifyOptions): ChainVerification {
  const anchor = options.anchor ?? { seq: 0, entryHash: genesisHash(options.municipalityCode, options.lane ?? 0) };
  const checkpoints = new Map((options.checkpoints ?? []).map((c) => [c.seq, c.entryHash]));
  const seqsPresent = new Set(entries.map((e) => e.seq));
  const seen = new Set<number>();
  let prevSeq = anchor.seq;
  let prevHash = anchor.entryHash;

  for (const [index, e] of entries.entries()) {
    const seqLabel = Number.isSafeInteger(e.seq) ? e.seq : prevSeq + 1;
    let recomputed: string;
    try {
      recomputed = computeEntryHash(HASH_RE.test(e.prevHash) ? e.prevHash : '0'.repeat(64), e);
    } catch (err) {
      return problem('malformed', seqLabel, index, `entry ${seqLabel}: ${(err as Error).message}`);
    }
    if (e.municipalityCode !== options.municipalityCode) {
      return problem('wrong_tenant', e.seq, index, `entry ${e.seq} belongs to another municipality`);
    }
    if (!HASH_RE.test(e.prevHash) || e.entryHash !== recomputed) {
      return problem('altered', e.seq, index, `entry ${e.seq} was altered: its hash does not match its content`);
    }
    const expected = prevSeq + 1;
    if (seen.has(e.seq) || e.seq === prevSeq) {
      return problem('inserted', e.seq, index, `entry ${e.seq} appears twice: an entry was inserted`);
    }
    if (e.seq < expected) {
      return problem('out_of_order', e.seq, index, `entry ${e.seq} is out of order (expected ${expected})`);
    }
    if (e.seq > expected) {
      if (seqsPresent.has(expected)) {
        return problem('out_of_order', e.seq, index, `entry ${e.seq} is out of order (expected ${expected})`);
      }
      return problem('gap', expected, index, `entry ${expected} is missing: entries were deleted before ${e.seq}`);
    }
    if (e.prevHash !== prevHash) {
      return problem(
        'wrong_prev',
        e.seq,
        index,
        `entry ${e.seq} does not link to entry ${prevSeq}: one of them was altered, or an entry was replaced`,
      );
    }
    const cp = checkpoints.get(e.seq);
    if (cp !== undefined && cp !== e.entryHash) {
      return problem('checkpoint_mismatch', e.seq, index, `entry ${e.seq} differs from its recorded checkpoint`);
    }
    seen.add(e.seq);
    prevSeq = e.seq;
    prevHash = e.entryHash;
  }

  const beyond = [...checkpoints.keys()].filter((s) => s > prevSeq).sort((a, b) => a - b)[0];
  if (beyond !== undefined) {
    return problem('truncated', beyond, -1, `the chain ends at ${prevSeq} but a checkpoint exists for ${beyond}`);
  }
  return { ok: true, count: entries.length, lastSeq: prevSeq, lastHash: prevHash };
}
