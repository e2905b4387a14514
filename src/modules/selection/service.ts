// Selection (対象者抽出) as a service: one audited operation ('selection.run') that streams the
// scan's pages to a sink (CLI file, batch writer) or collects a preview for the pages.
// control: AC-01 (permission selection.run), LOG-01 (one audit entry with the criteria and counts)
import type { Database } from '../../db/client.ts';
import type { Actor } from '../../security/actor.ts';
import type { JsonObject } from '../../security/audit-chain.ts';
import { perform } from '../../security/guard.ts';
import { parseCriteria, type CriteriaInput, type SelectionCriteria } from './criteria.ts';
import { countScanned, scanSelection, type SelectionPage, type SelectionProblem, type SelectionRow } from './scan.ts';

export interface SelectionSummary {
  criteria: SelectionCriteria;
  /** Residents scanned (after the SQL filters). */
  scanned: number;
  rows: number;
  persons: number;
  movedIn: number;
  problems: number;
  seconds: number;
}

export interface SelectionHooks {
  /** Called once with the number of residents the scan will read (for a progress bar). */
  onStart?: (total: number) => void;
  onProgress?: (scanned: number) => void;
  /** Residents per page (default PAGE_SIZE); tests use small pages to cross page boundaries. */
  pageSize?: number;
}

export function criteriaJson(c: SelectionCriteria): JsonObject {
  return JSON.parse(JSON.stringify(c)) as JsonObject;
}

/** Runs a selection and hands each page to `sink`, inside one audited read. */
export async function runSelection(
  db: Database,
  actor: Actor,
  input: CriteriaInput,
  sink: (page: SelectionPage) => void | Promise<void>,
  hooks: SelectionHooks = {},
): Promise<SelectionSummary> {
  const criteria = parseCriteria(input);
  const started = performance.now();
  return perform(db, actor, { permission: 'selection.run', action: 'selection.run', detail: { criteria: criteriaJson(criteria) } }, async ({ tx, note }) => {
    hooks.onStart?.(await countScanned(tx, criteria));
    const s = { scanned: 0, rows: 0, persons: 0, movedIn: 0, problems: 0 };
    for await (const page of scanSelection(tx, criteria, hooks.pageSize)) {
      s.scanned = page.scanned;
      s.rows += page.rows.length;
      s.persons += new Set(page.rows.map((r) => r.personId)).size; // pages never split a person
      s.movedIn += page.movedIn.length;
      s.problems += page.problems.length;
      await sink(page);
      hooks.onProgress?.(page.scanned);
    }
    note(s);
    return { criteria, ...s, seconds: (performance.now() - started) / 1000 };
  });
}

export interface SelectionPreview {
  summary: SelectionSummary;
  /** The first `limit` rows (宛名番号 order), and whether more were left off. */
  rows: SelectionRow[];
  movedIn: SelectionRow[];
  problems: SelectionProblem[];
  truncated: boolean;
}

export const PREVIEW_LIMIT = 1000;

/** The selection for a page: counts over everything, rows up to `limit`. */
export async function previewSelection(db: Database, actor: Actor, input: CriteriaInput, limit = PREVIEW_LIMIT): Promise<SelectionPreview> {
  const rows: SelectionRow[] = [];
  const movedIn: SelectionRow[] = [];
  const problems: SelectionProblem[] = [];
  let truncated = false;
  const summary = await runSelection(db, actor, input, (page) => {
    for (const [from, to] of [[page.rows, rows], [page.movedIn, movedIn], [page.problems, problems]] as const) {
      const room = limit - to.length;
      if (from.length > room) truncated = true;
      if (room > 0) (to as unknown[]).push(...from.slice(0, room));
    }
  });
  return { summary, rows, movedIn, problems, truncated };
}
