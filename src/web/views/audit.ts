// The auditor's pages: log search, the four review reports with CSV links and sign-off, and the
// integrity check. Labels on every input; no inline script or style (strict CSP). control: LOG-05
import type { OffHoursReason } from '../../domain/jp-holidays.ts';
import { toJstLocalDateTime } from '../../domain/jp-holidays.ts';
import type {
  AfterHoursRow,
  AuditEntryView,
  AuditPage,
  BulkLookupRow,
  FailedLoginRow,
  Report,
  ReportKind,
  SelfLookupRow,
} from '../../security/audit-review.ts';
import { entryRef, formatAuditCursor } from '../../security/audit-review.ts';
import type { AuditLogVerification } from '../../security/audit-verify.ts';
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { ViewContext } from '../view-context.ts';
import { type Bi, bi, csrfField, layout, messageBox } from './layout.ts';

export type AuditTab = 'search' | ReportKind | 'signoffs';

const TABS: { id: AuditTab; label: Bi }[] = [
  { id: 'search', label: { ja: '検索', en: 'Search' } },
  { id: 'after_hours', label: { ja: '時間外・休日のアクセス', en: 'After-hours and holiday access' } },
  { id: 'bulk_lookups', label: { ja: '大量照会', en: 'Bulk look-ups' } },
  { id: 'failed_logins', label: { ja: 'ログイン失敗・ロック', en: 'Failed sign-ins and lockouts' } },
  { id: 'self_lookups', label: { ja: '本人・同一世帯の照会', en: 'Look-ups of oneself or household' } },
  { id: 'signoffs', label: { ja: '確認記録', en: 'Sign-offs' } },
];

const REASONS: Record<OffHoursReason, Bi> = {
  weekend: { ja: '土日', en: 'Weekend' },
  holiday: { ja: '祝日', en: 'Holiday' },
  year_end: { ja: '年末年始', en: 'Year-end closure' },
  before_start: { ja: '始業前', en: 'Before hours' },
  after_end: { ja: '終業後', en: 'After hours' },
};

export const RESULTS: Record<string, Bi> = { ok: { ja: '成功', en: 'OK' }, denied: { ja: '拒否', en: 'Denied' }, failed: { ja: '失敗', en: 'Failed' } };

/** What the form shows, exactly as submitted. */
export interface AuditFormValues {
  from: string;
  to: string;
  user: string;
  action: string;
  subject: string;
  result: string;
  threshold: string;
  window: string;
}

export interface AuditPageData {
  tab: AuditTab;
  values: AuditFormValues;
  /** The query string of the current view, for CSV and paging links (already URL-encoded). */
  query: string;
  error?: string | null;
  notice?: string | null;
  canVerify: boolean;
  search?: AuditPage | null;
  report?: Report<AfterHoursRow | BulkLookupRow | FailedLoginRow | SelfLookupRow> | null;
  csrfReport?: { from: string; to: string } | null;
}

export const jstText = (d: Date | null): string => (d ? toJstLocalDateTime(d).replace('T', ' ') : '');

export function who(r: { loginId: string | null; displayName: string | null; userId: string | null }): SafeHtml {
  if (r.displayName) return html`${r.displayName} <span class="muted">(${r.loginId})</span>`;
  return html`<code>${r.loginId ?? r.userId ?? '—'}</code>`;
}

export function auditPage(ctx: ViewContext, d: AuditPageData): SafeHtml {
  const ja = ctx.locale === 'ja';
  const title = ja ? 'アクセス記録・監査' : 'Audit log';
  return layout(
    ctx,
    title,
    html`${d.notice ? messageBox('success', d.notice) : ''}${d.error ? messageBox('error', d.error) : ''}
<nav class="tabs" aria-label="${ja ? '監査の表示切替' : 'Audit views'}"><ul>
  ${TABS.map((t) => html`<li><a href="/audit?tab=${t.id}" ${t.id === d.tab ? html`aria-current="page"` : ''}>${bi(ctx, t.label)}</a></li>`)}
</ul></nav>
${d.canVerify ? integrityLink(ctx) : ''}
<p><a href="/audit/digests">${ja ? 'アクセスダイジェスト（定期のまとめ）' : 'Access digests (periodic summaries)'}</a></p>
${filterForm(ctx, d)}
${body(ctx, d)}`,
  );
}

