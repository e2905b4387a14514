// The only road from application code to tenant data (STYLE.md habit 1): one transaction, run as
// the non-owner role sesshu_app with the tenant and actor set, so PostgreSQL's row-level security
// filters every statement. Repository code receives the scoped transaction and never a tenant id.
import type { Database, Transaction } from './client.ts';

export interface ScopeSettings {
  municipalityCode: string;
  userId: string;
  terminalId: string;
  purpose: string;
}

/** The non-owner role every tenant transaction runs as; row-level security applies to it. */
export const SCOPED_ROLE = 'sesshu_app';

/** A transaction already restricted to one tenant. The brand keeps raw transactions out. */
export type ScopedTx = Transaction & { readonly __scoped: true };

export async function withTenantScope<T>(db: Database, scope: ScopeSettings, fn: (tx: ScopedTx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // set_config(..., true) is transaction-local: nothing leaks to the next user of a pooled connection.
    await tx.query(
      `SELECT set_config('role', $5, true), set_config('sesshu.tenant', $1, true),
              set_config('sesshu.user', $2, true), set_config('sesshu.terminal', $3, true),
              set_config('sesshu.purpose', $4, true)`,
      [scope.municipalityCode, scope.userId, scope.terminalId, scope.purpose, SCOPED_ROLE],
    );
    return fn(tx as ScopedTx);
  });
}
