#!/usr/bin/env node
// npm run bench: runs every bench/*.bench.ts in its own process (so one's heap does not skew
// another's) and prints one JSON object keyed by benchmark file.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'bench');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
const names = new Set(files.map((f) => f.replace(/\.bench\.ts$/, '')));
// Benchmark names choose which run; every other argument (--population 200000, --floor) is passed to each one run.
const only = process.argv.slice(2).filter((a) => names.has(a));
const flags = process.argv.slice(2).filter((a) => !names.has(a));
const results = {};
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`running ${name}…\n`);
  // stderr passes straight through: progress lines and SESSHU_IMPORT_TRACE output show as they come.
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, file), ...flags], {
    encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) {
    results[name] = { error: `exit ${run.status}` };
    continue;
  }
  results[name] = JSON.parse(run.stdout);
}
process.stdout.write(`${JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, results }, null, 2)}\n`);
