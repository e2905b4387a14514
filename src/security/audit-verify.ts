// `sesshu audit verify`: re-hashes each of a tenant's chain lanes page by page and names the first
// broken entry. The CLI runs it through system tenant access; the web page runs the same paging
// (verifyAuditChain) inside the auditor's own scoped, audited transaction. control: LOG-03
import type { Database } from '../db/client.ts';
import type { ScopedTx } from '../db/scoped.ts';
import { withSystemTenantAccess } from '../db/system.ts';
import type { ChainedAuditEntry, ChainProblem, ChainVerification } from './audit-chain.ts';
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

/** Where one lane ended when it verified. */
export interface LaneHead {
  readonly lane: number;
  readonly seq: number;
  readonly entryHash: string;
}

/** The tenant's whole log: every lane intact, or the first problem of the first broken lane. */
export type AuditLogVerification =
  | { readonly ok: true; readonly count: number; readonly lanes: readonly LaneHead[] }
  | { readonly ok: false; readonly lane: number; readonly problem: ChainProblem };

interface HeadRow {
  lane: number;
  seq: number;
  entry_hash: string;
  anchor_seq: number;
  anchor_hash: string | null;
}

export async function verifyAuditLog(db: Database, municipalityCode: string): Promise<AuditLogVerification> {
  return withSystemTenantAccess(db, `audit verify for ${municipalityCode}`, municipalityCode, (tx) => verifyAuditChain(tx, municipalityCode));
}

/**
 * Verifies every chain lane of the transaction's tenant (row-level security keeps other tenants
 * out), lane by lane, and that no entry sits in a lane without a head. control: LOG-03
 */
export async function verifyAuditChain(tx: ScopedTx, municipalityCode: string): Promise<AuditLogVerification> {
  const heads = await tx.query<HeadRow>(
    'SELECT lane, seq, entry_hash, anchor_seq, anchor_hash FROM audit_heads WHERE municipality_code = $1 ORDER BY lane',
    [municipalityCode],
  );
  // Rows in a lane that has no head (an inserted lane, or a deleted head) belong to no chain.
  const [stray] = await tx.query<{ lane: number; seq: number }>(
    'SELECT lane, min(seq) AS seq FROM audit_log WHERE municipality_code = $1 AND NOT (lane = ANY($2::int[])) GROUP BY lane ORDER BY lane LIMIT 1',
    [municipalityCode, heads.map((h) => h.lane)],
  );
  if (stray) {
    return {
      ok: false,
      lane: stray.lane,
      problem: { kind: 'inserted', seq: stray.seq, index: -1, message: `lane ${stray.lane} has entries but no chain head: entries were inserted or the head deleted` },
    };
  }
  let count = 0;
  const lanes: LaneHead[] = [];
  for (const head of heads) {
    const result = await verifyLane(tx, municipalityCode, head);
    if (!result.ok) return { ok: false, lane: head.lane, problem: { ...result.problem, message: `lane ${head.lane}: ${result.problem.message}` } };
    count += result.count;
    lanes.push({ lane: head.lane, seq: result.lastSeq, entryHash: result.lastHash });
  }
  return { ok: true, count, lanes };
}

async function verifyLane(tx: ScopedTx, municipalityCode: string, head: HeadRow): Promise<ChainVerification> {
  const { lane } = head;
  // After a retention purge the lane starts at its last purged entry's hash (control: LOG-04).
  let anchor =
    head.anchor_seq > 0 && head.anchor_hash ? { seq: head.anchor_seq, entryHash: head.anchor_hash } : { seq: 0, entryHash: genesisHash(municipalityCode, lane) };
  let count = 0;
  // Pages overlap by nothing: each one is verified from the last hash of the page before.
  // Fetching from seq > anchor.seq - 1 includes a row that duplicates or skips, so gaps show.
  for (;;) {
    const rows = await tx.query<AuditRow>(
      // Up to the head read above: entries appended while we verify are the next run's business.
      `SELECT * FROM audit_log WHERE municipality_code = $1 AND lane = $5 AND seq > $2 AND seq <= $4 ORDER BY seq, entry_hash LIMIT $3`,
      [municipalityCode, anchor.seq, PAGE, head.seq, lane],
    );
    if (rows.length === 0) break;
    const checkpoints = [{ seq: head.seq, entryHash: head.entry_hash }];
    const result = verifyChain(rows.map(toEntry), {
      municipalityCode,
      lane,
      anchor,
      checkpoints: checkpoints.filter((c) => c.seq <= (rows.at(-1)?.seq ?? 0)),
    });
    if (!result.ok) return result;
    count += result.count;
    anchor = { seq: result.lastSeq, entryHash: result.lastHash };
    if (rows.length < PAGE) break;
  }
  // The head outside the rows catches a deleted tail: the chain must reach it.
  if (head.seq !== anchor.seq) {
    return {
      ok: false,
      problem: { kind: 'truncated', seq: anchor.seq + 1, index: -1, message: `entries after seq ${anchor.seq} are missing (head is at ${head.seq})` },
    };
  }
  if (head.seq > 0 && head.entry_hash !== anchor.entryHash) {
    return { ok: false, problem: { kind: 'checkpoint_mismatch', seq: head.seq, index: -1, message: `last entry's hash differs from the recorded head` } };
  }
  return { ok: true, count, lastSeq: anchor.seq, lastHash: anchor.entryHash };
}
