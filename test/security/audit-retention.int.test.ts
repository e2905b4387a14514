// control: LOG-04 — retention purges a prefix of the chain, verification re-anchors, and
// tampering is still caught afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { withSystemAccess } from '../../src/db/system.ts';
import { withTenantScope } from '../../src/db/scoped.ts';
import { createTenant } from '../../src/modules/tenants/service.ts';
import { appendAudit } from '../../src/security/audit-log.ts';
import { purgeAuditLog, retentionDaysOf } from '../../src/security/audit-retention.ts';
import { verifyAuditLog } from '../../src/security/audit-verify.ts';
import { ephemeralKeyring } from '../../src/security/keyring.ts';
import { createVault } from '../../src/security/vault.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const who = { userId: 'u1', role: 'officer', department: 'd', terminalId: 't', purpose: 'p' };
const DAY = 86_400_000;

describe.each(testEngines)('audit retention on $name', (engine) => {
  let db: Database;
  const now = new Date('2026-11-24T03:00:00.000Z');
  beforeAll(async () => {
    db = await engine.open();
    await createTenant(db, createVault(ephemeralKeyring()), { code: A, name: '上越市', prefecture: '新潟県' });
    await withTenantScope(db, { municipalityCode: A, userId: 'u1', terminalId: 't', purpose: 'p' }, async (tx) => {
      for (const ageDays of [2000, 1500, 1200, 1000, 400, 10, 1]) {
        await appendAudit(tx, who, { action: 'person.view', result: 'ok', subjectPersonId: `p${ageDays}` }, new Date(now.getTime() - ageDays * DAY));
      }
    });
  });
  afterAll(() => db?.close());

  it('refuses a retention shorter than a year', () => {
    expect(() => retentionDaysOf({ auditRetentionDays: 100 })).toThrow(/at least 366/);
    expect(retentionDaysOf({})).toBeGreaterThanOrEqual(366);
  });

  it('purges entries older than the retention period and the chain still verifies', async () => {
    expect((await purgeAuditLog(db, A, now, { dryRun: true })).purged).toBe(3);
    const r = await purgeAuditLog(db, A, now);
    expect(r).toMatchObject({ purged: 3, purgedThrough: [{ lane: 0, seq: 3 }], retentionDays: 3 * 366 });
    const v = await verifyAuditLog(db, A);
    expect(v).toMatchObject({ ok: true, count: 4 });
    expect(v.ok && v.lanes[0]).toMatchObject({ lane: 0, seq: 7 });
  });

  it('still detects an altered entry after the purge', async () => {
    await withSystemAccess(db, 'test: tamper with the audit log', (tx) =>
      tx.query(`UPDATE audit_log SET subject_person_id = 'someone-else' WHERE municipality_code = $1 AND seq = 5`, [A]),
    );
    const v = await verifyAuditLog(db, A);
    expect(v).toMatchObject({ ok: false, lane: 0, problem: { kind: 'altered', seq: 5 } });
  });
});
