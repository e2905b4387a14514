// The worker of a first load (first-load-worker-client.ts starts it). For each slice of the upload it is
// sent, in order: CSV records (CsvSliceReader), the checks of validate-file.ts (ResidentRowValidator),
// the events check against the empty ledger, and — while the file is still clean — the rows as COPY
// input (first-load-batch.ts). After the last slice it reports the file as a whole, with the complete
// error report if any row anywhere was bad. It touches no database. The tenant's keys arrive in the
// first message, from the parent thread's memory only, and are zeroed when the load ends.
// controls: DATA-01, CRY-01, AC-04
import { parentPort } from 'node:worker_threads';
import { tenantCryptoOf, type TenantCrypto, type TenantKeyMaterial } from '../../security/vault.ts';
import { CsvSliceReader, type CsvReadResult, type CsvSlice, type FileEncoding } from './decode.ts';
import { prepareFirstLoadBatch, type FirstLoadContext } from './first-load-batch.ts';
import type { FileOutcome, PreparerReply, PreparerRequest, SliceOutcome } from './first-load-worker-client.ts';
import type { ResidentFileError } from './layout.ts';
import { checkEventsAgainstState, ResidentRowValidator, type KnownPerson } from './validate-file.ts';

const port = parentPort;
if (port === null) throw new Error('first-load-worker.ts runs as a worker thread only');

/** An empty ledger: in a full file every row is then a new person, and no restated 異動 can contradict it. */
const NO_ONE: ReadonlyMap<string, KnownPerson> = new Map();

/** Structured cloning turns a Buffer into a plain Uint8Array; the vault expects a Buffer. */
const asBuffer = (u8: Uint8Array): Buffer => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

class FirstLoadFile {
  private readonly reader = new CsvSliceReader();
  private readonly validator = new ResidentRowValidator('full');
  private readonly eventErrors: ResidentFileError[] = [];
  private readFailure: CsvReadResult | null = null;
  private events = 0;

  constructor(private readonly crypto: TenantCrypto, private readonly context: FirstLoadContext) {}

  slice(bytes: Uint8Array, slice: CsvSlice): SliceOutcome {
    // After a CSV error the file's reading is over (as in readCsvBatches): later slices are not read.
    if (this.readFailure !== null) return { prepared: null, lastLine: slice.line };
    const { records, failure } = this.reader.read(asBuffer(bytes).toString('utf8'), slice);
    this.readFailure = failure;
    const rows = this.validator.check(records);
    this.eventErrors.push(...checkEventsAgainstState(rows, NO_ONE, 'full'));
    const lastLine = records.at(-1)?.line ?? slice.line;
    // After the first error nothing more is prepared: the file is rejected, but still read to the
    // end so that the report lists every error.
    if (rows.length === 0 || this.eventErrors.length > 0) return { prepared: null, lastLine };
    const prepared = prepareFirstLoadBatch(rows, this.crypto, this.context);
    this.events += prepared.historyRows;
    return { prepared, lastLine };
  }

  finish(encoding: FileEncoding): FileOutcome {
    const summary = this.validator.summary(this.readFailure ?? this.reader.done(), encoding);
    if (!summary.ok) return { ok: false, errors: summary.errors, errorCount: summary.errorCount, unknownColumns: summary.unknownColumns };
    if (this.eventErrors.length > 0) return { ok: false, errors: this.eventErrors, errorCount: this.eventErrors.length, unknownColumns: summary.unknownColumns };
    return { ok: true, encoding, rows: summary.rows, events: this.events, unknownColumns: summary.unknownColumns };
  }
}

let keys: TenantKeyMaterial | null = null;
let file: FirstLoadFile | null = null;

function reply(message: PreparerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

port.on('message', (message: PreparerRequest) => {
  if (message.kind === 'init') {
    const sent = message.keys;
    keys = { municipalityCode: sent.municipalityCode, data: { ...sent.data, key: asBuffer(sent.data.key) }, index: { ...sent.index, key: asBuffer(sent.index.key) } };
    file = new FirstLoadFile(tenantCryptoOf(keys), message.context);
    return;
  }
  if (message.kind === 'end') {
    keys?.data.key.fill(0);
    keys?.index.key.fill(0);
    keys = null;
    file = null;
    port.close();
    return;
  }
  try {
    if (file === null) throw new Error('no keys');
    if (message.kind === 'finish') {
      reply({ kind: 'file', outcome: file.finish(message.encoding) });
      return;
    }
    const outcome = file.slice(message.bytes, message.slice);
    const p = outcome.prepared;
    reply({ kind: 'slice', outcome }, p === null ? [] : [p.persons.buffer as ArrayBuffer, p.history.buffer as ArrayBuffer]);
  } catch (err) {
    // The error's name only: a message could quote a row (AC-04: never a My Number in an error).
    reply({ kind: 'failed', error: err instanceof Error ? err.name : 'unknown' });
  }
});
