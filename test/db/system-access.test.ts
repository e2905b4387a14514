// The escape hatch around row-level security is allowed in few, named modules (STYLE.md habit 2).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ALLOWED = new Set([
  'src/db/system.ts', // defines it
  'src/modules/tenants/service.ts', // a new tenant has no rows RLS could let anyone write
  'src/security/accounts.ts', // the first administrator of a tenant (runs under RLS as that tenant)
  'src/security/audit-verify.ts', // the CLI verifier (runs under RLS as that tenant)
  'src/security/audit-retention.ts', // deletes expired audit entries the application role cannot delete
  'src/security/key-rotation.ts', // re-wraps and re-encrypts keys the application role cannot write
]);

describe('system access', () => {
  it('is used only by the allowed modules', () => {
    const out = execFileSync('git', ['grep', '-l', '-E', 'withSystem(Tenant)?Access\\(', '--', 'src'], { encoding: 'utf8' });
    const users = out.split('\n').filter(Boolean);
    expect(users.filter((f) => !ALLOWED.has(f))).toEqual([]);
  });
});
