// Resident intake on both engines: full and delta loads, all-or-nothing rejection, idempotent
// re-import, history kept, moved-out and dead persons kept, My Number encrypted and revealed only
// with permission + purpose, search robust to 異体字, tenant isolation. controls: DATA-01, CRY-01,
// AC-04, TEN-01, LOG-01
import crypto from 'node:crypto';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.ts';
import type { Transaction } from '../../../src/db/client.ts';
import { withTenantScope } from '../../../src/db/scoped.ts';
import { withSystemAccess } from '../../../src/db/system.ts';
import { createTenant } from '../../../src/modules/tenants/service.ts';
import { importResidents } from '../../../src/modules/residents/import-service.ts';
import { createCityGenerator } from '../../../src/modules/residents/generator.ts';
import { getPerson, mergePersons, duplicateCandidates, revealMyNumber, searchPersons } from '../../../src/modules/residents/persons.ts';
import type { Actor, Permission, RoleId } from '../../../src/security/actor.ts';
import { PERMISSIONS } from '../../../src/security/actor.ts';
import { ForbiddenError } from '../../../src/security/guard.ts';
import { ephemeralKeyring } from '../../../src/security/keyring.ts';
import { syntheticMyNumber } from '../../../src/security/my-number.ts';
import { createVault } from '../../../src/security/vault.ts';
import { testEngines } from '../../support/engines.ts';

const A = '152226';
const B = '112020';
const C = '131016';
const HEADER = '宛名番号,個人番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,世帯番号,続柄,異動事由,異動日,住民区分,通称,ローマ字氏名,国籍';
const MN1 = syntheticMyNumber('test', 1);
const MN2 = syntheticMyNumber('test', 2);

function actor(code: string, role: RoleId = 'officer', permissions: readonly Permission[] = PERMISSIONS.filter((p) => p !== 'mynumber.export')): Actor {
  return { userId: `u-${role}`, loginId: role, displayName: role, role, department: '健康推進課', municipalityCode: code, terminalId: 't1', purpose: 'test', permissions: new Set(permissions) };
}
const csv = (...rows: string[]): Buffer => Buffer.from(`${[HEADER, ...rows].join('\n')}\n`, 'utf8');

