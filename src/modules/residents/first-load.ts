// A tenant's first full load on the embedded engine, streamed. The file is validated in batches;
// each batch, while the file is still clean, is prepared (person id, My Number envelope and blind
// index, matching keys) and COPYed straight into persons and person_history
// (Transaction.bulkLoadTenant), so neither the 2 M row objects nor a stage table nor INSERT … SELECT
// is needed. All-or-nothing still holds: it all runs in the import's one transaction, and one
// invalid row anywhere rejects the file with the complete report (ImportRejected → rollback).
// controls: DATA-01, CRY-01, TEN-01
import type { TenantBulkLoad, Transaction } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import { timeOrderedUuids } from '../../db/time-ordered-id.ts';
import { addressKey, kanaKey, nameKey } from '../../domain/jp-name-normalize.ts';
import type { TenantCrypto } from '../../security/vault.ts';
import type { DeclaredEncoding, FileEncoding } from './decode.ts';
import { csvField, ImportRejected, statusAfterEvent, trace } from './import-common.ts';
import type { ResidentFileError, ResidentRow } from './layout.ts';
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

const PERSON_COLUMNS = [
  'municipality_code', 'id', 'address_number', 'name', 'name_kana', 'sex', 'birth_date', 'postcode', 'address', 'household_number',
  'relationship', 'resident_type', 'alias', 'romaji_name', 'nationality', 'status', 'status_date', 'moved_in_on', 'my_number_enc',
  'my_number_index', 'name_key', 'kana_key', 'address_key', 'last_import_id',
];
// One row per 異動, without `after` facts: they are the person row this import (import_id) created;
// the first later change records them as its `before` (docs/resident-import.md §10).
const HISTORY_COLUMNS = ['municipality_code', 'person_id', 'kind', 'event_date', 'import_id', 'recorded_by'];

/** An empty ledger: in a full file every row is then a new person, and no restated 異動 can contradict it. */
const NO_ONE: ReadonlyMap<string, KnownPerson> = new Map();

export async function streamFirstLoad(
  tx: ScopedTx,
  bulkLoad: BulkLoader,
  keys: TenantCrypto,
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
  const batches = validateResidentBatches(input.content, { mode: 'full', encoding: input.encoding });
  let next = batches.next();
  for (; next.done !== true; next = batches.next()) {
    const rows = next.value;
    eventErrors.push(...checkEventsAgainstState(rows, NO_ONE, 'full'));
    // After the first error nothing more is written: the file is rejected, but still read to the end
    // so that the report lists every error.
    if (eventErrors.length === 0) events += await copyBatch(persons, history, keys, input, rows);
    onRows(rows.at(-1)?.line ?? 0, totalLines);
  }
  const summary = next.value;
  if (!summary.ok) throw new ImportRejected(summary.errors, summary.errorCount, summary.unknownColumns);
  if (eventErrors.length > 0) throw new ImportRejected(eventErrors, eventErrors.length, summary.unknownColumns);
  trace('validated and copied');
  await persons.finish();
  await history.finish();
  trace('tenant isolation verified');
  if (bulk?.dropped) await tx.query('SELECT sesshu_persons_bulk_load_end()');
  trace('indexes built');
  return { rows: summary.rows, events, encoding: summary.encoding, unknownColumns: summary.unknownColumns };
}

/** Prepares one batch as CSV and copies it; returns the number of history rows. */
async function copyBatch(persons: TenantBulkLoad, history: TenantBulkLoad, keys: TenantCrypto, input: FirstLoadInput, rows: readonly ResidentRow[]): Promise<number> {
  // Increasing ids: the primary keys of both tables grow at their right edge instead of at random
  // places of a B-tree larger than PGlite's buffers.
  const ids = timeOrderedUuids(rows.length);
  // A household shares its address and its rows are adjacent: each distinct address is keyed once.
  const addressKeys = new Map<string, string>();
  const personLines: string[] = [];
  const historyLines: string[] = [];
  const code = input.municipalityCode;
  rows.forEach((row, i) => {
    const id = ids[i] as string;
    const kind = row.event?.kind ?? null;
    const status = statusAfterEvent(kind);
    let addrKey = addressKeys.get(row.address);
    if (addrKey === undefined) addressKeys.set(row.address, (addrKey = addressKey(row.address)));
    personLines.push(`${[
      code, id, row.addressNumber, row.name, row.nameKana, row.sex, row.birthDate, row.postcode, row.address, row.householdNumber,
      row.relationship, row.residentType, row.alias, row.romajiName, row.nationality, status,
      status === 'resident' ? null : (row.event?.date ?? null), kind === 'move_in' ? (row.event?.date ?? null) : null,
      row.myNumber === null ? null : keys.encrypt(row.myNumber, { personId: id }),
      row.myNumber === null ? null : keys.blindIndex(row.myNumber),
      nameKey(row.name), kanaKey(row.nameKana), addrKey, input.importId,
    ].map(csvField).join(',')}\n`);
    if (row.event !== null) historyLines.push(`${[code, id, row.event.kind, row.event.date, input.importId, input.userId].map(csvField).join(',')}\n`);
  });
  await persons.write(personLines.join(''));
  if (historyLines.length > 0) await history.write(historyLines.join(''));
  return historyLines.length;
}

/** Physical lines of the upload: the progress total (rows are reported by their line). */
function countLines(buf: Buffer): number {
  let n = 1;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}
