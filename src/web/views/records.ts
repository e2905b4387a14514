// Vaccination-record pages (接種記録): the records menu with a person search, the keyboard-first
// entry page for returned 予診票, the confirmation queue (ダブルチェック), and a person's ledger with
// every version and the forecast (the schedule page's timeline and table, reused).
// Everything goes through html``; no inline script or style (strict CSP).
import { parseIsoDate } from '../../domain/dates.ts';
import type { ProblemCode } from '../../domain/schedule/index.ts';
import type { DoseVersionView, DoseView } from '../../modules/records/service.ts';
import type { PersonSummary } from '../../modules/residents/persons.ts';
import type { HtmlValue, SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { ViewContext } from '../view-context.ts';
import { type Bi, bi, csrfField, layout, messageBox } from './layout.ts';
import type { FieldError, ScheduleOutcome, VaccineOption } from './schedule.ts';
import { nextTable, timeline, vaccineName } from './schedule.ts';


const say = (ctx: ViewContext, ja: string, en: string): string => (ctx.locale === 'ja' ? ja : en);

/** The short wording of the entry page (issue 7) for the engine's problem codes. */
export const PROBLEM_LABELS: Record<ProblemCode, Bi> = {
  TOO_YOUNG: { ja: '接種可能年齢前', en: 'Before the eligible age' },
  TOO_OLD: { ja: '対象年齢超過', en: 'Past the eligible age' },
  INTERVAL_TOO_SHORT: { ja: '接種間隔不足', en: 'Interval too short' },
  LIVE_INTERVAL: { ja: '生ワクチン間隔（27日）不足', en: 'Less than 27 days after a live vaccine' },
  SERIES_COMPLETE: { ja: '接種完了済み', en: 'Series already complete' },
  NOT_ELIGIBLE: { ja: '対象外', en: 'Not eligible' },
};

const CHANGE_TEXT: Record<string, Bi> = {
  create: { ja: '新規', en: 'New' },
  correct: { ja: '訂正', en: 'Correction' },
  delete: { ja: '削除', en: 'Deletion' },
};

const STATUS_TEXT: Record<DoseView['status'], Bi> = {
  provisional: { ja: '仮登録', en: 'Provisional' },
  confirmed: { ja: '確定', en: 'Confirmed' },
  deleted: { ja: '削除', en: 'Deleted' },
};

function problemText(ctx: ViewContext, code: string): string {
  const t = PROBLEM_LABELS[code as ProblemCode];
  return t ? bi(ctx, t) : code;
}

function problemList(ctx: ViewContext, problems: readonly string[]): SafeHtml {
  return html`<ul class="problems">${problems.map((p) => html`<li>${problemText(ctx, p)} <code>${p}</code></li>`)}</ul>`;
}

function sexText(ctx: ViewContext, sex: string): string {
  return sex === 'F' ? say(ctx, '女', 'Female') : sex === 'M' ? say(ctx, '男', 'Male') : sex;
}

/** 2026-01-02 14:05 in Japan time, for timestamps (entered, confirmed). */
function jst(v: Date | string | null | undefined): string {
  if (v === null || v === undefined) return '';
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(d);
}

/** Age in whole years and months on `today` (both YYYY-MM-DD): 1歳8か月. */
function ageText(ctx: ViewContext, birth: string, today: string): string {
  if (parseIsoDate(birth) === null || parseIsoDate(today) === null || today < birth) return '';
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  let months = (ty - by) * 12 + (tm - bm) - (td < bd ? 1 : 0);
  if (months < 0) months = 0;
  const y = Math.floor(months / 12);
  const m = months % 12;
  return ctx.locale === 'ja' ? `${y}歳${m}か月` : `${y} y ${m} mo`;
}

function invalid(errors: readonly FieldError[], field: string): SafeHtml | string {
  return errors.some((e) => e.field === field) ? html`aria-invalid="true"` : '';
}

function errorSummary(ctx: ViewContext, errors: readonly FieldError[]): SafeHtml {
  return messageBox('error', html`<p><strong>${say(ctx, '入力内容を確認してください。', 'Please check the input.')}</strong></p>
<ul>${errors.map((e) => html`<li><a href="#${e.field}">${ctx.locale === 'ja' ? e.ja : e.en}</a></li>`)}</ul>`);
}

function recordsNav(ctx: ViewContext, menu: RecordsMenu): SafeHtml {
  const item = (href: string, label: string): SafeHtml =>
    html`<li><a href="${href}" ${ctx.path === href ? html`aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav class="tabs" aria-label="${say(ctx, '接種記録メニュー', 'Records menu')}"><ul>
${item('/records', say(ctx, '接種記録トップ', 'Records'))}
${menu.canEnter ? item('/records/entry', say(ctx, '予診票の入力', 'Enter a dose')) : ''}
${menu.canConfirm ? item('/records/queue', say(ctx, '確認待ち一覧', 'Confirmation queue')) : ''}
</ul></nav>`;
}

export interface RecordsMenu {
  canEnter: boolean;
  canConfirm: boolean;
  canRead: boolean;
  canCorrect: boolean;
  canSearch: boolean;
}

// ---------------------------------------------------------------------------------------------
// Records home: links and a person search leading to the ledger

export interface PersonSearchValues {
  addressNumber: string;
  name: string;
  kana: string;
  birthDate: string;
  sex: string;
}

export function recordsHomePage(ctx: ViewContext, d: { menu: RecordsMenu; values: PersonSearchValues; results: PersonSummary[] | null; error?: string | null }): SafeHtml {
  const v = d.values;
  const links = html`<ul class="records-menu">
${d.menu.canEnter ? html`<li><a href="/records/entry">${say(ctx, '予診票の入力', 'Enter a dose from a 予診票')}</a>
  <span class="hint">${say(ctx, '返送された予診票から接種記録を仮登録します。', 'Record a dose from a returned screening form (provisional).')}</span></li>` : ''}
${d.menu.canConfirm ? html`<li><a href="/records/queue">${say(ctx, '確認待ち一覧（ダブルチェック）', 'Confirmation queue (second check)')}</a>
  <span class="hint">${say(ctx, '他の職員が入力・訂正した記録を確認して確定します。', 'Check and confirm what other staff entered or corrected.')}</span></li>` : ''}
</ul>`;
  const search = d.menu.canSearch
    ? html`<section aria-labelledby="ledger-search-heading">
<h2 id="ledger-search-heading">${say(ctx, '接種記録台帳の検索', 'Find a person’s ledger')}</h2>
<form method="get" action="/records" class="filter-form records-search" novalidate>
  <div class="filter-grid">
    <div><label for="s-addressNumber">${say(ctx, '宛名番号', 'Addressee number')}</label>
      <input id="s-addressNumber" name="addressNumber" type="text" inputmode="numeric" autocomplete="off" maxlength="20" value="${v.addressNumber}"></div>
    <div><label for="s-name">${say(ctx, '氏名', 'Name')}</label>
      <input id="s-name" name="name" type="text" autocomplete="off" maxlength="100" value="${v.name}"></div>
    <div><label for="s-kana">${say(ctx, '氏名カナ', 'Kana')}</label>
      <input id="s-kana" name="kana" type="text" autocomplete="off" maxlength="100" value="${v.kana}"></div>
    <div><label for="s-birthDate">${say(ctx, '生年月日', 'Birth date')}</label>
      <input id="s-birthDate" name="birthDate" type="date" value="${v.birthDate}"></div>
    <div><label for="s-sex">${say(ctx, '性別', 'Sex')}</label>
      <select id="s-sex" name="sex">
        <option value="">${say(ctx, '指定なし', 'Any')}</option>
        <option value="F" ${v.sex === 'F' ? html`selected` : ''}>${say(ctx, '女', 'Female')}</option>
        <option value="M" ${v.sex === 'M' ? html`selected` : ''}>${say(ctx, '男', 'Male')}</option>
      </select></div>
  </div>
  <div class="form-actions"><button type="submit">${say(ctx, '検索', 'Search')}</button></div>
</form>
${d.error ? messageBox('error', d.error) : ''}
${d.results ? personResults(ctx, d.results, (p) => (d.menu.canRead ? `/records/person/${p.id}` : `/records/entry?personId=${p.id}`)) : ''}
</section>`
    : '';
  return layout(ctx, ctx.t('navRecords'), html`${recordsNav(ctx, d.menu)}${links}${search}`);
}

function personResults(ctx: ViewContext, results: PersonSummary[], href: (p: PersonSummary) => string, caption?: string): SafeHtml {
  if (results.length === 0) return html`<p class="muted" role="status">${say(ctx, '該当する住民が見つかりません。', 'No matching resident.')}</p>`;
  return html`<div class="table-wrap"><table class="person-results">
${caption ? html`<caption>${caption}</caption>` : ''}
<thead><tr><th scope="col">${say(ctx, '氏名', 'Name')}</th><th scope="col">${say(ctx, '氏名カナ', 'Kana')}</th>
  <th scope="col">${say(ctx, '生年月日', 'Birth date')}</th><th scope="col">${say(ctx, '性別', 'Sex')}</th>
  <th scope="col">${say(ctx, '宛名番号', 'Addressee no.')}</th><th scope="col">${say(ctx, '住所', 'Address')}</th></tr></thead>
<tbody>${results.slice(0, 50).map((p) => html`<tr><th scope="row"><a href="${href(p)}">${p.name}</a></th><td>${p.name_kana}</td>
  <td class="nowrap">${p.birth_date}</td><td>${sexText(ctx, p.sex)}</td><td>${p.address_number}</td><td>${p.address}</td></tr>`)}</tbody>
</table></div>
${results.length > 50 ? html`<p class="hint">${say(ctx, '50件を超えました。条件を絞ってください。', 'More than 50 matches: narrow the search.')}</p>` : ''}`;
}

/** Who the dose is for: the facts a clerk compares with the 予診票 (never the My Number). */
function personCard(ctx: ViewContext, p: PersonSummary, today: string, extra?: HtmlValue): SafeHtml {
  return html`<div class="person-card" aria-label="${say(ctx, '対象者', 'Person')}">
<dl class="facts person-facts">
  <dt>${say(ctx, '氏名', 'Name')}</dt><dd><span class="person-name">${p.name}</span> <span class="muted">（${p.name_kana}）</span></dd>
  <dt>${say(ctx, '生年月日', 'Birth date')}</dt><dd>${p.birth_date} <span class="muted">${ageText(ctx, p.birth_date, today)}</span></dd>
  <dt>${say(ctx, '性別', 'Sex')}</dt><dd>${sexText(ctx, p.sex)}</dd>
  <dt>${say(ctx, '宛名番号', 'Addressee no.')}</dt><dd>${p.address_number}</dd>
  <dt>${say(ctx, '住所', 'Address')}</dt><dd>${p.address}</dd>
</dl>
${p.status !== 'resident' || p.merged_into ? messageBox('info', say(ctx, 'この方は現在、住民登録がありません（転出・死亡・統合など）。', 'This person is no longer a registered resident (moved out, died or merged).')) : ''}
${extra ?? ''}
</div>`;
}

// ---------------------------------------------------------------------------------------------
// Entry page

export interface FindValues {
  ticket: string;
  addressNumber: string;
  name: string;
  birthDate: string;
  sex: string;
  address: string;
}

export interface EntryValues {
  ticketNumber: string;
  vaccine: string;
  product: string;
  lot: string;
  dose: string;
  date: string;
  institutionCode: string;
  doctor: string;
  specialCircumstances: string;
  remarks: string;
}

export const EMPTY_FIND: FindValues = { ticket: '', addressNumber: '', name: '', birthDate: '', sex: '', address: '' };
export const EMPTY_ENTRY: EntryValues = {
  ticketNumber: '', vaccine: '', product: '', lot: '', dose: '', date: '', institutionCode: '', doctor: '', specialCircumstances: '', remarks: '',
};

export interface EntryPageData {
  menu: RecordsMenu;
  today: string;
  vaccines: VaccineOption[];
  find: FindValues;
  findMessage?: string | null;
  candidates?: PersonSummary[] | null;
  person: PersonSummary | null;
  ticketNote?: string | null;
  values: EntryValues;
  errors: FieldError[];
  error?: string | null;
  /** Set when a submitted dose is not routine: the page asks for explicit confirmation. */
  nonRoutine?: readonly string[] | null;
  saved?: { personId: string } | null;
}

export function entryPage(ctx: ViewContext, d: EntryPageData): SafeHtml {
  const savedBox = d.saved
    ? messageBox('success', html`<strong>${say(ctx, '仮登録しました（別の職員の確認が必要です）', 'Saved as provisional (another member of staff must confirm it)')}</strong>
${d.menu.canRead ? html` <a href="/records/person/${d.saved.personId}">${say(ctx, '台帳を開く', 'Open the ledger')}</a>` : ''}`)
    : '';
  return layout(
    ctx,
    say(ctx, '予診票の入力', 'Enter a dose'),
    html`${recordsNav(ctx, d.menu)}${savedBox}
<p class="lead">${say(ctx, '返送された予診票の接種券番号（または宛名番号・4情報）で対象者を呼び出し、接種内容を入力します。入力中に定期接種としての判定を表示します。登録は仮登録となり、別の職員の確認で確定します。',
      'Find the person by ticket number (or addressee number, or name, birth date, sex and address), then enter the dose. The schedule check runs as you type. Entries are provisional until another member of staff confirms them.')}</p>
${findSection(ctx, d)}
${d.person ? entrySection(ctx, d, d.person) : ''}`,
  );
}

function findSection(ctx: ViewContext, d: EntryPageData): SafeHtml {
  const f = d.find;
  const focusFind = d.person === null;
  return html`<section class="entry-step" aria-labelledby="find-heading">
<h2 id="find-heading"><span class="step-no">1</span>${say(ctx, '対象者の呼び出し', 'Find the person')}</h2>
${d.person
    ? personCard(ctx, d.person, d.today, html`<p class="person-card-actions"><a href="/records/entry">${say(ctx, '別の対象者を呼び出す', 'Find another person')}</a>
${d.menu.canRead ? html` ・ <a href="/records/person/${d.person.id}">${say(ctx, '接種記録台帳', 'Ledger')}</a>` : ''}</p>
${d.ticketNote ? html`<p class="hint">${d.ticketNote}</p>` : ''}`)
    : html`<form method="get" action="/records/entry" class="find-form" novalidate>
  <div class="find-primary">
    <div><label for="ticket">${say(ctx, '接種券番号', 'Ticket number')} <span class="hint">${say(ctx, '10桁', '10 digits')}</span></label>
      <input id="ticket" name="ticket" type="text" inputmode="numeric" autocomplete="off" maxlength="13" value="${f.ticket}" ${focusFind ? html`autofocus` : ''} accesskey="t"></div>
    <div><label for="addressNumber">${say(ctx, '宛名番号', 'Addressee number')}</label>
      <input id="addressNumber" name="addressNumber" type="text" inputmode="numeric" autocomplete="off" maxlength="20" value="${f.addressNumber}"></div>
  </div>
  <fieldset class="find-facts">
    <legend>${say(ctx, '4情報で検索（接種券番号がない場合）', 'Or by name, birth date, sex and address')}</legend>
    <div class="filter-grid">
      <div><label for="name">${say(ctx, '氏名', 'Name')}</label>
        <input id="name" name="name" type="text" autocomplete="off" maxlength="100" value="${f.name}"></div>
      <div><label for="birthDate">${say(ctx, '生年月日', 'Birth date')}</label>
        <input id="birthDate" name="birthDate" type="date" value="${f.birthDate}"></div>
      <div><label for="sex">${say(ctx, '性別', 'Sex')}</label>
        <select id="sex" name="sex">
          <option value="">${say(ctx, '指定なし', 'Any')}</option>
          <option value="F" ${f.sex === 'F' ? html`selected` : ''}>${say(ctx, '女', 'Female')}</option>
          <option value="M" ${f.sex === 'M' ? html`selected` : ''}>${say(ctx, '男', 'Male')}</option>
        </select></div>
      <div><label for="address">${say(ctx, '住所', 'Address')}</label>
        <input id="address" name="address" type="text" autocomplete="off" maxlength="200" value="${f.address}"></div>
    </div>
  </fieldset>
  <div class="form-actions"><button type="submit">${say(ctx, '呼び出す', 'Find')}</button>
    <span class="hint">${say(ctx, 'Enter キーで呼び出します。', 'Press Enter to search.')}</span></div>
</form>
${d.findMessage ? messageBox('error', d.findMessage) : ''}
${d.candidates ? personResults(ctx, d.candidates, (p) => `/records/entry?personId=${p.id}`, say(ctx, '候補から対象者を選んでください', 'Choose the person')) : ''}`}
</section>`;
}

function entrySection(ctx: ViewContext, d: EntryPageData, person: PersonSummary): SafeHtml {
  const v = d.values;
  const e = d.errors;
  // Focus: the first field with an error, the confirmation box, or the first empty field.
  const focus = d.nonRoutine?.length
    ? 'acceptNonRoutine'
    : (e[0]?.field ?? (v.vaccine === '' ? 'vaccine' : v.dose === '' ? 'dose' : 'date'));
  const af = (field: string): SafeHtml | string => (focus === field ? html`autofocus` : '');
  const headers = JSON.stringify({ 'x-csrf-token': ctx.csrfToken });
  return html`<section class="entry-step" aria-labelledby="entry-heading">
<h2 id="entry-heading"><span class="step-no">2</span>${say(ctx, '接種内容の入力', 'The dose')}</h2>
${e.length ? errorSummary(ctx, e) : ''}
${d.error ? messageBox('error', d.error) : ''}
<form method="post" action="/records/entry" class="entry-form" novalidate
  hx-post="/records/entry/check" hx-trigger="change delay:300ms" hx-target="#entry-check" hx-swap="innerHTML" hx-sync="this:replace"
  hx-headers="${headers}">
  ${csrfField(ctx)}
  <input type="hidden" name="personId" value="${person.id}">
  <div class="entry-grid">
    <div class="span-2"><label for="vaccine">${say(ctx, 'ワクチン', 'Vaccine')} <span class="req">${say(ctx, '必須', 'required')}</span></label>
      <select id="vaccine" name="vaccine" required ${invalid(e, 'vaccine')} ${af('vaccine')} accesskey="v">
        <option value="">${say(ctx, '選択してください', 'Choose')}</option>
        ${d.vaccines.map((vc) => html`<option value="${vc.id}" ${v.vaccine === vc.id ? html`selected` : ''}>${vaccineName(vc.id, d.vaccines, ctx.locale === 'ja')}（${vc.id}）</option>`)}
      </select></div>
    <div><label for="dose">${say(ctx, '回数', 'Dose number')} <span class="req">${say(ctx, '必須', 'required')}</span></label>
      <input id="dose" name="dose" type="text" inputmode="numeric" pattern="[0-9]*" maxlength="2" autocomplete="off" required value="${v.dose}" ${invalid(e, 'dose')} ${af('dose')}></div>
    <div><label for="date">${say(ctx, '接種日', 'Date given')} <span class="req">${say(ctx, '必須', 'required')}</span></label>
      <input id="date" name="date" type="date" max="${d.today}" required value="${v.date}" ${invalid(e, 'date')} ${af('date')}></div>

    <div class="span-2"><label for="product">${say(ctx, '製品名', 'Product')} <span class="hint">${say(ctx, '任意', 'optional')}</span></label>
      <input id="product" name="product" type="text" list="product-list" autocomplete="off" maxlength="200" value="${v.product}" ${invalid(e, 'product')} ${af('product')}>
      <datalist id="product-list">${d.vaccines.flatMap((vc) => vc.products.map((p) => html`<option value="${p.id}">${p.name}</option>`))}</datalist></div>
    <div><label for="lot">${say(ctx, 'ロット番号', 'Lot number')}</label>
      <input id="lot" name="lot" type="text" autocomplete="off" maxlength="20" spellcheck="false" value="${v.lot}" ${invalid(e, 'lot')} ${af('lot')}></div>
    <div><label for="ticketNumber">${say(ctx, '接種券番号', 'Ticket number')}</label>
      <input id="ticketNumber" name="ticketNumber" type="text" inputmode="numeric" autocomplete="off" maxlength="13" value="${v.ticketNumber}" ${invalid(e, 'ticketNumber')} ${af('ticketNumber')}></div>

    <div><label for="institutionCode">${say(ctx, '医療機関コード', 'Institution code')}</label>
      <input id="institutionCode" name="institutionCode" type="text" inputmode="numeric" autocomplete="off" maxlength="10" value="${v.institutionCode}" ${invalid(e, 'institutionCode')} ${af('institutionCode')}></div>
    <div class="span-2"><label for="doctor">${say(ctx, '医師名', 'Doctor')}</label>
      <input id="doctor" name="doctor" type="text" autocomplete="off" maxlength="100" value="${v.doctor}" ${invalid(e, 'doctor')} ${af('doctor')}></div>
    <div></div>

    <div class="span-2"><label for="specialCircumstances">${say(ctx, '特別の事情', 'Special circumstances')} <span class="hint">${say(ctx, '長期療養など', 'e.g. long-term illness')}</span></label>
      <input id="specialCircumstances" name="specialCircumstances" type="text" autocomplete="off" maxlength="500" value="${v.specialCircumstances}" ${invalid(e, 'specialCircumstances')} ${af('specialCircumstances')}></div>
    <div class="span-2"><label for="remarks">${say(ctx, '備考', 'Remarks')}</label>
      <input id="remarks" name="remarks" type="text" autocomplete="off" maxlength="500" value="${v.remarks}" ${invalid(e, 'remarks')} ${af('remarks')}></div>
  </div>
  <div id="entry-check" class="entry-check" aria-live="polite">${d.nonRoutine?.length ? checkFragment(ctx, { kind: 'problems', problems: d.nonRoutine }) : checkFragment(ctx, { kind: 'idle' })}</div>
  ${d.nonRoutine?.length
    ? html`<div class="confirm-box">
  <input id="acceptNonRoutine" name="acceptNonRoutine" type="checkbox" value="1" ${af('acceptNonRoutine')}>
  <label for="acceptNonRoutine">${say(ctx, '定期接種の要件を満たさないことを確認したうえで登録する', 'I have checked that this is not a routine dose; record it anyway')}</label>
</div>`
    : ''}
  <div class="form-actions">
    <button type="submit" accesskey="s">${say(ctx, '仮登録する', 'Save (provisional)')}</button>
    <a class="button secondary" href="/records/entry?personId=${person.id}">${say(ctx, '入力をクリア', 'Clear')}</a>
    <span class="hint">${say(ctx, 'Enter キーで登録します。', 'Press Enter to save.')}</span>
  </div>
</form>
</section>`;
}

export type CheckOutcome =
  | { kind: 'idle' }
  | { kind: 'ok' }
  | { kind: 'problems'; problems: readonly string[] }
  | { kind: 'error'; message: string };

/** The schedule check's verdict (the htmx target's content, and the no-JavaScript re-render). */
export function checkFragment(ctx: ViewContext, o: CheckOutcome): SafeHtml {
  switch (o.kind) {
    case 'idle':
      return html`<p class="check-idle">${say(ctx, 'ワクチン・回数・接種日を入力すると、定期接種としての判定をここに表示します。', 'Enter the vaccine, dose number and date to see whether it counts as a routine dose.')}</p>`;
    case 'ok':
      return html`<p class="check-ok"><span class="dose-ok">${say(ctx, '定期接種として有効', 'Counts as a routine dose')}</span></p>`;
    case 'problems':
      return html`<div class="check-bad"><p><span class="dose-bad">${say(ctx, '定期接種に該当しません', 'Not a routine dose')}</span></p>${problemList(ctx, o.problems)}</div>`;
    case 'error':
      return html`<p class="check-error">${o.message}</p>`;
  }
}

// ---------------------------------------------------------------------------------------------
// Confirmation queue

export type QueueRow = DoseVersionView & { dose_id: string; person_id: string; name: string; address_number: string };

export function queuePage(ctx: ViewContext, d: { menu: RecordsMenu; rows: QueueRow[]; vaccines: VaccineOption[]; currentUserId: string; done?: string | null; error?: string | null }): SafeHtml {
  const ja = ctx.locale === 'ja';
  const body = d.rows.length === 0
    ? html`<p class="muted">${say(ctx, '確認待ちの記録はありません。', 'Nothing is waiting for confirmation.')}</p>`
    : html`<div class="table-wrap"><table class="queue-table">
<caption class="visually-hidden">${say(ctx, '確認待ちの接種記録', 'Records waiting for confirmation')}</caption>
<thead><tr><th scope="col">${say(ctx, '対象者', 'Person')}</th><th scope="col">${say(ctx, 'ワクチン', 'Vaccine')}</th>
  <th scope="col">${say(ctx, '回', 'Dose')}</th><th scope="col">${say(ctx, '接種日', 'Date')}</th>
  <th scope="col">${say(ctx, '区分', 'Change')}</th><th scope="col">${say(ctx, '判定', 'Check')}</th>
  <th scope="col">${say(ctx, '理由', 'Reason')}</th><th scope="col">${say(ctx, '入力者', 'Entered by')}</th>
  <th scope="col"><span class="visually-hidden">${say(ctx, '操作', 'Action')}</span></th></tr></thead>
<tbody>${d.rows.map((r) => {
      const own = r.entered_by === d.currentUserId;
      return html`<tr data-dose="${r.dose_id}">
  <th scope="row">${d.menu.canRead ? html`<a href="/records/person/${r.person_id}">${r.name}</a>` : r.name}<br><span class="hint">${say(ctx, '宛名番号', 'No.')} ${r.address_number}</span></th>
  <td>${vaccineName(r.vaccine_id, d.vaccines, ja)}</td>
  <td class="nowrap">${ja ? `第${r.dose_number}回` : r.dose_number}</td>
  <td class="nowrap">${r.administered_on}</td>
  <td><span class="change-badge change-${r.change}">${bi(ctx, CHANGE_TEXT[r.change] ?? { ja: r.change, en: r.change })}</span></td>
  <td>${r.routine ? html`<span class="dose-ok">${say(ctx, '定期', 'Routine')}</span>` : html`<span class="dose-bad">${say(ctx, '定期外', 'Not routine')}</span>${problemList(ctx, r.problems)}`}</td>
  <td>${r.reason ?? ''}</td>
  <td>${r.entered_by_name ?? r.entered_by}<br><span class="hint nowrap">${jst(r.entered_at)}</span></td>
  <td><form method="post" action="/records/queue/${r.dose_id}/confirm" class="inline">${csrfField(ctx)}
    <button type="submit" ${own ? html`class="secondary"` : ''} aria-label="${say(ctx, `${r.name} の${bi(ctx, CHANGE_TEXT[r.change] ?? { ja: '', en: '' })}を確認して確定`, `Confirm the ${r.change} for ${r.name}`)}">${say(ctx, '確認して確定', 'Confirm')}</button></form>
    ${own ? html`<br><span class="hint">${say(ctx, '自分の入力', 'Your own entry')}</span>` : ''}</td>
</tr>`;
    })}</tbody></table></div>`;
  return layout(
    ctx,
    say(ctx, '確認待ち一覧', 'Confirmation queue'),
    html`${recordsNav(ctx, d.menu)}
${d.done === 'confirmed' ? messageBox('success', say(ctx, '確定しました。', 'Confirmed.')) : ''}
${d.error ? messageBox('error', d.error) : ''}
<p>${say(ctx, '入力・訂正・削除は、入力した職員とは別の職員が予診票と照合して確定します（ダブルチェック）。自分で入力した記録は確定できません。',
      'Entries, corrections and deletions take effect when a different member of staff checks them against the form. You cannot confirm your own entry.')}</p>
${body}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Ledger

export interface LedgerPageData {
  menu: RecordsMenu;
  today: string;
  person: PersonSummary;
  doses: DoseView[];
  outcome: ScheduleOutcome;
  vaccines: VaccineOption[];
  done?: string | null;
}

/** The version in force: the newest confirmed one (a provisional dose has only its pending version). */
export function currentVersion(d: DoseView): DoseVersionView | undefined {
  return d.versions.find((v) => v.confirmed_at !== null && v.confirmed_at !== undefined) ?? d.versions[0];
}

const DONE_TEXT: Record<string, Bi> = {
  corrected: { ja: '訂正を登録しました（別の職員の確認が必要です）', en: 'Correction saved (another member of staff must confirm it)' },
  deleted: { ja: '削除を登録しました（別の職員の確認が必要です）', en: 'Deletion saved (another member of staff must confirm it)' },
};

export function ledgerPage(ctx: ViewContext, d: LedgerPageData): SafeHtml {
  const ja = ctx.locale === 'ja';
  const p = d.person;
  const done = d.done ? DONE_TEXT[d.done] : undefined;
  return layout(
    ctx,
    say(ctx, `接種記録台帳: ${p.name}`, `Vaccination ledger: ${p.name}`),
    html`${recordsNav(ctx, d.menu)}
${done ? messageBox('success', bi(ctx, done)) : ''}
${personCard(ctx, p, d.today, d.menu.canEnter ? html`<p class="person-card-actions"><a class="button" href="/records/entry?personId=${p.id}">${say(ctx, 'この方の接種を入力', 'Enter a dose for this person')}</a></p>` : '')}
<section aria-labelledby="history-heading">
<h2 id="history-heading">${say(ctx, '接種履歴', 'Vaccination history')}</h2>
${d.doses.length === 0
      ? html`<p class="muted">${say(ctx, '接種記録はありません。', 'No doses recorded.')}</p>`
      : html`<div class="table-wrap"><table class="ledger-table">
<thead><tr><th scope="col">${say(ctx, '接種日', 'Date')}</th><th scope="col">${say(ctx, 'ワクチン', 'Vaccine')}</th>
  <th scope="col">${say(ctx, '回', 'Dose')}</th><th scope="col">${say(ctx, '製品・ロット', 'Product / lot')}</th>
  <th scope="col">${say(ctx, '医療機関', 'Institution')}</th><th scope="col">${say(ctx, '判定', 'Check')}</th>
  <th scope="col">${say(ctx, '状態', 'Status')}</th><th scope="col"><span class="visually-hidden">${say(ctx, '操作', 'Actions')}</span></th></tr></thead>
${d.doses.map((dose) => ledgerRows(ctx, d, dose))}
</table></div>`}
</section>
<section aria-labelledby="forecast-heading">
<h2 id="forecast-heading">${say(ctx, `${d.outcome.json.asOf} 時点の接種スケジュール`, `Schedule as of ${d.outcome.json.asOf}`)}</h2>
<p class="hint">${say(ctx, '確定済みの接種記録から計算しています（仮登録・確認待ちの変更は含みません）。', 'Computed from confirmed doses only (provisional entries and pending changes are not counted).')}</p>
${timeline(ctx, d.outcome, d.vaccines)}
<h3 id="next-heading">${ja ? '次の接種' : 'Next doses'}</h3>
${nextTable(ctx, d.outcome, d.vaccines)}
</section>`,
  );
}

function ledgerRows(ctx: ViewContext, d: LedgerPageData, dose: DoseView): SafeHtml {
  const ja = ctx.locale === 'ja';
  const cur = currentVersion(dose);
  if (!cur) return html``;
  const pendingVersion = dose.pending ? dose.versions[0] : undefined;
  const canChange = d.menu.canCorrect && dose.status === 'confirmed' && !dose.pending;
  const base = `/records/person/${d.person.id}/dose/${dose.id}`;
  return html`<tbody class="dose-group dose-${dose.status}" data-dose="${dose.id}">
<tr>
  <td class="nowrap">${cur.administered_on}</td>
  <th scope="row">${vaccineName(cur.vaccine_id, d.vaccines, ja)}</th>
  <td class="nowrap">${ja ? `第${cur.dose_number}回` : cur.dose_number}</td>
  <td>${cur.product_name ?? cur.schedule_product ?? '—'}${cur.lot_number ? html`<br><span class="hint">${say(ctx, 'ロット', 'Lot')} ${cur.lot_number}</span>` : ''}</td>
  <td>${cur.institution_code ?? '—'}${cur.doctor_name ? html`<br><span class="hint">${cur.doctor_name}</span>` : ''}</td>
  <td>${cur.routine ? html`<span class="dose-ok">${say(ctx, '定期', 'Routine')}</span>` : html`<span class="dose-bad">${say(ctx, '定期外', 'Not routine')}</span>${problemList(ctx, cur.problems)}`}</td>
  <td><span class="record-status status-${dose.status}">${bi(ctx, STATUS_TEXT[dose.status])}</span>
    ${pendingVersion && dose.status !== 'provisional'
      ? html`<br><span class="pending-note">${say(ctx, `確認待ち（${bi(ctx, CHANGE_TEXT[pendingVersion.change] ?? { ja: '', en: '' })}）`, `Pending ${pendingVersion.change}`)}</span>`
      : ''}</td>
  <td class="nowrap">${canChange
      ? html`<a href="${base}/correct">${say(ctx, '訂正', 'Correct')}</a> ・ <a href="${base}/delete">${say(ctx, '削除', 'Delete')}</a>`
      : ''}</td>
</tr>
<tr class="versions-row"><td colspan="8">
<details><summary>${say(ctx, `変更履歴（${dose.versions.length}版）`, `History (${dose.versions.length} versions)`)}</summary>
${versionsTable(ctx, d.vaccines, dose.versions)}
</details></td></tr>
</tbody>`;
}

function versionsTable(ctx: ViewContext, vaccines: VaccineOption[], versions: DoseVersionView[]): SafeHtml {
  const ja = ctx.locale === 'ja';
  return html`<table class="versions-table">
<thead><tr><th scope="col">${say(ctx, '版', 'Ver.')}</th><th scope="col">${say(ctx, '区分', 'Change')}</th>
  <th scope="col">${say(ctx, '内容', 'Facts')}</th><th scope="col">${say(ctx, '理由', 'Reason')}</th>
  <th scope="col">${say(ctx, '入力', 'Entered')}</th><th scope="col">${say(ctx, '確認', 'Confirmed')}</th></tr></thead>
<tbody>${versions.map((v) => html`<tr data-version="${v.version}">
  <th scope="row">${v.version}</th>
  <td>${bi(ctx, CHANGE_TEXT[v.change] ?? { ja: v.change, en: v.change })}</td>
  <td><span class="nowrap">${v.administered_on}</span> ${vaccineName(v.vaccine_id, vaccines, ja)} ${ja ? `第${v.dose_number}回` : `dose ${v.dose_number}`}
    ${v.product_name ?? v.schedule_product ? html`<br><span class="hint">${say(ctx, '製品', 'Product')}: ${v.product_name ?? v.schedule_product}${v.lot_number ? ` / ${say(ctx, 'ロット', 'lot')} ${v.lot_number}` : ''}</span>` : ''}
    ${v.institution_code ? html`<br><span class="hint">${say(ctx, '医療機関', 'Institution')}: ${v.institution_code}${v.doctor_name ? ` / ${v.doctor_name}` : ''}</span>` : ''}
    ${v.ticket_number ? html`<br><span class="hint">${say(ctx, '接種券', 'Ticket')}: ${v.ticket_number}</span>` : ''}
    ${v.special_circumstances ? html`<br><span class="hint">${say(ctx, '特別の事情', 'Special')}: ${v.special_circumstances}</span>` : ''}
    ${v.remarks ? html`<br><span class="hint">${say(ctx, '備考', 'Remarks')}: ${v.remarks}</span>` : ''}
    ${v.routine ? '' : html`<br><span class="dose-bad">${say(ctx, '定期外', 'Not routine')}</span> ${v.problems.map((p) => problemText(ctx, p)).join('、')}`}</td>
  <td>${v.reason ?? '—'}</td>
  <td>${v.entered_by_name ?? v.entered_by}<br><span class="hint nowrap">${jst(v.entered_at)}</span></td>
  <td>${v.confirmed_by ? html`${v.confirmed_by_name ?? v.confirmed_by}<br><span class="hint nowrap">${jst(v.confirmed_at)}</span>` : html`<span class="pending-note">${say(ctx, '確認待ち', 'Waiting')}</span>`}</td>
</tr>`)}</tbody></table>`;
}

// ---------------------------------------------------------------------------------------------
// Correction and deletion

export interface ChangePageData {
  menu: RecordsMenu;
  today: string;
  person: PersonSummary;
  dose: DoseView;
  vaccines: VaccineOption[];
  values: EntryValues;
  reason: string;
  errors: FieldError[];
  error?: string | null;
}

export function correctPage(ctx: ViewContext, d: ChangePageData): SafeHtml {
  const v = d.values;
  const e = d.errors;
  const action = `/records/person/${d.person.id}/dose/${d.dose.id}/correct`;
  const focus = e[0]?.field ?? 'date';
  const af = (field: string): SafeHtml | string => (focus === field ? html`autofocus` : '');
  return layout(
    ctx,
    say(ctx, '接種記録の訂正', 'Correct a dose'),
    html`${recordsNav(ctx, d.menu)}
${personCard(ctx, d.person, d.today)}
${e.length ? errorSummary(ctx, e) : ''}
${d.error ? messageBox('error', d.error) : ''}
<p>${say(ctx, '訂正は新しい版として登録され、別の職員が確認すると有効になります。元の記録は変更されずに残ります。', 'A correction is saved as a new version and takes effect once another member of staff confirms it. The earlier version is kept.')}</p>
<form method="post" action="${action}" class="entry-form" novalidate>
  ${csrfField(ctx)}
  <div class="entry-grid">
    <div class="span-2"><label for="vaccine">${say(ctx, 'ワクチン', 'Vaccine')} <span class="req">${say(ctx, '必須', 'required')}</span></label>
      <select id="vaccine" name="vaccine" required ${invalid(e, 'vaccine')} ${af('vaccine')}>
        ${d.vaccines.map((vc) => html`<option value="${vc.id}" ${v.vaccine === vc.id ? html`selected` : ''}>${vaccineName(vc.id, d.vaccines, ctx.locale === 'ja')}（${vc.id}）</option>`)}
      </select></div>
    <div><label for="dose">${say(ctx, '回数', 'Dose number')} <span class="req">${say(ctx, '必須', 'required')}</span></label>
      <input id="dose" name="dose" type="text" inputmode="numeric" maxlength="2" autocomplete="off" required value="${v.dose}" ${invalid(e, 'dose')} ${af('dose')}></div>
    <div><label for="date">${say(ctx, '接種日', 'Date given')} <span class="req">${say(ctx, '必須', 'required')}</span></label>
      <input id="date" name="date" type="date" max="${d.today}" required value="${v.date}" ${invalid(e, 'date')} ${af('date')}></div>
    <div class="span-2"><label for="product">${say(ctx, '製品名', 'Product')}</label>
      <input id="product" name="product" type="text" list="product-list" autocomplete="off" maxlength="200" value="${v.product}" ${invalid(e, 'product')}>
      <datalist id="product-list">${d.vaccines.flatMap((vc) => vc.products.map((p) => html`<option value="${p.id}">${p.name}</option>`))}</datalist></div>
    <div><label for="lot">${say(ctx, 'ロット番号', 'Lot number')}</label>
      <input id="lot" name="lot" type="text" autocomplete="off" maxlength="20" value="${v.lot}"></div>
    <div><label for="ticketNumber">${say(ctx, '接種券番号', 'Ticket number')}</label>
      <input id="ticketNumber" name="ticketNumber" type="text" inputmode="numeric" autocomplete="off" maxlength="13" value="${v.ticketNumber}"></div>
    <div><label for="institutionCode">${say(ctx, '医療機関コード', 'Institution code')}</label>
      <input id="institutionCode" name="institutionCode" type="text" inputmode="numeric" autocomplete="off" maxlength="10" value="${v.institutionCode}"></div>
    <div class="span-2"><label for="doctor">${say(ctx, '医師名', 'Doctor')}</label>
      <input id="doctor" name="doctor" type="text" autocomplete="off" maxlength="100" value="${v.doctor}"></div>
    <div></div>
    <div class="span-2"><label for="specialCircumstances">${say(ctx, '特別の事情', 'Special circumstances')}</label>
      <input id="specialCircumstances" name="specialCircumstances" type="text" autocomplete="off" maxlength="500" value="${v.specialCircumstances}"></div>
    <div class="span-2"><label for="remarks">${say(ctx, '備考', 'Remarks')}</label>
      <input id="remarks" name="remarks" type="text" autocomplete="off" maxlength="500" value="${v.remarks}"></div>
    <div class="span-4"><label for="reason">${say(ctx, '訂正の理由', 'Reason for the correction')} <span class="req">${say(ctx, '必須', 'required')}</span></label>
      <input id="reason" name="reason" type="text" autocomplete="off" maxlength="300" required value="${d.reason}" ${invalid(e, 'reason')} ${af('reason')}></div>
  </div>
  <div class="form-actions"><button type="submit">${say(ctx, '訂正を登録する', 'Save the correction')}</button>
    <a class="button secondary" href="/records/person/${d.person.id}">${say(ctx, 'キャンセル', 'Cancel')}</a></div>
</form>`,
  );
}

export function deletePage(ctx: ViewContext, d: ChangePageData): SafeHtml {
  const cur = currentVersion(d.dose);
  const ja = ctx.locale === 'ja';
  return layout(
    ctx,
    say(ctx, '接種記録の削除', 'Delete a dose'),
    html`${recordsNav(ctx, d.menu)}
${personCard(ctx, d.person, d.today)}
${d.errors.length ? errorSummary(ctx, d.errors) : ''}
${d.error ? messageBox('error', d.error) : ''}
${cur ? html`<p>${say(ctx, '削除する記録', 'Record to delete')}: <strong>${cur.administered_on} ${vaccineName(cur.vaccine_id, d.vaccines, ja)} ${ja ? `第${cur.dose_number}回` : `dose ${cur.dose_number}`}</strong></p>` : ''}
<p>${say(ctx, '削除は新しい版として登録され、別の職員が確認すると有効になります。記録そのものと履歴は残ります。', 'A deletion is saved as a new version and takes effect once another member of staff confirms it. The record and its history are kept.')}</p>
<form method="post" action="/records/person/${d.person.id}/dose/${d.dose.id}/delete" class="stack" novalidate>
  ${csrfField(ctx)}
  <div><label for="reason">${say(ctx, '削除の理由', 'Reason for the deletion')} <span class="req">${say(ctx, '必須', 'required')}</span></label>
    <input id="reason" name="reason" type="text" autocomplete="off" maxlength="300" required value="${d.reason}" ${invalid(d.errors, 'reason')} autofocus></div>
  <div class="form-actions"><button type="submit" class="danger">${say(ctx, '削除を登録する', 'Save the deletion')}</button>
    <a class="button secondary" href="/records/person/${d.person.id}">${say(ctx, 'キャンセル', 'Cancel')}</a></div>
</form>`,
  );
}
