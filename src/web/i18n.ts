// UI text: Japanese first, English available. Keys are checked at compile time so a missing
// translation is a type error, not a blank label.
export type Locale = 'ja' | 'en';
export const LOCALES: readonly Locale[] = ['ja', 'en'];

const ja = {
  appName: '予防接種台帳システム sesshu',
  skipToContent: '本文へ移動',
  navHome: 'ホーム',
  navResidents: '住民・宛名',
  navSchedule: '接種スケジュール',
  navSelection: '対象者抽出・発送',
  navRecords: '接種記録',
  navPayments: '委託料・救済',
  navLinkage: '情報連携',
  navCertificates: '接種証明書',
  navStatistics: '統計・接種率',
  navAudit: 'アクセス記録・監査',
  navAccounts: '職員アカウント',
  navSettings: '団体の設定',
  comingSoon: '準備中の機能です。',
  login: 'ログイン',
  logout: 'ログアウト',
  municipalityCode: '団体コード',
  loginId: 'ユーザーID',
  password: 'パスワード',
  loginFailed: 'ユーザーID またはパスワードが正しくありません。',
  loginLocked: 'ログイン失敗が続いたため、このアカウントは一時的にロックされています。しばらくしてから再度お試しください。',
  changePassword: 'パスワード変更',
  currentPassword: '現在のパスワード',
  newPassword: '新しいパスワード',
  newPasswordAgain: '新しいパスワード（確認）',
  passwordsDiffer: '新しいパスワードが一致しません。',
  mustChangePassword: '初回ログインのため、パスワードを変更してください。',
  save: '保存',
  welcome: 'ようこそ',
  tenant: '団体',
  role: '権限',
  language: 'English',
  notFound: 'ページが見つかりません。',
  forbidden: 'この操作を行う権限がありません。',
  serverError: 'システムエラーが発生しました。管理者に連絡してください。',
  dashboardIntro: '予防接種台帳の各業務へは左のメニューから移動します。',
  signedInAs: 'ログイン中',
} as const;

type MessageKey = keyof typeof ja;

const en: Record<MessageKey, string> = {
  appName: 'sesshu vaccination records',
  skipToContent: 'Skip to content',
  navHome: 'Home',
  navResidents: 'Residents',
  navSchedule: 'Schedule',
  navSelection: 'Selection & mailings',
  navRecords: 'Vaccination records',
  navPayments: 'Payments & relief',
  navLinkage: 'Linkage',
  navCertificates: 'Certificates',
  navStatistics: 'Statistics',
  navAudit: 'Audit log',
  navAccounts: 'Staff accounts',
  navSettings: 'Settings',
  comingSoon: 'This function is not available yet.',
  login: 'Sign in',
  logout: 'Sign out',
  municipalityCode: 'Municipality code',
  loginId: 'User ID',
  password: 'Password',
  loginFailed: 'The user ID or password is not correct.',
  loginLocked: 'This account is locked for a while after repeated failed sign-ins. Please try again later.',
  changePassword: 'Change password',
  currentPassword: 'Current password',
  newPassword: 'New password',
  newPasswordAgain: 'New password (again)',
  passwordsDiffer: 'The new passwords do not match.',
  mustChangePassword: 'This is your first sign-in: please choose a new password.',
  save: 'Save',
  welcome: 'Welcome',
  tenant: 'Municipality',
  role: 'Role',
  language: '日本語',
  notFound: 'Page not found.',
  forbidden: 'You do not have permission for this.',
  serverError: 'A system error occurred. Please contact the administrator.',
  dashboardIntro: 'Use the menu to reach each part of the vaccination ledger.',
  signedInAs: 'Signed in as',
};

const messages: Record<Locale, Record<MessageKey, string>> = { ja, en };

export type Translate = (key: MessageKey) => string;

export function translator(locale: Locale): Translate {
  return (key) => messages[locale][key];
}

export function pickLocale(queryLang: unknown, cookieLang: unknown): Locale {
  for (const v of [queryLang, cookieLang]) if (v === 'ja' || v === 'en') return v;
  return 'ja';
}
