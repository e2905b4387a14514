// Security keys and passkeys: the parts of the second-factor pages that offer a key, and the
// signed-in user's key list. The script is a same-origin file (strict CSP). control: AUTH-02
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { ViewContext } from '../view-context.ts';
import type { SecurityKey } from '../../security/webauthn.ts';
import { layout, messageBox } from './layout.ts';

const scripts = (): SafeHtml =>
  html`<script src="/assets/simplewebauthn-browser.js" defer></script><script src="/assets/webauthn.js" defer></script>`;

interface ButtonOpts {
  mode: 'register' | 'authenticate';
  optionsUrl: string;
  verifyUrl: string;
  label: string;
  nicknameInput?: string;
}

function keyButton(ctx: ViewContext, o: ButtonOpts): SafeHtml {
  const ja = ctx.locale === 'ja';
  return html`<button type="button" id="webauthn-${o.mode}" class="button secondary" data-webauthn="${o.mode}"
    data-options-url="${o.optionsUrl}" data-verify-url="${o.verifyUrl}" data-csrf="${ctx.csrfToken}"
    data-nickname="${o.nicknameInput ?? ''}" data-status="webauthn-status"
    data-msg-waiting="${ja ? 'セキュリティキーの操作を待っています…' : 'Waiting for your security key…'}"
    data-msg-failed="${ja ? 'セキュリティキーを確認できませんでした。もう一度お試しください。' : 'The security key could not be checked. Please try again.'}"
    data-msg-unsupported="${ja ? 'このブラウザーはセキュリティキーに対応していません。' : 'This browser does not support security keys.'}"
    >${o.label}</button>
  <div id="webauthn-status" hidden></div>`;
}

const nicknameField = (ctx: ViewContext): SafeHtml => {
  const ja = ctx.locale === 'ja';
  return html`<div><label for="webauthn-nickname">${ja ? 'キーの名前（任意）' : 'Name of the key (optional)'}</label>
    <input id="webauthn-nickname" name="nickname" type="text" maxlength="60" autocomplete="off"
      placeholder="${ja ? '例：黄色いUSBキー' : 'e.g. yellow USB key'}"></div>`;
};

/** On the enrolment page: a security key instead of an authenticator app. */
export function securityKeyEnrolSection(ctx: ViewContext): SafeHtml {
  const ja = ctx.locale === 'ja';
  return html`<section class="stack" aria-labelledby="webauthn-enrol-heading">
  <h2 id="webauthn-enrol-heading">${ja ? 'またはセキュリティキー・パスキーを登録' : 'Or register a security key or passkey'}</h2>
  <p>${ja
    ? '認証アプリの代わりに、USB/NFC のセキュリティキーや端末のパスキー（生体認証・PIN）を二要素目として使えます。'
    : 'Instead of an authenticator app, you can use a USB/NFC security key or a passkey on this device (biometrics or PIN) as your second factor.'}</p>
  ${nicknameField(ctx)}
  <div>${keyButton(ctx, {
    mode: 'register',
    optionsUrl: '/totp/enrol/webauthn/options',
    verifyUrl: '/totp/enrol/webauthn',
    label: ja ? 'セキュリティキーを登録' : 'Register a security key',
    nicknameInput: 'webauthn-nickname',
  })}</div>
</section>
${scripts()}`;
}

/** On the second-factor page, for accounts that hold a key. */
export function securityKeySignInSection(ctx: ViewContext): SafeHtml {
  const ja = ctx.locale === 'ja';
  return html`<section class="stack" aria-label="${ja ? 'セキュリティキー' : 'Security key'}">
  <div>${keyButton(ctx, {
    mode: 'authenticate',
    optionsUrl: '/totp/webauthn/options',
    verifyUrl: '/totp/webauthn',
    label: ja ? 'セキュリティキーを使用' : 'Use a security key',
  })}</div>
</section>
${scripts()}`;
}

export function securityKeysPage(ctx: ViewContext, opts: { keys: SecurityKey[]; notice?: { kind: 'error' | 'success'; text: string } }): SafeHtml {
  const ja = ctx.locale === 'ja';
  const when = (d: Date | null): string => (d ? d.toLocaleString(ja ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo' }) : '—');
  const list = opts.keys.length
    ? html`<table id="security-keys">
  <thead><tr><th scope="col">${ja ? '名前' : 'Name'}</th><th scope="col">${ja ? '登録日時' : 'Registered'}</th>
    <th scope="col">${ja ? '最終使用' : 'Last used'}</th><th scope="col"><span class="visually-hidden">${ja ? '操作' : 'Actions'}</span></th></tr></thead>
  <tbody>${opts.keys.map(
    (k) => html`<tr><td>${k.nickname}</td><td>${when(k.createdAt)}</td><td>${when(k.lastUsedAt)}</td>
      <td><form method="post" action="/account/security-keys/remove" class="inline">
        <input type="hidden" name="_csrf" value="${ctx.csrfToken}"><input type="hidden" name="id" value="${k.id}">
        <button type="submit" class="button secondary">${ja ? '削除' : 'Remove'}<span class="visually-hidden"> ${k.nickname}</span></button>
      </form></td></tr>`,
  )}</tbody></table>`
    : html`<p class="muted">${ja ? '登録されたセキュリティキーはありません。' : 'No security keys are registered.'}</p>`;
  return layout(
    ctx,
    ja ? 'セキュリティキー' : 'Security keys',
    html`${opts.notice ? messageBox(opts.notice.kind, opts.notice.text) : ''}
${list}
<section class="stack" aria-labelledby="webauthn-add-heading">
  <h2 id="webauthn-add-heading">${ja ? 'キーを追加' : 'Add a key'}</h2>
  ${nicknameField(ctx)}
  <div>${keyButton(ctx, {
    mode: 'register',
    optionsUrl: '/account/security-keys/options',
    verifyUrl: '/account/security-keys',
    label: ja ? 'セキュリティキーを登録' : 'Register a security key',
    nicknameInput: 'webauthn-nickname',
  })}</div>
</section>
${scripts()}`,
  );
}
