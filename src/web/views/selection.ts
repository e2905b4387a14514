// 対象者抽出・発送 pages: the selection form with its preview, mailing batches and their PDFs,
// 再発行 and 実施依頼書. Names and addresses exactly as stored; never a My Number (the services
// do not read it). Everything goes through html``; no inline script or style.
import type { PrintedFile } from '../../documents/mailing.ts';
import type { BatchDetail, BatchSummary, ReferralRecord, ReissueResult, SelectionPreview, SelectionRow } from '../../modules/selection/index.ts';
import { OVERDUE_AFTER_DAYS } from '../../modules/selection/index.ts';
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { ViewContext } from '../view-context.ts';
import { csrfField, layout, messageBox } from './layout.ts';

const say = (ctx: ViewContext, ja: string, en: string): string => (ctx.locale === 'ja' ? ja : en);
/** Rows shown on a page; the counts cover everything and the CLI writes the whole list. */
export const SHOWN_ROWS = 200;

export interface VaccineChoice {
  id: string;
  name: string;
}

export interface SelectionFormValues {
  asOf: string;
  vaccine: string; // '' = all
  bornFrom: string;
  bornTo: string;
  district: string;
  notVaccinated: boolean;
  overdue: boolean;
  withinDays: string;
}

function subNav(ctx: ViewContext): SafeHtml {
  const items: [string, string, string][] = [
    ['/selection', '対象者抽出', 'Selection'],
    ['/selection/batches', '発送バッチ', 'Mailing batches'],
    ['/selection/reissue', '再発行', 'Reissue'],
    ['/selection/referrals', '実施依頼書', 'Referral letters'],
  ];
  const current = (href: string): boolean => (href === '/selection' ? ctx.path === href : ctx.path.startsWith(href));
  return html`<nav class="tabs" aria-label="${say(ctx, '対象者抽出・発送のメニュー', 'Selection menu')}"><ul>
  ${items.map(([href, ja, en]) => html`<li><a href="${href}" ${current(href) ? html`aria-current="page"` : ''}>${say(ctx, ja, en)}</a></li>`)}
</ul></nav>`;
}

const REASONS: Record<SelectionRow['reason'], [string, string]> = {
  window_open: ['接種期間中', 'due'],
  overdue: [`接種期間開始から${OVERDUE_AFTER_DAYS}日以上未接種`, `overdue (${OVERDUE_AFTER_DAYS}+ days into the window)`],
  window_opens_soon: ['まもなく接種期間', 'window opens soon'],
  moved_in_history_unknown: ['転入前の履歴不明（前住所地へ照会）', 'moved in; earlier history unknown (ask the former city)'],
};

function criteriaFields(ctx: ViewContext, v: SelectionFormValues, vaccines: readonly VaccineChoice[]): SafeHtml {
  return html`<div class="filter-grid">
    <div><label for="f-asOf">${say(ctx, '基準日', 'As of')}</label>
      <input id="f-asOf" name="asOf" type="date" required value="${v.asOf}"></div>
    <div><label for="f-vaccine">${say(ctx, 'ワクチン', 'Vaccine')}</label>
      <select id="f-vaccine" name="vaccine">
        <option value="">${say(ctx, 'すべての定期接種', 'All routine vaccines')}</option>
        ${vaccines.map((x) => html`<option value="${x.id}" ${v.vaccine === x.id ? html`selected` : ''}>${x.name}</option>`)}
      </select></div>
    <div><label for="f-bornFrom">${say(ctx, '生年月日（から）', 'Born from')}</label>
      <input id="f-bornFrom" name="bornFrom" type="date" value="${v.bornFrom}"></div>
    <div><label for="f-bornTo">${say(ctx, '生年月日（まで）', 'Born until')}</label>
      <input id="f-bornTo" name="bornTo" type="date" value="${v.bornTo}"></div>
    <div><label for="f-district">${say(ctx, '地区（例: 本町）', 'District (e.g. 本町)')}</label>
      <input id="f-district" name="district" type="text" maxlength="50" value="${v.district}"></div>
    <div><label for="f-withinDays">${say(ctx, 'この日数内に接種期間が始まる人も含める', 'Include windows opening within (days)')}</label>
      <input id="f-withinDays" name="withinDays" type="number" min="0" max="366" value="${v.withinDays}"></div>
    <div class="checks">
      <label><input type="checkbox" name="notVaccinated" value="1" ${v.notVaccinated ? html`checked` : ''}> ${say(ctx, '未接種者のみ（1回目）', 'Not yet vaccinated only (dose 1)')}</label>
      <label><input type="checkbox" name="overdue" value="1" ${v.overdue ? html`checked` : ''}> ${say(ctx, `接種遅れのみ（期間開始から${OVERDUE_AFTER_DAYS}日以上）`, `Overdue only (${OVERDUE_AFTER_DAYS}+ days into the window)`)}</label>
    </div>
  </div>`;
}

