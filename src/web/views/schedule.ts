// The schedule page: a form for one person's history, and their forecast as a timeline (SVG) with
// the same facts in tables. Everything is computed on the server; the SVG's text goes through html``.
import { ageInYearsOn, parseIsoDate, reachMonths, reachYears } from '../../domain/dates.ts';
import type { ForecastResult, NextStatus, ProblemCode } from '../../domain/schedule/index.ts';
import type { ForecastJson, ForecastNextJson } from '../../modules/schedule/contract.ts';
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { ViewContext } from '../view-context.ts';
import { type Bi, layout, messageBox } from './layout.ts';

export const DOSE_ROWS = 10;

export interface DoseRowValues {
  vaccine: string;
  dose: string;
  date: string;
  product: string;
}

/** What the form shows: exactly what was submitted, so a correction keeps the rest of the input. */
export interface ScheduleFormValues {
  birth: string;
  sex: string;
  asOf: string;
  rows: DoseRowValues[];
  bulk: string;
}

/** An input error, tied to the id of the field it names (the error summary links to it). */
export interface FieldError {
  field: string;
  ja: string;
  en: string;
}

export interface VaccineOption {
  id: string;
  name: string;
  products: { id: string; name: string }[];
}

export interface ScheduleOutcome {
  json: ForecastJson;
  result: ForecastResult;
}

export interface SchedulePageData {
  values: ScheduleFormValues;
  errors: FieldError[];
  vaccines: VaccineOption[];
  outcome: ScheduleOutcome | null;
}


const STATUS_TEXT: Record<NextStatus, Bi> = {
  due: { ja: '接種可能', en: 'Due' },
  upcoming: { ja: '予定', en: 'Upcoming' },
  complete: { ja: '完了', en: 'Complete' },
  expired: { ja: '期限切れ', en: 'Expired' },
  ineligible: { ja: '対象外', en: 'Not eligible' },
};

const PROBLEM_TEXT: Record<ProblemCode, Bi> = {
  TOO_YOUNG: { ja: '接種可能年齢前', en: 'Before the eligible age' },
  TOO_OLD: { ja: '対象年齢・期間を過ぎている', en: 'After the eligible age or period' },
  INTERVAL_TOO_SHORT: { ja: '前回からの接種間隔が不足', en: 'Too soon after the previous dose' },
  LIVE_INTERVAL: { ja: '他の注射生ワクチンから27日以上空いていない', en: 'Less than 27 days after another injected live vaccine' },
  SERIES_COMPLETE: { ja: '規定回数を接種済み（重複・回数超過）', en: 'Series already complete (duplicate or extra dose)' },
  NOT_ELIGIBLE: { ja: '対象外（性別・生年・製剤・時期など）', en: 'Not eligible (sex, birth cohort, product, season …)' },
};

/** English names; the rule pack only carries Japanese ones. Unknown ids fall back to the pack name. */
const EN_NAMES: Record<string, string> = {
  hepb: 'Hepatitis B', rota: 'Rotavirus', dpt_ipv_hib: 'DPT-IPV-Hib (5-in-1)', dpt_ipv: 'DPT-IPV (4-in-1)', hib: 'Hib',
  pcv: 'Pneumococcal (children)', bcg: 'BCG', mr: 'Measles-rubella (MR)', var: 'Varicella', je: 'Japanese encephalitis',
  dt: 'DT (2nd period)', hpv: 'HPV', flu: 'Influenza (elderly)', pneumo: 'Pneumococcal (elderly)', covid: 'COVID-19 (class B)',
  hz: 'Herpes zoster', rsv: 'RSV (maternal)',
};

