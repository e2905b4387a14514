// LOG-06: every tenant-set interval (default 30 minutes) the server sums up the tenant's access log
// for the period — who, when, which data (action and number of distinct persons), what access
// (result) — as one digest the responsible staff (audit.read) read on /audit/digests and mark
// reviewed. Periods follow each other without gaps: a digest covers from the end of the previous
// one, so a server that was down catches up with one digest for the whole gap.
// control: LOG-06
import crypto from 'node:crypto';
import type { Database } from '../db/client.ts';
import type { ScopedTx } from '../db/scoped.ts';
import { withTenantScope } from '../db/scoped.ts';
import type { Actor } from './actor.ts';
import { appendAudit, type AuditWho } from './audit-log.ts';
import { perform } from './guard.ts';

export const DEFAULT_DIGEST_MINUTES = 30;
export const MIN_DIGEST_MINUTES = 5;
export const MAX_DIGEST_MINUTES = 1440;
/** Lines kept per digest (biggest counts first); the entry total always counts everything. */
export const MAX_DIGEST_LINES = 500;
const DIGEST_ACTION = 'audit.digest';
const SYSTEM: AuditWho = { userId: 'system:access-digest', role: null, department: null, terminalId: 'server', purpose: 'LOG-06 access digest' };

export interface DigestLine {
  userId: string | null;
  loginId: string | null;
  displayName: string | null;
  role: string | null;
  action: string;
  result: string;
  count: number;
  /** Distinct residents the entries were about. */
  persons: number;
  first: string;
  last: string;
}

export interface AccessDigest {
  id: string;
  periodFrom: Date;
  periodTo: Date;
  createdAt: Date;
  entries: number;
  lines: DigestLine[];
  reviewedBy: string | null;
  reviewedAt: Date | null;
}

export class DigestNotFoundError extends Error {
  override name = 'DigestNotFoundError';
  readonly statusCode = 404;
}

/** The interval from tenant settings (`accessDigestMinutes`); anything unusable means the default. */
export function digestMinutesOf(raw: unknown): number {
  return typeof raw === 'number' && Number.isInteger(raw) && raw >= MIN_DIGEST_MINUTES && raw <= MAX_DIGEST_MINUTES ? raw : DEFAULT_DIGEST_MINUTES;
}

interface DigestRow {
  id: string;
  period_from: Date;
  period_to: Date;
  created_at: Date;
  entries: number;
  lines: DigestLine[];
  reviewed_by: string | null;
  reviewed_at: Date | null;
}

const toDigest = (r: DigestRow): AccessDigest => ({
  id: r.id, periodFrom: new Date(r.period_from), periodTo: new Date(r.period_to), createdAt: new Date(r.created_at), entries: r.entries,
  lines: r.lines, reviewedBy: r.reviewed_by, reviewedAt: r.reviewed_at ? new Date(r.reviewed_at) : null,
});

async function summarise(tx: ScopedTx, from: Date, to: Date): Promise<{ entries: number; lines: DigestLine[] }> {
  const [total] = await tx.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM audit_log WHERE occurred_at >= $1 AND occurred_at < $2 AND action <> $3',
    [from, to, DIGEST_ACTION],
  );
  const lines = await tx.query<DigestLine>(
    `SELECT a.user_id AS "userId", s.login_id AS "loginId", s.display_name AS "displayName", a.role_id AS role, a.action, a.result,
            count(*)::int AS count, count(DISTINCT a.subject_person_id)::int AS persons,
            to_char(min(a.occurred_at) AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI:SS') AS first,
            to_char(max(a.occurred_at) AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI:SS') AS last
       FROM audit_log a LEFT JOIN staff_accounts s ON s.municipality_code = a.municipality_code AND s.id::text = a.user_id
      WHERE a.occurred_at >= $1 AND a.occurred_at < $2 AND a.action <> $3
      GROUP BY a.user_id, s.login_id, s.display_name, a.role_id, a.action, a.result
      ORDER BY count(*) DESC, a.action, a.user_id LIMIT ${MAX_DIGEST_LINES}`,
    [from, to, DIGEST_ACTION],
  );
  return { entries: total?.n ?? 0, lines };
}