function hiddenCriteria(v: SelectionFormValues): SafeHtml {
  return html`<input type="hidden" name="asOf" value="${v.asOf}"><input type="hidden" name="vaccine" value="${v.vaccine}">
  <input type="hidden" name="bornFrom" value="${v.bornFrom}"><input type="hidden" name="bornTo" value="${v.bornTo}">
  <input type="hidden" name="district" value="${v.district}"><input type="hidden" name="withinDays" value="${v.withinDays}">
  ${v.notVaccinated ? html`<input type="hidden" name="notVaccinated" value="1">` : ''}
  ${v.overdue ? html`<input type="hidden" name="overdue" value="1">` : ''}`;
}

function rowsTable(ctx: ViewContext, rows: readonly SelectionRow[], caption: string, names: ReadonlyMap<string, string>): SafeHtml {
  if (rows.length === 0) return html`<p class="muted" role="status">${say(ctx, '該当者はいません。', 'Nobody matches.')}</p>`;
  return html`<div class="table-wrap"><table class="selection-rows"><caption>${caption}</caption>
<thead><tr><th scope="col">${say(ctx, '宛名番号', 'Addressee no.')}</th><th scope="col">${say(ctx, '氏名', 'Name')}</th>
  <th scope="col">${say(ctx, '生年月日', 'Birth date')}</th><th scope="col">${say(ctx, '地区', 'District')}</th>
  <th scope="col">${say(ctx, 'ワクチン', 'Vaccine')}</th><th scope="col">${say(ctx, '回数', 'Dose')}</th>
  <th scope="col">${say(ctx, '接種期間', 'Window')}</th><th scope="col">${say(ctx, '理由', 'Reason')}</th></tr></thead>
<tbody>${rows.slice(0, SHOWN_ROWS).map((r) => html`<tr><td>${r.addressNumber}</td><th scope="row" class="nowrap">${r.name}</th><td class="nowrap">${r.birthDate}</td>
  <td>${r.district}</td><td>${names.get(r.vaccine) ?? r.vaccine}</td><td>${r.dose}</td>
  <td class="nowrap">${r.from ?? ''} – ${r.until ?? ''}</td><td>${say(ctx, ...REASONS[r.reason])}</td></tr>`)}</tbody></table></div>
${rows.length > SHOWN_ROWS ? html`<p class="muted">${say(ctx, `先頭の${SHOWN_ROWS}件を表示しています。全件は発送バッチまたは CLI（sesshu selection run）で出力してください。`, `Showing the first ${SHOWN_ROWS}. Create a batch or use the CLI (sesshu selection run) for the full list.`)}</p>` : ''}`;
}

export interface SelectionPageData {
  values: SelectionFormValues;
  vaccines: readonly VaccineChoice[];
  preview: SelectionPreview | null;
  error?: string;
}

