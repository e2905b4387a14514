import type { HtmlValue, SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { Permission } from '../../security/actor.ts';
import type { ViewContext, ViewUser } from '../view-context.ts';

interface NavItem {
  href: string;
  key: Parameters<ViewContext['t']>[0];
  /** Shown only to roles holding one of these (the page itself refuses the others). */
  anyOf?: readonly Permission[];
}

/** The capabilities of BRIEF.md, in the order a health department works through them. */
const NAV: NavItem[] = [
  { href: '/', key: 'navHome' },
  { href: '/residents', key: 'navResidents', anyOf: ['person.read', 'person.import'] },
  { href: '/schedule', key: 'navSchedule', anyOf: ['schedule.read'] },
  { href: '/selection', key: 'navSelection', anyOf: ['selection.run'] },
  { href: '/records', key: 'navRecords', anyOf: ['dose.read', 'dose.enter', 'dose.confirm', 'dose.venue'] },
  { href: '/payments', key: 'navPayments' },
  { href: '/linkage', key: 'navLinkage' },
  { href: '/certificates', key: 'navCertificates' },
  { href: '/coverage', key: 'navStatistics', anyOf: ['statistics.read'] },
  { href: '/audit', key: 'navAudit', anyOf: ['audit.read', 'audit.verify'] },
  { href: '/accounts', key: 'navAccounts', anyOf: ['account.manage', 'account.review'] },
  { href: '/settings', key: 'navSettings', anyOf: ['settings.manage'] },
];

export function layout(ctx: ViewContext, title: string, body: HtmlValue): SafeHtml {
  const { t } = ctx;
  const otherLocale = ctx.locale === 'ja' ? 'en' : 'ja';
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false}'>
<title>${title} | ${t('appName')}</title>
<link rel="stylesheet" href="/assets/tokens.css">
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/htmx.min.js" defer></script>
</head>
<body>
<a class="skip" href="#content">${t('skipToContent')}</a>
<header class="site-header">
  <a class="brand" href="/">${t('appName')}</a>
  <div class="header-tools">
    ${ctx.user
      ? html`<span class="who">${t('signedInAs')}: <strong>${ctx.user.displayName}</strong>
          (${ctx.user.roleName}・${ctx.user.municipalityName})</span>`
      : ''}
    <a class="lang" href="?lang=${otherLocale}" lang="${otherLocale}" hreflang="${otherLocale}">${t('language')}</a>
    ${ctx.user ? html`<a class="security-keys" href="/account/security-keys">${ctx.locale === 'ja' ? 'セキュリティキー' : 'Security keys'}</a>` : ''}
    ${ctx.user
      ? html`<form method="post" action="/logout" class="inline">
          <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
          <button type="submit" class="button secondary">${t('logout')}</button></form>`
      : ''}
  </div>
</header>
<div class="frame">
  ${ctx.user ? navigation(ctx, ctx.user) : ''}
  <main id="content" tabindex="-1">
    <h1>${title}</h1>
    ${body}
  </main>
</div>
</body>
</html>`;
}

function navigation(ctx: ViewContext, user: ViewUser): SafeHtml {
  const offered = NAV.filter((item) => !item.anyOf || item.anyOf.some((p) => user.permissions.has(p)));
  return html`<nav class="side-nav" aria-label="${ctx.locale === 'ja' ? 'メインメニュー' : 'Main menu'}"><ul>
    ${offered.map((item) => {
      const current = item.href === '/' ? ctx.path === '/' : ctx.path.startsWith(item.href);
      return html`<li><a href="${item.href}" ${current ? html`aria-current="page"` : ''}>${ctx.t(item.key)}</a></li>`;
    })}
  </ul></nav>`;
}

export function messageBox(kind: 'error' | 'info' | 'success', text: HtmlValue): SafeHtml {
  return html`<div class="message ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</div>`;
}

/** The hidden CSRF field every POST form carries. */
export function csrfField(ctx: ViewContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
}

/** A "日本語 / English" pair of UI text. */
export type Bi = { ja: string; en: string };

/** The half of a pair in the page's language. */
export const bi = (ctx: ViewContext, t: Bi): string => (ctx.locale === 'ja' ? t.ja : t.en);