function reasonText(reason: string | undefined, ja: boolean): string {
  switch (reason) {
    case undefined: return '';
    case 'sex': return ja ? '性別により対象外' : 'Not for this sex';
    case 'route:combined': return ja ? '五種混合で接種するため対象外' : 'On the 5-in-1 (DPT-IPV-Hib) route';
    case 'route:legacy': return ja ? '四種混合＋Hib で接種中のため対象外' : 'On the 4-in-1 + Hib route';
    case 'not-eligible': return ja ? '年齢・生年月日の条件に該当しない' : 'No eligibility window for this person';
    case 'no-pregnancy': return ja ? '妊娠の記録がない' : 'No pregnancy recorded';
    case 'no-season': return ja ? '接種期間（シーズン）がない' : 'No season in force';
    default: return reason;
  }
}

export function schedulePage(ctx: ViewContext, data: SchedulePageData): SafeHtml {
  const ja = ctx.locale === 'ja';
  return layout(
    ctx,
    ctx.t('navSchedule'),
    html`${data.errors.length ? errorSummary(data.errors, ja) : ''}
<p>${ja
      ? '生年月日・性別と接種歴を入力すると、基準日時点で各ワクチンの次の接種がいつ受けられるかを表示します（定期接種のルールによる計算です。住民データは保存しません）。'
      : 'Enter a birth date, sex and the doses given so far to see, as of a date, when the next dose of each vaccine can be given (computed from the routine schedule rules; nothing is stored).'}</p>
${scheduleForm(ctx, data)}
${data.outcome ? forecastSection(ctx, data.outcome, data.vaccines) : ''}`,
  );
}

function errorSummary(errors: FieldError[], ja: boolean): SafeHtml {
  return messageBox('error', html`<p><strong>${ja ? '入力内容を確認してください。' : 'Please check the input.'}</strong></p>
<ul>${errors.map((e) => html`<li><a href="#${e.field}">${ja ? e.ja : e.en}</a></li>`)}</ul>`);
}

function invalid(errors: FieldError[], field: string): SafeHtml | string {
  return errors.some((e) => e.field === field) ? html`aria-invalid="true"` : '';
}

function scheduleForm(ctx: ViewContext, data: SchedulePageData): SafeHtml {
  const ja = ctx.locale === 'ja';
  const { values: v, errors } = data;
  const selected = (a: string, b: string): SafeHtml | string => (a === b ? html`selected` : '');
  return html`<form method="get" action="/schedule" class="schedule-form" novalidate>
<fieldset>
  <legend>${ja ? '対象者' : 'Person'}</legend>
  <div class="schedule-person">
    <div><label for="birth">${ja ? '生年月日' : 'Birth date'}</label>
      <input id="birth" name="birth" type="date" required value="${v.birth}" ${invalid(errors, 'birth')}></div>
    <div><label for="sex">${ja ? '性別' : 'Sex'}</label>
      <select id="sex" name="sex" required ${invalid(errors, 'sex')}>
        <option value="" ${selected(v.sex, '')}>${ja ? '選択してください' : 'Choose'}</option>
        <option value="F" ${selected(v.sex, 'F')}>${ja ? '女' : 'Female'}</option>
        <option value="M" ${selected(v.sex, 'M')}>${ja ? '男' : 'Male'}</option>
      </select></div>
    <div><label for="asOf">${ja ? '基準日' : 'As of'} <span class="hint">${ja ? '空欄なら本日' : 'empty = today'}</span></label>
      <input id="asOf" name="asOf" type="date" value="${v.asOf}" ${invalid(errors, 'asOf')}></div>
  </div>
</fieldset>
<fieldset>
  <legend>${ja ? '接種記録' : 'Doses given'}</legend>
  <table class="schedule-doses">
    <thead><tr><th scope="col">#</th><th scope="col">${ja ? 'ワクチン' : 'Vaccine'}</th><th scope="col">${ja ? '回' : 'Dose'}</th>
      <th scope="col">${ja ? '接種日' : 'Date'}</th><th scope="col">${ja ? '製剤' : 'Product'}</th></tr></thead>
    <tbody>${v.rows.map((row, i) => doseRow(ctx, data, row, i + 1))}</tbody>
  </table>
  <div class="schedule-bulk"><label for="bulk">${ja ? '一括入力' : 'Bulk entry'}
    <span class="hint">${ja ? '1行に1件、ワクチン:回:接種日[:製剤] の形式（例 hib:1:2024-04-01、pcv:1:2024-04-01:pcv15）' : 'one dose a line, VACCINE:DOSE:YYYY-MM-DD[:PRODUCT] (e.g. hib:1:2024-04-01, pcv:1:2024-04-01:pcv15)'}</span></label>
    <textarea id="bulk" name="bulk" rows="4" spellcheck="false" ${invalid(errors, 'bulk')}>${v.bulk}</textarea></div>
</fieldset>
<div class="schedule-actions"><button type="submit">${ja ? 'スケジュールを表示' : 'Show schedule'}</button>
  <a class="button secondary" href="/schedule">${ja ? '入力をクリア' : 'Clear'}</a></div>
</form>`;
}