export function selectionPage(ctx: ViewContext, d: SelectionPageData): SafeHtml {
  const names = new Map(d.vaccines.map((v) => [v.id, v.name]));
  const p = d.preview;
  const result = p
    ? html`<section aria-labelledby="preview-h"><h2 id="preview-h">${say(ctx, '抽出結果', 'Result')}</h2>
  <dl class="facts" id="selection-summary">
    <dt>${say(ctx, '対象住民（走査）', 'Residents scanned')}</dt><dd>${p.summary.scanned.toLocaleString()}</dd>
    <dt>${say(ctx, '通知対象（件）', 'Doses to notify')}</dt><dd id="selection-rows">${p.summary.rows.toLocaleString()}</dd>
    <dt>${say(ctx, '通知対象（人）', 'Persons')}</dt><dd>${p.summary.persons.toLocaleString()}</dd>
    <dt>${say(ctx, '転入者（履歴不明）', 'Moved in, history unknown')}</dt><dd>${p.summary.movedIn.toLocaleString()}</dd>
    <dt>${say(ctx, '判定できなかった人', 'Could not be assessed')}</dt><dd>${p.summary.problems.toLocaleString()}</dd>
    <dt>${say(ctx, '所要時間', 'Time')}</dt><dd>${p.summary.seconds.toFixed(1)} s</dd>
  </dl>
  <form method="post" action="/selection/batches" class="batch-create">${csrfField(ctx)}${hiddenCriteria(d.values)}
    <fieldset><legend>${say(ctx, 'この条件で発送バッチを作成', 'Create a mailing batch with these criteria')}</legend>
    <label><input type="radio" name="kind" value="notice" checked> ${say(ctx, '通知（予診票・接種券・宛名シール）', 'Notice (予診票, tickets, labels)')}</label>
    <label><input type="radio" name="kind" value="reminder"> ${say(ctx, '勧奨通知（勧奨はがき・宛名シール）', 'Reminder (letters, labels)')}</label>
    </fieldset>
    <p class="muted">${say(ctx, '同じ接種回について既に発送済みの人は除かれます（再発行は別画面）。', 'People already mailed for the same dose are left out (use Reissue for lost papers).')}</p>
    <div class="form-actions"><button type="submit">${say(ctx, '発送バッチを作成', 'Create batch')}</button></div>
  </form>
  ${rowsTable(ctx, p.rows, say(ctx, '通知対象', 'To notify'), names)}
  <h3>${say(ctx, '転入者（転入前の接種履歴が不明：前住所地へ照会）', 'Moved in, earlier history unknown (ask the former city)')}</h3>
  ${rowsTable(ctx, p.movedIn, say(ctx, '転入者', 'Moved in'), names)}
  ${p.problems.length
    ? html`<h3>${say(ctx, '判定できなかった人', 'Could not be assessed')}</h3><ul>${p.problems.slice(0, SHOWN_ROWS).map((x) => html`<li>${x.addressNumber}: ${x.error}</li>`)}</ul>`
    : ''}
</section>`
    : '';
  return layout(ctx, ctx.t('navSelection'), html`${subNav(ctx)}
<form method="get" action="/selection" class="selection-form">
  ${criteriaFields(ctx, d.values, d.vaccines)}
  <div class="form-actions"><button type="submit" name="run" value="1">${say(ctx, '抽出（プレビュー）', 'Preview selection')}</button></div>
</form>
${d.error ? messageBox('error', d.error) : ''}
${result}`);
}

const KIND_LABEL: Record<string, [string, string]> = {
  notice: ['通知', 'Notice'],
  reminder: ['勧奨', 'Reminder'],
  reissue: ['再発行', 'Reissue'],
};

export function batchesPage(ctx: ViewContext, batches: readonly BatchSummary[]): SafeHtml {
  const body = batches.length === 0
    ? html`<p class="muted" role="status">${say(ctx, '発送バッチはまだありません。', 'No mailing batches yet.')}</p>`
    : html`<div class="table-wrap"><table id="batches"><thead><tr><th scope="col">${say(ctx, '作成日時', 'Created')}</th>
  <th scope="col">${say(ctx, '種別', 'Kind')}</th><th scope="col">${say(ctx, '基準日', 'As of')}</th><th scope="col">${say(ctx, '件数', 'Items')}</th>
  <th scope="col">${say(ctx, '人数', 'Persons')}</th><th scope="col">${say(ctx, '作成者', 'Created by')}</th></tr></thead>
<tbody>${batches.map((b) => html`<tr><td class="nowrap"><a href="/selection/batches/${b.id}">${b.createdAt.slice(0, 19).replace('T', ' ')}</a></td>
  <td>${say(ctx, ...(KIND_LABEL[b.kind] ?? [b.kind, b.kind]))}</td><td class="nowrap">${b.asOf}</td><td>${b.items.toLocaleString()}</td>
  <td>${b.persons.toLocaleString()}</td><td>${b.createdBy}</td></tr>`)}</tbody></table></div>`;
  return layout(ctx, say(ctx, '発送バッチ', 'Mailing batches'), html`${subNav(ctx)}${body}`);
}

/** The PDFs a batch kind prints (src/documents/print-batch.ts). */
export function batchDocuments(kind: string): PrintedFile['kind'][] {
  return kind === 'reminder' ? ['reminder', 'labels'] : ['questionnaire', 'tickets', 'labels'];
}

const DOC_LABEL: Record<PrintedFile['kind'], [string, string]> = {
  questionnaire: ['予診票', 'Pre-vaccination questionnaires'],
  tickets: ['接種券シール', 'Ticket stickers'],
  reminder: ['勧奨通知', 'Reminder letters'],
  labels: ['宛名シール', 'Address labels'],
};

