// Sign-in pages: password, first-time password change, TOTP enrolment and TOTP check (security
// keys add their sections from views/webauthn.ts).
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { ViewContext } from '../view-context.ts';
import { csrfField, layout, messageBox } from './layout.ts';


export function loginPage(ctx: ViewContext, opts: { municipalityCode: string; loginId?: string; error?: string }): SafeHtml {
  const { t } = ctx;
  return layout(
    ctx,
    t('login'),
    html`${opts.error ? messageBox('error', opts.error) : ''}
<form method="post" action="/login" class="stack" novalidate>
  ${csrfField(ctx)}
  <div><label for="municipalityCode">${t('municipalityCode')}</label>
    <input id="municipalityCode" name="municipalityCode" type="text" inputmode="numeric" autocomplete="organization"
      pattern="[0-9]{6}" maxlength="6" required value="${opts.municipalityCode}"></div>
  <div><label for="loginId">${t('loginId')}</label>
    <input id="loginId" name="loginId" type="text" autocomplete="username" required value="${opts.loginId ?? ''}" autofocus></div>
  <div><label for="password">${t('password')}</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required></div>
  <div><button type="submit">${t('login')}</button></div>
</form>`,
  );
}

export function passwordChangePage(ctx: ViewContext, opts: { errors?: string[]; firstTime: boolean }): SafeHtml {
  const { t } = ctx;
  return layout(
    ctx,
    t('changePassword'),
    html`${opts.firstTime ? messageBox('info', t('mustChangePassword')) : ''}
${opts.errors?.length ? messageBox('error', html`<ul>${opts.errors.map((e) => html`<li>${e}</li>`)}</ul>`) : ''}
<form method="post" action="/password" class="stack">
  ${csrfField(ctx)}
  <div><label for="current">${t('currentPassword')}</label>
    <input id="current" name="current" type="password" autocomplete="current-password" required></div>
  <div><label for="next">${t('newPassword')} <span class="hint">${ctx.locale === 'ja' ? '12文字以上、英大文字・英小文字・数字・記号のうち3種類以上' : 'at least 12 characters, 3 of: upper case, lower case, digits, symbols'}</span></label>
    <input id="next" name="next" type="password" autocomplete="new-password" required></div>
  <div><label for="again">${t('newPasswordAgain')}</label>
    <input id="again" name="again" type="password" autocomplete="new-password" required></div>
  <div><button type="submit">${t('save')}</button></div>
</form>`,
  );
}

export function totpEnrolPage(ctx: ViewContext, opts: { secret: string; uri: string; error?: string; extra?: SafeHtml }): SafeHtml {
  const ja = ctx.locale === 'ja';
  return layout(
    ctx,
    ja ? '二要素認証の設定' : 'Set up two-factor authentication',
    html`${opts.error ? messageBox('error', opts.error) : ''}
<p>${ja
      ? '認証アプリ（Google Authenticator、Microsoft Authenticator など）に次の設定キーを登録し、表示された6桁のコードを入力してください。'
      : 'Add this key to an authenticator app (Google Authenticator, Microsoft Authenticator …) and enter the 6-digit code it shows.'}</p>
<p>${ja ? '設定キー' : 'Setup key'}: <code id="totp-secret">${opts.secret}</code></p>
<details><summary>${ja ? 'otpauth URI' : 'otpauth URI'}</summary><code id="totp-uri">${opts.uri}</code></details>
<form method="post" action="/totp/enrol" class="stack">
  ${csrfField(ctx)}
  <div><label for="code">${ja ? '確認コード（6桁）' : 'Code (6 digits)'}</label>
    <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus></div>
  <div><button type="submit">${ja ? '登録する' : 'Confirm'}</button></div>
</form>
${opts.extra ?? ''}`,
  );
}

/** `extra` offers other factors (a security key); `codeForm: false` when the account holds no TOTP secret. */
export function totpPage(ctx: ViewContext, opts: { error?: string; extra?: SafeHtml; codeForm?: boolean }): SafeHtml {
  const ja = ctx.locale === 'ja';
  return layout(
    ctx,
    ja ? '二要素認証' : 'Two-factor authentication',
    html`${opts.error ? messageBox('error', opts.error) : ''}
${opts.codeForm === false
      ? ''
      : html`<form method="post" action="/totp" class="stack">
  ${csrfField(ctx)}
  <div><label for="code">${ja ? '認証アプリの6桁のコード' : '6-digit code from your authenticator app'}</label>
    <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus></div>
  <div><button type="submit">${ja ? '確認' : 'Verify'}</button></div>
</form>`}
${opts.extra ?? ''}`,
  );
}
