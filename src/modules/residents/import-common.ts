// Pieces shared by the two ways an import is applied (import-service.ts, first-load.ts).
import type { ResidentEventKind, ResidentFileError } from './layout.ts';

/** Thrown inside the transaction so it rolls back; turned into a 'rejected' outcome outside. */
export class ImportRejected extends Error {
  override name = 'ImportRejected';
  constructor(
    readonly errors: readonly ResidentFileError[],
    readonly errorCount: number = errors.length,
    readonly unknownColumns: readonly string[] = [],
  ) {
    super(`${errorCount} row(s) rejected`);
  }
}

/** A CSV field for COPY: NULL is an empty unquoted field, any string (even '') is quoted. */
export const csvField = (v: string | number | null): string => (v === null ? '' : typeof v === 'number' ? String(v) : `"${v.replaceAll('"', '""')}"`);

/** The person's status after the row's 異動 (none: resident). */
export function statusAfterEvent(kind: ResidentEventKind | null): 'resident' | 'moved_out' | 'dead' | 'removed' {
  return kind === 'death' ? 'dead' : kind === 'move_out' ? 'moved_out' : kind === 'ex_officio_removal' ? 'removed' : 'resident';
}

const mb = (b: number): number => Math.round(b / 1048576);

// SESSHU_IMPORT_TRACE=1 prints each step's wall and CPU time and the memory to stderr (profiling on a shared machine).
export const trace = process.env.SESSHU_IMPORT_TRACE === '1'
  ? (() => {
      let t = performance.now();
      let c = process.cpuUsage();
      return (what: string): void => {
        const n = performance.now();
        const d = process.cpuUsage(c);
        const m = process.memoryUsage();
        process.stderr.write(
          `import: ${what}: ${Math.round(n - t)} ms wall, ${Math.round((d.user + d.system) / 1000)} ms cpu, rss ${mb(m.rss)} MB (heap ${mb(m.heapUsed)}, buffers ${mb(m.arrayBuffers)}, peak ${mb(process.resourceUsage().maxRSS * 1024)})\n`,
        );
        t = n;
        c = process.cpuUsage();
      };
    })()
  : (): void => undefined;
