// Shared helpers for the worked-case tables. Expected values in the tables are computed by hand
// from schedule-jp.md §1/§3 (and checked against an independent calendar), never copied from output.
import { expect } from 'vitest';
import { createEngine } from '../../../src/domain/schedule/index.ts';
import type { DoseRecord, NextDose, Person, ProblemCode, Sex } from '../../../src/domain/schedule/index.ts';

export const engine = createEngine();

/** 'vaccine:dose:date[:product]' → DoseRecord (the CLI's notation). */
export function dose(spec: string): DoseRecord {
  const [vaccine = '', n = '', date = '', product] = spec.split(':');
  return { vaccine, dose: Number(n), date, product: product ?? null };
}

export interface DoseCase {
  name: string;
  birth: string;
  sex?: Sex;
  /** Earlier doses (assumed valid setup) followed by the dose under test (last). */
  doses: string[];
  routine: boolean;
  problems?: ProblemCode[];
  person?: Partial<Person>;
}

export function checkLastDose(c: DoseCase): void {
  const person: Person = { birth: c.birth, sex: c.sex ?? 'F', ...c.person };
  const out = engine.validate(person, c.doses.map(dose));
  const last = out[out.length - 1];
  expect(last, c.name).toBeDefined();
  if (last === undefined) return;
  expect({ routine: last.routine, problems: last.problems }, c.name).toEqual({
    routine: c.routine, problems: c.problems ?? [],
  });
  // Setup doses must themselves be routine, otherwise the case does not test what it says.
  for (const earlier of out.slice(0, -1)) expect(earlier.routine, `${c.name}: setup dose ${earlier.vaccine}:${earlier.dose} ${earlier.date}`).toBe(true);
}

export interface NextCase {
  name: string;
  birth: string;
  sex?: Sex;
  asOf: string;
  doses?: string[];
  vaccine: string;
  expect: Omit<NextDose, 'vaccine' | 'reason'> | null; // null = not in force (absent)
  person?: Partial<Person>;
}

export function checkNext(c: NextCase): void {
  const person: Person = { birth: c.birth, sex: c.sex ?? 'F', ...c.person };
  const r = engine.forecast(person, (c.doses ?? []).map(dose), c.asOf);
  const n = r.next.find((x) => x.vaccine === c.vaccine);
  if (c.expect === null) {
    expect(n, c.name).toBeUndefined();
    return;
  }
  expect(n, c.name).toBeDefined();
  if (n === undefined) return;
  const { reason: _reason, ...rest } = n;
  expect(rest, c.name).toEqual({ vaccine: c.vaccine, ...c.expect });
}