describe.each(testEngines)('resident import on $name', (engine) => {
  let db: Database;
  const vault = createVault(ephemeralKeyring());
  const officer = actor(A);
  beforeAll(async () => {
    db = await engine.open();
    await createTenant(db, vault, { code: A, name: '上越市', prefecture: '新潟県' });
    await createTenant(db, vault, { code: B, name: '熊谷市', prefecture: '埼玉県' });
  });
  afterAll(() => db?.close());

  const full = csv(
    `1001,${MN1},髙橋 一郎,タカハシ イチロウ,1,1980-04-01,943-0800,新潟県上越市大手町1-2-3,501,世帯主,,,日本人,,,`,
    `1002,,山﨑 花子,ヤマサキ ハナコ,2,2024-02-29,943-0800,新潟県上越市大手町1-2-3,501,妻,,,日本人,,,`,
    `1003,${MN2},𠮷田 次郎,ヨシダ ジロウ,1,R6.4.1,943-0801,新潟県上越市本町2-1,502,世帯主,,,日本人,,,`,
    `1004,,WANG LI,ワン リー,2,1990-12-31,943-0801,新潟県上越市本町3-5,503,世帯主,,,外国人,王 麗,WANG LI,中国`,
  );

  it('loads a full file and keeps names exactly', async () => {
    const out = await importResidents({ db, vault }, officer, { fileName: 'full.csv', content: full, mode: 'full' });
    expect(out.status).toBe('applied');
    expect(out.status === 'applied' && out.counts).toMatchObject({ rows: 4, inserted: 4, updated: 0 });
    const found = await searchPersons(db, officer, { addressNumber: '1003' });
    expect(found[0]?.name).toBe('𠮷田 次郎');
    expect(found[0]?.birth_date).toBe('2024-04-01');
    // The first load into an empty table built the search indexes after the rows (migration 0013).
    const indexes = await db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'persons'`);
    expect(indexes.map((i) => i.indexname)).toEqual(
      expect.arrayContaining(['persons_birth', 'persons_household', 'persons_kana', 'persons_name', 'persons_my_number', 'persons_merged_into']),
    );
  });

  const scopeOf = (code: string) => ({ municipalityCode: code, userId: 'u', terminalId: 't', purpose: 'test' });

  it('drops no index while any municipality has persons, and stages only into temporary tables', async () => {
    const [bulk] = await withTenantScope(db, scopeOf(B), (tx) => tx.query<{ dropped: boolean }>('SELECT sesshu_persons_bulk_load_begin() AS dropped'));
    expect(bulk?.dropped).toBe(false);
    // control: TEN-01 — the COPY path (more privilege on PGlite) cannot write a tenant table.
    await expect(withTenantScope(db, scopeOf(B), (tx) => tx.copyIntoTemp('persons', ['address_number'], '"1"\n'))).rejects.toThrow(/not a temporary table/);
  });

  it('re-importing the same file changes nothing', async () => {
    const out = await importResidents({ db, vault }, officer, { fileName: 'again.csv', content: full, mode: 'full' });
    expect(out.status).toBe('duplicate');
  });

  // control: CRY-01 — only ciphertext and a blind index are stored.
  it('stores My Number only encrypted', async () => {
    const rows = await withTenantScope(db, { municipalityCode: A, userId: 't', terminalId: 't', purpose: 't' }, (tx) =>
      tx.query<{ my_number_enc: string; my_number_index: string }>(`SELECT my_number_enc, my_number_index FROM persons WHERE address_number = '1001'`),
    );
    expect(rows[0]?.my_number_enc).toMatch(/^v1\./);
    expect(JSON.stringify(rows)).not.toContain(MN1);
  });

  it('finds people by 4 facts across 異体字 and width, and by kana', async () => {
    expect((await searchPersons(db, officer, { name: '高橋一郎', sex: 'M', birthDate: '1980-04-01', address: '大手町１－２' })).map((p) => p.address_number)).toEqual(['1001']);
    expect((await searchPersons(db, officer, { name: '山崎' })).map((p) => p.address_number)).toEqual(['1002']);
    expect((await searchPersons(db, officer, { kana: 'ﾀｶﾊｼ' })).map((p) => p.address_number)).toEqual(['1001']);
    expect((await searchPersons(db, officer, { name: '吉田' })).map((p) => p.address_number)).toEqual(['1003']);
  });

  it('rejects a whole file for one bad row and changes nothing', async () => {
    const bad = csv(
      `1005,,新人 太郎,シンジン タロウ,1,2025-01-15,943-0800,新潟県上越市大手町9,504,世帯主,出生,2025-01-15,日本人,,,`,
      `1006,123456789012,誤番 花子,ゴバン ハナコ,2,2025-02-30,943-0800,新潟県上越市大手町9,504,子,出生,2025-02-01,日本人,,,`,
    );
    const out = await importResidents({ db, vault }, officer, { fileName: 'bad.csv', content: bad, mode: 'delta' });
    expect(out.status).toBe('rejected');
    if (out.status !== 'rejected') return;
    const cols = out.errors.map((e) => `${e.row}:${e.column}`);
    expect(cols).toEqual(expect.arrayContaining(['2:生年月日', '2:個人番号']));
    expect(JSON.stringify(out.errors)).not.toContain('123456789012');
    expect(await searchPersons(db, officer, { addressNumber: '1005', includeInactive: true })).toEqual([]);
    // control: LOG-01 — the attempt is on the record once, with its error count and no My Number.
    const audit = await withTenantScope(db, scopeOf(A), (tx) =>
      tx.query<{ action: string; result: string; detail: Record<string, unknown> }>(
        `SELECT action, result, detail FROM audit_log WHERE action LIKE 'person.import%' AND detail->>'file' = 'bad.csv' ORDER BY seq`,
      ),
    );
    expect(audit.map((a) => [a.action, a.result, a.detail.reason, a.detail.errors])).toEqual([['person.import', 'failed', 'ImportRejected', 2]]);
    expect(JSON.stringify(audit)).not.toContain('123456789012');
  });

  it('rejects impossible events (death of an unknown person) with the row named', async () => {
    const out = await importResidents({ db, vault }, officer, {
      fileName: 'death.csv',
      content: csv(`9999,,不明 太郎,フメイ タロウ,1,1950-01-01,943-0800,新潟県上越市大手町1,599,世帯主,死亡,2025-03-01,日本人,,,`),
      mode: 'delta',
    });
    expect(out.status === 'rejected' && out.errors[0]).toMatchObject({ row: 1, column: '異動事由', code: 'impossible_event' });
  });

  it('applies a delta in order, keeps history, and keeps moved-out and dead persons', async () => {
    const delta = csv(
      `1002,,山﨑 花子,ヤマサキ ハナコ,2,2024-02-29,943-0802,新潟県上越市新町5-5,501,妻,転居,2025-05-01,日本人,,,`,
      `1003,${MN2},𠮷田 次郎,ヨシダ ジロウ,1,2024-04-01,943-0801,新潟県上越市本町2-1,502,世帯主,死亡,2025-06-01,日本人,,,`,
      `1004,,WANG LI,ワン リー,2,1990-12-31,943-0801,新潟県上越市本町3-5,503,世帯主,転出,2025-07-01,外国人,王 麗,WANG LI,中国`,
      `1007,,新生 児,シンセイ ジ,2,2025-07-10,943-0800,新潟県上越市大手町1-2-3,501,子,出生,2025-07-10,日本人,,,`,
    );
    const out = await importResidents({ db, vault }, officer, { fileName: 'delta1.csv', content: delta, mode: 'delta' });
    expect(out.status === 'applied' && out.counts).toMatchObject({ inserted: 1, updated: 3, events: 4 });
    const dead = (await searchPersons(db, officer, { addressNumber: '1003', includeInactive: true }))[0];
    expect(dead?.status).toBe('dead');
    expect(await searchPersons(db, officer, { addressNumber: '1003' })).toEqual([]); // not a current resident
    const moved = await getPerson(db, officer, (await searchPersons(db, officer, { addressNumber: '1002' }))[0]!.id);
    expect(moved.person.address).toBe('新潟県上越市新町5-5');
    const change = moved.history.find((h) => h.kind === 'update');
    expect(change?.before?.address).toBe('新潟県上越市大手町1-2-3');
    expect(moved.history.map((h) => h.kind)).toContain('relocation');
  });

  it('flags residents missing from a later full load as removed, never deleting them', async () => {
    const out = await importResidents({ db, vault }, officer, {
      fileName: 'full2.csv',
      content: csv(`1001,,髙橋 一郎,タカハシ イチロウ,1,1980-04-01,943-0800,新潟県上越市大手町1-2-3,501,世帯主,,,日本人,,,`),
      mode: 'full',
    });
    expect(out.status === 'applied' && out.counts.absentRemoved).toBe(2); // 1002 and 1007; 1003 dead and 1004 moved out stay
    const all = await searchPersons(db, officer, { address: '上越市', includeInactive: true });
    expect(all.map((p) => `${p.address_number}:${p.status}`).sort()).toEqual(['1001:resident', '1002:removed', '1003:dead', '1004:moved_out', '1007:removed']);
    // An empty 個人番号 cell keeps the number already held.
    const id = all.find((p) => p.address_number === '1001')!.id;
    expect(await revealMyNumber(db, vault, officer, id, '本人確認のため')).toBe(MN1);
  });

  it('accepts CP932 files', async () => {
    const content = iconv.encode(`${HEADER}\r\n2001,,髙木 﨑子,タカギ サキコ,2,昭和50年5月5日,943-0800,新潟県上越市大手町7,601,世帯主,転入,2025-08-01,日本人,,,\r\n`, 'cp932');
    const out = await importResidents({ db, vault }, officer, { fileName: 'sjis.csv', content, mode: 'delta' });
    expect(out.status).toBe('applied');
    expect((await searchPersons(db, officer, { addressNumber: '2001' }))[0]?.name).toBe('髙木 﨑子');
  });

  // control: AC-04 — contractors and venues cannot reach My Number; the attempt is refused and logged.
  it('shows My Number only to permitted roles with a purpose', async () => {
    const id = (await searchPersons(db, officer, { addressNumber: '1001' }))[0]!.id;
    const contractor = actor(A, 'contractor_entry', ['person.read', 'dose.enter']);
    await expect(revealMyNumber(db, vault, contractor, id, '確認のため')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(revealMyNumber(db, vault, officer, id, '')).rejects.toThrow(/purpose/);
    const viewed = await getPerson(db, contractor, id);
    expect(viewed.person.my_number_masked).toBe('************');
    expect(JSON.stringify(viewed)).not.toContain(MN1);
    const audit = await withTenantScope(db, { municipalityCode: A, userId: 't', terminalId: 't', purpose: 't' }, (tx) =>
      tx.query<{ action: string; result: string; purpose: string }>(`SELECT action, result, purpose FROM audit_log WHERE action = 'mynumber.reveal' ORDER BY seq`),
    );
    // The empty purpose was refused before any access, so only the two attempts are entries.
    expect(audit.map((a) => a.result)).toEqual(['ok', 'denied']);
    expect(audit[0]?.purpose).toBe('本人確認のため');
  });

  // control: TEN-01 — tenant B's officer cannot find, view or reveal tenant A's persons, even by id.
  it("keeps tenant A's persons invisible to tenant B", async () => {
    const id = (await searchPersons(db, officer, { addressNumber: '1001' }))[0]!.id;
    const otherOfficer = actor(B);
    expect(await searchPersons(db, otherOfficer, { addressNumber: '1001', includeInactive: true })).toEqual([]);
    await expect(getPerson(db, otherOfficer, id)).rejects.toThrow(/no such person/);
    await expect(revealMyNumber(db, vault, otherOfficer, id, '確認のため')).rejects.toThrow(/no such person/);
    await expect(getPerson(db, otherOfficer, "1' OR '1'='1")).rejects.toThrow(/no such person/);
  });

  it('lists duplicate candidates and merges them with an audit trail', async () => {
    await importResidents({ db, vault }, officer, {
      fileName: 'dup.csv',
      content: csv(`3001,,高橋 一郎,タカハシ イチロウ,1,1980-04-01,943-0800,新潟県上越市大手町1-2-3,501,世帯主,転入,2025-09-01,日本人,,,`),
      mode: 'delta',
    });
    const pairs = await duplicateCandidates(db, officer);
    const pair = pairs.find((p) => [p.a.address_number, p.b.address_number].sort().join() === '1001,3001');
    expect(pair?.reason).toBe('name_birth_sex');
    const survivor = pair!.a.address_number === '1001' ? pair!.a : pair!.b;
    const duplicate = survivor === pair!.a ? pair!.b : pair!.a;
    await mergePersons(db, officer, { survivorId: survivor.id, duplicateId: duplicate.id, reason: '同一人物（転入時の重複登録）' });
    const after = await getPerson(db, officer, duplicate.id);
    expect(after.person.merged_into).toBe(survivor.id);
    expect(after.history[0]?.kind).toBe('merged_into');
  });

  // control: TEN-01, DATA-01 — the first load's COPY path (embedded engine) is checked under RLS.
  it('refuses the first-load COPY outside its guards and rolls back a row of another municipality', async () => {
    await createTenant(db, vault, { code: C, name: '千代田区', prefecture: '東京都' });
    const scoped = <T>(fn: (tx: Transaction) => Promise<T>): Promise<T> => withTenantScope(db, scopeOf(C), fn);
    const load = (tx: Transaction, table: string, cols: readonly string[]) =>
      tx.bulkLoadTenant ? tx.bulkLoadTenant(table, cols) : Promise.reject(new Error('no COPY path on this engine'));
    const cols = ['municipality_code', 'id', 'file_name', 'file_sha256', 'mode', 'encoding', 'rows', 'inserted', 'updated', 'unchanged', 'events', 'absent_removed', 'imported_by'];
    const row = (code: string, sha: string): string => `${code},${crypto.randomUUID()},f,${sha},full,utf8,0,0,0,0,0,0,u\n`;
    if (engine.name !== 'pglite') {
      await expect(scoped((tx) => load(tx, 'resident_imports', cols))).rejects.toThrow(/no COPY path/);
      return;
    }
    await expect(db.transaction((tx) => load(tx, 'resident_imports', cols))).rejects.toThrow(/not in a tenant-scoped transaction/);
    await expect(scoped((tx) => load(tx, 'municipalities', ['municipality_code']))).rejects.toThrow(/row-level security/);
    await expect(withTenantScope(db, scopeOf(A), (tx) => load(tx, 'persons', ['municipality_code', 'id']))).rejects.toThrow(/already holds rows/);
    // A row written with tenant A's code is invisible to C: the counts differ and nothing is kept.
    await expect(scoped(async (tx) => {
      const l = await load(tx, 'resident_imports', cols);
      await l.write(row(C, 'c1') + row(A, 'a1'));
      await l.finish();
    })).rejects.toThrow(/2 rows copied into resident_imports, but 1 are visible/);
    // Foreign keys are checked at finish(), as the skipped per-row triggers would have.
    await expect(scoped(async (tx) => {
      const l = await load(tx, 'person_history', ['municipality_code', 'person_id', 'kind', 'event_date', 'import_id', 'recorded_by']);
      await l.write(`${C},${crypto.randomUUID()},birth,2025-01-01,,u\n`);
      await l.finish();
    })).rejects.toThrow(/violates foreign key/);
    // The tenant-column key (municipality_code → municipalities) is proved by the tenant's own row.
    await expect(withTenantScope(db, scopeOf('999996'), async (tx) => {
      const l = await load(tx, 'resident_imports', cols);
      await l.write(row('999996', 'n1'));
      await l.finish();
    })).rejects.toThrow(/violates foreign key resident_imports_municipality_code_fkey/);
    // An unverified load does not commit.
    await expect(scoped(async (tx) => {
      await (await load(tx, 'resident_imports', cols)).write(row(C, 'c2'));
    })).rejects.toThrow(/not verified/);
    const left = await withSystemAccess(db, 'test: rows left after refused loads', (tx) =>
      tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM resident_imports WHERE file_sha256 IN ('c1', 'a1', 'c2')`));
    expect(left[0]?.n).toBe(0);
  });

  it('rejects a first full load for one bad row anywhere and keeps nothing of it', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${9000 + i},,試験 太郎,シケン タロウ,1,1990-01-01,100-0001,東京都千代田区千代田1-${i},${9000 + i},世帯主,,,日本人,,,`);
    rows[40] = rows[40]!.replace('1990-01-01', '1990-02-30');
    const out = await importResidents({ db, vault }, actor(C), { fileName: 'c.csv', content: csv(...rows), mode: 'full' });
    expect(out.status === 'rejected' && out.errors.map((e) => [e.row, e.column])).toEqual([[41, '生年月日']]);
    expect(await searchPersons(db, actor(C), { name: '試験' })).toEqual([]);
    const fixed = await importResidents({ db, vault }, actor(C), { fileName: 'c2.csv', content: csv(...rows.map((r) => r.replace('1990-02-30', '1990-02-28'))), mode: 'full' });
    expect(fixed.status === 'applied' && fixed.counts).toMatchObject({ rows: 50, inserted: 50 });
    expect((await searchPersons(db, actor(C), { addressNumber: '9040' }))[0]?.birth_date).toBe('1990-02-28');
  });

  // control: DATA-01, CRY-01 — a first load of several batches: each is prepared in the worker while
  // the previous one is copied; a bad row in the last batch still rejects the whole file.
  it('loads a first full file of several batches all or nothing, with the worker\'s envelopes', async () => {
    const D = '012025';
    await createTenant(db, vault, { code: D, name: '函館市', prefecture: '北海道' });
    const n = 20_000; // about 3 MB: more than one 2 MB slice
    const rows = Array.from({ length: n }, (_, i) =>
      `${i + 1},${i === n - 1 ? MN2 : ''},試験 花子,シケン ハナコ,2,1990-01-01,040-0001,北海道函館市五稜郭町${i + 1}番地,${i + 1},世帯主,,,日本人,,,`);
    const bad = [...rows];
    bad[n - 1] = bad[n - 1]!.replace('1990-01-01', '1990-02-30');
    const out = await importResidents({ db, vault }, actor(D), { fileName: 'd.csv', content: csv(...bad), mode: 'full' });
    expect(out.status === 'rejected' && out.errors.map((e) => [e.row, e.column])).toEqual([[n, '生年月日']]);
    expect(await searchPersons(db, actor(D), { addressNumber: '1' })).toEqual([]);
    const content = csv(...rows);
    const sha = crypto.createHash('sha256').update(content).digest('hex');
    const good = await importResidents({ db, vault }, actor(D), { fileName: 'd2.csv', content, mode: 'full' });
    expect(good.status === 'applied' && good.counts).toMatchObject({ rows: n, inserted: n, events: 0 });
    expect(crypto.createHash('sha256').update(content).digest('hex')).toBe(sha); // the worker got copies: the upload is intact
    const [last] = await searchPersons(db, actor(D), { addressNumber: String(n) });
    expect(await revealMyNumber(db, vault, actor(D), last!.id, '本人確認のため')).toBe(MN2);
    if (engine.name === 'pglite') {
      // The embedded engine has no autovacuum: the bulk load leaves planner statistics behind.
      const [stats] = await withTenantScope(db, scopeOf(D), (tx) => tx.query<{ reltuples: number }>(
        "SELECT reltuples::int AS reltuples FROM pg_class WHERE relname = 'persons'"));
      expect(stats?.reltuples).toBeGreaterThanOrEqual(n);
    }
  });

  it('loads a generated city', async () => {
    const gen = createCityGenerator({ population: 300, seed: 's1', asOf: '2025-04-01', years: 0, dirty: false, municipality: B, cp932: false });
    const lines = [gen.header.join(','), ...[...gen.fullRows()].map((r) => r.map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(','))];
    const out = await importResidents({ db, vault }, actor(B), { fileName: 'city.csv', content: Buffer.from(lines.join('\n')), mode: 'full' });
    expect(out.status === 'applied' && out.counts.inserted).toBe(gen.fullRowCount());
  });
});
