// The `sesshu schedule` CLI contract (issue 5): spawns the real binary.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sesshu(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/sesshu.mjs', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ForecastJson {
  asOf: string;
  birth: string;
  sex: string;
  doses: { vaccine: string; dose: number; date: string; product: string | null; routine: boolean; problems: string[] }[];
  next: Record<string, unknown>[];
}

describe('sesshu schedule forecast --json', () => {
  it('prints one JSON object with validated doses and one next entry per vaccine in force', () => {
    const r = sesshu('schedule', 'forecast', '--birth', '2024-01-15', '--sex', 'F', '--as-of', '2024-06-01',
      '--dose', 'hib:1:2024-04-01', '--dose', 'hib:2:2024-04-28', '--dose', 'pcv:1:2024-04-01:pcv15', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout) as ForecastJson;
    expect(Object.keys(out)).toEqual(['asOf', 'birth', 'sex', 'doses', 'next']);
    expect(out).toMatchObject({ asOf: '2024-06-01', birth: '2024-01-15', sex: 'F' });
    expect(out.doses).toEqual([
      { vaccine: 'hib', dose: 1, date: '2024-04-01', product: null, routine: true, problems: [] },
      { vaccine: 'hib', dose: 2, date: '2024-04-28', product: null, routine: false, problems: ['INTERVAL_TOO_SHORT'] },
      { vaccine: 'pcv', dose: 1, date: '2024-04-01', product: 'pcv15', routine: true, problems: [] },
    ]);
    const ids = out.next.map((n) => n.vaccine);
    expect(ids).toEqual(['hepb', 'rota', 'dpt_ipv_hib', 'dpt_ipv', 'hib', 'pcv', 'bcg', 'mr', 'var', 'je', 'dt', 'hpv', 'flu', 'pneumo', 'covid']);
    // hib dose 2 was too early, so dose 2 is still due: 2024-04-01 + 28 days … 60 months.
    expect(out.next.find((n) => n.vaccine === 'hib')).toEqual({ vaccine: 'hib', status: 'due', dose: 2, from: '2024-04-29', until: '2029-01-14' });
    expect(out.next.find((n) => n.vaccine === 'dpt_ipv_hib')).toEqual({ vaccine: 'dpt_ipv_hib', status: 'ineligible', dose: null });
    for (const n of out.next) {
      expect(['due', 'upcoming', 'complete', 'expired', 'ineligible']).toContain(n.status);
      if (n.status === 'due' || n.status === 'upcoming') expect(Object.keys(n)).toEqual(['vaccine', 'status', 'dose', 'from', 'until']);
      else expect(Object.keys(n)).toEqual(['vaccine', 'status', 'dose']);
    }
  });

  it('gives a null until when the window has no upper bound', () => {
    const r = sesshu('schedule', 'forecast', '--birth', '1950-01-01', '--sex', 'M', '--as-of', '2026-04-01', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as ForecastJson;
    expect(out.next).toHaveLength(17);
    expect(out.next.find((n) => n.vaccine === 'hpv')).toEqual({ vaccine: 'hpv', status: 'ineligible', dose: null });
    expect(out.next.find((n) => n.vaccine === 'rsv')).toEqual({ vaccine: 'rsv', status: 'ineligible', dose: null });
    expect(out.next.find((n) => n.vaccine === 'flu')).toEqual({ vaccine: 'flu', status: 'upcoming', dose: 1, from: '2026-10-01', until: '2027-01-31' });
  });

  it.each([
    [['--birth', '2024-02-30', '--sex', 'F', '--as-of', '2024-06-01'], /--birth: invalid date '2024-02-30'/],
    [['--birth', '2024-01-15', '--sex', 'X', '--as-of', '2024-06-01'], /--sex/],
    [['--birth', '2024-01-15', '--sex', 'F', '--as-of', '2024-13-01'], /--as-of/],
    [['--birth', '2024-01-15', '--sex', 'F', '--as-of', '2024-06-01', '--dose', 'polio:1:2024-04-01'], /unknown vaccine 'polio'/],
    [['--birth', '2024-01-15', '--sex', 'F', '--as-of', '2024-06-01', '--dose', 'hib:5:2024-04-01'], /dose 5 out of range for hib/],
    [['--birth', '2024-01-15', '--sex', 'F', '--as-of', '2024-06-01', '--dose', 'hib:1:2024-02-30'], /invalid date/],
    [['--birth', '2024-01-15', '--sex', 'F', '--as-of', '2024-06-01', '--dose', 'pcv:1:2024-04-01:pcv99'], /unknown product 'pcv99'/],
    [['--birth', '2024-01-15', '--sex', 'F', '--as-of', '2024-06-01', '--dose', 'hib-1-2024-04-01'], /expected VACCINE:DOSE/],
  ])('exit 2 with a one-line error: %j', (args, msg) => {
    const r = sesshu('schedule', 'forecast', ...args, '--json');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^sesshu: /);
    expect(r.stderr).toMatch(msg);
  });

  it('exit 2 when a required option is missing (commander)', () => {
    const r = sesshu('schedule', 'forecast', '--birth', '2024-01-15', '--json');
    expect(r.code).toBe(2);
  });
});

describe('sesshu schedule rules --json', () => {
  it('lists the rule versions in force on a date', () => {
    const before = JSON.parse(sesshu('schedule', 'rules', '--json', '--date', '2024-03-31').stdout) as { date: string; vaccines: { id: string; validFrom?: string }[] };
    expect(before.date).toBe('2024-03-31');
    const ids = before.vaccines.map((v) => v.id);
    expect(ids).not.toContain('dpt_ipv_hib');
    expect(ids).toContain('dpt_ipv');
    const after = JSON.parse(sesshu('schedule', 'rules', '--json', '--date', '2026-04-01').stdout) as { vaccines: { id: string; products?: { id: string }[] }[] };
    expect(after.vaccines.map((v) => v.id)).toHaveLength(17);
    expect(after.vaccines.find((v) => v.id === 'pneumo')?.products?.map((p) => p.id)).toEqual(['pcv20']);
  });

  it('exit 2 for a bad date', () => {
    expect(sesshu('schedule', 'rules', '--json', '--date', '2025-02-29').code).toBe(2);
  });
});
