// Staff account pages: the list with a create form, one account's administration forms, and the
// account review report. Every form posts with the CSRF field; no inline script or style.
// control: AUTH-07, AUTH-08, AUTH-09, AUTH-12, AC-02
import type { RoleId } from '../../security/actor.ts';
import { ROLE_IDS } from '../../security/actor.ts';
import type { AccountFlag, AccountReview } from '../../security/account-review.ts';
import type { AccountSummary } from '../../security/accounts.ts';
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { ViewContext } from '../view-context.ts';
import { jstText } from './audit.ts';
import { type Bi, bi, csrfField, layout, messageBox } from './layout.ts';


export const ROLE_NAMES: Record<RoleId, Bi> = {
  admin: { ja: '管理者', en: 'Administrator' },
  officer: { ja: '予防接種担当', en: 'Vaccination officer' },
  contractor_entry: { ja: '入力委託', en: 'Contracted data entry' },
  venue: { ja: '会場', en: 'Vaccination venue' },
  auditor: { ja: '監査', en: 'Auditor' },
  operator: { ja: 'システム管理', en: 'System operator' },
};

const FLAG_NAMES: Record<AccountFlag, Bi> = {
  disabled: { ja: '無効', en: 'Disabled' },
  dormant: { ja: '長期未使用', en: 'Dormant' },
  expired: { ja: '期限切れ', en: 'Expired' },
  expiring: { ja: '期限間近', en: 'Expiring' },
  locked: { ja: 'ロック中', en: 'Locked' },
  no_second_factor: { ja: '二要素未登録', en: 'No second factor' },
  must_change_password: { ja: '初期パスワード', en: 'One-time password' },
};

const roleName = (ctx: ViewContext, role: string): string => (role in ROLE_NAMES ? bi(ctx, ROLE_NAMES[role as RoleId]) : role);

export interface Flash {
  notice?: string | null;
  error?: string | null;
  /** A one-time password, shown once on the response to the action that made it. */
  issued?: { loginId: string; password: string } | null;
}

function flash(ctx: ViewContext, f: Flash): SafeHtml {
  const ja = ctx.locale === 'ja';
  return html`${f.notice ? messageBox('success', f.notice) : ''}${f.error ? messageBox('error', f.error) : ''}
${f.issued
    ? messageBox(
        'info',
        html`<p>${ja ? `${f.issued.loginId} の初期パスワード（この画面でのみ表示します。本人に安全な方法で伝えてください）:` : `One-time password for ${f.issued.loginId} (shown only now; hand it over securely):`}</p>
<p><code id="one-time-password" class="secret">${f.issued.password}</code></p>`,
      )
    : ''}`;
}

function status(ctx: ViewContext, a: AccountSummary, now: Date): string {
  const ja = ctx.locale === 'ja';
  if (a.disabled_at) return ja ? '無効' : 'Disabled';
  if (a.expires_on && a.expires_on < jstText(now).slice(0, 10)) return ja ? '期限切れ' : 'Expired';
  if (a.locked_until && a.locked_until > now) return ja ? 'ロック中' : 'Locked';
  return ja ? '有効' : 'Active';
}

function roleSelect(ctx: ViewContext, id: string, selected: string): SafeHtml {
  return html`<select id="${id}" name="role" required>
  ${ROLE_IDS.map((r) => html`<option value="${r}" ${r === selected ? html`selected` : ''}>${roleName(ctx, r)}</option>`)}</select>`;
}

export function accountsPage(ctx: ViewContext, d: { accounts: AccountSummary[]; canManage: boolean; now: Date } & Flash): SafeHtml {
  const ja = ctx.locale === 'ja';
  return layout(
    ctx,
    ja ? '職員アカウント' : 'Staff accounts',
    html`${flash(ctx, d)}
<p><a href="/accounts/review">${ja ? 'アカウント棚卸し（定期点検）' : 'Account review report'}</a></p>
<div class="table-wrap"><table class="accounts">
<thead><tr><th scope="col">${ja ? 'ユーザーID' : 'User ID'}</th><th scope="col">${ja ? '氏名' : 'Name'}</th><th scope="col">${ja ? '所属' : 'Department'}</th>
<th scope="col">${ja ? '権限' : 'Role'}</th><th scope="col">${ja ? '最終ログイン' : 'Last sign-in'}</th><th scope="col">${ja ? '有効期限' : 'Expires'}</th>
<th scope="col">${ja ? '状態' : 'Status'}</th></tr></thead>
<tbody>${d.accounts.map((a) => html`<tr><td><a href="/accounts/${a.id}">${a.login_id}</a></td><td>${a.display_name}</td><td>${a.department}</td>
  <td>${roleName(ctx, a.role_id)}</td><td class="nowrap">${jstText(a.last_login_at) || '—'}</td><td>${a.expires_on ?? '—'}</td><td>${status(ctx, a, d.now)}</td></tr>`)}</tbody>
</table></div>
${d.canManage ? createForm(ctx) : ''}`,
  );
}

