// Resident register pages: search, one person with movement history and the My Number reveal form,
// import upload with its progress and report, and duplicate candidates (名寄せ). Names and addresses
// are shown exactly as stored (𠮷, 髙); every value goes through html``; no inline script or style.
// control: AC-04 (My Number masked unless revealed on purpose), DATA-01 (import report)
import { toJstLocalDateTime } from '../../domain/jp-holidays.ts';
import { toJapaneseEraDate } from '../../domain/jp-date-parse.ts';
import type { ImportJob } from '../../modules/residents/import-jobs.ts';
import type { ImportOutcome } from '../../modules/residents/import-service.ts';
import type { ResidentEventKind, ResidentFileError } from '../../modules/residents/layout.ts';
import { RESIDENT_EVENTS } from '../../modules/residents/layout.ts';
import type { DuplicatePair, HistoryEntry, PersonDetail, PersonSummary } from '../../modules/residents/persons.ts';
import { SEARCH_LIMIT } from '../../modules/residents/persons.ts';
import type { HtmlValue, SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { ViewContext } from '../view-context.ts';
import { type Bi, bi, csrfField, layout, messageBox } from './layout.ts';


const say = (ctx: ViewContext, ja: string, en: string): string => (ctx.locale === 'ja' ? ja : en);
const jst = (d: Date | null): string => (d ? toJstLocalDateTime(d).replace('T', ' ') : '');

const STATUS: Record<string, Bi> = {
  resident: { ja: '住民', en: 'Resident' },
  moved_out: { ja: '転出', en: 'Moved out' },
  dead: { ja: '死亡', en: 'Deceased' },
  removed: { ja: '消除', en: 'Removed' },
};

const EVENT_EN: Record<ResidentEventKind, string> = {
  birth: 'Birth', move_in: 'Moved in', move_out: 'Moved out', death: 'Death', relocation: 'Moved within the city',
  name_change: 'Name change', ex_officio_entry: 'Entered ex officio', ex_officio_removal: 'Removed ex officio',
};

const HISTORY_KINDS: Record<string, Bi> = {
  ...Object.fromEntries(RESIDENT_EVENTS.map((e) => [e.kind, { ja: e.label, en: EVENT_EN[e.kind] }])),
  update: { ja: '更新', en: 'Update' },
  snapshot_absent: { ja: 'スナップショット不在（全件ファイルに記載なし）', en: 'Absent from a full file' },
  merged_into: { ja: '統合（統合先へ）', en: 'Merged into another record' },
  merged_from: { ja: '統合（重複記録を統合）', en: 'Merged a duplicate record' },
};

/** Labels of the facts an 'update' history entry compares. */
const FACT_LABELS: Record<string, Bi> = {
  name: { ja: '氏名', en: 'Name' },
  name_kana: { ja: '氏名カナ', en: 'Kana' },
  sex: { ja: '性別', en: 'Sex' },
  birth_date: { ja: '生年月日', en: 'Birth date' },
  postcode: { ja: '郵便番号', en: 'Postcode' },
  address: { ja: '住所', en: 'Address' },
  household_number: { ja: '世帯番号', en: 'Household number' },
  relationship: { ja: '続柄', en: 'Relationship' },
  resident_type: { ja: '住民区分', en: 'Resident type' },
  alias: { ja: '通称', en: 'Alias (通称)' },
  romaji_name: { ja: 'ローマ字氏名', en: 'Name in Latin letters' },
  nationality: { ja: '国籍', en: 'Nationality' },
  status: { ja: '状態', en: 'Status' },
};

export const statusText = (ctx: ViewContext, status: string): string => (STATUS[status] ? bi(ctx, STATUS[status]) : status);
const sexText = (ctx: ViewContext, sex: string): string => (sex === 'M' ? say(ctx, '男', 'Male') : sex === 'F' ? say(ctx, '女', 'Female') : sex);

function dateText(ctx: ViewContext, iso: string | null): string {
  if (!iso) return '';
  const era = ctx.locale === 'ja' ? toJapaneseEraDate(iso) : null;
  return era ? `${iso}（${era}）` : iso;
}

function factValue(ctx: ViewContext, field: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return say(ctx, '（なし）', '(none)');
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  if (field === 'sex') return sexText(ctx, s);
  if (field === 'status') return statusText(ctx, s);
  if (field === 'resident_type') return s === 'foreign' ? say(ctx, '外国人', 'Foreign') : s === 'japanese' ? say(ctx, '日本人', 'Japanese') : s;
  return s;
}

function statusCell(ctx: ViewContext, p: PersonSummary): SafeHtml {
  return html`${statusText(ctx, p.status)}${p.merged_into ? html` <span class="flag">${say(ctx, '統合済み', 'Merged')}</span>` : ''}`;
}

function subNav(ctx: ViewContext, opts: { canImport: boolean; canMerge: boolean }): SafeHtml {
  const links: [string, string][] = [['/residents', say(ctx, '住民検索', 'Search')]];
  if (opts.canImport) links.push(['/residents/import', say(ctx, '住民記録の取り込み', 'Import register file')]);
  if (opts.canMerge) links.push(['/residents/duplicates', say(ctx, '重複候補（名寄せ）', 'Duplicate candidates')]);
  return html`<nav class="tabs" aria-label="${say(ctx, '住民・宛名のメニュー', 'Residents menu')}"><ul>
${links.map(([href, text]) => html`<li><a href="${href}" ${ctx.path === href ? html`aria-current="page"` : ''}>${text}</a></li>`)}</ul></nav>`;
}

export interface ResidentMenu {
  canImport: boolean;
  canMerge: boolean;
  /** Links the person page to the vaccination ledger (/records/person/:id). */
  canReadDoses?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Search

export interface SearchValues {
  addressNumber: string;
  name: string;
  kana: string;
  sex: string;
  birthDate: string;
  address: string;
  includeInactive: boolean;
}

export interface SearchPageData extends ResidentMenu {
  values: SearchValues;
  /** null: no search run yet. Up to SEARCH_LIMIT + 1 rows (the extra one says "there are more"). */
  results: PersonSummary[] | null;
  error?: string | null;
}

export function searchPage(ctx: ViewContext, d: SearchPageData): SafeHtml {
  const v = d.values;
  const sel = (a: string, b: string): SafeHtml | string => (a === b ? html`selected` : '');
  const form = html`<form method="get" action="/residents" class="filter-form person-search" novalidate>
<div class="filter-grid">
  <div><label for="addressNumber">${say(ctx, '宛名番号', 'Addressee number (宛名番号)')}</label>
    <input id="addressNumber" name="addressNumber" type="text" inputmode="numeric" maxlength="20" autocomplete="off" value="${v.addressNumber}"></div>
  <div><label for="name">${say(ctx, '氏名（漢字）', 'Name (kanji)')}</label>
    <input id="name" name="name" type="text" maxlength="100" autocomplete="off" value="${v.name}"></div>
  <div><label for="kana">${say(ctx, '氏名カナ', 'Name in kana')}</label>
    <input id="kana" name="kana" type="text" maxlength="100" autocomplete="off" value="${v.kana}"></div>
  <div><label for="sex">${say(ctx, '性別', 'Sex')}</label>
    <select id="sex" name="sex">
      <option value="" ${sel(v.sex, '')}>${say(ctx, '指定なし', 'Any')}</option>
      <option value="F" ${sel(v.sex, 'F')}>${say(ctx, '女', 'Female')}</option>
      <option value="M" ${sel(v.sex, 'M')}>${say(ctx, '男', 'Male')}</option>
    </select></div>
  <div><label for="birthDate">${say(ctx, '生年月日', 'Birth date')}</label>
    <input id="birthDate" name="birthDate" type="date" value="${v.birthDate}"></div>
  <div><label for="address">${say(ctx, '住所', 'Address')} <span class="hint">${say(ctx, '一部でも可', 'any part')}</span></label>
    <input id="address" name="address" type="text" maxlength="200" autocomplete="off" value="${v.address}"></div>
</div>
<div class="form-actions">
  <div class="check"><input id="includeInactive" name="includeInactive" type="checkbox" value="1" ${v.includeInactive ? html`checked` : ''}>
    <label for="includeInactive">${say(ctx, '転出・死亡等を含む', 'Include moved-out, deceased and removed')}</label></div>
  <button type="submit">${say(ctx, '検索', 'Search')}</button>
  <a class="button secondary" href="/residents">${say(ctx, 'クリア', 'Clear')}</a>
</div>
<p class="hint">${say(
    ctx,
    '氏名は異体字（髙/高、﨑/崎、𠮷/吉）や全角・半角の違いを区別せずに前方一致で、カナは前方一致で、住所は部分一致で検索します。',
    'Names match from the start, ignoring variant forms (髙/高, 﨑/崎, 𠮷/吉) and width; kana match from the start; addresses match any part.',
  )}</p>
</form>`;
  return layout(
    ctx,
    say(ctx, '住民検索', 'Resident search'),
    html`${subNav(ctx, d)}${d.error ? messageBox('error', d.error) : ''}${form}${d.results ? resultsSection(ctx, d.results) : ''}`,
  );
}

function resultsSection(ctx: ViewContext, rows: PersonSummary[]): SafeHtml {
  const more = rows.length > SEARCH_LIMIT;
  const shown = rows.slice(0, SEARCH_LIMIT);
  return html`<section aria-labelledby="results-heading">
<h2 id="results-heading">${say(ctx, '検索結果', 'Results')}</h2>
${more
    ? messageBox('info', say(ctx, `${SEARCH_LIMIT}件を超えました。最初の${SEARCH_LIMIT}件だけを表示しています。条件を追加して絞り込んでください。`, `More than ${SEARCH_LIMIT} people match; only the first ${SEARCH_LIMIT} are shown. Add conditions to narrow the search.`))
    : html`<p id="result-count">${say(ctx, `${shown.length}件`, `${shown.length} found`)}</p>`}
${shown.length === 0
    ? html`<p>${say(ctx, '該当する住民はいません。', 'No one matches.')}</p>`
    : html`<div class="table-wrap"><table class="person-results">
<thead><tr><th scope="col">${say(ctx, '宛名番号', 'Addressee no.')}</th><th scope="col">${say(ctx, '氏名', 'Name')}</th>
  <th scope="col">${say(ctx, 'カナ', 'Kana')}</th><th scope="col">${say(ctx, '性別', 'Sex')}</th><th scope="col">${say(ctx, '生年月日', 'Birth date')}</th>
  <th scope="col">${say(ctx, '住所', 'Address')}</th><th scope="col">${say(ctx, '状態', 'Status')}</th></tr></thead>
<tbody>${shown.map((p) => html`<tr>
  <td><a href="/residents/${p.id}">${p.address_number}</a></td>
  <th scope="row" class="nowrap"><a href="/residents/${p.id}">${p.name}</a></th>
  <td class="nowrap">${p.name_kana}</td><td class="nowrap">${sexText(ctx, p.sex)}</td><td class="nowrap">${dateText(ctx, p.birth_date)}</td>
  <td>${p.address}</td><td class="nowrap">${statusCell(ctx, p)}</td></tr>`)}</tbody></table></div>`}
</section>`;
}

// ---------------------------------------------------------------------------------------------
// One person

export interface PersonPageData extends ResidentMenu {
  person: PersonDetail;
  history: HistoryEntry[];
  canReveal: boolean;
  /** The digits (or null: no number held), on the response to a reveal only. */
  revealed?: { myNumber: string | null } | null;
  purpose?: string;
  error?: string | null;
}

export function personPage(ctx: ViewContext, d: PersonPageData): SafeHtml {
  const p = d.person;
  const row = (label: string, value: HtmlValue): SafeHtml => html`<dt>${label}</dt><dd>${value}</dd>`;
  const opt = (v: string | null): string => v ?? '';
  const facts = html`<dl class="facts person-facts">
${row(say(ctx, '宛名番号', 'Addressee number'), p.address_number)}
${row(say(ctx, '氏名', 'Name'), html`<span class="person-name">${p.name}</span>`)}
${row(say(ctx, '氏名カナ', 'Kana'), p.name_kana)}
${row(say(ctx, '性別', 'Sex'), sexText(ctx, p.sex))}
${row(say(ctx, '生年月日', 'Birth date'), dateText(ctx, p.birth_date))}
${row(say(ctx, '郵便番号', 'Postcode'), opt(p.postcode))}
${row(say(ctx, '住所', 'Address'), p.address)}
${row(say(ctx, '世帯番号', 'Household number'), opt(p.household_number))}
${row(say(ctx, '続柄', 'Relationship'), opt(p.relationship))}
${row(say(ctx, '住民区分', 'Resident type'), factValue(ctx, 'resident_type', p.resident_type))}
${p.resident_type === 'foreign' || p.alias || p.romaji_name || p.nationality
    ? html`${row(say(ctx, '通称', 'Alias (通称)'), opt(p.alias))}
${row(say(ctx, 'ローマ字氏名', 'Name in Latin letters'), opt(p.romaji_name))}
${row(say(ctx, '国籍', 'Nationality'), opt(p.nationality))}`
    : ''}
${row(say(ctx, '状態', 'Status'), html`${statusText(ctx, p.status)}${p.status_date ? html` <span class="muted">(${dateText(ctx, p.status_date)})</span>` : ''}`)}
${p.moved_in_on ? row(say(ctx, '転入日', 'Moved in on'), dateText(ctx, p.moved_in_on)) : ''}
${p.merged_into ? row(say(ctx, '統合先', 'Merged into'), html`<a href="/residents/${p.merged_into}">${say(ctx, '統合先の記録を開く', 'Open the surviving record')}</a>`) : ''}
</dl>`;
  return layout(
    ctx,
    say(ctx, `住民情報: ${p.name}`, `Resident: ${p.name}`),
    html`${subNav(ctx, d)}${d.error ? messageBox('error', d.error) : ''}
${p.merged_into ? messageBox('info', say(ctx, 'この記録は別の記録に統合済みです。', 'This record has been merged into another record.')) : ''}
${facts}
${myNumberSection(ctx, d)}
${historySection(ctx, d.history)}
${d.canReadDoses ? html`<p><a href="/records/person/${p.id}">${say(ctx, '接種記録台帳を開く', 'Open the vaccination ledger')}</a></p>` : ''}
<p><a href="/residents">${say(ctx, '← 住民検索へ戻る', '← Back to the search')}</a></p>`,
  );
}

function myNumberSection(ctx: ViewContext, d: PersonPageData): SafeHtml {
  const p = d.person;
  const held = p.my_number_masked !== '';
  const revealed = d.revealed
    ? messageBox(
        'info',
        html`<p>${say(ctx, '個人番号（この画面でのみ表示します。表示したことは記録されました）:', 'My Number (shown on this page only; the display has been recorded):')}</p>
<p><code id="my-number" class="secret">${d.revealed.myNumber ?? say(ctx, '未登録', 'Not registered')}</code></p>`,
      )
    : '';
  const form =
    d.canReveal && held && !d.revealed
      ? html`<form method="post" action="/residents/${p.id}/my-number" class="stack reveal-form">
  ${csrfField(ctx)}
  <div><label for="purpose">${say(ctx, '表示する目的（必須）', 'Purpose of showing the number (required)')}
    <span class="hint">${say(ctx, '例: 本人からの申請書との照合。表示は目的とともに記録されます。', 'e.g. checking it against the resident’s application. The display is recorded with its purpose.')}</span></label>
    <input id="purpose" name="purpose" type="text" required minlength="4" maxlength="200" autocomplete="off" value="${d.purpose ?? ''}" ${d.error ? html`aria-invalid="true"` : ''}></div>
  <div><button type="submit">${say(ctx, '個人番号を表示', 'Show My Number')}</button></div>
</form>`
      : '';
  return html`<section aria-labelledby="mn-heading" class="my-number">
<h2 id="mn-heading">${say(ctx, '個人番号', 'My Number')}</h2>
<p id="my-number-masked">${held ? p.my_number_masked : say(ctx, '未登録', 'Not registered')}</p>
${revealed}${form}
</section>`;
}

function historySection(ctx: ViewContext, history: HistoryEntry[]): SafeHtml {
  return html`<section aria-labelledby="history-heading">
<h2 id="history-heading">${say(ctx, '異動履歴', 'Movement history')}</h2>
${history.length === 0
    ? html`<p>${say(ctx, '履歴はありません。', 'No history.')}</p>`
    : html`<div class="table-wrap"><table class="person-history">
<thead><tr><th scope="col">${say(ctx, '異動日', 'Date')}</th><th scope="col">${say(ctx, '種別', 'Kind')}</th>
  <th scope="col">${say(ctx, '内容', 'Details')}</th><th scope="col">${say(ctx, '記録日時', 'Recorded at')}</th></tr></thead>
<tbody>${history.map((h) => html`<tr data-kind="${h.kind}">
  <td class="nowrap">${h.event_date ?? ''}</td>
  <th scope="row">${HISTORY_KINDS[h.kind] ? bi(ctx, HISTORY_KINDS[h.kind] as Bi) : h.kind}</th>
  <td>${historyDetail(ctx, h)}</td>
  <td class="nowrap">${jst(h.recorded_at instanceof Date ? h.recorded_at : new Date(h.recorded_at))}</td></tr>`)}</tbody></table></div>`}
</section>`;
}

function historyDetail(ctx: ViewContext, h: HistoryEntry): HtmlValue {
  const after = h.after ?? {};
  if (h.kind === 'update') {
    const before = h.before ?? {};
    const changed = Object.keys(FACT_LABELS).filter((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(after[f] ?? null));
    if (changed.length === 0) return '';
    return html`<ul class="diff">${changed.map((f) => html`<li><span class="diff-field">${bi(ctx, FACT_LABELS[f] as Bi)}</span>:
  <del>${factValue(ctx, f, before[f])}</del> → <ins>${factValue(ctx, f, after[f])}</ins></li>`)}</ul>`;
  }
  if (h.kind === 'merged_into' || h.kind === 'merged_from') {
    const other = typeof after.survivor === 'string' ? after.survivor : typeof after.duplicate === 'string' ? after.duplicate : null;
    const reason = typeof after.reason === 'string' ? after.reason : '';
    return html`${other ? html`<a href="/residents/${other}">${h.kind === 'merged_into' ? say(ctx, '統合先の記録', 'Surviving record') : say(ctx, '統合された記録', 'Merged record')}</a>` : ''}
${reason ? html`<span class="muted">${say(ctx, '理由', 'Reason')}: ${reason}</span>` : ''}`;
  }
  // An event row carries the person's facts as the file stated them on that day.
  const parts: SafeHtml[] = [];
  for (const f of ['name', 'address', 'status'] as const) {
    if (after[f] !== undefined && after[f] !== null) parts.push(html`<span>${bi(ctx, FACT_LABELS[f] as Bi)}: ${factValue(ctx, f, after[f])}</span>`);
  }
  return html`<span class="event-facts">${parts}</span>`;
}

export function personNotFoundPage(ctx: ViewContext, menu: ResidentMenu): SafeHtml {
  return layout(
    ctx,
    say(ctx, '住民情報', 'Resident'),
    html`${subNav(ctx, menu)}${messageBox('error', say(ctx, '該当する住民がいません。', 'No such resident.'))}
<p><a href="/residents">${say(ctx, '住民検索へ戻る', 'Back to the search')}</a></p>`,
  );
}

// ---------------------------------------------------------------------------------------------
// Import

export interface ImportFormData extends ResidentMenu {
  mode: string;
  encoding: string;
  maxBytes: number;
  error?: string | null;
}

const MODES: Record<string, Bi> = {
  full: { ja: '全件（スナップショット）', en: 'Full (snapshot)' },
  delta: { ja: '異動分', en: 'Changes (delta)' },
};

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} B`;
}

export function importFormPage(ctx: ViewContext, d: ImportFormData): SafeHtml {
  const radio = (name: string, value: string, current: string, label: string): SafeHtml =>
    html`<div class="check"><input type="radio" id="${name}-${value}" name="${name}" value="${value}" ${current === value ? html`checked` : ''}>
  <label for="${name}-${value}">${label}</label></div>`;
  return layout(
    ctx,
    say(ctx, '住民記録の取り込み', 'Import the resident register file'),
    html`${subNav(ctx, d)}${d.error ? messageBox('error', d.error) : ''}
<p>${say(
      ctx,
      '住民記録システムから受け取った CSV ファイルを取り込みます。ファイル全体を検証し、誤りが1件でもあれば何も変更せず、誤りの一覧を表示します。同じファイルを2回取り込んでも変更はありません。',
      'Import a CSV file from the resident register. The whole file is checked first: if any row is wrong nothing is changed and the errors are listed. Importing the same file twice changes nothing.',
    )}</p>
<form method="post" action="/residents/import" enctype="multipart/form-data" class="stack import-form">
  ${csrfField(ctx)}
  <fieldset><legend>${say(ctx, '取り込み区分', 'Kind of file')}</legend>
    ${radio('mode', 'delta', d.mode, bi(ctx, MODES.delta as Bi))}
    ${radio('mode', 'full', d.mode, bi(ctx, MODES.full as Bi))}
    <p class="hint">${say(ctx, '全件ファイルに記載のない住民は「消除」となります（削除はしません）。', 'Residents missing from a full file are flagged as removed (never deleted).')}</p>
  </fieldset>
  <div><label for="encoding">${say(ctx, '文字コード', 'Encoding')}</label>
    <select id="encoding" name="encoding">
      <option value="auto" ${d.encoding === 'auto' ? html`selected` : ''}>${say(ctx, '自動判定', 'Detect')}</option>
      <option value="cp932" ${d.encoding === 'cp932' ? html`selected` : ''}>Shift_JIS (CP932)</option>
      <option value="utf8" ${d.encoding === 'utf8' ? html`selected` : ''}>UTF-8</option>
    </select></div>
  <div><label for="file">${say(ctx, 'ファイル', 'File')} <span class="hint">${say(ctx, `CSV、${sizeText(d.maxBytes)}まで`, `CSV, up to ${sizeText(d.maxBytes)}`)}</span></label>
    <input id="file" name="file" type="file" accept=".csv,.txt,text/csv" required></div>
  <div><button type="submit">${say(ctx, '取り込む', 'Import')}</button></div>
</form>
<p class="hint">${say(ctx, 'ファイルの形式は「住民記録連携ファイル仕様」（docs/resident-import.md）を参照してください。', 'The file layout is described in docs/resident-import.md.')}</p>`,
  );
}

const PHASES: { phase: ImportJob['phase']; text: Bi }[] = [
  { phase: 'queued', text: { ja: '開始待ち', en: 'Waiting to start' } },
  { phase: 'validating', text: { ja: 'ファイルを検証中', en: 'Checking the file' } },
  { phase: 'checking', text: { ja: '台帳と照合中', en: 'Checking against the ledger' } },
  { phase: 'encrypting', text: { ja: '個人番号を暗号化中', en: 'Encrypting My Numbers' } },
  { phase: 'staging', text: { ja: '取り込みデータを準備中', en: 'Staging rows' } },
  { phase: 'applying', text: { ja: '台帳へ反映中', en: 'Applying to the ledger' } },
  { phase: 'done', text: { ja: '完了', en: 'Finished' } },
];

export function importJobPage(ctx: ViewContext, job: ImportJob, menu: ResidentMenu): SafeHtml {
  return layout(
    ctx,
    say(ctx, '住民記録の取り込み', 'Import the resident register file'),
    html`${subNav(ctx, menu)}
<dl class="facts">
  <dt>${say(ctx, 'ファイル', 'File')}</dt><dd>${job.fileName} <span class="muted">(${sizeText(job.bytes)})</span></dd>
  <dt>${say(ctx, '取り込み区分', 'Kind of file')}</dt><dd>${bi(ctx, MODES[job.mode] as Bi)}</dd>
  <dt>${say(ctx, '開始', 'Started')}</dt><dd>${jst(job.startedAt)}</dd>
</dl>
${importJobFragment(ctx, job)}
<p><a href="/residents/import">${say(ctx, '別のファイルを取り込む', 'Import another file')}</a></p>`,
  );
}

/** The part of the job page that polls itself (htmx) until the job is done; then it stops. */
export function importJobFragment(ctx: ViewContext, job: ImportJob): SafeHtml {
  if (!job.finishedAt) {
    const i = Math.max(0, PHASES.findIndex((p) => p.phase === job.phase));
    const steps = PHASES.length - 1;
    const within = job.total > 0 ? Math.min(1, job.done / job.total) : 0;
    const percent = Math.min(99, Math.round(((i + within) / steps) * 100));
    const phaseText = bi(ctx, (PHASES[i] as { text: Bi }).text);
    return html`<section id="import-job" class="import-job" aria-labelledby="job-heading"
  hx-get="/residents/import/${job.id}/status" hx-trigger="every 1s" hx-swap="outerHTML">
<h2 id="job-heading">${say(ctx, '取り込み中', 'Importing')}</h2>
<label for="import-progress">${phaseText}${job.total > 1 ? ` (${job.done.toLocaleString('ja-JP')} / ${job.total.toLocaleString('ja-JP')})` : ''}</label>
<progress id="import-progress" class="import-progress" max="100" value="${percent}">${percent}%</progress>
<p class="hint">${say(ctx, 'この画面は自動で更新されます。閉じても取り込みは続きます。', 'This page updates itself. Closing it does not stop the import.')}
  <a href="/residents/import/${job.id}">${say(ctx, '手動で更新', 'Refresh')}</a></p>
</section>`;
  }
  return html`<section id="import-job" class="import-job" aria-labelledby="job-heading">
<h2 id="job-heading">${say(ctx, '取り込み結果', 'Result')}</h2>
${outcomeView(ctx, job)}
</section>`;
}

function outcomeView(ctx: ViewContext, job: ImportJob): SafeHtml {
  const nothing = say(ctx, '何も変更されていません。', 'Nothing has been changed.');
  if (job.failure === 'forbidden') return messageBox('error', html`${say(ctx, '取り込みの権限がありません。', 'You may not import resident files.')} ${nothing}`);
  const o: ImportOutcome | null = job.outcome;
  if (job.failure || !o) {
    return messageBox('error', html`${say(ctx, '取り込み中にシステムエラーが発生しました。取り込みは1つのトランザクションで行うため、台帳は変更されていません。管理者に連絡してください。', 'A system error stopped the import. It runs as one transaction, so the ledger has not been changed. Please contact the administrator.')}`);
  }
  if (o.status === 'duplicate') {
    return messageBox('info', html`<p id="import-outcome" data-status="duplicate">${say(ctx, 'このファイルは取り込み済みです。', 'This file has already been imported.')} ${nothing}</p>
<p class="muted">${say(ctx, '取り込みID', 'Import id')}: <code>${o.importId}</code></p>`);
  }
  if (o.status === 'applied') {
    const c = o.counts;
    const item = (label: string, n: number): SafeHtml => html`<li>${label}: <strong>${n.toLocaleString('ja-JP')}</strong></li>`;
    return html`${messageBox('success', html`<p id="import-outcome" data-status="applied">${say(ctx, '取り込みが完了しました。', 'The file has been imported.')}</p>`)}
<ul class="counts">
  ${item(say(ctx, 'データ行', 'Rows'), c.rows)}${item(say(ctx, '新規', 'New people'), c.inserted)}${item(say(ctx, '更新', 'Updated'), c.updated)}
  ${item(say(ctx, '変更なし', 'Unchanged'), c.unchanged)}${item(say(ctx, '異動', 'Events'), c.events)}
  ${item(say(ctx, '全件に記載なし（消除）', 'Absent from the full file (removed)'), c.absentRemoved)}
</ul>
<p class="muted">${say(ctx, '文字コード', 'Encoding')}: ${o.encoding === 'cp932' ? 'Shift_JIS (CP932)' : 'UTF-8'} ・ ${say(ctx, '取り込みID', 'Import id')}: <code>${o.importId}</code></p>
${unknownColumns(ctx, o.unknownColumns)}`;
  }
  return html`${messageBox('error', html`<p id="import-outcome" data-status="rejected">${say(ctx, 'ファイルに誤りがあるため取り込みませんでした。', 'The file has errors and was not imported.')} <strong>${nothing}</strong></p>
<p>${say(ctx, `誤り ${o.errorCount.toLocaleString('ja-JP')} 件`, `${o.errorCount.toLocaleString('en')} error(s)`)}${o.errorCount > o.errors.length ? say(ctx, `（最初の ${o.errors.length} 件を表示）`, ` (the first ${o.errors.length} are shown)`) : ''}${say(ctx, '。ファイルを直して、もう一度取り込んでください。', '. Correct the file and import it again.')}</p>`)}
${unknownColumns(ctx, o.unknownColumns)}
${reportTable(ctx, o.errors)}`;
}

function unknownColumns(ctx: ViewContext, cols: readonly string[]): SafeHtml | string {
  if (cols.length === 0) return '';
  return html`<p>${say(ctx, '仕様にない列（無視しました）', 'Columns not in the layout (ignored)')}: ${cols.map((c, i) => html`${i ? '、' : ''}<code>${c}</code>`)}</p>`;
}

function reportTable(ctx: ViewContext, errors: readonly ResidentFileError[]): SafeHtml {
  return html`<div class="table-wrap"><table class="import-report">
<caption>${say(ctx, '誤りの一覧', 'Errors')}</caption>
<thead><tr><th scope="col">${say(ctx, '行', 'Line')}</th><th scope="col">${say(ctx, 'データ行', 'Data row')}</th><th scope="col">${say(ctx, '列', 'Column')}</th>
  <th scope="col">${say(ctx, '値', 'Value')}</th><th scope="col">${say(ctx, '理由', 'Reason')}</th></tr></thead>
<tbody>${errors.map((e) => html`<tr>
  <td>${e.line ?? '—'}</td><td>${e.row ?? '—'}</td><td>${e.column ?? '—'}</td><td><code class="detail">${e.value ?? ''}</code></td>
  <td>${bi(ctx, e.reason)}</td></tr>`)}</tbody></table></div>`;
}

export function importJobLostHtml(ctx: ViewContext): SafeHtml {
  return html`<section id="import-job" class="import-job">${messageBox(
    'error',
    html`<p>${say(ctx, 'この取り込みジョブは見つかりません。', 'This import job cannot be found.')}</p>
<p>${say(
      ctx,
      '進行状況はサーバーのメモリにだけ保持されるため、サーバーが再起動すると失われます。取り込みは1つのトランザクションで行うため、途中で止まった場合は台帳は一切変更されていません（完了していた場合は取り込み済みです）。同じファイルをもう一度取り込むと、取り込み済みなら「取り込み済み」と表示され、そうでなければ改めて取り込まれます。',
      'Progress is kept only in the server’s memory and is lost when the server restarts. The import runs as one transaction: if it was cut off, the ledger has not been changed at all (if it had finished, the file is imported). Importing the same file again either says it is already imported or imports it afresh.',
    )}</p>`,
  )}</section>`;
}

export function importJobLostPage(ctx: ViewContext, menu: ResidentMenu): SafeHtml {
  return layout(
    ctx,
    say(ctx, '住民記録の取り込み', 'Import the resident register file'),
    html`${subNav(ctx, menu)}${importJobLostHtml(ctx)}<p><a href="/residents/import">${say(ctx, '取り込み画面へ', 'Go to the import page')}</a></p>`,
  );
}

// ---------------------------------------------------------------------------------------------
// Duplicates (名寄せ)

export interface DuplicatesPageData extends ResidentMenu {
  pairs: DuplicatePair[];
  notice?: string | null;
  error?: string | null;
}

export function duplicatesPage(ctx: ViewContext, d: DuplicatesPageData): SafeHtml {
  return layout(
    ctx,
    say(ctx, '重複候補（名寄せ）', 'Duplicate candidates'),
    html`${subNav(ctx, d)}${d.notice ? messageBox('success', d.notice) : ''}${d.error ? messageBox('error', d.error) : ''}
<p>${say(
      ctx,
      '生年月日・性別が同じで、氏名（異体字を区別しない）またはカナが一致する記録の組です。同一人物であれば、残す記録を選んで統合してください。統合された記録と履歴は削除されず、統合の記録が残ります。',
      'Pairs with the same birth date and sex whose names (ignoring variant forms) or kana match. If they are the same person, choose the record to keep and merge. Nothing is deleted: both records and their history stay, with the merge recorded.',
    )}</p>
${d.pairs.length === 0 ? html`<p id="no-pairs">${say(ctx, '重複候補はありません。', 'No duplicate candidates.')}</p>` : d.pairs.map((p, i) => pairView(ctx, p, i + 1))}`,
  );
}

function pairView(ctx: ViewContext, pair: DuplicatePair, n: number): SafeHtml {
  const { a, b } = pair;
  const reason = pair.reason === 'name_birth_sex' ? say(ctx, '氏名・生年月日・性別が一致', 'Same name, birth date and sex') : say(ctx, 'カナ・生年月日・性別が一致', 'Same kana, birth date and sex');
  const line = (label: string, f: (p: PersonSummary) => HtmlValue): SafeHtml =>
    html`<tr><th scope="row">${label}</th><td>${f(a)}</td><td>${f(b)}</td></tr>`;
  return html`<section class="dup-pair" aria-labelledby="pair-${n}-heading">
<h2 id="pair-${n}-heading">${say(ctx, `候補 ${n}`, `Candidate ${n}`)} <span class="hint">${reason}</span></h2>
<div class="table-wrap"><table class="dup-table">
<thead><tr><th scope="col"><span class="visually-hidden">${say(ctx, '項目', 'Field')}</span></th>
  <th scope="col">${say(ctx, '記録 A', 'Record A')}</th><th scope="col">${say(ctx, '記録 B', 'Record B')}</th></tr></thead>
<tbody>
${line(say(ctx, '宛名番号', 'Addressee number'), (p) => html`<a href="/residents/${p.id}">${p.address_number}</a>`)}
${line(say(ctx, '氏名', 'Name'), (p) => p.name)}
${line(say(ctx, 'カナ', 'Kana'), (p) => p.name_kana)}
${line(say(ctx, '性別', 'Sex'), (p) => sexText(ctx, p.sex))}
${line(say(ctx, '生年月日', 'Birth date'), (p) => dateText(ctx, p.birth_date))}
${line(say(ctx, '住所', 'Address'), (p) => p.address)}
${line(say(ctx, '状態', 'Status'), (p) => statusCell(ctx, p))}
</tbody></table></div>
<form method="post" action="/residents/merge" class="merge-form">
  ${csrfField(ctx)}
  <input type="hidden" name="a" value="${a.id}"><input type="hidden" name="b" value="${b.id}">
  <fieldset><legend>${say(ctx, '残す記録', 'Record to keep')}</legend>
    <div class="check"><input type="radio" id="pair-${n}-keep-a" name="survivor" value="a" required>
      <label for="pair-${n}-keep-a">${say(ctx, `記録 A（宛名番号 ${a.address_number}）を残す`, `Keep record A (${a.address_number})`)}</label></div>
    <div class="check"><input type="radio" id="pair-${n}-keep-b" name="survivor" value="b">
      <label for="pair-${n}-keep-b">${say(ctx, `記録 B（宛名番号 ${b.address_number}）を残す`, `Keep record B (${b.address_number})`)}</label></div>
  </fieldset>
  <div><label for="pair-${n}-reason">${say(ctx, '統合の理由（必須）', 'Reason for the merge (required)')}</label>
    <input id="pair-${n}-reason" name="reason" type="text" required maxlength="500" autocomplete="off"></div>
  <div><button type="submit">${say(ctx, '統合する', 'Merge')}</button></div>
</form>
</section>`;
}
