// Venue mode pages (会場モード) for a 1024×768 tablet: a page of their own with no menu, one big
// input for the ticket's OCR line, large touch targets, Japanese only. They show the ticket
// number, the name and the time — nothing else about a person. control: AC-07, AC-11
import type { VenueOptions, VenueRecord, VenueSession } from '../../modules/records/venue.ts';
import type { HtmlValue, SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { ViewContext } from '../view-context.ts';

const timeOf = (d: Date): string => d.toLocaleTimeString('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' });

function venueLayout(ctx: ViewContext, title: string, body: HtmlValue): SafeHtml {
  return html`<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} | sesshu 会場モード</title>
<link rel="stylesheet" href="/assets/tokens.css">
<link rel="stylesheet" href="/assets/app.css">
</head>
<body class="venue">
<header class="site-header venue-header">
  <span class="brand">予防接種台帳 sesshu・会場モード</span>
  <div class="header-tools">
    ${ctx.user ? html`<span class="who">${ctx.user.displayName}（${ctx.user.municipalityName}）</span>` : ''}
    ${ctx.user
      ? html`<form method="post" action="/logout" class="inline">
          <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
          <button type="submit" class="button secondary venue-touch">ログアウト</button></form>`
      : ''}
  </div>
</header>
<main id="content" class="venue-main" tabindex="-1">
${body}
</main>
</body>
</html>`;
}

export interface VenuePageData {
  session: VenueSession;
  records: VenueRecord[];
  outcome?: { kind: 'ok'; ticketNumber: string; name: string } | { kind: 'error'; message: string } | undefined;
}

export function venuePage(ctx: ViewContext, data: VenuePageData): SafeHtml {
  const { session, records, outcome } = data;
  return venueLayout(
    ctx,
    '会場受付',
    html`<div class="venue-presets" aria-label="この会場の設定">
      <span><span class="venue-label">会場</span> ${session.institutionName}</span>
      <span><span class="venue-label">ワクチン</span> ${session.vaccineName}（${session.product}）</span>
      <span><span class="venue-label">ロット</span> ${session.lot}</span>
      <span><span class="venue-label">医師</span> ${session.doctor}</span>
      <a class="button secondary venue-touch" href="/venue/session">設定を変更</a>
    </div>
    ${outcome?.kind === 'ok'
      ? html`<div class="venue-result ok" role="status">
          <p class="venue-result-title">登録しました</p>
          <p class="venue-ticket">接種券番号 <strong id="venue-ticket">${outcome.ticketNumber}</strong></p>
          <p class="venue-name" id="venue-name">${outcome.name} 様</p>
        </div>`
      : ''}
    ${outcome?.kind === 'error'
      ? html`<div class="venue-result error" role="alert"><p class="venue-result-title">登録できません</p><p class="venue-error" id="venue-error">${outcome.message}</p></div>`
      : ''}
    <form method="post" action="/venue" class="venue-scan" autocomplete="off">
      <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
      <label for="ocr">接種券のOCR行（18桁）を読み取るか入力してください</label>
      <div class="venue-scan-row">
        <input type="text" id="ocr" name="ocr" inputmode="numeric" autocomplete="off" maxlength="40" autofocus required
          aria-describedby="ocr-hint" class="venue-input">
        <button type="submit" class="venue-touch venue-submit">登録</button>
      </div>
      <p id="ocr-hint" class="hint">QRコードリーダーでも読み取れます。ワクチン・ロット・会場・医師・接種日（本日）は上の設定で登録されます。</p>
    </form>
    <section class="venue-today" aria-labelledby="venue-today-title">
      <h2 id="venue-today-title">本日のこの会場の接種 <span class="venue-count" id="venue-count">${records.length}</span> 件</h2>
      ${records.length === 0
        ? html`<p class="muted">本日の記録はまだありません。</p>`
        : html`<table class="venue-list">
            <thead><tr><th scope="col">時刻</th><th scope="col">接種券番号</th><th scope="col">氏名</th></tr></thead>
            <tbody>${records.map((r) => html`<tr><td>${timeOf(r.enteredAt)}</td><td>${r.ticketNumber ?? '—'}</td><td>${r.name}</td></tr>`)}</tbody>
          </table>`}
    </section>`,
  );
}

export interface VenueSessionPageData {
  options: VenueOptions;
  current: VenueSession | null;
  values?: { vaccine: string; product: string; lot: string; institutionCode: string; doctor: string } | undefined;
  error?: string | undefined;
}

export function venueSessionPage(ctx: ViewContext, data: VenueSessionPageData): SafeHtml {
  const { options, current } = data;
  const v = data.values ?? (current ? { vaccine: current.vaccine, product: current.product, lot: current.lot, institutionCode: current.institutionCode, doctor: current.doctor } : { vaccine: '', product: '', lot: '', institutionCode: '', doctor: '' });
  const vaccineName = new Map(options.vaccines.map((x) => [x.id, x.name]));
  const sel = (a: string, b: string): SafeHtml | '' => (a === b ? html`selected` : '');
  const noVenue = options.venues.length === 0;
  return venueLayout(
    ctx,
    '会場の設定',
    html`<h1>会場の設定</h1>
    <p>この端末でのサインイン中、接種券以外の項目はここで設定した内容で登録されます。</p>
    ${data.error ? html`<div class="venue-result error" role="alert"><p class="venue-error">${data.error}</p></div>` : ''}
    ${noVenue ? html`<div class="message error" role="alert">会場（会場フラグのある医療機関）が登録されていません。保健センターに連絡してください。</div>` : ''}
    <form method="post" action="/venue/session" class="venue-session-form">
      <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
      <div><label for="vaccine">ワクチン</label>
        <select id="vaccine" name="vaccine" required class="venue-field">
          <option value="">選択してください</option>
          ${options.vaccines.map((x) => html`<option value="${x.id}" ${sel(x.id, v.vaccine)}>${x.name}</option>`)}
        </select></div>
      <div><label for="product">製品名</label>
        <select id="product" name="product" required class="venue-field">
          <option value="">選択してください</option>
          ${options.products.map((p) => html`<option value="${p.name}" ${sel(p.name, v.product)}>${p.name}（${vaccineName.get(p.vaccineId) ?? p.vaccineId}${p.maker ? `・${p.maker}` : ''}）</option>`)}
        </select></div>
      <div><label for="lot">ロット番号</label>
        <input type="text" id="lot" name="lot" value="${v.lot}" required maxlength="20" list="lot-list" autocomplete="off" class="venue-field">
        <datalist id="lot-list">${options.lots.map((l) => html`<option value="${l.lotNumber}">${l.productName}</option>`)}</datalist></div>
      <div><label for="institutionCode">会場</label>
        <select id="institutionCode" name="institutionCode" required class="venue-field">
          <option value="">選択してください</option>
          ${options.venues.map((x) => html`<option value="${x.code}" ${sel(x.code, v.institutionCode)}>${x.name}（${x.code}）</option>`)}
        </select></div>
      <div><label for="doctor">医師名</label>
        <input type="text" id="doctor" name="doctor" value="${v.doctor}" required maxlength="100" list="doctor-list" autocomplete="off" class="venue-field">
        <datalist id="doctor-list">${options.doctors.map((d) => html`<option value="${d.name}"></option>`)}</datalist></div>
      <div class="venue-actions">
        <button type="submit" class="venue-touch venue-submit">この設定で開始</button>
        ${current ? html`<a class="button secondary venue-touch" href="/venue">受付に戻る</a>` : ''}
      </div>
    </form>`,
  );
}
