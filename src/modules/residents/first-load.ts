// A tenant's first full load on the embedded engine, streamed. The file is validated in batches;
// each batch, while the file is still clean, is prepared (person id, My Number envelope and blind
// index, matching keys: first-load-batch.ts) in a worker thread, and COPYed straight into persons
// and person_history (Transaction.bulkLoadTenant) while the worker prepares the next one — so
// neither the 2 M row objects nor a stage table nor INSERT … SELECT is needed, and JavaScript runs
// beside PGlite instead of between its COPYs. All-or-nothing still holds: it all runs in the
// import's one transaction, and one invalid row anywhere rejects the file with the complete report
// (ImportRejected → rollback). controls: DATA-01, CRY-01, TEN-01
import type { Transaction } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import type { TenantKeyMaterial } from '../../security/vault.ts';
import type { DeclaredEncoding, FileEncoding } from './decode.ts';
import { HISTORY_COLUMNS, PERSON_COLUMNS, type PreparedBatch } from './first-load-batch.ts';
import { BatchPreparer } from './first-load-preparer.ts';
import { ImportRejected, trace } from './import-common.ts';
import type { ResidentFileError } from './layout.ts';
import { checkEventsAgainstState, validateResidentBatches, type KnownPerson } from './validate-file.ts';

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

/** An empty ledger: in a full file every row is then a new person, and no restated 異動 can contradict it. */
const NO_ONE: ReadonlyMap<string, KnownPerson> = new Map();

export async function streamFirstLoad(
  tx: ScopedTx,
  bulkLoad: BulkLoader,
  keys: TenantKeyMaterial,
  input: FirstLoadInput,
  onRows: (done: number, total: number) => void,
): Promise<FirstLoadResult> {
  // When no tenant has persons yet, the search indexes are built after the load (migration 0013).
  const [bulk] = await tx.query<{ dropped: boolean }>('SELECT sesshu_persons_bulk_load_begin() AS dropped');
  trace(`bulk load begin (indexes dropped: ${String(bulk?.dropped)})`);
  const persons = await bulkLoad('persons', PERSON_COLUMNS);
  const history = await bulkLoad('person_history', HISTORY_COLUMNS);
  const totalLines = countLines(input.content);
  const eventErrors: ResidentFileError[] = [];
  let events = 0;
  const preparer = BatchPreparer.start(keys, { municipalityCode: input.municipalityCode, importId: input.importId, userId: input.userId });
  // The batch the worker is preparing while this thread validates the next one and copies this one.
  let inFlight: Promise<PreparedBatch> | null = null;
  const copy = async (prepared: PreparedBatch): Promise<void> => {
    await persons.write(prepared.persons);
    if (prepared.historyRows > 0) await history.write(prepared.history);
    events += prepared.historyRows;
  };
  try {
    const batches = validateResidentBatches(input.content, { mode: 'full', encoding: input.encoding });
    let next = batches.next();
    for (; next.done !== true; next = batches.next()) {
      const rows = next.value;
      eventErrors.push(...checkEventsAgainstState(rows, NO_ONE, 'full'));
      // After the first error nothing more is written: the file is rejected, but still read to the
      // end so that the report lists every error.
      if (eventErrors.length === 0) {
        const sent = preparer.prepare(rows);
        if (inFlight !== null) await copy(await inFlight);
        inFlight = sent;
      }
      onRows(rows.at(-1)?.line ?? 0, totalLines);
    }
    const summary = next.value;
    if (!summary.ok) throw new ImportRejected(summary.errors, summary.errorCount, summary.unknownColumns);
    if (eventErrors.length > 0) throw new ImportRejected(eventErrors, eventErrors.length, summary.unknownColumns);
    if (inFlight !== null) await copy(await inFlight);
    inFlight = null;
    trace('validated and copied');
    await persons.finish();
    await history.finish();
    trace('tenant isolation verified');
    if (bulk?.dropped) await tx.query('SELECT sesshu_persons_bulk_load_end()');
    trace('indexes built');
    return { rows: summary.rows, events, encoding: summary.encoding, unknownColumns: summary.unknownColumns };
  } finally {
    inFlight?.catch(() => undefined); // a rejected file leaves a batch unused: its outcome no longer matters
    await preparer.close();
  }
}

/** Physical lines of the upload: the progress total (rows are reported by their line). */
function countLines(buf: Buffer): number {
  let n = 1;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}
