import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AuditChainError,
  canonicalizeAuditEntry,
  chainEntry,
  computeEntryHash,
  genesisHash,
  verifyChain,
} from '../../src/security/audit-chain.ts';
import type { AuditEntryData, ChainedAuditEntry } from '../../src/security/audit-chain.ts';

const MUNI = '152021';
const opts = { municipalityCode: MUNI };

function data(i: number): Omit<AuditEntryData, 'seq'> {
  return {
    occurredAt: new Date(Date.UTC(2025, 3, 1, 0, 0, i)).toISOString(),
    municipalityCode: MUNI,
    userId: `u${i % 3}`,
    role: 'clerk',
    department: '健康づくり推進課',
    terminalId: 'T-01',
    purpose: i % 2 ? 'ledger' : null,
    subjectPersonId: `p-${i}`,
    action: i % 4 === 0 ? 'view' : 'update',
    result: 'ok',
    detail: { fields: ['lot', 'dose'], n: i, nested: { b: 1, a: [true, null] } },
  };
}

function buildChain(n: number): ChainedAuditEntry[] {
  const out: ChainedAuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    const prev = out.at(-1);
    out.push(chainEntry(prev ? { seq: prev.seq, entryHash: prev.entryHash } : null, data(i)));
  }
  return out;
}

/** Recompute an entry's own hash after a change, as a careful attacker would. */
function reseal(e: ChainedAuditEntry, prevHash = e.prevHash): ChainedAuditEntry {
  return { ...e, prevHash, entryHash: computeEntryHash(prevHash, e) };
}

