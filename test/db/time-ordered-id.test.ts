// Bulk-inserted ids are valid version-7 UUIDs and strictly increasing, even many in one millisecond.
import { describe, expect, it } from 'vitest';
import { timeOrderedUuids } from '../../src/db/time-ordered-id.ts';

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u;

describe('timeOrderedUuids', () => {
  it('gives valid, unique, increasing version-7 ids', () => {
    const ids = [...timeOrderedUuids(10_000), ...timeOrderedUuids(10)];
    expect(ids.every((id) => UUID7.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('stays increasing past 4096 ids in one millisecond and when the clock steps back', () => {
    let t = 4_000_000_000_000;
    const ids = [...timeOrderedUuids(9000, () => t), ...timeOrderedUuids(5, () => (t -= 10_000))];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]?.startsWith((4_000_000_000_000).toString(16).padStart(12, '0').slice(0, 8))).toBe(true);
  });
});
