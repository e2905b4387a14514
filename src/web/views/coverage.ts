// 統計・接種率: the filter form, the tables (each count a link to the persons behind it, for those
// allowed to see them), SVG charts and CSV links; and the list page behind a count. No inline
// script or style (strict CSP): the charts use presentation attributes and app.css classes.
// controls: DATA-13 (figures are aggregates), AC-04 (the list never shows My Number)
import { cohortLabel, districtLabel } from '../../modules/coverage/csv.ts';
import type { CoverageCell, CoverageDimension, CoverageFilter, CoverageReport, PersonPage, PersonSet, VaccineOption } from '../../modules/coverage/service.ts';
import { filterParams } from '../../modules/coverage/service.ts';
import { barChart, monthChart } from '../../modules/coverage/svg-chart.ts';
import type { SafeHtml } from '../html.ts';
import { html, trusted } from '../html.ts';
import type { ViewContext } from '../view-context.ts';
import { type Bi, bi, layout, messageBox } from './layout.ts';


/** What the form shows, exactly as submitted. */
export interface CoverageFormValues {
  asOf: string;
  cohortFrom: string;
  cohortTo: string;
  district: string;
  vaccine: string;
  dose: string;
  months: string;
}

export interface CoveragePageData {
  values: CoverageFormValues;
  report: CoverageReport | null;
  /** The catalogue for the vaccine select (empty when the input could not be read). */
  vaccines: readonly VaccineOption[];
  canDrillDown: boolean;
  error: string | null;
}

const pct = (c: CoverageCell): string => (c.coverage === null ? '—' : `${c.coverage.toFixed(1)}%`);
const query = (f: CoverageFilter, extra: Record<string, string> = {}): string => new URLSearchParams({ ...filterParams(f), ...extra }).toString();

/** A count, linked to its list when the actor may see persons and there is someone to list. */
function countLink(ctx: ViewContext, d: CoveragePageData, n: number, f: CoverageFilter, set: PersonSet, extra: Record<string, string> = {}): SafeHtml {
  if (!d.canDrillDown || n === 0) return html`${n.toLocaleString('ja-JP')}`;
  const label = bi(ctx, { ja: `${n}人の一覧`, en: `list of ${n} persons` });
  return html`<a href="/coverage/persons?${query(f, { set, ...extra })}" aria-label="${label}">${n.toLocaleString('ja-JP')}</a>`;
}

function figureCells(ctx: ViewContext, d: CoveragePageData, c: CoverageCell, f: CoverageFilter): SafeHtml {
  return html`<td class="num">${countLink(ctx, d, c.denominator, f, 'population')}</td>
    <td class="num">${f.vaccine ? countLink(ctx, d, c.vaccinated, f, 'vaccinated') : c.vaccinated}</td>
    <td class="num">${f.vaccine ? countLink(ctx, d, c.denominator - c.vaccinated, f, 'unvaccinated') : '—'}</td>
    <td class="num">${pct(c)}</td>`;
}

function figureHeads(ctx: ViewContext): SafeHtml {
  return html`<th scope="col" class="num">${bi(ctx, { ja: '対象者数', en: 'Residents' })}</th>
    <th scope="col" class="num">${bi(ctx, { ja: '接種者数', en: 'Vaccinated' })}</th>
    <th scope="col" class="num">${bi(ctx, { ja: '未接種者数', en: 'Not vaccinated' })}</th>
    <th scope="col" class="num">${bi(ctx, { ja: '接種率', en: 'Coverage' })}</th>`;
}

function csvLinks(ctx: ViewContext, f: CoverageFilter, by: CoverageDimension): SafeHtml {
  return html`<p class="action-row"><a class="button secondary" href="/coverage/export?${query(f, { by })}">${bi(ctx, { ja: 'CSV（UTF-8）', en: 'CSV (UTF-8)' })}</a>
    <a class="button secondary" href="/coverage/export?${query(f, { by, encoding: 'cp932' })}">${bi(ctx, { ja: 'CSV（Shift_JIS）', en: 'CSV (Shift_JIS)' })}</a></p>`;
}

