// control: CRY-01 — keys rotate without losing a single My Number, on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { withTenantScope } from '../../src/db/scoped.ts';
import { importResidents } from '../../src/modules/residents/import-service.ts';
import { revealMyNumber, searchPersons } from '../../src/modules/residents/persons.ts';
import { createTenant } from '../../src/modules/tenants/service.ts';
import type { Actor } from '../../src/security/actor.ts';
import { PERMISSIONS } from '../../src/security/actor.ts';
import { rotateDataKey, rotateMasterKey } from '../../src/security/key-rotation.ts';
import { ephemeralKeyring, parseKeyring } from '../../src/security/keyring.ts';
import { syntheticMyNumber } from '../../src/security/my-number.ts';
import { createVault } from '../../src/security/vault.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const HEADER = '宛名番号,個人番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,住民区分';
const officer: Actor = {
  userId: 'u1', loginId: 'u1', displayName: 'u1', role: 'officer', department: 'd', municipalityCode: A, terminalId: 't', purpose: 'test',
  permissions: new Set(PERMISSIONS),
};

describe.each(testEngines)('key rotation on $name', (engine) => {
  let db: Database;
  const first = ephemeralKeyring();
  beforeAll(async () => {
    db = await engine.open();
    const vault = createVault(first);
    await createTenant(db, vault, { code: A, name: '上越市', prefecture: '新潟県' });
    const rows = [1, 2, 3].map((i) => `${i},${syntheticMyNumber('rot', i)},住民 ${i},ジュウミン,1,1980-01-0${i},943-0800,上越市${i},日本人`);
    const out = await importResidents({ db, vault }, officer, { fileName: 'r.csv', content: Buffer.from([HEADER, ...rows].join('\n')), mode: 'full' });
    expect(out.status).toBe('applied');
  });
  afterAll(() => db?.close());

  const envelopes = () =>
    withTenantScope(db, { municipalityCode: A, userId: 't', terminalId: 't', purpose: 't' }, (tx) =>
      tx.query<{ my_number_enc: string }>('SELECT my_number_enc FROM persons ORDER BY address_number'),
    );

  it('re-encrypts every field under a new data key', async () => {
    const result = await rotateDataKey(db, first, A);
    expect(result).toEqual({ version: 2, reencrypted: 3 });
    expect((await envelopes()).every((e) => e.my_number_enc.startsWith('v1.2.'))).toBe(true);
    const id = (await searchPersons(db, officer, { addressNumber: '2' }))[0]!.id;
    expect(await revealMyNumber(db, createVault(first), officer, id, '確認のため')).toBe(syntheticMyNumber('rot', 2));
  });

  it('re-wraps tenant keys under a new master key, after which the old one is not needed', async () => {
    const next = ephemeralKeyring();
    // The new key first (it wraps), the old one after it (it still unwraps).
    const both = parseKeyring(`n1:${next.current.key.toString('base64')},${first.current.id}:${first.current.key.toString('base64')}`);
    expect((await rotateMasterKey(db, both)).rewrapped).toBe(3); // data v1 (retired), data v2, index v1
    const onlyNew = parseKeyring(`n1:${next.current.key.toString('base64')}`);
    const id = (await searchPersons(db, officer, { addressNumber: '3' }))[0]!.id;
    expect(await revealMyNumber(db, createVault(onlyNew), officer, id, '確認のため')).toBe(syntheticMyNumber('rot', 3));
  });
});
