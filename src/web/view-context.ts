// What every page template receives, built the same way for every request (STYLE.md habit 9).
import type { Locale, Translate } from './i18n.ts';

export interface ViewUser {
  displayName: string;
  roleName: string;
  municipalityName: string;
}

export interface ViewContext {
  locale: Locale;
  t: Translate;
  csrfToken: string;
  user: ViewUser | null;
  path: string;
}
