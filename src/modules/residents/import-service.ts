// Applies a validated resident-register file to the ledger in ONE transaction, set-based: rows
// are staged by COPY into a temporary table, then persons are upserted, history and events written,
// and (in full mode) persons missing from the snapshot flagged — never deleted. A tenant's first
// full load on the embedded engine is streamed straight into the tables instead (first-load.ts). A killed process leaves
// the previous state; the file hash makes a re-import harmless. controls: DATA-01, CRY-01, RET-04
import crypto from 'node:crypto';
import type { Database } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import { addressKey, kanaKey, nameKey } from '../../domain/jp-name-normalize.ts';
import type { Actor } from '../../security/actor.ts';
import { perform } from '../../security/guard.ts';
import type { Vault } from '../../security/vault.ts';
import type { DeclaredEncoding, FileEncoding } from './decode.ts';
import { streamFirstLoad, type BulkLoader } from './first-load.ts';
import { csvField, ImportRejected, statusAfterEvent, trace } from './import-common.ts';
import type { ImportMode, ResidentFileError, ResidentRow } from './layout.ts';
import type { KnownPerson, PersonStatus } from './validate-file.ts';
import { checkEventsAgainstState, validateResidentFileYielding } from './validate-file.ts';

export interface ImportRequest {
  fileName: string;
  content: Buffer;
  mode: ImportMode;
  encoding?: DeclaredEncoding;
}

export interface ImportCounts {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  events: number;
  absentRemoved: number;
}

export type ImportOutcome =
  | { status: 'applied'; importId: string; encoding: string; unknownColumns: readonly string[]; counts: ImportCounts }
  | { status: 'duplicate'; importId: string }
  | { status: 'rejected'; errors: readonly ResidentFileError[]; errorCount: number; unknownColumns: readonly string[] };

export type ImportPhase = 'validating' | 'checking' | 'encrypting' | 'staging' | 'applying' | 'done';
export type ImportProgress = (phase: ImportPhase, done: number, total: number) => void;

interface KnownRow {
  address_number: string;
  id: string;
  status: PersonStatus | 'removed';
  my_number_index: string | null;
}

