// One validated batch of a tenant's first load, prepared as COPY input for persons and person_history:
// a time-ordered person id, the My Number's envelope and blind index, the matching keys, CSV encoded
// as UTF-8. Pure apart from the ids and IVs, so it runs in the preparation worker
// (first-load-worker.ts) while the main thread copies the previous batch. controls: CRY-01, DATA-04
import { timeOrderedUuids } from '../../db/time-ordered-id.ts';
import { addressKey, kanaKey, nameKey } from '../../domain/jp-name-normalize.ts';
import type { TenantCrypto } from '../../security/vault.ts';
import { statusAfterEvent } from './import-common.ts';
import { CsvBytes } from './csv-bytes.ts';
import type { ResidentRow } from './layout.ts';

export const PERSON_COLUMNS = [
  'municipality_code', 'id', 'address_number', 'name', 'name_kana', 'sex', 'birth_date', 'postcode', 'address', 'household_number',
  'relationship', 'resident_type', 'alias', 'romaji_name', 'nationality', 'status', 'status_date', 'moved_in_on', 'my_number_enc',
  'my_number_index', 'name_key', 'kana_key', 'address_key', 'last_import_id',
] as const;
// One row per 異動, without `after` facts: they are the person row this import (import_id) created;
// the first later change records them as its `before` (docs/resident-import.md §10).
export const HISTORY_COLUMNS = ['municipality_code', 'person_id', 'kind', 'event_date', 'import_id', 'recorded_by'] as const;

export interface FirstLoadContext {
  readonly municipalityCode: string;
  readonly importId: string;
  readonly userId: string;
}

/** COPY input (CSV, no header, UTF-8) for both tables; each buffer owns its memory, so it can be transferred. */
export interface PreparedBatch {
  readonly persons: Uint8Array;
  readonly personRows: number;
  readonly history: Uint8Array;
  readonly historyRows: number;
}

export function prepareFirstLoadBatch(rows: readonly ResidentRow[], keys: TenantCrypto, ctx: FirstLoadContext): PreparedBatch {
  // Increasing ids: the primary keys of both tables grow at their right edge instead of at random
  // places of a B-tree larger than PGlite's buffers.
  const ids = timeOrderedUuids(rows.length);
  // A household shares its address and its rows are adjacent: each distinct address is keyed once.
  const addressKeys = new Map<string, string>();
  // Fields of a fixed form — digits, dates, codes, UUIDs, hex, base64url envelopes, never empty,
  // never a comma, quote or line break — are written bare; free text is quoted (CsvBytes).
  const persons = new CsvBytes(rows.length * 520);
  const history = new CsvBytes(rows.length * 120);
  let historyRows = 0;
  const code = ctx.municipalityCode;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as ResidentRow;
    const id = ids[i] as string;
    const event = row.event;
    const status = statusAfterEvent(event?.kind ?? null);
    let addrKey = addressKeys.get(row.address);
    if (addrKey === undefined) addressKeys.set(row.address, (addrKey = addressKey(row.address)));
    const statusDate = status === 'resident' ? null : (event?.date ?? null);
    const movedInOn = event?.kind === 'move_in' ? event.date : null;
    const myNumber = row.myNumber;
    // In PERSON_COLUMNS order.
    persons.bare(code).comma().bare(id).comma().bare(row.addressNumber).comma().text(row.name).comma().text(row.nameKana).comma()
      .bare(row.sex).comma().bare(row.birthDate).comma().bare(row.postcode).comma().text(row.address).comma()
      .bare(row.householdNumber).comma().text(row.relationship).comma().bare(row.residentType).comma().text(row.alias).comma()
      .text(row.romajiName).comma().text(row.nationality).comma().bare(status).comma().bare(statusDate).comma().bare(movedInOn).comma()
      .bare(myNumber === null ? null : keys.encrypt(myNumber, { personId: id })).comma()
      .bare(myNumber === null ? null : keys.blindIndex(myNumber)).comma()
      .text(nameKey(row.name)).comma().text(kanaKey(row.nameKana)).comma().text(addrKey).comma().bare(ctx.importId).endRow();
    if (event !== null) {
      history.bare(code).comma().bare(id).comma().bare(event.kind).comma().bare(event.date).comma().bare(ctx.importId).comma().text(ctx.userId).endRow();
      historyRows++;
    }
  }
  return { persons: persons.take(), personRows: rows.length, history: history.take(), historyRows };
}
