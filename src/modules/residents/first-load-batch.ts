// One validated batch of a tenant's first load, prepared as COPY input for persons and person_history:
// a time-ordered person id, the My Number's envelope and blind index, the matching keys, CSV encoded
// as UTF-8. Pure apart from the ids and IVs, so it runs in the preparation worker
// (first-load-worker.ts) while the main thread copies the previous batch. controls: CRY-01, DATA-04
import { timeOrderedUuids } from '../../db/time-ordered-id.ts';
import { addressKey, kanaKey, nameKey } from '../../domain/jp-name-normalize.ts';
import type { TenantCrypto } from '../../security/vault.ts';
import { csvField, statusAfterEvent } from './import-common.ts';
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
  readonly history: Uint8Array;
  readonly historyRows: number;
}

const utf8 = new TextEncoder();

export function prepareFirstLoadBatch(rows: readonly ResidentRow[], keys: TenantCrypto, ctx: FirstLoadContext): PreparedBatch {
  // Increasing ids: the primary keys of both tables grow at their right edge instead of at random
  // places of a B-tree larger than PGlite's buffers.
  const ids = timeOrderedUuids(rows.length);
  // A household shares its address and its rows are adjacent: each distinct address is keyed once.
  const addressKeys = new Map<string, string>();
  const personLines: string[] = [];
  const historyLines: string[] = [];
  const code = ctx.municipalityCode;
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
      nameKey(row.name), kanaKey(row.nameKana), addrKey, ctx.importId,
    ].map(csvField).join(',')}\n`);
    if (row.event !== null) historyLines.push(`${[code, id, row.event.kind, row.event.date, ctx.importId, ctx.userId].map(csvField).join(',')}\n`);
  });
  return { persons: utf8.encode(personLines.join('')), history: utf8.encode(historyLines.join('')), historyRows: historyLines.length };
}
