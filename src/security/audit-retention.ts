// Audit retention (control: LOG-04): keep at least a year (the tenant may set longer); purge
// older entries as a prefix of each chain lane and re-anchor verification of each lane on its last purged hash.
// The application role cannot delete audit rows, so this runs through the system escape hatch.
import type { Database } from '../db/client.ts';
import { withSystemAccess } from '../db/system.ts';

export const MIN_AUDIT_RETENTION_DAYS = 366;
export const DEFAULT_AUDIT_RETENTION_DAYS = 3 * 366;

export interface PurgeResult {
  purged: number;
  /** Per chain lane that lost entries: the last purged seq, now that lane's verification anchor. */
  purgedThrough: Array<{ lane: number; seq: number }>;
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
    // Per chain lane, only a contiguous prefix: the lane's newest entry older than the limit and
    // everything before it in that lane. control: LOG-03, LOG-04
    const lasts = await tx.query<{ lane: number; seq: number; entry_hash: string; n: number }>(
      `SELECT DISTINCT ON (l.lane) l.lane, l.seq, l.entry_hash,
              (SELECT count(*)::int FROM audit_log c WHERE c.municipality_code = $1 AND c.lane = l.lane AND c.seq <= l.seq) AS n
         FROM audit_log l WHERE l.municipality_code = $1 AND l.occurred_at < $2 ORDER BY l.lane, l.seq DESC`,
      [code, olderThan],
    );
    const purged = lasts.reduce((sum, l) => sum + l.n, 0);
    const purgedThrough = lasts.map((l) => ({ lane: l.lane, seq: l.seq }));
    const result = { purged, purgedThrough, olderThan: olderThan.toISOString(), retentionDays };
    if (opts.dryRun || lasts.length === 0) return result;
    for (const last of lasts) {
      await tx.query('DELETE FROM audit_log WHERE municipality_code = $1 AND lane = $2 AND seq <= $3', [code, last.lane, last.seq]);
      await tx.query('UPDATE audit_heads SET anchor_seq = $3, anchor_hash = $4 WHERE municipality_code = $1 AND lane = $2', [code, last.lane, last.seq, last.entry_hash]);
      await tx.query(
        `INSERT INTO audit_purges (municipality_code, lane, purged_through, anchor_hash, entries, older_than, retention_days, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'retention')`,
        [code, last.lane, last.seq, last.entry_hash, last.n, olderThan, retentionDays],
      );
    }
    return result;
  });
}
