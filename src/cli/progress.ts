// Progress for long jobs: a bar on an interactive terminal, nothing in --quiet mode, and JSON
// lines on stderr in --json mode so scripts can follow along without parsing a bar.
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number, label: string): void;
  update(done: number): void;
  stop(): void;
}

export type OutputMode = 'human' | 'quiet' | 'json';

export function outputMode(opts: { quiet?: boolean; json?: boolean }): OutputMode {
  return opts.json ? 'json' : opts.quiet ? 'quiet' : 'human';
}

export function createProgress(mode: OutputMode, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (mode === 'quiet') return { start() {}, update() {}, stop() {} };
  if (mode === 'json' || !stream.isTTY) {
    let label = '';
    let total = 0;
    let last = 0;
    return {
      start(t, l) {
        total = t;
        label = l;
        if (mode === 'json') stream.write(`${JSON.stringify({ progress: label, done: 0, total })}\n`);
      },
      update(done) {
        const now = Date.now();
        if (mode === 'json' && now - last > 1000) {
          last = now;
          stream.write(`${JSON.stringify({ progress: label, done, total })}\n`);
        }
      },
      stop() {
        if (mode === 'json') stream.write(`${JSON.stringify({ progress: label, done: total, total })}\n`);
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: '{label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, label) => bar.start(total, 0, { label }),
    update: (done) => bar.update(done),
    stop: () => bar.stop(),
  };
}
