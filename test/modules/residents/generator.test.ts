// The synthetic city must pass our own validator, and its --dirty rows must not.
// control: DATA-01 (validator catches every deliberate error), DATA-06 (valid synthetic My Numbers)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/errors.ts';
import { RESIDENT_COLUMNS } from '../../../src/modules/residents/layout.ts';
import { createCityGenerator, csvLine, NumberSet, type CityOptions } from '../../../src/modules/residents/generator.ts';
import { deltaFileName, parseGenerateOptions, registerDemoGenerateCommand } from '../../../src/modules/residents/cli-generate.ts';
import {
  checkEventsAgainstState, validateResidentFile, type KnownPerson, type PersonStatus,
} from '../../../src/modules/residents/validate-file.ts';
import type { ResidentRow } from '../../../src/modules/residents/layout.ts';
import { parseMyNumber } from '../../../src/security/my-number.ts';

const BASE: CityOptions = { population: 1000, seed: 'test', asOf: '2025-04-01', years: 0, dirty: false, municipality: '990019', cp932: false };

function fileOf(rows: Iterable<string[]>): Buffer {
  const lines = [csvLine(RESIDENT_COLUMNS)];
  for (const r of rows) lines.push(csvLine(r));
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

function statusAfter(row: ResidentRow): PersonStatus {
  const kind = row.event?.kind;
  return kind === 'death' ? 'dead' : kind === 'move_out' || kind === 'ex_officio_removal' ? 'moved_out' : 'resident';
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-gen-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('control: DATA-01 demo city generator', () => {
  it('1,000 generated rows pass the validator and the state check', () => {
    const gen = createCityGenerator(BASE);
    const r = validateResidentFile(fileOf(gen.fullRows()));
    if (!r.ok) throw new Error(JSON.stringify(r.errors.slice(0, 3)));
    expect(r.rows).toHaveLength(1000);
    expect(checkEventsAgainstState(r.rows, new Map(), 'full')).toEqual([]);
  });

  it('--dirty rows are all rejected, each with an error on its row', () => {
    const gen = createCityGenerator({ ...BASE, population: 5000, dirty: true });
    const r = validateResidentFile(fileOf(gen.fullRows()), { maxErrors: 10_000 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(gen.dirtyRows.length).toBeGreaterThan(20);
    expect(gen.dirtyRows.length).toBeLessThan(100);
    const rowsWithErrors = new Set(r.errors.map((e) => e.row));
    for (const n of gen.dirtyRows) expect(rowsWithErrors.has(n), `dirty row ${n}`).toBe(true);
    // and nothing else is wrong
    for (const row of rowsWithErrors) expect(gen.dirtyRows).toContain(row);
    expect(JSON.stringify(r.errors)).not.toMatch(/[0-9]{12}/u); // masked My Numbers
  });

  it('is deterministic for a seed, and the seed matters', () => {
    const a = [...createCityGenerator(BASE).fullRows()];
    const b = [...createCityGenerator(BASE).fullRows()];
    const c = [...createCityGenerator({ ...BASE, seed: 'other' }).fullRows()];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('yearly deltas are valid files of possible events against the evolving state', () => {
    const gen = createCityGenerator({ ...BASE, population: 3000, years: 3 });
    const full = validateResidentFile(fileOf(gen.fullRows()));
    if (!full.ok) throw new Error('full file invalid');
    const state = new Map<string, KnownPerson>(full.rows.map((row) => [row.addressNumber, { status: statusAfter(row) }]));
    for (let k = 1; k <= 3; k++) {
      const period = gen.deltaPeriod(k);
      const delta = validateResidentFile(fileOf(gen.deltaRows(k)), { mode: 'delta' });
      if (!delta.ok) throw new Error(JSON.stringify(delta.errors.slice(0, 3)));
      expect(checkEventsAgainstState(delta.rows, state, 'delta')).toEqual([]);
      const kinds = new Set(delta.rows.map((row) => row.event?.kind));
      for (const kind of ['birth', 'death', 'move_in', 'move_out', 'relocation', 'name_change']) expect(kinds, `${k} ${kind}`).toContain(kind);
      for (const row of delta.rows) {
        const date = row.event?.date ?? '';
        expect(date >= period.from && date <= period.to).toBe(true);
        state.set(row.addressNumber, { status: statusAfter(row) });
      }
      const dates = delta.rows.map((row) => row.event?.date ?? '');
      expect([...dates].sort()).toEqual(dates); // date order
      const births = delta.rows.filter((row) => row.event?.kind === 'birth').length;
      expect(births).toBeGreaterThan(8); // ≈ 6.5 per 1,000 a year
      expect(births).toBeLessThan(35);
    }
    expect(() => gen.deltaRows(5).next()).toThrow(RangeError);
    expect(() => createCityGenerator({ ...BASE, asOf: '2025-02-30' })).toThrow(RangeError);
    expect(() => createCityGenerator({ ...BASE, population: 0 })).toThrow(RangeError);
  });

  it('looks like a Japanese city: pyramid, households, foreigners, My Numbers, 異体字', () => {
    const gen = createCityGenerator({ ...BASE, population: 20_000, seed: 'shape' });
    const r = validateResidentFile(fileOf(gen.fullRows()));
    if (!r.ok) throw new Error('invalid');
    const n = r.rows.length;
    const age = (row: ResidentRow): number => 2025 - Number(row.birthDate.slice(0, 4));
    const share = (pred: (row: ResidentRow) => boolean): number => r.rows.filter(pred).length / n;
    expect(share((x) => age(x) < 15)).toBeGreaterThan(0.09);
    expect(share((x) => age(x) < 15)).toBeLessThan(0.15);
    expect(share((x) => age(x) >= 65)).toBeGreaterThan(0.2);
    expect(share((x) => age(x) >= 45 && age(x) < 75)).toBeGreaterThan(0.35);
    expect(share((x) => x.residentType === 'foreign')).toBeGreaterThan(0.01);
    expect(share((x) => x.residentType === 'foreign')).toBeLessThan(0.03);
    expect(share((x) => x.alias !== null)).toBeGreaterThan(0);
    expect(share((x) => x.myNumber !== null)).toBeGreaterThan(0.93);
    expect(share((x) => x.myNumber !== null)).toBeLessThan(0.97);
    expect(r.rows.every((x) => x.myNumber === null || parseMyNumber(x.myNumber).ok)).toBe(true);
    expect(share((x) => x.name.startsWith('髙橋'))).toBeGreaterThan(0);
    expect(share((x) => x.name.startsWith('山﨑'))).toBeGreaterThan(0);
    // households: members share 世帯番号, address and (for Japanese) surname
    const byHousehold = new Map<string, ResidentRow[]>();
    for (const x of r.rows) byHousehold.set(x.householdNumber ?? '', [...(byHousehold.get(x.householdNumber ?? '') ?? []), x]);
    expect(n / byHousehold.size).toBeGreaterThan(1.9);
    expect(n / byHousehold.size).toBeLessThan(2.6);
    for (const members of byHousehold.values()) {
      expect(new Set(members.map((m) => m.address)).size).toBe(1);
      expect(members.filter((m) => m.relationship === '世帯主')).toHaveLength(1);
      if (members[0]?.residentType === 'japanese') expect(new Set(members.map((m) => m.name.split('　')[0])).size).toBe(1);
    }
  });

  it('writes 𠮷 in UTF-8 and substitutes it in CP932 mode', () => {
    // Seed 'y23' has a 𠮷田 household at row 1459 (𠮷田 is 0.4 % of 吉田: rare by design).
    const options = { ...BASE, population: 1500, seed: 'y23' };
    const utf8 = [...createCityGenerator(options).fullRows()];
    const yoshida = utf8.findIndex((r) => r[2]?.startsWith('𠮷田'));
    expect(yoshida).toBeGreaterThan(-1);
    const sjis = [...createCityGenerator({ ...options, cp932: true }).fullRows()];
    expect(sjis[yoshida]?.[2]?.startsWith('吉田')).toBe(true);
    for (const r of sjis) {
      const line = csvLine(r);
      if (iconv.decode(iconv.encode(line, 'cp932'), 'cp932') !== line) throw new Error(`not CP932: ${line}`);
    }
  });

  it('DATA-06: never issues one My Number twice (collisions of the synthetic draw are dropped)', () => {
    const set = new NumberSet();
    expect(set.add(0)).toBe(true);
    expect(set.add(0)).toBe(false);
    let added = 0;
    for (let i = 1; i < 100_000; i++) if (set.add(i * 1_000_003)) added++; // forces growth
    expect(added).toBe(99_999);
    expect(set.add(999_999_999_999)).toBe(true);
    expect(set.add(999_999_999_999)).toBe(false);
    expect(set.add(5 * 1_000_003)).toBe(false);
    const gen = createCityGenerator({ ...BASE, population: 2000, years: 2 });
    const numbers = [...gen.fullRows(), ...gen.deltaRows(1), ...gen.deltaRows(2)]
      .map((r) => ({ id: r[0] ?? '', n: r[1] ?? '' }))
      .filter((x) => x.n !== '');
    const owner = new Map<string, string>();
    for (const { id, n } of numbers) {
      expect(owner.get(n) ?? id, 'one number, one 宛名番号').toBe(id);
      owner.set(n, id);
    }
  });

  it('csvLine quotes only where needed', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'x\ny', ''])).toBe('a,"b,c","say ""hi""","x\ny",');
  });
});

describe('sesshu demo generate', () => {
  async function run(args: string[]): Promise<void> {
    const program = new Command('sesshu').exitOverride();
    registerDemoGenerateCommand(program.command('demo'));
    await program.parseAsync(['node', 'sesshu', 'demo', 'generate', '--quiet', ...args]);
  }

  it('writes the full file and yearly deltas (UTF-8, header, CRLF)', async () => {
    const out = path.join(tmp, 'city.csv');
    await run(['--population', '500', '--seed', 's', '--out', out, '--years', '2']);
    const text = fs.readFileSync(out, 'utf8');
    expect(text.startsWith(`${RESIDENT_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(text.split('\r\n')).toHaveLength(502);
    expect(fs.existsSync(path.join(tmp, 'city.delta-2026.csv'))).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'city.delta-2027.csv'))).toBe(true);
    expect(validateResidentFile(fs.readFileSync(path.join(tmp, 'city.delta-2027.csv')), { mode: 'delta' }).ok).toBe(true);
  });

  it('writes CP932 that the validator reads back', async () => {
    const out = path.join(tmp, 'sjis.csv');
    await run(['--population', '800', '--out', out, '--encoding', 'cp932', '--municipality', '990019']);
    const r = validateResidentFile(fs.readFileSync(out));
    expect(r.ok && r.encoding).toBe('cp932');
    expect(r.ok && r.rows).toHaveLength(800);
  });

  it('rejects bad options as usage errors', () => {
    const raw = { population: '10', seed: 's', out: 'x.csv', asOf: '2025-04-01', years: '0', encoding: 'utf8', municipality: '990019' };
    expect(parseGenerateOptions(raw)).toMatchObject({ population: 10, years: 0, encoding: 'utf8', progress: true });
    expect(parseGenerateOptions({ ...raw, population: '2_000_000' }).population).toBe(2_000_000);
    for (const bad of [{ population: '0' }, { population: 'ten' }, { years: '99' }, { asOf: '2025-02-30' }, { encoding: 'sjis' }, { municipality: '123456' }, { seed: '' }]) {
      expect(() => parseGenerateOptions({ ...raw, ...bad }), JSON.stringify(bad)).toThrow(UsageError);
    }
  });

  it('names delta files after the full file', () => {
    expect(deltaFileName('/x/city.csv', '2026')).toBe('/x/city.delta-2026.csv');
    expect(deltaFileName('/x/city.CSV', '2026')).toBe('/x/city.delta-2026.csv');
    expect(deltaFileName('/x/city', '2026')).toBe('/x/city.delta-2026.csv');
  });
});
