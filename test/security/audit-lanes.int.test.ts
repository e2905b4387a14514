// Audit chain lanes (migration 0012): a tenant's log is several hash chains, so concurrent audited
// transactions of one municipality do not queue on one head; verification walks every lane and
// names the lane and entry of any edit, deletion or insertion; retention re-anchors each lane.
// control: LOG-01, LOG-03, LOG-04
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { openScratchPostgres } from '../../src/db/scratch.ts';
import { withTenantScope } from '../../src/db/scoped.ts';
import { withSystemAccess } from '../../src/db/system.ts';
import { createTenant } from '../../src/modules/tenants/service.ts';
import { chainEntry, genesisHash } from '../../src/security/audit-chain.ts';
import { AUDIT_LANES, appendAudit } from '../../src/security/audit-log.ts';
import { purgeAuditLog } from '../../src/security/audit-retention.ts';
import { verifyAuditLog } from '../../src/security/audit-verify.ts';
import { ephemeralKeyring } from '../../src/security/keyring.ts';
import { createVault } from '../../src/security/vault.ts';
import { testScope } from '../support/actors.ts';
import { testEngines } from '../support/engines.ts';

const who = { userId: 'u1', role: 'officer', department: 'd', terminalId: 't', purpose: 'p' };
const view = (subject: string) => ({ action: 'person.view', result: 'ok', subjectPersonId: subject }) as const;
const DAY = 86_400_000;
const vault = createVault(ephemeralKeyring());
const CODES = ['152226', '112020', '011002', '131016', '141003', '231002', '271004'];

/**
 * Writes n entries to one lane exactly as appendAudit would (a single connection can only ever
 * fill lane 0 itself): chained from the lane head, head moved in the same transaction.
 */
async function appendToLane(db: Database, code: string, lane: number, n: number, at: (i: number) => Date = () => new Date()): Promise<void> {
  await withSystemAccess(db, 'test: fill one audit chain lane', async (tx) => {
    for (let i = 0; i < n; i++) {
      const [head] = await tx.query<{ seq: number; entry_hash: string }>(
        'SELECT seq, entry_hash FROM audit_heads WHERE municipality_code = $1 AND lane = $2 FOR UPDATE',
        [code, lane],
      );
      const e = chainEntry(head && head.seq > 0 ? { seq: head.seq, entryHash: head.entry_hash } : null, {
        occurredAt: at(i).toISOString(), municipalityCode: code, userId: who.userId, role: who.role, department: who.department,
        terminalId: who.terminalId, purpose: who.purpose, subjectPersonId: `lane${lane}-${i}`, action: 'person.view', result: 'ok', detail: {},
      }, lane);
      await tx.query(
        `INSERT INTO audit_log (municipality_code, lane, seq, occurred_at, user_id, role_id, department, terminal_id, purpose, subject_person_id,
           action, result, detail, prev_hash, entry_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '{}', $13, $14)`,
        [code, lane, e.seq, e.occurredAt, e.userId, e.role, e.department, e.terminalId, e.purpose, e.subjectPersonId, e.action, e.result, e.prevHash, e.entryHash],
      );
      await tx.query('UPDATE audit_heads SET seq = $3, entry_hash = $4 WHERE municipality_code = $1 AND lane = $2', [code, lane, e.seq, e.entryHash]);
    }
  });
}

const tamper = (db: Database, sql: string, params: unknown[]) => withSystemAccess(db, 'test: tamper with the audit log', (tx) => tx.query(sql, params));

