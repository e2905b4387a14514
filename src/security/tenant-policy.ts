// Per-tenant password policy, stored in tenant_settings.settings.passwordPolicy. A stored policy
// is merged over the default and validated; one that fails validation is ignored in favour of the
// default (which is strict) rather than locking every user out. control: AUTH-03, AUTH-12
import type { Database } from '../db/client.ts';
import type { ScopedTx } from '../db/scoped.ts';
import type { Actor } from './actor.ts';
import { perform } from './guard.ts';
import type { PasswordPolicy } from './password-policy.ts';
import { DEFAULT_PASSWORD_POLICY, validatePolicy } from './password-policy.ts';

/** The policy from a settings document; null when absent or invalid. */
export function policyFromSettings(raw: unknown): PasswordPolicy | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const merged = { ...DEFAULT_PASSWORD_POLICY, ...(raw as Partial<Record<keyof PasswordPolicy, unknown>>) };
  const { minLength, requireClasses, historyCount, maxAgeDays } = merged;
  if (typeof minLength !== 'number' || typeof requireClasses !== 'number' || typeof historyCount !== 'number') return null;
  if (maxAgeDays !== null && typeof maxAgeDays !== 'number') return null;
  try {
    return validatePolicy({ minLength, requireClasses, historyCount, maxAgeDays });
  } catch {
    return null;
  }
}

/** The policy of the transaction's tenant. */
export async function readPasswordPolicy(tx: ScopedTx): Promise<PasswordPolicy> {
  const [row] = await tx.query<{ policy: unknown }>(
    `SELECT settings->'passwordPolicy' AS policy FROM tenant_settings WHERE municipality_code = app_tenant_code()`,
  );
  return policyFromSettings(row?.policy) ?? DEFAULT_PASSWORD_POLICY;
}

/** A short-lived per-tenant cache: sign-in reads the policy on every attempt. */
export function createPolicyCache(ttlMs = 60_000, clock: () => number = Date.now) {
  const entries = new Map<string, { policy: PasswordPolicy; until: number }>();
  return {
    async get(tx: ScopedTx, municipalityCode: string): Promise<PasswordPolicy> {
      const hit = entries.get(municipalityCode);
      if (hit && hit.until > clock()) return hit.policy;
      const policy = await readPasswordPolicy(tx);
      entries.set(municipalityCode, { policy, until: clock() + ttlMs });
      return policy;
    },
    invalidate(municipalityCode?: string): void {
      if (municipalityCode) entries.delete(municipalityCode);
      else entries.clear();
    },
  };
}

export type PolicyCache = ReturnType<typeof createPolicyCache>;

/** Stores a tenant's password policy (settings administrators only; audited with before/after). */
export async function setPasswordPolicy(db: Database, actor: Actor, policy: PasswordPolicy): Promise<PasswordPolicy> {
  const valid = validatePolicy({ ...policy });
  const after = { minLength: valid.minLength, requireClasses: valid.requireClasses, historyCount: valid.historyCount, maxAgeDays: valid.maxAgeDays };
  return perform(db, actor, { permission: 'settings.manage', action: 'settings.password_policy', detail: { after } }, async ({ tx, note }) => {
    const before = await readPasswordPolicy(tx);
    await tx.query(
      `UPDATE tenant_settings SET settings = jsonb_set(settings, '{passwordPolicy}', $1::jsonb), updated_at = now()
        WHERE municipality_code = app_tenant_code()`,
      [JSON.stringify(after)],
    );
    note({ before: { ...before } });
    return valid;
  });
}
