// Runs the CPU work of a first load in a worker thread (first-load-worker.ts): the main thread only
// cuts the upload into slices and COPYs into PGlite, which runs on the main thread, while the worker
// reads, validates and prepares the next slice (CSV parsing, the checks of validate-file.ts, ids,
// My Number envelope and blind index, matching keys). Slices are answered in the order they are
// sent. The worker writes nothing: all-or-nothing stays with the caller's transaction.
// controls: CRY-01, DATA-01
import { Worker } from 'node:worker_threads';
import type { TenantKeyMaterial } from '../../security/vault.ts';
import type { DataKey, IndexKey } from '../../security/vault-crypto.ts';
import type { CsvSlice, FileEncoding } from './decode.ts';
import type { FirstLoadContext, PreparedBatch } from './first-load-batch.ts';
import type { ResidentFileError } from './layout.ts';

/** TenantKeyMaterial as it crosses to the worker: structured cloning makes each Buffer a Uint8Array. */
export interface KeysInTransit {
  readonly municipalityCode: string;
  readonly data: Omit<DataKey, 'key'> & { readonly key: Uint8Array };
  readonly index: Omit<IndexKey, 'key'> & { readonly key: Uint8Array };
}

/** What the worker made of one slice: its rows as COPY input while the file is clean, else nothing. */
export interface SliceOutcome {
  readonly prepared: PreparedBatch | null;
  /** Line of the slice's last record (progress). */
  readonly lastLine: number;
}

/** The file as a whole, once every slice was read. */
export type FileOutcome =
  | { readonly ok: true; readonly encoding: FileEncoding; readonly rows: number; readonly events: number; readonly unknownColumns: readonly string[] }
  | { readonly ok: false; readonly errors: readonly ResidentFileError[]; readonly errorCount: number; readonly unknownColumns: readonly string[] };

export type PreparerRequest =
  | { readonly kind: 'init'; readonly keys: KeysInTransit; readonly context: FirstLoadContext }
  | { readonly kind: 'slice'; readonly bytes: Uint8Array; readonly slice: CsvSlice }
  | { readonly kind: 'finish'; readonly encoding: FileEncoding }
  | { readonly kind: 'end' };

export type PreparerReply =
  | { readonly kind: 'slice'; readonly outcome: SliceOutcome }
  | { readonly kind: 'file'; readonly outcome: FileOutcome }
  | { readonly kind: 'failed'; readonly error: string };

interface Pending {
  resolve(reply: PreparerReply): void;
  reject(err: Error): void;
}

export class FirstLoadWorker {
  private readonly pending: Pending[] = [];
  private failure: Error | null = null;
  private readonly exited: Promise<unknown>;

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.on('message', (reply: PreparerReply) => {
      const next = this.pending.shift();
      if (reply.kind === 'failed') next?.reject(new Error(`first load: the worker failed (${reply.error})`));
      else next?.resolve(reply);
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', () => this.fail(new Error('first load: the worker stopped')));
  }

  /** Starts the worker and hands it the tenant's keys (copied into memory the message transfers). */
  static start(keys: TenantKeyMaterial, context: FirstLoadContext): FirstLoadWorker {
    const worker = new Worker(new URL('./first-load-worker.boot.mjs', import.meta.url));
    // Fresh copies, transferred: the clone carries 32 bytes each, not a pooled buffer around them.
    const data = new Uint8Array(keys.data.key);
    const index = new Uint8Array(keys.index.key);
    const message: PreparerRequest = {
      kind: 'init',
      keys: { municipalityCode: keys.municipalityCode, data: { ...keys.data, key: data }, index: { ...keys.index, key: index } },
      context,
    };
    worker.postMessage(message, [data.buffer, index.buffer]);
    return new FirstLoadWorker(worker);
  }

  /** Reads, validates and prepares one slice (a copy of `bytes` is transferred; the upload stays intact). */
  async slice(bytes: Uint8Array, slice: CsvSlice): Promise<SliceOutcome> {
    const copy = new Uint8Array(bytes); // a copy (Buffer#slice would share, and the transfer would detach the upload)
    const reply = await this.request({ kind: 'slice', bytes: copy, slice }, [copy.buffer]);
    if (reply.kind !== 'slice') throw new Error('first load: unexpected reply from the worker');
    return reply.outcome;
  }

  /** The file's outcome, after the last slice. */
  async finish(encoding: FileEncoding): Promise<FileOutcome> {
    const reply = await this.request({ kind: 'finish', encoding });
    if (reply.kind !== 'file') throw new Error('first load: unexpected reply from the worker');
    return reply.outcome;
  }

  /** Lets the worker zero its keys and exit; stops it if it does not. Pending requests are rejected. */
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

  private request(message: PreparerRequest, transfer: ArrayBuffer[] = []): Promise<PreparerReply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const reply = new Promise<PreparerReply>((resolve, reject) => this.pending.push({ resolve, reject }));
    this.worker.postMessage(message, transfer);
    return reply;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }
}
