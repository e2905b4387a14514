// Audit retention (control: LOG-04): keep at least a year (the tenant may set longer); purge
// older entries as a prefix of the chain and re-anchor verification on the last purged hash.
// The application role cannot delete audit rows, so this runs through the system escape hatch.
import type { Database } from '../db/client.ts';
import { withSystemAccess } from '../db/system.ts';

export const MIN_AUDIT_RETENTION_DAYS = 366;
export const DEFAULT_AUDIT_RETENTION_DAYS = 3 * 366;

export interface PurgeResult {
  purged: number;
  purgedThrough: number;
  olderThan: string;
  retentionDays: number;
}

export function retentionDaysOf(settings: Record<string, unknown> | undefined): number {
  const v = settings?.auditRetentionDays;
  if (v === undefined) return DEFAULT_AUDIT_RETENTION_DAYS;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < MIN_AUDIT_RETENTION_DAYS) {
    throw new Error(`auditRetentionDays must be a whole number of at least ${MIN_AUDIT_RETENTION_DAYS} (1 year); got ${JSON.stringify(v)}`);
  }
  return v;
}

export async function purgeAuditLog(db: Database, code: string, now: Date, opts: { dryRun?: boolean } = {}): Promise<PurgeResult> {
  return withSystemAccess(db, `audit retention purge for ${code}`, async (tx) => {
    const [settings] = await tx.query<{ settings: Record<string, unknown> }>('SELECT settings FROM tenant_settings WHERE municipality_code = $1', [code]);
    const retentionDays = retentionDaysOf(settings?.settings);
    const olderThan = new Date(now.getTime() - retentionDays * 86_400_000);
    // Only a contiguous prefix: the newest entry older than the limit and everything before it.
    const [last] = await tx.query<{ seq: number; entry_hash: string }>(
      `SELECT seq, entry_hash FROM audit_log WHERE municipality_code = $1 AND occurred_at < $2 ORDER BY seq DESC LIMIT 1`,
      [code, olderThan],
    );
    const result = { purged: 0, purgedThrough: 0, olderThan: olderThan.toISOString(), retentionDays };
    if (!last) return result;
    const [{ n } = { n: 0 }] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log WHERE municipality_code = $1 AND seq <= $2', [code, last.seq]);
    if (opts.dryRun) return { ...result, purged: n, purgedThrough: last.seq };
    await tx.query('DELETE FROM audit_log WHERE municipality_code = $1 AND seq <= $2', [code, last.seq]);
    await tx.query('UPDATE audit_heads SET anchor_seq = $2, anchor_hash = $3 WHERE municipality_code = $1', [code, last.seq, last.entry_hash]);
    await tx.query(
      `INSERT INTO audit_purges (municipality_code, purged_through, anchor_hash, entries, older_than, retention_days, reason)
       VALUES ($1, $2, $3, $4, $5, $6, 'retention')`,
      [code, last.seq, last.entry_hash, n, olderThan, retentionDays],
    );
    return { ...result, purged: n, purgedThrough: last.seq };
  });
}