export function coveragePage(ctx: ViewContext, d: CoveragePageData): SafeHtml {
  const title = bi(ctx, { ja: '統計・接種率', en: 'Coverage statistics' });
  const r = d.report;
  return layout(
    ctx,
    title,
    html`${d.error ? messageBox('error', d.error) : ''}
${filterForm(ctx, d)}
${r ? summary(ctx, r) : ''}
${r ? vaccineSection(ctx, d, r) : ''}
${r && r.filter.vaccine ? html`${cohortSection(ctx, d, r)}${districtSection(ctx, d, r)}${monthSection(ctx, d, r)}` : ''}
${r && !r.filter.vaccine ? html`<p class="muted">${bi(ctx, { ja: 'ワクチンを選ぶと、出生年度別・地区別・月別の接種率とグラフを表示します。', en: 'Choose a vaccine to see coverage by birth cohort, district and month, with charts.' })}</p>` : ''}
${definitions(ctx)}`,
  );
}

function field(id: string, label: string, value: string, type: string, hint?: string, attrs?: SafeHtml): SafeHtml {
  return html`<div><label for="${id}">${label}${hint ? html` <span class="hint">${hint}</span>` : ''}</label>
    <input id="${id}" name="${id}" type="${type}" value="${value}" ${attrs ?? ''}></div>`;
}

function filterForm(ctx: ViewContext, d: CoveragePageData): SafeHtml {
  const v = d.values;
  const known = d.vaccines.some((x) => x.id === v.vaccine);
  return html`<form method="get" action="/coverage" class="filter-form">
  <div class="filter-grid">
    ${field('asOf', bi(ctx, { ja: '基準日', en: 'As of' }), v.asOf, 'date')}
    ${field('cohortFrom', bi(ctx, { ja: '出生年度（から）', en: 'Birth cohort from' }), v.cohortFrom, 'number', bi(ctx, { ja: '4月〜翌3月生', en: 'fiscal year, Apr–Mar' }), html`min="1900" max="2200"`)}
    ${field('cohortTo', bi(ctx, { ja: '出生年度（まで）', en: 'Birth cohort to' }), v.cohortTo, 'number', undefined, html`min="1900" max="2200"`)}
    ${field('district', bi(ctx, { ja: '地区', en: 'District' }), v.district, 'text', bi(ctx, { ja: '空欄で全地区', en: 'empty: all' }))}
    <div><label for="vaccine">${bi(ctx, { ja: 'ワクチン', en: 'Vaccine' })}</label>
      <select id="vaccine" name="vaccine">
        <option value="" ${v.vaccine === '' ? html`selected` : ''}>${bi(ctx, { ja: '（ワクチン別の一覧）', en: '(table by vaccine)' })}</option>
        ${d.vaccines.map((x) => html`<option value="${x.id}" ${x.id === v.vaccine ? html`selected` : ''}>${ctx.locale === 'ja' ? x.nameJa : x.nameEn}</option>`)}
        ${v.vaccine && !known ? html`<option value="${v.vaccine}" selected>${v.vaccine}</option>` : ''}
      </select></div>
    ${field('dose', bi(ctx, { ja: '回数', en: 'Dose' }), v.dose, 'number', undefined, html`min="1" max="99"`)}
    ${field('months', bi(ctx, { ja: '月別の月数', en: 'Months shown' }), v.months, 'number', undefined, html`min="1" max="120"`)}
  </div>
  <div class="form-actions"><button type="submit">${bi(ctx, { ja: '集計', en: 'Show' })}</button></div>
</form>`;
}

function describeFilter(ctx: ViewContext, f: CoverageFilter, vaccineName: Bi | null): string {
  const ja = ctx.locale === 'ja';
  const cohorts = f.cohortFrom === f.cohortTo ? cohortLabel(f.cohortFrom, ctx.locale) : ja ? `${f.cohortFrom}〜${f.cohortTo}年度生` : `FY${f.cohortFrom}–FY${f.cohortTo}`;
  const district = f.district === null ? (ja ? '全地区' : 'all districts') : districtLabel(f.district, ctx.locale);
  const vaccine = vaccineName ? `${bi(ctx, vaccineName)} ${ja ? `第${f.dose}回` : `dose ${f.dose}`}` : '';
  return [ja ? `基準日 ${f.asOf}` : `as of ${f.asOf}`, cohorts, district, vaccine].filter(Boolean).join('・');
}

