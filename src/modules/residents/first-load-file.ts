// One first-load file, read slice by slice: CSV records (CsvSliceReader), the checks of
// validate-file.ts (ResidentRowValidator), the events check against the empty ledger, and — while the
// file is still clean — the rows as COPY input (first-load-batch.ts). Pure apart from ids and IVs:
// the first-load worker runs it, and so does the import bench's database-only phase.
// controls: DATA-01, CRY-01
import type { TenantCrypto } from '../../security/vault.ts';
import { CsvSliceReader, type CsvReadResult, type CsvSlice, type FileEncoding } from './decode.ts';
import { prepareFirstLoadBatch, type FirstLoadContext } from './first-load-batch.ts';
import type { FileOutcome, SliceOutcome } from './first-load-worker-client.ts';
import type { ResidentFileError } from './layout.ts';
import { checkEventsAgainstState, ResidentRowValidator, type KnownPerson } from './validate-file.ts';

/** Structured cloning turns a Buffer into a plain Uint8Array; the vault and the reader expect a Buffer. */
export const asBuffer = (u8: Uint8Array): Buffer => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

/** An empty ledger: in a full file every row is then a new person, and no restated 異動 can contradict it. */
const NO_ONE: ReadonlyMap<string, KnownPerson> = new Map();

export class FirstLoadFile {
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
