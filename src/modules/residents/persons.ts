// Person identity (統合宛名): search by 宛名番号, by the 4 facts or by kana, robust to 異体字 and
// width; the person page with movement history; My Number shown only with a permission and a
// stated purpose; duplicate candidates and merge (名寄せ). All through perform(), so every look-up
// is checked and audited in one place. controls: AC-01, AC-04, LOG-01, MN display (see controls.md)
import type { Database } from '../../db/client.ts';
import { addressKey, kanaKey, nameKey } from '../../domain/jp-name-normalize.ts';
import type { Actor } from '../../security/actor.ts';
import { perform } from '../../security/guard.ts';
import { maskMyNumber } from '../../security/my-number.ts';
import type { Vault } from '../../security/vault.ts';

export class NotFoundError extends Error {
  override name = 'NotFoundError';
  readonly statusCode = 404;
}

export class InputError extends Error {
  override name = 'InputError';
  readonly statusCode = 400;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Forged or malformed ids stop here with a clear error, before they reach SQL. */
export function checkPersonId(id: string): string {
  if (!UUID_RE.test(id)) throw new NotFoundError('no such person (該当する住民がいません)');
  return id;
}

export interface PersonSummary {
  id: string;
  address_number: string;
  name: string;
  name_kana: string;
  sex: 'M' | 'F';
  birth_date: string;
  address: string;
  status: string;
  merged_into: string | null;
}

export interface PersonDetail extends PersonSummary {
  postcode: string | null;
  household_number: string | null;
  relationship: string | null;
  resident_type: 'japanese' | 'foreign';
  alias: string | null;
  romaji_name: string | null;
  nationality: string | null;
  status_date: string | null;
  moved_in_on: string | null;
  /** Always masked here; revealMyNumber is the only way to the digits. */
  my_number_masked: string;
}

export interface HistoryEntry {
  seq: number;
  kind: string;
  event_date: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  recorded_at: Date;
}

export interface PersonQuery {
  addressNumber?: string;
  name?: string;
  kana?: string;
  sex?: 'M' | 'F';
  birthDate?: string;
  address?: string;
  includeInactive?: boolean;
}

const SUMMARY = 'id, address_number, name, name_kana, sex, birth_date, address, status, merged_into';
export const SEARCH_LIMIT = 50;

export async function searchPersons(db: Database, actor: Actor, q: PersonQuery): Promise<PersonSummary[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown): void => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.addressNumber?.trim()) add('address_number = ?', q.addressNumber.normalize('NFKC').trim());
  if (q.name?.trim()) add('name_key LIKE ?', `${escapeLike(nameKey(q.name))}%`);
  if (q.kana?.trim()) add('kana_key LIKE ?', `${escapeLike(kanaKey(q.kana))}%`);
  if (q.sex) add('sex = ?', q.sex);
  if (q.birthDate?.trim()) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(q.birthDate)) throw new InputError('生年月日は YYYY-MM-DD で入力してください (birth date must be YYYY-MM-DD)');
    add('birth_date = ?', q.birthDate);
  }
  if (q.address?.trim()) add(`address_key LIKE ?`, `%${escapeLike(addressKey(q.address))}%`);
  if (where.length === 0) throw new InputError('検索条件を1つ以上入力してください (enter at least one search condition)');
  if (!q.includeInactive) where.push(`status = 'resident' AND merged_into IS NULL`);
  const fields = Object.entries(q).filter(([, v]) => v !== undefined && v !== '' && v !== false).map(([k]) => k);
  return perform(db, actor, { permission: 'person.read', action: 'person.search', detail: { fields } }, async ({ tx, note }) => {
    const rows = await tx.query<PersonSummary>(
      `SELECT ${SUMMARY} FROM persons WHERE ${where.join(' AND ')} ORDER BY kana_key, birth_date LIMIT ${SEARCH_LIMIT + 1}`,
      params,
    );
    // Who appeared in the result list is part of the record of this look-up (bulk-access review).
    note({ results: rows.length, personIds: rows.slice(0, SEARCH_LIMIT).map((r) => r.id) });
    return rows;
  });
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function getPerson(db: Database, actor: Actor, id: string): Promise<{ person: PersonDetail; history: HistoryEntry[] }> {
  checkPersonId(id);
  return perform(db, actor, { permission: 'person.read', action: 'person.view', subjectPersonId: id }, async ({ tx }) => {
    const [row] = await tx.query<PersonDetail & { my_number_enc: string | null }>(
      `SELECT ${SUMMARY}, postcode, household_number, relationship, resident_type, alias, romaji_name, nationality, status_date,
              moved_in_on, my_number_enc FROM persons WHERE id = $1`,
      [id],
    );
    if (!row) throw new NotFoundError('no such person (該当する住民がいません)');
    const { my_number_enc, ...rest } = row;
    const history = await tx.query<HistoryEntry>(
      'SELECT seq, kind, event_date, before, after, recorded_at FROM person_history WHERE person_id = $1 ORDER BY seq DESC',
      [id],
    );
    return { person: { ...rest, my_number_masked: maskMyNumber(my_number_enc ? 'held' : null) }, history };
  });
}