function doseRow(ctx: ViewContext, data: SchedulePageData, row: DoseRowValues, n: number): SafeHtml {
  const ja = ctx.locale === 'ja';
  const { errors, vaccines } = data;
  const label = (what: string): string => (ja ? `${n}行目 ${what}` : `Row ${n} ${what}`);
  return html`<tr><th scope="row">${n}</th>
<td><label class="visually-hidden" for="vaccine${n}">${label(ja ? 'ワクチン' : 'vaccine')}</label>
  <select id="vaccine${n}" name="vaccine${n}" ${invalid(errors, `vaccine${n}`)}>
    <option value="">—</option>
    ${vaccines.map((vc) => html`<option value="${vc.id}" ${row.vaccine === vc.id ? html`selected` : ''}>${vaccineName(vc.id, vaccines, ja)}</option>`)}
  </select></td>
<td><label class="visually-hidden" for="dose${n}">${label(ja ? '回数' : 'dose number')}</label>
  <input id="dose${n}" name="dose${n}" type="number" min="1" max="999" inputmode="numeric" value="${row.dose}" ${invalid(errors, `dose${n}`)}></td>
<td><label class="visually-hidden" for="date${n}">${label(ja ? '接種日' : 'date')}</label>
  <input id="date${n}" name="date${n}" type="date" value="${row.date}" ${invalid(errors, `date${n}`)}></td>
<td><label class="visually-hidden" for="product${n}">${label(ja ? '製剤' : 'product')}</label>
  <select id="product${n}" name="product${n}" ${invalid(errors, `product${n}`)}>
    <option value="">${ja ? '（指定なし）' : '(not recorded)'}</option>
    ${vaccines.filter((vc) => vc.products.length > 0).map((vc) => html`<optgroup label="${vaccineName(vc.id, vaccines, ja)}">
      ${vc.products.map((p) => html`<option value="${p.id}" ${row.product === p.id ? html`selected` : ''}>${p.name} (${p.id})</option>`)}</optgroup>`)}
  </select></td></tr>`;
}

export function vaccineName(id: string, vaccines: VaccineOption[], ja: boolean): string {
  const name = vaccines.find((v) => v.id === id)?.name ?? id;
  return ja ? name : (EN_NAMES[id] ?? name);
}

function forecastSection(ctx: ViewContext, outcome: ScheduleOutcome, vaccines: VaccineOption[]): SafeHtml {
  const ja = ctx.locale === 'ja';
  const { json } = outcome;
  const sexText = json.sex === 'F' ? (ja ? '女' : 'female') : ja ? '男' : 'male';
  return html`<section class="schedule-result" aria-labelledby="result-heading">
<h2 id="result-heading">${ja ? `${json.asOf} 時点のスケジュール` : `Schedule as of ${json.asOf}`}</h2>
<p>${ja ? `生年月日 ${json.birth}・${sexText}` : `Born ${json.birth}, ${sexText}`}</p>
${timeline(ctx, outcome, vaccines)}
<h2 id="next-heading">${ja ? '次の接種' : 'Next doses'}</h2>
${nextTable(ctx, outcome, vaccines)}
<h2 id="doses-heading">${ja ? '接種記録の判定' : 'Doses checked'}</h2>
${dosesTable(ctx, json, vaccines)}
</section>`;
}

