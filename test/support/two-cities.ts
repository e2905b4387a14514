// The ledger tests' setting: two municipalities on one engine (上越市 and 熊谷市, so every test can
// try the other one's ids), and officers built directly as the services receive them.
import type { Database } from '../../src/db/client.ts';
import { createTenant } from '../../src/modules/tenants/service.ts';
import type { Actor, Permission, RoleId } from '../../src/security/actor.ts';
import { PERMISSIONS } from '../../src/security/actor.ts';
import { ephemeralKeyring } from '../../src/security/keyring.ts';
import { createVault, type Vault } from '../../src/security/vault.ts';
import type { TestEngine } from './engines.ts';

export const JOETSU = '152226';
export const KUMAGAYA = '112020';
/** The resident-file columns the ledger tests fill. */
export const RESIDENT_HEADER = '宛名番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,住民区分';

/** Every permission except My Number's. */
export const WITHOUT_MY_NUMBER: readonly Permission[] = PERMISSIONS.filter((p) => !p.startsWith('mynumber'));

export function staffActor(code: string, userId: string, role: RoleId = 'officer', perms: readonly Permission[] = WITHOUT_MY_NUMBER): Actor {
  return { userId, loginId: userId, displayName: userId, role, department: 'd', municipalityCode: code, terminalId: 't', purpose: 'test', permissions: new Set(perms) };
}

/** Opens the engine with both municipalities created. */
export async function openTwoCities(engine: TestEngine): Promise<{ db: Database; vault: Vault }> {
  const db = await engine.open();
  const vault = createVault(ephemeralKeyring());
  await createTenant(db, vault, { code: JOETSU, name: '上越市', prefecture: '新潟県' });
  await createTenant(db, vault, { code: KUMAGAYA, name: '熊谷市', prefecture: '埼玉県' });
  return { db, vault };
}
