// 団体の設定: the letterhead printed on mailings, how clinic files are entered, the access-digest
// interval and the password policy — small forms, each saved (and audited) on its own. Empty letterhead fields print
// the defaults the page names.
import type { TenantSettings } from '../../modules/tenants/settings.ts';
import { MAX_DIGEST_MINUTES, MIN_DIGEST_MINUTES } from '../../security/access-digest.ts';
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { ViewContext } from '../view-context.ts';
import { csrfField, layout, messageBox } from './layout.ts';

const NOTICES = {
  mailing: { ja: '通知文書の差出人情報を保存しました。', en: 'The letterhead was saved.' },
  clinicFiles: { ja: '医療機関ファイルの登録方法を保存しました。', en: 'The clinic file setting was saved.' },
  accessDigest: { ja: 'アクセスダイジェストの間隔を保存しました。', en: 'The access digest interval was saved.' },
  passwordPolicy: { ja: 'パスワード規則を保存しました（1分以内に全職員のログインに適用されます）。', en: 'The password policy was saved (applies to sign-ins within a minute).' },
} as const;

export type SettingsNotice = keyof typeof NOTICES;

export function isSettingsNotice(v: string): v is SettingsNotice {
  return Object.hasOwn(NOTICES, v);
}

export interface SettingsPageData {
  settings: TenantSettings;
  notice: SettingsNotice | null;
  error: string | null;
}


function textField(id: string, label: string, hint: string, value: string | null, max: number): SafeHtml {
  return html`<div><label for="${id}">${label} <span class="hint">${hint}</span></label>
    <input id="${id}" name="${id}" type="text" maxlength="${max}" value="${value ?? ''}"></div>`;
}

function numberField(id: string, label: string, hint: string, value: number | null, min: number, max: number): SafeHtml {
  return html`<div><label for="${id}">${label} <span class="hint">${hint}</span></label>
    <input id="${id}" name="${id}" type="number" inputmode="numeric" min="${min}" max="${max}" value="${value ?? ''}"></div>`;
}

export function settingsPage(ctx: ViewContext, d: SettingsPageData): SafeHtml {
  const ja = ctx.locale === 'ja';
  const s = d.settings;
  const m = s.mailing;
  const p = s.passwordPolicy;
  const dflt = (t: string): string => (ja ? `空欄なら「${t}」` : `empty: “${t}”`);
  return layout(
    ctx,
    ja ? '団体の設定' : 'Municipality settings',
    html`
${d.notice ? messageBox('success', ja ? NOTICES[d.notice].ja : NOTICES[d.notice].en) : ''}
${d.error ? messageBox('error', d.error) : ''}
<section aria-labelledby="mailing-heading"><h2 id="mailing-heading">${ja ? '通知文書の差出人' : 'Letterhead of mailings'}</h2>
<p>${ja ? '勧奨通知・予診票・実施依頼書に印刷されます。' : 'Printed on reminders, 予診票 and referral letters.'}</p>
<form method="post" action="/settings/mailing" class="stack">${csrfField(ctx)}
  ${textField('senderName', ja ? '差出人' : 'Sender', dflt(ja ? '（団体名） 予防接種担当' : '(municipality) 予防接種担当'), m.senderName, 60)}
  ${textField('senderContact', ja ? '連絡先' : 'Contact', ja ? '電話番号・窓口など（任意）' : 'phone, office (optional)', m.senderContact, 120)}
  ${textField('mayorName', ja ? '市町村長名' : 'Mayor', dflt(ja ? '（団体名）長' : '(municipality)長'), m.mayorName, 40)}
  ${textField('letterPrefix', ja ? '文書番号の記号' : 'Letter number prefix', dflt('健'), m.letterPrefix, 10)}
  <div><button type="submit">${ja ? '保存' : 'Save'}</button></div>
</form></section>
<section aria-labelledby="clinic-heading"><h2 id="clinic-heading">${ja ? '医療機関ファイルの登録方法' : 'Clinic submission files'}</h2>
<form method="post" action="/settings/clinic-files" class="stack">${csrfField(ctx)}
  <fieldset><legend>${ja ? '取り込んだ記録' : 'Imported records'}</legend>
    <div><input type="radio" id="cfe-provisional" name="clinicFileEntry" value="provisional" ${s.clinicFileEntry === 'provisional' ? html`checked` : ''}>
      <label for="cfe-provisional">${ja ? '仮登録（別の職員の確認が必要・推奨）' : 'Provisional: a second user confirms (recommended)'}</label></div>
    <div><input type="radio" id="cfe-confirmed" name="clinicFileEntry" value="confirmed" ${s.clinicFileEntry === 'confirmed' ? html`checked` : ''}>
      <label for="cfe-confirmed">${ja ? '確定として登録' : 'Confirmed on import'}</label></div>
  </fieldset>
  <div><button type="submit">${ja ? '保存' : 'Save'}</button></div>
</form></section>
<section aria-labelledby="digest-heading"><h2 id="digest-heading">${ja ? 'アクセスダイジェスト' : 'Access digest'}</h2>
<p>${ja ? 'アクセス記録のまとめを監査担当者（「アクセス記録・監査」）に届ける間隔です。' : 'How often a summary of the access log is made for the staff who review it (Audit log).'}</p>
<form method="post" action="/settings/access-digest" class="stack">${csrfField(ctx)}
  ${numberField('accessDigestMinutes', ja ? '間隔（分）' : 'Interval (minutes)', `${MIN_DIGEST_MINUTES}–${MAX_DIGEST_MINUTES}`, s.accessDigestMinutes, MIN_DIGEST_MINUTES, MAX_DIGEST_MINUTES)}
  <div><button type="submit">${ja ? '保存' : 'Save'}</button></div>
</form></section>
<section aria-labelledby="policy-heading"><h2 id="policy-heading">${ja ? 'パスワード規則' : 'Password policy'}</h2>
<form method="post" action="/settings/password-policy" class="stack">${csrfField(ctx)}
  ${numberField('minLength', ja ? '最小文字数' : 'Minimum length', '8–128', p.minLength, 8, 128)}
  ${numberField('requireClasses', ja ? '必要な文字種の数' : 'Character classes required', ja ? '0–4（英小文字・英大文字・数字・記号）' : '0–4 (lower, upper, digit, other)', p.requireClasses, 0, 4)}
  ${numberField('historyCount', ja ? '再利用できない過去のパスワード数' : 'Previous passwords not reusable', '0–24', p.historyCount, 0, 24)}
  ${numberField('maxAgeDays', ja ? '有効日数' : 'Expires after (days)', ja ? '1–3650、空欄で無期限' : '1–3650, empty = never', p.maxAgeDays, 1, 3650)}
  <div><button type="submit">${ja ? '保存' : 'Save'}</button></div>
</form></section>`,
  );
}