function integrityLink(ctx: ViewContext): SafeHtml {
  const ja = ctx.locale === 'ja';
  return html`<aside class="integrity" aria-labelledby="integrity-heading">
  <h2 id="integrity-heading">${ja ? '改ざん検査' : 'Integrity'}</h2>
  <p>${ja ? 'アクセス記録のハッシュチェーンを先頭から検証します。' : 'Re-hashes the audit chain from its first entry.'}</p>
  <a class="button secondary" href="/audit/verify">${ja ? '検査を実行' : 'Run the check'}</a></aside>`;
}

function field(id: string, label: string, value: string, type = 'text', hint?: string): SafeHtml {
  return html`<div><label for="${id}">${label}${hint ? html` <span class="hint">${hint}</span>` : ''}</label>
    <input id="${id}" name="${id}" type="${type}" value="${value}"></div>`;
}

function filterForm(ctx: ViewContext, d: AuditPageData): SafeHtml {
  const ja = ctx.locale === 'ja';
  const v = d.values;
  const isSearch = d.tab === 'search';
  return html`<form method="get" action="/audit" class="filter-form">
  <input type="hidden" name="tab" value="${d.tab}">
  <div class="filter-grid">
    ${field('from', ja ? '期間（開始日）' : 'From', v.from, 'date')}
    ${field('to', ja ? '期間（終了日）' : 'To (inclusive)', v.to, 'date')}
    ${isSearch
      ? html`${field('user', ja ? 'ユーザーID' : 'User ID', v.user)}
    ${field('action', ja ? '操作' : 'Action', v.action, 'text', ja ? '前方一致（例 login.）' : 'prefix, e.g. login.')}
    ${field('subject', ja ? '対象者（宛名番号）' : 'Subject person', v.subject)}
    <div><label for="result">${ja ? '結果' : 'Result'}</label>
      <select id="result" name="result">
        <option value="" ${v.result === '' ? html`selected` : ''}>${ja ? 'すべて' : 'All'}</option>
        ${Object.entries(RESULTS).map(([k, t]) => html`<option value="${k}" ${v.result === k ? html`selected` : ''}>${bi(ctx, t)}</option>`)}
      </select></div>`
      : ''}
    ${d.tab === 'bulk_lookups'
      ? html`${field('threshold', ja ? 'しきい値（人数）' : 'Threshold (persons)', v.threshold, 'number')}
    ${field('window', ja ? '時間枠（分）' : 'Window (minutes)', v.window, 'number')}`
      : ''}
  </div>
  <div class="form-actions"><button type="submit">${ja ? '表示' : 'Show'}</button>
    ${d.tab !== 'signoffs' ? html`<a class="button secondary" href="/audit/export?${d.query}">${ja ? 'CSVダウンロード' : 'Download CSV'}</a>` : ''}</div>
</form>`;
}

function body(ctx: ViewContext, d: AuditPageData): SafeHtml {
  if (d.search) return entriesTable(ctx, d.search, d.query, d.tab === 'signoffs');
  if (!d.report) return html``;
  const ja = ctx.locale === 'ja';
  const truncated = d.report.truncated
    ? messageBox('info', ja ? '件数が多いため一部のみ表示しています。期間を狭めてください。' : 'Only part of the result is shown: narrow the period.')
    : '';
  const empty = html`<p class="muted">${ja ? '該当する記録はありません。' : 'No matching entries.'}</p>`;
  let table: SafeHtml;
  switch (d.tab) {
    case 'after_hours':
      table = afterHoursTable(ctx, d.report.rows as AfterHoursRow[]);
      break;
    case 'bulk_lookups':
      table = bulkTable(ctx, d.report.rows as BulkLookupRow[]);
      break;
    case 'failed_logins':
      table = failedTable(ctx, d.report.rows as FailedLoginRow[]);
      break;
    default:
      table = selfTable(ctx, d.report.rows as SelfLookupRow[]);
  }
  const pending =
    d.tab === 'self_lookups'
      ? messageBox(
          'info',
          ja
            ? '職員と住民（本人・同一世帯）の対応付けは住民記録機能の導入後に有効になります。それまでこの報告は空です。'
            : 'Linking staff to residents (themselves and their household) arrives with the residents module; until then this report is empty.',
        )
      : '';
  return html`${pending}${truncated}${d.report.rows.length === 0 ? empty : table}${d.csrfReport ? signOffForm(ctx, d.tab, d.csrfReport) : ''}`;
}