function summary(ctx: ViewContext, r: CoverageReport): SafeHtml {
  const t = r.total;
  return html`<p class="cov-summary"><strong>${describeFilter(ctx, r.filter, r.vaccineName)}</strong><br>
    ${bi(ctx, { ja: '対象者', en: 'Residents' })} ${t.denominator.toLocaleString('ja-JP')}
    ${r.filter.vaccine ? html`・${bi(ctx, { ja: '接種者', en: 'vaccinated' })} ${t.vaccinated.toLocaleString('ja-JP')}・${bi(ctx, { ja: '接種率', en: 'coverage' })} ${pct(t)}` : ''}</p>`;
}

function vaccineSection(ctx: ViewContext, d: CoveragePageData, r: CoverageReport): SafeHtml {
  const rows = r.byVaccine ?? [];
  return html`<section aria-labelledby="by-vaccine"><h2 id="by-vaccine">${bi(ctx, { ja: 'ワクチン別', en: 'By vaccine' })}</h2>
  ${rows.length === 0
    ? html`<p class="muted">${bi(ctx, { ja: '対象者に数えられる接種記録はありません。', en: 'No counted doses among these residents.' })}</p>`
    : html`<div class="table-wrap"><table class="cov-table">
    <thead><tr><th scope="col">${bi(ctx, { ja: 'ワクチン', en: 'Vaccine' })}</th><th scope="col" class="num">${bi(ctx, { ja: '回数', en: 'Dose' })}</th>${figureHeads(ctx)}</tr></thead>
    <tbody>${rows.map((row) => {
      const f: CoverageFilter = { ...r.filter, vaccine: row.vaccine, dose: row.dose };
      return html`<tr><th scope="row"><a href="/coverage?${query(f)}">${ctx.locale === 'ja' ? row.nameJa : row.nameEn}</a></th><td class="num">${row.dose}</td>${figureCells(ctx, d, row, f)}</tr>`;
    })}</tbody></table></div>`}
  ${csvLinks(ctx, { ...r.filter, vaccine: null }, 'vaccine')}</section>`;
}

function cohortSection(ctx: ViewContext, d: CoveragePageData, r: CoverageReport): SafeHtml {
  const rows = r.byCohort ?? [];
  const label = (c: number) => cohortLabel(c, ctx.locale);
  const chart = barChart({
    id: 'cov-cohort',
    title: bi(ctx, { ja: '出生年度別の接種率', en: 'Coverage by birth cohort' }),
    desc: `${describeFilter(ctx, r.filter, r.vaccineName)}: ${rows.map((x) => `${label(x.cohort)} ${pct(x)}`).join(', ')}`,
    xLabel: bi(ctx, { ja: '出生年度', en: 'Birth cohort (fiscal year)' }),
    yLabel: bi(ctx, { ja: '接種率（%）', en: 'Coverage (%)' }),
    unit: '%',
    max: 100,
    bars: rows.map((x) => ({ label: label(x.cohort), value: x.coverage })),
  });
  return html`<section aria-labelledby="by-cohort"><h2 id="by-cohort">${bi(ctx, { ja: '出生年度別', en: 'By birth cohort' })}</h2>
  <figure class="cov-figure">${trusted(chart)}</figure>
  <div class="table-wrap"><table class="cov-table">
    <thead><tr><th scope="col">${bi(ctx, { ja: '出生年度', en: 'Birth cohort' })}</th>${figureHeads(ctx)}</tr></thead>
    <tbody>${rows.map((row) => html`<tr><th scope="row">${label(row.cohort)}</th>${figureCells(ctx, d, row, { ...r.filter, cohortFrom: row.cohort, cohortTo: row.cohort })}</tr>`)}</tbody>
  </table></div>${csvLinks(ctx, r.filter, 'cohort')}</section>`;
}

