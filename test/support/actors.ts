// Actors for service-level tests, built the way sessions.resolve() builds them: the account's row
// and its role's permissions as data, in the account's own tenant scope.
import type { Database } from '../../src/db/client.ts';
import { withTenantScope } from '../../src/db/scoped.ts';
import type { Actor, Permission, RoleId } from '../../src/security/actor.ts';
import { isPermission } from '../../src/security/actor.ts';
import { appendAudit } from '../../src/security/audit-log.ts';
import type { AuditEvent, AuditWho } from '../../src/security/audit-log.ts';

export const testScope = (code: string) => ({ municipalityCode: code, userId: 'test', terminalId: 'test', purpose: 'test' });

export async function actorFor(db: Database, code: string, loginId: string): Promise<Actor> {
  return withTenantScope(db, testScope(code), async (tx) => {
    const [row] = await tx.query<{ id: string; display_name: string; department: string; role_id: RoleId; permissions: string[] }>(
      `SELECT a.id, a.display_name, a.department, a.role_id,
              ARRAY(SELECT permission_id FROM role_permissions rp WHERE rp.role_id = a.role_id ORDER BY 1) AS permissions
         FROM staff_accounts a WHERE login_id = $1`,
      [loginId],
    );
    if (!row) throw new Error(`no account ${loginId} in ${code}`);
    return {
      userId: row.id,
      loginId,
      displayName: row.display_name,
      role: row.role_id,
      department: row.department,
      municipalityCode: code,
      terminalId: 'test-terminal',
      purpose: '予防接種事務',
      permissions: new Set<Permission>(row.permissions.filter(isPermission)),
    };
  });
}

/** Writes an audit entry at a chosen time, through the real chained append. */
export async function seedAudit(db: Database, code: string, who: AuditWho, event: AuditEvent, at: Date): Promise<number> {
  return withTenantScope(db, testScope(code), (tx) => appendAudit(tx, who, event, at));
}

export async function auditRows(db: Database, code: string, action: string): Promise<{ user_id: string | null; result: string; detail: Record<string, unknown> }[]> {
  return withTenantScope(db, testScope(code), (tx) =>
    tx.query<{ user_id: string | null; result: string; detail: Record<string, unknown> }>(
      'SELECT user_id, result, detail FROM audit_log WHERE action = $1 ORDER BY seq',
      [action],
    ),
  );
}