function statusBadge(status: NextStatus, ja: boolean): SafeHtml {
  return html`<span class="status-badge tl-s-${status}">${ja ? STATUS_TEXT[status].ja : STATUS_TEXT[status].en}</span>`;
}

export function nextTable(ctx: ViewContext, outcome: ScheduleOutcome, vaccines: VaccineOption[]): SafeHtml {
  const ja = ctx.locale === 'ja';
  const dash = '—';
  return html`<table class="schedule-next" aria-labelledby="next-heading">
<thead><tr><th scope="col">${ja ? 'ワクチン' : 'Vaccine'}</th><th scope="col">${ja ? '状態' : 'Status'}</th>
  <th scope="col">${ja ? '次の接種' : 'Next dose'}</th><th scope="col">${ja ? '接種可能期間の開始' : 'From'}</th>
  <th scope="col">${ja ? '接種可能期間の終了' : 'Until'}</th><th scope="col">${ja ? '備考' : 'Note'}</th></tr></thead>
<tbody>${outcome.json.next.map((n, i) => {
    const windowed = n.status === 'due' || n.status === 'upcoming';
    const note = n.status === 'expired'
      ? (ja ? `第${n.dose ?? ''}回の接種期間を過ぎています` : `The window for dose ${n.dose ?? ''} has closed`)
      : reasonText(outcome.result.next[i]?.reason, ja);
    return html`<tr data-vaccine="${n.vaccine}"><th scope="row">${vaccineName(n.vaccine, vaccines, ja)}</th>
  <td>${statusBadge(n.status, ja)}</td>
  <td>${n.dose === null ? dash : ja ? `第${n.dose}回` : `Dose ${n.dose}`}</td>
  <td>${windowed ? (n.from ?? dash) : dash}</td>
  <td>${windowed ? (n.until ?? (ja ? '期限なし' : 'no limit')) : dash}</td>
  <td>${note}</td></tr>`;
  })}</tbody></table>`;
}

function dosesTable(ctx: ViewContext, json: ForecastJson, vaccines: VaccineOption[]): SafeHtml {
  const ja = ctx.locale === 'ja';
  if (json.doses.length === 0) return html`<p class="muted">${ja ? '接種記録の入力はありません。' : 'No doses were entered.'}</p>`;
  return html`<table class="schedule-checked" aria-labelledby="doses-heading">
<thead><tr><th scope="col">${ja ? 'ワクチン' : 'Vaccine'}</th><th scope="col">${ja ? '回' : 'Dose'}</th>
  <th scope="col">${ja ? '接種日' : 'Date'}</th><th scope="col">${ja ? '製剤' : 'Product'}</th><th scope="col">${ja ? '判定' : 'Result'}</th></tr></thead>
<tbody>${json.doses.map((d) => html`<tr><th scope="row">${vaccineName(d.vaccine, vaccines, ja)}</th>
  <td>${ja ? `第${d.dose}回` : d.dose}</td><td>${d.date}</td><td>${d.product ?? '—'}</td>
  <td>${d.routine
    ? html`<span class="dose-ok">${ja ? '定期接種として有効' : 'Counts as a routine dose'}</span>`
    : html`<span class="dose-bad">${ja ? '定期接種に該当しない' : 'Not a routine dose'}</span>
      <ul class="problems">${d.problems.map((p) => html`<li>${ja ? PROBLEM_TEXT[p].ja : PROBLEM_TEXT[p].en} <code>${p}</code></li>`)}</ul>`}</td></tr>`)}
</tbody></table>`;
}

// ---------------------------------------------------------------------------------------------
// Timeline