/** The only road to a My Number's digits: permission, a stated purpose, and an audit entry. */
export async function revealMyNumber(db: Database, vault: Vault, actor: Actor, id: string, purpose: string): Promise<string | null> {
  checkPersonId(id);
  const why = purpose.trim();
  if (why.length < 4) throw new InputError('表示する目的を入力してください (state the purpose of showing the number)');
  return perform(
    db,
    { ...actor, purpose: why.slice(0, 200) },
    { permission: 'mynumber.reveal', action: 'mynumber.reveal', subjectPersonId: id, detail: { purpose: why.slice(0, 200) } },
    async ({ tx }) => {
      const [row] = await tx.query<{ my_number_enc: string | null }>('SELECT my_number_enc FROM persons WHERE id = $1', [id]);
      if (!row) throw new NotFoundError('no such person (該当する住民がいません)');
      return row.my_number_enc ? vault.decrypt(tx, actor.municipalityCode, row.my_number_enc, { personId: id }) : null;
    },
  );
}

export interface DuplicatePair {
  a: PersonSummary;
  b: PersonSummary;
  reason: 'name_birth_sex' | 'kana_birth_sex';
}

/** Candidate duplicates for a person to review: same folded name or kana, birth date and sex. */
export async function duplicateCandidates(db: Database, actor: Actor, limit = 100): Promise<DuplicatePair[]> {
  return perform(db, actor, { permission: 'person.merge', action: 'person.duplicates' }, async ({ tx, note }) => {
    const rows = await tx.query<{ a: PersonSummary; b: PersonSummary; reason: DuplicatePair['reason'] }>(
      `SELECT to_jsonb(x) AS a, to_jsonb(y) AS b,
              CASE WHEN x.name_key = y.name_key THEN 'name_birth_sex' ELSE 'kana_birth_sex' END AS reason
         FROM persons x JOIN persons y
           ON y.birth_date = x.birth_date AND y.sex = x.sex AND y.id > x.id
          AND (y.name_key = x.name_key OR y.kana_key = x.kana_key)
        WHERE x.merged_into IS NULL AND y.merged_into IS NULL
        ORDER BY x.kana_key LIMIT $1`,
      [limit],
    );
    note({ pairs: rows.length });
    return rows.map((r) => ({ a: pick(r.a), b: pick(r.b), reason: r.reason }));
  });
}

function pick(p: PersonSummary): PersonSummary {
  const { id, address_number, name, name_kana, sex, birth_date, address, status, merged_into } = p;
  return { id, address_number, name, name_kana, sex, birth_date, address, status, merged_into };
}

/** 名寄せ: `duplicateId` is merged into `survivorId`; both keep their rows and history. */
export async function mergePersons(db: Database, actor: Actor, input: { survivorId: string; duplicateId: string; reason: string }): Promise<void> {
  checkPersonId(input.survivorId);
  checkPersonId(input.duplicateId);
  if (input.survivorId === input.duplicateId) throw new InputError('同じ人どうしは統合できません (cannot merge a person into itself)');
  if (!input.reason.trim()) throw new InputError('統合の理由を入力してください (a reason is required)');
  await perform(
    db,
    actor,
    { permission: 'person.merge', action: 'person.merge', subjectPersonId: input.duplicateId, detail: { survivorId: input.survivorId, reason: input.reason } },
    async ({ tx, audit }) => {
      const rows = await tx.query<{ id: string; merged_into: string | null }>('SELECT id, merged_into FROM persons WHERE id = ANY($1::uuid[])', [
        [input.survivorId, input.duplicateId],
      ]);
      if (rows.length !== 2) throw new NotFoundError('no such person (該当する住民がいません)');
      if (rows.some((r) => r.merged_into)) throw new InputError('既に統合済みの人が含まれています (one of them is already merged)');
      await tx.query('UPDATE persons SET merged_into = $1, updated_at = now() WHERE id = $2', [input.survivorId, input.duplicateId]);
      await tx.query(
        `INSERT INTO person_history (municipality_code, person_id, kind, event_date, after, recorded_by)
         VALUES (app_tenant(), $1::uuid, 'merged_into', CURRENT_DATE, jsonb_build_object('survivor', $2::text, 'reason', $3::text), $4),
                (app_tenant(), $2::uuid, 'merged_from', CURRENT_DATE, jsonb_build_object('duplicate', $1::text, 'reason', $3::text), $4)`,
        [input.duplicateId, input.survivorId, input.reason, actor.userId],
      );
      await audit({ action: 'person.merge', result: 'ok', subjectPersonId: input.survivorId, detail: { duplicateId: input.duplicateId } });
    },
  );
}
