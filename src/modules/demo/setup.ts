// The demo municipality that `npm start` creates on a fresh machine.
import { DEMO_MUNICIPALITY } from '../../domain/municipality-code.ts';
import type { Runtime } from '../../runtime.ts';
import os from 'node:os';
import { consoleActor } from '../../security/actor.ts';
import { bootstrapAdmin } from '../../security/accounts.ts';
import type { CityOptions } from '../residents/generator.ts';
import { createCityGenerator, csvLine } from '../residents/generator.ts';
import { confirmSubmission, importClinicFile } from '../records/clinic-import.ts';
import { ensureDemoMasters, generateDemoDoses } from '../records/demo-doses.ts';
import { todayInJapan } from '../schedule/contract.ts';
import { importResidents } from '../residents/import-service.ts';
import { createTenant, getTenant } from '../tenants/service.ts';

/** Big enough to feel like a town, small enough that the first start takes seconds. */
export const DEMO_POPULATION = 10_000;

/** The demo city's generator options; tests regenerate the same people from them. */
export function demoCityOptions(code: string = DEMO_MUNICIPALITY.code): CityOptions {
  return { population: DEMO_POPULATION, seed: 'sesshu-demo', asOf: '2025-04-01', years: 0, dirty: false, municipality: code, cp932: false };
}

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
  await loadDemoHistories(rt, code);
  return { municipalityCode: code, created: true, residents, admin: { loginId: 'admin', oneTimePassword: admin.oneTimePassword } };
}

/** The synthetic city of the resident issue, imported like a real register feed. */
async function loadDemoResidents(rt: Runtime, code: string): Promise<number> {
  const gen = createCityGenerator(demoCityOptions(code));
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

/**
 * Demo only: masters (institutions, doctors, products, lots) and synthetic vaccination histories,
 * loaded through the clinic-file import like a real submission, then confirmed as a batch by a
 * second console actor so the demo ledger starts confirmed. A real tenant's clinic files stay
 * provisional until a different staff member confirms them (DATA-03); generateDemoDoses refuses
 * non-demo tenants.
 */
export async function loadDemoHistories(rt: Runtime, code: string, asOf: string = todayInJapan()): Promise<{ doses: number; submissionId: string | null }> {
  const user = os.userInfo().username;
  const importer = consoleActor(code, ['person.read', 'settings.manage', 'dose.enter'], 'demo vaccination histories', user);
  await ensureDemoMasters(rt.db, importer, asOf);
  const chunks: Buffer[] = [];
  await generateDemoDoses(rt.db, importer, { asOf, seed: 'sesshu-demo' }, (c) => chunks.push(c));
  const outcome = await importClinicFile({ db: rt.db, today: () => asOf }, importer, { fileName: 'demo-histories.csv', content: Buffer.concat(chunks) });
  if (outcome.status === 'rejected') throw new Error(`demo histories rejected: ${JSON.stringify(outcome.errors.slice(0, 3))}`);
  if (outcome.status === 'duplicate') return { doses: 0, submissionId: outcome.submissionId };
  const checker = consoleActor(code, ['dose.confirm'], 'demo histories second check', `${user}-demo-checker`);
  await confirmSubmission(rt.db, checker, outcome.submissionId);
  return { doses: outcome.counts.inserted, submissionId: outcome.submissionId };
}
