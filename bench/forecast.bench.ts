// Forecast throughput and memory for a synthetic population with realistic histories.
// Run: npx tsx bench/forecast.bench.ts [--persons N] [--seed S]
// Prints ONE JSON object: persons/s for forecast (validate + next for every vaccine), for
// validate only, and for a baseline measured in the same run (JSON-serialising the same
// histories), their ratios, and memory per forecast (retained result size and allocation churn).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { formatIsoDate, parseIsoDate } from '../src/domain/dates.ts';
import { createEngine, type DoseRecord, type Person } from '../src/domain/schedule/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}
const PERSONS = arg('--persons', 100_000);
const SEED = arg('--seed', 20240401);
const AS_OF = '2025-10-15';

// mulberry32: small, fast, deterministic.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sample {
  person: Person;
  history: DoseRecord[];
}

function population(n: number, seed: number): Sample[] {
  const rnd = prng(seed);
  const asOf = parseIsoDate(AS_OF) ?? 0;
  const out: Sample[] = [];
  const D = (day: number): string => formatIsoDate(day);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    // 30% children (0–15), 40% adults (16–64), 30% elderly (65–100).
    const ageDays = r < 0.3 ? Math.floor(rnd() * 15 * 365) : r < 0.7 ? Math.floor((16 + rnd() * 49) * 365) : Math.floor((65 + rnd() * 35) * 365);
    const birth = asOf - ageDays;
    const sex = rnd() < 0.5 ? 'F' as const : 'M' as const;
    const h: DoseRecord[] = [];
    const add = (vaccine: string, dose: number, offsetDays: number, product: string | null = null, p = 0.92): boolean => {
      const day = birth + offsetDays + Math.floor(rnd() * 21) - 5;
      if (day > asOf || rnd() > p) return false;
      h.push({ vaccine, dose, date: D(day), product });
      return true;
    };
    if (ageDays < 16 * 365) {
      add('hepb', 1, 61); add('hepb', 2, 92); add('hepb', 3, 230);
      const rota = rnd() < 0.5 ? 'rota1' : 'rota5';
      add('rota', 1, 61, rota); add('rota', 2, 92, rota); if (rota === 'rota5') add('rota', 3, 123, rota);
      const combined = birth >= (parseIsoDate('2024-02-01') ?? 0);
      if (combined) {
        add('dpt_ipv_hib', 1, 61); add('dpt_ipv_hib', 2, 92); add('dpt_ipv_hib', 3, 123); add('dpt_ipv_hib', 4, 420);
      } else {
        add('dpt_ipv', 1, 92); add('dpt_ipv', 2, 123); add('dpt_ipv', 3, 154); add('dpt_ipv', 4, 450);
        add('hib', 1, 61); add('hib', 2, 92); add('hib', 3, 123); add('hib', 4, 400);
      }
      const pcvProduct = (o: number): string => (birth + o < (parseIsoDate('2024-04-01') ?? 0) ? 'pcv13' : birth + o < (parseIsoDate('2024-10-01') ?? 0) ? 'pcv15' : 'pcv20');
      add('pcv', 1, 61, pcvProduct(61)); add('pcv', 2, 92, pcvProduct(92)); add('pcv', 3, 123, pcvProduct(123)); add('pcv', 4, 400, pcvProduct(400));
      add('bcg', 1, 160);
      add('mr', 1, 372); add('mr', 2, 2100);
      add('var', 1, 372); add('var', 2, 560);
      add('je', 1, 1100); add('je', 2, 1110); add('je', 3, 1480); add('je', 4, 3320);
      add('dt', 1, 4060);
      if (sex === 'F') { add('hpv', 1, 4600, 'hpv9', 0.6); add('hpv', 2, 4790, 'hpv9', 0.6); }
    } else if (ageDays >= 60 * 365) {
      for (let s = 0; s < 6; s++) {
        const day = asOf - 365 * s - 300 + Math.floor(rnd() * 60); // about 1 Nov of recent seasons
        if (day - birth >= 65 * 365 && rnd() < 0.6) h.push({ vaccine: 'flu', dose: 1, date: D(day) });
      }
      if (rnd() < 0.4) add('pneumo', 1, 65 * 365 + 200, birth + 65 * 365 + 200 < (parseIsoDate('2026-04-01') ?? 0) ? 'ppsv23' : 'pcv20', 1);
      if (rnd() < 0.3) { const day = asOf - 330; if (day - birth >= 65 * 365) h.push({ vaccine: 'covid', dose: 1, date: D(day) }); }
      if (rnd() < 0.2) { const day = asOf - 60; if (day - birth >= 65 * 365) h.push({ vaccine: 'hz', dose: 1, date: D(day), product: 'hz_rzv' }); }
    }
    out.push({ person: { birth: D(birth), sex }, history: h });
  }
  return out;
}