function createForm(ctx: ViewContext): SafeHtml {
  const ja = ctx.locale === 'ja';
  return html`<h2 id="create-heading">${ja ? 'アカウントの作成' : 'Create an account'}</h2>
<form method="post" action="/accounts" class="stack" aria-labelledby="create-heading">
  ${csrfField(ctx)}
  <div><label for="loginId">${ja ? 'ユーザーID' : 'User ID'} <span class="hint">${ja ? '英小文字・数字・. _ - の3〜32文字' : '3–32 lower-case letters, digits, . _ -'}</span></label>
    <input id="loginId" name="loginId" type="text" required maxlength="32" autocomplete="off"></div>
  <div><label for="displayName">${ja ? '氏名' : 'Name'}</label><input id="displayName" name="displayName" type="text" required maxlength="100"></div>
  <div><label for="department">${ja ? '所属' : 'Department'}</label><input id="department" name="department" type="text" maxlength="100"></div>
  <div><label for="create-role">${ja ? '権限' : 'Role'}</label>${roleSelect(ctx, 'create-role', 'officer')}</div>
  <div><label for="expiresOn">${ja ? '有効期限' : 'Expires on'} <span class="hint">${ja ? '任意' : 'optional'}</span></label>
    <input id="expiresOn" name="expiresOn" type="date"></div>
  <div><button type="submit">${ja ? '作成する' : 'Create'}</button></div>
</form>`;
}

export function accountPage(ctx: ViewContext, d: { account: AccountSummary; canManage: boolean; isSelf: boolean; now: Date } & Flash): SafeHtml {
  const ja = ctx.locale === 'ja';
  const a = d.account;
  const base = `/accounts/${a.id}`;
  const facts = html`<dl class="facts">
  <dt>${ja ? 'ユーザーID' : 'User ID'}</dt><dd>${a.login_id}</dd>
  <dt>${ja ? '氏名' : 'Name'}</dt><dd>${a.display_name}</dd>
  <dt>${ja ? '所属' : 'Department'}</dt><dd>${a.department || '—'}</dd>
  <dt>${ja ? '権限' : 'Role'}</dt><dd>${roleName(ctx, a.role_id)}</dd>
  <dt>${ja ? '状態' : 'Status'}</dt><dd>${status(ctx, a, d.now)}</dd>
  <dt>${ja ? '最終ログイン' : 'Last sign-in'}</dt><dd>${jstText(a.last_login_at) || '—'}</dd>
  <dt>${ja ? '有効期限' : 'Expires'}</dt><dd>${a.expires_on ?? '—'}</dd>
  <dt>${ja ? '二要素認証' : 'Second factor'}</dt><dd>${a.totp_enrolled ? (ja ? '登録済み' : 'Enrolled') : ja ? '未登録' : 'Not enrolled'}</dd>
</dl>`;
  const manage = !d.canManage
    ? ''
    : html`
<section aria-labelledby="role-heading"><h2 id="role-heading">${ja ? '権限の変更' : 'Change role'}</h2>
<form method="post" action="${base}/role" class="stack">${csrfField(ctx)}
  <div><label for="role">${ja ? '新しい権限' : 'New role'}</label>${roleSelect(ctx, 'role', a.role_id)}</div>
  <div><label for="role-reason">${ja ? '理由' : 'Reason'}</label><input id="role-reason" name="reason" type="text" required maxlength="500"></div>
  <div><label for="approvedBy">${ja ? '承認者' : 'Approved by'}</label><input id="approvedBy" name="approvedBy" type="text" required maxlength="100"></div>
  <div><label for="requestingDepartment">${ja ? '依頼部署' : 'Requesting department'}</label><input id="requestingDepartment" name="requestingDepartment" type="text" maxlength="100"></div>
  <div><button type="submit" ${d.isSelf ? html`disabled` : ''}>${ja ? '権限を変更' : 'Change role'}</button></div>
</form></section>
<section aria-labelledby="expiry-heading"><h2 id="expiry-heading">${ja ? '有効期限' : 'End date'}</h2>
<form method="post" action="${base}/expiry" class="stack">${csrfField(ctx)}
  <div><label for="expiry">${ja ? '有効期限' : 'Expires on'} <span class="hint">${ja ? '空欄で無期限' : 'empty = no end date'}</span></label>
    <input id="expiry" name="expiresOn" type="date" value="${a.expires_on ?? ''}"></div>
  <div><button type="submit">${ja ? '保存' : 'Save'}</button></div>
</form></section>
<section aria-labelledby="security-heading"><h2 id="security-heading">${ja ? 'パスワードとセッション' : 'Password and sessions'}</h2>
<div class="action-row">
<form method="post" action="${base}/reset" class="inline">${csrfField(ctx)}
  <button type="submit" class="secondary">${ja ? 'パスワードを再発行' : 'Reset password'}</button></form>
<form method="post" action="${base}/revoke" class="inline">${csrfField(ctx)}
  <button type="submit" class="secondary">${ja ? 'ログイン中のセッションを終了' : 'End open sessions'}</button></form>
</div></section>
${a.disabled_at
  ? ''
  : html`<section aria-labelledby="disable-heading"><h2 id="disable-heading">${ja ? 'アカウントの無効化（異動・退職）' : 'Disable (transfer, retirement)'}</h2>
<form method="post" action="${base}/disable" class="stack">${csrfField(ctx)}
  <div><label for="disable-reason">${ja ? '理由' : 'Reason'}</label><input id="disable-reason" name="reason" type="text" required maxlength="500"></div>
  <div><button type="submit" class="danger" ${d.isSelf ? html`disabled` : ''}>${ja ? '無効にする' : 'Disable'}</button></div>
</form></section>`}`;
  return layout(
    ctx,
    `${ja ? '職員アカウント' : 'Staff account'}: ${a.login_id}`,
    html`${flash(ctx, d)}${facts}${manage}<p><a href="/accounts">${ja ? '一覧に戻る' : 'Back to the list'}</a></p>`,
  );
}