const W = 960;
const NAME_X = 8;
const STATUS_X = 206;
const STATUS_W = 66;
const PLOT_X0 = 284;
const PLOT_X1 = 944;
const TOP = 40;
const ROW_H = 26;
const AXIS_H = 40;
const DAYS_PER_YEAR = 365.2425;

interface Tick {
  day: number;
  label: string;
}

interface AgeScale {
  x(day: number): number;
  ticks: Tick[];
  /** The first two years are drawn wider: most childhood doses fall there. */
  stretched: boolean;
}

function r1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Age axis: birth → at least 13 years (further when windows or doses are later; adults start later). */
function ageScale(birth: number, days: number[], ja: boolean): AgeScale {
  const age = (d: number): number => (d - birth) / DAYS_PER_YEAR;
  const maxAge = Math.max(0, ...days.map(age));
  const minAge = Math.min(...days.map(age));
  let endYears = Math.max(13, Math.ceil(maxAge) + 1);
  let startYears = minAge >= 15 ? Math.max(0, Math.floor(minAge / 5) * 5 - 5) : 0;
  if (endYears - startYears > 15) endYears = Math.ceil(endYears / 5) * 5;
  if (startYears > endYears - 5) startYears = endYears - 5;
  const start = startYears === 0 ? birth : reachYears(birth, startYears);
  const end = reachYears(birth, endYears);
  const stretched = startYears === 0 && endYears >= 6;
  const bend = reachYears(birth, 2);
  const bendX = PLOT_X0 + 0.3 * (PLOT_X1 - PLOT_X0);
  const x = (day: number): number => {
    const d = Math.min(Math.max(day, start), end);
    if (!stretched) return PLOT_X0 + ((d - start) / (end - start)) * (PLOT_X1 - PLOT_X0);
    if (d <= bend) return PLOT_X0 + ((d - start) / (bend - start)) * (bendX - PLOT_X0);
    return bendX + ((d - bend) / (end - bend)) * (PLOT_X1 - bendX);
  };
  const yearLabel = (y: number): string => (y === 0 ? (ja ? '出生' : 'birth') : ja ? `${y}歳` : `${y} y`);
  const ticks: Tick[] = [];
  if (stretched) {
    for (const m of [0, 6, 12, 18, 24]) {
      const label = m % 12 === 0 ? yearLabel(m / 12) : m === 6 ? (ja ? '6か月' : '6 mo') : ja ? '1歳6か月' : '18 mo';
      ticks.push({ day: m === 0 ? birth : reachMonths(birth, m), label });
    }
  }
  const span = endYears - startYears;
  const step = span <= 15 ? 1 : span <= 40 ? 5 : 10;
  for (let y = startYears; y <= endYears; y += step) {
    if (stretched && y <= 2) continue;
    ticks.push({ day: y === 0 ? birth : reachYears(birth, y), label: yearLabel(y) });
  }
  return { x, ticks, stretched };
}

interface Row {
  vaccine: string;
  next: ForecastNextJson | null;
}

