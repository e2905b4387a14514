// The single, named escape hatch around tenant isolation (STYLE.md habit 2). It runs as the
// database owner, so row-level security does not apply: it is for migrations, tenant creation and
// cross-tenant jobs only. Every use records its written reason; a test checks which modules call it.
import os from 'node:os';
import type { Database, Transaction } from './client.ts';
import type { ScopedTx } from './scoped.ts';

export async function withSystemAccess<T>(db: Database, reason: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  if (reason.trim().length < 10) throw new Error('system access needs a written reason of at least 10 characters');
  return db.transaction(async (tx) => {
    await tx.query('INSERT INTO system_access_log (reason, os_user, pid) VALUES ($1, $2, $3)', [
      reason,
      os.userInfo().username,
      process.pid,
    ]);
    return fn(tx);
  });
}

/**
 * System work inside one tenant (its first administrator, audit verification): the reason is
 * recorded like any system access, but the work itself runs under row-level security as that
 * tenant, so it cannot touch another municipality's rows by mistake.
 */
export async function withSystemTenantAccess<T>(
  db: Database,
  reason: string,
  municipalityCode: string,
  fn: (tx: ScopedTx) => Promise<T>,
): Promise<T> {
  return withSystemAccess(db, reason, async (tx) => {
    await tx.query(
      `SELECT set_config('role', 'sesshu_app', true), set_config('sesshu.tenant', $1, true), set_config('sesshu.user', 'system', true)`,
      [municipalityCode],
    );
    return fn(tx as ScopedTx);
  });
}