function timeRuns(runs: number, fn: () => number): { bestNs: number; medianNs: number; checksum: number } {
  const t: number[] = [];
  let checksum = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    checksum += fn();
    t.push(Number(process.hrtime.bigint() - t0));
  }
  t.sort((a, b) => a - b);
  return { bestNs: t[0] ?? 0, medianNs: t[Math.floor(t.length / 2)] ?? 0, checksum };
}

const engine = createEngine();
const pop = population(PERSONS, SEED);
const doseCount = pop.reduce((s, p) => s + p.history.length, 0);

// Warm-up (JIT) on a slice.
for (let i = 0; i < Math.min(20_000, pop.length); i++) {
  const s = pop[i] as Sample;
  engine.forecast(s.person, s.history, AS_OF);
}

const RUNS = 3;
const forecast = timeRuns(RUNS, () => {
  let c = 0;
  for (const s of pop) c += engine.forecast(s.person, s.history, AS_OF).next.length;
  return c;
});
const validateOnly = timeRuns(RUNS, () => {
  let c = 0;
  for (const s of pop) c += engine.validate(s.person, s.history).length;
  return c;
});
const baseline = timeRuns(RUNS, () => {
  let c = 0;
  for (const s of pop) c += JSON.stringify(s).length;
  return c;
});
const perSec = (ns: number): number => Math.round(PERSONS / (ns / 1e9));

// Memory: retained size of results, and allocation churn per forecast.
const M = Math.min(20_000, PERSONS);
gc();
const h0 = process.memoryUsage().heapUsed;
const kept: unknown[] = [];
for (let i = 0; i < M; i++) {
  const s = pop[i] as Sample;
  kept.push(engine.forecast(s.person, s.history, AS_OF));
}
gc();
const h1 = process.memoryUsage().heapUsed;
const retainedPerForecast = Math.round((h1 - h0) / M);
kept.length = 0;
// Allocation churn: heap growth over a short burst with GC just before (young-generation
// scavenges may still run inside the burst, so this is a lower bound).
const CHURN = 2000;
gc();
const a0 = process.memoryUsage().heapUsed;
for (let i = 0; i < CHURN; i++) {
  const s = pop[i % pop.length] as Sample;
  engine.forecast(s.person, s.history, AS_OF);
}
const a1 = process.memoryUsage().heapUsed;

const fBest = perSec(forecast.bestNs);
const result = {
  bench: 'schedule-forecast',
  node: process.version,
  seed: SEED,
  asOf: AS_OF,
  persons: PERSONS,
  doses: doseCount,
  dosesPerPerson: Math.round((doseCount / PERSONS) * 100) / 100,
  runs: RUNS,
  forecast: { personsPerSec: fBest, personsPerSecMedian: perSec(forecast.medianNs), nsPerPerson: Math.round(forecast.bestNs / PERSONS) },
  validateOnly: { personsPerSec: perSec(validateOnly.bestNs), nsPerPerson: Math.round(validateOnly.bestNs / PERSONS) },
  baseline: { what: 'JSON.stringify of the same person + history', personsPerSec: perSec(baseline.bestNs), nsPerPerson: Math.round(baseline.bestNs / PERSONS) },
  ratios: {
    forecastTimeVsBaseline: Math.round((forecast.bestNs / baseline.bestNs) * 100) / 100,
    forecastTimeVsValidateOnly: Math.round((forecast.bestNs / validateOnly.bestNs) * 100) / 100,
  },
  memory: {
    retainedBytesPerForecastResult: retainedPerForecast,
    allocatedBytesPerForecastApprox: Math.max(0, Math.round((a1 - a0) / CHURN)),
    note: 'retained = heap delta after GC while holding results / count; allocated = heap growth without GC over a burst of forecasts / count (lower bound if a scavenge ran)',
  },
  goal: { personsPerSec: 100_000, met: fBest >= 100_000 },
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