function districtSection(ctx: ViewContext, d: CoveragePageData, r: CoverageReport): SafeHtml {
  const rows = r.byDistrict ?? [];
  const label = (x: string) => districtLabel(x, ctx.locale);
  const chart = barChart({
    id: 'cov-district',
    title: bi(ctx, { ja: '地区別の接種率', en: 'Coverage by district' }),
    desc: `${describeFilter(ctx, r.filter, r.vaccineName)}: ${rows.map((x) => `${label(x.district)} ${pct(x)}`).join(', ')}`,
    xLabel: bi(ctx, { ja: '地区', en: 'District' }),
    yLabel: bi(ctx, { ja: '接種率（%）', en: 'Coverage (%)' }),
    unit: '%',
    max: 100,
    bars: rows.map((x) => ({ label: label(x.district), value: x.coverage })),
  });
  return html`<section aria-labelledby="by-district"><h2 id="by-district">${bi(ctx, { ja: '地区別', en: 'By district' })}</h2>
  ${rows.length > 0 ? html`<figure class="cov-figure">${trusted(chart)}</figure>` : ''}
  <div class="table-wrap"><table class="cov-table">
    <thead><tr><th scope="col">${bi(ctx, { ja: '地区', en: 'District' })}</th>${figureHeads(ctx)}</tr></thead>
    <tbody>${rows.map((row) => html`<tr><th scope="row"><a href="/coverage?${query({ ...r.filter, district: row.district })}">${label(row.district)}</a></th>${figureCells(ctx, d, row, { ...r.filter, district: row.district })}</tr>`)}</tbody>
  </table></div>${csvLinks(ctx, r.filter, 'district')}</section>`;
}

function monthSection(ctx: ViewContext, d: CoveragePageData, r: CoverageReport): SafeHtml {
  const rows = r.byMonth ?? [];
  const chart = monthChart({
    id: 'cov-month',
    title: bi(ctx, { ja: '月別の接種数と累積接種率', en: 'Doses per month and cumulative coverage' }),
    desc: `${describeFilter(ctx, r.filter, r.vaccineName)}: ${rows.map((x) => `${x.month} ${x.doses} / ${pct(x)}`).join(', ')}`,
    xLabel: bi(ctx, { ja: '接種月', en: 'Month' }),
    barLabel: bi(ctx, { ja: '接種数', en: 'Doses' }),
    lineLabel: bi(ctx, { ja: '累積接種率', en: 'Cumulative coverage' }),
    points: rows.map((x) => ({ label: x.month, bar: x.doses, line: x.coverage })),
  });
  return html`<section aria-labelledby="by-month"><h2 id="by-month">${bi(ctx, { ja: '月別', en: 'By month' })}</h2>
  <figure class="cov-figure">${trusted(chart)}</figure>
  <div class="table-wrap"><table class="cov-table">
    <thead><tr><th scope="col">${bi(ctx, { ja: '接種月', en: 'Month' })}</th><th scope="col" class="num">${bi(ctx, { ja: '接種数', en: 'Doses' })}</th>
      <th scope="col" class="num">${bi(ctx, { ja: '新規接種者', en: 'Newly vaccinated' })}</th>
      <th scope="col" class="num">${bi(ctx, { ja: '累積接種者', en: 'Vaccinated by month end' })}</th>
      <th scope="col" class="num">${bi(ctx, { ja: '累積接種率', en: 'Cumulative coverage' })}</th></tr></thead>
    <tbody>${rows.map(
      (row) => html`<tr><th scope="row">${row.month}</th><td class="num">${row.doses}</td>
        <td class="num">${countLink(ctx, d, row.newlyVaccinated, r.filter, 'vaccinated', { month: row.month })}</td>
        <td class="num">${row.vaccinated}</td><td class="num">${pct(row)}</td></tr>`,
    )}</tbody>
  </table></div>${csvLinks(ctx, r.filter, 'month')}</section>`;
}