describe.each(testEngines)('audit chain lanes on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.open();
    for (const code of CODES) {
      await createTenant(db, vault, { code, name: `市${code}`, prefecture: 'テスト県' });
      await withTenantScope(db, testScope(code), async (tx) => {
        for (let i = 0; i < 3; i++) await appendAudit(tx, who, view(`lane0-${i}`));
      });
      await appendToLane(db, code, 3, 4);
      await appendToLane(db, code, 5, 3);
    }
  });
  afterAll(() => db?.close());

  it('gives a new tenant every lane, with the genesis hashes migration 0012 computes in SQL', async () => {
    const [code] = CODES as [string];
    const heads = await withSystemAccess(db, 'test: read audit heads', (tx) =>
      tx.query<{ lane: number; sql_hash: string }>(
        `SELECT lane, encode(sha256(convert_to('sesshu.audit.lane.v1/' || municipality_code || '/' || lane, 'UTF8')), 'hex') AS sql_hash
           FROM audit_heads WHERE municipality_code = $1 ORDER BY lane`,
        [code],
      ),
    );
    expect(heads.map((h) => h.lane)).toEqual([...Array(AUDIT_LANES).keys()]);
    for (const h of heads.filter((x) => x.lane > 0)) expect(h.sql_hash).toBe(genesisHash(code, h.lane));
    expect(genesisHash(code, 0)).not.toBe(genesisHash(code, 1));
  });

  it('a single connection keeps writing lane 0, and verification walks every lane', async () => {
    const v = await verifyAuditLog(db, CODES[0] as string);
    expect(v).toMatchObject({ ok: true, count: 10 });
    expect(v.ok && v.lanes.map((l) => l.seq)).toEqual([3, 0, 0, 4, 0, 3, 0, 0]);
  });

  it('names the lane and entry of an edit in any lane', async () => {
    const code = CODES[1] as string;
    await tamper(db, `UPDATE audit_log SET subject_person_id = 'x' WHERE municipality_code = $1 AND lane = 3 AND seq = 2`, [code]);
    expect(await verifyAuditLog(db, code)).toMatchObject({ ok: false, lane: 3, problem: { kind: 'altered', seq: 2 } });
  });

  it('catches a deleted entry in the middle and a deleted tail of a lane', async () => {
    await tamper(db, 'DELETE FROM audit_log WHERE municipality_code = $1 AND lane = 5 AND seq = 2', [CODES[2]]);
    expect(await verifyAuditLog(db, CODES[2] as string)).toMatchObject({ ok: false, lane: 5, problem: { kind: 'gap', seq: 2 } });
    await tamper(db, 'DELETE FROM audit_log WHERE municipality_code = $1 AND lane = 3 AND seq = 4', [CODES[3]]);
    expect(await verifyAuditLog(db, CODES[3] as string)).toMatchObject({ ok: false, lane: 3, problem: { kind: 'truncated' } });
  });

  it('catches an entry moved to another lane and entries in a lane without a head', async () => {
    await tamper(db, 'UPDATE audit_log SET lane = 4 WHERE municipality_code = $1 AND lane = 5 AND seq = 3', [CODES[4]]);
    expect(await verifyAuditLog(db, CODES[4] as string)).toMatchObject({ ok: false });
    await tamper(db, 'DELETE FROM audit_heads WHERE municipality_code = $1 AND lane = 3', [CODES[5]]);
    expect(await verifyAuditLog(db, CODES[5] as string)).toMatchObject({ ok: false, lane: 3, problem: { kind: 'inserted', seq: 1 } });
  });

  it('purges a prefix of each lane and re-anchors each lane', async () => {
    const code = CODES[6] as string;
    const now = new Date('2026-11-24T03:00:00.000Z');
    const old = (i: number) => new Date(now.getTime() - (3000 - i) * DAY);
    await appendToLane(db, code, 1, 2, old);
    await appendToLane(db, code, 1, 1, () => new Date(now.getTime() - DAY));
    await appendToLane(db, code, 6, 2, old);
    const r = await purgeAuditLog(db, code, now);
    expect(r.purgedThrough).toEqual([{ lane: 1, seq: 2 }, { lane: 6, seq: 2 }]);
    expect(r.purged).toBe(4);
    const v = await verifyAuditLog(db, code);
    expect(v).toMatchObject({ ok: true, count: 11 });
    await tamper(db, `UPDATE audit_log SET action = 'person.edit' WHERE municipality_code = $1 AND lane = 1 AND seq = 3`, [code]);
    expect(await verifyAuditLog(db, code)).toMatchObject({ ok: false, lane: 1, problem: { kind: 'altered', seq: 3 } });
  });
});

// Real concurrency needs a server with several connections.
const pgUrl = process.env.SESSHU_TEST_PG_URL;
describe.skipIf(!pgUrl)('audit chain lanes under concurrency on postgres', () => {
  const code = '152226';
  const scope = testScope(code);
  let db: Database;
  beforeAll(async () => {
    db = await openScratchPostgres(pgUrl as string, AUDIT_LANES + 4);
    await createTenant(db, vault, { code, name: '上越市', prefecture: '新潟県' });
  });
  afterAll(() => db?.close());

  /** Opens a transaction that appends `n` entries and stays open until the returned release is called. */
  async function holdOpen(n: number): Promise<{ release: () => void; done: Promise<void> }> {
    let release = (): void => undefined;
    const open = new Promise<void>((r) => (release = r));
    let appended = (): void => undefined;
    const ready = new Promise<void>((r) => (appended = r));
    const done = withTenantScope(db, scope, async (tx) => {
      for (let i = 0; i < n; i++) await appendAudit(tx, who, view(`held-${i}`));
      appended();
      await open;
    });
    await Promise.race([ready, done]);
    return { release, done };
  }

  /** One append that refuses to wait for a lock longer than 300 ms. */
  const appendImpatiently = () =>
    withTenantScope(db, scope, async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = '300ms'`);
      await appendAudit(tx, who, view('impatient'));
    });

  it('two open transactions of one tenant both append at once, each in its own lane', async () => {
    const a = await holdOpen(2);
    await appendImpatiently(); // would fail with a lock timeout if it queued behind a
    a.release();
    await a.done;
    const rows = await withTenantScope(db, scope, (tx) =>
      tx.query<{ lane: number; seq: number; subject_person_id: string }>('SELECT lane, seq, subject_person_id FROM audit_log ORDER BY lane, seq'),
    );
    // Both entries of the held transaction stay in its lane, in order.
    expect(rows).toEqual([
      { lane: 0, seq: 1, subject_person_id: 'held-0' },
      { lane: 0, seq: 2, subject_person_id: 'held-1' },
      { lane: 1, seq: 1, subject_person_id: 'impatient' },
    ]);
    expect(await verifyAuditLog(db, code)).toMatchObject({ ok: true, count: 3 });
  });

  it('waits for a lane only when every lane is held, and verification catches tampering in any lane', async () => {
    const held = [];
    for (let i = 0; i < AUDIT_LANES; i++) held.push(await holdOpen(1));
    await expect(appendImpatiently()).rejects.toThrow(/lock timeout/);
    for (const h of held) h.release();
    await Promise.all(held.map((h) => h.done));
    await appendImpatiently();
    const v = await verifyAuditLog(db, code);
    expect(v.ok && v.lanes.every((l) => l.seq >= 1)).toBe(true);
    await tamper(db, `UPDATE audit_log SET result = 'denied' WHERE municipality_code = $1 AND lane = 6 AND seq = 1`, [code]);
    expect(await verifyAuditLog(db, code)).toMatchObject({ ok: false, lane: 6, problem: { kind: 'altered', seq: 1 } });
  });
});
