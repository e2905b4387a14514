// One validated batch of a tenant's first load, prepared as COPY input for persons and person_history:
// a time-ordered person id, the My Number's envelope and blind index, the matching keys, CSV encoded
// as UTF-8. Pure apart from the ids and IVs, so it runs in the preparation worker
// (first-load-worker.ts) while the main thread copies the previous batch. controls: CRY-01, DATA-04
import { timeOrderedUuids } from '../../db/time-ordered-id.ts';
import { addressKey, kanaKey, nameKey } from '../../domain/jp-name-normalize.ts';
import type { TenantCrypto } from '../../security/vault.ts';
import { statusAfterEvent } from './import-common.ts';
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

// CSV fields for COPY: NULL is an empty unquoted field. Free text is quoted (even ''); a value whose
// form the validator or this module fixes — digits, dates, codes, UUIDs, hex, base64url envelopes,
// never empty, never a comma, quote or line break — is written as it is (csvField quoted all of
// them: a fifth of the preparation time).
const text = (v: string | null): string => (v === null ? '' : `"${v.includes('"') ? v.replaceAll('"', '""') : v}"`);
const bare = (v: string | null): string => v ?? '';

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
    const statusDate = status === 'resident' ? null : (row.event?.date ?? null);
    const movedInOn = kind === 'move_in' ? (row.event?.date ?? null) : null;
    const envelope = row.myNumber === null ? null : keys.encrypt(row.myNumber, { personId: id });
    const blind = row.myNumber === null ? null : keys.blindIndex(row.myNumber);
    // In PERSON_COLUMNS order.
    personLines.push(
      `${code},${id},${row.addressNumber},${text(row.name)},${text(row.nameKana)},${row.sex},${row.birthDate},${bare(row.postcode)},`
      + `${text(row.address)},${bare(row.householdNumber)},${text(row.relationship)},${row.residentType},${text(row.alias)},`
      + `${text(row.romajiName)},${text(row.nationality)},${status},${bare(statusDate)},${bare(movedInOn)},${bare(envelope)},${bare(blind)},`
      + `${text(nameKey(row.name))},${text(kanaKey(row.nameKana))},${text(addrKey)},${ctx.importId}\n`,
    );
    if (row.event !== null) historyLines.push(`${code},${id},${row.event.kind},${row.event.date},${ctx.importId},${text(ctx.userId)}\n`);
  });
  return { persons: utf8.encode(personLines.join('')), history: utf8.encode(historyLines.join('')), historyRows: historyLines.length };
}
