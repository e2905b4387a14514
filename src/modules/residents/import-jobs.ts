// Resident imports started from the web page run as background jobs inside the server process, so
// the upload answers at once and the page can poll for progress. The registry is memory only: a
// restarted server forgets its jobs, but the import itself is one transaction, so a job that dies
// with the process leaves the ledger as it was (and re-sending the file is harmless: file hash).
// A job is visible only to the account that started it, in its own tenant. control: DATA-01, TEN-01
import crypto from 'node:crypto';
import type { Database } from '../../db/client.ts';
import type { Actor } from '../../security/actor.ts';
import { ForbiddenError } from '../../security/guard.ts';
import type { Vault } from '../../security/vault.ts';
import type { ImportOutcome, ImportPhase, ImportRequest } from './import-service.ts';
import { importResidents } from './import-service.ts';
import type { ImportMode } from './layout.ts';

export type JobPhase = 'queued' | ImportPhase;

export interface ImportJob {
  readonly id: string;
  readonly municipalityCode: string;
  readonly startedBy: string;
  readonly fileName: string;
  readonly mode: ImportMode;
  readonly bytes: number;
  readonly startedAt: Date;
  readonly phase: JobPhase;
  readonly done: number;
  readonly total: number;
  readonly finishedAt: Date | null;
  readonly outcome: ImportOutcome | null;
  /** Set when the import threw instead of returning an outcome (nothing was changed). */
  readonly failure: 'forbidden' | 'error' | null;
}

type MutableJob = { -readonly [K in keyof ImportJob]: ImportJob[K] };

/** One import at a time per municipality: two concurrent loads of the same register make no sense. */
export class ImportBusyError extends Error {
  override name = 'ImportBusyError';
  readonly statusCode = 409;
}

export interface ImportJobs {
  /** Registers the job and starts it on the next turn of the event loop (the caller answers first). */
  start(actor: Actor, req: ImportRequest): ImportJob;
  /** The job, if it exists and belongs to this actor in this tenant; null otherwise (no hint which). */
  get(actor: Actor, id: string): ImportJob | null;
  /** Resolves when the job has finished (for tests and orderly shutdown). */
  settled(id: string): Promise<void>;
}

export interface ImportJobOptions {
  db: Database;
  vault: Vault;
  /** Told about a failed job; gets only the error, never the file. */
  onError?: (job: ImportJob, err: unknown) => void;
  now?: () => Date;
  /** How long a finished job stays visible. */
  keepMs?: number;
}

const KEEP_MS = 6 * 60 * 60 * 1000;

export function createImportJobs(opts: ImportJobOptions): ImportJobs {
  const now = opts.now ?? (() => new Date());
  const keepMs = opts.keepMs ?? KEEP_MS;
  const jobs = new Map<string, MutableJob>();
  const running = new Map<string, Promise<void>>();

  function prune(): void {
    const cutoff = now().getTime() - keepMs;
    for (const [id, job] of jobs) if (job.finishedAt && job.finishedAt.getTime() < cutoff) jobs.delete(id);
  }

  async function run(job: MutableJob, actor: Actor, req: ImportRequest): Promise<void> {
    try {
      job.outcome = await importResidents({ db: opts.db, vault: opts.vault }, actor, req, (phase, done, total) => {
        job.phase = phase;
        job.done = done;
        job.total = total;
      });
    } catch (err) {
      job.failure = err instanceof ForbiddenError ? 'forbidden' : 'error';
      opts.onError?.(job, err);
    } finally {
      job.phase = 'done';
      job.finishedAt = now();
    }
  }

  return {
    start(actor, req) {
      prune();
      for (const j of jobs.values()) {
        if (j.municipalityCode === actor.municipalityCode && !j.finishedAt) {
          throw new ImportBusyError('別の取り込みが実行中です。終わってから取り込んでください (another import is running for this municipality)');
        }
      }
      const job: MutableJob = {
        id: crypto.randomUUID(),
        municipalityCode: actor.municipalityCode,
        startedBy: actor.userId,
        fileName: req.fileName,
        mode: req.mode,
        bytes: req.content.length,
        startedAt: now(),
        phase: 'queued',
        done: 0,
        total: 1,
        finishedAt: null,
        outcome: null,
        failure: null,
      };
      jobs.set(job.id, job);
      // Validation is synchronous and can take seconds: start it after the redirect has gone out.
      const done = new Promise<void>((resolve) => {
        setImmediate(() => {
          void run(job, actor, req).finally(() => {
            running.delete(job.id);
            resolve();
          });
        });
      });
      running.set(job.id, done);
      return job;
    },
    get(actor, id) {
      const job = jobs.get(id);
      if (!job || job.municipalityCode !== actor.municipalityCode || job.startedBy !== actor.userId) return null;
      return job;
    },
    settled(id) {
      return running.get(id) ?? Promise.resolve();
    },
  };
}
