// The demo municipality that `npm start` creates on a fresh machine.
import { DEMO_MUNICIPALITY } from '../../domain/municipality-code.ts';
import type { Runtime } from '../../runtime.ts';
import { bootstrapAdmin } from '../../security/accounts.ts';
import { createTenant, getTenant } from '../tenants/service.ts';

export interface DemoSetup {
  municipalityCode: string;
  created: boolean;
  admin: { loginId: string; oneTimePassword: string } | null;
}

export async function ensureDemoTenant(rt: Runtime): Promise<DemoSetup> {
  const code = DEMO_MUNICIPALITY.code;
  if (await getTenant(rt.db, code)) return { municipalityCode: code, created: false, admin: null };
  await createTenant(rt.db, rt.services.vault, {
    code,
    name: DEMO_MUNICIPALITY.name,
    nameEn: DEMO_MUNICIPALITY.nameEn,
    prefecture: DEMO_MUNICIPALITY.prefecture,
    isDemo: true,
  });
  const admin = await bootstrapAdmin(rt.db, code, { loginId: 'admin', displayName: 'デモ管理者' });
  return { municipalityCode: code, created: true, admin: { loginId: 'admin', oneTimePassword: admin.oneTimePassword } };
}
