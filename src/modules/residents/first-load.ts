// A tenant's first full load on the embedded engine, streamed. The upload is cut into slices at
// record boundaries; a worker thread (first-load-worker.ts) reads and validates each slice and,
// while the file is still clean, prepares its rows (person id, My Number envelope and blind index,
// matching keys: first-load-batch.ts); this thread COPYs them straight into persons and
// person_history (Transaction.bulkLoadTenant) while the worker does the next slice. So neither the
// 2 M row objects nor a stage table nor INSERT … SELECT is needed, and the JavaScript work runs
// beside PGlite instead of between its COPYs. All-or-nothing still holds: it all runs in the
// import's one transaction, and one invalid row anywhere rejects the file with the complete report
// (ImportRejected → rollback). controls: DATA-01, CRY-01, TEN-01
import type { Transaction } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import type { TenantKeyMaterial } from '../../security/vault.ts';
import { csvSlices, decodeUpload, type DeclaredEncoding, type FileEncoding } from './decode.ts';
import { HISTORY_COLUMNS, PERSON_COLUMNS } from './first-load-batch.ts';
import { FirstLoadWorker, type SliceOutcome } from './first-load-worker-client.ts';
import { ImportRejected, trace } from './import-common.ts';
import { undecodableFile } from './validate-file.ts';

export type BulkLoader = NonNullable<Transaction['bulkLoadTenant']>;

export interface FirstLoadInput {
  readonly content: Buffer;
  readonly encoding: DeclaredEncoding;
  readonly municipalityCode: string;
  readonly importId: string;
  readonly userId: string;
}

export interface FirstLoadResult {
  readonly rows: number;
  readonly events: number;
  readonly encoding: FileEncoding;
  readonly unknownColumns: readonly string[];
}

export async function streamFirstLoad(
  tx: ScopedTx,
  bulkLoad: BulkLoader,
  keys: TenantKeyMaterial,
  input: FirstLoadInput,
  onRows: (done: number, total: number) => void,
): Promise<FirstLoadResult> {
  const decoded = decodeUpload(input.content, { encoding: input.encoding });
  if (!decoded.ok) {
    const refused = undecodableFile(decoded.error);
    throw new ImportRejected(refused.errors, refused.errorCount, refused.unknownColumns);
  }
  // When no tenant has persons yet, the search indexes are built after the load (migration 0013).
  const [bulk] = await tx.query<{ dropped: boolean }>('SELECT sesshu_persons_bulk_load_begin() AS dropped');
  trace(`bulk load begin (indexes dropped: ${String(bulk?.dropped)})`);
  const persons = await bulkLoad('persons', PERSON_COLUMNS);
  const history = await bulkLoad('person_history', HISTORY_COLUMNS);
  const totalLines = countLines(input.content);
  const worker = FirstLoadWorker.start(keys, { municipalityCode: input.municipalityCode, importId: input.importId, userId: input.userId });
  const copy = async (outcome: SliceOutcome): Promise<void> => {
    const prepared = outcome.prepared;
    if (prepared !== null) {
      // COPY's own count of each batch: the isolation check at finish() compares what the tenant
      // sees with these counts, so a batch that went missing would otherwise go unnoticed.
      const copied = await persons.write(prepared.persons);
      const events = prepared.historyRows > 0 ? await history.write(prepared.history) : 0;
      if (copied !== prepared.personRows || events !== prepared.historyRows) {
        throw new Error(`first load: COPY wrote ${copied} persons and ${events} history rows of ${prepared.personRows} and ${prepared.historyRows}`);
      }
    }
    onRows(outcome.lastLine, totalLines);
  };
  // The slice the worker is on while this thread copies the one before.
  let inFlight: Promise<SliceOutcome> | null = null;
  try {
    const utf8 = decoded.utf8;
    for (const slice of csvSlices(utf8)) {
      const sent = worker.slice(utf8.subarray(slice.from, slice.to), slice);
      if (inFlight !== null) await copy(await inFlight);
      inFlight = sent;
    }
    if (inFlight !== null) await copy(await inFlight);
    inFlight = null;
    const file = await worker.finish(decoded.encoding);
    if (!file.ok) throw new ImportRejected(file.errors, file.errorCount, file.unknownColumns);
    trace('validated and copied');
    await persons.finish();
    await history.finish();
    trace('tenant isolation verified');
    if (bulk?.dropped) await tx.query('SELECT sesshu_persons_bulk_load_end()');
    trace('indexes built');
    return { rows: file.rows, events: file.events, encoding: file.encoding, unknownColumns: file.unknownColumns };
  } finally {
    inFlight?.catch(() => undefined); // a failed COPY leaves a slice unused: its outcome no longer matters
    await worker.close();
  }
}

/** Physical lines of the upload: the progress total (rows are reported by their line). */
function countLines(buf: Buffer): number {
  let n = 1;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}