export function accountReviewPage(ctx: ViewContext, review: AccountReview, notice: string | null = null): SafeHtml {
  const ja = ctx.locale === 'ja';
  const flags = Object.keys(FLAG_NAMES) as AccountFlag[];
  return layout(
    ctx,
    ja ? 'アカウント棚卸し' : 'Account review',
    html`${notice ? messageBox('success', notice) : ''}<p>${ja
      ? `作成日時 ${jstText(review.generatedAt)}。長期未使用は ${review.dormantDays} 日以上ログインのないもの、期限間近は ${review.expiringDays} 日以内に期限を迎えるものです。`
      : `Generated ${jstText(review.generatedAt)} JST. Dormant: no sign-in for ${review.dormantDays} days; expiring: end date within ${review.expiringDays} days.`}</p>
<form method="get" action="/accounts/review" class="filter-form"><div class="filter-grid">
  <div><label for="dormantDays">${ja ? '長期未使用とみなす日数' : 'Dormant after (days)'}</label><input id="dormantDays" name="dormantDays" type="number" min="1" max="3650" value="${review.dormantDays}"></div>
  <div><label for="expiringDays">${ja ? '期限間近とみなす日数' : 'Expiring within (days)'}</label><input id="expiringDays" name="expiringDays" type="number" min="1" max="3650" value="${review.expiringDays}"></div>
</div><div class="form-actions"><button type="submit">${ja ? '再集計' : 'Refresh'}</button>
  <a class="button secondary" href="/accounts/review.csv?dormantDays=${review.dormantDays}&expiringDays=${review.expiringDays}">${ja ? 'CSVダウンロード' : 'Download CSV'}</a></div></form>
<ul class="counts">${html`<li>${ja ? '総数' : 'Total'}: ${review.counts.total}</li>`}${flags.map((f) => html`<li>${bi(ctx, FLAG_NAMES[f])}: ${review.counts[f]}</li>`)}</ul>
<div class="table-wrap"><table class="account-review">
<thead><tr><th scope="col">${ja ? 'ユーザーID' : 'User ID'}</th><th scope="col">${ja ? '氏名' : 'Name'}</th><th scope="col">${ja ? '所属' : 'Department'}</th>
<th scope="col">${ja ? '権限' : 'Role'}</th><th scope="col">${ja ? '付与日時・付与者' : 'Granted (when, by)'}</th><th scope="col">${ja ? '最終ログイン' : 'Last sign-in'}</th>
<th scope="col">${ja ? '有効期限' : 'Expires'}</th><th scope="col">${ja ? '要確認' : 'Needs attention'}</th></tr></thead>
<tbody>${review.rows.map((r) => html`<tr><td><a href="/accounts/${r.id}">${r.loginId}</a></td><td>${r.displayName}</td><td>${r.department}</td>
  <td>${ja ? r.roleNameJa : r.roleNameEn}</td><td class="nowrap">${jstText(r.roleGrantedAt) || '—'}${r.roleGrantedBy ? html`<br><span class="muted">${r.roleGrantedBy}</span>` : ''}</td>
  <td class="nowrap">${jstText(r.lastLoginAt) || (ja ? 'なし' : 'never')}</td><td>${r.expiresOn ?? '—'}</td>
  <td>${r.flags.map((f) => html`<span class="flag flag-${f}">${bi(ctx, FLAG_NAMES[f])}</span> `)}</td></tr>`)}</tbody>
</table></div>
<form method="post" action="/accounts/review/signoff" class="stack signoff">${csrfField(ctx)}
  <div><label for="comment">${ja ? '点検コメント' : 'Review comment'}</label><textarea id="comment" name="comment" rows="2" maxlength="1000"></textarea></div>
  <div><button type="submit">${ja ? 'この棚卸しを確認済みとして記録' : 'Record this review as signed off'}</button></div>
</form>
<p><a href="/accounts">${ja ? '一覧に戻る' : 'Back to the list'}</a></p>`,
  );
}
