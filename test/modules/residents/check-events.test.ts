// control: DATA-01, RET-04 — events must be possible against the known state, applied in file order.
import { describe, expect, it } from 'vitest';
import type { ResidentEventKind, ResidentRow } from '../../../src/modules/residents/layout.ts';
import { checkEventsAgainstState, type KnownPerson, type PersonStatus } from '../../../src/modules/residents/validate-file.ts';

let rowNo = 0;
function row(addressNumber: string, kind: ResidentEventKind | null): ResidentRow {
  rowNo++;
  return {
    row: rowNo, line: rowNo + 1, addressNumber, myNumber: null, name: '山田　太郎', nameKana: 'ヤマダ　タロウ', sex: 'M',
    birthDate: '1980-01-01', postcode: null, address: 'さくら市本町1-1-1', householdNumber: null, relationship: null,
    event: kind === null ? null : { kind, date: '2025-04-01' }, residentType: 'japanese', alias: null, romajiName: null, nationality: null,
  };
}

function known(entries: Record<string, PersonStatus>): Map<string, KnownPerson> {
  return new Map(Object.entries(entries).map(([k, status]) => [k, { status }]));
}

const state = known({ r: 'resident', o: 'moved_out', d: 'dead' });

function failing(rows: ResidentRow[], mode: 'full' | 'delta', s = state): string[] {
  return checkEventsAgainstState(rows, s, mode).map((e) => `${rows.find((r) => r.row === e.row)?.addressNumber}:${e.value}`);
}

describe('control: DATA-01 checkEventsAgainstState — delta', () => {
  it('refuses 死亡/転出/転居/氏名変更/職権消除 of an unknown person', () => {
    for (const kind of ['death', 'move_out', 'relocation', 'name_change', 'ex_officio_removal'] as const) {
      expect(failing([row('new', kind)], 'delta')).toHaveLength(1);
    }
  });

  it('accepts 出生/転入/職権記載 of an unknown person, and refuses them for a resident', () => {
    for (const kind of ['birth', 'move_in', 'ex_officio_entry'] as const) {
      expect(failing([row('new', kind)], 'delta')).toEqual([]);
      expect(failing([row('r', kind)], 'delta')).toHaveLength(1);
    }
  });

  it('refuses any event for a dead person', () => {
    for (const kind of ['birth', 'move_in', 'move_out', 'death', 'relocation', 'name_change', 'ex_officio_entry', 'ex_officio_removal'] as const) {
      const errors = checkEventsAgainstState([row('d', kind)], state, 'delta');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ column: '異動事由', code: 'impossible_event' });
      expect(errors[0]?.reason.ja).toContain('死亡');
    }
  });

  it('lets a moved-out person come back (転入) but nothing else', () => {
    expect(failing([row('o', 'move_in')], 'delta')).toEqual([]);
    expect(failing([row('o', 'relocation')], 'delta')).toEqual(['o:転居']);
    expect(failing([row('o', 'death')], 'delta')).toEqual(['o:死亡']);
    expect(failing([row('o', 'birth')], 'delta')).toEqual(['o:出生']);
  });

  it('applies events in file order', () => {
    // 転入 makes the person known; later events then apply to a resident.
    expect(failing([row('n', 'move_in'), row('n', 'relocation'), row('n', 'move_out'), row('n', 'move_in'), row('n', 'death')], 'delta')).toEqual([]);
    expect(failing([row('n', 'relocation'), row('n', 'move_in')], 'delta')).toEqual(['n:転居']);
    expect(failing([row('r', 'death'), row('r', 'name_change')], 'delta')).toEqual(['r:氏名変更']);
    expect(failing([row('r', 'move_out'), row('r', 'relocation')], 'delta')).toEqual(['r:転居']);
  });

  it('does not change the caller\'s map', () => {
    const s = known({ r: 'resident' });
    checkEventsAgainstState([row('r', 'death')], s, 'delta');
    expect(s.get('r')?.status).toBe('resident');
  });
});

describe('control: RET-04 checkEventsAgainstState — full', () => {
  it('accepts restatements of the current state', () => {
    expect(failing([row('r', 'birth'), row('o', 'move_out'), row('d', 'death'), row('new', 'move_in'), row('x', null)], 'full')).toEqual([]);
  });

  it('accepts possible transitions', () => {
    expect(failing([row('r', 'move_out')], 'full')).toEqual([]);
    expect(failing([row('r', 'death')], 'full')).toEqual([]);
    expect(failing([row('o', 'move_in')], 'full')).toEqual([]);
  });

  it('refuses a dead person shown alive and a moved-out person back without 転入', () => {
    expect(failing([row('d', 'relocation')], 'full')).toEqual(['d:転居']);
    expect(failing([row('d', null)], 'full')).toEqual(['d:']);
    expect(failing([row('o', 'relocation')], 'full')).toEqual(['o:転居']);
    expect(failing([row('o', 'death')], 'full')).toEqual(['o:死亡']);
  });
});