export async function importResidents(
  deps: { db: Database; vault: Vault },
  actor: Actor,
  req: ImportRequest,
  onProgress: ImportProgress = () => undefined,
): Promise<ImportOutcome> {
  onProgress('validating', 0, 1);
  trace('start');
  const sha256 = crypto.createHash('sha256').update(req.content).digest('hex');
  const file = req.fileName.slice(0, 200);
  try {
    // Validation runs inside the transaction (after the permission check): a tenant's first load
    // is validated and copied batch by batch, and a rejection anywhere rolls everything back.
    return await perform(deps.db, actor, { permission: 'person.import', action: 'person.import', detail: { file, sha256, mode: req.mode } }, async ({ tx, note }) => {
      const [dup] = await tx.query<{ id: string }>('SELECT id FROM resident_imports WHERE file_sha256 = $1', [sha256]);
      if (dup) {
        note({ duplicateOf: dup.id });
        return { status: 'duplicate', importId: dup.id } as const;
      }
      const importId = crypto.randomUUID();
      const applied = await (req.mode === 'full' && tx.bulkLoadTenant !== undefined && (await tenantHasNoPersons(tx))
        ? firstLoadByCopy(tx, tx.bulkLoadTenant, deps.vault, actor, importId, req, onProgress)
        : loadValidated(tx, deps.vault, actor, importId, req, onProgress)
      ).catch((err: unknown) => {
        // The failed attempt's one audit entry carries the error count (the report itself may quote personal data).
        if (err instanceof ImportRejected) note({ errors: err.errorCount });
        throw err;
      });
      const { counts } = applied;
      await tx.query(
        `INSERT INTO resident_imports (municipality_code, id, file_name, file_sha256, mode, encoding, rows, inserted, updated,
           unchanged, events, absent_removed, imported_by)
         VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [importId, file, sha256, req.mode, applied.encoding, counts.rows, counts.inserted, counts.updated,
          counts.unchanged, counts.events, counts.absentRemoved, actor.userId],
      );
      note({ importId, ...counts });
      onProgress('done', 1, 1);
      return { status: 'applied', importId, encoding: applied.encoding, unknownColumns: applied.unknownColumns, counts } as const;
    });
  } catch (err) {
    if (!(err instanceof ImportRejected)) throw err;
    // perform() has recorded the attempt (person.import, failed: ImportRejected, with the error count).
    return { status: 'rejected', errors: err.errors, errorCount: err.errorCount, unknownColumns: err.unknownColumns };
  }
}

interface Applied {
  encoding: FileEncoding;
  unknownColumns: readonly string[];
  counts: ImportCounts;
}

async function tenantHasNoPersons(tx: ScopedTx): Promise<boolean> {
  const [r] = await tx.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM persons) AS empty');
  return r?.empty === true;
}

/** A tenant's first full load on the embedded engine: streamed, by COPY (first-load.ts). */
async function firstLoadByCopy(
  tx: ScopedTx, bulkLoad: BulkLoader, vault: Vault, actor: Actor, importId: string, req: ImportRequest, onProgress: ImportProgress,
): Promise<Applied> {
  const keys = await vault.tenantKeyMaterial(tx, actor.municipalityCode); // for the preparation worker (first-load-worker.ts)
  const r = await streamFirstLoad(
    tx, bulkLoad, keys,
    { content: req.content, encoding: req.encoding ?? 'auto', municipalityCode: actor.municipalityCode, importId, userId: actor.userId },
    (done, total) => onProgress('staging', done, total),
  );
  return { encoding: r.encoding, unknownColumns: r.unknownColumns, counts: { rows: r.rows, inserted: r.rows, updated: 0, unchanged: 0, events: r.events, absentRemoved: 0 } };
}

/** Every other load: the whole file validated first, checked against the ledger, staged, applied. */
async function loadValidated(
  tx: ScopedTx, vault: Vault, actor: Actor, importId: string, req: ImportRequest, onProgress: ImportProgress,
): Promise<Applied> {
  const validated = await validateResidentFileYielding(req.content, { mode: req.mode, encoding: req.encoding ?? 'auto' });
  if (!validated.ok) throw new ImportRejected(validated.errors, validated.errorCount, validated.unknownColumns);
  const rows = validated.rows;
  trace('validated');
  onProgress('checking', 0, rows.length);
  const known = await loadKnown(tx, req.mode, rows);
  const eventErrors = checkEventsAgainstState(rows, toKnownPersons(known), req.mode);
  if (eventErrors.length > 0) throw new ImportRejected(eventErrors, eventErrors.length, validated.unknownColumns);
  trace('checked against the ledger');
  onProgress('encrypting', 0, rows.length);
  await stageRows(tx, vault, actor.municipalityCode, rows, known, onProgress);
  onProgress('applying', 0, 1);
  const counts = await apply(tx, importId, req.mode, actor.userId, rows.length);
  return { encoding: validated.encoding, unknownColumns: validated.unknownColumns, counts };
}

async function loadKnown(tx: ScopedTx, mode: ImportMode, rows: readonly ResidentRow[]): Promise<Map<string, KnownRow>> {
  // A full load touches everyone, so one scan beats a huge IN list; a delta touches few.
  const found =
    mode === 'full'
      ? await tx.query<KnownRow>('SELECT address_number, id, status, my_number_index FROM persons')
      : await tx.query<KnownRow>('SELECT address_number, id, status, my_number_index FROM persons WHERE address_number = ANY($1::text[])', [
          [...new Set(rows.map((r) => r.addressNumber))],
        ]);
  return new Map(found.map((r) => [r.address_number, r]));
}

function toKnownPersons(known: Map<string, KnownRow>): Map<string, KnownPerson> {
  // 'removed' (職権消除 or absent from a snapshot) behaves like moved out: only a 転入 brings them back.
  return new Map([...known].map(([k, v]) => [k, { status: v.status === 'removed' ? 'moved_out' : v.status }]));
}

// Rows per COPY statement: about 3 MB of CSV. PGlite copies the text into an in-memory file that grows
// by reallocation, so much larger chunks cost more, not less; smaller ones add round trips.
const STAGE_CHUNK = 10_000;

/**
 * Encrypts the My Numbers, computes the matching keys and streams the rows into the temporary
 * table import_stage, one COPY per STAGE_CHUNK rows, so only one chunk of CSV text is held at a
 * time. Staging before the My Number checks is harmless: a rejection rolls the transaction back.
 */
async function stageRows(
  tx: ScopedTx,
  vault: Vault,
  code: string,
  rows: readonly ResidentRow[],
  known: Map<string, KnownRow>,
  onProgress: ImportProgress,
): Promise<void> {
  const byIndex = new Map<string, string>(); // blind index → address number, within this file
  const errors: ResidentFileError[] = [];
  const keys = await vault.tenantCrypto(tx, code); // unwrapped once: the loop below stays synchronous
  // A temporary table filled by COPY: no WAL, no indexes while loading, far fewer round trips than INSERTs.
  await tx.exec(`CREATE TEMP TABLE import_stage (${STAGE_COLUMN_DEFS.map(([c, t]) => `${c} ${t}`).join(', ')}) ON COMMIT DROP`);
  const columns = STAGE_COLUMN_DEFS.map(([c]) => c);
  // A household shares its address: each distinct address is keyed once (addressKey is the costliest key).
  const addressKeys = new Map<string, string>();
  const addressKeyOf = (a: string): string => {
    let k = addressKeys.get(a);
    if (k === undefined) addressKeys.set(a, (k = addressKey(a)));
    return k;
  };
  let lines: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as ResidentRow;
    // 宛名番号 is unique within a file (validateResidentFileYielding), so each row is its own person.
    const id = known.get(row.addressNumber)?.id ?? crypto.randomUUID();
    let enc: string | null = null;
    let index: string | null = null;
    if (row.myNumber) {
      index = keys.blindIndex(row.myNumber);
      const other = byIndex.get(index);
      if (other !== undefined && other !== row.addressNumber) errors.push(duplicateMyNumber(row, 'この個人番号はファイル内の別の宛名番号にも記載されています', 'the same 個人番号 appears for another 宛名番号 in this file'));
      byIndex.set(index, row.addressNumber);
      enc = keys.encrypt(row.myNumber, { personId: id });
    }
    const status = statusAfterEvent(row.event?.kind ?? null);
    lines.push(stageLine(i, id, row, status, status === 'resident' ? null : (row.event?.date ?? null), enc, index, addressKeyOf(row.address)));
    if (lines.length === STAGE_CHUNK || i === rows.length - 1) {
      await tx.copyIntoTemp('import_stage', columns, lines.join(''));
      lines = [];
      onProgress('staging', i + 1, rows.length);
    }
  }
  if (byIndex.size > 0 && errors.length === 0) {
    // The number must not already belong to a different person in the ledger.
    // An index look-up per number (persons_my_number): a join with the not yet analysed stage scanned
    // the whole ledger for a small delta.
    const owners = await tx.query<{ my_number_index: string; address_number: string }>(
      'SELECT my_number_index, address_number FROM persons WHERE my_number_index = ANY($1::text[])',
      [[...byIndex.keys()]],
    );
    for (const o of owners) {
      const claimedBy = byIndex.get(o.my_number_index);
      const row = claimedBy === undefined || claimedBy === o.address_number ? undefined : rows.find((r) => r.addressNumber === claimedBy);
      if (row) errors.push(duplicateMyNumber(row, 'この個人番号は台帳上の別の人に登録されています', 'this 個人番号 is already registered for another person'));
    }
  }
  if (errors.length > 0) throw new ImportRejected(errors);
}

function duplicateMyNumber(row: ResidentRow, ja: string, en: string): ResidentFileError {
  return { row: row.row, line: row.line, column: '個人番号', value: '************', code: 'duplicate_my_number', reason: { ja, en } };
}

const STAGE_COLUMN_DEFS = [
  ['ord', 'int'], ['id', 'uuid'], ['address_number', 'text'], ['name', 'text'], ['name_kana', 'text'], ['sex', 'char(1)'],
  ['birth_date', 'date'], ['postcode', 'text'], ['address', 'text'], ['household_number', 'text'], ['relationship', 'text'],
  ['resident_type', 'text'], ['alias', 'text'], ['romaji_name', 'text'], ['nationality', 'text'], ['status', 'text'],
  ['status_date', 'date'], ['event_kind', 'text'], ['event_date', 'date'], ['my_number_enc', 'text'], ['my_number_index', 'text'],
  ['name_key', 'text'], ['kana_key', 'text'], ['address_key', 'text'],
] as const;


/** One stage row as a CSV line, in STAGE_COLUMN_DEFS order. The matching keys are computed here. */
function stageLine(
  ord: number, id: string, row: ResidentRow, status: string, statusDate: string | null, enc: string | null, index: string | null, addrKey: string,
): string {
  return [
    ord, id, row.addressNumber, row.name, row.nameKana, row.sex, row.birthDate, row.postcode, row.address, row.householdNumber,
    row.relationship, row.residentType, row.alias, row.romajiName, row.nationality, status, statusDate, row.event?.kind ?? null,
    row.event?.date ?? null, enc, index, nameKey(row.name), kanaKey(row.nameKana), addrKey,
  ].map(csvField).join(',') + '\n';
}

// The person's facts a feed can change; their before/after go to person_history.
const FACTS = ['name', 'name_kana', 'sex', 'birth_date', 'postcode', 'address', 'household_number', 'relationship', 'resident_type', 'alias', 'romaji_name', 'nationality', 'status'];
const factsJson = (alias: string): string => `jsonb_build_object(${FACTS.map((f) => `'${f}', ${alias}.${f}`).join(', ')})`;
const factsTuple = (alias: string): string => `(${FACTS.map((f) => `${alias}.${f}`).join(', ')})`;


const PERSON_COLUMNS = `id, address_number, name, name_kana, sex, birth_date, postcode, address, household_number, relationship,
  resident_type, alias, romaji_name, nationality, status, status_date, moved_in_on, my_number_enc, my_number_index,
  name_key, kana_key, address_key, last_import_id`;
const FROM_STAGE = `id, address_number, name, name_kana, sex, birth_date, postcode, address, household_number, relationship,
  resident_type, alias, romaji_name, nationality, status, status_date, CASE WHEN event_kind = 'move_in' THEN event_date END,
  my_number_enc, my_number_index, name_key, kana_key, address_key`;

async function apply(tx: ScopedTx, importId: string, mode: ImportMode, userId: string, rows: number): Promise<ImportCounts> {
  trace('staged');
  // 宛名番号 is unique within a file, so the stage holds each person's state after the import. The
  // unique index is the lookup for the joins below and a guard: a repeated 宛名番号 fails the import.
  // Statistics keep PostgreSQL from rescanning the stage per person (measured: 19 s for 20,000 rows).
  await tx.exec('CREATE UNIQUE INDEX ON import_stage (address_number); ANALYZE import_stage');
  trace('stage indexed');
  const [empty] = await tx.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM persons) AS empty');
  if (empty?.empty) return firstLoad(tx, importId, userId, rows);
  await tx.query(
    `INSERT INTO person_history (municipality_code, person_id, kind, event_date, import_id, before, after, recorded_by)
     SELECT app_tenant(), p.id, 'update', NULL, $1, ${factsJson('p')}, ${factsJson('f')}, $2
       FROM import_stage f JOIN persons p ON p.address_number = f.address_number
      WHERE ${factsTuple('p')} IS DISTINCT FROM ${factsTuple('f')}`,
    [importId, userId],
  );
  const [upserted] = await tx.query<{ inserted: number; updated: number }>(
    `WITH up AS (INSERT INTO persons (municipality_code, id, address_number, name, name_kana, sex, birth_date, postcode, address, household_number,
        relationship, resident_type, alias, romaji_name, nationality, status, status_date, moved_in_on, my_number_enc, my_number_index,
        name_key, kana_key, address_key, last_import_id)
     SELECT app_tenant(), ${FROM_STAGE}, $1
       FROM import_stage
     ON CONFLICT (municipality_code, address_number) DO UPDATE SET
        name = excluded.name, name_kana = excluded.name_kana, sex = excluded.sex, birth_date = excluded.birth_date,
        postcode = excluded.postcode, address = excluded.address, household_number = excluded.household_number,
        relationship = excluded.relationship, resident_type = excluded.resident_type, alias = excluded.alias,
        romaji_name = excluded.romaji_name, nationality = excluded.nationality, status = excluded.status,
        status_date = COALESCE(excluded.status_date, CASE WHEN excluded.status = persons.status THEN persons.status_date END),
        moved_in_on = COALESCE(excluded.moved_in_on, persons.moved_in_on),
        -- Not every feed carries 個人番号: an empty cell keeps the number already held.
        my_number_enc = COALESCE(excluded.my_number_enc, persons.my_number_enc),
        my_number_index = COALESCE(excluded.my_number_index, persons.my_number_index),
        name_key = excluded.name_key, kana_key = excluded.kana_key, address_key = excluded.address_key,
        last_import_id = excluded.last_import_id, updated_at = now()
      WHERE ${factsTuple('persons')} IS DISTINCT FROM ${factsTuple('excluded')}
         OR (excluded.my_number_index IS NOT NULL AND excluded.my_number_index IS DISTINCT FROM persons.my_number_index)
     RETURNING (xmax = 0) AS inserted)
     SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated FROM up`,
    [importId],
  );
  const events = await tx.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO person_history (municipality_code, person_id, kind, event_date, import_id, after, recorded_by)
       SELECT app_tenant(), s.id, s.event_kind, s.event_date, $1, ${factsJson('s')}, $2
         FROM import_stage s
        WHERE s.event_kind IS NOT NULL
          -- A full file restates each person's last event: record it once, not at every load.
          AND ($3::text = 'delta' OR NOT EXISTS (
                SELECT 1 FROM person_history h WHERE h.person_id = s.id AND h.kind = s.event_kind AND h.event_date = s.event_date))
        ORDER BY s.ord
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [importId, userId, mode],
  );
  let absentRemoved = 0;
  if (mode === 'full') {
    // A full snapshot that no longer lists a resident: flagged as removed, kept with its history.
    const absent = await tx.query<{ n: number }>(
      `WITH gone AS (
         UPDATE persons p SET status = 'removed', status_date = CURRENT_DATE, last_import_id = $1, updated_at = now()
          WHERE p.status = 'resident' AND p.merged_into IS NULL
            AND NOT EXISTS (SELECT 1 FROM import_stage f WHERE f.address_number = p.address_number)
         RETURNING p.id),
       hist AS (
         INSERT INTO person_history (municipality_code, person_id, kind, event_date, import_id, recorded_by)
         SELECT app_tenant(), id, 'snapshot_absent', CURRENT_DATE, $1, $2 FROM gone RETURNING 1)
       SELECT count(*)::int AS n FROM hist`,
      [importId, userId],
    );
    absentRemoved = absent[0]?.n ?? 0;
  }
  const [finalCount] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM import_stage');
  const inserted = upserted?.inserted ?? 0;
  const updated = upserted?.updated ?? 0;
  return { rows, inserted, updated, unchanged: (finalCount?.n ?? 0) - inserted - updated, events: events[0]?.n ?? 0, absentRemoved };
}

/**
 * The first load of a tenant (no persons yet): every row is a new person, so the persons are
 * inserted straight from the stage — no conflict handling, no before/after comparison. Each row's
 * 異動 is recorded once, compactly: without `after` facts, because they are the person row this
 * import (import_id) created; the first later change records them as its `before`. Copying them as
 * jsonb cost a third of the history insert (docs/resident-import.md §10).
 */
async function firstLoad(tx: ScopedTx, importId: string, userId: string, rows: number): Promise<ImportCounts> {
  // When no tenant has persons yet, the search indexes are built after the load (migration 0013).
  const [bulk] = await tx.query<{ dropped: boolean }>('SELECT sesshu_persons_bulk_load_begin() AS dropped');
  trace(`bulk load begin (indexes dropped: ${String(bulk?.dropped)})`);
  const [ins] = await tx.query<{ n: number }>(
    // In id order: the primary key (and later the history's) then grows at its end instead of at
    // random places of a B-tree larger than PGlite's buffers.
    `WITH ins AS (INSERT INTO persons (municipality_code, ${PERSON_COLUMNS})
       SELECT app_tenant(), ${FROM_STAGE}, $1 FROM import_stage ORDER BY id RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [importId],
  );
  trace('persons inserted');
  const [events] = await tx.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO person_history (municipality_code, person_id, kind, event_date, import_id, after, recorded_by)
       SELECT app_tenant(), s.id, s.event_kind, s.event_date, $1, NULL, $2
         FROM import_stage s WHERE s.event_kind IS NOT NULL ORDER BY s.id
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [importId, userId],
  );
  trace('history inserted');
  if (bulk?.dropped) await tx.query('SELECT sesshu_persons_bulk_load_end()');
  trace('indexes built');
  return { rows, inserted: ins?.n ?? 0, updated: 0, unchanged: 0, events: events?.n ?? 0, absentRemoved: 0 };
}