function definitions(ctx: ViewContext): SafeHtml {
  return html`<details class="cov-definitions"><summary>${bi(ctx, { ja: '集計の定義', en: 'Definitions' })}</summary>
  <p>${bi(ctx, {
    ja: '対象者：基準日に住民であった人（現在住民で基準日までに転入、または基準日より後に転出・死亡。統合済みの重複と職権消除等で除かれた人は除く）のうち、選んだ出生年度（4月1日〜翌3月31日生）と地区（住所から判定）の人。接種者：そのうち、選んだワクチン・回数の定期接種記録が確認済み（ダブルチェック済み・削除されていない）で、接種日が基準日以前の人。地区は現在の住所によります。',
    en: 'Residents: persons resident on the as-of day (resident now and moved in by then, or moved out or died after it; merged duplicates and persons removed from the register are left out), born in the chosen fiscal-year cohorts (1 April – 31 March) and living in the chosen district (read from the address). Vaccinated: those of them with a confirmed (double-checked, not deleted) routine record of the chosen vaccine and dose given on or before the as-of day. The district is that of the present address.',
  })}</p></details>`;
}

const SET_LABELS: Record<PersonSet, Bi> = {
  population: { ja: '対象者', en: 'Residents' },
  vaccinated: { ja: '接種者', en: 'Vaccinated' },
  unvaccinated: { ja: '未接種者', en: 'Not vaccinated' },
};

export interface CoveragePersonsData {
  filter: CoverageFilter;
  vaccineName: Bi | null;
  set: PersonSet;
  month: string | null;
  page: PersonPage;
}

export function coveragePersonsPage(ctx: ViewContext, d: CoveragePersonsData): SafeHtml {
  const ja = ctx.locale === 'ja';
  const title = `${bi(ctx, SET_LABELS[d.set])}${ja ? 'の一覧' : ': list'}`;
  const p = d.page;
  const last = Math.max(1, Math.ceil(p.total / p.pageSize));
  const here = (page: number) => `/coverage/persons?${query(d.filter, { set: d.set, ...(d.month ? { month: d.month } : {}), page: String(page) })}`;
  return layout(
    ctx,
    title,
    html`<p><strong>${describeFilter(ctx, d.filter, d.vaccineName)}${d.month ? html`・${ja ? `${d.month} に初めて接種` : `first dose in ${d.month}`}` : ''}</strong></p>
<p class="muted">${ja ? 'この一覧の表示はアクセス記録に残ります。' : 'Showing this list is recorded in the audit log.'}</p>
<p>${ja ? `${p.total}人中 ${p.rows.length === 0 ? 0 : (p.page - 1) * p.pageSize + 1}〜${(p.page - 1) * p.pageSize + p.rows.length}人目` : `${p.rows.length === 0 ? 0 : (p.page - 1) * p.pageSize + 1}–${(p.page - 1) * p.pageSize + p.rows.length} of ${p.total}`}</p>
<div class="table-wrap"><table class="cov-table">
  <thead><tr><th scope="col">${ja ? '宛名番号' : 'Address no.'}</th><th scope="col">${ja ? '氏名' : 'Name'}</th><th scope="col">${ja ? '生年月日' : 'Born'}</th>
    <th scope="col">${ja ? '地区' : 'District'}</th><th scope="col">${ja ? '接種日' : 'Dose date'}</th></tr></thead>
  <tbody>${p.rows.map(
    (r) => html`<tr><th scope="row"><a href="/residents/${r.id}">${r.addressNumber}</a></th><td>${r.name}</td><td>${r.birthDate}</td>
      <td>${districtLabel(r.district, ctx.locale)}</td><td>${r.doseDate ?? '—'}</td></tr>`,
  )}</tbody>
</table></div>
<nav class="action-row" aria-label="${ja ? 'ページ' : 'Pages'}">
  ${p.page > 1 ? html`<a class="button secondary" href="${here(p.page - 1)}" rel="prev">${ja ? '前へ' : 'Previous'}</a>` : ''}
  <span>${p.page} / ${last}</span>
  ${p.page < last ? html`<a class="button secondary" href="${here(p.page + 1)}" rel="next">${ja ? '次へ' : 'Next'}</a>` : ''}
  <a href="/coverage?${query(d.filter)}">${ja ? '集計に戻る' : 'Back to the figures'}</a>
</nav>`,
  );
}