/** Makes the tenant's next digest if its interval has passed since the last one; null when not due. */
export async function makeDueDigest(db: Database, code: string, now: Date): Promise<AccessDigest | null> {
  return withTenantScope(db, { municipalityCode: code, userId: SYSTEM.userId as string, terminalId: 'server', purpose: SYSTEM.purpose as string }, async (tx) => {
    const interval = (await digestMinutes(tx)) * 60_000;
    const [s] = await tx.query<{ last: Date | null }>('SELECT max(period_to) AS last FROM access_digests');
    // The first digest of a tenant covers the interval before it.
    const from = s?.last ? new Date(s.last) : new Date(now.getTime() - interval);
    if (now.getTime() - from.getTime() < interval) return null;
    const { entries, lines } = await summarise(tx, from, now);
    const id = crypto.randomUUID();
    // A second server process making the same period loses on the unique period start, quietly.
    const [made] = await tx.query<DigestRow>(
      `INSERT INTO access_digests (municipality_code, id, period_from, period_to, created_at, entries, lines)
       VALUES (app_tenant(), $1, $2, $3, $3, $4, $5::jsonb) ON CONFLICT (municipality_code, period_from) DO NOTHING
       RETURNING id, period_from, period_to, created_at, entries, lines, reviewed_by, reviewed_at`,
      [id, from, now, entries, JSON.stringify(lines)],
    );
    if (!made) return null;
    await appendAudit(tx, SYSTEM, { action: DIGEST_ACTION, result: 'ok', detail: { digestId: id, entries, from: from.toISOString(), to: now.toISOString() } }, now);
    return toDigest(made);
  });
}

/** One round for every municipality; a failure in one does not stop the others. */
export async function makeDueDigests(db: Database, now: Date, onError: (code: string, err: unknown) => void): Promise<number> {
  const tenants = await db.query<{ code: string }>('SELECT code FROM municipalities ORDER BY code');
  let made = 0;
  for (const { code } of tenants) {
    try {
      if (await makeDueDigest(db, code, now)) made++;
    } catch (err) {
      onError(code, err);
    }
  }
  return made;
}

/** Runs makeDueDigests every `everyMs` (one round at a time) until the returned stop() is called. */
export function startDigestTimer(db: Database, opts: { everyMs?: number; now?: () => Date; onError: (code: string, err: unknown) => void }): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = makeDueDigests(db, (opts.now ?? (() => new Date()))(), opts.onError)
      .catch((err: unknown) => opts.onError('*', err))
      .finally(() => {
        running = null;
      });
  }, opts.everyMs ?? 60_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

const DIGEST_COLUMNS = 'id, period_from, period_to, created_at, entries, reviewed_by, reviewed_at';

/** The newest digests, without their lines, and the tenant's interval. */
export async function listDigests(db: Database, actor: Actor, limit = 48): Promise<{ digests: AccessDigest[]; minutes: number }> {
  return perform(db, actor, { permission: 'audit.read', action: 'audit.digest_list' }, async ({ tx }) => {
    const rows = await tx.query<DigestRow>(
      `SELECT ${DIGEST_COLUMNS}, '[]'::jsonb AS lines FROM access_digests ORDER BY period_to DESC LIMIT $1`,
      [Math.min(Math.max(limit, 1), 500)],
    );
    return { digests: rows.map(toDigest), minutes: await digestMinutes(tx) };
  });
}

/** The transaction's tenant's digest interval in minutes. */
export async function digestMinutes(tx: ScopedTx): Promise<number> {
  const [row] = await tx.query<{ minutes: unknown }>(`SELECT settings->'accessDigestMinutes' AS minutes FROM tenant_settings WHERE municipality_code = app_tenant_code()`);
  return digestMinutesOf(row?.minutes);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getDigest(db: Database, actor: Actor, id: string): Promise<AccessDigest> {
  return perform(db, actor, { permission: 'audit.read', action: 'audit.digest_view', detail: { digestId: id.slice(0, 36) } }, async ({ tx }) => {
    const [row] = UUID.test(id) ? await tx.query<DigestRow>(`SELECT ${DIGEST_COLUMNS}, lines FROM access_digests WHERE id = $1`, [id.toLowerCase()]) : [];
    if (!row) throw new DigestNotFoundError('該当するダイジェストがありません (no such digest)');
    return toDigest(row);
  });
}

/** Marks a digest as read by the actor (once; the first reviewer stays on record). */
export async function markDigestReviewed(db: Database, actor: Actor, id: string, now: Date = new Date()): Promise<void> {
  await perform(db, actor, { permission: 'audit.read', action: 'audit.digest_review', detail: { digestId: id.slice(0, 36) } }, async ({ tx }) => {
    const [row] = UUID.test(id) ? await tx.query<{ id: string }>('SELECT id FROM access_digests WHERE id = $1', [id.toLowerCase()]) : [];
    if (!row) throw new DigestNotFoundError('該当するダイジェストがありません (no such digest)');
    await tx.query('UPDATE access_digests SET reviewed_by = $2, reviewed_at = $3 WHERE id = $1 AND reviewed_at IS NULL', [row.id, actor.userId, now]);
  });
}
