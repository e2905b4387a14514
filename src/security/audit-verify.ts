// `sesshu audit verify`: re-hashes a tenant's whole chain page by page and names the first
// broken entry. The CLI runs it through system tenant access; the web page runs the same paging
// (verifyAuditChain) inside the auditor's own scoped, audited transaction. control: LOG-03
import type { Database } from '../db/client.ts';
import type { ScopedTx } from '../db/scoped.ts';
import { withSystemTenantAccess } from '../db/system.ts';
import type { ChainedAuditEntry, ChainVerification } from './audit-chain.ts';
import { genesisHash, verifyChain } from './audit-chain.ts';
import type { AuditRow } from './audit-log.ts';


const PAGE = 5000;

function toEntry(r: AuditRow): ChainedAuditEntry {
  return {
    seq: r.seq,
    occurredAt: r.occurred_at.toISOString(),
    municipalityCode: r.municipality_code,
    userId: r.user_id,
    role: r.role_id,
    department: r.department,
    terminalId: r.terminal_id,
    purpose: r.purpose,
    subjectPersonId: r.subject_person_id,
    action: r.action,
    result: r.result,
    detail: r.detail,
    prevHash: r.prev_hash,
    entryHash: r.entry_hash,
  };
}

export async function verifyAuditLog(db: Database, municipalityCode: string): Promise<ChainVerification> {
  return withSystemTenantAccess(db, `audit verify for ${municipalityCode}`, municipalityCode, (tx) => verifyAuditChain(tx, municipalityCode));
}

/** Verifies the chain of the transaction's tenant (row-level security keeps other tenants out). */
export async function verifyAuditChain(tx: ScopedTx, municipalityCode: string): Promise<ChainVerification> {
  const [head] = await tx.query<{ seq: number; entry_hash: string; anchor_seq: number; anchor_hash: string | null }>(
    'SELECT seq, entry_hash, anchor_seq, anchor_hash FROM audit_heads WHERE municipality_code = $1',
    [municipalityCode],
  );
  // After a retention purge the chain starts at the last purged entry's hash (control: LOG-04).
  let anchor =
    head && head.anchor_seq > 0 && head.anchor_hash
      ? { seq: head.anchor_seq, entryHash: head.anchor_hash }
      : { seq: 0, entryHash: genesisHash(municipalityCode) };
  let count = 0;
  // Pages overlap by nothing: each one is verified from the last hash of the page before.
  // Fetching from seq > anchor.seq - 1 includes a row that duplicates or skips, so gaps show.
  for (;;) {
    const rows = await tx.query<AuditRow>(
      // Up to the head read above: entries appended while we verify are the next run's business.
      `SELECT * FROM audit_log WHERE municipality_code = $1 AND seq > $2 AND seq <= $4 ORDER BY seq, entry_hash LIMIT $3`,
      [municipalityCode, anchor.seq, PAGE, head?.seq ?? 0],
    );
    if (rows.length === 0) break;
    const checkpoints = head ? [{ seq: head.seq, entryHash: head.entry_hash }] : [];
    const result = verifyChain(rows.map(toEntry), { municipalityCode, anchor, checkpoints: checkpoints.filter((c) => c.seq <= (rows.at(-1)?.seq ?? 0)) });
    if (!result.ok) return result;
    count += result.count;
    anchor = { seq: result.lastSeq, entryHash: result.lastHash };
    if (rows.length < PAGE) break;
  }
  // The head outside the rows catches a deleted tail: the chain must reach it.
  if (head && head.seq !== anchor.seq) {
    return {
      ok: false,
      problem: { kind: 'truncated', seq: anchor.seq + 1, index: -1, message: `entries after seq ${anchor.seq} are missing (head is at ${head.seq})` },
    };
  }
  if (head && head.seq > 0 && head.entry_hash !== anchor.entryHash) {
    return { ok: false, problem: { kind: 'checkpoint_mismatch', seq: head.seq, index: -1, message: `last entry's hash differs from the recorded head` } };
  }
  return { ok: true, count, lastSeq: anchor.seq, lastHash: anchor.entryHash };
}