export function batchPage(ctx: ViewContext, b: BatchDetail, created?: { skipped: number; movedIn: number }): SafeHtml {
  const docs = batchDocuments(b.kind);
  return layout(ctx, say(ctx, '発送バッチ', 'Mailing batch'), html`${subNav(ctx)}
${created ? messageBox('success', say(ctx, `発送バッチを作成しました（既送付で除外 ${created.skipped} 件、転入者で除外 ${created.movedIn} 件）。`, `Batch created (${created.skipped} already mailed and ${created.movedIn} moved-in rows left out).`)) : ''}
<dl class="facts" id="batch-facts">
  <dt>${say(ctx, 'バッチID', 'Batch id')}</dt><dd><code>${b.id}</code></dd>
  <dt>${say(ctx, '種別', 'Kind')}</dt><dd>${say(ctx, ...(KIND_LABEL[b.kind] ?? [b.kind, b.kind]))}</dd>
  <dt>${say(ctx, '基準日', 'As of')}</dt><dd>${b.asOf}</dd>
  <dt>${say(ctx, '件数 / 人数', 'Items / persons')}</dt><dd id="batch-items">${b.items.toLocaleString()} / ${b.persons.toLocaleString()}</dd>
  <dt>${say(ctx, '再発行で差し替え', 'Replaced by reissue')}</dt><dd>${b.reissued.toLocaleString()}</dd>
  <dt>${say(ctx, '規則', 'Rules')}</dt><dd>${b.rulePack.id} ${b.rulePack.version} <code>${b.rulePack.hash.slice(0, 12)}</code></dd>
  <dt>${say(ctx, '抽出条件', 'Criteria')}</dt><dd><code>${JSON.stringify(b.criteria)}</code></dd>
  <dt>${say(ctx, '作成', 'Created')}</dt><dd>${b.createdBy} ${b.createdAt.slice(0, 19).replace('T', ' ')}</dd>
</dl>
<section aria-labelledby="docs-h"><h2 id="docs-h">${say(ctx, '印刷用PDF（A4）', 'Print-ready PDFs (A4)')}</h2>
<ul class="downloads">${docs.map((k) => k === 'labels'
    ? html`<li>${say(ctx, ...DOC_LABEL[k])}: <a href="/selection/batches/${b.id}/labels.pdf?per=12">${say(ctx, '12面', '12 per sheet')}</a> ・
        <a href="/selection/batches/${b.id}/labels.pdf?per=24">${say(ctx, '24面', '24 per sheet')}</a></li>`
    : html`<li><a href="/selection/batches/${b.id}/${k}.pdf">${say(ctx, ...DOC_LABEL[k])}</a></li>`)}</ul>
<p class="muted">${say(ctx, '同じバッチは何度印刷しても同じ内容です（郵便番号順）。', 'A batch prints the same every time (postcode order).')}</p>
</section>`);
}

export interface ReissueValues {
  addressNumber: string;
  vaccine: string;
  dose: string;
  reason: string;
}

export function reissuePage(ctx: ViewContext, d: { values: ReissueValues; vaccines: readonly VaccineChoice[]; result?: ReissueResult; error?: string }): SafeHtml {
  const v = d.values;
  return layout(ctx, say(ctx, '再発行', 'Reissue'), html`${subNav(ctx)}
<p>${say(ctx, '紛失した予診票・接種券の再発行、転入者への発行を行います。古い接種券は無効になり、番号は再利用されません。', 'Reissue lost papers or issue to a person who moved in. The old ticket is voided; numbers are never reused.')}</p>
<form method="post" action="/selection/reissue">${csrfField(ctx)}
  <div class="filter-grid">
    <div><label for="r-addressNumber">${say(ctx, '宛名番号', 'Addressee no.')}</label>
      <input id="r-addressNumber" name="addressNumber" inputmode="numeric" maxlength="15" required value="${v.addressNumber}"></div>
    <div><label for="r-vaccine">${say(ctx, 'ワクチン', 'Vaccine')}</label>
      <select id="r-vaccine" name="vaccine" required>${d.vaccines.map((x) => html`<option value="${x.id}" ${v.vaccine === x.id ? html`selected` : ''}>${x.name}</option>`)}</select></div>
    <div><label for="r-dose">${say(ctx, '回数', 'Dose')}</label>
      <input id="r-dose" name="dose" type="number" min="1" max="99" required value="${v.dose}"></div>
    <div><label for="r-reason">${say(ctx, '理由', 'Reason')}</label>
      <select id="r-reason" name="reason">
        <option value="lost" ${v.reason === 'lost' ? html`selected` : ''}>${say(ctx, '紛失', 'Lost papers')}</option>
        <option value="moved_in" ${v.reason === 'moved_in' ? html`selected` : ''}>${say(ctx, '転入', 'Moved in')}</option>
      </select></div>
  </div>
  <div class="form-actions"><button type="submit">${say(ctx, '再発行する', 'Reissue')}</button></div>
</form>
${d.error ? messageBox('error', d.error) : ''}
${d.result
    ? messageBox('success', html`${say(ctx, '新しい接種券番号', 'New ticket number')}: <strong id="reissued-ticket">${d.result.ticketNumber}</strong>
      ${d.result.voidedTicket ? html`（${say(ctx, '無効にした番号', 'voided')}: ${d.result.voidedTicket}）` : ''}
      — <a href="/selection/batches/${d.result.batchId}">${say(ctx, '印刷へ', 'Print')}</a>`)
    : ''}`);
}

