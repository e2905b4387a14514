// control: LOG-06 — every tenant-set interval a digest of the access log (who, when, which data,
// what access) is made for the responsible staff, who read it on /audit/digests and mark it
// reviewed; periods follow each other without gaps; each municipality sees only its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/security/actor.ts';
import { getDigest, makeDueDigest, makeDueDigests, startDigestTimer } from '../../src/security/access-digest.ts';
import { actorFor, auditRows, seedAudit } from '../support/actors.ts';
import type { Client, TestApp } from '../support/app.ts';
import { createTestApp, signedInAdmin } from '../support/app.ts';
import { testEngines } from '../support/engines.ts';

const A = '152226';
const B = '112020';
const MIN = 60_000;

describe.each(testEngines)('access digests on $name', (engine) => {
  let t: TestApp;
  let admin: Client;
  let adminB: Client;
  let actorA: Actor;
  const t0 = new Date(Date.now() + 5 * MIN); // after the sign-ins below
  const clerk = { userId: 'clerk-1', role: 'officer', department: '健康課', terminalId: 'pc-7', purpose: '予防接種事務' };

  beforeAll(async () => {
    t = await createTestApp(await engine.open());
    admin = await signedInAdmin(t, A, '上越市');
    adminB = await signedInAdmin(t, B, '熊谷市');
    actorA = await actorFor(t.db, A, 'admin');
  });
  afterAll(async () => {
    await t?.close();
    await t?.db.close();
  });

  let firstId = '';

  it('sums up the last interval per user, action and result, with the number of residents', async () => {
    for (const [person, minutes] of [['p-1', 1], ['p-2', 2], ['p-1', 3]] as const) {
      await seedAudit(t.db, A, clerk, { action: 'person.view', result: 'ok', subjectPersonId: person }, new Date(t0.getTime() + minutes * MIN));
    }
    await seedAudit(t.db, A, clerk, { action: 'mynumber.reveal', result: 'denied', subjectPersonId: 'p-2' }, new Date(t0.getTime() + 4 * MIN));
    await seedAudit(t.db, B, clerk, { action: 'person.view', result: 'ok', subjectPersonId: 'b-1' }, new Date(t0.getTime() + 4 * MIN));
    const digest = await makeDueDigest(t.db, A, new Date(t0.getTime() + 10 * MIN));
    expect(digest).not.toBeNull();
    firstId = digest?.id ?? '';
    expect((digest?.periodTo.getTime() ?? 0) - (digest?.periodFrom.getTime() ?? 0)).toBe(30 * MIN);
    const views = digest?.lines.find((l) => l.action === 'person.view' && l.userId === 'clerk-1');
    expect(views).toMatchObject({ result: 'ok', count: 3, persons: 2, role: 'officer' });
    expect(digest?.lines.find((l) => l.action === 'mynumber.reveal')).toMatchObject({ result: 'denied', count: 1, persons: 1 });
    expect(digest?.lines.some((l) => l.userId === null || l.action === 'audit.digest')).toBe(false);
    // B's entry is not in A's digest.
    expect(digest?.lines.filter((l) => l.action === 'person.view').reduce((n, l) => n + l.count, 0)).toBe(3);
    expect((await auditRows(t.db, A, 'audit.digest'))[0]).toMatchObject({ result: 'ok', user_id: 'system:access-digest' });
  });

  it('is not made again before the interval is up, then continues where the last one ended', async () => {
    expect(await makeDueDigest(t.db, A, new Date(t0.getTime() + 20 * MIN))).toBeNull();
    await seedAudit(t.db, A, clerk, { action: 'person.search', result: 'ok' }, new Date(t0.getTime() + 25 * MIN));
    const next = await makeDueDigest(t.db, A, new Date(t0.getTime() + 41 * MIN));
    const first = await getDigest(t.db, actorA, firstId);
    expect(next?.periodFrom.getTime()).toBe(first.periodTo.getTime());
    expect(next?.lines.map((l) => l.action)).toEqual(['person.search']);
    expect(next?.entries).toBe(1);
  });

  it('makes every municipality’s due digest in one round', async () => {
    const errors: string[] = [];
    const made = await makeDueDigests(t.db, new Date(t0.getTime() + 42 * MIN), (code) => errors.push(code));
    expect(errors).toEqual([]);
    expect(made).toBe(1); // B's first; A's next is not due yet
  });

  it('shows the digests to the responsible staff and records who marked one reviewed', async () => {
    const list = await admin.get('/audit/digests');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('未確認のダイジェストが2件');
    const page = await admin.get(`/audit/digests/${firstId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('person.view');
    expect(page.body).toContain('clerk-1');
    const reviewed = await admin.postForm(`/audit/digests/${firstId}/review`, {}, `/audit/digests/${firstId}`);
    expect(reviewed.statusCode).toBe(303);
    expect((await getDigest(t.db, actorA, firstId)).reviewedBy).toBe(actorA.userId);
    expect((await admin.get(`/audit/digests/${firstId}?done=reviewed`)).body).toContain('確認済み');
    expect((await auditRows(t.db, A, 'audit.digest_review')).at(-1)).toMatchObject({ result: 'ok', user_id: actorA.userId });
  });

  it('keeps each municipality to its own digests, and answers a forged id with 404', async () => {
    expect((await adminB.get(`/audit/digests/${firstId}`)).statusCode).toBe(404);
    expect((await adminB.postForm(`/audit/digests/${firstId}/review`, {}, '/audit/digests')).statusCode).toBe(404);
    expect((await admin.get('/audit/digests/not-a-uuid')).statusCode).toBe(404);
    expect((await adminB.get('/audit/digests')).body).not.toContain(firstId);
  });

  it('follows the interval set on /settings, within its bounds', async () => {
    expect((await admin.postForm('/settings/access-digest', { accessDigestMinutes: '2' }, '/settings')).statusCode).toBe(400);
    expect((await admin.postForm('/settings/access-digest', { accessDigestMinutes: '120' }, '/settings')).statusCode).toBe(303);
    expect(await makeDueDigest(t.db, A, new Date(t0.getTime() + 90 * MIN))).toBeNull();
    expect(await makeDueDigest(t.db, A, new Date(t0.getTime() + 161 * MIN))).not.toBeNull();
  });

  it('runs on a timer until stopped', async () => {
    const made: string[] = [];
    const stop = startDigestTimer(t.db, { everyMs: 10, now: () => new Date(t0.getTime() + 1000 * MIN), onError: (code) => made.push(`error ${code}`) });
    await new Promise((r) => setTimeout(r, 400));
    await stop();
    expect(made).toEqual([]);
    const res = await adminB.get('/audit/digests');
    expect((res.body.match(/href="\/audit\/digests\/[0-9a-f-]{36}"/g) ?? []).length).toBe(2);
  });
});