describe('control: LOG-03 — audit hash chain', () => {
  it('LOG-03 builds a valid chain from genesis', () => {
    const chain = buildChain(10);
    expect(chain[0]?.seq).toBe(1);
    expect(chain[0]?.prevHash).toBe(genesisHash(MUNI));
    expect(chain[1]?.prevHash).toBe(chain[0]?.entryHash);
    expect(verifyChain(chain, opts)).toEqual({ ok: true, count: 10, lastSeq: 10, lastHash: chain[9]?.entryHash });
    expect(verifyChain([], opts)).toMatchObject({ ok: true, count: 0, lastSeq: 0 });
  });

  it('LOG-03 entryHash = SHA-256(prevHash || canonical)', async () => {
    const { createHash } = await import('node:crypto');
    const [e] = buildChain(1);
    if (!e) throw new Error('fixture');
    const expected = createHash('sha256').update(e.prevHash + canonicalizeAuditEntry(e)).digest('hex');
    expect(e.entryHash).toBe(expected);
  });

  it('canonical form sorts keys at every depth and ignores non-hashed fields', () => {
    const [e] = buildChain(1);
    if (!e) throw new Error('fixture');
    const reordered = { ...e, detail: { nested: { a: [true, null], b: 1 }, n: 0, fields: ['lot', 'dose'] } };
    expect(canonicalizeAuditEntry(reordered)).toBe(canonicalizeAuditEntry(e));
    expect(canonicalizeAuditEntry({ ...e, id: 99 } as ChainedAuditEntry)).toBe(canonicalizeAuditEntry(e));
    const c = canonicalizeAuditEntry(e);
    expect(c).not.toContain(' ');
    expect(c.startsWith('{"action":')).toBe(true);
    expect(c).not.toContain('entryHash');
  });

  it('canonical form is stable through a JSON round trip (as jsonb storage would do)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (v) => {
        const detail = { v } as AuditEntryData['detail'];
        const e = { ...data(1), seq: 1, detail };
        const back = JSON.parse(JSON.stringify(e)) as AuditEntryData;
        expect(canonicalizeAuditEntry(back)).toBe(canonicalizeAuditEntry(e));
      }),
    );
  });

  it('rejects malformed entries', () => {
    const base = { ...data(1), seq: 1 };
    for (const bad of [
      { ...base, seq: 0 },
      { ...base, seq: 1.5 },
      { ...base, occurredAt: '2025-04-01 09:00:00' },
      { ...base, occurredAt: '2025-04-01T00:00:00+09:00' },
      { ...base, action: '' },
      { ...base, userId: 5 },
      { ...base, detail: [] },
      { ...base, detail: { d: new Date() } },
      { ...base, detail: { n: Number.NaN } },
    ]) {
      expect(() => canonicalizeAuditEntry(bad as unknown as AuditEntryData)).toThrow(AuditChainError);
    }
  });

  it('LOG-03 detects an altered entry and names it', () => {
    const chain = buildChain(8);
    const tampered = chain.map((e) => (e.seq === 5 ? { ...e, result: 'denied' } : e));
    expect(verifyChain(tampered, opts)).toMatchObject({ ok: false, problem: { kind: 'altered', seq: 5, index: 4 } });
    const detail = chain.map((e) => (e.seq === 3 ? { ...e, detail: { ...e.detail, n: 999 } } : e));
    expect(verifyChain(detail, opts)).toMatchObject({ ok: false, problem: { kind: 'altered', seq: 3 } });
    const hashEdit = chain.map((e) => (e.seq === 2 ? { ...e, entryHash: 'f'.repeat(64) } : e));
    expect(verifyChain(hashEdit, opts)).toMatchObject({ ok: false, problem: { kind: 'altered', seq: 2 } });
  });

  it('LOG-03 an altered and resealed entry breaks the link to the next one', () => {
    const chain = buildChain(8);
    const tampered = chain.map((e) => (e.seq === 5 ? reseal({ ...e, subjectPersonId: 'p-other' }) : e));
    expect(verifyChain(tampered, opts)).toMatchObject({ ok: false, problem: { kind: 'wrong_prev', seq: 6 } });
  });

  it('LOG-03 detects a wrong prevHash (entry relinked elsewhere)', () => {
    const chain = buildChain(6);
    const tampered = chain.map((e) => (e.seq === 4 ? reseal(e, chain[1]?.entryHash) : e));
    expect(verifyChain(tampered, opts)).toMatchObject({ ok: false, problem: { kind: 'wrong_prev', seq: 4 } });
  });

  it('LOG-03 detects a deleted entry as a gap naming the missing seq', () => {
    const chain = buildChain(8);
    const deleted = chain.filter((e) => e.seq !== 4);
    expect(verifyChain(deleted, opts)).toMatchObject({ ok: false, problem: { kind: 'gap', seq: 4, index: 3 } });
    const firstDeleted = chain.slice(1);
    expect(verifyChain(firstDeleted, opts)).toMatchObject({ ok: false, problem: { kind: 'gap', seq: 1 } });
  });

  it('LOG-03 detects a deletion with renumbering', () => {
    const chain = buildChain(8);
    const renumbered = chain.filter((e) => e.seq !== 4).map((e) => (e.seq > 4 ? { ...e, seq: e.seq - 1 } : e));
    expect(verifyChain(renumbered, opts)).toMatchObject({ ok: false, problem: { kind: 'altered', seq: 4 } });
  });

  it('LOG-03 detects an inserted entry (duplicate seq), before or after the original', () => {
    const chain = buildChain(6);
    const prev = chain[2];
    if (!prev) throw new Error('fixture');
    const forged = chainEntry({ seq: prev.seq, entryHash: prev.entryHash }, { ...data(99), action: 'view' });
    expect(forged.seq).toBe(4);
    const after = [...chain.slice(0, 4), forged, ...chain.slice(4)];
    expect(verifyChain(after, opts)).toMatchObject({ ok: false, problem: { kind: 'inserted', seq: 4, index: 4 } });
    const before = [...chain.slice(0, 3), forged, ...chain.slice(3)];
    expect(verifyChain(before, opts)).toMatchObject({ ok: false, problem: { kind: 'inserted', seq: 4, index: 4 } });
  });

  it('LOG-03 detects an insertion with renumbering of the following entries', () => {
    const chain = buildChain(6);
    const prev = chain[2];
    if (!prev) throw new Error('fixture');
    const forged = chainEntry({ seq: prev.seq, entryHash: prev.entryHash }, data(50));
    const shifted = [...chain.slice(0, 3), forged, ...chain.slice(3).map((e) => ({ ...e, seq: e.seq + 1 }))];
    expect(verifyChain(shifted, opts)).toMatchObject({ ok: false, problem: { kind: 'altered', seq: 5 } });
  });

  it('LOG-03 detects reordered entries', () => {
    const chain = buildChain(6);
    const [a, b, c, d, e, f] = chain as [ChainedAuditEntry, ChainedAuditEntry, ChainedAuditEntry, ChainedAuditEntry, ChainedAuditEntry, ChainedAuditEntry];
    expect(verifyChain([a, b, d, c, e, f], opts)).toMatchObject({ ok: false, problem: { kind: 'out_of_order', seq: 4, index: 2 } });
    expect(verifyChain([a, b, c, d, f, e], opts)).toMatchObject({ ok: false, problem: { kind: 'out_of_order', seq: 6 } });
    // swapping contents but keeping seq order = the entries' seq fields change = altered
    const swapped = [a, b, { ...d, seq: 3 }, { ...c, seq: 4 }, e, f];
    expect(verifyChain(swapped, opts)).toMatchObject({ ok: false, problem: { kind: 'altered', seq: 3 } });
  });

  it('TEN-01 a chain of another tenant, or an entry moved in from one, fails', () => {
    const chain = buildChain(3);
    expect(verifyChain(chain, { municipalityCode: '112020' })).toMatchObject({ ok: false, problem: { kind: 'wrong_tenant', seq: 1 } });
    const [a, b, c] = chain as [ChainedAuditEntry, ChainedAuditEntry, ChainedAuditEntry];
    const foreign = reseal({ ...b, municipalityCode: '112020' });
    expect(verifyChain([a, foreign, c], opts)).toMatchObject({ ok: false, problem: { kind: 'wrong_tenant', seq: 2 } });
  });

  it('LOG-04 verifies a slice that starts after a retention purge, from its anchor', () => {
    const chain = buildChain(10);
    const kept = chain.slice(4);
    const anchor = { seq: 4, entryHash: chain[3]?.entryHash ?? '' };
    expect(verifyChain(kept, { ...opts, anchor })).toMatchObject({ ok: true, count: 6, lastSeq: 10 });
    expect(verifyChain(kept, opts)).toMatchObject({ ok: false, problem: { kind: 'gap', seq: 1 } });
    expect(verifyChain(kept, { ...opts, anchor: { seq: 4, entryHash: '0'.repeat(64) } })).toMatchObject({
      ok: false,
      problem: { kind: 'wrong_prev', seq: 5 },
    });
  });

  it('LOG-03 checkpoints catch a full rewrite and a deleted tail', () => {
    const chain = buildChain(6);
    const head = { seq: 6, entryHash: chain[5]?.entryHash ?? '' };
    // tail deletion is invisible to the chain alone …
    expect(verifyChain(chain.slice(0, 4), opts).ok).toBe(true);
    // … but not with a checkpoint recorded outside the database
    expect(verifyChain(chain.slice(0, 4), { ...opts, checkpoints: [head] })).toMatchObject({
      ok: false,
      problem: { kind: 'truncated', seq: 6, index: -1 },
    });
    // rewrite from entry 3 on, all hashes recomputed
    const rewritten: ChainedAuditEntry[] = chain.slice(0, 2);
    for (const e of chain.slice(2)) {
      const p = rewritten.at(-1);
      if (!p) throw new Error('fixture');
      rewritten.push(chainEntry({ seq: p.seq, entryHash: p.entryHash }, { ...e, result: 'ok-rewritten' }));
    }
    expect(verifyChain(rewritten, opts).ok).toBe(true);
    expect(verifyChain(rewritten, { ...opts, checkpoints: [head] })).toMatchObject({
      ok: false,
      problem: { kind: 'checkpoint_mismatch', seq: 6 },
    });
  });

  it('reports malformed stored rows instead of throwing', () => {
    const chain = buildChain(3);
    const broken = [chain[0], { ...chain[1], occurredAt: 'yesterday' }, chain[2]] as ChainedAuditEntry[];
    expect(verifyChain(broken, opts)).toMatchObject({ ok: false, problem: { kind: 'malformed', seq: 2 } });
    const badPrev = [chain[0], { ...chain[1], prevHash: 'xyz' }, chain[2]] as ChainedAuditEntry[];
    expect(verifyChain(badPrev, opts)).toMatchObject({ ok: false, problem: { kind: 'altered', seq: 2 } });
  });

  it('LOG-03 any single-field change anywhere is detected (property)', () => {
    const chain = buildChain(12);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 11 }),
        fc.constantFrom('userId', 'role', 'department', 'terminalId', 'purpose', 'subjectPersonId', 'action', 'result'),
        fc.string({ minLength: 1, maxLength: 8 }),
        (i, field, value) => {
          const target = chain[i];
          if (!target || target[field] === value) return;
          const copy = chain.slice();
          copy[i] = { ...target, [field]: value };
          const r = verifyChain(copy, opts);
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.problem.seq).toBe(i + 1);
        },
      ),
    );
  });
});