function signOffForm(ctx: ViewContext, tab: AuditTab, w: { from: string; to: string }): SafeHtml {
  const ja = ctx.locale === 'ja';
  return html`<form method="post" action="/audit/signoff" class="stack signoff">
  ${csrfField(ctx)}
  <input type="hidden" name="report" value="${tab}"><input type="hidden" name="from" value="${w.from}"><input type="hidden" name="to" value="${w.to}">
  <div><label for="comment">${ja ? '確認コメント' : 'Review comment'}</label>
    <textarea id="comment" name="comment" rows="2" maxlength="1000"></textarea></div>
  <div><button type="submit">${ja ? 'この報告を確認済みとして記録' : 'Record this report as reviewed'}</button></div>
</form>`;
}

function entriesTable(ctx: ViewContext, page: AuditPage, query: string, signoffs: boolean): SafeHtml {
  const ja = ctx.locale === 'ja';
  if (page.entries.length === 0) return html`<p class="muted">${ja ? '該当する記録はありません。' : 'No matching entries.'}</p>`;
  const nextQuery = new URLSearchParams(query);
  if (page.nextBefore !== null) nextQuery.set('before', formatAuditCursor(page.nextBefore));
  return html`<div class="table-wrap"><table class="audit-entries">
<caption class="visually-hidden">${ja ? 'アクセス記録（新しい順）' : 'Audit entries, newest first'}</caption>
<thead><tr><th scope="col">${ja ? '番号' : 'Entry'}</th><th scope="col">${ja ? '日時' : 'Time (JST)'}</th><th scope="col">${ja ? '利用者' : 'User'}</th>
<th scope="col">${ja ? '権限' : 'Role'}</th><th scope="col">${ja ? '端末' : 'Terminal'}</th><th scope="col">${ja ? '操作' : 'Action'}</th>
<th scope="col">${ja ? '結果' : 'Result'}</th><th scope="col">${ja ? '対象者' : 'Subject'}</th><th scope="col">${ja ? '詳細' : 'Detail'}</th></tr></thead>
<tbody>${page.entries.map((e: AuditEntryView) => html`<tr>
  <td class="nowrap">${entryRef(e)}</td><td class="nowrap">${jstText(e.occurredAt)}</td><td>${who(e)}</td><td>${e.role ?? ''}</td>
  <td><code class="short">${e.terminalId ?? ''}</code></td><td><code>${e.action}</code></td>
  <td class="result-${e.result}">${RESULTS[e.result] ? bi(ctx, RESULTS[e.result] as Bi) : e.result}</td><td>${e.subjectPersonId ?? ''}</td>
  <td><code class="detail">${signoffs && typeof e.detail.comment === 'string' ? e.detail.comment : JSON.stringify(e.detail)}</code></td></tr>`)}</tbody>
</table></div>
${page.nextBefore !== null ? html`<p><a href="/audit?${nextQuery.toString()}">${ja ? 'さらに古い記録' : 'Older entries'}</a></p>` : ''}`;
}

function afterHoursTable(ctx: ViewContext, rows: AfterHoursRow[]): SafeHtml {
  const ja = ctx.locale === 'ja';
  return html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${ja ? '日時' : 'Time (JST)'}</th><th scope="col">${ja ? '区分' : 'Why'}</th><th scope="col">${ja ? '利用者' : 'User'}</th>
<th scope="col">${ja ? '操作' : 'Action'}</th><th scope="col">${ja ? '結果' : 'Result'}</th><th scope="col">${ja ? '対象者' : 'Subject'}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td class="nowrap">${r.localTime.replace('T', ' ')}</td><td>${bi(ctx, REASONS[r.reason])}</td><td>${who(r)}</td>
  <td><code>${r.action}</code></td><td>${RESULTS[r.result] ? bi(ctx, RESULTS[r.result] as Bi) : r.result}</td><td>${r.subjectPersonId ?? ''}</td></tr>`)}</tbody>
</table></div>`;
}

