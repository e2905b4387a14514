// The demo municipality that `npm start` creates on a fresh machine.
import { DEMO_MUNICIPALITY } from '../../domain/municipality-code.ts';
import type { Runtime } from '../../runtime.ts';
import os from 'node:os';
import { consoleActor } from '../../security/actor.ts';
import { bootstrapAdmin } from '../../security/accounts.ts';
import { createCityGenerator, csvLine } from '../residents/generator.ts';
import { importResidents } from '../residents/import-service.ts';
import { createTenant, getTenant } from '../tenants/service.ts';

/** Big enough to feel like a town, small enough that the first start takes seconds. */
export const DEMO_POPULATION = 10_000;

export interface DemoSetup {
  municipalityCode: string;
  created: boolean;
  residents: number;
  admin: { loginId: string; oneTimePassword: string } | null;
}

export async function ensureDemoTenant(rt: Runtime): Promise<DemoSetup> {
  const code = DEMO_MUNICIPALITY.code;
  if (await getTenant(rt.db, code)) return { municipalityCode: code, created: false, residents: 0, admin: null };
  await createTenant(rt.db, rt.services.vault, {
    code,
    name: DEMO_MUNICIPALITY.name,
    nameEn: DEMO_MUNICIPALITY.nameEn,
    prefecture: DEMO_MUNICIPALITY.prefecture,
    isDemo: true,
  });
  const admin = await bootstrapAdmin(rt.db, code, { loginId: 'admin', displayName: 'デモ管理者' });
  const residents = await loadDemoResidents(rt, code);
  return { municipalityCode: code, created: true, residents, admin: { loginId: 'admin', oneTimePassword: admin.oneTimePassword } };
}

/** The synthetic city of the resident issue, imported like a real register feed. */
async function loadDemoResidents(rt: Runtime, code: string): Promise<number> {
  const gen = createCityGenerator({ population: DEMO_POPULATION, seed: 'sesshu-demo', asOf: '2025-04-01', years: 0, dirty: false, municipality: code, cp932: false });
  const lines = [csvLine(gen.header)];
  for (const row of gen.fullRows()) lines.push(csvLine(row));
  const outcome = await importResidents(
    { db: rt.db, vault: rt.services.vault },
    consoleActor(code, ['person.import'], 'demo city set-up', os.userInfo().username),
    { fileName: 'demo-city.csv', content: Buffer.from(`${lines.join('\n')}\n`), mode: 'full' },
  );
  if (outcome.status !== 'applied') throw new Error(`demo city import failed: ${outcome.status}`);
  return outcome.counts.inserted;
}
