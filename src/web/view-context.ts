// What every page template receives, built the same way for every request (STYLE.md habit 9).
import type { Permission } from '../security/actor.ts';
import type { Locale, Translate } from './i18n.ts';

export interface ViewUser {
  displayName: string;
  roleName: string;
  municipalityName: string;
  /** What the menu offers; each page still checks (and audits) on its own. */
  permissions: ReadonlySet<Permission>;
}

export interface ViewContext {
  locale: Locale;
  t: Translate;
  csrfToken: string;
  user: ViewUser | null;
  path: string;
}