function bulkTable(ctx: ViewContext, rows: BulkLookupRow[]): SafeHtml {
  const ja = ctx.locale === 'ja';
  return html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${ja ? '利用者' : 'User'}</th><th scope="col">${ja ? '開始' : 'From (JST)'}</th><th scope="col">${ja ? '終了' : 'To (JST)'}</th>
<th scope="col">${ja ? '最大人数（時間枠内）' : 'Peak persons in a window'}</th><th scope="col">${ja ? '照会件数' : 'Look-ups'}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${who(r)}</td><td class="nowrap">${jstText(r.firstAt)}</td><td class="nowrap">${jstText(r.lastAt)}</td>
  <td>${r.peakDistinctPersons}</td><td>${r.lookups}</td></tr>`)}</tbody>
</table></div>`;
}

function failedTable(ctx: ViewContext, rows: FailedLoginRow[]): SafeHtml {
  const ja = ctx.locale === 'ja';
  return html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${ja ? '利用者' : 'User'}</th><th scope="col">${ja ? '失敗回数' : 'Failures'}</th><th scope="col">${ja ? 'ロック回数' : 'Lockouts'}</th>
<th scope="col">${ja ? '端末数' : 'Terminals'}</th><th scope="col">${ja ? '最初' : 'First (JST)'}</th><th scope="col">${ja ? '最後' : 'Last (JST)'}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${who(r)}${r.unknownAccount ? html` <span class="hint">${ja ? '（存在しないID）' : '(no such account)'}</span>` : ''}</td>
  <td>${r.failures}</td><td>${r.lockouts}</td><td>${r.terminals}</td><td class="nowrap">${jstText(r.firstAt)}</td><td class="nowrap">${jstText(r.lastAt)}</td></tr>`)}</tbody>
</table></div>`;
}

function selfTable(ctx: ViewContext, rows: SelfLookupRow[]): SafeHtml {
  const ja = ctx.locale === 'ja';
  return html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${ja ? '日時' : 'Time (JST)'}</th><th scope="col">${ja ? '利用者' : 'User'}</th><th scope="col">${ja ? '関係' : 'Relation'}</th>
<th scope="col">${ja ? '対象者' : 'Subject'}</th><th scope="col">${ja ? '操作' : 'Action'}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td class="nowrap">${jstText(r.occurredAt)}</td><td>${who(r)}</td>
  <td>${r.relation === 'self' ? (ja ? '本人' : 'Self') : ja ? '同一世帯' : 'Household'}</td><td>${r.subjectPersonId}</td><td><code>${r.action}</code></td></tr>`)}</tbody>
</table></div>`;
}

export function verifyPage(ctx: ViewContext, result: AuditLogVerification): SafeHtml {
  const ja = ctx.locale === 'ja';
  const box = result.ok
    ? messageBox(
        'success',
        ja ? `改ざんは検出されませんでした（${result.count} 件、${result.lanes.length} 系列）。` : `No tampering found (${result.count} entries in ${result.lanes.length} chain lanes).`,
      )
    : messageBox(
        'error',
        html`${ja ? `番号 ${entryRef({ lane: result.lane, seq: result.problem.seq })} で不整合を検出しました` : `Chain broken at entry ${entryRef({ lane: result.lane, seq: result.problem.seq })}`}:
          <code>${result.problem.kind}</code> — ${result.problem.message}`,
      );
  return layout(ctx, ja ? '改ざん検査' : 'Integrity check', html`<section class="integrity" aria-live="polite">${box}</section>
<p><a href="/audit">${ja ? 'アクセス記録に戻る' : 'Back to the audit log'}</a></p>`);
}
