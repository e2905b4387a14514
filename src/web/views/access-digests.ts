// アクセスダイジェスト (LOG-06): the list of periodic digests with their review state, and one
// digest: per user, action and result, how many entries about how many residents, first and last.
import type { AccessDigest } from '../../security/access-digest.ts';
import { MAX_DIGEST_LINES } from '../../security/access-digest.ts';
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { ViewContext } from '../view-context.ts';
import { jstText, RESULTS, who } from './audit.ts';
import { csrfField, layout, messageBox } from './layout.ts';

const period = (d: AccessDigest): string => `${jstText(d.periodFrom)} – ${jstText(d.periodTo)}`;

function reviewState(ctx: ViewContext, d: AccessDigest): SafeHtml {
  const ja = ctx.locale === 'ja';
  return d.reviewedAt ? html`${ja ? '確認済み' : 'Reviewed'} <span class="muted">${jstText(d.reviewedAt)}</span>` : html`<strong>${ja ? '未確認' : 'Not reviewed'}</strong>`;
}

export function digestsPage(ctx: ViewContext, d: { digests: AccessDigest[]; minutes: number }): SafeHtml {
  const ja = ctx.locale === 'ja';
  const open = d.digests.filter((x) => !x.reviewedAt).length;
  return layout(
    ctx,
    ja ? 'アクセスダイジェスト' : 'Access digests',
    html`<p>${ja ? `データベースへのアクセス（誰が・いつ・どのデータに・どんな操作を）を${d.minutes}分ごとにまとめます。間隔は「団体の設定」で変更できます。` : `Database access (who, when, which data, what access) summed up every ${d.minutes} minutes; the interval is set on Settings.`}</p>
${open > 0 ? messageBox('info', ja ? `未確認のダイジェストが${open}件あります。` : `${open} digest(s) not reviewed yet.`) : ''}
${d.digests.length === 0
  ? html`<p class="muted">${ja ? 'まだダイジェストはありません。' : 'No digests yet.'}</p>`
  : html`<div class="table-wrap"><table>
<caption class="visually-hidden">${ja ? 'ダイジェスト（新しい順）' : 'Digests, newest first'}</caption>
<thead><tr><th scope="col">${ja ? '期間' : 'Period (JST)'}</th><th scope="col" class="num">${ja ? '記録数' : 'Entries'}</th><th scope="col">${ja ? '確認' : 'Review'}</th></tr></thead>
<tbody>${d.digests.map((x) => html`<tr><td><a href="/audit/digests/${x.id}">${period(x)}</a></td><td class="num">${x.entries.toLocaleString('ja-JP')}</td><td>${reviewState(ctx, x)}</td></tr>`)}</tbody>
</table></div>`}`,
  );
}

export function digestPage(ctx: ViewContext, d: { digest: AccessDigest; notice: string | null }): SafeHtml {
  const ja = ctx.locale === 'ja';
  const x = d.digest;
  return layout(
    ctx,
    ja ? 'アクセスダイジェスト' : 'Access digest',
    html`${d.notice ? messageBox('success', d.notice) : ''}
<dl class="facts"><dt>${ja ? '期間' : 'Period (JST)'}</dt><dd>${period(x)}</dd>
<dt>${ja ? '記録数' : 'Entries'}</dt><dd>${x.entries.toLocaleString('ja-JP')}</dd>
<dt>${ja ? '確認' : 'Review'}</dt><dd>${reviewState(ctx, x)}</dd></dl>
${x.lines.length === 0
  ? html`<p class="muted">${ja ? 'この期間のアクセスはありません。' : 'No access in this period.'}</p>`
  : html`<div class="table-wrap"><table>
<caption class="visually-hidden">${ja ? '利用者・操作ごとの件数' : 'Entries per user and action'}</caption>
<thead><tr><th scope="col">${ja ? '利用者' : 'User'}</th><th scope="col">${ja ? '権限' : 'Role'}</th><th scope="col">${ja ? '操作' : 'Action'}</th>
<th scope="col">${ja ? '結果' : 'Result'}</th><th scope="col" class="num">${ja ? '件数' : 'Count'}</th><th scope="col" class="num">${ja ? '対象者数' : 'Residents'}</th>
<th scope="col">${ja ? '最初' : 'First'}</th><th scope="col">${ja ? '最後' : 'Last'}</th></tr></thead>
<tbody>${x.lines.map((l) => html`<tr><td>${who(l)}</td><td>${l.role ?? ''}</td><td><code>${l.action}</code></td>
  <td class="result-${l.result}">${RESULTS[l.result] ? (ja ? RESULTS[l.result]?.ja : RESULTS[l.result]?.en) : l.result}</td>
  <td class="num">${l.count.toLocaleString('ja-JP')}</td><td class="num">${l.persons.toLocaleString('ja-JP')}</td><td class="nowrap">${l.first}</td><td class="nowrap">${l.last}</td></tr>`)}</tbody>
</table></div>
${x.lines.length >= MAX_DIGEST_LINES ? html`<p class="muted">${ja ? `件数の多い${MAX_DIGEST_LINES}行を表示しています。詳細はアクセス記録の検索で確認できます。` : `The ${MAX_DIGEST_LINES} largest lines are shown; search the audit log for the rest.`}</p>` : ''}`}
<p><a href="/audit?tab=search">${ja ? 'アクセス記録を検索' : 'Search the audit log'}</a> · <a href="/audit/digests">${ja ? 'ダイジェスト一覧' : 'All digests'}</a></p>
${x.reviewedAt ? '' : html`<form method="post" action="/audit/digests/${x.id}/review" class="inline">${csrfField(ctx)}<button type="submit">${ja ? '確認済みにする' : 'Mark reviewed'}</button></form>`}`,
  );
}
