// Runs first-load-batch.ts in a worker thread, so that preparing batch k+1 (ids, My Number envelope
// and blind index, matching keys, CSV) overlaps with the main thread's COPY of batch k into PGlite,
// which runs on the main thread. Batches are prepared in the order they are sent. The worker writes
// nothing: all-or-nothing stays with the caller's transaction. controls: CRY-01, DATA-01
import { Worker } from 'node:worker_threads';
import type { TenantKeyMaterial } from '../../security/vault.ts';
import type { DataKey, IndexKey } from '../../security/vault-crypto.ts';
import type { FirstLoadContext, PreparedBatch } from './first-load-batch.ts';
import type { ResidentRow } from './layout.ts';

/** TenantKeyMaterial as it crosses to the worker: structured cloning makes each Buffer a Uint8Array. */
export interface KeysInTransit {
  readonly municipalityCode: string;
  readonly data: Omit<DataKey, 'key'> & { readonly key: Uint8Array };
  readonly index: Omit<IndexKey, 'key'> & { readonly key: Uint8Array };
}

export type PreparerRequest =
  | { readonly kind: 'init'; readonly keys: KeysInTransit; readonly context: FirstLoadContext }
  | { readonly kind: 'batch'; readonly rows: readonly ResidentRow[] }
  | { readonly kind: 'end' };

export type PreparerReply = { readonly kind: 'prepared'; readonly batch: PreparedBatch } | { readonly kind: 'failed'; readonly error: string };

const YOUNG_GENERATION_MB = 96;

interface Pending {
  resolve(batch: PreparedBatch): void;
  reject(err: Error): void;
}

export class BatchPreparer {
  private readonly pending: Pending[] = [];
  private failure: Error | null = null;
  private readonly exited: Promise<unknown>;

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.on('message', (reply: PreparerReply) => {
      const next = this.pending.shift();
      if (reply.kind === 'prepared') next?.resolve(reply.batch);
      else next?.reject(new Error(`first load: a batch could not be prepared (${reply.error})`));
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', () => this.fail(new Error('first load: the preparation worker stopped')));
  }

  /** Starts the worker and hands it the tenant's keys (copied into memory the message transfers). */
  static start(keys: TenantKeyMaterial, context: FirstLoadContext): BatchPreparer {
    // A young generation larger than the default: a batch's strings all live until it is sent, and
    // with the default the worker spent a fifth of its time in the scavenger.
    const worker = new Worker(new URL('./first-load-worker.boot.mjs', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const preparer = new BatchPreparer(worker);
    // Fresh copies, transferred: the clone carries 32 bytes each, not a pooled buffer around them.
    const data = new Uint8Array(keys.data.key);
    const index = new Uint8Array(keys.index.key);
    const message: PreparerRequest = {
      kind: 'init',
      keys: { municipalityCode: keys.municipalityCode, data: { ...keys.data, key: data }, index: { ...keys.index, key: index } },
      context,
    };
    preparer.worker.postMessage(message, [data.buffer, index.buffer]);
    return preparer;
  }

  /** The batch prepared as COPY input; resolves in the order batches were sent. */
  prepare(rows: readonly ResidentRow[]): Promise<PreparedBatch> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const done = new Promise<PreparedBatch>((resolve, reject) => this.pending.push({ resolve, reject }));
    const message: PreparerRequest = { kind: 'batch', rows };
    this.worker.postMessage(message);
    return done;
  }

  /** Lets the worker zero its keys and exit; stops it if it does not. Pending batches are rejected. */
  async close(): Promise<void> {
    const end: PreparerRequest = { kind: 'end' };
    this.worker.postMessage(end);
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }
}