export interface ReferralValues {
  addressNumber: string;
  toMunicipalityName: string;
  toMayorName: string;
  stayAddress: string;
  reason: string;
  vaccine: string;
  dose: string;
  validUntil: string;
}

export function referralsPage(
  ctx: ViewContext,
  d: { values: ReferralValues; vaccines: readonly VaccineChoice[]; letters: readonly ReferralRecord[]; issued?: ReferralRecord; error?: string },
): SafeHtml {
  const v = d.values;
  const field = (id: keyof ReferralValues, ja: string, en: string, attrs: SafeHtml = html``): SafeHtml =>
    html`<div><label for="ref-${id}">${say(ctx, ja, en)}</label><input id="ref-${id}" name="${id}" ${attrs} value="${v[id]}"></div>`;
  const names = new Map(d.vaccines.map((x) => [x.id, x.name]));
  return layout(ctx, say(ctx, '実施依頼書', 'Referral letters'), html`${subNav(ctx)}
<p>${say(ctx, '里帰り出産などで他の市町村に滞在する住民の予防接種を、滞在先の市町村長に依頼する文書です。', 'A letter asking the mayor of another municipality to vaccinate a resident staying there.')}</p>
<form method="post" action="/selection/referrals">${csrfField(ctx)}
  <div class="filter-grid">
    ${field('addressNumber', '宛名番号', 'Addressee no.', html`inputmode="numeric" maxlength="15" required`)}
    ${field('toMunicipalityName', '依頼先市町村', 'Municipality asked', html`maxlength="50" required`)}
    ${field('toMayorName', '依頼先市町村長名', "That mayor's name", html`maxlength="50" required`)}
    ${field('stayAddress', '滞在先住所', 'Address while staying', html`maxlength="200" required`)}
    ${field('reason', '理由', 'Reason', html`maxlength="200" required`)}
    <div><label for="ref-vaccine">${say(ctx, 'ワクチン', 'Vaccine')}</label>
      <select id="ref-vaccine" name="vaccine" required>${d.vaccines.map((x) => html`<option value="${x.id}" ${v.vaccine === x.id ? html`selected` : ''}>${x.name}</option>`)}</select></div>
    ${field('dose', '回数', 'Dose', html`type="number" min="1" max="99" required`)}
    ${field('validUntil', '有効期限', 'Valid until', html`type="date" required`)}
  </div>
  <div class="form-actions"><button type="submit">${say(ctx, '依頼書を発行', 'Issue the letter')}</button></div>
</form>
${d.error ? messageBox('error', d.error) : ''}
${d.issued ? messageBox('success', html`${say(ctx, '発行しました', 'Issued')}: ${d.issued.letterNumber} — <a href="/selection/referrals/${d.issued.id}/letter.pdf">PDF</a>`) : ''}
<h2>${say(ctx, '発行履歴', 'Issuance history')}</h2>
${d.letters.length === 0
    ? html`<p class="muted">${say(ctx, 'まだ発行していません。', 'None issued yet.')}</p>`
    : html`<div class="table-wrap"><table id="referrals"><thead><tr><th scope="col">${say(ctx, '文書番号', 'Number')}</th>
  <th scope="col">${say(ctx, '発行日', 'Issued')}</th><th scope="col">${say(ctx, '宛名番号', 'Addressee no.')}</th>
  <th scope="col">${say(ctx, '依頼先', 'To')}</th><th scope="col">${say(ctx, 'ワクチン', 'Vaccine')}</th>
  <th scope="col">${say(ctx, '有効期限', 'Valid until')}</th><th scope="col">${say(ctx, '発行者', 'Issued by')}</th></tr></thead>
<tbody>${d.letters.map((r) => html`<tr><td><a href="/selection/referrals/${r.id}/letter.pdf">${r.letterNumber}</a></td><td class="nowrap">${r.issuedOn}</td>
  <td>${r.addressNumber}</td><td>${r.toMunicipalityName}</td><td>${names.get(r.vaccine) ?? r.vaccine} ${r.dose}</td>
  <td class="nowrap">${r.validUntil}</td><td>${r.issuedBy}</td></tr>`)}</tbody></table></div>`}`);
}