export function timeline(ctx: ViewContext, outcome: ScheduleOutcome, vaccines: VaccineOption[]): SafeHtml {
  const ja = ctx.locale === 'ja';
  const { json } = outcome;
  const day = (iso: string): number => parseIsoDate(iso) ?? 0;
  const birth = day(json.birth);
  const asOf = day(json.asOf);

  // One row per vaccine in force, in pack order, then any vaccine that only appears in the doses.
  const rows: Row[] = json.next.map((n) => ({ vaccine: n.vaccine, next: n }));
  for (const d of json.doses) if (!rows.some((r) => r.vaccine === d.vaccine)) rows.push({ vaccine: d.vaccine, next: null });

  // The axis covers the next years of this person's life; windows that open decades later (a
  // child's elderly-flu window) would squash the rest, so they get a note at the right edge instead.
  const horizon = reachYears(birth, Math.max(13, ageInYearsOn(birth, asOf) + 10));
  const days = [asOf, ...json.doses.map((d) => day(d.date))];
  for (const n of json.next) {
    if (!n.from || day(n.from) > horizon) continue;
    days.push(day(n.from));
    if (n.until) days.push(day(n.until));
  }
  const scale = ageScale(birth, days, ja);
  const height = TOP + rows.length * ROW_H + AXIS_H;
  const bottom = TOP + rows.length * ROW_H;
  const asOfX = r1(scale.x(asOf));
  const asOfAnchor = asOfX > PLOT_X1 - 110 ? 'end' : asOfX < PLOT_X0 + 110 ? 'start' : 'middle';
  const windowText = (n: ForecastNextJson): string => {
    const status = ja ? STATUS_TEXT[n.status].ja : STATUS_TEXT[n.status].en;
    const until = n.until ?? (ja ? '期限なし' : 'no limit');
    return ja ? `第${n.dose ?? ''}回 ${status} ${n.from ?? ''} 〜 ${until}` : `Dose ${n.dose ?? ''} ${status} ${n.from ?? ''} – ${until}`;
  };

  const svg = html`<svg class="timeline" viewBox="0 0 ${W} ${height}" role="img" aria-labelledby="tl-title tl-desc" xmlns="http://www.w3.org/2000/svg">
<title id="tl-title">${ja ? '接種スケジュールのタイムライン' : 'Vaccination schedule timeline'}</title>
<desc id="tl-desc">${ja
    ? '横軸は年齢、ワクチンごとに次の接種可能期間を帯で、接種記録を印で示します。同じ内容を下の表に示します。'
    : 'Age runs left to right; for each vaccine a bar shows the next dose window and marks show the doses given. The tables below give the same facts.'}</desc>
<text class="tl-head" x="${NAME_X}" y="${TOP - 10}">${ja ? 'ワクチン' : 'Vaccine'}</text>
<text class="tl-head" x="${STATUS_X}" y="${TOP - 10}">${ja ? '状態' : 'Status'}</text>
${rows.map((row, i) => {
    const y = TOP + i * ROW_H;
    const cy = y + ROW_H / 2;
    const n = row.next;
    const windowed = n !== null && (n.status === 'due' || n.status === 'upcoming') && n.from;
    let bar: SafeHtml | string = '';
    if (n !== null && windowed && n.from && day(n.from) > horizon) {
      const age = ageInYearsOn(birth, day(n.from));
      bar = html`<g class="tl-window tl-s-${n.status}"><title>${windowText(n)}</title>
  <text class="tl-later" x="${PLOT_X1}" y="${cy + 4}">${ja ? `${age}歳から（${n.from}）→` : `from age ${age} (${n.from}) →`}</text></g>`;
    } else if (n !== null && windowed && n.from) {
      const x0 = r1(scale.x(day(n.from)));
      const open = n.until === null || n.until === undefined;
      const x1 = open ? PLOT_X1 : r1(Math.max(scale.x(day(n.until ?? n.from) + 1), x0 + 3));
      bar = html`<g class="tl-window tl-s-${n.status}"><title>${windowText(n)}</title>
  <rect class="tl-bar" x="${x0}" y="${y + 6}" width="${r1(Math.max(x1 - x0, 3))}" height="${ROW_H - 12}" rx="3"></rect>
  ${open ? html`<polygon class="tl-bar" points="${PLOT_X1},${y + 4} ${PLOT_X1 + 9},${cy} ${PLOT_X1},${y + ROW_H - 4}"></polygon>` : ''}</g>`;
    }
    const marks = json.doses.filter((d) => d.vaccine === row.vaccine).map((d) => {
      const cx = r1(scale.x(day(d.date)));
      const problems = d.problems.map((p) => (ja ? PROBLEM_TEXT[p].ja : PROBLEM_TEXT[p].en)).join('、');
      const label = ja
        ? `第${d.dose}回 ${d.date} ${d.routine ? '定期接種として有効' : `定期接種に該当しない: ${problems}`}`
        : `Dose ${d.dose} ${d.date} ${d.routine ? 'routine' : `not routine: ${problems}`}`;
      return d.routine
        ? html`<circle class="tl-dose-ok" cx="${cx}" cy="${cy}" r="5.5"><title>${label}</title></circle>`
        : html`<path class="tl-dose-bad" d="M${cx} ${cy - 7}L${cx + 7} ${cy}L${cx} ${cy + 7}L${cx - 7} ${cy}Z"><title>${label}</title></path>`;
    });
    const status = n?.status;
    return html`<g class="tl-row">
  ${i % 2 === 1 ? html`<rect class="tl-row-alt" x="0" y="${y}" width="${W}" height="${ROW_H}"></rect>` : ''}
  <text class="tl-name" x="${NAME_X}" y="${cy + 4}">${vaccineName(row.vaccine, vaccines, ja)}</text>
  ${status
    ? html`<rect class="tl-pill tl-s-${status}" x="${STATUS_X}" y="${y + 4}" width="${STATUS_W}" height="${ROW_H - 8}" rx="9"></rect>
  <text class="tl-pill-text tl-s-${status}" x="${STATUS_X + STATUS_W / 2}" y="${cy + 4}">${ja ? STATUS_TEXT[status].ja : STATUS_TEXT[status].en}</text>`
    : ''}
  ${bar}${marks}</g>`;
  })}
${scale.ticks.map((tk) => {
    const x = r1(scale.x(tk.day));
    return html`<line class="tl-grid" x1="${x}" y1="${TOP}" x2="${x}" y2="${bottom}"></line>
<line class="tl-axis" x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}"></line>
<text class="tl-tick" x="${x}" y="${bottom + 18}">${tk.label}</text>`;
  })}
<line class="tl-axis" x1="${PLOT_X0}" y1="${bottom}" x2="${PLOT_X1}" y2="${bottom}"></line>
<text class="tl-axis-title" x="${STATUS_X}" y="${bottom + 18}">${ja ? '年齢' : 'Age'}</text>
<line class="tl-asof" x1="${asOfX}" y1="${TOP - 6}" x2="${asOfX}" y2="${bottom}"></line>
<text class="tl-asof-label tl-anchor-${asOfAnchor}" x="${asOfX}" y="${TOP - 10}">${ja ? `基準日 ${json.asOf}` : `As of ${json.asOf}`}</text>
</svg>`;

  return html`<figure class="timeline-figure">
${svg}
<figcaption>
  <ul class="tl-legend">
    ${(['due', 'upcoming', 'complete', 'expired', 'ineligible'] as const).map((s) => html`<li><span class="tl-swatch tl-s-${s}"></span>${ja ? STATUS_TEXT[s].ja : STATUS_TEXT[s].en}</li>`)}
    <li><svg class="tl-key" viewBox="0 0 16 16" aria-hidden="true"><circle class="tl-dose-ok" cx="8" cy="8" r="5.5"></circle></svg>${ja ? '接種記録（有効）' : 'Dose given (valid)'}</li>
    <li><svg class="tl-key" viewBox="0 0 16 16" aria-hidden="true"><path class="tl-dose-bad" d="M8 1L15 8L8 15L1 8Z"></path></svg>${ja ? '接種記録（問題あり）' : 'Dose given (with problems)'}</li>
    <li><svg class="tl-key" viewBox="0 0 16 16" aria-hidden="true"><line class="tl-asof" x1="8" y1="0" x2="8" y2="16"></line></svg>${ja ? '基準日' : 'As-of date'}</li>
  </ul>
  <p class="hint">${scale.stretched
    ? (ja ? '横軸は年齢です。0〜2歳は見やすいように拡大しています。帯の右端の矢印は期限がないことを示します。' : 'Age runs along the axis; the first two years are drawn wider. An arrow at the end of a bar means no end date.')
    : (ja ? '横軸は年齢です。帯の右端の矢印は期限がないことを示します。' : 'Age runs along the axis. An arrow at the end of a bar means no end date.')}</p>
</figcaption>
</figure>`;
}
