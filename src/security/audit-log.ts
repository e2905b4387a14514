// Appends hash-chained audit entries inside the caller's scoped transaction, so the entry commits
// or rolls back with the action it records. Each tenant has a few chain lanes (migration 0012).
// control: LOG-01, LOG-02, LOG-03
import type { ScopedTx } from '../db/scoped.ts';
import type { JsonObject } from './audit-chain.ts';
import { chainEntry } from './audit-chain.ts';

export type AuditResult = 'ok' | 'denied' | 'failed';

/** Who did it; an Actor fits, and so do pre-login attempts that only know a login id. */
export interface AuditWho {
  readonly userId: string | null;
  readonly role: string | null;
  readonly department: string | null;
  readonly terminalId: string | null;
  readonly purpose: string | null;
}

export interface AuditEvent {
  /** Typed event code, e.g. 'login.ok', 'person.view', 'mynumber.reveal'. */
  readonly action: string;
  readonly result: AuditResult;
  readonly subjectPersonId?: string | null;
  readonly detail?: JsonObject;
}

/** A row of audit_log as the database returns it. */
export interface AuditRow {
  lane: number;
  seq: number;
  occurred_at: Date;
  municipality_code: string;
  user_id: string | null;
  role_id: string | null;
  department: string | null;
  terminal_id: string | null;
  purpose: string | null;
  subject_person_id: string | null;
  action: string;
  result: string;
  detail: JsonObject;
  prev_hash: string;
  entry_hash: string;
}

interface HeadRow {
  municipality_code: string;
  lane: number;
  seq: number;
  entry_hash: string;
}

/** Chain lanes per tenant: how many audited transactions of one tenant can run without waiting. */
export const AUDIT_LANES = 8;

/** The lane each open transaction appends to: it holds that lane's head until it ends. */
const heldLane = new WeakMap<ScopedTx, number>();

const HEAD_COLUMNS = 'municipality_code, lane, seq, entry_hash';

/**
 * Locks a chain lane's head for this transaction. A transaction keeps the lane it took first, so
 * its entries stay in one chain; otherwise it takes the lowest lane no other transaction holds
 * (SKIP LOCKED: no waiting), and only when every lane is busy waits for one picked at random. On a
 * single connection (PGlite) lane 0 is always free, so everything stays in lane 0 as before.
 */
async function lockLane(tx: ScopedTx): Promise<HeadRow | undefined> {
  const held = heldLane.get(tx);
  if (held !== undefined) {
    const [head] = await tx.query<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM audit_heads WHERE municipality_code = app_tenant_code() AND lane = $1`, [held]);
    return head;
  }
  const [free] = await tx.query<HeadRow>(
    `SELECT ${HEAD_COLUMNS} FROM audit_heads WHERE municipality_code = app_tenant_code() ORDER BY lane LIMIT 1 FOR UPDATE SKIP LOCKED`,
  );
  const head =
    free ??
    (await tx.query<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM audit_heads WHERE municipality_code = app_tenant_code() ORDER BY random() LIMIT 1 FOR UPDATE`))[0];
  if (head) heldLane.set(tx, head.lane);
  return head;
}

export async function appendAudit(tx: ScopedTx, who: AuditWho, event: AuditEvent, now: Date = new Date()): Promise<number> {
  // control: LOG-03 — the lane head's row lock orders the appends of one lane; other lanes of the
  // same tenant stay free for concurrent transactions.
  const head = await lockLane(tx);
  if (!head) throw new Error('audit chain head missing for this municipality (was the tenant created with `sesshu tenant create`?)');
  const entry = chainEntry(
    head.seq === 0 ? null : { seq: head.seq, entryHash: head.entry_hash },
    {
      occurredAt: new Date(Math.floor(now.getTime())).toISOString(),
      municipalityCode: head.municipality_code,
      userId: who.userId,
      role: who.role,
      department: who.department,
      terminalId: who.terminalId,
      purpose: who.purpose,
      subjectPersonId: event.subjectPersonId ?? null,
      action: event.action,
      result: event.result,
      detail: event.detail ?? {},
    },
    head.lane,
  );
  // One statement for the entry and the head: the lane is held for one round trip less.
  await tx.query(
    `WITH entry AS (
       INSERT INTO audit_log (municipality_code, lane, seq, occurred_at, user_id, role_id, department, terminal_id, purpose,
         subject_person_id, action, result, detail, prev_hash, entry_hash)
       VALUES (app_tenant(), $14, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       RETURNING lane, seq, entry_hash)
     UPDATE audit_heads h SET seq = entry.seq, entry_hash = entry.entry_hash FROM entry
      WHERE h.municipality_code = app_tenant_code() AND h.lane = entry.lane`,
    [
      entry.seq, entry.occurredAt, entry.userId, entry.role, entry.department, entry.terminalId, entry.purpose,
      entry.subjectPersonId, entry.action, entry.result, JSON.stringify(entry.detail), entry.prevHash, entry.entryHash, head.lane,
    ],
  );
  return entry.seq;
}

export function auditWho(actor: {
  userId: string;
  role: string;
  department: string;
  terminalId: string;
  purpose: string;
}): AuditWho {
  return { userId: actor.userId, role: actor.role, department: actor.department, terminalId: actor.terminalId, purpose: actor.purpose };
}
